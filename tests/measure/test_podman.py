"""The measure command against a REAL engine: Podman, building tiny `FROM scratch` images.

Runs `checklists measure --engine podman --isolation chroot` in a subprocess, exactly as a
user would, on a temporary target and mkdocs.yml, then checks the evidence against Podman
itself. Without podman the tests fail when CI is set (.ci/run installs it) and are skipped
otherwise. Every image built here carries a unique label and is removed afterwards.

Podman's global storage options come from CHECKLISTS_PODMAN_STORAGE_DRIVER and
CHECKLISTS_PODMAN_ROOT, for the command and for the checks here alike.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from checklists_measure.command import ENV_PODMAN_ROOT, ENV_STORAGE_DRIVER
from checklists_measure.engine import podman_global_args
from checks.readers.measurements import Evidence, read_measurements

NO_RUN = (
    "Running containers does not work with Podman on these machines (rootful Podman in a "
    "sandbox: crun cannot set RLIMIT_NOFILE, and no systemd for health timers), so the "
    "start-up and memory steps cannot succeed here; their parsing is covered by "
    "test_outputs.py on the engines' documented output."
)


def storage() -> tuple[str, ...]:
    return podman_global_args(os.environ.get(ENV_STORAGE_DRIVER), os.environ.get(ENV_PODMAN_ROOT))


def podman() -> list[str]:
    binary = shutil.which("podman")
    if binary is None:
        message = "podman is not installed (.ci/run installs it: apt-get install -y podman)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [binary, *storage()]


def engine_words(command: tuple[str, ...]) -> tuple[str, ...]:
    """A recorded command without `podman` and its global storage options."""
    assert command[: 1 + len(storage())] == ("podman", *storage())
    return command[1 + len(storage()) :]


def podman_output(*args: str) -> str:
    result = subprocess.run(
        [*podman(), *args], capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout


@dataclass
class Site:
    root: Path
    config: Path
    target: Path
    image: str
    label: str

    def write(self, dockerfile: str, files: dict[str, str]) -> None:
        app = self.target / "app"
        app.mkdir(parents=True, exist_ok=True)
        (app / "Dockerfile").write_text(
            dockerfile.replace("FROM scratch\n", f"FROM scratch\nLABEL {self.label}\n", 1),
            encoding="utf-8",
        )
        for name, text in files.items():
            (app / name).write_text(text, encoding="utf-8")

    def measure(self, *extra: str) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key != "CHECKLISTS_TARGET"}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "checklists",
                "measure",
                "--config",
                str(self.config),
                "--engine",
                "podman",
                "--isolation",
                "chroot",
                *extra,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=600,
            check=False,
        )

    def evidence(self) -> Evidence:
        files = sorted((self.target / "reports" / "measurements").glob("measure-*.json"))
        assert len(files) == 1, files
        return read_measurements(files[0].read_bytes())

    def snapshot(self) -> dict[str, bytes]:
        return {
            path.relative_to(self.target).as_posix(): path.read_bytes()
            for path in sorted(self.target.rglob("*"))
            if path.is_file() and "reports" not in path.parts
        }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    podman()  # fail or skip before creating anything
    token = uuid.uuid4().hex[:12]
    label = f"checklists.test={token}"
    image = f"localhost/checklists-measure-test:{token}"
    target = tmp_path / "target"
    target.mkdir()
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: test\n"
        "plugins:\n"
        "  - checklists:\n"
        "      target: target\n"
        "      environments:\n"
        "        tiny:\n"
        "          dockerfile: app/Dockerfile\n"
        "          context: app\n"
        f"          image: {image}\n",
        encoding="utf-8",
    )
    yield Site(tmp_path, config, target, image, label)
    leftovers = podman_output("images", "-a", "-q", "--filter", f"label={label}").split()
    for image_id in dict.fromkeys(leftovers):
        subprocess.run(
            [*podman(), "rmi", "-f", image_id], capture_output=True, timeout=120, check=False
        )


TINY = "FROM scratch\nCOPY hello.txt /hello.txt\nCOPY app.py /app.py\n"
TINY_FILES = {"hello.txt": "hello\n", "app.py": "print('hello')\n"}


def test_build_size_and_provenance_with_real_podman(site: Site) -> None:
    site.write(TINY, TINY_FILES)
    before = site.snapshot()

    result = site.measure("--skip-run")

    assert result.returncode == 0, result.stderr
    assert site.snapshot() == before  # the target is never modified
    evidence = site.evidence()
    assert evidence.engine_name == "podman"
    assert (
        evidence.engine_version
        == podman_output("version", "--format", "{{.Client.Version}}").strip()
    )
    assert evidence.target_commit is None  # a temporary folder is not a git checkout
    tiny = evidence.environments["tiny"]
    dockerfile = (site.target / "app" / "Dockerfile").read_bytes()
    assert tiny.dockerfile_sha256 == hashlib.sha256(dockerfile).hexdigest()
    assert dict(tiny.inputs_sha256) == {
        "app/hello.txt": hashlib.sha256(b"hello\n").hexdigest(),
        "app/app.py": hashlib.sha256(b"print('hello')\n").hexdigest(),
    }

    size = tiny.measurements["image.size"]
    assert size.status == "measured"
    assert size.unit == "B"
    reported = podman_output("image", "inspect", "--format", "{{.Size}}", site.image).strip()
    assert size.value == int(reported)

    for metric in ("build.time_no_cache", "build.time_cached"):
        build = tiny.measurements[metric]
        assert build.status == "measured", build
        assert build.unit == "s"
        assert isinstance(build.value, float) and build.value > 0
        assert engine_words(build.command)[0] == "build"
        assert "--isolation" in build.command
    assert "--no-cache" in tiny.measurements["build.time_no_cache"].command
    assert "--no-cache" not in tiny.measurements["build.time_cached"].command
    # The source change is in app.py, the last-copied .py file: hello.txt's layer is reused.
    assert "Using cache" in (tiny.measurements["build.time_cached"].raw or "")
    assert "source change in app/app.py" in result.stderr

    for metric in ("container.startup_time", "container.memory"):
        skipped = tiny.measurements[metric]
        assert (skipped.status, skipped.reason) == ("skipped", "--skip-run")
    assert "tiny: image.size: measured" in result.stderr
    assert "evidence written to" in result.stderr


def test_a_failed_build_is_recorded_with_its_log_and_no_number(site: Site) -> None:
    site.write("FROM scratch\nCOPY missing.txt /missing.txt\n", {})

    result = site.measure("--skip-run")

    assert result.returncode == 1, result.stderr
    tiny = site.evidence().environments["tiny"]
    build = tiny.measurements["build.time_no_cache"]
    assert build.status == "failed"
    assert build.value is None
    assert build.log_tail and "missing.txt" in build.log_tail
    assert len(build.log_tail.splitlines()) <= 40
    for metric in ("build.time_cached", "image.size", "container.startup_time"):
        later = tiny.measurements[metric]
        assert (later.status, later.reason) == ("skipped", "the build without cache failed")


def test_a_container_that_cannot_start_is_recorded_as_failed(site: Site) -> None:
    # No CMD: no engine can start this container, here or anywhere, so the failure path is
    # deterministic. The container is removed afterwards.
    site.write("FROM scratch\nCOPY hello.txt /hello.txt\nEXPOSE 8000\n", {"hello.txt": "hi\n"})

    result = site.measure()

    assert result.returncode == 1, result.stderr
    tiny = site.evidence().environments["tiny"]
    startup, memory = (
        tiny.measurements["container.startup_time"],
        tiny.measurements["container.memory"],
    )
    assert startup.status == "failed" and startup.error
    assert engine_words(startup.command)[:2] == ("run", "-d")
    assert "127.0.0.1:" in " ".join(startup.command)  # no HEALTHCHECK: /health on loopback
    assert memory.status == "failed" and memory.error
    name = startup.command[startup.command.index("--name") + 1]
    assert podman_output("ps", "-a", "-q", "--filter", f"name={name}").strip() == ""


def test_start_up_time_and_memory_of_a_healthy_container() -> None:
    pytest.skip(NO_RUN)


# A stand-in for apt-get (POSIX sh on BusyBox, the only program in these FROM scratch images):
# it installs the package, and its "recommended" packages unless told not to, as apt-get does.
APT_GET = """#!/bin/sh
set -e
if [ "$1" = update ]; then exit 0; fi
recommends=yes
for word in "$@"; do
    if [ "$word" = --no-install-recommends ]; then recommends=no; fi
