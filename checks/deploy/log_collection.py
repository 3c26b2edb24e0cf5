"""Log collection: the app logs to stdout/stderr and something collects those logs.

What it checks:
    Two things, both required:

    1. The app's logs reach stdout/stderr, judged exactly as `deploy.logs_to_stdout` judges
       them (no log files in the sources or logging configs, no redirect in CMD).
    2. They are collected, by at least one of:

       * Compose logging: every app service (built from the target, or named in
         `services`) of the production Compose project has a `logging:` driver that ships
         or keeps the logs: `fluentd`, `awslogs` (with `awslogs-group`), `gelf` (with
         `gelf-address`), `loki` (the Grafana Loki plugin, with `loki-url`), `splunk`
         (with `splunk-url` and `splunk-token`), `syslog`, `journald`, `gcplogs`,
         `logentries`, `local` (rotated by default), or `json-file` with a `max-size`
         (rotated). A `logging:` without a driver uses the engine's default, json-file.
         The options each driver cannot start without are required, as dockerd requires
         them. `driver: none` discards logs.
       * A log shipper's config in the target, recognised by file name and structure:
         Fluent Bit (`fluent-bit*.conf` with `[INPUT]` and `[OUTPUT]` sections, or
         `fluent-bit*.yaml` with `pipeline.inputs` and `pipeline.outputs`), Vector
         (`vector*.toml|yaml|yml|json` with `sources` and `sinks`), Promtail
         (`promtail*.yml|yaml` with `clients` and `scrape_configs`), Grafana Alloy
         (`*.alloy` with a `loki.source.*` or `otelcol.receiver.*` component and a
         `loki.write` or `otelcol.exporter.*` one), or an OpenTelemetry Collector config
         (a YAML file named `*otel*` or `*collector*` whose `service.pipelines` has a
         `logs` pipeline with receivers and exporters).

    Compose projects are found and chosen as in `deploy.resource_limits` (the `compose`
    parameter names one project's files). A shipper config is taken at its word: where it
    reads from is not traced back to the containers. Peer linters have no rule for this.

Why it matters:
    Container logs kept only by the default json-file driver grow without bound and vanish
    with the container; nobody can search them after an incident. A logging driver or a
    shipper moves them to a place that keeps, rotates and indexes them.

How to fix:
    Set a logging driver on each app service, for example
    `logging: {driver: json-file, options: {max-size: 10m, max-file: "3"}}` or
    `logging: {driver: fluentd, options: {fluentd-address: localhost:24224}}`, or commit
    the config of the shipper that collects the containers' logs (Fluent Bit, Vector,
    Promtail, Alloy, OpenTelemetry Collector).

日本語: ログ収集設定: アプリケーションが stdout/stderr にログを出し、それを何かが収集する

何を確認するか:
    次の 2 つがどちらも必要です:

    1. アプリケーションのログが stdout/stderr に届くこと。`deploy.logs_to_stdout` とまったく
       同じように判定します（ソースやログ設定にログファイルがなく、CMD にリダイレクトが
       ないこと）。
    2. それが次の少なくとも 1 つで収集されること:

       * Compose のロギング: 本番用 Compose プロジェクトのすべてのアプリケーションの
         サービス（ターゲットからビルドするもの、または `services` で指定したもの）に、ログを
         送るか保持する `logging:` のドライバーがあること: `fluentd`、`awslogs`
         （`awslogs-group` 付き）、`gelf`（`gelf-address` 付き）、`loki`（Grafana Loki の
         プラグイン、`loki-url` 付き）、`splunk`（`splunk-url` と `splunk-token` 付き）、
         `syslog`、`journald`、`gcplogs`、`logentries`、`local`（既定でローテーション）、
         または `max-size` 付きの `json-file`（ローテーション）。ドライバーのない `logging:` は
         エンジンの既定の json-file を使います。各ドライバーが起動に必要とするオプションは、
         dockerd と同じく必須とします。`driver: none` はログを捨てます。
       * ターゲットにあるログシッパーの設定。ファイル名と構造で認識します: Fluent Bit
         （`[INPUT]` と `[OUTPUT]` のセクションを持つ `fluent-bit*.conf`、または
         `pipeline.inputs` と `pipeline.outputs` を持つ `fluent-bit*.yaml`）、Vector
         （`sources` と `sinks` を持つ `vector*.toml|yaml|yml|json`）、Promtail
         （`clients` と `scrape_configs` を持つ `promtail*.yml|yaml`）、Grafana Alloy
         （`loki.source.*` か `otelcol.receiver.*` のコンポーネントと、`loki.write` か
         `otelcol.exporter.*` のコンポーネントを持つ `*.alloy`）、OpenTelemetry Collector
         の設定（`service.pipelines` にレシーバーとエクスポーターを持つ `logs` パイプラインが
         ある、`*otel*` か `*collector*` という名前の YAML ファイル）。

    Compose プロジェクトは `deploy.resource_limits` と同じように見つけて選びます（パラメータ
    `compose` は 1 つのプロジェクトのファイルを指定します）。シッパーの設定は書かれたとおりに
    受け取り、どこから読むかをコンテナまで遡ることはしません。ほかのリンターにこのルールは
    ありません。

なぜ重要か:
    既定の json-file ドライバーだけが保持するコンテナのログは際限なく増え、コンテナとともに
    消えます。障害の後で誰も検索できません。ロギングドライバーやシッパーがあれば、ログを
    保持し、ローテーションし、索引を付ける場所へ送れます。

修正方法:
    アプリケーションの各サービスにロギングドライバーを設定します。例:
    `logging: {driver: json-file, options: {max-size: 10m, max-file: "3"}}` または
    `logging: {driver: fluentd, options: {fluentd-address: localhost:24224}}`。あるいは
    コンテナのログを収集するシッパーの設定（Fluent Bit、Vector、Promtail、Alloy、
    OpenTelemetry Collector）をコミットします。
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from checklists import Evidence, Outcome, Status, Target, check, join, tr
from checks.deploy._support import (
    app_services,
    basename,
    compose_projects,
    production_projects,
    scanned_files,
    text_or_none,
)
from checks.deploy.logs_to_stdout import logs_to_stdout
from checks.readers.located_yaml import YMap, load

# Drivers that ship or keep logs, with the options dockerd needs to start them.
SHIPPING_DRIVERS: dict[str, tuple[str, ...]] = {
    "fluentd": (),
    "awslogs": ("awslogs-group",),
    "gelf": ("gelf-address",),
    "loki": ("loki-url",),
    "splunk": ("splunk-url", "splunk-token"),
    "syslog": (),
    "journald": (),
    "gcplogs": (),
    "logentries": ("logentries-token",),
    "local": (),
}


def _driver_verdict(driver: str | None, options: dict[str, str]) -> str | None:
    """None when the driver collects the logs, else why it does not."""
    name = (driver or "json-file").split(":", 1)[0].rsplit("/", 1)[-1]
    if name.startswith("loki-docker-driver"):
        name = "loki"
    if name == "none":
        return tr("driver none discards the logs", "driver none はログを捨てる")
    if name == "json-file":
        if "max-size" in options:
            return None
        default = tr(" (the default driver)", "（既定のドライバー）") if driver is None else ""
        return tr(
            "json-file{default} without max-size keeps logs unrotated on the host only",
            "max-size のない json-file{default} は、ログをローテーションせずホストにだけ保持する",
            default=default,
        )
    if name not in SHIPPING_DRIVERS:
        return tr(
            "driver {driver!r} is not one this check knows",
            "ドライバー {driver!r} はこのチェックが知らないもの",
            driver=driver,
        )
    missing = [o for o in SHIPPING_DRIVERS[name] if o not in options]
    if missing:
        return tr(
            "driver {name} cannot start without {missing}",
            "ドライバー {name} は {missing} なしでは起動できない",
            name=name,
            missing=", ".join(missing),
        )
    return None


def _compose_collection(
    target: Target, compose: Sequence[str] | None, services: Sequence[str] | None
) -> tuple[bool, list[Evidence]]:
    """(every app service of some project has a collecting driver, evidence)."""
    projects, note = production_projects(compose_projects(target, compose))
    evidence: list[Evidence] = [Evidence(note)] if note else []
    collected = False
    for project in projects:
        names, _ = app_services(project, services)
        complete = bool(names)
        for name in names:
            found = project.setting(name, lambda s: s.logging)
            if found is None:
                complete = False
                where = project.where(name)
                note = tr(
                    "service {name!r} has no logging: driver",
                    "サービス {name!r} に logging: のドライバーがない",
                    name=name,
                )
                evidence.append(Evidence(note, where.path, where.line))
                continue
            path, logging = found
            problem = _driver_verdict(logging.driver, dict(logging.options))
            if problem:
                complete = False
                note = tr(
                    "service {name!r}: {problem}",
                    "サービス {name!r}: {problem}",
                    name=name,
                    problem=problem,
                )
                evidence.append(Evidence(note, path, logging.line))
            else:
                # The English says "logs through": the summary below picks problems by it.
                driver = logging.driver or tr("default driver", "既定のドライバー")
                if logging.options:
                    driver = tr(
                        "{driver} {options}",
                        "{driver} {options}",
                        driver=driver,
                        options=str(dict(logging.options)),
                    )
                note = tr(
                    "service {name!r} logs through {driver}",
                    "サービス {name!r} は {driver} でログを出力",
                    name=name,
                    driver=driver,
                )
                evidence.append(Evidence(note, path, logging.line))
        collected = collected or complete
    return collected, evidence


# -- shipper configs ------------------------------------------------------------------------

_FLUENT_BIT = re.compile(r"^fluent-?bit.*\.(conf|ya?ml)$", re.IGNORECASE)
_VECTOR = re.compile(r"^vector.*\.(toml|ya?ml|json)$", re.IGNORECASE)
_PROMTAIL = re.compile(r"^promtail.*\.ya?ml$", re.IGNORECASE)
_OTEL = re.compile(r"(otel|collector).*\.ya?ml$", re.IGNORECASE)
_ALLOY_SOURCE = re.compile(r"^\s*(loki\.source\.\w+|otelcol\.receiver\.\w+)\s+\"", re.MULTILINE)
_ALLOY_SINK = re.compile(r"^\s*(loki\.write|otelcol\.exporter\.\w+)\s+\"", re.MULTILINE)


def _yaml(target: Target, path: str) -> YMap | None:
    document = target.parse(path, load)
    return document if isinstance(document, YMap) else None


def _first_line(text: str, pattern: str) -> int:
    found = re.search(pattern, text, re.MULTILINE | re.IGNORECASE)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _shipper(target: Target, path: str) -> Evidence | None:
    name = basename(path)
    if not (_FLUENT_BIT.match(name) or _VECTOR.match(name) or _PROMTAIL.match(name)) and not (
        name.endswith(".alloy") or _OTEL.search(name)
    ):
        return None
    text = text_or_none(target, path)
    if text is None:
        return None
    if _FLUENT_BIT.match(name) and name.endswith(".conf"):
        if re.search(r"^\s*\[INPUT\]", text, re.M | re.I) and re.search(
            r"^\s*\[OUTPUT\]", text, re.M | re.I
        ):
            line = _first_line(text, r"^\s*\[OUTPUT\]")
            return Evidence(
                tr(
                    "Fluent Bit config with [INPUT] and [OUTPUT]",
                    "[INPUT] と [OUTPUT] を持つ Fluent Bit の設定",
                ),
                path,
                line,
            )
        return None
    if name.endswith(".alloy"):
        source, sink = _ALLOY_SOURCE.search(text), _ALLOY_SINK.search(text)
        if source and sink:
            line = text.count("\n", 0, sink.start()) + 1
            return Evidence(f"Grafana Alloy: {source[1]} -> {sink[1]}", path, line)  # as written
        return None
    if _VECTOR.match(name):
        return _vector(target, path, text)
    document = _yaml(target, path)
    if document is None:
        return None
    if _FLUENT_BIT.match(name):
        pipeline = document.get("pipeline")
        if isinstance(pipeline, YMap) and pipeline.get("inputs") and pipeline.get("outputs"):
            line = pipeline.line_of("outputs")
            return Evidence(
                tr(
                    "Fluent Bit YAML pipeline with inputs and outputs",
                    "inputs と outputs を持つ Fluent Bit の YAML パイプライン",
                ),
                path,
                line,
            )
        return None
    if _PROMTAIL.match(name):
        if document.get("clients") and document.get("scrape_configs"):
            line = document.line_of("clients")
            return Evidence(
                tr(
                    "Promtail config with clients and scrape_configs",
                    "clients と scrape_configs を持つ Promtail の設定",
                ),
                path,
                line,
            )
        return None
    return _otel(document, path)


def _vector(target: Target, path: str, text: str) -> Evidence | None:
    if path.endswith(".toml"):
        import tomllib  # noqa: PLC0415 - only Vector's TOML needs it

        try:
            document: object = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):  # nested past the stack: not Vector's
            return None
    else:
        document = _yaml(target, path)
    if isinstance(document, dict) and document.get("sources") and document.get("sinks"):
        line = _first_line(text, r"^\s*\[?sinks")
        return Evidence(
            tr("Vector config with sources and sinks", "sources と sinks を持つ Vector の設定"),
            path,
            line,
        )
    return None


def _otel(document: YMap, path: str) -> Evidence | None:
    service = document.get("service")
    pipelines = service.get("pipelines") if isinstance(service, YMap) else None
    if not isinstance(pipelines, YMap):
        return None
    for name, pipeline in pipelines.items():
        if not (name == "logs" or name.startswith("logs/")) or not isinstance(pipeline, YMap):
            continue
        if pipeline.get("receivers") and pipeline.get("exporters"):
            line = pipelines.line_of(name)
            return Evidence(
                tr(
                    "OpenTelemetry Collector `{name}` pipeline",
                    "OpenTelemetry Collector の `{name}` パイプライン",
                    name=name,
                ),
                path,
                line,
            )
    return None


def shipper_configs(target: Target) -> Iterator[Evidence]:
    for path in scanned_files(target):
        found = _shipper(target, path)
        if found is not None:
            yield found


@check("deploy.log_collection", severity="medium")
def log_collection(
    target: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    compose: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
) -> Outcome:
    stdout = logs_to_stdout(target, dockerfile=dockerfile, context=context)
    shippers = list(shipper_configs(target))
    by_compose, compose_evidence = _compose_collection(target, compose, services)
    collected = bool(shippers) or by_compose
    collection = [*shippers, *compose_evidence]
    if stdout.status is Status.FAIL:
        return Outcome.failed(
            tr(
                "logs do not reach stdout/stderr: {summary}",
                "ログが stdout/stderr に届かない: {summary}",
                summary=stdout.summary,
            ),
            *stdout.evidence,
            *collection,
        )
    if not collected:
        problems = [e.note for e in compose_evidence if e.path and "logs through" not in e.note]
        detail = (
            tr(" ({problems})", "（{problems}）", problems=join(problems, "; ", "。"))
            if problems
            else ""
        )
        return Outcome.failed(
            tr(
                "nothing collects the containers' logs: no collecting logging driver on the "
                "app's services{detail} and no log shipper config",
                "コンテナのログを収集するものがない: アプリケーションのサービスに収集する"
                "ロギングドライバーがなく{detail}、ログシッパーの設定もない",
                detail=detail,
            ),
            *collection,
            Evidence(
                tr(
                    "looked for Compose logging drivers and Fluent Bit, Vector, Promtail, Alloy "
                    "and OpenTelemetry Collector configs",
                    "Compose のロギングドライバーと、Fluent Bit、Vector、Promtail、Alloy、"
                    "OpenTelemetry Collector の設定を探した",
                )
            ),
            *stdout.evidence,
        )
    how = (
        tr("a log shipper config", "ログシッパーの設定")
        if shippers
        else tr("the Compose logging driver", "Compose のロギングドライバー")
    )
    if stdout.status is Status.UNKNOWN:
        return Outcome.unknown(
            tr(
                "logs are collected by {how}, but {summary}",
                "ログは{how}で収集されるが、{summary}",
                how=how,
                summary=stdout.summary,
            ),
            *stdout.evidence,
            *collection,
        )
    return Outcome.passed(
        tr(
            "logs go to stdout/stderr and are collected by {how}",
            "ログは stdout/stderr に出力され、{how}で収集される",
            how=how,
        ),
        *collection,
        *stdout.evidence,
    )
