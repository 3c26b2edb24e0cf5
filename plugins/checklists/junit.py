"""JUnit XML: one test case per binding, in the shape CI servers already understand.

Broken claims are failures, errors are errors, and items that are not judged yet (not
yet done, not measured, stale, waived, not applicable, unbound) are skipped with the
reason. Each case names the page line; the message carries the summary and the evidence.
The shape is the common one (testsuites > testsuite > testcase) that Jenkins, GitLab and
the GitHub test-reporter actions read; no timestamps, so the file is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from xml.etree import ElementTree as ET

from checklists.engine import ItemResult, Run
from checklists.verdict import Verdict

FAILURE = {Verdict.BROKEN, Verdict.WAIVER_EXPIRED}
SKIPPED = {
    Verdict.NOT_YET,
    Verdict.UNVERIFIED,
    Verdict.STALE,
    Verdict.WAIVED,
    Verdict.NOT_APPLICABLE,
    Verdict.UNBOUND,
}


def _details(result: ItemResult) -> str:
    outcome = result.outcome
    lines = [f"{result.item.location}: {result.item.text}"]
    if outcome is not None:
        lines.append(outcome.summary)
        for evidence in outcome.evidence:
            where = f"{evidence.location}: " if evidence.location else ""
            lines.append(f"  {where}{evidence.note}")
    if result.item.waiver is not None:
        waiver = result.item.waiver
        lines.append(f"waived until {waiver.until.isoformat()}: {waiver.reason}")
    return "\n".join(lines)


def _case(result: ItemResult) -> ET.Element:
    item = result.item
    name = f"{item.text} [{item.check_id}]" if item.check_id else item.text
    if item.environment:
        name += f" ({item.environment})"
    case = ET.Element(
        "testcase",
        {
            "classname": f"{item.page}.{item.section or 'page'}",
            "name": name,
            "file": item.page,
            "line": str(item.line),
        },
    )
    summary = result.outcome.summary if result.outcome else result.verdict.value
    if result.verdict is Verdict.ERROR:
        ET.SubElement(case, "error", {"message": summary, "type": "error"}).text = _details(result)
    elif result.verdict in FAILURE or (result.fails and result.verdict is not Verdict.UNBOUND):
        kind = {"type": result.verdict.value, "message": summary}
        ET.SubElement(case, "failure", kind).text = _details(result)
    elif result.verdict in SKIPPED:
        failing = " (fails the build)" if result.fails else ""
        message = f"{result.verdict.value}{failing}: {summary}"
        ET.SubElement(case, "skipped", {"message": message})
    return case


def _counts(results: list[ItemResult]) -> dict[str, str]:
    cases = [_case(r) for r in results]
    return {
        "tests": str(len(cases)),
        "failures": str(sum(1 for c in cases if c.find("failure") is not None)),
        "errors": str(sum(1 for c in cases if c.find("error") is not None)),
        "skipped": str(sum(1 for c in cases if c.find("skipped") is not None)),
    }


def junit_xml(run: Run, name: str = "checklists") -> str:
    """The JUnit report of a run, suites per page and section, in the run's order."""
    root = ET.Element("testsuites", {"name": name, **_counts(list(run.results))})
    key = lambda r: (r.item.page, r.item.section or "")  # noqa: E731 - a sort key
    groups: Iterable[tuple[tuple[str, str], Iterable[ItemResult]]] = groupby(run.results, key)
    for (page, section), group in groups:
        results = list(group)
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": f"{page} › {section}" if section else page, **_counts(results)},
        )
        for result in results:
            suite.append(_case(result))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
