"""`checklists measure` without an engine: setup errors stop it before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checklists.cli.main import main

TINY_DOCKERFILE = "FROM scratch\nCOPY hello.txt /hello.txt\n"


def site(tmp_path: Path, environments: str | None = None) -> Path:
    """A temporary target with one tiny environment and the mkdocs.yml that names it."""
    target = tmp_path / "target"
    (target / "app").mkdir(parents=True)
    (target / "app" / "Dockerfile").write_text(TINY_DOCKERFILE, encoding="utf-8")
    (target / "app" / "hello.txt").write_text("hello\n", encoding="utf-8")
    if environments is None:
        environments = (
            "      environments:\n"
            "        tiny:\n"
            "          dockerfile: app/Dockerfile\n"
            "          context: app\n"
            "          image: localhost/checklists-measure-test:never-built\n"
        )
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: test\nplugins:\n  - checklists:\n      target: target\n" + environments,
        encoding="utf-8",
    )
    return config


def test_no_engine_exits_2_with_a_message_and_writes_nothing(tmp_path: Path) -> None:
    config = site(tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "CHECKLISTS_TARGET"}
    env["PATH"] = str(empty)

    result = subprocess.run(
        [sys.executable, "-m", "checklists", "measure", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert "no container engine is reachable" in result.stderr
    assert "`docker info`: docker is not on PATH" in result.stderr
    assert "`podman info`: podman is not on PATH" in result.stderr
    assert "apt-get install -y podman" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "target" / "reports").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "mkdocs.yml", "target"]


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    monkeypatch.delenv("CHECKLISTS_TARGET", raising=False)
    code = main(["measure", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("environments", "message"),
    [
        ("", "no environments to measure"),
        ("      environments: {tiny: {image: x:1}}\n", "`environments.tiny` names no `dockerfile`"),
        (
            "      environments: {tiny: {dockerfile: app/Nope, image: x:1}}\n",
            "app/Nope is not a file",
        ),
        (
            "      environments: {tiny: {dockerfile: ../Dockerfile, image: x:1}}\n",
            "must stay inside the target",
        ),
        (
            "      environments: {tiny: {dockerfile: app/Dockerfile, context: nope, image: x}}\n",
            "nope is not a folder",
        ),
    ],
)
def test_configuration_errors_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environments: str,
    message: str,
) -> None:
    config = site(tmp_path, environments)
    code, err = run(["--config", str(config)], capsys, monkeypatch)
    assert code == 2
    assert message in err
    assert not (tmp_path / "target" / "reports").exists()


def test_unknown_environment_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = site(tmp_path)
    code, err = run(["--config", str(config), "--environment", "本番"], capsys, monkeypatch)
    assert code == 2
    assert "unknown environment(s) 本番; configured: tiny" in err


def test_a_dockerfile_that_does_not_parse_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = site(tmp_path)
    (tmp_path / "target" / "app" / "Dockerfile").write_text("COPY a b\nFROM scratch\n")
    code, err = run(["--config", str(config)], capsys, monkeypatch)
    assert code == 2
    assert (
        "environment tiny: app/Dockerfile:1: BuildKit would refuse this file: "
        "COPY comes before the first FROM"
    ) in err


def test_an_existing_output_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = site(tmp_path)
    output = tmp_path / "evidence.json"
    output.write_text("keep me", encoding="utf-8")
    code, err = run(["--config", str(config), "--output", str(output)], capsys, monkeypatch)
    assert code == 2
    assert "never overwrites" in err
    assert output.read_text(encoding="utf-8") == "keep me"


def test_missing_target_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = site(tmp_path)
    code, err = run(
        ["--config", str(config), "--target", str(tmp_path / "nowhere")], capsys, monkeypatch
    )
    assert code == 2
    assert "is not a folder" in err


def test_timeouts_must_be_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = site(tmp_path)
    with pytest.raises(SystemExit) as caught:
        run(["--config", str(config), "--timeout", "0"], capsys, monkeypatch)
    assert caught.value.code == 2
