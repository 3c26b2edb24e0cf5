"""Services: the images of one repository, each judged by the guide's bindings.

A repository may ship several images (a monorepo, one Dockerfile built for several stages).
The plugin option `services` names them (name -> dockerfile, context, target, image,
environments); without it, and without a `dockerfile` in `defaults`, the check library's
discoverer finds them in the repository (`Registry.discover`; the Docker library's is
`checks.discovery`). With neither, the run is the single target of before: no service.

Every binding whose check declares a service parameter (`SERVICE_PARAMS`) or that names an
environment column is evaluated once per service, with that service's parameters over the
`defaults` (a binding's own parameters win over both); the others judge the repository as a
whole and are evaluated once. Each result names its service (`Item.service`).

An environment column (`environments`) is a build: a mapping with a `dockerfile`, or one of
the words `service` (each service's own build) and `development` (each service's
development build: its `environments` entry, or a development Dockerfile found beside its
own). A service without a build for a column gets `unknown` for that column, with the
reason, never another service's numbers.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from checklists.core.bindings import Item
from checklists.core.message import localize, tr
from checklists.core.model import Evidence, Outcome
from checklists.core.registry import Registry
from checklists.core.runner import Task, resolve

SERVICE_PARAMS = ("dockerfile", "context", "target", "directory")
ENVIRONMENT_WORDS = ("service", "development")


@dataclass(frozen=True, slots=True)
class Service:
    """One image of the repository: how it is built, and where that was read."""

    name: str
    dockerfile: str
    context: str | None = None  # None: the Dockerfile's folder
    target: str | None = None
    image: str | None = None
    environments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    development: str | None = None  # a development Dockerfile beside it (discovered)
    origin: str = ""  # "mkdocs.yml:12", or the places discovery read it from
    published: bool = False

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.dockerfile) or "."

    def params(self) -> dict[str, Any]:
        """The parameters that aim a check at this service."""
        folder = posixpath.dirname(self.dockerfile)
        found: dict[str, Any] = {
            "dockerfile": self.dockerfile,
            "context": self.context if self.context is not None else self.folder,
            "directory": "/" + folder if folder else "/",
        }
        if self.target is not None:
            found["target"] = self.target
        return found

    def build(self) -> dict[str, Any]:
        """This service's own build, as an environment column receives it."""
        found = {k: v for k, v in self.params().items() if k != "directory"}
        if self.image is not None:
            found["image"] = self.image
        return found

    def describe(self) -> str:
        context = self.context if self.context is not None else self.folder
        stage = f" --target {self.target}" if self.target else ""
        return tr(
            "{dockerfile} (context {context}{stage})",
            "{dockerfile}（コンテキスト {context}{stage}）",
            dockerfile=self.dockerfile,
            context=context,
            stage=stage,
        )


