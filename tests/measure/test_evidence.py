"""What the Dockerfile copies, the hashes, the context copy and the evidence file (no engine)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from checklists import Target
from checklists.core.errors import SetupError
from checklists_measure import evidence, steps
from checks.common import ignore_file
from checks.readers.measurements import read_measurements, sha256_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "autoforgenexus"


def make_target(root: Path, files: dict[str, str]) -> Target:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Target(root)


def test_example_production_dockerfile_inputs() -> None:
    target = Target(EXAMPLE)
    copies = evidence.context_copies(target, "backend/Dockerfile", "backend")

    inputs = evidence.inputs_sha256(target, copies)

    # builder: `COPY pyproject.toml`, `COPY src` before `RUN pip install`; runtime: the
    # copies after `COPY --from=builder` up to `RUN groupadd`. The apt-get RUN that opens
    # each stage comes before any copy and does not end the window.
    assert "backend/pyproject.toml" in inputs
    assert "backend/src/main.py" in inputs
    assert "backend/alembic.ini" in inputs
    assert not any(path.startswith("backend/tests/") for path in inputs)
    assert inputs["backend/pyproject.toml"] == sha256_file(
        (EXAMPLE / "backend" / "pyproject.toml").read_bytes()
    )


def test_example_dev_dockerfile_inputs_stop_at_the_install_run() -> None:
    target = Target(EXAMPLE)
    copies = evidence.context_copies(target, "backend/Dockerfile.dev", "backend")

    inputs = evidence.inputs_sha256(target, copies)

    assert "backend/pyproject.toml" in inputs
    # The dependencies install from pyproject.toml alone; src/ and tests/ come after that RUN:
    # not inputs, but copied.
    assert "backend/src/main.py" not in inputs
    assert not any(path.startswith("backend/tests/") for path in inputs)
    copied = {path for copy in copies for path in copy.files}
    assert any(path.startswith("backend/tests/") for path in copied)


def test_sources_dockerignore_globs_variables_and_from(tmp_path: Path) -> None:
    target = make_target(
        tmp_path,
        {
            "app/Dockerfile": (
                "FROM scratch AS base\n"
                "ARG LOCK=poetry.lock\n"
                "ARG WHERE\n"
                "COPY ${LOCK} *.toml ./\n"
                "COPY --from=base /x /y\n"
                "ADD https://example.com/file.tar.gz /tmp/\n"
                "COPY ${WHERE}/x /z\n"
                "COPY ../outside /o\n"
                "RUN true\n"
                "COPY . /app\n"
            ),
            "app/.dockerignore": "*.md\n.venv\n",
            "app/poetry.lock": "lock\n",
            "app/pyproject.toml": "[project]\n",
            "app/README.md": "docs\n",
            "app/.venv/lib/site.py": "x\n",
            "app/src/main.py": "print()\n",
        },
    )
    copies = evidence.context_copies(target, "app/Dockerfile", "app")

    assert [(c.line, c.manifest) for c in copies] == [
        (4, True),
        (6, True),
        (7, True),
        (8, True),
        (10, False),
    ]
    assert copies[0].files == ("app/poetry.lock", "app/pyproject.toml")
    assert copies[1].files == ()  # a URL
    assert copies[2].files == ()  # known only at build time
    assert copies[3].files == ()  # outside the context
    assert "app/README.md" not in copies[4].files  # excluded by .dockerignore
    assert "app/.venv/lib/site.py" not in copies[4].files
    assert "app/src/main.py" in copies[4].files
    assert sorted(evidence.inputs_sha256(target, copies)) == [
        "app/poetry.lock",
        "app/pyproject.toml",
    ]
    assert evidence.file_to_change(copies) == "app/src/main.py"


def test_file_to_change_without_python_and_without_copies(tmp_path: Path) -> None:
    target = make_target(
        tmp_path,
        {"Dockerfile": "FROM scratch\nCOPY a.txt b.txt /\n", "a.txt": "a", "b.txt": "b"},
    )
    copies = evidence.context_copies(target, "Dockerfile", ".")
    assert evidence.file_to_change(copies) == "b.txt"
    assert evidence.file_to_change([]) is None


def test_context_copy_leaves_out_what_is_never_sent(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "target",
        {
            "app/Dockerfile": "FROM scratch\nCOPY . /\n",
            "app/.dockerignore": ".venv\nDockerfile\n",
            "app/.venv/big.bin": "x",
            "app/main.py": "print()\n",
        },
    )
    matcher = ignore_file(target, "app/Dockerfile", "app").matcher
    source = target.path("app")

    steps.copy_context(source, tmp_path / "copy", matcher, keep={target.path("app/Dockerfile")})

    copied = sorted(
        p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*")
    )
    assert copied == [".dockerignore", "Dockerfile", "main.py"]


def test_context_copy_with_exceptions_copies_everything(tmp_path: Path) -> None:
    target = make_target(
        tmp_path / "target",
        {
            "app/.dockerignore": "docs\n!docs/keep.md\n",
            "app/docs/keep.md": "k",
            "app/docs/x.md": "x",
        },
    )
    matcher = ignore_file(target, "app/Dockerfile", "app").matcher
    steps.copy_context(target.path("app"), tmp_path / "copy", matcher, keep=set())
    assert (tmp_path / "copy" / "docs" / "keep.md").is_file()
    assert (tmp_path / "copy" / "docs" / "x.md").is_file()


def test_measurement_json_round_trips_through_the_reader(tmp_path: Path) -> None:
    results = [
        steps.measured(steps.BUILD_NO_CACHE, 1.5, "s", ["podman", "build"], "log"),
        steps.failed(steps.STARTUP, "Error: boom", ["podman", "run"], "a\nb"),
        steps.skipped(steps.MEMORY, "--skip-run"),
    ]
    entry = {
        "name": "tiny",
        "dockerfile": "Dockerfile",
        "context": ".",
        "image": "x:1",
        "dockerfile_sha256": sha256_file(b""),
        "inputs_sha256": {},
        "measurements": {m.metric: evidence.measurement_json(m) for m in results},
    }
    moment = datetime(2026, 11, 28, 16, 0, 5, tzinfo=UTC)
    data = evidence.document(
        measured_at=moment,
        engine={"name": "podman", "version": "4.3.1", "version_output": "Version: 4.3.1"},
        commit=None,
        dirty=None,
        environments=[entry],
    )
    path = evidence.default_output(tmp_path, moment)
    assert path == tmp_path / "reports" / "measurements" / "measure-20261128T160005Z.json"

    evidence.write(path, data)

    read = read_measurements(path.read_bytes())
    assert read.measured_at == moment
    assert dict(read.environments["tiny"].measurements) == {m.metric: m for m in results}
    assert json.loads(path.read_text("utf-8"))["tool"]["name"] == "checklists measure"
    # The next default name does not overwrite, and writing to an existing path is refused.
    assert evidence.default_output(tmp_path, moment).name == "measure-20261128T160005Z-2.json"
    with pytest.raises(SetupError, match="never overwrites"):
        evidence.write(path, data)


def test_an_invalid_document_is_never_written(tmp_path: Path) -> None:
    data = {"schema": "docker-guide/measurements", "schema_version": 1}
    with pytest.raises(RuntimeError, match="does not follow its schema"):
        evidence.write(tmp_path / "out.json", data)
    assert not (tmp_path / "out.json").exists()


def test_git_revision_outside_a_checkout_is_unknown(tmp_path: Path) -> None:
    assert evidence.git_revision(tmp_path, ["."]) == (None, None)
