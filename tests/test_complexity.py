"""Cyclomatic complexity of the checks, the readers, the programs and the engine, as radon
ranks it.

No function of `checks/` or `plugins/` ranks E or F (more than 30 paths), and one that ranks
D (21 to 30) says why in a `# radon D: ...` comment just above it (or above its decorators):
the checks, the readers, the programs beside the engine (`plugins/checklists_measure/`,
`plugins/checklists_sandbox/`) and the engine (`plugins/checklists/`, its fleet included).
Tool semantics go into small reader functions rather than into one long judgement.
"""

from __future__ import annotations

import ast
from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parents[1]
REASON = "# radon D:"


def _blocks(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, complexity) of every function, method and class of a file."""
    found = []
    for block in cc_visit(path.read_text("utf-8")):
        found.append((block.fullname, block.lineno, block.complexity))
        methods = getattr(block, "methods", None) or []
        found += [(f"{block.name}.{m.name}", m.lineno, m.complexity) for m in methods]
    return found


def _starts(tree: ast.Module) -> dict[int, int]:
    """For each definition's `def`/`class` line, the line it starts on (its first decorator)."""
    starts = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            starts[node.lineno] = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return starts


# Where a function ranking D must say why: everywhere the test looks.
EXPLAINED = (
    "checks",
    "plugins/checklists_measure",
    "plugins/checklists_sandbox",
    "plugins/checklists",
)


def test_no_function_ranks_e_or_f_and_every_d_says_why() -> None:
    too_complex: list[str] = []
    unexplained: list[str] = []
    paths = sorted([*(ROOT / "checks").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")])
    assert len(paths) > 100
    for path in paths:
        text = path.read_text("utf-8")
        lines = text.splitlines()
        starts = _starts(ast.parse(text))
        where = path.relative_to(ROOT)
        for name, lineno, complexity in _blocks(path):
            if complexity > 30:
                too_complex.append(f"{where}:{lineno} {name} ({complexity})")
            elif (
                complexity > 20
                and where.as_posix().startswith(EXPLAINED)
                and not lines[starts[lineno] - 2].strip().startswith(REASON)
            ):
                unexplained.append(f"{where}:{lineno} {name} ({complexity})")
    assert not too_complex, "rank E or F: split them\n" + "\n".join(too_complex)
    assert not unexplained, f"rank D without a `{REASON} ...` comment:\n" + "\n".join(unexplained)
