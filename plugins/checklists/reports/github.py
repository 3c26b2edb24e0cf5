"""GitHub Actions output: error annotations for broken claims and a job summary.

Workflow commands (`::error file=...,line=...,title=...::message`) put a failure on the
line of the pull request it concerns. GitHub shows at most 10 annotations of one type per
step, so after the 10 most severe the last one says how many more there are and where the
full list is. The job summary (Markdown, appended to $GITHUB_STEP_SUMMARY) is kept under
GitHub's 1 MiB limit. Both are written in the report's language (the site's, or `checklists
check --lang`); the annotation titles keep the check id and the verdict's slug, which a
workflow may grep.
"""

from __future__ import annotations

import posixpath

from checklists.core.engine import ItemResult, Run
from checklists.core.i18n import TEXT, VERDICT_LABELS
from checklists.core.message import localize
from checklists.core.registry import SEVERITIES, CheckSpec
from checklists.core.verdict import ORDER

ANNOTATION_CAP = 10
SUMMARY_LIMIT = 1024 * 1024 - 1024  # GitHub refuses summaries over 1 MiB; keep a margin


def escape_data(text: str) -> str:
    """The message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _where(run: Run, result: ItemResult, root: str, docs: str) -> tuple[str, int]:
    evidence = run.location(result)
    if evidence is not None and evidence.path is not None:
        path = posixpath.join(root, evidence.path) if root else evidence.path
        return path, evidence.line or 1
    return posixpath.join(docs, result.item.page), result.item.line


def error_annotations(
    run: Run,
    specs: dict[str, CheckSpec],
    *,
    root: str = "",
    docs: str = "docs",
    report: str = "",
    lang: str = "en",
) -> list[str]:
    """`::error` lines for failing items, most severe first, capped as GitHub caps them. One
    finding bound to several claims of the guide is one annotation that names them all."""

    def rank(result: ItemResult) -> tuple[int, int, str, int]:
        spec = specs.get(result.item.check_id or "")
        severity = SEVERITIES.index(spec.severity) if spec else 0
        return (ORDER.index(result.verdict), severity, result.item.page, result.item.line)

    findings: dict[tuple[str, int, str, str], list[ItemResult]] = {}
    for result in sorted(run.failures, key=rank):
        summary = result.outcome.summary if result.outcome else result.verdict.value
        key = (*_where(run, result, root, docs), result.item.check_id or "binding", summary)
        findings.setdefault(key, []).append(result)  # a verdict of one finding is one verdict
    lines = []
    for index, ((path, line, check, summary), group) in enumerate(findings.items()):
        if index == ANNOTATION_CAP:
            break
        claims = "; ".join(dict.fromkeys(r.item.text for r in group))
        message = f"{claims}: {localize(summary, lang)}"
        if index == ANNOTATION_CAP - 1 and len(findings) > ANNOTATION_CAP:
            more = len(findings) - ANNOTATION_CAP
            where = report or TEXT[lang]["compliance_title"]
            message += "\n" + TEXT[lang]["gh_more"].format(more=more, where=where)
        title = f"{check} ({group[0].verdict.value})"
        lines.append(
            f"::error file={escape_property(path)},line={line},title={escape_property(title)}"
            f"::{escape_data(message)}"
        )
    return lines


def summary_markdown(run: Run, title: str, report: str = "", lang: str = "en") -> str:
    """A Markdown job summary: the counts, then every failing item with its location."""
    text, labels = TEXT[lang], VERDICT_LABELS[lang]
    counts = text["list_separator"].join(
        f"{labels[verdict]} {count}" for verdict, count in run.counts().items()
    )
    parts = [f"## {title}", "", text["gh_counts"].format(items=len(run.bound), counts=counts), ""]
    if run.failures:
        head = (text["col_verdict"], text["col_item"], text["col_location"], text["gh_summary"])
        parts += ["| " + " | ".join(head) + " |", "| --- | --- | --- | --- |"]
        for result in run.failures:
            summary = localize(result.outcome.summary, lang) if result.outcome else ""
            cells = [labels[result.verdict], result.item.text, result.item.location, summary]
            parts.append(
                "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
            )
    else:
        parts.append(text["gh_all_hold"])
    if report:
        parts += ["", text["gh_full_report"].format(report=report)]
    body = "\n".join(parts) + "\n"
    if len(body.encode()) > SUMMARY_LIMIT:
        cut = body.encode()[: SUMMARY_LIMIT - 200].decode("utf-8", "ignore")
        truncated = text["gh_truncated"].format(report=report or "compliance.json")
        body = cut.rsplit("\n", 1)[0] + f"\n\n{truncated}\n"
    return body
