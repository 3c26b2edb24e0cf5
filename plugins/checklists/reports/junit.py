"""JUnit XML: one test case per binding, in the shape CI servers already understand.

Broken claims are failures, errors are errors, and items that are not judged yet (not
yet done, not measured, stale, waived, not applicable, unbound) are skipped with the
reason. Each case names the page line; the message carries the summary and the evidence, in
the report's language (the site's, or `checklists check --lang`).
The shape is the common one (testsuites > testsuite > testcase) that Jenkins, GitLab and
the GitHub test-reporter actions read; no timestamps, so the file is reproducible.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from itertools import groupby
from xml.etree import ElementTree as ET

from checklists.core.engine import ItemResult, Run
from checklists.core.i18n import TEXT
from checklists.core.message import localize
from checklists.core.verdict import Verdict
from checklists.reports import Context

FAILURE = {Verdict.BROKEN, Verdict.WAIVER_EXPIRED}
SKIPPED = {
    Verdict.NOT_YET,
    Verdict.UNVERIFIED,
    Verdict.STALE,
    Verdict.WAIVED,
    Verdict.NOT_APPLICABLE,
    Verdict.UNBOUND,
}


def _details(result: ItemResult, lang: str) -> str:
    outcome = result.outcome
    lines = [f"{result.item.location}: {result.item.text}"]
    if outcome is not None:
        lines.append(localize(outcome.summary, lang))
        for evidence in outcome.evidence:
            where = f"{evidence.location}: " if evidence.location else ""
            lines.append(f"  {where}{localize(evidence.note, lang)}")
    if result.item.waiver is not None:
        waiver = result.item.waiver
        text = TEXT[lang]["waived_until"]
        lines.append(text.format(until=waiver.until.isoformat(), reason=waiver.reason))
    return "\n".join(lines)


def _file(run: Run, result: ItemResult, root: str, docs: str) -> tuple[str, int]:
    """Where a dashboard should open the case: the target file it found, else the guide's line;
    both relative to the repository root."""
    evidence = run.location(result)
    if evidence is not None and evidence.path is not None:
        return (posixpath.join(root, evidence.path) if root else evidence.path), evidence.line or 1
    page = posixpath.join(docs, result.item.page) if docs else result.item.page
    return page, result.item.line


def _case(run: Run, result: ItemResult, root: str, docs: str, lang: str) -> ET.Element:
    item = result.item
    path, line = _file(run, result, root, docs)
    name = f"{item.text} [{item.check_id}]" if item.check_id else item.text
    if item.service is not None:
        name = f"{name} (service {item.service})"
    if item.environment:
        name += f" ({item.environment})"
    case = ET.Element(
        "testcase",
        {
            "classname": f"{item.page}.{item.section or 'page'}",
            "name": name,
            "file": path,
            "line": str(line),
        },
    )
    summary = localize(result.outcome.summary, lang) if result.outcome else result.verdict.value
    details = _details(result, lang)
    if result.verdict is Verdict.ERROR:
        ET.SubElement(case, "error", {"message": summary, "type": "error"}).text = details
    elif result.verdict in FAILURE or (result.fails and result.verdict is not Verdict.UNBOUND):
        kind = {"type": result.verdict.value, "message": summary}
        ET.SubElement(case, "failure", kind).text = details
    elif result.verdict in SKIPPED:
        failing = TEXT[lang]["fails_build_note"] if result.fails else ""
        message = f"{result.verdict.value}{failing}: {summary}"
        ET.SubElement(case, "skipped", {"message": message})
    return case


def _counts(cases: list[ET.Element]) -> dict[str, str]:
    return {
        "tests": str(len(cases)),
        "failures": str(sum(1 for c in cases if c.find("failure") is not None)),
        "errors": str(sum(1 for c in cases if c.find("error") is not None)),
        "skipped": str(sum(1 for c in cases if c.find("skipped") is not None)),
    }


def junit_xml(
    run: Run, name: str = "checklists", *, root: str = "", docs: str = "docs", lang: str = "en"
) -> str:
    """The JUnit report of a run, suites per page and section, in the run's order. `root`
    prefixes target paths as the repository sees them, `docs` the guide's pages; messages
    are in `lang`."""
    every = [_case(run, r, root, docs, lang) for r in run.results]
    tree = ET.Element("testsuites", {"name": name, **_counts(every)})
    cases = iter(every)
    key = lambda r: (r.item.page, r.item.section or "")  # noqa: E731 - a sort key
    groups: Iterable[tuple[tuple[str, str], Iterable[ItemResult]]] = groupby(run.results, key)
    for (page, section), group in groups:
        mine = [next(cases) for _ in group]
        suite = ET.SubElement(
            tree,
            "testsuite",
            {"name": f"{page} › {section}" if section else page, **_counts(mine)},
        )
        suite.extend(mine)
    ET.indent(tree)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, encoding="unicode") + "\n"


def render(run: Run, context: Context) -> str:
    """The `junit` format: compliance.junit.xml's text."""
    return junit_xml(run, root=context.sarif_root, docs=context.docs, lang=context.lang)
