"""The layers of ARCHITECTURE.md ("Layers and allowed imports"), enforced on every import
statement of the source (module level or inside a function; relative imports resolved).

    engine        plugins/checklists/**          never imports the check library or a program;
                                                 inside it, four roles import downwards only:
        core      plugins/checklists/core/       the core alone
        reports   plugins/checklists/reports/    the core, the reports
        site      plugins/checklists/site/       the core, the reports, the site; the only
                                                 importers of mkdocs (plugin.py) and
                                                 markdown (extension.py, catalog.py)
        cli       plugins/checklists/cli/        every role, and the public API
        fleet     plugins/checklists/fleet/      every role; no role imports it
      and no module imports another's private (`_name`) names
    checks        checks/<area>/<check>.py, checks/common.py, checks/discovery.py, ...
    readers       checks/readers/**              the public API, the standard library, their
                                                 parsers and other readers; never a check
    programs      plugins/checklists_measure/, plugins/checklists_sandbox/

What a layer imports of the engine (only `checklists` itself, or the internals listed with
their reasons) is `tests/engine/test_public_api.py`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.test_public_api import INTERNAL
from tests.paths import ROOT

PROGRAMS = ("checklists_measure", "checklists_sandbox")

# The engine's roles (subpackages of `checklists`) and what each may import of the engine.
# `checklists` itself is the public API, for the command line's scaffold template; the
# doors beside the roles (`__init__`, `__main__`, `extension`) import what they expose.
ROLES = {
    "core": {"checklists.core"},
    "reports": {"checklists.core", "checklists.reports"},
    "site": {"checklists.core", "checklists.reports", "checklists.site"},
    "cli": {
        "checklists",
        "checklists.core",
        "checklists.reports",
        "checklists.site",
        "checklists.cli",
    },
    "fleet": {
        "checklists",
        "checklists.core",
        "checklists.reports",
        "checklists.site",
        "checklists.cli",
        "checklists.fleet",
    },
}
DOORS = {
    "plugins/checklists/__init__.py": {"checklists.core"},
    "plugins/checklists/__main__.py": {"checklists.cli"},
    "plugins/checklists/extension.py": {"checklists.site"},
}

# The site generators' libraries, and the one module each may be imported from.
SITE_LIBRARIES = {
    "mkdocs": {"plugins/checklists/site/plugin.py"},
    "material": {"plugins/checklists/site/plugin.py"},
    "pymdownx": {"plugins/checklists/site/plugin.py"},
    "markdown": {
        "plugins/checklists/site/extension.py",
        # The catalog renders its samples with the site's own Markdown extensions, imported
        # only when a site asks for it (the core install has no Markdown).
        "plugins/checklists/site/catalog.py",
    },
}
# The third-party parsers readers build on.
PARSERS = {"yaml", "re2", "crossplane", "jsonschema"}
# Check modules that run a program: only through the sandbox, each with its reason.
SANDBOX_USERS = {
    "checks/deploy/reverse_proxy.py": "runs `nginx -t` on a scratch copy of the target's config",
}
# What the programs take from the check library besides its readers, with the reason.
PROGRAM_USES_OF_CHECKS = {
    "checks.common": "measure finds the Dockerfile and its ignore file as the checks do",
}


def imports(path: Path, package: str) -> Iterator[tuple[str, int]]:
    """Every module `path` imports (absolute name) with its line; `package` is the dotted
    package the file is in, for relative imports."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
            if node.module and module in {"checks", "checks.readers"}:  # `from checks import x`
                names = [f"{module}.{a.name}" for a in node.names]
            if module == "checklists":  # `from checklists import core` names a role
                names = [f"{module}.{a.name}" if a.name in ROLES else module for a in node.names]
            yield from ((name, node.lineno) for name in names)


def sources(folder: Path, repo: Path) -> Iterator[tuple[str, str, int]]:
    """(file's name in the repository, an imported module, the line) for every import of
    the files below `folder`; packages are found from `repo` or `repo/plugins`."""
    for path in sorted(folder.rglob("*.py")):
        base = repo / "plugins" if path.is_relative_to(repo / "plugins") else repo
        parts = path.relative_to(base).with_suffix("").parts
        package = ".".join(parts[:-1])
        for module, line in imports(path, package):
            yield path.relative_to(repo).as_posix(), module, line


