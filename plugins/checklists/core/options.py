"""The checks plugin's options: one table that both the MkDocs plugin and the command line
validate against, with the same messages.

`mkdocs build` reads mkdocs.yml through MkDocs, `checklists check` through `siteconfig`
without MkDocs; both hand the plugin's options to `validate`, so a value one accepts the
other accepts too, and a mistake reads the same in both: located in mkdocs.yml where the
line is known, an unknown name with the closest valid one, a wrong type with what was
found. Every problem is reported at once (`OptionsError`, a `SetupError`): the command
line exits 2 with it, the build fails with a PluginError.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from checklists.core.errors import SetupError

# The report formats the `reports` option takes. The table is `checklists.reports.FORMATS`
# (the core imports no report writer); its `register` adds each format's name here. The
# built-in names are listed so the options read the same before the reports are loaded
# (a program reading a site's options); a test holds them equal to the table's.
REPORT_FORMATS: list[str] = ["json", "junit", "sarif", "badges"]
MAX_VALUES = 100_000  # values the options may hold, YAML aliases expanded
MAX_DEPTH = 32  # levels of nesting the options may have

Locate = Callable[[tuple[str, ...]], str]  # an option's path -> "mkdocs.yml:12" or "mkdocs.yml"


class OptionsError(SetupError):
    """The plugin's options are wrong; `problems` lists each with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"the checklists plugin's options are not valid:\n{lines}")


class BadValueError(ValueError):
    """One option's value is wrong; `path` goes below the option (reports → pdf)."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    check: Callable[
        [str, object], object
    ]  # (name, value) -> the value to use; BadValueError if wrong
    default: object
    help: str


def _kind(value: object) -> str:
    """How a YAML value reads to a person: 'a string ('abc')', 'a list', ..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    hint = " (write it without quotes)" if isinstance(value, str) else ""
    raise BadValueError(f"`{name}` must be true or false, not {_kind(value)}{hint}")


def text(name: str, value: object) -> str:
    if isinstance(value, str):
        return value
    raise BadValueError(f"`{name}` must be a string, not {_kind(value)}")


def path(name: str, value: object) -> str:
    if isinstance(value, str) and value.strip() and "\x00" not in value:
        return value
    raise BadValueError(f"`{name}` must be a path (a non-empty string), not {_kind(value)}")


path_of = path  # for validators with an argument named `path`


