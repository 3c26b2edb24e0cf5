"""The check registry: `@check` records machine fields; the docstring carries the prose.

A check is a plain function `(target, **params) -> Outcome` in a module of its own. Its
docstring (or, when the function has none, its module's) opens with a one-line title and
has three sections, in this order:

    What it checks:
    Why it matters:
    How to fix:

The site's check catalog and every report's rule text come from these sections, so a check
without them fails at load time, as does an id registered twice (both places are named).

The same prose in Japanese follows in the same docstring, after a line that starts with the
marker `日本語:` and gives the Japanese title, with the sections the Japanese catalog shows:

    日本語: 最終ステージを非rootユーザーで実行

    何を確認するか:
    なぜ重要か:
    修正方法:

The catalog, the reports and `checklists explain` show the prose in the site's language
(`CheckSpec.prose`); a check without the Japanese part (a third party's) is shown in
English everywhere. The project's own checks must have both (a catalog test says so).

A build imports only the checks it binds (`Registry.defer`): the source of every module of
the check packages is read (not imported) for the ids its decorators register, and asking
the registry for an id imports the modules that name it. Listing the registry, or asking
for an id that no source names (an unknown id, or one registered in a way the index cannot
read), imports everything, so the answer is the same as with `load_packages`.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import sys
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, NamedTuple, cast

from checklists.core import manifest
from checklists.core.errors import SetupError
from checklists.core.files import write_atomic
from checklists.core.limits import Kind
from checklists.core.model import Outcome

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
SECTIONS: tuple[str, ...] = ("What it checks", "Why it matters", "How to fix")
JA_MARKER = "日本語:"
JA_SECTIONS: tuple[str, ...] = ("何を確認するか", "なぜ重要か", "修正方法")
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

CheckFunction = Callable[..., Outcome]


class Prose(NamedTuple):
    """A check's title and the three sections of its docstring, in one language."""

    title: str
    what: str
    why: str
    fix: str


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A registered check: what the decorator said plus what the docstring says."""

    id: str
    severity: Severity
    related: tuple[str, ...]
    title: str
    what: str
    why: str
    fix: str
    function: CheckFunction
    params: Mapping[str, Any]  # parameter name -> default (inspect.Parameter.empty if required)
    source: str  # "file:line" of the function, for duplicate-id messages and the catalog
    unit: Kind | None = None  # set for metrics: what their quantity measures
    external: bool = False  # waits on an external program: runs on a thread of its own
    ja: Prose | None = None  # the docstring's Japanese part, when it has one

    def prose(self, lang: str) -> Prose:
        """Title and sections in `lang`; English when the check has no Japanese prose."""
        if lang == "ja" and self.ja is not None:
            return self.ja
        return Prose(self.title, self.what, self.why, self.fix)

    @property
    def is_metric(self) -> bool:
        return self.unit is not None

    @property
    def module(self) -> str:
        return self.function.__module__


def parse_docstring(doc: str | None, where: str) -> tuple[str, str, str, str]:
    """Split a check docstring into (title, what, why, fix); SetupError when a part is missing."""
    text = inspect.cleandoc(doc or "")
    if not text:
        raise SetupError(f"{where}: the check has no docstring; give it a title and {SECTIONS}")
    english, _ = _split_japanese(text)
    title, _, body = english.partition("\n")
    what, why, fix = _sections(body, SECTIONS, where)
    return title.strip().rstrip("."), what, why, fix


def parse_japanese(doc: str | None, where: str) -> Prose | None:
    """The docstring's Japanese title and sections (after `日本語:`), or None without them;
    SetupError when the marker is there but a section is missing."""
    _, japanese = _split_japanese(inspect.cleandoc(doc or ""))
    if japanese is None:
        return None
    title, _, body = japanese.partition("\n")
    if not title.strip():
        raise SetupError(f"{where}: the line {JA_MARKER!r} gives no Japanese title")
    what, why, fix = _sections(body, JA_SECTIONS, where)
    return Prose(title.strip().rstrip("。"), what, why, fix)


def _split_japanese(text: str) -> tuple[str, str | None]:
    """(the English part, the Japanese part from its title on, or None)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(JA_MARKER):
            rest = [line.removeprefix(JA_MARKER).strip(), *lines[index + 1 :]]
            return "\n".join(lines[:index]), "\n".join(rest)
    return text, None


