"""Command lines of package managers, parsed the way each tool parses them; no judgement.

- apt-get and apt: apt's CommandLine class. Options may come anywhere, short options
  cluster (`-qy`), `--no-X` negates the boolean option X, `--X=value` and `-o Name=value`
  set a value, and booleans are read with apt's StringToBool (`0`, `no`, `false`, `off`,
  `without`, `disable` are false; `1`, `yes`, `true`, `on`, `with`, `enable` true).
- pip: `pip`, `pip3`, `pip3.13`, `python -m pip` and `uv pip`, with general options before
  the sub-command. pip reads options with optparse, which accepts any unambiguous prefix of
  a long option (`--no-cache` is `--no-cache-dir`).
- apk (Alpine), and the dependency installers of Python, Node, Go, Ruby, PHP and Rust
  (`dependency_install`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from checks.readers.shell import Command

__all__ = [
    "ApkCall",
    "AptCall",
    "DependencyInstall",
    "InstallScope",
    "PipCall",
    "apk_call",
    "apt_bool",
    "apt_call",
    "dependency_install",
    "pip_call",
]

Option = tuple[str, str | None]  # (name without dashes, value or None)

# --- apt ---------------------------------------------------------------------------------

_APT_SHORT_VALUED = frozenset("octaS")
_APT_LONG_VALUED = frozenset(
    {
        "option",
        "config-file",
        "target-release",
        "default-release",
        "host-architecture",
        "build-profiles",
        "solver",
        "planner",
        "snapshot",
    }
)
_APT_FALSE = frozenset({"no", "false", "without", "off", "disable"})
_APT_TRUE = frozenset({"yes", "true", "with", "on", "enable"})


def apt_bool(text: str) -> bool | None:
    """apt's StringToBool: True, False, or None when apt would not read it as a boolean."""
    value = text.strip().lower()
    if value in ("0", "1"):
        return value == "1"
    if value in _APT_FALSE:
        return False
    if value in _APT_TRUE:
        return True
    return None


@dataclass(frozen=True, slots=True)
class AptCall:
    """One apt-get or apt command line."""

    tool: str  # "apt-get" or "apt"
    action: str | None  # the first non-option word: "install", "update", ...
    options: tuple[Option, ...]  # in order, e.g. ("no-install-recommends", None), ("y", None)
    arguments: tuple[str, ...]  # the words after the action (package names)

    def config(self, name: str) -> tuple[str, ...]:
        """Values given to the configuration item `name` with -o/--option, in order."""
        found = []
        for key, value in self.options:
            if key in ("o", "option") and value is not None:
                item, sep, setting = value.partition("=")
                if sep and item.strip().lower() == name.lower():
                    found.append(setting)
        return tuple(found)

    @property
    def install_recommends(self) -> bool | None:
        """APT::Install-Recommends as this command line sets it; None when it does not."""
        result: bool | None = None
        for key, value in self.options:
            if key == "install-recommends":
                result = True if value is None else apt_bool(value)
            elif key == "no-install-recommends":
                result = False if value is None else _negate(apt_bool(value))
            elif key in ("o", "option") and value is not None:
                item, sep, setting = value.partition("=")
                if sep and item.strip().lower() == "apt::install-recommends":
                    result = apt_bool(setting)
        return result

    @property
    def assume_yes(self) -> bool:
        """Whether apt answers its prompts itself: -y, --yes, --assume-yes, -qq or the
        APT::Get::Assume-Yes setting."""
        result = False
        quiet = 0
        for key, value in self.options:
            if key in ("y", "yes", "assume-yes"):
                result = True if value is None else bool(apt_bool(value))
            elif key in ("no-yes", "no-assume-yes"):
                result = False
            elif key in ("q", "quiet"):
                quiet = int(value) if value is not None and value.isdigit() else quiet + 1
            elif key in ("o", "option") and value is not None:
                item, sep, setting = value.partition("=")
                if sep and item.strip().lower() == "apt::get::assume-yes":
                    result = bool(apt_bool(setting))
        return result or quiet >= 2


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def apt_call(cmd: Command) -> AptCall | None:
    """The apt-get/apt command line of `cmd`, None when it runs another program."""
    if cmd.program not in ("apt-get", "apt"):
        return None
    options: list[Option] = []
    positional: list[str] = []
    words = list(cmd.args)
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            positional.extend(words[i + 1 :])
            break
        if word.startswith("--"):
            name, sep, value = word[2:].partition("=")
            name = name.lower()
            if sep:
                options.append((name, value))
            elif name in _APT_LONG_VALUED and i + 1 < len(words):
                options.append((name, words[i + 1]))
                i += 1
            else:
                options.append((name, None))
        elif word.startswith("-") and len(word) > 1:
            j = 1
            while j < len(word):
                letter = word[j]
                rest = word[j + 1 :].removeprefix("=")
                if letter in _APT_SHORT_VALUED:
                    if rest:
                        options.append((letter, rest))
                    elif i + 1 < len(words):
                        options.append((letter, words[i + 1]))
                        i += 1
                    break
                if letter == "q" and rest.isdigit():
                    options.append(("q", rest))
                    break
                options.append((letter, None))
                j += 1
        else:
            positional.append(word)
        i += 1
    action = positional[0] if positional else None
    return AptCall(cmd.program, action, tuple(options), tuple(positional[1:]))


