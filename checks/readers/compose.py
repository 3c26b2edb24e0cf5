"""Reader for Compose files (`compose.yaml`, `docker-compose.yml`, `docker-compose.dev.yml`...).

Follows the Compose Specification as Docker Compose v2 (compose-go) reads a file:

* YAML 1.2 core schema (`checks.readers.located_yaml`): `yes` and `on` are strings, a
  duplicate key is an error; every service and key keeps its 1-based line.
* Merge keys: `<<: *anchor` and `<<: [*a, *b]` are merged as YAML specifies (keys written
  in the mapping win, then the first merged mapping), so the usual `x-defaults: &defaults`
  blocks apply. Extension fields (`x-...`) are otherwise ignored.
* `${VAR}` / `${VAR:-default}` interpolation is not performed: values are kept as written,
  and checks decide what an unresolved value means. `$$` stays `$$`.
* `environment:` in both forms: the list (`- KEY=value`, `- KEY` with no value) and the
  mapping (`KEY: value`, `KEY:` with no value). A missing value means Compose takes it from
  the shell at run time, and is `None` here; `KEY=` is the empty string.
* `env_file:` as a string, a list of strings, or the long form (`- path: x`,
  `required: false`, Compose 2.24 and later); `required` defaults to true.
* `logging` (driver and options), `mem_limit`, `cpus`, `deploy.resources.limits`
  (memory, cpus), `healthcheck` (the test normalised as Compose normalises it: a string is
  `["CMD-SHELL", string]`; `disable: true` and `test: ["NONE"]` both switch it off),
  `build` (a string is the context), `image`, and `secrets` at the service and top level.

Numbers are kept as their text (`cpus: 0.5` is `"0.5"`). Not followed: `include:`,
`extends:`, and the `!reset` / `!override` tags (their values are read as written). A file
that Compose would reject for its shape (services not a mapping, `environment` a number)
raises `InputError` with the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from checklists import InputError, tr
from checks.readers.located_yaml import YList, YMap, load, scalar_text

__all__ = [
    "Build",
    "ComposeFile",
    "EnvFile",
    "EnvVar",
    "Healthcheck",
    "Limits",
    "Logging",
    "Secret",
    "SecretRef",
    "Service",
    "Value",
    "interpolate",
    "read_compose",
]


@dataclass(frozen=True, slots=True)
class Value:
    """A scalar as written, with its line."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    value: str | None  # None: no value in the file, Compose takes it from the shell
    line: int


@dataclass(frozen=True, slots=True)
class EnvFile:
    path: str
    required: bool
    line: int


@dataclass(frozen=True, slots=True)
class Build:
    context: str
    dockerfile: str | None
    line: int
    target: str | None = None  # the build stage (`build.target`), None for the last one


@dataclass(frozen=True, slots=True)
class Logging:
    driver: str | None  # None: the engine's default driver (json-file unless configured)
    options: Mapping[str, str]
    line: int


@dataclass(frozen=True, slots=True)
class Healthcheck:
    test: tuple[str, ...]  # ("CMD", ...), ("CMD-SHELL", "..."), ("NONE",) or () if not given
    disable: bool
    line: int

    @property
    def enabled(self) -> bool:
        return not self.disable and self.test[:1] != ("NONE",)


@dataclass(frozen=True, slots=True)
class Limits:
    """`deploy.resources.limits`."""

    memory: Value | None
    cpus: Value | None
    line: int


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A service's `secrets:` entry (short form or `source:` of the long form)."""

    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Secret:
    """A top-level `secrets:` definition."""

    name: str
    file: str | None
    environment: str | None
    external: bool
    line: int


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    line: int
    image: Value | None = None
    build: Build | None = None
    environment: tuple[EnvVar, ...] = ()
    env_files: tuple[EnvFile, ...] = ()
    logging: Logging | None = None
    mem_limit: Value | None = None
    cpus: Value | None = None
    limits: Limits | None = None
    healthcheck: Healthcheck | None = None
    secrets: tuple[SecretRef, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=dict)  # line of each key as written


@dataclass(frozen=True, slots=True)
class ComposeFile:
    services: tuple[Service, ...]
    secrets: tuple[Secret, ...] = ()

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)


def read_compose(data: bytes) -> ComposeFile:
    """Parse a Compose file. InputError for bad YAML or a shape Compose rejects."""
    document = load(data)
    if document is None:
        raise InputError(tr("the Compose file is empty", "Compose ファイルが空"))
    document = _merged(document, {})
    if not isinstance(document, YMap):
        raise InputError(
            tr(
                "a Compose file is a mapping with a `services:` key",
                "Compose ファイルは `services:` キーを持つマッピングでなければならない",
            ),
            line=1,
        )
    services = document.get("services")
    if services is None:
        service_list: tuple[Service, ...] = ()
    elif isinstance(services, YMap):
        service_list = tuple(
            _service(name, body, services.line_of(name)) for name, body in services.items()
        )
    else:
        raise InputError(
            tr("`services` must be a mapping", "`services` はマッピングでなければならない"),
            line=document.line_of("services"),
        )
    return ComposeFile(service_list, _top_secrets(document))