def seconds(name: str, value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number > 0:
            return number
    raise BadValueError(f"`{name}` must be a number of seconds greater than 0, not {_kind(value)}")


def workers(name: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 256:
        return value
    raise BadValueError(f"`{name}` must be a whole number from 1 to 256, not {_kind(value)}")


def names(name: str, value: object) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return list(value)
    raise BadValueError(f"`{name}` must be a list of names (strings), not {_kind(value)}")


def parameters(name: str, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise BadValueError(
            f"`{name}` must be a mapping of parameter names to values, not {_kind(value)}"
        )
    for key in value:
        if not isinstance(key, str):
            raise BadValueError(f"`{name}` names a parameter {_kind(key)}; names are strings")
    return dict(value)


BUILD_KEYS = ("dockerfile", "context", "target", "image")
ENVIRONMENT_WORDS = ("service", "development")


def _unknown_key(name: str, key: object, valid: tuple[str, ...]) -> BadValueError:
    near = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
    hint = f"; did you mean `{near[0]}`?" if near else f" (it takes: {', '.join(valid)})"
    return BadValueError(f"`{name}` has an unknown key `{key}`{hint}", (str(key),))


def build(name: str, value: object, path: tuple[str, ...] = ()) -> dict[str, Any]:
    """A build: a mapping with a `dockerfile` and optionally context, target, image."""
    if not isinstance(value, Mapping):
        raise BadValueError(
            f"`{name}` must be a mapping with a `dockerfile` (and context, target, image), "
            f"not {_kind(value)}",
            path,
        )
    found: dict[str, Any] = {}
    for key, item in value.items():
        if key not in BUILD_KEYS:
            error = _unknown_key(name, key, BUILD_KEYS)
            raise BadValueError(str(error), (*path, *error.path))
        read = text if key in ("target", "image") else path_of
        try:
            found[str(key)] = read(f"{name}.{key}", item)
        except BadValueError as error:
            raise BadValueError(str(error), (*path, str(key))) from None
    if "dockerfile" not in found:
        raise BadValueError(f"`{name}` names no `dockerfile`: which image does it build?", path)
    return found


def environments(name: str, value: object) -> dict[str, object]:
    shape = (
        "a mapping of column names to builds (dockerfile, context, target, image) or to "
        "`service` / `development`"
    )
    if not isinstance(value, Mapping):
        raise BadValueError(f"`{name}` must be {shape}, not {_kind(value)}")
    found: dict[str, object] = {}
    for column, options in value.items():
        if not isinstance(column, str):
            raise BadValueError(f"`{name}` names a column {_kind(column)}; {shape}")
        if isinstance(options, str):
            if options not in ENVIRONMENT_WORDS:
                near = difflib.get_close_matches(options, ENVIRONMENT_WORDS, n=1)
                hint = f"; did you mean `{near[0]}`?" if near else ""
                raise BadValueError(
                    f"`{name}.{column}` must be a mapping (a build with a `dockerfile`) or "
                    f"one of {', '.join(ENVIRONMENT_WORDS)}, not {_kind(options)}{hint}",
                    (column,),
                )
            found[column] = options
            continue
        found[column] = build(f"{name}.{column}", options, (column,))
    return found


SERVICE_KEYS = (*BUILD_KEYS, "environments")


def services(name: str, value: object) -> dict[str, dict[str, Any]] | str | None:
    """`services`: name -> build (dockerfile, context, target, image) and `environments`;
    or `discover`: the services are found in the repository (`checklists.core.services`)."""
    if value is None or value == "discover":
        return value
    if isinstance(value, str):
        near = difflib.get_close_matches(value, ["discover"], n=1)
        hint = f"; did you mean `{near[0]}`?" if near else ""
        raise BadValueError(
            f"`{name}` must be `discover` or a mapping of service names to builds, "
            f"not {_kind(value)}{hint}"
        )
    if not isinstance(value, Mapping) or not value:
        raise BadValueError(
            f"`{name}` must be a mapping of service names to builds "
            f"(dockerfile, context, target, image, environments), not {_kind(value)}"
        )
    found: dict[str, dict[str, Any]] = {}
    for service, body in value.items():
        if not isinstance(service, str) or not service.strip():
            raise BadValueError(f"`{name}` names a service {_kind(service)}; names are strings")
        where = f"{name}.{service}"
        if not isinstance(body, Mapping):
            raise BadValueError(
                f"`{where}` must be a mapping with a `dockerfile`, not {_kind(body)}", (service,)
            )
        for key in body:
            if key not in SERVICE_KEYS:
                error = _unknown_key(where, key, SERVICE_KEYS)
                raise BadValueError(str(error), (service, *error.path))
        own = body.get("environments") or {}
        entry = build(where, {k: v for k, v in body.items() if k != "environments"}, (service,))
        try:
            columns = environments(f"{where}.environments", own)
        except BadValueError as error:
            raise BadValueError(str(error), (service, "environments", *error.path)) from None
        for column, spec in columns.items():
            if isinstance(spec, str):
                raise BadValueError(
                    f"`{where}.environments.{column}` must be a build (a mapping with a "
                    "`dockerfile`)",
                    (service, "environments", column),
                )
        entry["environments"] = columns
        found[service] = entry
    return found


def report_page(name: str, value: object) -> str:
    page = path(name, value)
    pure = PurePosixPath(page.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or pure.suffix != ".md":
        raise BadValueError(
            f"`{name}` must be a Markdown page inside the docs folder (like compliance.md), "
            f"not {_kind(value)}"
        )
    return page


def reports(name: str, value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise BadValueError(
            f"`{name}` must be a mapping of report formats ({', '.join(REPORT_FORMATS)}) "
            f"to paths, not {_kind(value)}"
        )
    found = {}
    for fmt, where in value.items():
        if fmt not in REPORT_FORMATS:
            near = difflib.get_close_matches(str(fmt), REPORT_FORMATS, n=1)
            hint = f"; did you mean `{near[0]}`?" if near else ""
            raise BadValueError(
                f"`{name}` has an unknown report format `{fmt}`"
                f" (the formats: {', '.join(REPORT_FORMATS)}){hint}",
                (str(fmt),),
            )
        found[str(fmt)] = path(f"{name}.{fmt}", where)
    return found


_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


def url(name: str, value: object) -> str:
    if value == "" or (isinstance(value, str) and _URL.fullmatch(value)):
        return value
    raise BadValueError(f"`{name}` must be an http:// or https:// URL, not {_kind(value)}")


def moved(where: str) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        raise BadValueError(f"`{name}` moved: {where}")

    return check


OPTIONS: tuple[Option, ...] = (
    Option("enabled", boolean, True, "false: the bindings stay comments, nothing runs or fails"),
    Option("target", path, "examples/autoforgenexus", "the repository, relative to mkdocs.yml"),
    Option("checks", names, ["checks"], "packages that register checks"),
    Option("defaults", parameters, {}, "parameters for every check declaring them, unless bound"),
    Option(
        "environments",
        environments,
        {},
        "column name -> a build (dockerfile, context, target, image), service or development",
    ),
    Option(
        "services",
        services,
        None,
        "discover, or name -> dockerfile, context, target, image, environments",
    ),
    Option(
        "value_columns",
        names,
        ["値", "Value", "サイズ", "Size"],
        "table columns that get observed values",
    ),
    Option("status_columns", names, ["ステータス", "Status"], "table columns that get verdicts"),
    Option("timeout", seconds, 30.0, "seconds one check may run"),
    Option("workers", workers, 4, "checks waiting on programs that run at the same time"),
    Option("require_evidence", boolean, False, "a ticked claim without evidence fails"),
    Option("require_bindings", boolean, False, "a checklist item without a binding fails"),
    Option("report_page", report_page, "compliance.md", "the generated compliance page"),
    Option("reports", reports, {}, "extra copies: json, junit, sarif, badges -> path"),
    Option("target_url", url, "", "the target's root in its repository, for links"),
    # Moved options: an error that says where to (no help: never suggested).
    Option(
        "catalog", moved("the catalog is the 'checklists-catalog' plugin (its `folder`)"), None, ""
    ),
    Option("samples", moved("to the 'checklists-catalog' plugin"), None, ""),
)
BY_NAME = {option.name: option for option in OPTIONS}
_CURRENT = [option.name for option in OPTIONS if option.help]  # what a suggestion may name


def defaults() -> dict[str, Any]:
    """Every option's default value (a fresh copy)."""
    return {o.name: _copy(o.default) for o in OPTIONS if o.help}


def _copy(value: object) -> object:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def validate(raw: object, locate: Locate | None = None) -> dict[str, Any]:
    """The options with defaults filled in; OptionsError listing every problem.

    `raw` is what mkdocs.yml holds under the plugin (None when it names the plugin with
    no options); `locate` turns an option's path into "mkdocs.yml:LINE" for the messages.
    """
    where = locate or (lambda path: "")
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        problem = f"the plugin's options must be a mapping (name: value), not {_kind(raw)}"
        raise OptionsError([f"{where(())}: {problem}" if where(()) else problem])
    problems: list[tuple[str, str]] = []  # (where, what): sorted by line for the message
    options = defaults()
    for key, value in raw.items():
        option = BY_NAME.get(key) if isinstance(key, str) else None
        if option is None:
            near = difflib.get_close_matches(str(key), _CURRENT, n=1, cutoff=0.6)
            hint = f"; did you mean `{near[0]}`?" if near else ""
            problems.append((where((str(key),)), f"unknown option `{key}`{hint}"))
            continue
        size = _too_big(value)
        if size:
            problems.append((where((key,)), f"`{key}` {size}"))
            continue
        try:
            options[key] = option.check(key, value)
        except BadValueError as error:
            problems.append((where((key, *error.path)), str(error)))
    if problems:
        problems.sort(key=lambda problem: _line(problem[0]))
        raise OptionsError([f"{at}: {what}" if at else what for at, what in problems])
    return options


def _line(location: str) -> int:
    number = location.rpartition(":")[2]
    return int(number) if number.isdigit() else 0


def _too_big(value: object) -> str | None:
    """What is wrong when a value is too large or too deep to use (YAML aliases can make a
    few lines stand for billions of values); None when it is fine.

    Counted over the shared structure, each distinct list or mapping once with the size it
    expands to, so the count itself stays cheap whatever the expansion.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[object, int, bool]] = [(value, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            return f"is nested more than {MAX_DEPTH} levels deep"
        children = (
            [*node.keys(), *node.values()]
            if isinstance(node, Mapping)
            else list(node)
            if isinstance(node, list | tuple)
            else None
        )
        if children is None or id(node) in sizes:
            continue
        if done:
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            sizes[id(node)] = min(total, MAX_VALUES + 1)
            continue
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children)
    if sizes.get(id(value), 1) > MAX_VALUES:
        return f"holds more than {MAX_VALUES:,} values (YAML aliases expanded)"
    return None
