"""SARIF 2.1.0 for code scanning: failures located in the target, rules from the docstrings.

A result is written for every item that fails the build or is waived: broken claims,
errors and expired waivers at level `error`, waived items with a suppression that carries
the justification. The location is the first evidence that names a file of the target
(its URI prefixed with `root`, the target's path in the repository that uploads the
report), else the guide's page line. Rules carry the check's title, what it checks, and
the fix as help text. Nothing depends on the clock, so the file is reproducible.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from checklists.engine import ItemResult, Run
from checklists.registry import CheckSpec
from checklists.report import json_text
from checklists.verdict import Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
REPORTED = {Verdict.BROKEN, Verdict.ERROR, Verdict.WAIVER_EXPIRED, Verdict.WAIVED}
BINDING_RULE = "checklists.binding"


def _rule(spec: CheckSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": "".join(part.title() for part in spec.id.replace(".", "_").split("_")),
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": spec.what},
        "help": {"text": f"{spec.why}\n\nHow to fix: {spec.fix}"},
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": {"tags": list(spec.related), "severity": spec.severity},
    }


def _location(result: ItemResult, root: str, docs: str) -> dict[str, Any]:
    outcome = result.outcome
    for evidence in outcome.evidence if outcome else ():
        if evidence.path and not evidence.path.startswith("binding at"):
            region = {"startLine": evidence.line} if evidence.line else {}
            return _physical(posixpath.join(root, evidence.path) if root else evidence.path, region)
    page = posixpath.join(docs, result.item.page) if docs else result.item.page
    return _physical(page, {"startLine": result.item.line})


def _physical(uri: str, region: Mapping[str, int]) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if region:
        location["region"] = dict(region)
    return {"physicalLocation": location}


def _result(result: ItemResult, root: str, docs: str, known: set[str]) -> dict[str, Any]:
    item, outcome = result.item, result.outcome
    message = f"{item.text}: {outcome.summary if outcome else result.verdict.value}"
    entry: dict[str, Any] = {
        "ruleId": item.check_id
        if result.verdict is not Verdict.ERROR or item.check_id
        else BINDING_RULE,
        "level": "error" if result.fails else "warning",
        "message": {"text": message},
        "locations": [_location(result, root, docs)],
        "properties": {"verdict": result.verdict.value, "guide": f"{item.page}:{item.line}"},
    }
    if result.verdict is Verdict.WAIVED and item.waiver is not None:
        entry["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": item.waiver.reason}
        ]
    return entry


def sarif(
    run: Run,
    specs: Mapping[str, CheckSpec],
    *,
    root: str = "",
    docs: str = "docs",
    version: str = "0",
) -> str:
    """The SARIF log of a run; `specs` are the registered checks by id."""
    reported = [r for r in run.bound if r.verdict in REPORTED or r.fails]
    used = sorted({r.item.check_id or "" for r in run.bound} & set(specs))
    rules = [_rule(specs[check_id]) for check_id in used]
    rules.append(
        {
            "id": BINDING_RULE,
            "name": "Binding",
            "shortDescription": {"text": "A binding of the guide cannot be used"},
            "fullDescription": {"text": "An unknown check id or malformed parameters."},
            "help": {"text": "Fix the binding at the page line the message names."},
            "defaultConfiguration": {"level": "error"},
        }
    )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "docker-guide-checklists",
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": [_result(r, root, docs, set(used)) for r in reported],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json_text(log, levels=4, sort_keys=False)  # one line per result
