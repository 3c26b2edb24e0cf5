"""Tests for the measurement evidence reader (checks/readers/measurements.py)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from checklists.core.errors import InputError
from checks.readers.measurements import read_measurements, schema, sha256_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "measure" / "evidence-v1.json"


def valid() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text("utf-8"))
    return document


def encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def error_for(document: object) -> InputError:
    with pytest.raises(InputError) as caught:
        read_measurements(encode(document))
    return caught.value


def test_the_schema_is_valid_json_schema_2020_12() -> None:
    Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_valid_file() -> None:
    evidence = read_measurements(FIXTURE.read_bytes())

    assert evidence.schema_version == 1
    assert evidence.measured_at == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    assert evidence.measured_at.tzinfo is not None
    assert (evidence.engine_name, evidence.engine_version) == ("podman", "4.3.1")
    assert evidence.host == "ci-runner-7"
    assert evidence.target_commit == "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
    assert evidence.target_dirty is False
    assert list(evidence.environments) == ["本番", "開発"]

    production = evidence.environments["本番"]
    assert production.dockerfile == "backend/Dockerfile"
    assert production.context == "backend"
    assert production.image == "autoforgenexus-backend:prod"
    assert production.inputs_sha256["backend/pyproject.toml"].startswith("cc4215")
    size = production.measurements["image.size"]
    assert (size.metric, size.status, size.value, size.unit) == (
        "image.size",
        "measured",
        123456789.0,
        "B",
    )
    assert size.command[:3] == ("podman", "image", "inspect")
    assert size.raw == "123456789"
    startup = production.measurements["container.startup_time"]
    assert startup.status == "failed"
    assert startup.value is None
    assert startup.error is not None and "setrlimit" in startup.error

    development = evidence.environments["開発"]
    build = development.measurements["build.time_no_cache"]
    assert build.status == "failed"
    assert build.log_tail is not None and build.log_tail.startswith("STEP 1/8")
    skipped = development.measurements["container.memory"]
    assert (skipped.status, skipped.reason, skipped.command) == ("skipped", "--skip-run", ())


def test_results_are_read_only() -> None:
    evidence = read_measurements(FIXTURE.read_bytes())
    with pytest.raises(TypeError):
        evidence.environments["x"] = evidence.environments["本番"]  # type: ignore[index]


def test_sha256_file() -> None:
    assert sha256_file(b"hello\n") == (
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    )


# --- every required field missing in turn -------------------------------------------------

JsonPath = tuple[str | int, ...]
MEASURED: JsonPath = ("environments", 0, "measurements", "image.size")
FAILED: JsonPath = ("environments", 0, "measurements", "container.startup_time")
SKIPPED: JsonPath = ("environments", 1, "measurements", "build.time_cached")
REQUIRED: list[tuple[JsonPath, str, str]] = [
    *[((), key, "$") for key in valid()],
    *[(("tool",), key, "$.tool") for key in ("name", "version")],
    *[(("host",), key, "$.host") for key in ("hostname", "system", "machine")],
    *[(("engine",), key, "$.engine") for key in ("name", "version", "version_output")],
    *[(("target",), key, "$.target") for key in ("commit", "dirty")],
    *[(("environments", 0), key, "$.environments[0]") for key in valid()["environments"][0]],
    *[
        (MEASURED, key, '$.environments[0].measurements["image.size"]')
        for key in ("status", "value", "unit", "command")
    ],
    (FAILED, "error", '$.environments[0].measurements["container.startup_time"]'),
    (SKIPPED, "reason", '$.environments[1].measurements["build.time_cached"]'),
]


def at(document: Any, path: JsonPath) -> Any:
    for part in path:
        document = document[part]
    return document


@pytest.mark.parametrize(
    ("path", "key", "where"), REQUIRED, ids=[f"{w}.{k}" for _, k, w in REQUIRED]
)
def test_every_required_field_missing_in_turn(path: JsonPath, key: str, where: str) -> None:
    document = valid()
    del at(document, path)[key]

    error = error_for(document)

    assert str(error).startswith(f"{where}: ")
    assert repr(key) in str(error)
    assert error.line is None


# --- wrong types and values ---------------------------------------------------------------

WRONG: list[tuple[JsonPath, object, str]] = [
    (("schema_version",), "1", "$.schema_version"),
    (("schema_version",), True, "$.schema_version"),
    (("schema",), "docker-guide/other", "$.schema"),
    (("measured_at",), 1764345600, "$.measured_at"),
    (("measured_at",), "2026-11-28 16:00:00", "$.measured_at"),
    (("measured_at",), "2026-11-28T16:00:00+09:00", "$.measured_at"),
    (("measured_at",), "2026-13-28T16:00:00Z", "$.measured_at"),
    (("tool", "version"), 1, "$.tool.version"),
    (("host",), "ci-runner-7", "$.host"),
    (("engine", "name"), "containerd", "$.engine.name"),
    (("engine", "version_output"), "x" * 4001, "$.engine.version_output"),
    (("target", "commit"), "HEAD", "$.target.commit"),
    (("target", "dirty"), "no", "$.target.dirty"),
    (("environments",), {"本番": {}}, "$.environments"),
    (("environments", 0, "dockerfile_sha256"), "abc", "$.environments[0].dockerfile_sha256"),
    (
        ("environments", 0, "inputs_sha256", "backend/pyproject.toml"),
        None,
        '$.environments[0].inputs_sha256["backend/pyproject.toml"]',
    ),
    ((*MEASURED, "value"), "123456789", '$.environments[0].measurements["image.size"].value'),
    ((*MEASURED, "value"), -1, '$.environments[0].measurements["image.size"].value'),
    ((*MEASURED, "unit"), "MiB", '$.environments[0].measurements["image.size"].unit'),
    ((*MEASURED, "status"), "ok", '$.environments[0].measurements["image.size"].status'),
    ((*MEASURED, "command"), "podman inspect", '$.environments[0].measurements["image.size"]'),
    ((*MEASURED, "command"), [], '$.environments[0].measurements["image.size"].command'),
    ((*FAILED, "error"), "", '$.environments[0].measurements["container.startup_time"].error'),
    ((*FAILED, "value"), 3.5, '$.environments[0].measurements["container.startup_time"].value'),
    ((*SKIPPED, "error"), "x", '$.environments[1].measurements["build.time_cached"].error'),
    (("environments", 0, "measurements", "Image Size"), {"status": "skipped", "reason": "x"}, ""),
    (("extra",), 1, "$"),
]


@pytest.mark.parametrize(("path", "value", "where"), WRONG, ids=[w or "key" for *_, w in WRONG])
def test_wrong_types_and_values(path: JsonPath, value: object, where: str) -> None:
    document = valid()
    at(document, path[:-1])[path[-1]] = value

    error = error_for(document)

    assert str(error).startswith(where or "$.environments[0].measurements")


def test_a_field_a_status_does_not_allow_is_named() -> None:
    document = valid()
    at(document, FAILED)["value"] = 3.5
    assert str(error_for(document)) == (
        '$.environments[0].measurements["container.startup_time"].value: '
        "not allowed when status is 'failed'"
    )


def test_schema_version_2_is_refused_with_a_clear_message() -> None:
    document = valid()
    document["schema_version"] = 2
    document["something_new"] = {"shape": "unknown"}

    error = error_for(document)

    assert str(error) == (
        "$.schema_version: version 2 is not supported; this reader reads version 1"
    )


def test_duplicate_environment_names_are_refused() -> None:
    document = valid()
    document["environments"].append(copy.deepcopy(document["environments"][0]))
    assert "$.environments[2].name: the environment '本番' appears twice" in str(
        error_for(document)
    )


# --- not JSON, not complete ---------------------------------------------------------------


def test_corrupt_json_names_the_line() -> None:
    data = FIXTURE.read_bytes().replace(b'"schema_version": 1,', b'"schema_version": 1,,')
    with pytest.raises(InputError) as caught:
        read_measurements(data)
    assert caught.value.line == 3
    assert "not valid JSON" in caught.value.message


def test_truncated_file_is_an_error_not_a_partial_result() -> None:
    data = FIXTURE.read_bytes()
    for cut in (1, len(data) // 3, len(data) // 2, len(data) - 3):
        with pytest.raises(InputError) as caught:
            read_measurements(data[:cut])
        assert caught.value.line is not None
        assert "cut short" in caught.value.message


def test_a_complete_json_value_that_is_only_part_of_the_file_is_refused() -> None:
    # A file cut right after an inner object can still be JSON only by accident; this one
    # is the environments array alone.
    part = encode(valid()["environments"])
    assert str(error_for_bytes(part)) == "$: expected a JSON object, found an array"


def error_for_bytes(data: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        read_measurements(data)
    return caught.value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"a": 1}\n\xff\xfe', "not UTF-8"),
        (b'{"schema": "docker-guide/measurements", "schema": "x"}', "appears twice"),
        (b"null", "expected a JSON object, found null"),
        (b"NaN", "NaN is not a JSON number"),  # Python reads it; JSON has no NaN
    ],
)
def test_other_unreadable_files(data: bytes, message: str) -> None:
    assert message in str(error_for_bytes(data))


def test_a_byte_order_mark_is_accepted() -> None:
    evidence = read_measurements(b"\xef\xbb\xbf" + FIXTURE.read_bytes())
    assert evidence.schema_version == 1