@dataclass(frozen=True, slots=True)
class Discovered:
    """What a discoverer found: the services, the Dockerfiles it left out and why, notes."""

    services: tuple[Service, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (dockerfile, the rule that left it out)
    notes: tuple[str, ...] = ()


def environments_for(
    service: Service | None,
    columns: Mapping[str, object],
    defaults: Mapping[str, Any],
) -> dict[str, Mapping[str, Any] | None]:
    """Each environment column's build for a service (None: it has none), from the
    top-level `environments` (`columns`) and the service's own entries."""
    found: dict[str, Mapping[str, Any] | None] = {}
    for column, spec in columns.items():
        own = service.environments.get(column) if service is not None else None
        if own is not None:
            found[column] = own
        elif spec == "service":
            if service is not None:
                found[column] = service.build()
            elif "dockerfile" in defaults:
                keys = ("dockerfile", "context", "target")
                found[column] = {k: defaults[k] for k in keys if k in defaults}
            else:
                found[column] = None
        elif spec == "development":
            if service is not None and service.development is not None:
                found[column] = {"dockerfile": service.development, "context": service.folder}
            else:
                found[column] = None
        elif isinstance(spec, Mapping):
            found[column] = spec
    if service is not None:
        for column, own in service.environments.items():
            found.setdefault(column, own)
    return found


def per_service(item: Item, registry: Registry) -> bool:
    """Whether an item is judged once per service (its check takes a service parameter or
    it names an environment column) rather than once for the repository."""
    spec = registry.get(item.check_id or "")
    if spec is None or item.error:
        return False
    return item.environment is not None or any(p in spec.params for p in SERVICE_PARAMS)


def resolve_all(
    items: Sequence[Item],
    services: Sequence[Service],
    registry: Registry,
    defaults: Mapping[str, Any],
    columns: Mapping[str, object],
) -> list[tuple[Item, Task | Outcome | None]]:
    """Every (item, what to evaluate) of a run over services, in page order, each service's
    results of an item after one another."""
    found: list[tuple[Item, Task | Outcome | None]] = []
    whole = {k: v for k, v in environments_for(None, columns, defaults).items() if v is not None}
    for item in items:
        if not item.bound:
            found.append((item, None))
            continue
        if not per_service(item, registry):
            found.append((item, resolve(item, registry, defaults, whole)))
            continue
        if not services:
            found.append((item, _no_service(item)))
            continue
        for service in services:
            named = replace(item, service=service.name)
            builds = environments_for(service, columns, defaults)
            if item.environment is not None and builds.get(item.environment, {}) is None:
                found.append((named, _no_build(named, service, item.environment)))
                continue
            given = {**defaults, **service.params()}
            usable = {k: v for k, v in builds.items() if v is not None}
            found.append((named, resolve(named, registry, given, usable)))
    return found


def _no_service(item: Item) -> Outcome:
    return Outcome.unknown(
        tr(
            "no service to judge: the repository has no Dockerfile or Containerfile that it "
            "builds (name one under the option `services`)",
            "判定するサービスがありません: リポジトリがビルドする Dockerfile / Containerfile が"
            "見つかりません（オプション `services` で指定してください）",
        ),
        Evidence(f"binding at {item.location}"),
    )


def _no_build(item: Item, service: Service, column: str) -> Outcome:
    return Outcome.unknown(
        tr(
            "service {name} has no {column} build (none was found beside {dockerfile}; name "
            "one under services.{name}.environments.{column})",
            "サービス {name} には {column} のビルドがありません（{dockerfile} の隣に見つからず、"
            "services.{name}.environments.{column} で指定できます）",
            name=service.name,
            column=column,
            dockerfile=service.dockerfile,
        ),
        Evidence(f"binding at {item.location}"),
    )


def unique_names(names: Sequence[str]) -> list[str]:
    """The names, each made unique by a number where it repeats (api, api-2)."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        result.append(name if count == 1 else f"{name}-{count}")
    return result


def services_listing(run: Any, lang: str = "en") -> list[str]:  # noqa: ANN401 - an engine Run
    """What a run judged, for people, in `lang`: each service with its build and where it
    was read, then the Dockerfiles discovery left out and why, and its notes. [] without
    services."""
    services: tuple[Service, ...] | None = run.services
    if services is None:
        return []
    discovered: Discovered | None = run.discovered
    if discovered is not None:
        heading = tr(
            "services ({count}, discovered):", "サービス（{count} 件、検出）:", count=len(services)
        )
    else:
        heading = tr(
            "services ({count}, configured):", "サービス（{count} 件、設定）:", count=len(services)
        )
    lines = [localize(heading, lang)]
    if not services:
        none = tr(
            "none: no Dockerfile or Containerfile that the repository builds was found",
            "なし: リポジトリがビルドする Dockerfile も Containerfile も見つからない",
        )
        lines.append(f"  {localize(none, lang)}")
    width = max((len(s.name) for s in services), default=0)
    for service in services:
        where = f"  ← {service.origin}" if service.origin else ""
        lines.append(f"  {service.name:<{width}}  {localize(service.describe(), lang)}{where}")
        if service.development:
            development = localize(tr("development:", "開発用:"), lang)
            lines.append(f"  {'':<{width}}  {development} {service.development}")
    if discovered is not None and discovered.skipped:
        lines.append(localize(tr("not services:", "サービスでないもの:"), lang))
        lines += [f"  {path} — {localize(why, lang)}" for path, why in discovered.skipped]
    if discovered is not None and discovered.notes:
        lines.append(localize(tr("notes:", "注記:"), lang))
        lines += [f"  {localize(note, lang)}" for note in discovered.notes]
    return lines