# -- merge keys ---------------------------------------------------------------------------


def _merged(value: object, memo: dict[int, object]) -> object:
    """The value with YAML merge keys (`<<`) applied at every level."""
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, YList):
        items = YList(value.line)
        memo[id(value)] = items
        items.extend(_merged(item, memo) for item in value)
        items.item_lines.extend(value.item_lines)
        return items
    if not isinstance(value, YMap):
        return value
    mapping = YMap(value.line)
    memo[id(value)] = mapping
    sources = value.get("<<")
    if sources is not None:
        merged = [sources] if isinstance(sources, YMap) else sources
        if not isinstance(merged, list) or not all(isinstance(m, YMap) for m in merged):
            raise InputError(
                tr(
                    "`<<` must merge a mapping or a list of mappings",
                    "`<<` でマージできるのはマッピングかマッピングのリストだけ",
                ),
                line=value.line,
            )
        for source in merged:
            resolved = _merged(source, memo)
            assert isinstance(resolved, YMap)
            for key, item in resolved.items():
                if key not in mapping:
                    mapping[key] = item
                    mapping.key_lines[key] = source.line_of(key)
    for key, item in value.items():
        if key == "<<":
            continue
        mapping[key] = _merged(item, memo)
        mapping.key_lines[key] = value.line_of(key)
    return mapping


# -- services -----------------------------------------------------------------------------


def _text(value: object, line: int, what: str) -> str:
    if isinstance(value, YMap | YList):
        raise InputError(
            tr("{what} must be a single value", "{what} は単一の値でなければならない", what=what),
            line=line,
        )
    return scalar_text(value)


def _value(mapping: YMap, key: str, what: str) -> Value | None:
    if key not in mapping or mapping[key] is None:
        return None
    line = mapping.line_of(key)
    return Value(_text(mapping[key], line, what), line)


def _mapping(mapping: YMap, key: str, what: str) -> YMap | None:
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, YMap):
        raise InputError(
            tr("{what} must be a mapping", "{what} はマッピングでなければならない", what=what),
            line=mapping.line_of(key),
        )
    return value


def _service(name: str, body: object, line: int) -> Service:
    if not isinstance(body, YMap):
        raise InputError(
            tr(
                "service {name!r} must be a mapping",
                "サービス {name!r} はマッピングでなければならない",
                name=name,
            ),
            line=line,
        )
    where = f"services.{name}"
    deploy = _mapping(body, "deploy", f"{where}.deploy")
    resources = _mapping(deploy, "resources", f"{where}.deploy.resources") if deploy else None
    limits = (
        _mapping(resources, "limits", f"{where}.deploy.resources.limits") if resources else None
    )
    return Service(
        name=name,
        line=line,
        image=_value(body, "image", f"{where}.image"),
        build=_build(body, where),
        environment=tuple(_environment(body, where)),
        env_files=tuple(_env_files(body, where)),
        logging=_logging(body, where),
        mem_limit=_value(body, "mem_limit", f"{where}.mem_limit"),
        cpus=_value(body, "cpus", f"{where}.cpus"),
        limits=(
            Limits(
                _value(limits, "memory", f"{where}.deploy.resources.limits.memory"),
                _value(limits, "cpus", f"{where}.deploy.resources.limits.cpus"),
                limits.line,
            )
            if limits is not None
            else None
        ),
        healthcheck=_healthcheck(body, where),
        secrets=tuple(_secret_refs(body, where)),
        key_lines=dict(body.key_lines),
    )


def _build(body: YMap, where: str) -> Build | None:
    build = body.get("build")
    if build is None:
        return None
    line = body.line_of("build")
    if isinstance(build, YMap):
        context = build.get("context")
        dockerfile = build.get("dockerfile")
        stage = build.get("target")
        return Build(
            _text(context, line, f"{where}.build.context") if context is not None else ".",
            _text(dockerfile, line, f"{where}.build.dockerfile") if dockerfile else None,
            line,
            _text(stage, line, f"{where}.build.target") if stage else None,
        )
    return Build(_text(build, line, f"{where}.build"), None, line)


def _environment(body: YMap, where: str) -> Iterator[EnvVar]:
    environment = body.get("environment")
    if environment is None:
        return
    line = body.line_of("environment")
    if isinstance(environment, YMap):
        for key, value in environment.items():
            key_line = environment.line_of(key)
            text = None if value is None else _text(value, key_line, f"{where}.environment")
            yield EnvVar(key, text, key_line)
    elif isinstance(environment, YList):
        for item, item_line in zip(environment, environment.item_lines, strict=True):
            entry = _text(item, item_line, f"{where}.environment entries")
            name, equals, value = entry.partition("=")
            yield EnvVar(name, value if equals else None, item_line)
    else:
        raise InputError(
            tr(
                "{where}.environment must be a list or a mapping",
                "{where}.environment はリストかマッピングでなければならない",
                where=where,
            ),
            line=line,
        )


