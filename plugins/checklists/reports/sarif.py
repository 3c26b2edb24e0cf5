"""SARIF 2.1.0 for code scanning: failures located in the target, rules from the docstrings.

A result is written for every item that fails the build or is waived and that points at a
file of the target: broken claims, errors and expired waivers at level `error`, waived items
with a suppression that carries the justification. Locations are relative to `%SRCROOT%`,
the root of the repository that uploads the report (`root` prefixes the target's folder when
the target lives inside it), so code scanning places them whether the target is this
repository or a separate checkout. A finding bound to several claims of the guide is one
result that names them all. Failures with no place in the target (a malformed binding, a
check that errored before it read a file) are tool notifications, never results on the
guide's page. Results carry `partialFingerprints` that do not move with line numbers, rules
carry `security-severity`, and the run an `automationDetails` id per target, so uploads for
several targets do not close each other's alerts. Nothing depends on the clock.

Messages and rule texts follow the report's language (the site's, or `checklists check
--lang`): a Japanese team reads its alerts in Japanese. The fingerprints are computed from
the English text, so switching the language keeps every alert open, not closed and reopened.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from typing import Any

from checklists.core.engine import ItemResult, Run
from checklists.core.i18n import TEXT
from checklists.core.message import Message, localize
from checklists.core.registry import CheckSpec
from checklists.core.verdict import Verdict
from checklists.reports import Context, package_version
from checklists.reports.compliance import json_text

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub ranks `security-severity` as critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low < 4.0.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
REPORTED = {Verdict.BROKEN, Verdict.ERROR, Verdict.WAIVER_EXPIRED, Verdict.WAIVED}
SRCROOT = "%SRCROOT%"
FINGERPRINT = "checklistsFinding/v1"


def _rule(spec: CheckSpec, lang: str) -> dict[str, Any]:
    prose = spec.prose(lang)
    return {
        "id": spec.id,
        "name": "".join(part.title() for part in spec.id.replace(".", "_").split("_")),
        "shortDescription": {"text": prose.title},
        "fullDescription": {"text": prose.what},
        "help": {"text": f"{prose.why}\n\n{TEXT[lang]['fix']}: {prose.fix}"},
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": {
            "tags": ["docker", *spec.related],
            "severity": spec.severity,
            "security-severity": SECURITY_SEVERITY[spec.severity],
        },
    }


def _place(run: Run, result: ItemResult, root: str) -> tuple[str, int | None] | None:
    """The target file (as a path of the uploading repository) and line a result points at."""
    evidence = run.location(result)
    if evidence is None or evidence.path is None:
        return None
    return (posixpath.join(root, evidence.path) if root else evidence.path), evidence.line


def _location(uri: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _fingerprint(rule: str, uri: str, summary: str) -> str:
    """Stable across runs while the finding stays: rule, file and what was found (in English,
    whatever the report's language), no line."""
    english = summary.en if isinstance(summary, Message) else summary
    return hashlib.sha256(f"{rule}\0{uri}\0{english}".encode()).hexdigest()[:32]


def _result(group: list[ItemResult], uri: str, line: int | None, lang: str) -> dict[str, Any]:
    first = group[0]
    outcome = first.outcome
    summary = outcome.summary if outcome else first.verdict.value
    claims = "; ".join(dict.fromkeys(r.item.text for r in group))
    services = sorted({r.item.service for r in group if r.item.service is not None})
    named = f"[{', '.join(services)}] " if services else ""
    entry: dict[str, Any] = {
        "ruleId": first.item.check_id,
        "level": "error" if any(r.fails for r in group) else "warning",
        "message": {"text": f"{named}{claims}: {localize(summary, lang)}"},
        "locations": [_location(uri, line)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(first.item.check_id or "", uri, summary)},
        "properties": {
            "verdict": first.verdict.value,
            "guide": [f"{r.item.page}:{r.item.line}" for r in group],
        },
    }
    if services:
        entry["properties"]["services"] = services
    waived = [r for r in group if r.verdict is Verdict.WAIVED and r.item.waiver is not None]
    if waived and len(waived) == len(group):
        reason = waived[0].item.waiver.reason if waived[0].item.waiver else ""
        suppression = {"kind": "external", "status": "accepted", "justification": reason}
        entry["suppressions"] = [suppression]
    return entry


def _notification(result: ItemResult, docs: str, lang: str) -> dict[str, Any]:
    outcome = result.outcome
    summary = localize(outcome.summary, lang) if outcome else result.verdict.value
    page = posixpath.join(docs, result.item.page) if docs else result.item.page
    service = f" [service {result.item.service}]" if result.item.service else ""
    return {
        "level": "error",
        "message": {"text": f"{page}:{result.item.line}{service}: {result.item.text}: {summary}"},
        "descriptor": {"id": result.item.check_id or "checklists.binding"},
    }


def sarif(
    run: Run,
    specs: Mapping[str, CheckSpec],
    *,
    root: str = "",
    docs: str = "docs",
    version: str = "0",
    category: str = "checklists",
    lang: str = "en",
) -> str:
    """The SARIF log of a run; `specs` are the registered checks by id, `category` names the
    target so that code scanning keeps one set of alerts per target."""
    reported = [r for r in run.bound if r.verdict in REPORTED or r.fails]
    groups: dict[tuple[str, str, int | None, str, Verdict], list[ItemResult]] = {}
    unplaced: list[ItemResult] = []
    for result in reported:
        place = _place(run, result, root)
        if place is None or not result.item.check_id or result.item.check_id not in specs:
            unplaced.append(result)
            continue
        summary = result.outcome.summary if result.outcome else ""
        key = (result.item.check_id, *place, summary, result.verdict)
        groups.setdefault(key, []).append(result)
    used = sorted({check for check, *_ in groups} | {r.item.check_id or "" for r in run.bound})
    rules = [_rule(specs[check_id], lang) for check_id in used if check_id in specs]
    run_log: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "docker-guide-checklists",
                "version": version,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"{category.strip('/') or 'checklists'}/"},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the repository that uploads this log"}}
        },
        "results": [
            _result(group, uri, line, lang) for (_, uri, line, *_), group in groups.items()
        ],
        "columnKind": "unicodeCodePoints",
    }
    if unplaced:
        run_log["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [_notification(r, docs, lang) for r in unplaced],
            }
        ]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run_log]}
    return json_text(log, levels=4, sort_keys=False)  # one line per result


def render(run: Run, context: Context) -> str:
    """The `sarif` format: compliance.sarif's text, one category per target."""
    return sarif(
        run,
        context.specs,
        root=context.sarif_root,
        docs=context.docs,
        version=package_version(),
        category="checklists/" + re.sub(r"[^A-Za-z0-9._-]+", "-", context.target_name),
        lang=context.lang,
    )
