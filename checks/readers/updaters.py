"""Readers for dependency-update bots: Dependabot's `.github/dependabot.yml` and Renovate's config.

Dependabot: the version 2 format of GitHub's "Dependabot options reference": `updates[]`
with `package-ecosystem`, `directory` or `directories` (the latter may hold globs),
`schedule` (`interval`: daily / weekly / monthly / quarterly / semiannually / yearly /
cron with `cronjob`; an update in a `multi-ecosystem-group` without its own schedule runs
on the group's, from `multi-ecosystem-groups`), `open-pull-requests-limit` and `ignore`.

Renovate: the repository config in the first of the files Renovate looks for
(`RENOVATE_FILES`, in Renovate's order), or the `"renovate"` object of `package.json`.
Every file is read as JSON5 (`json5_lite`), as Renovate falls back to JSON5 for `.json`
files too. Exposed: `enabled`, `extends`, `enabledManagers`, `ignorePaths`, `includePaths`,
`schedule`, the manager objects `dockerfile` and `docker-compose` (`enabled`, `schedule`,
`managerFilePatterns` / the older `fileMatch`) and `packageRules`.

The readers judge nothing: whether a config keeps a Dockerfile up to date is a check's
question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from checklists import InputError, tr
from checks.readers import located_yaml
from checks.readers.json5_lite import JsonObject, read_json5
from checks.readers.located_yaml import YList, YMap, scalar_text

__all__ = [
    "DOCKER_MANAGERS",
    "RENOVATE_FILES",
    "DependabotConfig",
    "DependabotUpdate",
    "PackageRule",
    "RenovateConfig",
    "RenovateManager",
    "read_dependabot",
    "read_renovate",
    "read_renovate_package_json",
]

#: Where Renovate looks for its repository config, in the order it looks.
RENOVATE_FILES: tuple[str, ...] = (
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    "package.json",
)

#: Renovate managers that update container base images.
DOCKER_MANAGERS: tuple[str, ...] = ("dockerfile", "docker-compose")


# --- Dependabot ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DependabotUpdate:
    ecosystem: str
    line: int
    directories: tuple[str, ...]  # `directory` or the entries of `directories`, as written
    interval: str | None
    cronjob: str | None
    schedule_line: int
    open_pull_requests_limit: int | None
    ignores: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class DependabotConfig:
    version: str | None
    updates: tuple[DependabotUpdate, ...]


def _text_list(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, list):
        return tuple(scalar_text(item) for item in raw if not isinstance(item, dict | list))
    return (scalar_text(raw),)


# radon D: validates each key of dependabot.yml with its location.
def read_dependabot(data: bytes) -> DependabotConfig:
    """Parse `.github/dependabot.yml`; InputError for YAML Dependabot would reject."""
    document = located_yaml.load(data)
    if not isinstance(document, YMap):
        raise InputError(
            tr(
                "dependabot.yml must be a mapping with 'version' and 'updates'",
                "dependabot.yml は 'version' と 'updates' を持つマッピングでなければならない",
            ),
            line=1,
        )
    groups = document.get("multi-ecosystem-groups")
    group_schedules: dict[str, YMap] = {}
    if isinstance(groups, YMap):
        for name, group in groups.items():
            if isinstance(group, YMap) and isinstance(group.get("schedule"), YMap):
                group_schedules[name] = group["schedule"]
    raw_updates = document.get("updates")
    if raw_updates is not None and not isinstance(raw_updates, YList):
        raise InputError(
            tr("'updates' must be a list", "'updates' はリストでなければならない"),
            line=document.line_of("updates"),
        )
    updates: list[DependabotUpdate] = []
    for entry, line in zip(
        raw_updates or [], raw_updates.item_lines if raw_updates else [], strict=True
    ):
        if not isinstance(entry, YMap):
            raise InputError(
                tr(
                    "each entry of 'updates' must be a mapping",
                    "'updates' の各項目はマッピングでなければならない",
                ),
                line=line,
            )
        schedule = entry.get("schedule")
        group = entry.get("multi-ecosystem-group")
        schedule_line = entry.line_of("schedule")
        if not isinstance(schedule, YMap) and isinstance(group, str) and group in group_schedules:
            # An update in a multi-ecosystem group runs on the group's schedule.
            schedule = group_schedules[group]
            schedule_line = schedule.line
        schedule = schedule if isinstance(schedule, YMap) else YMap(entry.line_of("schedule"))
        limit = entry.get("open-pull-requests-limit")
        ignores = entry.get("ignore")
        updates.append(
            DependabotUpdate(
                ecosystem=scalar_text(entry.get("package-ecosystem")),
                line=entry.line,
                directories=_text_list(entry.get("directory"))
                + _text_list(entry.get("directories")),
                interval=scalar_text(schedule["interval"]) if "interval" in schedule else None,
                cronjob=scalar_text(schedule["cronjob"]) if "cronjob" in schedule else None,
                schedule_line=schedule_line,
                open_pull_requests_limit=limit if isinstance(limit, int) else None,
                ignores=tuple(
                    entry
                    for entry in (ignores if isinstance(ignores, list) else [])
                    if isinstance(entry, dict)
                ),
            )
        )
    version = document.get("version")
    return DependabotConfig(None if version is None else scalar_text(version), tuple(updates))


# --- Renovate --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenovateManager:
    """A manager's own object in the config, e.g. `"dockerfile": {"enabled": false}`."""

    name: str
    line: int
    enabled: bool | None
    schedule: tuple[str, ...] | None
    file_patterns: tuple[str, ...]  # managerFilePatterns and the older fileMatch