# --- apk ---------------------------------------------------------------------------------

_APK_SHORT_VALUED = frozenset("XptV")
_APK_LONG_VALUED = frozenset(
    {"repository", "root", "arch", "cache-dir", "keys-dir", "repositories-file", "virtual"}
)


@dataclass(frozen=True, slots=True)
class ApkCall:
    """One apk command line (Alpine's package manager)."""

    action: str | None  # "add", "update", "upgrade", "del", ...
    options: tuple[Option, ...]
    arguments: tuple[str, ...]

    @property
    def no_cache(self) -> bool:
        return any(key == "no-cache" for key, _ in self.options)


def apk_call(cmd: Command) -> ApkCall | None:
    if cmd.program != "apk":
        return None
    options, positional = _getopt(
        list(cmd.args), _APK_SHORT_VALUED, _APK_LONG_VALUED, missing="", end_marker=False
    )
    action = positional[0] if positional else None
    return ApkCall(action, tuple(options), tuple(positional[1:]))


# --- pip ---------------------------------------------------------------------------------

_PIP_PROGRAM = re.compile(r"pip[0-9.]*")
_PYTHON_PROGRAM = re.compile(r"python[0-9.]*")
_PIP_SHORT_VALUED = frozenset("rcetifCpbP")
_PIP_LONG_VALUED = frozenset(
    {
        *("requirement", "constraint", "editable", "target", "platform", "python-version"),
        *("implementation", "abi", "root", "prefix", "src", "upgrade-strategy"),
        *("config-settings", "global-option", "no-binary", "only-binary", "progress-bar"),
        *("root-user-action", "report", "group", "index-url", "extra-index-url"),
        *("find-links", "python", "log", "log-file", "local-log", "proxy", "retries"),
        *("timeout", "exists-action", "trusted-host", "cert", "client-cert", "cache-dir"),
        *("keyring-provider", "use-feature", "use-deprecated", "resume-retries"),
        # uv pip
        *("overrides", "extra", "index", "default-index", "index-strategy", "resolution"),
        *("prerelease", "exclude-newer", "link-mode", "python-platform", "torch-backend"),
        *("build-constraints", "reinstall-package", "upgrade-package", "refresh-package"),
        *("no-build-package", "no-binary-package"),
    }
)
# Python interpreter options that take a value, before `-m pip`.
_PYTHON_VALUED = frozenset({"-W", "-X", "-c"})


