"""The check-author API: what `checklists` exports, and that the check library uses it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import checklists
from tests.paths import ROOT

PUBLIC = [
    "Environment",
    "Evidence",
    "InputError",
    "Kind",
    "Message",
    "Outcome",
    "Quantity",
    "SetupError",
    "Status",
    "Target",
    "check",
    "decode_text",
    "discoverer",
    "join",
    "localize",
    "metric",
    "plugin_options",
    "quantity",
    "site_bindings",
    "tr",
    "write_atomic",
]

# Engine internals the check library and the programs may still import, each with its
# reason. Anything else is imported from `checklists` itself.
INTERNAL = {
    "checklists.core.target": "the readers' size limits (MAX_*, CLOCK_SKEW): one table for all",
    "checklists.core.snippets": "checks/snippets.py turns the guide's code blocks into files",
    "checklists.core.services": "the discoverer builds the engine's service records",
}
# The programs beside the engine (`checklists measure`, the sandbox) go through the same API.
PROGRAMS = ("plugins/checklists_measure", "plugins/checklists_sandbox")


def test_the_public_api_is_exactly_this() -> None:
    assert sorted(checklists.__all__) == PUBLIC  # adding a name is a decision: add it here
    for name in PUBLIC:
        assert getattr(checklists, name) is not None


def engine_imports(library: Path) -> dict[str, set[str]]:
    """Each `checklists.<module>` the library's files import, with the files."""
    found: dict[str, set[str]] = {}
    for path in sorted(library.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            modules = []
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                if module.startswith("checklists."):
                    found.setdefault(module, set()).add(path.name)
    return found


@pytest.mark.parametrize("library", ["checks", *PROGRAMS])
def test_the_check_library_imports_the_engine_through_the_public_api(library: str) -> None:
    found = engine_imports(ROOT / library)
    assert (ROOT / library).is_dir()
    unexpected = {module: files for module, files in found.items() if module not in INTERNAL}
    assert not unexpected, f"import these from `checklists` (or export them): {unexpected}"


def test_the_guard_sees_internal_imports_of_both_forms(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from checklists.core.errors import InputError\n", "utf-8")
    (tmp_path / "b.py").write_text(
        "import checklists.core.runner\nfrom checklists import tr\n", "utf-8"
    )
    assert engine_imports(tmp_path) == {
        "checklists.core.errors": {"a.py"},
        "checklists.core.runner": {"b.py"},
    }
