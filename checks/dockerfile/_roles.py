"""Shared by the image-role checks (dev_image, production_image): what an image's commands
install and run, read from the build model. No verdicts here; the checks judge.

- `dev_installs`: the RUN commands of the image's chain that install development
  dependencies: a local project with a development extra (`pip install -e ".[dev]"`),
  a requirements file named for development (`requirements-dev.txt`,
  `requirements/test.txt`), a dependency group (`pip install --group dev`), development
  tools by name (pytest, ruff, mypy, ...), or a dependency manager whose install takes the
  development group by default (`uv sync`, `poetry install`, `pdm install`, `npm ci`,
  `yarn install`, `pnpm install`) without the option that leaves it out.
- `build_tools`: the packages of apt-get/apt/apk installs in the chain that are compilers
  or headers (gcc, g++, make, build-essential, `*-dev`, `build-base`, `musl-dev`).
- `reload_server`: whether the image's ENTRYPOINT/CMD runs a server that reloads on code
  changes (uvicorn/hypercorn/gunicorn `--reload`, `flask run --debug|--reload`, Django's
  `runserver` without `--noreload`, `fastapi dev`, `watchmedo auto-restart`, nodemon).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from checklists import tr
from checks.readers.build_model import Build, ImageConfig
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import Stage, shell_script
from checks.readers.package_commands import PipCall, apk_call, apt_call, pip_call
from checks.readers.shell import Command, command, commands

DEV_EXTRAS = frozenset(
    {"dev", "devel", "develop", "development", "test", "tests", "testing", "lint", "typing"}
)
DEV_TOOLS = frozenset(
    {
        *("pytest", "ruff", "mypy", "black", "flake8", "pylint", "isort", "coverage"),
        *("pre-commit", "tox", "nox", "debugpy", "ipdb", "ipython", "pytest-cov", "bandit"),
    }
)
_DEV_FILE = re.compile(
    r"(?:^|[/_.-])(?:dev|devel|develop|development|test|tests|testing|lint)(?:[/_.-]|$)"
)
_EXTRAS = re.compile(r"\[([^\]]*)\]")
_TOOLCHAIN = frozenset(
    {
        *("gcc", "g++", "cc", "clang", "make", "cmake", "build-essential", "build-base"),
        *("musl-dev", "libc-dev", "libc6-dev", "linux-headers", "autoconf", "automake"),
        *("pkg-config", "pkgconf", "gfortran", "cargo", "rustc"),
    }
)


@dataclass(frozen=True, slots=True)
class Found:
    """One command of the image that matters to its role, with where it is."""

    stage: Stage
    instruction: Instruction
    command: str  # the command as one line
    what: str  # the detail: the extra, the file, the tool, the package


def _runs(build: Build) -> Iterator[tuple[Stage, Instruction, Mapping[str, str | None], Command]]:
    for stage, instruction, variables in build.walk_chain():
        if instruction.keyword != "run":
            continue
        for found in commands(shell_script(instruction)):
            if found.argv:
                yield stage, instruction, variables, found


def _package(name: str) -> str:
    """The distribution name of a requirement specifier ('pytest>=8' -> 'pytest')."""
    return re.split(r"[<>=!~;\[ @]", name.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _flags(cmd: Command) -> set[str]:
    return {a.partition("=")[0] for a in cmd.args if a.startswith("-")}


def _option_values(cmd: Command, *names: str) -> list[str]:
    values, args = [], list(cmd.args)
    for index, word in enumerate(args):
        name, sep, value = word.partition("=")
        if name in names:
            if sep:
                values.append(value)
            elif index + 1 < len(args):
                values.append(args[index + 1])
    return values


def _dev_in(cmd: Command, variables: Mapping[str, str | None]) -> str | None:
    """What makes `cmd` install development dependencies, or None."""
    pip = pip_call(cmd)
    if pip is not None:
        return _pip_dev(pip)
    program, flags = cmd.program, _flags(cmd)
    action = next((a for a in cmd.args if not a.startswith("-")), None)
    if program in ("npm", "yarn", "pnpm"):
        return _node_dev(cmd, program, action, flags, variables)
    return _python_manager_dev(cmd, program, action, flags)


def _pip_dev(pip: PipCall) -> str | None:
    """pip installing a dev extra, a dev requirements file, a dev group or a dev tool."""
    if pip.action != "install":
        return None
    for project in pip.local_projects:
        for group in _EXTRAS.findall(project):
            extras = {e.strip().lower() for e in group.split(",")}
            if extras & DEV_EXTRAS:
                return f"extra [{','.join(sorted(extras & DEV_EXTRAS))}]"
    for path in pip.requirement_files:
        if _DEV_FILE.search(path.lower().removesuffix(".txt").removesuffix(".in")):
            return f"-r {path}"
    for group in pip.values("group"):
        if group.partition(":")[2].lower() in DEV_EXTRAS or group.lower() in DEV_EXTRAS:
            return f"--group {group}"
    tools = sorted({_package(a) for a in pip.arguments} & DEV_TOOLS)
    return ", ".join(tools) if tools else None


def _python_manager_dev(
    cmd: Command, program: str, action: str | None, flags: set[str]
) -> str | None:
    """uv, poetry and pdm install the dev group unless told not to; pipenv only with --dev."""
    if program == "uv" and action == "sync":
        groups = {g.lower() for g in _option_values(cmd, "--group", "--extra", "--only-group")}
        if groups & DEV_EXTRAS or flags & {"--all-groups", "--all-extras", "--dev"}:
            return tr("uv sync (development group)", "uv sync（開発グループ）")
        if flags & {"--no-dev", "--only-group", "--no-default-groups"}:
            return None
        return tr(
            "uv sync (installs the dev group by default)", "uv sync（既定で dev グループを入れる）"
        )
    if program == "poetry" and action in ("install", "sync"):
        without = {g.lower() for g in _option_values(cmd, "--without", "--only")}
        if flags & {"--no-dev"} or "dev" in without or "main" in without:
            return None
        return tr(
            "poetry install (installs the dev group by default)",
            "poetry install（既定で dev グループを入れる）",
        )
    if program == "pdm" and action in ("install", "sync"):
        if flags & {"--prod", "--production"}:
            return None
        return tr(
            "pdm install (installs dev dependencies by default)",
            "pdm install（既定で開発用の依存関係を入れる）",
        )
    if program == "pipenv" and action in ("install", "sync") and "--dev" in flags:
        return "pipenv --dev"
    return None


def _node_dev(
    cmd: Command,
    program: str,
    action: str | None,
    flags: set[str],
    variables: Mapping[str, str | None],
) -> str | None:
    """npm, yarn and pnpm install devDependencies unless in production mode."""
    install = {"npm": ("ci", "install", "i", "clean-install"), "yarn": (None, "install")}
    if action not in install.get(program, ("install", "i")):
        return None
    if program != "yarn" and any(a for a in cmd.args[1:] if not a.startswith("-")):
        return None  # npm install <package>: not the project's dependencies
    production = flags & {"--production", "--prod", "-P"} or any(
        v in ("dev", "development") for v in _option_values(cmd, "--omit")
    )
    node_env = cmd.assignments.get("NODE_ENV") or variables.get("NODE_ENV")
    if production or node_env == "production":
        return None
    return tr(
        "{program} {action} (installs devDependencies)",
        "{program} {action}（devDependencies を入れる）",
        program=program,
        action=action or "install",
    )


def dev_installs(build: Build) -> list[Found]:
    """The installs of development dependencies in the image's chain."""
    found = []
    for stage, instruction, variables, cmd in _runs(build):
        what = _dev_in(cmd, variables)
        if what is not None:
            found.append(Found(stage, instruction, " ".join(cmd.argv), what))
    return found


