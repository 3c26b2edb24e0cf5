"""Resource limits: every container of the app has a memory and a CPU limit.

What it checks:
    In the Compose project(s) of the target, every service that runs the app has both a
    memory limit and a CPU limit, in either of the forms Docker Compose v2 applies
    (outside Swarm too): `mem_limit` / `cpus` on the service, or
    `deploy.resources.limits.memory` / `deploy.resources.limits.cpus`. The app's services
    are those built from the target (`build:`), or the ones the `services` parameter names;
    when no service is built, every service is judged. Projects are found at the target
    root (`compose.yaml`, `docker-compose.yml`, ... with their `*.override.*` file, and
    every other `docker-compose.<name>.yml`); development files (`.dev.`, `.local.`,
    `.test.`, `.ci.`) are judged only when there is nothing else. The `compose` parameter
    names the files of one project instead, merged in order like `docker compose -f a -f b`
    (the last file that sets a limit wins).

    A limit must be a real limit: memory parsed as Docker does (`512m`, `1g`, `268435456`)
    and CPUs as a number, both above zero (`0` means unlimited). `cpu_shares` is a relative
    weight, not a limit, and `deploy.resources.reservations` is a minimum; neither counts.
    A value that comes from the shell (`${MEM_LIMIT}`) cannot be judged and is unknown; with
    a default (`${MEM_LIMIT:-512m}`) the default is judged. Like KICS's "Memory Not
    Limited" and "Cpus Not Limited" queries, but both forms count and zero fails.

Why it matters:
    Without a memory limit one leaking process can take the host's memory until the kernel's
    OOM killer picks a victim, perhaps the database. Without a CPU limit a busy container
    starves its neighbours. Limits also make the guide's memory target (< 256MB in
    production) something the engine enforces.

How to fix:
    Add to each app service, for example
    `deploy: {resources: {limits: {memory: 256M, cpus: "0.50"}}}`, or `mem_limit: 256m`
    and `cpus: 0.5`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checks.deploy._support import (
    Project,
    app_services,
    compose_projects,
    interpolate,
    production_projects,
)
from checks.readers.compose import Value

_MEMORY = re.compile(r"^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$", re.IGNORECASE)
_FORMS = {
    "memory limit": "mem_limit or deploy.resources.limits.memory",
    "CPU limit": "cpus or deploy.resources.limits.cpus",
}
_UNIT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def memory_bytes(text: str) -> float:
    """Bytes in a Docker memory value (`512m`, `1.5GB`, `268435456`); ValueError if none."""
    found = _MEMORY.match(text.strip())
    if found is None:
        raise ValueError(text)
    return float(found[1]) * _UNIT[found[2].lower()]


def _judge(kind: str, found: tuple[str, Value] | None) -> tuple[str, Evidence | None, str | None]:
    """('ok' | 'missing' | 'unknown' | 'unlimited', evidence, note)."""
    if found is None:
        return "missing", None, None
    path, value = found
    text, notes = interpolate(value.text)
    if text is None:
        note = f"{kind} {value.text!r} comes from the shell at run time"
        return "unknown", Evidence(note, path=path, line=value.line, excerpt=value.text), note
    try:
        amount = memory_bytes(text) if kind.startswith("memory") else float(text)
    except ValueError:
        message = f"{kind} {text!r} is not a valid value"
        raise InputError(message, path=path, line=value.line) from None
    if not math.isfinite(amount) or amount < 0:
        # YAML reads `.nan` and `1e400` (infinity) as numbers; no engine runs a container
        # with them, nor with a negative limit: the value cannot be judged, never passes.
        message = f"{kind} {text!r} is not a limit Docker accepts (not a finite, positive number)"
        raise InputError(message, path=path, line=value.line, kind="implausible")
    shown = f"{kind} {text}" + (f" ({'; '.join(notes)})" if notes else "")
    if amount <= 0:
        unlimited = Evidence(f"{shown}: 0 means unlimited", path=path, line=value.line)
        return "unlimited", unlimited, None
    return "ok", Evidence(shown, path=path, line=value.line, excerpt=value.text), None


def _service_limits(project: Project, name: str) -> tuple[list[str], list[str], list[Evidence]]:
    """(problems, unknowns, evidence) for one service."""
    memory = project.setting(name, lambda s: s.mem_limit) or project.setting(
        name, lambda s: s.limits.memory if s.limits else None
    )
    cpus = project.setting(name, lambda s: s.cpus) or project.setting(
        name, lambda s: s.limits.cpus if s.limits else None
    )
    problems: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    service = project.where(name)
    for kind, found in (("memory limit", memory), ("CPU limit", cpus)):
        verdict, where, note = _judge(kind, found)
        if where is not None:
            evidence.append(where)
        if verdict == "missing":
            problems.append(f"{name} has no {kind}")
            evidence.append(
                Evidence(
                    f"{name} sets no {kind} ({_FORMS[kind]})",
                    path=service.path,
                    line=service.line,
                )
            )
        elif verdict == "unlimited":
            problems.append(f"{name} has a {kind} of 0 (unlimited)")
        elif verdict == "unknown" and note:
            unknowns.append(f"{name}: {note}")
    return problems, unknowns, evidence


@check(
    "deploy.resource_limits",
    severity="medium",
    related=(
        "kics:Memory Not Limited",
        "kics:Cpus Not Limited",
        "checkov:CKV_K8S_11",
        "checkov:CKV_K8S_13",
    ),
)
def resource_limits(
    target: Target,
    *,
    compose: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
) -> Outcome:
    projects, note = production_projects(compose_projects(target, compose))
    if not projects:
        return Outcome.failed(
            "no Compose file sets memory or CPU limits for the app",
            Evidence("looked for compose.yaml, docker-compose.yml and docker-compose.*.yml"),
        )
    problems: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = [Evidence(note)] if note else []
    judged = 0
    for project in projects:
        names, chosen = app_services(project, services)
        if not names:
            problems.append(f"{project.label} has none of {chosen}")
            evidence.append(Evidence(f"no service matches {chosen}", path=project.files[0][0]))
            continue
        for name in names:
            judged += 1
            found, unsure, shown = _service_limits(project, name)
            problems += found
            unknowns += unsure
            evidence += shown
    if problems:
        return Outcome.failed("; ".join(problems), *evidence)
    if unknowns:
        return Outcome.unknown("; ".join(unknowns), *evidence)
    return Outcome.passed(f"all {judged} app service(s) have a memory and a CPU limit", *evidence)