@dataclass(frozen=True, slots=True)
class PipCall:
    """One pip command line (pip, python -m pip, or uv pip)."""

    runner: str  # "pip" or "uv pip"
    action: str | None  # "install", "download", "wheel", "cache", ...
    options: tuple[Option, ...]  # long names without dashes; short ones as their letter
    arguments: tuple[str, ...]  # requirement specifiers and paths

    def values(self, *names: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.options if k in names and v is not None)

    def has(self, *names: str) -> bool:
        return any(k in names for k, _ in self.options)

    @property
    def requirement_files(self) -> tuple[str, ...]:
        return self.values("r", "requirement")

    @property
    def local_projects(self) -> tuple[str, ...]:
        """The local folders it installs (`.`, `./pkg`, `.[dev]`, `-e .`, `file:...`)."""
        found = [a for a in self.arguments if _is_local(a)]
        found += [e for e in self.values("e", "editable") if _is_local(e)]
        return tuple(found)

    def long_option(self, full: str, shortest: int) -> bool:
        """Whether the long option `full` is given, by its name or (as optparse allows) by
        a prefix at least `shortest` characters long; `--name=value` forms included."""
        return any(len(k) >= shortest and full.startswith(k) for k, _ in self.options if len(k) > 1)


def _is_local(requirement: str) -> bool:
    """A requirement that names a local folder or file rather than a package on an index."""
    text = requirement.strip()
    if text.startswith("file:"):
        return True
    path = re.split(r"\[", text, maxsplit=1)[0]
    return path.startswith((".", "/", "~")) or path.endswith((".whl", ".tar.gz", ".zip"))


def _pip_words(cmd: Command) -> tuple[str, list[str]] | None:
    """(runner, words after the program) for a pip command, None for anything else."""
    args = list(cmd.args)
    if _PIP_PROGRAM.fullmatch(cmd.program):
        return "pip", args
    if cmd.program == "uv" and args[:1] == ["pip"]:
        return "uv pip", args[1:]
    if _PYTHON_PROGRAM.fullmatch(cmd.program):
        i = 0
        while i < len(args) and args[i].startswith("-") and args[i] != "-m":
            i += 2 if args[i] in _PYTHON_VALUED else 1
        if args[i : i + 2] == ["-m", "pip"]:
            return "pip", args[i + 2 :]
    return None


def _pip_options(words: list[str]) -> tuple[list[Option], list[str]]:
    return _getopt(words, _PIP_SHORT_VALUED, _PIP_LONG_VALUED)


def _getopt(
    words: list[str],
    short_valued: frozenset[str],
    long_valued: frozenset[str],
    *,
    missing: str | None = None,
    end_marker: bool = True,
) -> tuple[list[Option], list[str]]:
    """Options and positional words of a getopt-style command line (pip, apk).

    `--name=value`, `--name value` for the long options in `long_valued`, bundled short
    flags with a value attached or in the next word for the letters in `short_valued`. A
    short option whose value is missing at the end gets `missing` (skipped when None); with
    `end_marker`, `--` ends the options.
    """
    options: list[Option] = []
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if end_marker and word == "--":
            positional.extend(words[i + 1 :])
            break
        if word.startswith("--"):
            name, sep, value = word[2:].partition("=")
            if sep:
                options.append((name, value))
            elif name in long_valued and i + 1 < len(words):
                options.append((name, words[i + 1]))
                i += 1
            else:
                options.append((name, None))
        elif word.startswith("-") and len(word) > 1:
            for j, letter in enumerate(word[1:], start=1):
                if letter in short_valued:
                    attached = word[j + 1 :]
                    if attached:
                        options.append((letter, attached))
                    elif i + 1 < len(words):
                        options.append((letter, words[i + 1]))
                        i += 1
                    elif missing is not None:
                        options.append((letter, missing))
                    break
                options.append((letter, None))
        else:
            positional.append(word)
        i += 1
    return options, positional


def pip_call(cmd: Command) -> PipCall | None:
    """The pip command line of `cmd`, None when it runs another program."""
    found = _pip_words(cmd)
    if found is None:
        return None
    runner, words = found
    options, positional = _pip_options(words)
    action = positional[0] if positional else None
    return PipCall(runner, action, tuple(options), tuple(positional[1:]))


# --- dependency installers ---------------------------------------------------------------


class InstallScope(Enum):
    """What an install command needs from the build context."""

    DEPENDENCIES = "dependencies"  # only the manifests: requirements, lock files
    PROJECT = "project"  # the project itself (its source), usually with its dependencies