def build_tools(build: Build) -> list[Found]:
    """The compilers and headers the image's chain installs with apt or apk."""
    found = []
    for stage, instruction, _, cmd in _runs(build):
        packages: tuple[str, ...] = ()
        apt = apt_call(cmd)
        if apt is not None and apt.action == "install":
            packages = apt.arguments
        apk = apk_call(cmd) if apt is None else None
        if apk is not None and apk.action == "add":
            packages = apk.arguments
        tools = [
            p
            for p in packages
            if (name := p.split("=", 1)[0].lower()) in _TOOLCHAIN or name.endswith("-dev")
        ]
        if tools:
            found.append(Found(stage, instruction, " ".join(cmd.argv), " ".join(tools)))
    return found


_RELOAD_FLAGS = {
    "uvicorn": ("--reload",),
    "hypercorn": ("--reload",),
    "gunicorn": ("--reload",),
    "granian": ("--reload",),
}


def _command_words(config: ImageConfig) -> list[list[str]]:
    """The image's process as commands: ENTRYPOINT + CMD in exec form, or the commands of a
    shell-form one (as `/bin/sh -c` runs them)."""
    words: list[str] = []
    for setting in (config.entrypoint, config.cmd):
        if setting is None:
            continue
        instruction = setting.instruction
        if instruction.json_form:
            words.extend(instruction.args)
        else:
            return [list(c.argv) for c in commands(" ".join(instruction.args))]
    if not words:
        return []
    if words[:2] in (["/bin/sh", "-c"], ["sh", "-c"], ["/bin/bash", "-c"], ["bash", "-c"]):
        return [list(c.argv) for c in commands(" ".join(words[2:]))]
    return [list(command(words).argv)]


# Runners that start the program after them: `npx nodemon`, `uv run uvicorn`, `poetry run`.
_RUNNERS = {"npx": 1, "uv": 2, "poetry": 2, "pdm": 2, "pipenv": 2, "hatch": 2, "rye": 2}


def _unwrapped(argv: list[str]) -> tuple[str, list[str]]:
    """The program a command really starts, past a runner (`uv run`, `npx`), and its args."""
    words = argv
    while words:
        program = words[0].rsplit("/", 1)[-1]
        skip = _RUNNERS.get(program)
        if skip == 2 and words[1:2] != ["run"]:
            skip = None
        if skip is None or len(words) <= skip:
            return program, words[1:]
        words = words[skip:]
        while words and words[0].startswith("-"):  # the runner's own options
            words = words[1:]
    return "", []


def reload_server(config: ImageConfig) -> str | None:
    """The command of the image that reloads on code changes, or None."""
    for argv in _command_words(config):
        if not argv:
            continue
        program, args = _unwrapped(argv)
        if program.startswith("python") and args[:1] == ["-m"] and len(args) > 1:
            program, args = args[1], args[2:]
        shown = " ".join(argv)
        flags = {a.partition("=")[0] for a in args}
        if program in _RELOAD_FLAGS and flags & {*_RELOAD_FLAGS[program], "--reload-dir"}:
            return shown
        if program == "flask" and "run" in args and flags & {"--debug", "--reload"}:
            return shown
        if program == "fastapi" and args[:1] == ["dev"] and "--no-reload" not in flags:
            return shown
        if "runserver" in args and "--noreload" not in flags:
            return shown
        if program == "watchmedo" and args[:1] == ["auto-restart"]:
            return shown
        if program in ("nodemon", "air", "reflex"):
            return shown
    return None
