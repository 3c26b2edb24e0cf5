"""`deploy.reverse_proxy` with and without `nginx -t`.

The samples under `tests/fixtures/checks/deploy/reverse_proxy/` give the same verdict with or
without nginx installed. The cases here need the real `nginx -t`: configurations that NGINX's
crossplane accepts and nginx rejects (`tests/fixtures/nginx_t/`). They fail when CI runs
without nginx (`.ci/run` installs nginx and openssl from Debian) and are skipped elsewhere.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from checklists.core.model import Outcome, Status
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.runner import Task, run_one
from checklists.core.target import Target
from checklists_sandbox import nginx_scratch, sandbox
from checks.deploy.reverse_proxy import _roots, _units
from checks.readers.nginx import read_nginx

load_packages(["checks"])
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NGINX_T = FIXTURES / "nginx_t"
SAMPLES = FIXTURES / "checks" / "deploy" / "reverse_proxy"


@pytest.fixture
def nginx() -> str:
    found = nginx_scratch.find_program("nginx")
    if found is None or nginx_scratch.find_program("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install nginx and openssl (Debian packages) for nginx -t")
        pytest.skip("nginx or openssl is not installed; `apt-get install nginx openssl`")
    return found


def run(case: Path, **params: object) -> Outcome:
    spec = REGISTRY.get("deploy.reverse_proxy")
    assert spec is not None
    return run_one(Task(spec, params), Target(case), logging.getLogger("test"))


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.usefixtures("nginx")
def test_nginx_t_rejects_an_unknown_directive_that_crossplane_accepts() -> None:
    case = NGINX_T / "unknown-directive"
    read_nginx((case / "nginx/conf.d/api.conf").read_bytes())  # crossplane: no error
    outcome = run(case)
    assert outcome.status is Status.FAIL
    assert 'unknown directive "proxy_set_headr"' in outcome.summary
    first = outcome.evidence[0]
    assert (first.path, first.line) == ("nginx/conf.d/api.conf", 16)
    assert first.excerpt is not None and "<scratch>" not in first.excerpt


@pytest.mark.usefixtures("nginx")
def test_nginx_t_rejects_a_value_crossplane_only_counts() -> None:
    outcome = run(NGINX_T / "invalid-size")
    assert outcome.status is Status.FAIL
    assert '"client_max_body_size" directive invalid value in nginx/nginx.conf:5' in (
        outcome.summary
    )


@pytest.mark.usefixtures("nginx")
@pytest.mark.parametrize("case", sorted(p.name for p in (SAMPLES / "pass").iterdir()))
def test_every_passing_sample_also_passes_nginx_t(case: str) -> None:
    outcome = run(SAMPLES / "pass" / case, **_params(SAMPLES / "pass" / case))
    assert outcome.status is Status.PASS, outcome.summary
    assert outcome.summary.endswith("nginx -t passed")
    assert any("test is successful" in e.note for e in outcome.evidence)


@pytest.mark.usefixtures("nginx")
def test_the_guide_snippet_alone_fails_nginx_t_for_its_missing_certificate() -> None:
    outcome = run(SAMPLES / "fail" / "guide-snippet-without-certificate")
    assert outcome.status is Status.FAIL
    assert 'no "ssl_certificate" is defined' in outcome.summary


@pytest.mark.usefixtures("nginx")
def test_the_target_is_left_untouched() -> None:
    case = SAMPLES / "pass" / "nginx-conf-with-includes"
    before = files_of(case)
    assert run(case).status is Status.PASS
    assert files_of(case) == before


@pytest.mark.usefixtures("nginx")
def test_a_directive_newer_than_the_installed_nginx_is_not_a_failure(tmp_path: Path) -> None:
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "api.conf").write_text(
        "upstream backend { server 127.0.0.1:8000; }\n"
        "server {\n"
        "    listen 443 ssl;\n"
        "    listen 443 quic reuseport;\n"
        "    http3 on;\n"
        "    ssl_certificate /etc/nginx/tls/api.crt;\n"
        "    ssl_certificate_key /etc/nginx/tls/api.key;\n"
        "    location / {\n"
        "        proxy_pass http://backend;\n"
        "        proxy_set_header Host $host;\n"
        "        proxy_set_header X-Real-IP $remote_addr;\n"
        "    }\n"
        "}\n"
    )
    outcome = run(tmp_path)
    assert outcome.status is Status.PASS, outcome.summary
    version = nginx_scratch.nginx_version(nginx_scratch.find_program("nginx") or "nginx")
    if version is not None and version < (1, 25, 0):
        assert any("could not judge it" in e.note for e in outcome.evidence)


def test_without_nginx_the_static_verdict_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    real = nginx_scratch.find_program
    monkeypatch.setattr(
        nginx_scratch,
        "find_program",
        lambda name, avoid=(): None if name == "nginx" else real(name, avoid),
    )
    outcome = run(SAMPLES / "pass" / "conf-d-site-guide-example")
    assert outcome.status is Status.PASS
    assert "nginx -t passed" not in outcome.summary
    assert any(e.note == "nginx -t not run (nginx not installed)" for e in outcome.evidence)
    broken = run(NGINX_T / "unknown-directive")
    assert broken.status is Status.PASS  # only nginx itself knows the directive is unknown


@pytest.mark.usefixtures("nginx")
def test_without_openssl_nginx_t_is_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    real = nginx_scratch.find_program
    monkeypatch.setattr(
        nginx_scratch,
        "find_program",
        lambda name, avoid=(): None if name == "openssl" else real(name, avoid),
    )
    outcome = run(SAMPLES / "pass" / "conf-d-site-guide-example")
    assert outcome.status is Status.PASS
    assert any("openssl not installed" in e.note for e in outcome.evidence)


def test_the_scratch_copy_opens_no_network_listener_and_looks_up_no_name() -> None:
    case = SAMPLES / "pass" / "compose-service-upstream"
    target = Target(case)
    roots = _roots(target, {"nginx/default.conf": target.parse("nginx/default.conf", read_nginx)})
    (unit,) = _units(roots)
    scratch = nginx_scratch._Scratch(Path("/tmp/scratch-test"), (1, 22, 1), frozenset({"app"}))
    nginx_scratch._write(scratch, unit)
    text = "\n".join(scratch.lines)
    listens = [line.strip() for line in scratch.lines if line.strip().startswith("listen ")]
    assert listens == ["listen unix:/tmp/scratch-test/run/listen-0.sock ssl http2 default_server;"]
    assert "server 127.0.0.1:8000;" in text and "backend" not in text
    assert "ssl_certificate /tmp/scratch-test/tls/cert.pem;" in text
    assert "/etc/nginx" not in text


def test_the_same_address_keeps_the_same_socket() -> None:
    scratch = nginx_scratch._Scratch(Path("/s"), (1, 22, 1), frozenset())
    sockets = [nginx_scratch._socket(scratch, a) for a in ("443", "*:443", "0.0.0.0:443")]
    assert len(set(sockets)) == 1
    assert nginx_scratch._socket(scratch, "[::]:443") != sockets[0]


def _params(case: Path) -> dict[str, object]:
    import yaml

    meta = case / "case.yml"
    data = yaml.safe_load(meta.read_text("utf-8")) if meta.exists() else None
    params = (data or {}).get("params", {})
    assert isinstance(params, dict)
    return params


def test_the_nginx_version_is_asked_once_per_binary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`nginx -v` runs once per binary (path, inode, modification time) while the process
    lives; a replaced binary is asked again, and a run that printed no version is not kept."""
    binary = tmp_path / "nginx"
    binary.write_text("#!/bin/sh\n", encoding="utf-8")
    outputs = iter(["nginx version: nginx/1.25.3\n", "no version here\n", "nginx/1.27.0\n"])
    calls: list[list[str]] = []

    def fake_run(argv: list[str], **_: object) -> SimpleNamespace:
        calls.append(argv)
        return SimpleNamespace(output=next(outputs))

    monkeypatch.setattr(sandbox, "run", fake_run)
    monkeypatch.setattr(nginx_scratch, "_VERSIONS", {})
    assert nginx_scratch.nginx_version(str(binary)) == (1, 25, 3)
    assert nginx_scratch.nginx_version(str(binary)) == (1, 25, 3)
    assert len(calls) == 1
    binary.unlink()
    binary.write_text("#!/bin/sh\n# another build\n", encoding="utf-8")  # a new inode
    assert nginx_scratch.nginx_version(str(binary)) is None  # printed no version: not kept
    assert nginx_scratch.nginx_version(str(binary)) == (1, 27, 0)
    assert len(calls) == 3