def top(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def site_library_breaks(repo: Path) -> list[str]:
    return [
        f"{name}:{line} imports {module}"
        for folder in (repo / "plugins", repo / "checks")
        for name, module, line in sources(folder, repo)
        if top(module) in SITE_LIBRARIES and name not in SITE_LIBRARIES[top(module)]
    ]


def engine_breaks(repo: Path) -> list[str]:
    return [
        f"{name}:{line} imports {module}"
        for name, module, line in sources(repo / "plugins" / "checklists", repo)
        if top(module) in {"checks", "checklists_measure", "checklists_sandbox"}
    ]


def role_breaks(repo: Path) -> list[str]:
    """Imports of the engine's modules that go across its roles the wrong way."""
    found = []
    engine = repo / "plugins" / "checklists"
    for name, module, line in sources(engine, repo):
        if top(module) != "checklists":
            continue
        parts = Path(name).relative_to("plugins/checklists").parts
        allowed = ROLES.get(parts[0]) if len(parts) > 1 else DOORS.get(name)
        if allowed is None:
            found.append(f"{name}: a module outside the roles ({', '.join(ROLES)})")
            continue
        inside = any(under(module, role) for role in allowed - {"checklists"})
        if not inside and not (module == "checklists" and "checklists" in allowed):
            found.append(f"{name}:{line} imports {module}")
    return found


def private_breaks(repo: Path) -> list[str]:
    """`from checklists.x import _name` in another module of the engine or a program: a
    helper two modules share gets a public name in one module (`core/scanner.py`)."""
    found = []
    for folder in ("checklists", *PROGRAMS):
        for path in sorted((repo / "plugins" / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "checklists"
                ):
                    for alias in node.names:
                        if alias.name.startswith("_") and not alias.name.startswith("__"):
                            where = path.relative_to(repo).as_posix()
                            found.append(
                                f"{where}:{node.lineno} imports {node.module}.{alias.name}"
                            )
    return found


def reader_breaks(repo: Path) -> list[str]:
    found = []
    for name, module, line in sources(repo / "checks" / "readers", repo):
        ok = (
            top(module) in sys.stdlib_module_names
            or top(module) in PARSERS
            or module == "checklists"
            or module in INTERNAL
            or under(module, "checks.readers")
        )
        if not ok:
            found.append(f"{name}:{line} imports {module}")
    return found


def check_breaks(repo: Path) -> list[str]:
    found = []
    for name, module, line in sources(repo / "checks", repo):
        if name.startswith("checks/readers/"):
            continue
        if under(module, "checklists_measure") or (
            under(module, "checklists_sandbox") and name not in SANDBOX_USERS
        ):
            found.append(f"{name}:{line} imports {module}")
    return found


def program_breaks(repo: Path, program: str) -> list[str]:
    found = []
    for name, module, line in sources(repo / "plugins" / program, repo):
        if top(module) == "checks":
            ok = under(module, "checks.readers") or module in PROGRAM_USES_OF_CHECKS
        elif top(module) == "checklists":
            ok = module == "checklists" or module in INTERNAL
        elif top(module) == "checklists_measure":  # the sandbox never runs the measure program
            ok = program == "checklists_measure"
        else:
            ok = top(module) not in SITE_LIBRARIES
        if not ok:
            found.append(f"{name}:{line} imports {module}")
    return found


def test_only_the_site_wiring_imports_the_site_generators() -> None:
    assert site_library_breaks(ROOT) == []


def test_the_engine_never_imports_the_check_library_or_a_program() -> None:
    assert engine_breaks(ROOT) == []


def test_the_engines_roles_import_downwards_only() -> None:
    assert role_breaks(ROOT) == []
    engine = ROOT / "plugins" / "checklists"
    for role in ROLES:
        assert (engine / role / "__init__.py").is_file(), role
    beside = {f"plugins/checklists/{path.name}" for path in engine.glob("*.py")}
    assert beside == set(DOORS)  # every other module is in a role


def test_no_module_imports_another_modules_private_names() -> None:
    assert private_breaks(ROOT) == []


def test_readers_import_only_the_api_the_standard_library_their_parsers_and_readers() -> None:
    assert reader_breaks(ROOT) == []


def test_check_modules_never_import_the_programs() -> None:
    assert check_breaks(ROOT) == []
    for name in SANDBOX_USERS:
        assert (ROOT / name).is_file(), name


@pytest.mark.parametrize("program", PROGRAMS)
def test_the_programs_use_the_public_api_and_the_readers(program: str) -> None:
    assert (ROOT / "plugins" / program).is_dir()
    assert program_breaks(ROOT, program) == []


def test_the_check_library_holds_no_program() -> None:
    """`checks/` is readers plus one module per check (and their shared helpers): nothing
    in it starts a process."""
    runs = [
        f"{name}:{line} imports {module}"
        for name, module, line in sources(ROOT / "checks", ROOT)
        if top(module) in {"subprocess", "multiprocessing"}
    ]
    assert runs == []


def test_the_walk_sees_every_kind_of_break(tmp_path: Path) -> None:
    files = {
        "plugins/checklists/site/render.py": "def f():\n    import mkdocs.utils\n",
        "plugins/checklists/core/engine.py": "from checks.common import ignore_file\n",
        "plugins/checklists/fleet/scan.py": "import checklists_sandbox\n",
        "checks/readers/a.py": "from checks.dockerfile import multi_stage\nimport requests\n",
        "checks/readers/b.py": "from . import a\nfrom .. import common\n"
        "from checklists.core.runner import x\n",
        "checks/area/c.py": "from checklists_measure import command\n",
        "checks/area/d.py": "from checklists_sandbox import sandbox\n",
        "plugins/checklists_measure/e.py": "from checks.area import c\nfrom .steps import s\n",
        "plugins/checklists_sandbox/f.py": "from checklists_measure import engine\n",
        "plugins/checklists/core/g.py": "from checklists.reports import FORMATS\n"
        "from checklists import site\nfrom . import runner\nfrom ..cli import main\n",
        "plugins/checklists/reports/h.py": "from checklists.site.render import esc\n"
        "from checklists.core.engine import Run\nfrom checklists import tr\n",
        "plugins/checklists/site/i.py": "import checklists.cli.commands\n"
        "from checklists.fleet import svg\nfrom checklists.reports import compliance\n",
        "plugins/checklists/cli/j.py": "from checklists import Target, reports, site\n"
        "from checklists.fleet.model import build\n",
        "plugins/checklists/k.py": "from checklists.core import engine\n",
        "plugins/checklists/core/m.py": "from checklists.core.bindings import _Scanner\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    assert site_library_breaks(tmp_path) == [
        "plugins/checklists/site/render.py:2 imports mkdocs.utils"
    ]
    assert engine_breaks(tmp_path) == [
        "plugins/checklists/core/engine.py:1 imports checks.common",
        "plugins/checklists/fleet/scan.py:1 imports checklists_sandbox",
    ]
    assert reader_breaks(tmp_path) == [
        "checks/readers/a.py:1 imports checks.dockerfile",
        "checks/readers/a.py:2 imports requests",
        "checks/readers/b.py:2 imports checks.common",
        "checks/readers/b.py:3 imports checklists.core.runner",
    ]
    assert check_breaks(tmp_path) == [
        "checks/area/c.py:1 imports checklists_measure",
        "checks/area/d.py:1 imports checklists_sandbox",
    ]
    assert program_breaks(tmp_path, "checklists_measure") == [
        "plugins/checklists_measure/e.py:1 imports checks.area"
    ]
    assert program_breaks(tmp_path, "checklists_sandbox") == [
        "plugins/checklists_sandbox/f.py:1 imports checklists_measure"
    ]
    assert role_breaks(tmp_path) == [
        "plugins/checklists/cli/j.py:2 imports checklists.fleet.model",
        "plugins/checklists/core/g.py:1 imports checklists.reports",
        "plugins/checklists/core/g.py:2 imports checklists.site",
        "plugins/checklists/core/g.py:4 imports checklists.cli",
        "plugins/checklists/k.py: a module outside the roles (core, reports, site, cli, fleet)",
        "plugins/checklists/reports/h.py:1 imports checklists.site.render",
        "plugins/checklists/reports/h.py:3 imports checklists",
        "plugins/checklists/site/i.py:1 imports checklists.cli.commands",
        "plugins/checklists/site/i.py:2 imports checklists.fleet",
    ]
    assert private_breaks(tmp_path) == [
        "plugins/checklists/core/m.py:1 imports checklists.core.bindings._Scanner"
    ]