@dataclass(frozen=True, slots=True)
class DependencyInstall:
    """A command that installs a project's dependencies from its manifests."""

    tool: str  # "pip", "uv", "poetry", "npm", "go", ...
    scope: InstallScope
    with_dependencies: bool = True  # False for `pip install --no-deps .`, `--only-root`
    text: str = ""  # the command as one line


def _only_options(words: tuple[str, ...]) -> bool:
    return all(w.startswith("-") for w in words)


def dependency_install(cmd: Command) -> DependencyInstall | None:
    """The dependency install `cmd` performs, None for any other command.

    pip installing named packages only (`pip install --upgrade pip`) is not a dependency
    install from manifests, nor is `npm install express`.
    """
    text = " ".join(cmd.argv)
    pip = pip_call(cmd)
    if pip is not None:
        return _pip_install(pip, text)
    program, args = cmd.program, cmd.args
    action = next((a for a in args if not a.startswith("-")), None)
    flags = {a.partition("=")[0] for a in args if a.startswith("-")}
    found = _python_project_install(program, action, flags, text)
    if found is None:
        found = _lockfile_install(program, action, args, text)
    return found


def _pip_install(pip: PipCall, text: str) -> DependencyInstall | None:
    """pip (or `uv pip`) installing requirement files, a dependency group or a project."""
    if pip.action == "sync" and pip.runner == "uv pip":
        return DependencyInstall("uv", InstallScope.DEPENDENCIES, text=text)
    if pip.action != "install":
        return None
    no_deps = pip.has("no-deps")
    if pip.local_projects:
        return DependencyInstall(
            pip.runner, InstallScope.PROJECT, with_dependencies=not no_deps, text=text
        )
    if pip.requirement_files or pip.has("group"):
        return DependencyInstall(pip.runner, InstallScope.DEPENDENCIES, text=text)
    return None


def _python_project_install(
    program: str, action: str | None, flags: set[str], text: str
) -> DependencyInstall | None:
    """uv, poetry, pdm and pipenv: the project itself, or only its dependencies."""
    scope = InstallScope.DEPENDENCIES
    if program == "uv" and action == "sync":
        deps_only = flags & {
            "--no-install-project",
            "--no-install-workspace",
            "--only-dev",
            "--only-group",
        }
        return DependencyInstall("uv", scope if deps_only else InstallScope.PROJECT, text=text)
    if program == "poetry" and action in ("install", "sync"):
        if "--no-root" in flags:
            return DependencyInstall("poetry", scope, text=text)
        only_root = "--only-root" in flags
        return DependencyInstall(
            "poetry", InstallScope.PROJECT, with_dependencies=not only_root, text=text
        )
    if program == "pdm" and action in ("install", "sync"):
        no_self = "--no-self" in flags
        return DependencyInstall("pdm", scope if no_self else InstallScope.PROJECT, text=text)
    if program == "pipenv" and action in ("install", "sync"):
        return DependencyInstall("pipenv", scope, text=text)
    return None


# (program, actions, only options may follow): installs from a manifest or lockfile alone.
_LOCKFILE_INSTALLS: tuple[tuple[str, tuple[str | None, ...], bool], ...] = (
    ("npm", ("ci", "clean-install", "install-clean"), False),
    ("npm", ("install", "i"), True),
    ("yarn", (None, "install"), True),
    ("pnpm", ("install", "i", "fetch"), True),
    ("bun", ("install", "i"), True),
    ("bundle", ("install",), False),
    ("bundler", ("install",), False),
    ("composer", ("install",), False),
    ("cargo", ("fetch",), False),
)


def _lockfile_install(
    program: str, action: str | None, args: tuple[str, ...], text: str
) -> DependencyInstall | None:
    """npm, yarn, pnpm, bun, go, bundler, composer and cargo installing what a manifest lists
    (`npm install express` names a package: no)."""
    scope = InstallScope.DEPENDENCIES
    if program == "go" and list(args[:2]) == ["mod", "download"]:
        return DependencyInstall("go", scope, text=text)
    rest = tuple(a for a in args if a != action)
    for name, actions, options_only in _LOCKFILE_INSTALLS:
        if program == name and action in actions and (not options_only or _only_options(rest)):
            return DependencyInstall("bundler" if name == "bundle" else name, scope, text=text)
    return None
