"""Reader for the measurement evidence `checklists measure` writes (schema_version 1).

The shape is `measurements.schema.json` next to this module (JSON Schema 2020-12); every file
is validated against it before anything is read, so a corrupt, truncated or partial file is
an `InputError` naming the JSON path (and the line of a syntax error), never a partial
result. The reader is judgement-free: it says what was measured, failed or skipped, and
leaves staleness and limits to the checks.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, cast

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

from checklists import InputError, tr
from checks.readers.bounds import json_loads

SCHEMA: Final = "docker-guide/measurements"
SCHEMA_VERSION: Final = 1
SCHEMA_FILE: Final = "measurements.schema.json"

Status = Literal["measured", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One metric of one environment: a value with its unit, or why there is none."""

    metric: str  # "image.size", "build.time_no_cache", ...
    status: Status
    value: float | None  # measured only
    unit: str | None  # measured only: "B" or "s"
    error: str | None  # failed only
    reason: str | None  # skipped only
    log_tail: str | None
    raw: str | None
    command: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EnvironmentEvidence:
    name: str
    dockerfile: str  # target-relative
    context: str  # target-relative
    image: str
    dockerfile_sha256: str
    inputs_sha256: Mapping[str, str]  # target-relative path -> sha256 (dependency inputs)
    measurements: Mapping[str, Measurement]


@dataclass(frozen=True, slots=True)
class ImageEvidence:
    """An image measured by name (a base image a guide compares), not built."""

    name: str
    image_id: str | None
    measurements: Mapping[str, Measurement]


@dataclass(frozen=True, slots=True)
class Evidence:
    schema_version: int
    measured_at: datetime  # aware, UTC
    engine_name: str
    engine_version: str
    host: str  # the host name
    target_commit: str | None
    environments: Mapping[str, EnvironmentEvidence]
    target_dirty: bool | None = None
    images: Mapping[str, ImageEvidence] = field(default_factory=lambda: MappingProxyType({}))