done
mkdir -p /opt/packages
yes package | head -c 1000000 > /opt/packages/app
if [ "$recommends" = yes ]; then yes recommended | head -c 2200000 > /opt/packages/recommended; fi
"""

WITH_APT = (
    "FROM scratch\n"
    "COPY busybox /bin/busybox\n"
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
    "COPY apt-get /usr/bin/apt-get\n"
    "RUN apt-get update && apt-get install -y --no-install-recommends \\\n"
    "    app\n"
)

# What the guide claims, bound as the site binds it: the claims read the evidence written above.
CLAIMS = """# Guide

- イメージサイズ削減（約40%） <!-- metric: image.recommends_saving {env: tiny} -->
- キャッシュヒット <!-- metric: build.cache_saving {env: tiny} -->
- ベースイメージ <!-- metric: image.base_size {image: "IMAGE"} -->
- 存在しないイメージ <!-- metric: image.base_size {image: "localhost/checklists-absent:none"} -->
"""


def busybox() -> Path:
    binary = shutil.which("busybox")
    if binary is None:
        message = "busybox is not installed (.ci/run installs it: apt-get install busybox-static)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Path(binary)


def verdicts(site: Site) -> dict[str, dict[str, object]]:
    """The claims of the site's page as `checklists check` judges them, by their text."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checklists",
            "check",
            "--config",
            str(site.config),
            "--format",
            "json",
            "--output",
            "-",
            "--quiet",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        cwd=site.root,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    return {str(item["text"]): item for item in report["items"]}