@dataclass(frozen=True, slots=True)
class PackageRule:
    line: int
    match_managers: tuple[str, ...]
    match_datasources: tuple[str, ...]
    other_conditions: tuple[str, ...]  # names of the other match*/exclude* keys it has
    enabled: bool | None
    schedule: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class RenovateConfig:
    line: int
    enabled: bool | None
    extends: tuple[str, ...]
    enabled_managers: tuple[str, ...] | None
    ignore_paths: tuple[str, ...] | None
    include_paths: tuple[str, ...] | None
    schedule: tuple[str, ...] | None
    managers: Mapping[str, RenovateManager] = field(default_factory=dict)
    package_rules: tuple[PackageRule, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def _bool(raw: object) -> bool | None:
    return raw if isinstance(raw, bool) else None


def _schedule(raw: object) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return _text_list(raw)


def _optional_list(obj: JsonObject, key: str) -> tuple[str, ...] | None:
    return _text_list(obj[key]) if key in obj else None


def _config(obj: JsonObject) -> RenovateConfig:
    managers: dict[str, RenovateManager] = {}
    for name in DOCKER_MANAGERS:
        raw = obj.get(name)
        if isinstance(raw, JsonObject):
            managers[name] = RenovateManager(
                name,
                obj.line_of(name),
                _bool(raw.get("enabled")),
                _schedule(raw.get("schedule")),
                _text_list(raw.get("managerFilePatterns")) + _text_list(raw.get("fileMatch")),
            )
    rules: list[PackageRule] = []
    raw_rules = obj.get("packageRules")
    for rule in raw_rules if isinstance(raw_rules, list) else []:
        if not isinstance(rule, JsonObject):
            continue
        others = tuple(
            key
            for key in rule
            if (key.startswith(("match", "exclude")))
            and key not in ("matchManagers", "matchDatasources")
        )
        rules.append(
            PackageRule(
                rule.line,
                _text_list(rule.get("matchManagers")),
                _text_list(rule.get("matchDatasources")),
                others,
                _bool(rule.get("enabled")),
                _schedule(rule.get("schedule")),
            )
        )
    return RenovateConfig(
        line=obj.line,
        enabled=_bool(obj.get("enabled")),
        extends=_text_list(obj.get("extends")),
        enabled_managers=_optional_list(obj, "enabledManagers"),
        ignore_paths=_optional_list(obj, "ignorePaths"),
        include_paths=_optional_list(obj, "includePaths"),
        schedule=_schedule(obj.get("schedule")),
        managers=MappingProxyType(managers),
        package_rules=tuple(rules),
        key_lines=MappingProxyType(dict(obj.key_lines)),
    )


def read_renovate(data: bytes) -> RenovateConfig:
    """Parse a Renovate config file (JSON or JSON5); InputError if it is not an object."""
    document = read_json5(data)
    if not isinstance(document, JsonObject):
        raise InputError(
            tr(
                "a Renovate config must be a JSON object",
                "Renovate の設定は JSON オブジェクトでなければならない",
            ),
            line=1,
        )
    return _config(document)


def read_renovate_package_json(data: bytes) -> RenovateConfig | None:
    """The `"renovate"` object of a package.json, or None when it has none."""
    document = read_json5(data)
    if not isinstance(document, JsonObject):
        raise InputError(
            tr(
                "package.json must be a JSON object",
                "package.json は JSON オブジェクトでなければならない",
            ),
            line=1,
        )
    section = document.get("renovate")
    if section is None:
        return None
    if not isinstance(section, JsonObject):
        raise InputError(
            tr(
                '"renovate" in package.json must be an object',
                'package.json の "renovate" はオブジェクトでなければならない',
            ),
            line=document.line_of("renovate"),
        )
    return _config(section)
