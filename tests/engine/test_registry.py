"""The registry: machine fields on the decorator, prose in the docstring, unique ids."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from checklists.core.errors import SetupError
from checklists.core.model import Outcome, Status
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

    for name in ("_checks", "_index", "_pending", "_sources", "_described"):
        monkeypatch.setattr(REGISTRY, name, dict(getattr(REGISTRY, name)))
    monkeypatch.setattr(REGISTRY, "_discoverers", list(REGISTRY._discoverers))
    monkeypatch.setattr(REGISTRY, "_deferred", set(REGISTRY._deferred))
    monkeypatch.setattr(
        REGISTRY, "_discoverer", getattr(REGISTRY, "_discoverer", None), raising=False
    )
    yield
    for module in [m for m in sys.modules if m.startswith(("lazy_", "gate_"))]:
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


# -- manifests: a package's checks known without importing them --------------------------


def _forget(name: str) -> None:
    """The package `name` as if never imported nor deferred (after write_manifest)."""
    from checklists.core.registry import REGISTRY

    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]
    for table in (REGISTRY._checks, REGISTRY._index, REGISTRY._described):
        for key in [k for k in table if k.startswith(f"{name}.")]:
            del table[key]
    REGISTRY._deferred.discard((name,))


def test_a_current_manifest_describes_checks_that_import_their_module_when_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY, write_manifest

    _lazy_library(tmp_path, "lazy_m")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert write_manifest("lazy_m") == tmp_path / "lazy_m" / "checklists-manifest.json"
    _forget("lazy_m")
    REGISTRY.defer(["lazy_m"])
    spec = REGISTRY.get("lazy_m.one")
    assert spec is not None and (spec.title, spec.severity, spec.params) == ("One", "low", {})
    assert spec.source == f"{tmp_path / 'lazy_m' / 'area' / 'one.py'}:13"
    assert spec.module == "lazy_m.area.one"
    assert "lazy_m.area.one" not in sys.modules  # known from the manifest only
    assert spec.function(Target(tmp_path)).status is Status.PASS  # imports it, then runs it
    assert "lazy_m.area.one" in sys.modules and "lazy_m.area.two" not in sys.modules
    real = REGISTRY.get("lazy_m.one")
    assert real is not None and real.function.__code__.co_name == "sample"  # registered itself


def test_a_stale_manifest_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checklists.core.registry import REGISTRY, described, write_manifest

    _lazy_library(tmp_path, "lazy_n")
    monkeypatch.syspath_prepend(str(tmp_path))
    write_manifest("lazy_n")
    _forget("lazy_n")
    assert set(described("lazy_n")) == {"lazy_n.one", "lazy_n.two"}
    _forget("lazy_n")
    with (tmp_path / "lazy_n" / "helper.py").open("a") as stream:  # any module of the package
        stream.write("EDITED = True\n")
    assert described("lazy_n") == {}
    _forget("lazy_n")
    REGISTRY.defer(["lazy_n"])
    spec = REGISTRY.get("lazy_n.one")
    assert spec is not None and "lazy_n.area.one" in sys.modules  # imported, as without one


SOMETIMES = '''"""Sometimes.

What it checks:
    x
Why it matters:
    y
How to fix:
    z
"""
import os

from checklists import Outcome, check

if os.environ.get("LAZY_O_REGISTERS"):

    @check("lazy_o.sometimes")
    def sometimes(target: object) -> Outcome:
        return Outcome.passed("ok")
'''


def test_a_described_check_its_module_no_longer_registers_is_a_setup_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY, write_manifest

    _lazy_library(tmp_path, "lazy_o", {"lazy_o/area/sometimes.py": SOMETIMES})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("LAZY_O_REGISTERS", "1")
    write_manifest("lazy_o")
    _forget("lazy_o")
    monkeypatch.delenv("LAZY_O_REGISTERS")  # the sources unchanged: the manifest holds
    REGISTRY.defer(["lazy_o"])
    spec = REGISTRY.get("lazy_o.sometimes")
    assert spec is not None
    with pytest.raises(SetupError, match=r"lazy_o\.area\.sometimes no longer registers"):
        spec.function(Target(tmp_path))


DOCSTRING_END = '"""\n'
GATE = """
import gate_p

gate_p.STARTED.set()
gate_p.GO.wait(10)
"""


