"""The hostile table of issue 14, measured: every case of the corpus run as the suite runs
it (`generate.py`, `batch.py`), each run sorted into the rows it falls in.

    python -m tests.hostile.table [--keep FOLDER]

Rows (a case counts once per row; 0 everywhere is the goal):

- hangs: a run still going at its wall-clock limit, or processes it left running;
- tracebacks: a traceback in a run's output (a custom check's own, in the log, excepted);
- silent passes: an item said `pass` where its case allows no pass;
- degraded verdicts: any other item, exit code or message not as its case states (a crash
  or timeout for a located error, the wrong status, the location not named);
- config disagreements: `mkdocs build --strict` not agreeing with the command line (exit
  code, traceback, or not the same words for a refused configuration);
- hostile report paths: a report-path case not refused as stated, or a device changed;
- code executed from the target: a payload's mark file created, or anything outside the
  case folders (the sentinel folder, the repository's checkout) changed.

The test module asserts the same per case (`test_bad_inputs.py`); this prints the counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from tests.hostile import generate
from tests.hostile.generate import CASES, Case
from tests.hostile.test_bad_inputs import (
    ROOT,
    _check_item,
    _devices,
    _fingerprint,
    _no_traceback,
    _report_items,
    _repository_state,
    plan,
)

ROWS = (
    "hangs",
    "tracebacks",
    "silent passes",
    "degraded verdicts",
    "config disagreements",
    "hostile report paths",
    "code executed from the target",
)


def _fails(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except AssertionError:
        return True
    return False


def classify(
    case: Case, cli: dict[str, Any], build: dict[str, Any] | None, folder: Path
) -> set[str]:
    """The rows one case falls in."""
    rows: set[str] = set()
    expect = case.expect
    for run in (cli, build):
        if run is None:
            continue
        if run["hung"] or run["leftover"]:
            rows.add("hangs")
        if _fails(_no_traceback, case, run["stdout"] + run["stderr"]):
            rows.add("tracebacks")
    if any((folder / path).exists() for path in expect.absent if "pwned" in path):
        rows.add("code executed from the target")
    wrong_exit = cli["exit"] not in ((0, 1) if expect.exit == -1 else (expect.exit,))
    wrong_words = any(text not in cli["stderr"] for text in expect.stderr)
    created = any((folder / path).exists() for path in expect.absent if "pwned" not in path)
    if case.kind == "report-path" and (wrong_exit or wrong_words or created):
        rows.add("hostile report paths")
    elif case.kind == "config" and (wrong_exit or wrong_words):
        rows.add("config disagreements")
    elif wrong_exit or wrong_words or created:
        rows.add("degraded verdicts")
    if expect.items and not cli["hung"]:
        try:
            found = _report_items(folder)
        except (OSError, ValueError):
            found = {}
        for check, want in expect.items.items():
            item = found.get(check)
            if item is not None and item["outcome"] == "pass" and "pass" not in want.status:
                rows.add("silent passes")
            elif _fails(_check_item, check, want, item):
                rows.add("degraded verdicts")
    if build is not None and not build["hung"] and _build_disagrees(case, cli, build):
        rows.add("config disagreements")
    return rows


def _build_disagrees(case: Case, cli: dict[str, Any], build: dict[str, Any]) -> bool:
    """`test_the_build_agrees_with_the_command_line`, as a yes or no."""
    output = build["stdout"] + build["stderr"]
    wanted = 0 if cli["exit"] == 0 else 1
    if case.name == "reports-option-onto-a-device":
        wanted = 1
    if build["exit"] != wanted:
        return True
    if case.same_words and (case.kind == "config" or cli["exit"] == 2):
        problems = [line.strip() for line in cli["stderr"].splitlines()[1:] if line.strip()]
        first = cli["stderr"].split(": ", 1)[1].splitlines()[0] if ": " in cli["stderr"] else ""
        return any(line not in output for line in problems or [first])
    return False


def measure(root: Path) -> tuple[Counter[str], dict[str, list[str]], int]:
    generate.write_outside(root)
    for case in CASES:
        generate.write(case, root)
    outside, devices, repository = (
        _fingerprint(root / "outside"),
        _devices(),
        _repository_state(),
    )
    (root / "plan.json").write_text(json.dumps(plan(root)), "utf-8")
    subprocess.run(
        [sys.executable, "-m", "tests.hostile.batch", str(root / "plan.json"),
         str(root / "results.json")],
        cwd=ROOT, check=True, timeout=1800,
    )  # fmt: skip
    results = json.loads((root / "results.json").read_text("utf-8"))
    counts: Counter[str] = Counter()
    which: dict[str, list[str]] = {row: [] for row in ROWS}
    for case in CASES:
        build = results.get(f"{case.name}:build")
        for row in classify(case, results[f"{case.name}:cli"], build, root / case.name):
            counts[row] += 1
            which[row].append(case.name)
    if _fingerprint(root / "outside") != outside or _repository_state() != repository:
        counts["code executed from the target"] += 1
        which["code executed from the target"].append("(outside the cases)")
    if _devices() != devices:
        counts["hostile report paths"] += 1
        which["hostile report paths"].append("(a device)")
    return counts, which, len(results)


def main(argv: list[str]) -> int:
    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    root = keep or Path(tempfile.mkdtemp(prefix="hostile-table-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        counts, which, runs = measure(root)
    finally:
        if keep is None:
            generate.remove(root)
    builds = sum(1 for case in CASES if case.build)
    print(f"| cases | {len(CASES)} ({builds} also built; {runs} runs) |")
    print("|---|---|")
    for row in ROWS:
        names = ", ".join(which[row][:5]) + (" ..." if len(which[row]) > 5 else "")
        print(f"| {row} | {counts[row]}" + (f" ({names})" if names else "") + " |")
    return 1 if any(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
