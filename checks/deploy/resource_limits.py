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

日本語: リソース制限: アプリケーションのすべてのコンテナにメモリと CPU の上限がある

何を確認するか:
    ターゲットの Compose プロジェクトで、アプリケーションを実行するすべてのサービスに、
    Docker Compose v2 が（Swarm の外でも）適用するどちらかの形で、メモリの上限と CPU の上限の
    両方があることを確認します: サービスの `mem_limit` / `cpus`、または
    `deploy.resources.limits.memory` / `deploy.resources.limits.cpus` です。アプリケーションの
    サービスは、ターゲットからビルドするもの（`build:`）か、パラメータ `services` で指定した
    ものです。ビルドするサービスがなければ、すべてのサービスを判定します。プロジェクトは
    ターゲットのルートで見つけます（`compose.yaml`、`docker-compose.yml` などと、その
    `*.override.*` ファイル、そしてほかのすべての `docker-compose.<名前>.yml`）。開発用の
    ファイル（`.dev.`、`.local.`、`.test.`、`.ci.`）は、ほかに何もない場合だけ判定します。
    パラメータ `compose` を指定すると、代わりに 1 つのプロジェクトのファイルを指定し、
    `docker compose -f a -f b` と同じ順にマージします（上限を設定する最後のファイルが有効）。

    上限は実際の上限でなければなりません: メモリは Docker と同じように解析し（`512m`、`1g`、
    `268435456`）、CPU は数値として読み、どちらも 0 より大きいこと（`0` は無制限）。
    `cpu_shares` は相対的な重みで上限ではなく、`deploy.resources.reservations` は最低保証で、
    どちらも数えません。シェルから来る値（`${MEM_LIMIT}`）は判定できず unknown（未計測）
    です。デフォルト値付き（`${MEM_LIMIT:-512m}`）ならデフォルト値を判定します。KICS の
    「Memory Not Limited」と「Cpus Not Limited」のクエリに近いですが、両方の形を数え、0 は
    不合格にします。

なぜ重要か:
    メモリの上限がないと、リークする 1 つのプロセスがホストのメモリを使い尽くし、カーネルの
    OOM killer が犠牲を選ぶまで止まりません。それはデータベースかもしれません。CPU の上限が
    ないと、忙しいコンテナが隣のコンテナを飢えさせます。上限があれば、ガイドのメモリの目標
    （本番で < 256MB）をエンジンが強制するものにもなります。

修正方法:
    アプリケーションの各サービスに追加します。例:
    `deploy: {resources: {limits: {memory: 256M, cpus: "0.50"}}}`、または
    `mem_limit: 256m` と `cpus: 0.5`。
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from checklists import Evidence, InputError, Outcome, Target, check, join, tr
from checks.deploy._support import (
    Project,
    app_services,
    compose_projects,
    production_projects,
)
from checks.readers.compose import Value, interpolate

_MEMORY = re.compile(r"^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$", re.IGNORECASE)
_FORMS = {
    "memory limit": "mem_limit or deploy.resources.limits.memory",
    "CPU limit": "cpus or deploy.resources.limits.cpus",
}
_UNIT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}
_SHOWN = {
    "memory limit": tr("memory limit", "メモリ上限"),
    "CPU limit": tr("CPU limit", "CPU 上限"),
}


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
    what = _SHOWN[kind]
    text, notes = interpolate(value.text)
    if text is None:
        note = tr(
            "{kind} {value!r} comes from the shell at run time",
            "{kind} {value!r} は実行時にシェルから来る",
            kind=what,
            value=value.text,
        )
        return "unknown", Evidence(note, path=path, line=value.line, excerpt=value.text), note
    try:
        amount = memory_bytes(text) if kind.startswith("memory") else float(text)
    except ValueError:
        message = tr(
            "{kind} {value!r} is not a valid value",
            "{kind} {value!r} は有効な値ではない",
            kind=what,
            value=text,
        )
        raise InputError(message, path=path, line=value.line) from None
    if not math.isfinite(amount) or amount < 0:
        # YAML reads `.nan` and `1e400` (infinity) as numbers; no engine runs a container
        # with them, nor with a negative limit: the value cannot be judged, never passes.
        message = tr(
            "{kind} {value!r} is not a limit Docker accepts (not a finite, positive number)",
            "{kind} {value!r} は Docker が受け付ける上限ではない（有限の正の数ではない）",
            kind=what,
            value=text,
        )
        raise InputError(message, path=path, line=value.line, kind="implausible")
    shown: str = tr("{kind} {value}", "{kind} {value}", kind=what, value=text)
    if notes:
        shown = tr(
            "{shown} ({notes})", "{shown}（{notes}）", shown=shown, notes=join(notes, "; ", "。")
        )
    if amount <= 0:
        unlimited = Evidence(
            tr("{shown}: 0 means unlimited", "{shown}: 0 は無制限", shown=shown),
            path=path,
            line=value.line,
        )
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
        what = _SHOWN[kind]
        if verdict == "missing":
            problems.append(
                tr("{name} has no {kind}", "{name} に{kind}がない", name=name, kind=what)
            )
            evidence.append(
                Evidence(
                    tr(
                        "{name} sets no {kind} ({forms})",
                        "{name} は{kind}を設定していない（{forms}）",
                        name=name,
                        kind=what,
                        forms=_FORMS[kind],
                    ),
                    path=service.path,
                    line=service.line,
                )
            )
        elif verdict == "unlimited":
            problems.append(
                tr(
                    "{name} has a {kind} of 0 (unlimited)",
                    "{name} の{kind}は 0（無制限）",
                    name=name,
                    kind=what,
                )
            )
        elif verdict == "unknown" and note:
            unknowns.append(tr("{name}: {note}", "{name}: {note}", name=name, note=note))
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
            tr(
                "no Compose file sets memory or CPU limits for the app",
                "アプリケーションのメモリや CPU の上限を設定する Compose ファイルがない",
            ),
            Evidence(
                tr(
                    "looked for compose.yaml, docker-compose.yml and docker-compose.*.yml",
                    "compose.yaml、docker-compose.yml、docker-compose.*.yml を探した",
                )
            ),
        )
    problems: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = [Evidence(note)] if note else []
    judged = 0
    for project in projects:
        names, chosen = app_services(project, services)
        if not names:
            problems.append(
                tr(
                    "{project} has none of {chosen}",
                    "{project} に{chosen}がない",
                    project=project.label,
                    chosen=chosen,
                )
            )
            evidence.append(
                Evidence(
                    tr(
                        "no service matches {chosen}",
                        "{chosen}に一致するサービスがない",
                        chosen=chosen,
                    ),
                    path=project.files[0][0],
                )
            )
            continue
        for name in names:
            judged += 1
            found, unsure, shown = _service_limits(project, name)
            problems += found
            unknowns += unsure
            evidence += shown
    if problems:
        return Outcome.failed(join(problems, "; ", "。"), *evidence)
    if unknowns:
        return Outcome.unknown(join(unknowns, "; ", "。"), *evidence)
    return Outcome.passed(
        tr(
            "all {count} app service(s) have a memory and a CPU limit",
            "アプリケーションのサービス {count} 個すべてにメモリと CPU の上限あり",
            count=judged,
        ),
        *evidence,
    )
