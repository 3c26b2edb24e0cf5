"""The registry: machine fields on the decorator, prose in the docstring, unique ids."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from checklists.errors import SetupError
from checklists.model import Outcome
from checklists.registry import Registry, load_packages
from checklists.target import Target

DOC = """Title line.

What it checks:
    Something.

Why it matters:
    Because.

How to fix:
    Do this.
"""


def test_docstring_sections_become_fields() -> None:
    registry = Registry()

    def sample(target: Target, *, size: int = 3) -> Outcome:
        return Outcome.passed("ok")

    sample.__doc__ = DOC
    registry.check("area.sample", severity="high", related=("hadolint:DL3002",))(sample)
    spec = registry.get("area.sample")
    assert spec is not None
    assert (spec.title, spec.what, spec.why, spec.fix) == (
        "Title line",
        "Something.",
        "Because.",
        "Do this.",
    )
    assert spec.params == {"size": 3}
    assert spec.related == ("hadolint:DL3002",)


def test_duplicate_id_names_both_places() -> None:
    registry = Registry()

    def first(target: Target) -> Outcome:
        return Outcome.passed("ok")

    def second(target: Target) -> Outcome:
        return Outcome.passed("ok")

    first.__doc__ = second.__doc__ = DOC
    registry.check("area.same")(first)
    with pytest.raises(SetupError) as raised:
        registry.check("area.same")(second)
    message = str(raised.value)
    assert "registered twice" in message
    assert message.count("test_registry.py:") == 2


@pytest.mark.parametrize(
    ("doc", "missing"),
    [
        (None, "lacks the section\\(s\\) What it checks"),  # falls back to the module docstring
        ("Title.\n\nWhat it checks:\n    x\n", "Why it matters, How to fix"),
        (
            "Title.\n\nWhat it checks:\n\nWhy it matters:\n    y\nHow to fix:\n    z\n",
            "What it checks",
        ),
    ],
)
def test_missing_docstring_sections_fail_at_load(doc: str | None, missing: str) -> None:
    def sample(target: Target) -> Outcome:
        return Outcome.passed("ok")

    sample.__doc__ = doc
    with pytest.raises(SetupError, match=missing):
        Registry().check("area.sample")(sample)


def test_params_must_be_keyword_only() -> None:
    def sample(target: Target, size: int = 3) -> Outcome:
        return Outcome.passed("ok")

    sample.__doc__ = DOC
    with pytest.raises(SetupError, match="keyword-only"):
        Registry().check("area.sample")(sample)


@pytest.mark.parametrize("bad_id", ["nodot", "Area.Name", "area.", "area.na-me"])
def test_ids_look_like_area_dot_name(bad_id: str) -> None:
    def sample(target: Target) -> Outcome:
        return Outcome.passed("ok")

    sample.__doc__ = DOC
    with pytest.raises(SetupError, match="must look like"):
        Registry().check(bad_id)(sample)


def _library(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_every_module_is_loaded_except_what_a_package_says_holds_no_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _library(
        tmp_path,
        {
            "lib_a/__init__.py": '__checklists_skip__ = ("tool",)\n',
            "lib_a/area/__init__.py": "",
            "lib_a/area/one.py": "LOADED = True\n",
            "lib_a/tool/__init__.py": "raise RuntimeError('a tool, never imported')\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    load_packages(["lib_a"], Registry())
    assert "lib_a.area.one" in sys.modules
    assert "lib_a.tool" not in sys.modules


@pytest.mark.parametrize(
    ("files", "named"),
    [
        ({"lib_b/__init__.py": "", "lib_b/bad.py": "import not_there\n"}, "module lib_b.bad"),
        (
            {"lib_c/__init__.py": "", "lib_c/sub/__init__.py": "1/0\n"},
            "package lib_c.sub: ZeroDivisionError",
        ),
    ],
)
def test_a_module_that_does_not_import_is_a_setup_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], named: str
) -> None:
    _library(tmp_path, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SetupError, match=f"cannot load the check {named}"):
        load_packages([next(iter(files)).split("/")[0]], Registry())
