"""The registry: machine fields on the decorator, prose in the docstring, unique ids."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checklists.core.errors import SetupError
from checklists.core.model import Outcome
from checklists.core.registry import Registry, load_packages
from checklists.core.target import Target

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


def test_every_module_of_a_check_package_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _library(
        tmp_path,
        {
            "lib_a/__init__.py": '__checklists_skip__ = ("tool",)\n',  # no longer a thing
            "lib_a/area/__init__.py": "",
            "lib_a/area/one.py": "LOADED = True\n",
            "lib_a/tool/__init__.py": "LOADED = True\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    load_packages(["lib_a"], Registry())
    assert "lib_a.area.one" in sys.modules
    assert "lib_a.tool" in sys.modules


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


CHECK_MODULE = '''"""{title}.

What it checks:
    x
Why it matters:
    y
How to fix:
    z
"""
from checklists import Outcome, check


@check(
    "{id}",
    severity="low",
)
def sample(target: object) -> Outcome:
    return Outcome.passed("ok")
'''


@pytest.fixture(autouse=True)
def _global_registry_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The lazy tests register into the global registry (their modules use `@check`):
    it is put back as it was, so no other test sees their checks."""
    from checklists.core.registry import REGISTRY

    for name in ("_checks", "_index", "_pending", "_sources"):
        monkeypatch.setattr(REGISTRY, name, dict(getattr(REGISTRY, name)))
    monkeypatch.setattr(REGISTRY, "_discoverers", list(REGISTRY._discoverers))
    monkeypatch.setattr(REGISTRY, "_deferred", set(REGISTRY._deferred))
    monkeypatch.setattr(
        REGISTRY, "_discoverer", getattr(REGISTRY, "_discoverer", None), raising=False
    )
    yield
    for module in [m for m in sys.modules if m.startswith("lazy_")]:
        del sys.modules[module]


def _lazy_library(root: Path, name: str, extra: dict[str, str] | None = None) -> None:
    _library(
        root,
        {
            f"{name}/__init__.py": "",
            f"{name}/area/__init__.py": "",
            f"{name}/area/one.py": CHECK_MODULE.format(title="One", id=f"{name}.one"),
            f"{name}/area/two.py": CHECK_MODULE.format(title="Two", id=f"{name}.two"),
            f"{name}/helper.py": "HELPER = True\n",
            **(extra or {}),
        },
    )


def test_a_deferred_package_imports_only_the_checks_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY

    _lazy_library(tmp_path, "lazy_a")
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY.defer(["lazy_a"])
    assert "lazy_a.area.one" not in sys.modules
    spec = REGISTRY.get("lazy_a.one")
    assert spec is not None and spec.title == "One"
    assert spec.source.endswith("one.py:13")  # the decorator's line, as inspect gives it
    assert "lazy_a.area.one" in sys.modules
    assert "lazy_a.area.two" not in sys.modules
    assert "lazy_a.helper" not in sys.modules
    assert [s.id for s in REGISTRY.loaded() if s.id.startswith("lazy_a.")] == ["lazy_a.one"]
    # Listing the registry imports the rest: the same answer as load_packages.
    assert {s.id for s in REGISTRY if s.id.startswith("lazy_a.")} == {"lazy_a.one", "lazy_a.two"}
    assert "lazy_a.helper" in sys.modules


def test_an_id_no_source_names_imports_everything_before_saying_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY

    dynamic = (
        "from checklists import Outcome, check\nNAME = 'lazy_b.' + 'dynamic'\n\n\n"
        "@check(NAME)\ndef dynamic(target: object) -> Outcome:\n"
        '    """Dynamic.\n\n    What it checks:\n        x\n    Why it matters:\n        y\n'
        '    How to fix:\n        z\n    """\n    return Outcome.passed("ok")\n'
    )
    _lazy_library(tmp_path, "lazy_b", {"lazy_b/area/dynamic.py": dynamic})
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY.defer(["lazy_b"])
    assert REGISTRY.get("lazy_b.dynamic") is not None  # not in the index: found all the same
    assert "lazy_b.area.two" in sys.modules
    assert REGISTRY.get("lazy_b.nowhere") is None


def test_an_id_registered_twice_is_caught_when_either_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY

    twin = CHECK_MODULE.format(title="Twin", id="lazy_c.one")
    _lazy_library(tmp_path, "lazy_c", {"lazy_c/area/twin.py": twin})
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY.defer(["lazy_c"])
    with pytest.raises(SetupError, match="registered twice"):
        REGISTRY.get("lazy_c.one")


def test_a_broken_module_is_named_when_its_check_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY

    broken = CHECK_MODULE.format(title="Broken", id="lazy_d.broken") + "import not_there\n"
    _lazy_library(tmp_path, "lazy_d", {"lazy_d/area/broken.py": broken})
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY.defer(["lazy_d"])
    assert REGISTRY.get("lazy_d.one") is not None
    with pytest.raises(SetupError, match=r"cannot load the check module lazy_d\.area\.broken"):
        REGISTRY.get("lazy_d.broken")


def test_a_missing_package_is_a_setup_error_when_deferred() -> None:
    with pytest.raises(SetupError, match="cannot import the check package 'lazy_nowhere'"):
        Registry().defer(["lazy_nowhere"])


def test_a_deferred_discoverer_is_imported_when_services_are_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY

    finder = (
        "from checklists.core.registry import discoverer\n\n\n"
        "@discoverer\ndef found(target: object) -> str:\n    return 'found'\n"
    )
    _lazy_library(tmp_path, "lazy_e", {"lazy_e/finder.py": finder})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(REGISTRY, "_discoverer", None)
    REGISTRY.defer(["lazy_e"])
    assert "lazy_e.finder" not in sys.modules
    assert REGISTRY.discover(object()) == "found"
    assert "lazy_e.area.one" not in sys.modules  # no check was needed to find it


def test_a_discoverer_the_index_cannot_read_is_still_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY

    finder = (
        "from checklists.core.registry import discoverer\n\n\n"
        "def found(target: object) -> str:\n    return 'found'\n\n\ndiscoverer(found)\n"
    )
    _lazy_library(tmp_path, "lazy_f", {"lazy_f/finder.py": finder})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(REGISTRY, "_discoverer", None)
    REGISTRY.defer(["lazy_f"])
    assert REGISTRY.discover(object()) == "found"  # everything imported to find it


SIZED_MODULE = (
    "from checklists import Outcome, check\n\n\n"
    '@check("{id}")\ndef sized(target: object, *, size: int = 3) -> Outcome:\n'
    '    """Sized.\n\n    What it checks:\n        x\n    Why it matters:\n        y\n'
    '    How to fix:\n        z\n    """\n    return Outcome.passed("ok")\n'
)


def test_defaults_are_validated_importing_only_the_checks_that_name_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.engine import undeclared
    from checklists.core.options import OptionsError
    from checklists.core.registry import REGISTRY

    sized = SIZED_MODULE.format(id="lazy_g.sized")
    _lazy_library(tmp_path, "lazy_g", {"lazy_g/area/sized.py": sized})
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY.defer(["lazy_g"])
    undeclared({"defaults": {"size": 5}}, REGISTRY, None)
    assert "lazy_g.area.sized" in sys.modules
    assert "lazy_g.area.one" not in sys.modules  # its source never names `size`
    with pytest.raises(OptionsError, match="did you mean `size`"):
        undeclared({"defaults": {"sise": 5}}, REGISTRY, None)
    assert "lazy_g.area.one" in sys.modules  # an undeclared name is judged on every check