def _sections(body: str, names: tuple[str, ...], where: str) -> tuple[str, str, str]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.splitlines():
        heading = line.strip().rstrip(":")
        if line.strip().endswith(":") and heading in names and not line.startswith(" "):
            current = found.setdefault(heading, [])
        elif current is not None:
            current.append(line)
    missing = [name for name in names if not inspect.cleandoc("\n".join(found.get(name, [])))]
    if missing:
        raise SetupError(f"{where}: the docstring lacks the section(s) {', '.join(missing)}")
    what, why, fix = (inspect.cleandoc("\n".join(found[name])) for name in names)
    return what, why, fix


def _source_of(function: CheckFunction) -> str:
    # The line `inspect.getsourcelines` gives (the first decorator's), without tokenizing
    # the module to find the function's end: that cost a build ~1 ms per check.
    code = getattr(function, "__code__", None)
    line = code.co_firstlineno if code is not None else 0
    try:
        source = inspect.getsourcefile(function)
    except TypeError:
        source = None
    return f"{source or function.__module__}:{line}"


def _params_of(function: CheckFunction, where: str) -> dict[str, Any]:
    parameters = list(inspect.signature(function).parameters.values())
    if not parameters or parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise SetupError(f"{where}: a check takes the target as its first positional parameter")
    params: dict[str, Any] = {}
    for parameter in parameters[1:]:
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise SetupError(f"{where}: check parameter {parameter.name!r} must be keyword-only")
        params[parameter.name] = parameter.default
    return params


