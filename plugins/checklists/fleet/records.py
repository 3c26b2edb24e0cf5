"""The fleet's reports: find them, validate each, and say why one is left out.

Every report is untrusted input (it comes from another repository's CI). It is read with a
size cap, parsed as strict JSON (no NaN, no Infinity), validated against the engine's own
`compliance.schema.json`, and kept as a compact record: the claims it answers (shared by
every report of the same guide) and one verdict code per claim. A report that cannot be used
becomes a `Rejected` with its path and the reason, and the others go on.

Where a report comes from lives beside it in `compliance.meta.json` (`checklists stamp` in a
repository's CI, `checklists scan` centrally): the repository, when it was produced, the
version of the check library and the owning teams. Without it the folder names say what they
can: `ROOT/<repository>/compliance.json` or `ROOT/<repository>/<date>/compliance.json`.

Two reports are comparable only when the same checks answered the same claims: the *version*
of a report is the pair (check library version, fingerprint of the guide's claims). A report
without a check library version is shown as of an unknown version, never merged with a known
one.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from checklists.core.verdict import Verdict

REPORT_NAME = "compliance.json"
META_SUFFIX = ".meta.json"  # compliance.json -> compliance.meta.json
SCAN_ERROR_NAME = "scan-error.json"  # a central scan could not check the repository
MAX_REPORT_BYTES = 64 * 1024 * 1024
UNKNOWN_CHECKS = "unknown"

# One character per verdict and outcome keeps 4,000 x 45 verdicts in a few hundred kB.
VERDICTS: tuple[str, ...] = tuple(verdict.value for verdict in Verdict)
OUTCOMES: tuple[str, ...] = ("pass", "fail", "unknown", "not_applicable", "error")
CODES = "abcdefghijklmnopqrstuvwxyz"
VERDICT_CODE = {value: CODES[index] for index, value in enumerate(VERDICTS)}
OUTCOME_CODE = {value: CODES[index] for index, value in enumerate(OUTCOMES)}

_DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T_]\d{2}[-:]?\d{2}[-:]?\d{2}Z?)?$|^\d{8}T\d{6}Z$")


@dataclass(frozen=True, slots=True)
class Column:
    """One claim of the guide as a report answers it (an item without its verdict).

    Its identity leaves out the line (an edit above it moves it) and the waiver (each
    repository's own exception, shown as its verdict).
    """

    page: str
    section: str | None
    text: str
    kind: str
    metric: bool
    environment: str | None
    limit: str | None
    check: str | None
    params: str  # canonical JSON of the binding's parameters
    claim: str  # checked | unchecked

    @property
    def key(self) -> tuple[object, ...]:
        return (
            self.page,
            self.section,
            self.text,
            self.kind,
            self.metric,
            self.environment,
            self.limit,
            self.check,
            self.params,
            self.claim,
        )


@dataclass(frozen=True, slots=True)
class Guide:
    """The claims a report answers, in its order; shared by every report of that guide."""

    fingerprint: str
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """One accepted report, compact: its claims (shared) and one code per claim."""

    path: Path
    repository: str
    generated: dt.datetime | None
    checks: str  # the check library's version, or UNKNOWN_CHECKS
    guide: Guide
    verdicts: str  # VERDICT_CODE per column
    outcomes: str  # OUTCOME_CODE per column
    fails: int  # items that fail the repository's build
    teams: tuple[str, ...] = ()
    commit: str | None = None
    site: str | None = None
    source: str | None = None
    run: str | None = None

    @property
    def version(self) -> str:
        return f"{self.checks}|{self.guide.fingerprint}"

    @property
    def day(self) -> str | None:
        return self.generated.date().isoformat() if self.generated else None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A report that was not used, and why; or a repository the scan could not check."""

    path: str
    reason: str
    repository: str | None = None


@dataclass(slots=True)
class Loaded:
    reports: list[Report] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    scan_errors: list[Rejected] = field(default_factory=list)


# -- finding reports ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """A report file and the root it was found under (its folders below name it)."""

    path: Path
    root: Path


def discover(arguments: Iterable[Path]) -> tuple[list[Found], list[Rejected], list[Path]]:
    """Reports named on the command line: a file is a report, a folder holds reports.

    Folders are walked without following symbolic links, in sorted order. Returns the
    reports, the arguments that do not exist (as rejections), and the scan-error files.
    """
    found: list[Found] = []
    missing: list[Rejected] = []
    errors: list[Path] = []
    for argument in arguments:
        if argument.is_file():
            found.append(Found(argument, argument.parent))
        elif argument.is_dir():
            for folder, names in _walk(argument):
                for name in names:
                    if name == REPORT_NAME:
                        found.append(Found(folder / name, argument))
                    elif name == SCAN_ERROR_NAME:
                        errors.append(folder / name)
        else:
            missing.append(Rejected(str(argument), "no such file or folder"))
    return found, missing, errors


def _walk(root: Path) -> Iterator[tuple[Path, list[str]]]:
    for folder, directories, files in os.walk(root, followlinks=False):
        directories.sort()
        yield Path(folder), sorted(files)


def name_from_folders(found: Found) -> tuple[str, dt.datetime | None]:
    """The repository and date the folders give: ROOT/<repo>[/<date>]/compliance.json."""
    try:
        parts = list(found.path.parent.relative_to(found.root).parts)
    except ValueError:
        parts = []
    when = None
    if parts and _DATE_FOLDER.match(parts[-1]):
        when = parse_time(parts.pop())
    name = "/".join(parts) if parts else (found.path.parent.name or found.root.name)
    return name, when


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 date or date-time (folder forms 20261128T204400Z, 2026-11-28_20-44-00
    too), as UTC; None when it is not one. A time without a zone is not a time: None."""
    cleaned = text.strip()
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z", cleaned)
    if compact:
        cleaned = "{}-{}-{}T{}:{}:{}+00:00".format(*compact.groups())
    folder = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T_](\d{2})-(\d{2})-(\d{2})Z?", cleaned)
    if folder:
        cleaned = "{}T{}:{}:{}+00:00".format(*folder.groups())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        cleaned += "T00:00:00+00:00"
    try:
        when = dt.datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(dt.UTC)


# -- validating --------------------------------------------------------------------------

Validate = Callable[[object], str | None]  # the first problem, with its JSON path, or None


def _schema(name: str) -> dict[str, Any]:
    package = "checklists.site" if name == "compliance.schema.json" else "checklists.fleet"
    text = resources.files(package).joinpath("assets", name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def validator(name: str = "compliance.schema.json", backend: str = "auto") -> Validate:
    """A validator of one schema: jsonschema-rs when installed (about 80x faster on a
    report), else jsonschema. Both read the same schema file; the tests run both over the
    same malformed reports."""
    schema = _schema(name)
    if backend in ("auto", "rs"):
        try:
            import jsonschema_rs  # noqa: PLC0415 - optional accelerator
        except ImportError:
            if backend == "rs":
                raise
        else:
            compiled = jsonschema_rs.validator_for(schema)

            def validate_rs(document: object) -> str | None:
                try:
                    for error in compiled.iter_errors(document):
                        return _where(list(error.instance_path), error.message)
                except (ValueError, OverflowError) as problem:  # text the validator rejects
                    return f"cannot be validated: {problem}"
                return None

            return validate_rs
    import jsonschema  # noqa: PLC0415 - the fallback is imported only when needed

    checker = jsonschema.Draft202012Validator(schema)

    def validate_py(document: object) -> str | None:
        error = jsonschema.exceptions.best_match(checker.iter_errors(document))
        return None if error is None else _where(list(error.absolute_path), error.message)

    return validate_py


def _where(path: list[str | int], message: str) -> str:
    pointer = "/".join(str(part) for part in path) or "(top level)"
    if len(message) > 300:
        message = message[:300] + "…"
    return f"{pointer}: {message}"


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def read_json(path: Path, limit: int = MAX_REPORT_BYTES) -> tuple[object, str | None]:
    """(document, None) or (None, why it cannot be read)."""
    try:
        size = path.stat().st_size
        if size > limit:
            return None, f"{size:,} bytes, over the {limit:,}-byte limit of one report"
        data = path.read_bytes()
    except OSError as error:
        return None, f"cannot be read: {error.strerror or error}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, f"is not UTF-8 text (byte {error.start})"
    if not text.strip():
        return None, "is empty"
    try:
        return json.loads(text, parse_constant=_no_constant), None
    except json.JSONDecodeError as error:
        return None, f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    except ValueError as error:
        return None, f"is not valid JSON: {error}"
    except RecursionError:
        return None, "is not valid JSON: nested too deeply"


# -- reading -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Meta:
    repository: str | None = None
    generated: dt.datetime | None = None
    checks: str | None = None
    teams: tuple[str, ...] = ()
    commit: str | None = None
    site: str | None = None
    source: str | None = None
    run: str | None = None


def meta_path(report: Path) -> Path:
    stem = report.name[: -len(".json")] if report.name.endswith(".json") else report.name
    return report.with_name(stem + META_SUFFIX)


def read_meta(path: Path) -> tuple[Meta | None, str | None]:
    """The sidecar of a report: (meta, None), (None, None) when absent, or (None, why)."""
    if not path.exists():
        return None, None
    document, problem = read_json(path, limit=1024 * 1024)
    if problem is None:
        problem = validator("fleet-meta.schema.json")(document)
    if problem is not None:
        return None, f"{path.name}: {problem}"
    assert isinstance(document, dict)  # the schema says so
    generated = None
    if document.get("generated") is not None:
        generated = parse_time(str(document["generated"]))
        if generated is None:
            return None, (
                f"{path.name}: generated: {document['generated']!r} is not an ISO 8601 "
                "date-time with a time zone"
            )
    return (
        Meta(
            repository=document["repository"],
            generated=generated,
            checks=document.get("checks"),
            teams=tuple(dict.fromkeys(document.get("teams") or ())),
            commit=document.get("commit"),
            site=web_url(document.get("site")),
            source=web_url(document.get("source")),
            run=document.get("run"),
        ),
        None,
    )


def web_url(value: object) -> str | None:
    """An http(s) URL to link to, or None: a report never gets to place a javascript: link."""
    if not isinstance(value, str):
        return None
    return value if re.match(r"^https?://[^\s\"'<>]+$", value) else None


class Guides:
    """Interns the claims of every report, so 4,000 reports of one guide share one list."""

    def __init__(self) -> None:
        self._by_fingerprint: dict[str, Guide] = {}

    def of(self, items: list[dict[str, Any]]) -> Guide:
        columns = [
            Column(
                page=item["page"],
                section=item["section"],
                text=item["text"],
                kind=item["kind"],
                metric=item["metric"],
                environment=item["environment"],
                limit=item["limit"],
                check=item["check"],
                params=(
                    json.dumps(item["params"], sort_keys=True, ensure_ascii=False)
                    if item["params"]
                    else "{}"
                ),
                claim=item["claim"],
            )
            for item in items
        ]
        keys = json.dumps([column.key for column in columns], ensure_ascii=False)
        fingerprint = hashlib.sha256(keys.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        guide = self._by_fingerprint.get(fingerprint)
        if guide is None:
            guide = self._by_fingerprint[fingerprint] = Guide(fingerprint, tuple(columns))
        return guide

    def intern(self, report: Report) -> Report:
        """The report with the shared claims of its guide (one read in another process
        brings its own copy)."""
        guide = self._by_fingerprint.setdefault(report.guide.fingerprint, report.guide)
        return report if guide is report.guide else replace(report, guide=guide)


# radon D: each optional field of the meta file is `meta.x if meta else None`, one flat record
def load(
    found: Found,
    guides: Guides,
    teams: Mapping[str, tuple[str, ...]] | None = None,
    validate: Validate | None = None,
) -> Report | Rejected:
    """One report, validated and made compact; or why it cannot be used."""
    shown = str(found.path)
    meta, problem = read_meta(meta_path(found.path))
    named, dated = name_from_folders(found)
    repository = meta.repository if meta and meta.repository else named
    if problem is not None:
        return Rejected(shown, problem, repository)
    document, problem = read_json(found.path)
    if problem is None:
        problem = (validate or validator())(document)
    if problem is not None:
        return Rejected(shown, problem, repository)
    assert isinstance(document, dict)  # the schema says so
    items: list[dict[str, Any]] = document["items"]
    guide = guides.of(items)
    extra = (teams or {}).get(repository, ())
    return Report(
        path=found.path,
        repository=repository,
        generated=(meta.generated if meta else None) or dated,
        checks=(meta.checks if meta else None) or UNKNOWN_CHECKS,
        guide=guide,
        verdicts="".join(VERDICT_CODE[item["verdict"]] for item in items),
        outcomes="".join(OUTCOME_CODE[item["outcome"]] for item in items),
        fails=sum(1 for item in items if item["fails"]),
        teams=tuple(dict.fromkeys((*(meta.teams if meta else ()), *extra))),
        commit=meta.commit if meta else None,
        site=meta.site if meta else None,
        source=meta.source if meta else None,
        run=meta.run if meta else None,
    )


def read_items(path: Path) -> list[dict[str, Any]]:
    """The items of a report that `load` accepted, for its page (read again, not kept)."""
    document, problem = read_json(path)
    if problem is not None or not isinstance(document, dict):
        raise ValueError(f"{path} changed while the fleet was built: {problem}")
    items: list[dict[str, Any]] = document["items"]
    return items


def read_scan_error(path: Path, root: Path) -> Rejected:
    """What `checklists scan` wrote when it could not check a repository."""
    document, problem = read_json(path, limit=1024 * 1024)
    named, _ = name_from_folders(Found(path, root))
    if problem is None and isinstance(document, dict):
        repository = document.get("repository")
        reason = document.get("reason")
        if isinstance(repository, str) and isinstance(reason, str):
            return Rejected(str(path), reason[:2000], repository)
    return Rejected(str(path), f"the scan could not check it, and {path.name} {problem}", named)