def sha256_file(data: bytes) -> str:
    """The hex SHA-256 of a file's bytes, as the evidence records it."""
    return hashlib.sha256(data).hexdigest()


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema every evidence file follows."""
    text = resources.files(__package__ or "checks.readers").joinpath(SCHEMA_FILE).read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


@cache
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs ~55 ms at start-up, and most builds read no evidence.
    from jsonschema import Draft202012Validator  # noqa: PLC0415

    return Draft202012Validator(schema())


def read_measurements(source: bytes) -> Evidence:
    """Parse and validate one evidence file; InputError on any problem."""
    document = _check_version(_load_json(source))
    from jsonschema.exceptions import best_match  # noqa: PLC0415 - see _validator

    error = best_match(_validator().iter_errors(document))
    if error is not None:
        raise InputError(_describe(error, document))
    return _evidence(document)


# --- parsing --------------------------------------------------------------------------------


def _load_json(source: bytes) -> object:
    if not source.strip():
        raise InputError(tr("the evidence file is empty", "エビデンスファイルが空"))
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as error:
        line = source[: error.start].count(b"\n") + 1
        raise InputError(
            tr(
                "the evidence file is not UTF-8 text",
                "エビデンスファイルが UTF-8 のテキストではない",
            ),
            line=line,
        ) from None
    try:
        return json_loads(
            text.removeprefix("\ufeff"),
            tr("the evidence file", "エビデンスファイル"),
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as error:
        raise InputError(
            tr(
                "not valid JSON ({msg}, column {colno}); the file is corrupt or was cut short",
                "JSON として不正（「{msg}」、{colno} 桁目）。ファイルが壊れているか途中で切れてい"
                "る",
                msg=error.msg,
                colno=error.colno,
            ),
            line=error.lineno,
        ) from None


def _unique_keys(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InputError(
                tr(
                    "the key {key!r} appears twice in one object",
                    "1 つのオブジェクトにキー {key!r} が 2 回ある",
                    key=key,
                )
            )
        result[key] = value
    return result


def _check_version(document: object) -> dict[str, Any]:
    """A clear message for another schema or version, before the detailed validation."""
    if not isinstance(document, dict):
        raise InputError(
            tr(
                "$: expected a JSON object, found {found}",
                "$: JSON オブジェクトではない（{found}）",
                found=_json_type(document),
            )
        )
    if "schema" in document and document["schema"] != SCHEMA:
        raise InputError(
            tr(
                "$.schema: {schema!r} is not {SCHEMA!r}",
                "$.schema: {schema!r} は {SCHEMA!r} ではない",
                schema=document["schema"],
                SCHEMA=SCHEMA,
            )
        )
    version = document.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        raise InputError(
            tr(
                "$.schema_version: version {version} is not supported; this reader reads version "
                "{SCHEMA_VERSION}",
                "$.schema_version: バージョン {version} には対応していない。この読み取りが対応する"
                "のはバージョン {SCHEMA_VERSION}",
                version=version,
                SCHEMA_VERSION=SCHEMA_VERSION,
            )
        )
    return document


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_path(path: Iterable[str | int]) -> str:
    """`$.environments[0].measurements["image.size"]`: a readable JSON path."""
    text = "$"
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            text += f".{part}"
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


def _describe(error: ValidationError, document: object) -> str:
    where = json_path(error.absolute_path)
    if error.validator == "not" and error.validator_value == {}:
        # `"field": {"not": {}}` in the schema: a field this status must not have.
        owner: Any = document
        for part in list(error.absolute_path)[:-1]:
            owner = owner[part]
        status = owner.get("status") if isinstance(owner, dict) else None
        if status:
            return tr(
                "{where}: not allowed when status is {status!r}",
                "{where}: status が {status!r} のときは書けない",
                where=where,
                status=status,
            )
        return tr("{where}: not allowed here", "{where}: ここには書けない", where=where)
    # jsonschema's own words: quoted in Japanese, as a tool's diagnostic.
    return tr("{where}: {problem}", "{where}: 「{problem}」", where=where, problem=error.message)


def _json_type(value: object) -> str:
    names = {
        dict: tr("an object", "オブジェクト"),
        list: tr("an array", "配列"),
        str: tr("a string", "文字列"),
        bool: tr("a boolean", "真偽値"),
    }
    if value is None:
        return "null"
    return names.get(type(value), tr("a number", "数値"))


def _evidence(document: Mapping[str, Any]) -> Evidence:
    measured_at = _timestamp(document["measured_at"])
    environments: dict[str, EnvironmentEvidence] = {}
    for index, entry in enumerate(document["environments"]):
        name = entry["name"]
        if name in environments:
            where = json_path(["environments", index, "name"])
            raise InputError(
                tr(
                    "{where}: the environment {name!r} appears twice",
                    "{where}: 環境 {name!r} が 2 回ある",
                    where=where,
                    name=name,
                )
            )
        environments[name] = _environment(entry, index)
    images: dict[str, ImageEvidence] = {}
    for index, entry in enumerate(document.get("images", ())):
        name = entry["name"]
        if name in images:
            where = json_path(["images", index, "name"])
            raise InputError(
                tr(
                    "{where}: the image {name!r} appears twice",
                    "{where}: イメージ {name!r} が 2 回ある",
                    where=where,
                    name=name,
                )
            )
        images[name] = ImageEvidence(
            name,
            entry.get("id"),
            MappingProxyType(
                {
                    metric: _measurement(metric, data, ["images", index])
                    for metric, data in entry["measurements"].items()
                }
            ),
        )
    return Evidence(
        schema_version=document["schema_version"],
        measured_at=measured_at,
        engine_name=document["engine"]["name"],
        engine_version=document["engine"]["version"],
        host=document["host"]["hostname"],
        target_commit=document["target"]["commit"],
        environments=MappingProxyType(environments),
        target_dirty=document["target"]["dirty"],
        images=MappingProxyType(images),
    )


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            tr(
                "$.measured_at: {text!r} is not a valid date and time",
                "$.measured_at: {text!r} は有効な日時ではない",
                text=text,
            )
        ) from None
    return value.astimezone(UTC)


# The unit `checklists measure` writes for each metric it measures. A reading in another unit
# (an image size in seconds) is not a measurement of that metric: the file is corrupt.
METRIC_UNITS: Final = MappingProxyType(
    {
        "image.size": "B",
        "image.size_with_recommends": "B",
        "container.memory": "B",
        "build.time_no_cache": "s",
        "build.time_cached": "s",
        "container.startup_time": "s",
    }
)


def _environment(entry: Mapping[str, Any], index: int) -> EnvironmentEvidence:
    measurements = {
        metric: _measurement(metric, data, ["environments", index])
        for metric, data in entry["measurements"].items()
    }
    return EnvironmentEvidence(
        name=entry["name"],
        dockerfile=entry["dockerfile"],
        context=entry["context"],
        image=entry["image"],
        dockerfile_sha256=entry["dockerfile_sha256"],
        inputs_sha256=MappingProxyType(dict(entry["inputs_sha256"])),
        measurements=MappingProxyType(measurements),
    )


def _measurement(metric: str, data: Mapping[str, Any], at: list[str | int]) -> Measurement:
    expected = METRIC_UNITS.get(metric)
    unit = data.get("unit")
    if expected is not None and unit is not None and unit != expected:
        where = json_path([*at, "measurements", metric, "unit"])
        raise InputError(
            tr(
                "{where}: {unit!r} is not a unit of {metric}, which is measured in {expected!r}",
                "{where}: {unit!r} は {metric} の単位ではない（{metric} の単位は {expected!r}）",
                where=where,
                unit=unit,
                metric=metric,
                expected=expected,
            ),
            kind="implausible",
        )
    value = data.get("value")
    return Measurement(
        metric=metric,
        status=data["status"],
        value=float(value) if value is not None else None,
        unit=data.get("unit"),
        error=data.get("error"),
        reason=data.get("reason"),
        log_tail=data.get("log_tail"),
        raw=data.get("raw"),
        command=tuple(data.get("command", ())),
    )