class Registry:
    """Checks by id. The module-level `REGISTRY` is the one `@check` fills."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckSpec] = {}
        self._index: dict[str, list[tuple[str, bool]]] = {}  # id -> modules naming it
        self._pending: dict[str, bool] = {}  # modules deferred, not imported yet -> is a package
        self._deferred: set[tuple[str, ...]] = set()  # package lists already indexed
        self._discoverers: list[tuple[str, bool]] = []  # modules whose source registers one
        self._sources: dict[str, str] = {}  # deferred modules that register checks -> source
        # Checks a current manifest describes, in modules not imported yet: their specs are
        # made from it when asked for, and import their module on their first call.
        self._described: dict[str, tuple[manifest.Described, bool]] = {}

    def metric(
        self, id: str, *, unit: Kind, severity: Severity = "medium", related: tuple[str, ...] = ()
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Register a metric: a function that measures (or reads a measurement of) a quantity.

        It returns `Outcome.measured(quantity, ...)`, or `unknown` when nothing was measured;
        the engine compares the quantity with the limit the guide's table states.
        """
        return self.check(id, severity=severity, related=related, unit=unit)

    def check(
        self,
        id: str,
        *,
        severity: Severity = "medium",
        related: tuple[str, ...] = (),
        unit: Kind | None = None,
        external: bool = False,
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Register the decorated function as the check `id`; `external=True` for a check
        that waits on another program (it then runs concurrently with the others)."""

        def register(function: CheckFunction) -> CheckFunction:
            where = _source_of(function)
            if not _ID.match(id):
                raise SetupError(f"{where}: check id {id!r} must look like 'area.name'")
            if severity not in SEVERITIES:
                raise SetupError(f"{where}: severity {severity!r} is not one of {SEVERITIES}")
            if id in self._checks and not isinstance(self._checks[id].function, _Deferred):
                first = self._checks[id].source
                raise SetupError(f"check id {id!r} is registered twice: at {first} and at {where}")
            module = sys.modules.get(function.__module__)
            doc = function.__doc__ or (module.__doc__ if module else None)
            title, what, why, fix = parse_docstring(doc, where)
            japanese = parse_japanese(doc, where)
            self._checks[id] = CheckSpec(
                id=id,
                severity=severity,
                related=tuple(related),
                title=title,
                what=what,
                why=why,
                fix=fix,
                function=function,
                params=_params_of(function, where),
                source=where,
                unit=unit,
                external=external,
                ja=japanese,
            )
            return function

        return register

    def defer(self, packages: list[str]) -> Registry:
        """Know the checks of `packages` without importing them: each package is imported
        (a missing one is a SetupError, as in `load_packages`) and the source of each of its
        modules is read for the ids it registers. `get` then imports what an id needs."""
        key = tuple(packages)
        if key in self._deferred:
            return self
        for package_name in packages:
            package = _import_package(package_name)
            entries = list(_indexed(package))
            described = _manifest_of(package, entries)
            for name, ispkg, ids, text in entries:
                if name in sys.modules:
                    continue  # imported already: whatever it registers is here
                if ids is None:  # a module whose source cannot be read: import it now
                    _import_check_module(name, ispkg)
                    continue
                self._pending[name] = ispkg
                if any(id != _DISCOVERER for id in ids):
                    self._sources[name] = text
                for id in ids:
                    if id == _DISCOVERER:
                        self._discoverers.append((name, ispkg))
                    else:
                        self._index.setdefault(id, []).append((name, ispkg))
                    if id in described and described[id].module == name:
                        self._described[id] = (described[id], ispkg)
        self._deferred.add(key)
        return self

    def get(self, id: str) -> CheckSpec | None:
        spec = self._checks.get(id)
        if spec is None and id in self._described:
            spec = self._from_manifest(id)
        if spec is None and self._pending:
            for name, ispkg in self._index.get(id, ()):
                self._import(name, ispkg)
            spec = self._checks.get(id)
            if spec is None:  # no source names it: only importing everything can tell
                self.load_deferred()
                spec = self._checks.get(id)
        return spec

    def load_deferred(self) -> None:
        """Import every deferred module (in the order `load_packages` would)."""
        for name, ispkg in list(self._pending.items()):
            self._import(name, ispkg)

    def import_naming(self, words: Collection[str]) -> None:
        """Import every deferred module that registers a check and whose source has one of
        `words` written as a parameter is: a check declaring a parameter of that name is
        then loaded. (A module registering checks the index cannot read is imported in
        full by asking.)"""
        if not words or not self._sources:
            return
        # A parameter is declared as `name: type`, `name=default`, `name,` or `name)`.
        names = "|".join(map(re.escape, sorted(words)))
        pattern = re.compile(rf"\b(?:{names})\s*[:=,)]")
        known: dict[str, list[str]] = {}  # module -> the ids a manifest describes in it
        for id, (described, _) in self._described.items():
            known.setdefault(described.module, []).append(id)
        for name, text in list(self._sources.items()):
            if not pattern.search(text):
                continue
            if name in known and set(known[name]) >= set(_REGISTERS.findall(text)):
                for id in known[name]:  # their parameters are in the manifest
                    self.get(id)
                continue
            self._import(name, self._pending.get(name, False))

    def _from_manifest(self, id: str) -> CheckSpec | None:
        """The spec of a check a manifest describes, its module not imported: its
        function imports the module when first called (`_Deferred`)."""
        described, ispkg = self._described[id]
        if described.module not in self._pending:
            return None  # imported since: the check registered itself (or is gone)
        ja = None if described.ja is None else Prose(*described.ja)
        self._checks[id] = CheckSpec(
            id=id,
            severity=cast(Severity, described.severity),  # as the decorator checked it
            related=described.related,
            title=described.title,
            what=described.what,
            why=described.why,
            fix=described.fix,
            function=_Deferred(self, id, described.module, described.name, ispkg),
            params=described.params,
            source=described.source,
            unit=described.unit,
            external=described.external,
            ja=ja,
        )
        return self._checks[id]

    def import_described(self) -> None:
        """Import the modules of the checks made from a manifest so far. `mkdocs serve`
        does after its first build: each rebuild's worker process, forked from this one,
        then finds them imported instead of importing them again. A module that no longer
        registers its check is left alone (its checks' outcomes say so)."""
        for spec in list(self._checks.values()):
            if isinstance(spec.function, _Deferred):
                try:
                    self.import_for(spec.id, spec.function.__module__, spec.function.ispkg)
                except SetupError:
                    continue

    def import_for(self, id: str, module: str, ispkg: bool) -> CheckFunction:
        """The function of a check a manifest described, its module imported now."""
        self._import(module, ispkg)  # by one thread, the others waiting (`_IMPORTING`)
        spec = self._checks.get(id)
        if spec is None or isinstance(spec.function, _Deferred):
            raise SetupError(
                f"the check module {module} no longer registers {id!r}; its package's "
                f"{manifest.FILE} is out of date (write it again: checklists manifest)"
            )
        return spec.function

    def _import(self, name: str, ispkg: bool) -> None:
        with _IMPORTING:  # another thread importing it: wait until its checks are here
            self._sources.pop(name, None)
            if self._pending.pop(name, None) is not None:
                _import_check_module(name, ispkg)

    def loaded(self) -> list[CheckSpec]:
        """The checks imported so far, by id, without importing any more."""
        return sorted(self._checks.values(), key=lambda spec: spec.id)

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and self.get(id) is not None

    def __iter__(self) -> Iterator[CheckSpec]:
        self.load_deferred()
        return iter(self.loaded())

    def __len__(self) -> int:
        self.load_deferred()
        return len(self._checks)

    def discoverer(self, function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Register the function that finds a target's services (`checklists.core.services`):
        `(Target) -> Discovered`. A check library registers at most one; the last wins."""
        self._discoverer = function
        return function

    def discover(self, target: object) -> Any:  # noqa: ANN401 - the discoverer's answer
        """The services the registered discoverer finds in the target; None without one.
        Deferred modules whose source registers a discoverer are imported first; when none
        does, every deferred module is (a discoverer registered in a way the index cannot
        read is still found, as `load_packages` would find it)."""
        for name, ispkg in self._discoverers:
            self._import(name, ispkg)
        if getattr(self, "_discoverer", None) is None and self._pending:
            self.load_deferred()
        function = getattr(self, "_discoverer", None)
        return None if function is None else function(target)


# Held while a deferred module is imported: a thread calling a described check waits for
# another thread's import of its module. A fork waits for it too (a child must not inherit
# it held by a thread it does not have) and the child starts with a fresh one.
_IMPORTING = threading.RLock()


def _hold() -> None:
    _IMPORTING.acquire()


def _let_go() -> None:
    _IMPORTING.release()


def _fresh_lock() -> None:
    global _IMPORTING  # noqa: PLW0603 - the child's own lock after a fork
    _IMPORTING = threading.RLock()


os.register_at_fork(before=_hold, after_in_parent=_let_go, after_in_child=_fresh_lock)


class _Deferred:
    """A described check's function: imports the check's module when called, then calls
    the function that module registered (in a build, in the worker process)."""

    def __init__(self, registry: Registry, id: str, module: str, name: str, ispkg: bool) -> None:
        self._registry, self._id, self.ispkg = registry, id, ispkg
        self.__module__, self.__name__, self.__qualname__ = module, name, name

    def __call__(self, *args: Any, **kwargs: Any) -> Outcome:  # noqa: ANN401 - the check's
        function = self._registry.import_for(self._id, self.__module__, self.ispkg)
        return function(*args, **kwargs)


def _manifest_of(
    package: ModuleType, entries: list[tuple[str, bool, list[str] | None, str]]
) -> dict[str, manifest.Described]:
    """The checks the package's manifest describes, when it matches the package's sources
    (every module's text the index read, the packages' own included); else none."""
    sources = _sources(package, entries)
    if sources is None:
        return {}  # a module whose source cannot be read: no digest to hold it to
    return manifest.read(manifest.path_of(getattr(package, "__file__", None)), sources)


def _sources(
    package: ModuleType, entries: list[tuple[str, bool, list[str] | None, str]]
) -> list[tuple[str, str]] | None:
    """(module, source) of the package and of every module the index read: what a
    manifest's digest is taken over; None when one of them cannot be read."""
    if any(ids is None for _, _, ids, _ in entries):
        return None
    file = getattr(package, "__file__", None)
    try:
        own = Path(file).read_text("utf-8") if file else ""
    except (OSError, UnicodeDecodeError):
        return None
    return [(package.__name__, own), *((name, text) for name, _, _, text in entries)]


def described(package_name: str) -> dict[str, manifest.Described]:
    """The checks the package's manifest describes; empty when it has none or it does not
    match the package's sources (out of date: `checklists manifest` writes it again)."""
    package = _import_package(package_name)
    return _manifest_of(package, list(_indexed(package)))


def write_manifest(package_name: str) -> Path:
    """Import the package and write its manifest (`checklists.core.manifest`)."""
    package = _import_package(package_name)
    file = getattr(package, "__file__", None)
    path = manifest.path_of(file)
    if path is None or file is None:
        raise SetupError(f"the check package {package_name!r} has no folder to hold a manifest")
    sources = _sources(package, list(_indexed(package)))
    if sources is None:
        raise SetupError(f"a module of {package_name!r} cannot be read: no manifest")
    load_packages([package_name])
    below = f"{package_name}."
    specs = [s for s in REGISTRY.loaded() if s.module.startswith(below)]
    write_atomic(
        path, manifest.text([manifest.entry(spec, path.parent) for spec in specs], sources)
    )
    return path


REGISTRY = Registry()
check = REGISTRY.check
metric = REGISTRY.metric
discoverer = REGISTRY.discoverer


def load_packages(packages: list[str], registry: Registry = REGISTRY) -> Registry:
    """Import every module of the given packages so their `@check`s register.

    Every module below a check package is imported: programs that hold no checks (`checklists
    measure`, the nginx scratch runner) live in their own packages beside the engine.
    """
    for package_name in packages:
        _load_below(_import_package(package_name))
    registry.load_deferred()
    return registry


def _import_package(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise SetupError(
            f"cannot import the check package {name!r}: {error}. "
            "Install the project (pip install -e .) or fix the 'checks' option."
        ) from error


def _import_check_module(name: str, ispkg: bool) -> ModuleType:
    try:
        return importlib.import_module(name)
    except SetupError:
        raise
    except Exception as error:
        kind = "package" if ispkg else "module"
        raise SetupError(
            f"cannot load the check {kind} {name}: {type(error).__name__}: {error}"
        ) from error


def _below(package: ModuleType) -> Iterator[pkgutil.ModuleInfo]:
    """The modules and subpackages of `package`."""
    path = getattr(package, "__path__", [])
    yield from pkgutil.iter_modules(path, f"{package.__name__}.")


def _load_below(package: ModuleType) -> None:
    for module in _below(package):
        loaded = _import_check_module(module.name, module.ispkg)
        if module.ispkg:
            _load_below(loaded)


# `@check("area.name"`, `@metric(\n    "area.name"`, `@registry.check(id="area.name"`: the id a
# decorator registers, as the index reads it from a module's source.
_REGISTERS = re.compile(r"@[\w.]*\b(?:check|metric)\(\s*(?:id\s*=\s*)?[\"']([a-z][a-z0-9_.]*)[\"']")
# `@discoverer` / `@registry.discoverer` on a line of its own: the module registers one.
_DISCOVERS = re.compile(r"^[ \t]*@[\w.]*\bdiscoverer[ \t]*$", re.MULTILINE)
_DISCOVERER = "@discoverer"  # the index's name for "registers a discoverer" (no id has "@")


def _indexed(package: ModuleType) -> Iterator[tuple[str, bool, list[str] | None, str]]:
    """(module, is a package, the ids its source registers or None if unreadable, the
    source) for every module below `package`, in `load_packages` order. Subpackages are
    imported (their `__init__` may skip modules); modules are read, not imported."""
    for module in _below(package):
        if module.ispkg:  # imported, checks of its __init__ and all, then read below
            loaded = _import_check_module(module.name, True)
            file = getattr(loaded, "__file__", None)
            try:  # its text, for a manifest's digest (it is imported: nothing to index)
                yield module.name, True, [], Path(file).read_text("utf-8") if file else ""
            except (OSError, UnicodeDecodeError):
                yield module.name, True, None, ""
            yield from _indexed(loaded)
            continue
        folder = getattr(module.module_finder, "path", None)
        short = module.name.rpartition(".")[2]
        try:
            text = Path(str(folder), f"{short}.py").read_text("utf-8")
        except (OSError, UnicodeDecodeError, TypeError):
            yield module.name, False, None, ""
            continue
        found = _REGISTERS.findall(text)
        # The plain test first: the line-anchored pattern costs ~80 us a module to rule out.
        discovers = "discoverer" in text and _DISCOVERS.search(text) is not None
        ids = [*found, _DISCOVERER] if discovers else found
        yield module.name, False, ids, text
