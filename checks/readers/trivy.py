"""Reader for Trivy's JSON report (`trivy image --format json`, also `trivy fs` / `trivy config`).

Format followed: the report with `"SchemaVersion": 2`, which Trivy writes since v0.20.0 (before
that the JSON output was a bare list of results). Field names are those of Trivy's Go types
(`pkg/types/report.go`, `misconfiguration.go`, fanal's `SecretFinding`) as Trivy v0.48 to v0.69
writes them: `CreatedAt` exists from v0.48.0 on; v0.69 reports add `"Trivy": {"Version": ...}`;
misconfigurations carry `ID` (`DS002`) and, in releases before the renamed checks, `AVDID`
(`AVD-DS-0002`), while v0.69 writes IDs such as `AWS-0086` with no `AVDID`. Keys this reader
does not use are ignored, so additions like these do not break it.

The reader is judgement-free: it reports what the file says and decides nothing. Trivy leaves
out empty lists (`Vulnerabilities`, `Misconfigurations`, `Secrets`) and writes
`"Results": null` or no `Results` at all for an artifact with nothing to report; all of these
read as zero findings. Licenses and the package inventory (`Packages`) are not findings here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, TypeGuard, get_args

from checklists import InputError, tr
from checks.readers.bounds import json_loads

Kind = Literal["vulnerability", "misconfiguration", "secret"]

KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

#: Trivy's severities, most severe first; every `Finding.severity` is one of them.
SEVERITIES: Final[tuple[str, ...]] = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN")

#: Misconfiguration statuses Trivy writes (`EXCEPTION` for a check waived by policy).
MISCONF_STATUSES: Final[tuple[str, ...]] = ("PASS", "FAIL", "EXCEPTION")

SUPPORTED_SCHEMA_VERSION: Final = 2


@dataclass(frozen=True, slots=True)
class Finding:
    """One vulnerability, misconfiguration check result or exposed secret."""

    kind: Kind
    id: str  # VulnerabilityID, misconfiguration ID (AVDID when ID is absent), or secret RuleID
    severity: str  # upper-case: CRITICAL HIGH MEDIUM LOW UNKNOWN
    target: str  # the Result's Target: "<image> (debian 12.7)", "Python", "Dockerfile", ...
    title: str  # "" when Trivy wrote no title
    package: str | None = None  # vulnerabilities only
    installed: str | None = None  # vulnerabilities only
    fixed: str | None = None  # vulnerabilities only; None when no fixed version is known
    status: str | None = None  # misconfigurations: "PASS" / "FAIL" / "EXCEPTION"; None otherwise
    line: int | None = None  # first line of the cause in the scanned file, when Trivy knows it


@dataclass(frozen=True, slots=True)
class TrivyReport:
    schema_version: int
    artifact_name: str | None
    artifact_type: str | None  # "container_image", "filesystem", "repository", ...
    created_at: str | None  # RFC 3339 text as Trivy wrote it (v0.48.0 and later)
    findings: tuple[Finding, ...]

    def count_by_severity(self, kinds: Iterable[Kind] = KINDS) -> dict[str, int]:
        """Findings of the given kinds per severity, every severity present, most severe first.

        A misconfiguration counts only when its check failed (status `FAIL`): passed checks
        (written with `--include-non-failures`) and exceptions are not problems found.
        """
        wanted = frozenset(kinds)
        unknown = wanted.difference(KINDS)
        if unknown:
            raise ValueError(f"unknown finding kind(s): {', '.join(sorted(unknown))}")
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            if finding.kind not in wanted:
                continue
            if finding.kind == "misconfiguration" and finding.status != "FAIL":
                continue
            counts[finding.severity] += 1
        return counts


def read_trivy_report(source: str | bytes) -> TrivyReport:
    """Parse the text of a Trivy JSON report (SchemaVersion 2).

    Raises `InputError` when the text is not JSON (with the line of the syntax error), is not
    a JSON object, has no or another `SchemaVersion`, or holds an entry of the wrong shape.
    """
    text = _decode(source)
    try:
        document: object = json_loads(text, tr("the report", "レポート"))
    except json.JSONDecodeError as exc:
        raise InputError(
            tr(
                "not valid JSON: {msg} (column {colno})",
                "JSON として不正: 「{msg}」（{colno} 桁目）",
                msg=exc.msg,
                colno=exc.colno,
            ),
            line=exc.lineno,
        ) from None
    if isinstance(document, list):
        raise InputError(
            tr(
                "the report is a JSON list, the output of Trivy before v0.20.0; this reader "
                "follows SchemaVersion 2 (Trivy v0.20.0 and later)",
                "レポートが JSON のリスト（Trivy v0.20.0 より前の出力）。この読み取りは "
                "SchemaVersion 2（Trivy v0.20.0 以降）に従う",
            )
        )
    if not isinstance(document, dict):
        raise InputError(
            tr(
                "a Trivy JSON report is an object; found {found}",
                "Trivy の JSON レポートはオブジェクトでなければならない（{found}）",
                found=_json_type(document),
            )
        )

    schema_version = document.get("SchemaVersion")
    if schema_version is None:
        raise InputError(
            tr(
                "no SchemaVersion: not a Trivy JSON report (trivy --format json)",
                "SchemaVersion がない: Trivy の JSON レポート（trivy --format json）ではない",
            )
        )
    if not _is_int(schema_version):
        raise InputError(
            tr(
                "SchemaVersion must be an integer; found {schema_version!r}",
                "SchemaVersion は整数でなければならないが {schema_version!r}",
                schema_version=schema_version,
            )
        )
    if schema_version != SUPPORTED_SCHEMA_VERSION:
        raise InputError(
            tr(
                "unsupported SchemaVersion {schema_version}; this reader follows SchemaVersion "
                "{SUPPORTED_SCHEMA_VERSION}",
                "SchemaVersion {schema_version} には対応していない。この読み取りは SchemaVersion "
                "{SUPPORTED_SCHEMA_VERSION} に従う",
                schema_version=schema_version,
                SUPPORTED_SCHEMA_VERSION=SUPPORTED_SCHEMA_VERSION,
            )
        )

    findings: list[Finding] = []
    for index, result in enumerate(_list(document, "Results", "")):
        where = f"Results[{index}]"
        if not isinstance(result, dict):
            raise InputError(
                tr(
                    "{where} is {found}, not an object",
                    "{where} がオブジェクトではない（{found}）",
                    where=where,
                    found=_json_type(result),
                )
            )
        target = _required_str(result, "Target", where)
        findings.extend(_vulnerabilities(result, target, where))
        findings.extend(_misconfigurations(result, target, where))
        findings.extend(_secrets(result, target, where))

    return TrivyReport(
        schema_version=schema_version,
        artifact_name=_optional_str(document, "ArtifactName", ""),
        artifact_type=_optional_str(document, "ArtifactType", ""),
        created_at=_optional_str(document, "CreatedAt", ""),
        findings=tuple(findings),
    )


def _vulnerabilities(result: Mapping[str, object], target: str, where: str) -> list[Finding]:
    found: list[Finding] = []
    for index, item in enumerate(_list(result, "Vulnerabilities", where)):
        at = f"{where}.Vulnerabilities[{index}]"
        entry = _object(item, at)
        found.append(
            Finding(
                kind="vulnerability",
                id=_required_str(entry, "VulnerabilityID", at),
                severity=_severity(entry, at),
                target=target,
                title=_optional_str(entry, "Title", at) or "",
                package=_required_str(entry, "PkgName", at),
                installed=_optional_str(entry, "InstalledVersion", at) or None,
                fixed=_optional_str(entry, "FixedVersion", at) or None,
            )
        )
    return found


def _misconfigurations(result: Mapping[str, object], target: str, where: str) -> list[Finding]:
    found: list[Finding] = []
    for index, item in enumerate(_list(result, "Misconfigurations", where)):
        at = f"{where}.Misconfigurations[{index}]"
        entry = _object(item, at)
        check_id = _optional_str(entry, "ID", at) or _optional_str(entry, "AVDID", at)
        if not check_id:
            raise InputError(
                tr("{at} has neither ID nor AVDID", "{at} に ID も AVDID もない", at=at)
            )
        status = _required_str(entry, "Status", at).upper()
        if status not in MISCONF_STATUSES:
            raise InputError(
                tr(
                    "{at}.Status is {status!r}; expected one of {allowed}",
                    "{at}.Status が {status!r}。{allowed} のいずれかであるべき",
                    at=at,
                    status=status,
                    allowed=list(MISCONF_STATUSES),
                )
            )
        cause = entry.get("CauseMetadata")
        line: int | None = None
        if cause is not None:
            line = _line(_object(cause, f"{at}.CauseMetadata"), "StartLine", f"{at}.CauseMetadata")
        found.append(
            Finding(
                kind="misconfiguration",
                id=check_id,
                severity=_severity(entry, at),
                target=target,
                title=_optional_str(entry, "Title", at) or "",
                status=status,
                line=line,
            )
        )
    return found


def _secrets(result: Mapping[str, object], target: str, where: str) -> list[Finding]:
    found: list[Finding] = []
    for index, item in enumerate(_list(result, "Secrets", where)):
        at = f"{where}.Secrets[{index}]"
        entry = _object(item, at)
        found.append(
            Finding(
                kind="secret",
                id=_required_str(entry, "RuleID", at),
                severity=_severity(entry, at),
                target=target,
                title=_optional_str(entry, "Title", at) or "",
                line=_line(entry, "StartLine", at),
            )
        )
    return found


# --- shape helpers -------------------------------------------------------------------------


def _decode(source: str | bytes) -> str:
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                tr(
                    "not UTF-8 text (byte {start})",
                    "UTF-8 のテキストではない（{start} バイト目）",
                    start=exc.start,
                )
            ) from None
    return source.removeprefix("\ufeff")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return tr("a boolean", "真偽値")
    if isinstance(value, int | float):
        return tr("a number", "数値")
    if isinstance(value, str):
        return tr("a string", "文字列")
    if isinstance(value, list):
        return tr("a list", "リスト")
    return tr("an object", "オブジェクト")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _object(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InputError(
            tr(
                "{where} is {found}, not an object",
                "{where} がオブジェクトではない（{found}）",
                where=where,
                found=_json_type(value),
            )
        )
    return value


def _list(container: Mapping[str, object], key: str, where: str) -> list[object]:
    """A list field; missing or null (Trivy's spelling of "none") reads as empty."""
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(
            tr(
                "{field} is {found}, not a list",
                "{field} がリストではない（{found}）",
                field=_field(where, key),
                found=_json_type(value),
            )
        )
    return value


def _field(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _optional_str(container: Mapping[str, object], key: str, where: str) -> str | None:
    value = container.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(
            tr(
                "{field} is {found}, not a string",
                "{field} が文字列ではない（{found}）",
                field=_field(where, key),
                found=_json_type(value),
            )
        )
    return value


def _required_str(container: Mapping[str, object], key: str, where: str) -> str:
    value = _optional_str(container, key, where)
    if not value:
        raise InputError(
            tr("{where} has no {key}", "{where} に {key} がない", where=where, key=key)
        )
    return value


def _severity(container: Mapping[str, object], where: str) -> str:
    value = _optional_str(container, "Severity", where)
    if not value:
        return "UNKNOWN"
    severity = value.upper()
    if severity not in SEVERITIES:
        raise InputError(
            tr(
                "{where}.Severity is {value!r}; expected one of {allowed}",
                "{where}.Severity が {value!r}。{allowed} のいずれかであるべき",
                where=where,
                value=value,
                allowed=list(SEVERITIES),
            )
        )
    return severity


def _line(container: Mapping[str, object], key: str, where: str) -> int | None:
    """A 1-based line number; Trivy leaves it out (or writes 0) when it has none."""
    value = container.get(key)
    if value is None:
        return None
    if not _is_int(value):
        raise InputError(
            tr(
                "{where}.{key} is {found}, not a line number",
                "{where}.{key} が行番号ではない（{found}）",
                where=where,
                key=key,
                found=_json_type(value),
            )
        )
    return value if value > 0 else None
