"""Monitoring and alerting: the app reports its health and someone is alerted when it fails.

What it checks:
    Both of:

    1. A healthcheck: the final stage of the Dockerfile has a HEALTHCHECK (judged exactly
       as `dockerfile.healthcheck` judges it; `HEALTHCHECK NONE` does not count), or an app
       service of the production Compose project has an enabled `healthcheck:` (not
       `disable: true`, not `test: ["NONE"]`). A healthcheck only of a third-party service
       (redis, postgres) does not count: the app's own health is what is monitored.
    2. An alert definition in the target, in one of these formats:

       * Prometheus alerting rules: `groups:` whose `rules:` hold at least one rule with
         `alert:` and `expr:` (a rules file, or `spec.groups` of a `PrometheusRule`);
       * an Alertmanager config: `route:` and a `receivers:` entry with at least one
         `*_configs` notifier (a receiver with only a name delivers nothing);
       * Grafana alerting file provisioning: `apiVersion: 1` and `groups:` whose `rules:`
         have `title:` and `condition:`;
       * a Gatus config: `endpoints:` with an endpoint that has `alerts:`, and an
         `alerting:` provider to send them;
       * an Uptime Kuma backup (JSON) with monitors (`monitorList`) and notifications
         (`notificationList`).

    YAML and JSON files anywhere in the target are read (dependency and VCS folders
    skipped); a YAML file that is not valid YAML (a Helm template) is listed and skipped.
    A definition is taken at its word: whether its expression matches the app's metrics is
    not judged. Unlike KICS's "Healthcheck Not Set", a healthcheck alone does not pass:
    something must turn a failed check into an alert.

Why it matters:
    A healthcheck lets the engine restart a hung container, but nobody learns that the
    service is flapping, slow or down unless an alert reaches a person.

How to fix:
    Keep the HEALTHCHECK and commit the alerting config: for example a Prometheus rule
    `alert: BackendDown` with `expr: up{job="backend"} == 0` plus an Alertmanager receiver,
    or a Gatus endpoint on `/health` with `alerts: [{type: slack}]`.

日本語: 監視・アラート設定: アプリケーションが健全性を報告し、失敗すると誰かにアラートが届く

何を確認するか:
    次の両方です:

    1. ヘルスチェック: Dockerfile の最終ステージに HEALTHCHECK がある
       （`dockerfile.healthcheck` とまったく同じように判定します。`HEALTHCHECK NONE` は
       数えません）か、本番用 Compose プロジェクトのアプリケーションのサービスに有効な
       `healthcheck:` がある（`disable: true` でも `test: ["NONE"]` でもない）こと。サード
       パーティのサービス（redis、postgres）だけのヘルスチェックは数えません。監視するのは
       アプリケーション自身の健全性です。
    2. ターゲットにある次のいずれかの形式のアラート定義:

       * Prometheus のアラートルール: `alert:` と `expr:` を持つルールを少なくとも 1 つ含む
         `rules:` を持つ `groups:`（ルールファイル、または `PrometheusRule` の
         `spec.groups`）。
       * Alertmanager の設定: `route:` と、`*_configs` の通知先を少なくとも 1 つ持つ
         `receivers:` のエントリー（名前しかないレシーバーは何も届けません）。
       * Grafana アラートのファイルプロビジョニング: `apiVersion: 1` と、`title:` と
         `condition:` を持つ `rules:` の `groups:`。
       * Gatus の設定: `alerts:` を持つエンドポイントを含む `endpoints:` と、それを送る
         `alerting:` のプロバイダー。
       * モニター（`monitorList`）と通知（`notificationList`）を持つ Uptime Kuma の
         バックアップ（JSON）。

    ターゲットのどこにある YAML と JSON のファイルも読みます（依存関係と VCS のフォルダーは
    除く）。YAML として不正なファイル（Helm のテンプレート）は一覧に示して飛ばします。定義は
    書かれたとおりに受け取り、その式がアプリケーションのメトリクスに一致するかは判定しません。
    KICS の「Healthcheck Not Set」と違い、ヘルスチェックだけでは合格しません。失敗した
    チェックをアラートに変える何かが必要です。

なぜ重要か:
    ヘルスチェックがあればエンジンは固まったコンテナを再起動できますが、サービスが不安定、
    遅い、停止していることは、アラートが人に届かない限り誰にも分かりません。

修正方法:
    HEALTHCHECK を残したうえで、アラートの設定をコミットします。例: Prometheus のルール
    `alert: BackendDown` と `expr: up{job="backend"} == 0` に Alertmanager のレシーバーを
    加えたもの、または `/health` に対する Gatus のエンドポイントと
    `alerts: [{type: slack}]`。
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from checklists import Evidence, InputError, Outcome, Target, check, join, tr
from checks.common import load_build
from checks.deploy._support import (
    app_services,
    compose_projects,
    production_projects,
    scanned_files,
    text_or_none,
)
from checks.readers.healthcheck import read_healthcheck
from checks.readers.located_yaml import YList, YMap, load


def _items(value: object) -> list[YMap]:
    return [item for item in value if isinstance(item, YMap)] if isinstance(value, YList) else []


def _prometheus(document: YMap) -> tuple[str, int] | None:
    groups = document.get("groups")
    spec = document.get("spec")
    if document.get("kind") == "PrometheusRule" and isinstance(spec, YMap):
        groups = spec.get("groups")
    for group in _items(groups):
        for rule in _items(group.get("rules")):
            if "alert" in rule and "expr" in rule:
                shown = tr(
                    "Prometheus alerting rule {name!r}",
                    "Prometheus のアラートルール {name!r}",
                    name=rule["alert"],
                )
                return shown, rule.line_of("alert")
            if "title" in rule and "condition" in rule and document.get("apiVersion") == 1:
                shown = tr(
                    "Grafana alert rule {name!r}",
                    "Grafana のアラートルール {name!r}",
                    name=rule["title"],
                )
                return shown, rule.line_of("title")
    return None


def _alertmanager(document: YMap) -> tuple[str, int] | None:
    if not isinstance(document.get("route"), YMap):
        return None
    for receiver in _items(document.get("receivers")):
        notifiers = [k for k, v in receiver.items() if k.endswith("_configs") and v]
        if notifiers:
            name = receiver.get("name")
            shown = tr(
                "Alertmanager receiver {name!r} ({notifiers})",
                "Alertmanager のレシーバー {name!r}（{notifiers}）",
                name=name,
                notifiers=", ".join(notifiers),
            )
            return shown, receiver.line
    return None


def _gatus(document: YMap) -> tuple[str, int] | None:
    alerting = document.get("alerting")
    if not isinstance(alerting, YMap) or not alerting:
        return None
    for endpoint in _items(document.get("endpoints")):
        if isinstance(endpoint.get("alerts"), YList) and endpoint["alerts"]:
            name = endpoint.get("name") or endpoint.get("url")
            shown = tr(
                "Gatus endpoint {name!r} with alerts",
                "アラート付きの Gatus エンドポイント {name!r}",
                name=name,
            )
            return shown, endpoint.line_of("alerts")
    return None


def _uptime_kuma(text: str) -> tuple[str, int] | None:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):  # nested past the stack: not a backup
        return None
    if not isinstance(document, dict):
        return None
    monitors, notifications = document.get("monitorList"), document.get("notificationList")
    if not (isinstance(monitors, list) and isinstance(notifications, list)):
        return None
    if monitors and notifications:
        shown = tr(
            "Uptime Kuma backup: {count} monitor(s), notifications set",
            "Uptime Kuma のバックアップ: モニター {count} 個、通知あり",
            count=len(monitors),
        )
        return shown, 1
    return None


def alert_definitions(target: Target) -> tuple[list[Evidence], list[Evidence]]:
    """(alert definitions found, files skipped as unreadable)."""
    found: list[Evidence] = []
    skipped: list[Evidence] = []
    for path in scanned_files(target):
        suffix = path.rsplit(".", 1)[-1].lower()
        if suffix not in ("yml", "yaml", "json"):
            continue
        text = text_or_none(target, path)
        if text is None:
            continue
        if suffix == "json":
            hit = _uptime_kuma(text) if "monitorList" in text else None
            if hit:
                found.append(Evidence(hit[0], path=path, line=hit[1]))
            continue
        if not any(word in text for word in ("alert", "receivers", "groups:")):
            continue
        try:
            document = target.parse(path, load)
        except InputError as error:
            note = tr(
                "not valid YAML, skipped: {message}",
                "YAML として不正なため飛ばした:「{message}」",
                message=error.message,
            )
            skipped.append(Evidence(note, path, error.line))
            continue
        if not isinstance(document, YMap):
            continue
        for recognise in (_prometheus, _alertmanager, _gatus):
            hit = recognise(document)
            if hit:
                found.append(Evidence(hit[0], path=path, line=hit[1]))
    return found, skipped


def _image_healthcheck(target: Target, dockerfile: str) -> tuple[bool, Evidence]:
    """Whether the image of the Dockerfile's last stage has an enabled HEALTHCHECK, read as
    `dockerfile.healthcheck` reads it (a malformed one is an input error)."""
    try:
        parsed, build = load_build(target, dockerfile)
        setting = build.config.healthcheck
        if setting is None:
            return False, parsed.at(
                dockerfile, build.final.from_instruction, tr("no HEALTHCHECK", "HEALTHCHECK なし")
            )
        if read_healthcheck(setting.instruction).disabled:
            return False, parsed.at(dockerfile, setting.instruction, "HEALTHCHECK NONE")
        return True, parsed.at(
            dockerfile, setting.instruction, tr("the healthcheck in effect", "有効なヘルスチェック")
        )
    except InputError as error:
        raise error.with_path(dockerfile) from None


def _healthchecks(
    target: Target, dockerfile: str, compose: Sequence[str] | None, services: Sequence[str] | None
) -> tuple[list[Evidence], list[Evidence]]:
    """(healthchecks of the app, notes about missing ones)."""
    found: list[Evidence] = []
    notes: list[Evidence] = []
    if target.is_file(dockerfile):
        found_, note = _image_healthcheck(target, dockerfile)
        (found if found_ else notes).append(note)
    else:
        notes.append(
            Evidence(
                tr("{path} does not exist", "{path} が存在しない", path=dockerfile), path=dockerfile
            )
        )
    projects, _ = production_projects(compose_projects(target, compose))
    for project in projects:
        names, _ = app_services(project, services)
        for name in names:
            setting = project.setting(name, lambda s: s.healthcheck)
            if setting is None:
                continue
            path, check_ = setting
            if check_.enabled:
                test = " ".join(check_.test) or tr("(inherited test)", "（継承した test）")
                said = tr(
                    "service {name!r} healthcheck: {test}",
                    "サービス {name!r} のヘルスチェック: {test}",
                    name=name,
                    test=test,
                )
                found.append(Evidence(said, path, check_.line))
            else:
                said = tr(
                    "service {name!r} disables its healthcheck",
                    "サービス {name!r} はヘルスチェックを無効にしている",
                    name=name,
                )
                notes.append(Evidence(said, path, check_.line))
    return found, notes


@check(
    "deploy.monitoring",
    severity="medium",
    related=("kics:Healthcheck Not Set", "trivy:DS-0026", "checkov:CKV_DOCKER_2"),
)
def monitoring(
    target: Target,
    *,
    dockerfile: str = "Dockerfile",
    compose: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
) -> Outcome:
    health, health_notes = _healthchecks(target, dockerfile, compose, services)
    alerts, skipped = alert_definitions(target)
    problems = []
    if not health:
        problems.append(
            tr(
                "the app has no healthcheck (Dockerfile HEALTHCHECK or Compose)",
                "アプリケーションにヘルスチェックがない（Dockerfile の HEALTHCHECK も Compose の"
                "ものもない）",
            )
        )
    if not alerts:
        problems.append(
            tr(
                "no alert definition (Prometheus rules, Alertmanager, Grafana alerting, Gatus, "
                "Uptime Kuma)",
                "アラート定義がない（Prometheus のルール、Alertmanager、Grafana のアラート、"
                "Gatus、Uptime Kuma）",
            )
        )
    evidence = [*health, *alerts, *health_notes, *skipped]
    if problems:
        return Outcome.failed(join(problems, "; ", "。"), *evidence)
    return Outcome.passed(
        tr(
            "a healthcheck and {count} alert definition(s): {first}",
            "ヘルスチェックとアラート定義 {count} 件あり: {first}",
            count=len(alerts),
            first=alerts[0].note,
        ),
        *evidence,
    )
