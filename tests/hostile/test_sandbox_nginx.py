"""A hostile nginx configuration in the target: nothing it names runs or is read by nginx.

`deploy.reverse_proxy` runs the system's `nginx -t` on a scratch copy of the target's
configuration. A configuration can name a shared object (`ssl_engine`, `load_module`), host
files (`ssl_conf_command VerifyCAFile /etc/shadow`) or code (`perl_modules`, `js_import`,
an `include` outside the target). Each test builds a real shared object with gcc whose
constructor leaves a mark, and a control shows that plain `nginx -t` on the same
configuration does run it. With `CI` set, a missing gcc, nginx or openssl fails the tests.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

import pytest

from checklists.core.model import Outcome, Status
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.runner import Task, run_one
from checklists.core.target import Target
from checklists_sandbox import nginx_scratch, sandbox
from checks.deploy.reverse_proxy import _roots, _units
from checks.readers.nginx import read_nginx
from tests.hostile.support import World, readable_tree, shared_object

load_packages(["checks"])

LOCATION = (
    "proxy_pass http://backend; proxy_set_header Host $host; "
    "proxy_set_header X-Real-IP $remote_addr;"
)


def nginx_conf(*, main: str = "", http: str = "", server: str = "", location: str = "") -> str:
    """A whole nginx.conf that passes the reverse-proxy check, with extra lines spliced in."""
    return (
        f"{main}\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"    {http}\n"
        "    upstream backend { server 127.0.0.1:8000; }\n"
        "    server {\n"
        "        listen 443 ssl;\n"
        "        server_name api.example.com;\n"
        "        ssl_certificate /etc/nginx/certs/fullchain.pem;\n"
        "        ssl_certificate_key /etc/nginx/certs/privkey.pem;\n"
        f"        {server}\n"
        f"        location / {{ {LOCATION} {location} }}\n"
        "    }\n"
        "}\n"
    )


def target_with(world: World, text: str) -> Path:
    root = world.root / "target"
    (root / "nginx").mkdir(parents=True, exist_ok=True)
    (root / "nginx" / "nginx.conf").write_text(text, encoding="utf-8")
    readable_tree(root)
    return root


def check(root: Path) -> Outcome:
    spec = REGISTRY.get("deploy.reverse_proxy")
    assert spec is not None
    return run_one(Task(spec, {}), Target(root), logging.getLogger("test"))


def scratch_configs(root: Path) -> list[nginx_scratch.TestResult]:
    """What `nginx -t` was given: the scratch nginx.conf of every unit, as run."""
    target = Target(root)
    configs = {p: target.parse(p, read_nginx) for p in target.glob("nginx/*.conf")}
    return nginx_scratch.test_units(_units(_roots(target, configs)), avoid=(root,))


def notes(outcome: Outcome) -> str:
    return "\n".join(f"{e.note}\n{e.excerpt or ''}" for e in outcome.evidence)


def up_to_root(path: Path) -> str:
    """`path` written relative to any folder less than 16 levels deep (`../../…/tmp/x`)."""
    return "../" * 16 + str(path).lstrip("/")


# -- the control: plain nginx -t runs the payload ---------------------------------------------


@pytest.mark.usefixtures("nginx")
def test_control_plain_nginx_t_runs_the_shared_object_a_config_names(world: World) -> None:
    library = shared_object(world, world.root / "target" / "nginx")
    config = world.root / "control.conf"
    config.write_text(f"ssl_engine {library};\nevents {{}}\n", encoding="utf-8")
    nginx = nginx_scratch.find_program("nginx")
    assert nginx is not None
    subprocess.run(
        [nginx, "-t", "-e", "stderr", "-p", f"{world.root}/", "-c", str(config)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert world.marked() == ["evil.so"], "the payload must work, or its absence proves nothing"


# -- shared objects and code named by the configuration -------------------------------------

CASES = {
    "ssl_engine absolute": ("main", "ssl_engine {so};", "ssl_engine"),
    "ssl_engine relative": ("main", "ssl_engine {relative_so};", "ssl_engine"),
    "load_module": ("main", "load_module {so};", "load_module"),
    "ssl_conf_command": ("http", "ssl_conf_command ChainCAFile {so};", "ssl_conf_command"),
    "proxy_ssl_conf_command": (
        "location",
        "proxy_ssl_conf_command VerifyCAFile {so};",
        "proxy_ssl_conf_command",
    ),
    "perl_modules": ("http", "perl_modules {folder}; perl_require evil.pm;", "perl_modules"),
    "js_import": ("http", "js_import {so};", "js_import"),
    "include outside": ("main", "include {outside};", "include"),
    "include relative outside": ("http", "include {relative_outside};", "include"),
}


@pytest.mark.usefixtures("nginx")
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_shared_object_the_config_names_never_runs(world: World, case: str) -> None:
    where, line, name = CASES[case]
    library = shared_object(world, world.root / "target" / "nginx")
    outside = world.root / "outside" / "evil.conf"  # beside the target, not in it
    outside.parent.mkdir()
    outside.write_text(f"ssl_engine {library};\nload_module {library};\n", encoding="utf-8")
    values = {
        "so": str(library),
        "relative_so": up_to_root(library),
        "folder": str(library.parent),
        "outside": str(outside),
        "relative_outside": up_to_root(outside),
    }
    root = target_with(world, nginx_conf(**{where: line.format(**values)}))
    readable_tree(outside.parent)

    outcome = check(root)
    results = scratch_configs(root)

    assert world.marked() == []
    assert outcome.status is Status.PASS, outcome.summary
    assert f"{name} left out of the scratch copy" in notes(outcome)
    for result in results:
        assert result.status == "passed", result.output
        assert str(library) not in result.config and "evil" not in result.config
        assert str(outside) not in result.config
    if name != "include":  # nginx did not validate it: the summary says so
        assert f"not validated: {name}" in outcome.summary or "perl" in name


@pytest.mark.usefixtures("nginx")
def test_what_a_left_out_directive_would_define_makes_the_verdict_unknown(
    world: World,
) -> None:
    # js_set (njs) would define $evil; without it nginx -t fails on the variable. Whether
    # the full configuration passes cannot be known without running njs: unknown, not fail.
    root = target_with(
        world,
        nginx_conf(http="js_set $evil evil.hello;", location="proxy_set_header X-E $evil;"),
    )
    outcome = check(root)
    assert outcome.status is Status.UNKNOWN, outcome.summary
    assert "$evil" in outcome.summary and "left out" in outcome.summary
    assert "js_set left out of the scratch copy" in notes(outcome)


@pytest.mark.usefixtures("nginx")
def test_a_name_nginx_does_not_know_still_fails_without_its_arguments(world: World) -> None:
    root = target_with(world, nginx_conf(location="proxy_set_headr X-Evil /etc/shadow;"))
    outcome = check(root)
    assert outcome.status is Status.FAIL
    assert 'unknown directive "proxy_set_headr" in nginx/nginx.conf:12' in outcome.summary
    (result,) = scratch_configs(root)
    assert "/etc/shadow" not in result.config
    assert re.search(r"^\s*proxy_set_headr;$", result.config, re.MULTILINE)


# -- host files ----------------------------------------------------------------------------

HOST_FILES = """\
events {}
http {
    ssl_conf_command VerifyCAFile /etc/shadow;
    ssl_conf_command ChainCAFile /etc/passwd;
    ssl_password_file /etc/shadow;
    ssl_dhparam /etc/shadow;
    ssl_crl /etc/shadow;
    ssl_session_ticket_key /etc/shadow;
    client_body_temp_path /etc/nginx-temp 1 2;
    proxy_cache_path /etc/nginx-cache keys_zone=cache:1m;
    access_log /etc/passwd;
    error_log /etc/shadow warn;
    geoip_country /etc/shadow;
    upstream backend { server 127.0.0.1:8000; }
    server {
        listen 443 ssl;
        ssl_certificate /etc/shadow;
        ssl_certificate_key /etc/shadow;
        ssl_trusted_certificate /etc/shadow;
        ssl_client_certificate /etc/shadow;
        ssl_stapling_file /etc/shadow;
        ssl_stapling_responder http://ocsp.example/;
        root /etc;
        auth_basic "x";
        auth_basic_user_file /etc/shadow;
        location / {
            proxy_pass http://backend;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_ssl_conf_command VerifyCAFile /etc/shadow;
            proxy_ssl_trusted_certificate /etc/shadow;
            proxy_ssl_password_file /etc/shadow;
            proxy_store /etc/store$uri;
        }
        location /static/ { alias /etc/; }
        location /files/ { root /etc/$host; }
    }
}
"""


@pytest.mark.usefixtures("nginx")
def test_nginx_is_never_given_a_host_file_the_config_names(world: World) -> None:
    root = target_with(world, HOST_FILES)
    (result,) = scratch_configs(root)
    assert "/etc" not in result.config, result.config
    assert "ocsp.example" not in result.config
    assert "root <scratch>/www/$host;" in result.config  # variables kept, path replaced
    # geoip (a dynamic module, not loaded) is passed bare: nginx rejects it by name only
    assert re.search(r"^\s*geoip_country;$", result.config, re.MULTILINE)
    for name in ("ssl_conf_command", "proxy_ssl_conf_command", "ssl_password_file"):
        assert any(entry.startswith(f"{name} ") for entry in result.left_out), name


@pytest.mark.usefixtures("nginx")
def test_without_the_unknown_module_the_host_file_config_is_valid_for_nginx(
    world: World,
) -> None:
    text = HOST_FILES.replace("    geoip_country /etc/shadow;\n", "")
    root = target_with(world, text)
    outcome = check(root)
    assert outcome.status is Status.PASS, outcome.summary
    assert outcome.summary.startswith("nginx terminates TLS")
    assert "nginx -t passed (left out of the test, not validated: " in outcome.summary
    assert "ssl_conf_command" in outcome.summary


# -- who runs nginx, with what -------------------------------------------------------------

FAKE_NGINX = """\
#!/bin/sh
if [ "$1" = "-v" ]; then echo "nginx version: nginx/1.22.1" >&2; exit 0; fi
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)" >&2
grep -E '^Max (address space|cpu time|open files|file size|core file size) ' /proc/self/limits >&2
env | sort | sed 's/^/env: /' >&2
tail -n +3 /proc/net/dev | cut -d: -f1 | sed 's/^ */net: /' >&2
exit 1
"""


def test_nginx_runs_unprivileged_with_limits_a_bare_environment_and_no_network(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seam: a stand-in `nginx` run exactly as the real one, reporting what it sees."""
    fake = world.root / "bin" / "nginx"
    fake.parent.mkdir()
    fake.write_text(FAKE_NGINX, encoding="utf-8")
    fake.chmod(0o755)
    readable_tree(fake.parent)
    real = nginx_scratch.find_program
    monkeypatch.setattr(
        nginx_scratch,
        "find_program",
        lambda name, avoid=(): str(fake) if name == "nginx" else real(name, avoid),
    )
    unit = nginx_scratch.Unit("t", read_nginx(b"server { listen 80; }").directives, "http")
    (result,) = nginx_scratch.test_units([unit])
    seen = result.output
    uid = int(re.search(r"uid=(\d+)", seen)[1])  # type: ignore[index]
    if os.geteuid() == 0:
        assert uid == sandbox.nobody().uid != 0
        assert re.search(r"groups=(\d+)$", seen, re.MULTILINE)[1] == str(sandbox.nobody().gid)  # type: ignore[index]
        assert any("not root" in change for change in result.changes)
    else:  # nothing to drop: it runs as the (unprivileged) caller
        assert uid in (os.getuid(), 0)  # 0 only inside a user namespace mapped to the caller
    limits = nginx_scratch.LIMITS
    assert re.search(rf"Max address space\s+{limits.memory}\s+{limits.memory}\s+bytes", seen)
    assert re.search(rf"Max cpu time\s+{limits.cpu}\s+{limits.cpu + 1}\s+seconds", seen)
    assert re.search(rf"Max open files\s+{limits.open_files}\s+", seen)
    assert re.search(rf"Max file size\s+{limits.file_size}\s+", seen)
    assert re.search(r"Max core file size\s+0\s+0", seen)
    names = sorted(m[1] for m in re.finditer(r"^env: ([A-Z_]+)=", seen, re.MULTILINE))
    assert set(names) <= {"LANG", "OPENSSL_CONF", "PATH", "PWD"}, names
    conf = re.search(r"^env: OPENSSL_CONF=(.+)$", seen, re.MULTILINE)
    assert conf is not None and conf[1].endswith("/openssl.cnf")
    if sandbox.network_prefix(root=sandbox.is_root()):
        assert re.findall(r"^net: (\S+)", seen, re.MULTILINE) == ["lo"]