def test_two_threads_calling_checks_of_one_module_wait_for_one_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checklists.core.registry import REGISTRY, write_manifest

    (tmp_path / "gate_p.py").write_text(
        "import threading\nSTARTED, GO = threading.Event(), threading.Event()\n"
    )
    plain = CHECK_MODULE.format(title="One", id="lazy_p.one")
    docstring_end = plain.index(DOCSTRING_END, 3) + len(DOCSTRING_END)
    module = plain[:docstring_end] + GATE + plain[docstring_end:]  # waits before registering
    _lazy_library(tmp_path, "lazy_p", {"lazy_p/area/one.py": module})
    monkeypatch.syspath_prepend(str(tmp_path))
    import gate_p  # type: ignore[import-not-found]

    gate_p.GO.set()  # writing the manifest imports the module too
    write_manifest("lazy_p")
    _forget("lazy_p")
    gate_p.STARTED.clear()
    gate_p.GO.clear()
    REGISTRY.defer(["lazy_p"])
    spec = REGISTRY.get("lazy_p.one")
    assert spec is not None
    outcomes: list[object] = []

    def call() -> None:
        try:
            outcomes.append(spec.function(Target(tmp_path)).status)
        except SetupError as error:
            outcomes.append(error)

    first = threading.Thread(target=call)
    first.start()
    gate_p.STARTED.wait(10)  # the first call is importing the module
    second = threading.Thread(target=call)
    second.start()  # its call finds the module being imported: it waits
    gate_p.GO.set()
    first.join(10)
    second.join(10)
    del sys.modules["gate_p"]
    assert outcomes == [Status.PASS, Status.PASS]


def test_the_projects_manifest_is_current() -> None:
    from checklists.core.registry import REGISTRY, described, load_packages

    found = described("checks")
    assert found, "checks/checklists-manifest.json is out of date: run `checklists manifest`"
    load_packages(["checks"])
    live = {spec.id: spec for spec in REGISTRY.loaded() if spec.module.startswith("checks.")}
    assert set(found) == set(live)
    for id, spec in live.items():
        record = found[id]
        assert (record.module, record.name) == (spec.module, spec.function.__name__)
        assert (record.severity, record.related, record.unit, record.external) == (
            spec.severity, spec.related, spec.unit, spec.external,
        )  # fmt: skip
        assert (record.title, record.what, record.why, record.fix) == (
            spec.title, spec.what, spec.why, spec.fix,
        )  # fmt: skip
        assert record.ja == (None if spec.ja is None else tuple(spec.ja))
        assert dict(record.params) == dict(spec.params) and record.source == spec.source


def test_serve_imports_the_described_checks_of_its_run_once_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each rebuild forks its worker from the serve process: imported there, the checks
    # are inherited instead of imported again by every worker.
    from checklists.core.registry import REGISTRY, _Deferred, write_manifest

    _lazy_library(tmp_path, "lazy_q")
    monkeypatch.syspath_prepend(str(tmp_path))
    write_manifest("lazy_q")
    _forget("lazy_q")
    REGISTRY.defer(["lazy_q"])
    spec = REGISTRY.get("lazy_q.one")
    assert spec is not None and isinstance(spec.function, _Deferred)
    REGISTRY.import_described()
    assert "lazy_q.area.one" in sys.modules and "lazy_q.area.two" not in sys.modules
    real = REGISTRY.get("lazy_q.one")
    assert real is not None and not isinstance(real.function, _Deferred)