def test_named_images_and_a_build_without_no_install_recommends_feed_the_claims(
    site: Site,
) -> None:
    site.write(WITH_APT, {"apt-get": APT_GET})
    (site.target / "app" / "apt-get").chmod(0o755)
    shutil.copyfile(busybox(), site.target / "app" / "busybox")
    (site.target / "app" / "busybox").chmod(0o755)
    # An image named rather than built (the guide's python:3.13): built here from scratch.
    base = f"{site.image}-base"
    base_dir = site.root / "base"
    base_dir.mkdir()
    (base_dir / "Dockerfile").write_text(f"FROM scratch\nLABEL {site.label}\nCOPY b /b\n")
    (base_dir / "b").write_text("base\n" * 1000)
    podman_output("build", "--format", "docker", "--isolation", "chroot", "-t", base, str(base_dir))
    docs = site.root / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(CLAIMS.replace("IMAGE", base), encoding="utf-8")
    before = site.snapshot()

    result = site.measure("--skip-run")

    assert result.returncode == 0, result.stderr
    assert site.snapshot() == before  # the variant is built from a copy, never the target
    evidence = site.evidence()
    tiny = evidence.environments["tiny"]
    size, variant = tiny.measurements["image.size"], tiny.measurements["image.size_with_recommends"]
    assert size.status == variant.status == "measured", (size, variant)
    assert size.value is not None and variant.value is not None
    # The variant installed the recommended packages (2.2 MB more), the image as written not.
    assert 2_000_000 < variant.value - size.value < 2_500_000
    variant_tag = engine_words(variant.command)[-1]
    assert variant_tag == f"{site.image}-with-recommends"
    assert podman_output("images", "-q", variant_tag).strip() == ""  # removed afterwards
    # Both named images are in the evidence: the one the engine has, sized; the other skipped.
    named = evidence.images[base].measurements["image.size"]
    reported = podman_output("image", "inspect", "--format", "{{.Size}}", base).strip()
    assert (named.status, named.value) == ("measured", int(reported))
    absent = evidence.images["localhost/checklists-absent:none"].measurements["image.size"]
    assert absent.status == "skipped" and "--pull" in (absent.reason or "")

    found = verdicts(site)
    saving = found["イメージサイズ削減（約40%）"]
    expected = 100 * (variant.value - size.value) / variant.value
    assert saving["outcome"] == "pass" and saving["verdict"] == "verified", saving
    assert saving["quantity"] == pytest.approx(expected)
    cached = found["キャッシュヒット"]
    no_cache = tiny.measurements["build.time_no_cache"].value
    with_cache = tiny.measurements["build.time_cached"].value
    assert no_cache is not None and with_cache is not None
    assert cached["quantity"] == pytest.approx(100 * (no_cache - with_cache) / no_cache)
    assert found["ベースイメージ"]["quantity"] == int(reported)
    missing = found["存在しないイメージ"]
    assert missing["outcome"] == "unknown" and "--pull" in str(missing["summary"])