# -- the allow-list itself ------------------------------------------------------------------


def test_the_allow_list_names_real_directives_and_nothing_denied() -> None:
    from crossplane.analyzer import DIRECTIVES  # type: ignore[import-untyped]

    newer = {"auth_delay", "keepalive_time", "proxy_cookie_flags", "ssl_reject_handshake"}
    newer |= {"ssl_ocsp", "ssl_ocsp_cache", "http2", *nginx_scratch.NEWER_DIRECTIVES}
    assert sorted(n for n in nginx_scratch.ALLOWED if n not in DIRECTIVES and n not in newer) == []
    assert sorted(n for n in nginx_scratch.ALLOWED if nginx_scratch.DENIED.search(n)) == []
    for name in (
        *("ssl_engine", "ssl_conf_command", "proxy_ssl_conf_command", "grpc_ssl_conf_command"),
        *("uwsgi_ssl_conf_command", "ssl_password_file", "proxy_ssl_password_file"),
        *("load_module", "include", "env", "perl_modules", "perl_require", "perl_set", "perl"),
        *("js_import", "js_include", "js_set", "js_path", "njs_import", "lua_package_path"),
        *("content_by_lua_block", "init_by_lua_file", "set_by_lua", "ssl_stapling_file"),
        *("ssl_stapling_responder", "ssl_ocsp_responder", "ssl_dhparam", "ssl_crl"),
        *("ssl_session_ticket_key", "quic_host_key"),
    ):
        assert nginx_scratch.DENIED.search(name), name