def _env_files(body: YMap, where: str) -> Iterator[EnvFile]:
    env_file = body.get("env_file")
    if env_file is None:
        return
    line = body.line_of("env_file")
    entries = env_file if isinstance(env_file, YList) else [env_file]
    lines = env_file.item_lines if isinstance(env_file, YList) else [line]
    for entry, entry_line in zip(entries, lines, strict=True):
        if isinstance(entry, YMap):
            path = entry.get("path")
            if path is None:
                raise InputError(
                    tr(
                        "{where}.env_file entries need a `path`",
                        "{where}.env_file の各項目には `path` が必要",
                        where=where,
                    ),
                    line=entry_line,
                )
            required = entry.get("required", True)
            yield EnvFile(
                _text(path, entry_line, f"{where}.env_file.path"),
                required is not False and str(required).lower() != "false",
                entry_line,
            )
        else:
            yield EnvFile(_text(entry, entry_line, f"{where}.env_file"), True, entry_line)


def _logging(body: YMap, where: str) -> Logging | None:
    logging = _mapping(body, "logging", f"{where}.logging")
    if logging is None:
        return None
    options = _mapping(logging, "options", f"{where}.logging.options") or YMap(logging.line)
    driver = _value(logging, "driver", f"{where}.logging.driver")
    return Logging(
        driver.text if driver else None,
        {
            key: _text(value, options.line_of(key), f"{where}.logging.options")
            for key, value in options.items()
        },
        body.line_of("logging"),
    )


def _healthcheck(body: YMap, where: str) -> Healthcheck | None:
    health = _mapping(body, "healthcheck", f"{where}.healthcheck")
    if health is None:
        return None
    test = health.get("test")
    line = health.line_of("test")
    if test is None:
        words: tuple[str, ...] = ()
    elif isinstance(test, YList):
        words = tuple(_text(word, line, f"{where}.healthcheck.test") for word in test)
    else:
        words = ("CMD-SHELL", _text(test, line, f"{where}.healthcheck.test"))
    return Healthcheck(words, health.get("disable") is True, body.line_of("healthcheck"))


def _secret_refs(body: YMap, where: str) -> Iterator[SecretRef]:
    secrets = body.get("secrets")
    if secrets is None:
        return
    if not isinstance(secrets, YList):
        raise InputError(
            tr(
                "{where}.secrets must be a list",
                "{where}.secrets はリストでなければならない",
                where=where,
            ),
            line=body.line_of("secrets"),
        )
    for item, line in zip(secrets, secrets.item_lines, strict=True):
        if isinstance(item, YMap):
            source = item.get("source")
            if source is None:
                raise InputError(
                    tr(
                        "{where}.secrets entries need a `source`",
                        "{where}.secrets の各項目には `source` が必要",
                        where=where,
                    ),
                    line=line,
                )
            yield SecretRef(_text(source, line, f"{where}.secrets.source"), line)
        else:
            yield SecretRef(_text(item, line, f"{where}.secrets"), line)


def _top_secrets(document: YMap) -> tuple[Secret, ...]:
    secrets = _mapping(document, "secrets", "secrets")
    if secrets is None:
        return ()
    found = []
    for name, body in secrets.items():
        line = secrets.line_of(name)
        if not isinstance(body, YMap):
            raise InputError(
                tr(
                    "secret {name!r} must be a mapping",
                    "シークレット {name!r} はマッピングでなければならない",
                    name=name,
                ),
                line=line,
            )
        file = _value(body, "file", f"secrets.{name}.file")
        environment = _value(body, "environment", f"secrets.{name}.environment")
        external = body.get("external")
        found.append(
            Secret(
                name,
                file.text if file else None,
                environment.text if environment else None,
                external is True or isinstance(external, YMap),
                line,
            )
        )
    return tuple(found)


# --- interpolation ----------------------------------------------------------------------------

_VARIABLE = re.compile(
    r"\$(?:\$|\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


def interpolate(text: str) -> tuple[str | None, list[str]]:
    """Compose's interpolation done as far as the file alone allows.

    `${VAR:-default}` / `${VAR-default}` take the default (noted), `$$` is `$`; anything
    that needs the shell's value (`${VAR}`, `$VAR`, `${VAR:?error}`) makes the result None.
    """
    notes: list[str] = []
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        if match[0] == "$$":
            return "$"
        name = match["name"] or match["bare"]
        if match["op"] in ("-", ":-"):
            notes.append(
                tr(
                    "${{{name}}} unset: its default {default!r} is used",
                    "${{{name}}} が未設定: デフォルト値 {default!r} を使用",
                    name=name,
                    default=match["arg"],
                )
            )
            return match["arg"] or ""
        unresolved = True
        return match[0]

    result = _VARIABLE.sub(replace, text)
    return (None if unresolved else result), notes
