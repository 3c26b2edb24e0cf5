"""`compliance.json`: the machine-readable result of a run, in a versioned, stable shape.

The shape is documented by `checklists/site/assets/compliance.schema.json`. Items are ordered by
page and line; keys are sorted; nothing depends on the machine or the clock, so the same
inputs give the same bytes. Files are written atomically (a temporary file, then a rename),
so a reader never sees half a report even when the build fails right after.

The report is written in one language, the one of the run's pages and command line (the
site's `theme.language`, or `checklists check --lang`), named by the top-level `lang`:
`summary`, `value`, evidence `note`s and the stated number's `agrees` in that language,
units as the guide writes them ("3.5分" in Japanese, "3.5min" in English). Everything a
program keys on (`check`, `verdict`, `outcome`, `quantity` in base units, paths and lines)
is the same in every language.
"""

from __future__ import annotations

import json
from typing import Any

from checklists.core.engine import ItemResult, Run, headline
from checklists.core.message import localize
from checklists.reports import Context

SCHEMA_VERSION = 2


def item_json(result: ItemResult, lang: str = "en") -> dict[str, Any]:
    item, outcome = result.item, result.outcome
    return {
        "service": item.service,
        "page": item.page,
        "line": item.line,
        "section": item.section,
        "text": item.text,
        "kind": item.kind,
        "metric": item.metric,
        "environment": item.environment,
        "limit": item.limit,
        "check": item.check_id,
        "params": dict(item.params),
        "claim": "checked" if item.claim else "unchecked",
        "outcome": outcome.status.value if outcome else None,
        "verdict": result.verdict.value,
        "fails": result.fails,
        "summary": localize(outcome.summary, lang) if outcome else None,
        "value": localize(outcome.value, lang) or None if outcome else None,
        "quantity": outcome.quantity if outcome else None,
        "stale": outcome.stale if outcome else False,
        "evidence": [e.to_json(lang) for e in outcome.evidence] if outcome else [],
        "waiver": item.waiver.to_json() if item.waiver else None,
        "waiver_stale": result.stale_waiver,
        "stated": (
            {"text": result.stated.text, "agrees": result.stated.accepted_in(lang)}
            if result.stated
            else None
        ),
    }


def compliance(run: Run, target_name: str, lang: str = "en") -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "target": target_name,
        "lang": lang,
        "services": None
        if run.services is None
        else [
            {
                "name": s.name,
                "dockerfile": s.dockerfile,
                "context": s.params()["context"],
                "target": s.target,
                "origin": s.origin,
            }
            for s in run.services
        ],
        "summary": {
            "items": len(run.bound),
            "verified": headline(run.bound).held,
            "unbound": len(run.unbound),
            "failed": bool(run.failures),
            "failures": len(run.failures),
            "verdicts": {verdict.value: count for verdict, count in run.counts().items()},
        },
        "run": {
            "evaluations": run.evaluations,
            "reused": run.reused,
            "files_read": run.target.reads,
            "files_parsed": run.target.parses,
        },
        "items": [item_json(result, lang) for result in run.bound],
        "unbound": [
            {
                "page": r.item.page,
                "line": r.item.line,
                "section": r.item.section,
                "text": r.item.text,
                "claim": "checked" if r.item.claim else "unchecked",
                "fails": r.fails,
            }
            for r in run.unbound
        ],
    } | _guide(run, lang)


def _guide(run: Run, lang: str) -> dict[str, Any]:
    """The guide's own code checked against its rules, and every statement of the guide
    with how it is checked: present when the pages have any."""
    if not run.snippets and not run.claims:
        return {}
    return {
        "guide": {
            "snippets": [
                item_json(result, lang) | {"span": result.item.snippet.span}
                if result.item.snippet
                else item_json(result, lang)
                for result in run.snippets
            ],
            "claims": [claim.to_json() for claim in run.claims],
        }
    }


def to_text(data: dict[str, Any]) -> str:
    return json_text(data, levels=2, sort_keys=True)  # one line per item


def json_text(value: object, *, levels: int, sort_keys: bool) -> str:
    """JSON indented by two spaces for the outer `levels` of nesting, deeper values on one line.

    One line per item keeps a large report readable and diffable, and each line comes from
    the json module's C encoder (an `indent` makes it fall back to pure Python: seconds for
    a report of thousands of items instead of milliseconds).
    """
    compact = json.JSONEncoder(
        ensure_ascii=False, sort_keys=sort_keys, separators=(", ", ": "), default=str
    )

    def render(node: object, level: int) -> str:
        if level >= levels or not isinstance(node, dict | list) or not node:
            return compact.encode(node)
        pad, end = "  " * (level + 1), "  " * level
        if isinstance(node, list):
            return "[\n" + ",\n".join(pad + render(v, level + 1) for v in node) + f"\n{end}]"
        pairs = sorted(node.items()) if sort_keys else node.items()
        body = ",\n".join(
            f"{pad}{compact.encode(str(k))}: {render(v, level + 1)}" for k, v in pairs
        )
        return "{\n" + body + f"\n{end}}}"

    return render(value, 0) + "\n"


def render(run: Run, context: Context) -> str:
    """The `json` format: compliance.json's text."""
    return to_text(compliance(run, context.target_name, context.lang))
