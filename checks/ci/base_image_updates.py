"""Base image updates: a bot proposes base image updates for the backend at least monthly.

What it checks:
    The guide's rule "定期更新: 月次でベースイメージとパッケージ更新" as configuration in
    the target. One of these must hold:

    * Dependabot (`.github/dependabot.yml` or `.yaml`) has an `updates` entry with
      `package-ecosystem: docker` whose `directory` or `directories` covers the folder of
      the Dockerfile (param `directory`, default the folder of `dockerfile`; `directories`
      globs such as `/**` or `/src/app/**`, which includes `/src/app` itself, count), with a
      schedule at least monthly (its own, or its `multi-ecosystem-group`'s): `interval`
      daily, weekly or monthly, or
      `cron` with a `cronjob` that fires every month. `quarterly`, `semiannually`,
      `yearly`, a cron limited to some months, `open-pull-requests-limit: 0` (which turns
      version updates off) and an `ignore` of `dependency-name: "*"` fail.
    * Renovate (its config file, found in Renovate's order, or `"renovate"` in
      package.json) leaves the `dockerfile` manager on — not `enabled: false`, not left out
      of `enabledManagers`, not disabled by the preset `docker:disable` or by a
      `packageRules` entry that matches only the manager or the docker datasource — and
      finds the backend Dockerfile (param `dockerfile`): the manager's file patterns match
      it, `includePaths` (when set) includes it and `ignorePaths` does not exclude it,
      judged as Renovate does (a substring, or a minimatch glob with dot files), with the
      defaults Renovate and its `config:recommended` preset add. A schedule that fires less
      than monthly fails (`schedule:quarterly`, `schedule:yearly`, a cron limited to some
      months, text naming months or "every 3 months"); any other schedule text is accepted
      and shown. A preset from outside Renovate (`github>org/repo`, `local>...`) is not
      fetched, so such a config can only be unknown.

    The bot must also be able to read the shipped image's base: the FROM of the first stage
    of the target stage's chain (param `target`; by default the last stage). Dependabot
    does not expand ARG variables in FROM (dependabot-core#2057), so a base written with `$`
    (`FROM python:${PYTHON_VERSION}-slim`, `FROM $BASE_IMAGE`) gets no update from it and
    fails. Renovate expands ARG defaults, so only a variable with no default in the
    Dockerfile (its value passed at build time, `ARG FROM` / `FROM ${FROM}`) fails; unknown
    when the Renovate config has `customManagers` (or `regexManagers`), which may update
    the value where it is written.

    Whether each FROM of the backend Dockerfile is pinned by digest is shown too: a digest
    pin is the stronger form (the update bot moves the digest with the tag), but a digest
    without an update bot never changes and does not count. Whether the bot is installed
    (Renovate's GitHub app) cannot be seen from the repository; the config is the evidence.

Why it matters:
    A slim base image gets Debian and CPython security fixes every few weeks. A pinned tag
    that nobody updates collects known vulnerabilities until the Trivy gate starts
    failing; a bot that opens the update as a pull request keeps the image patched with a
    reviewable change.

How to fix:
    Add `.github/dependabot.yml`:
    `version: 2` / `updates:` / `- package-ecosystem: docker`, `directory: /backend`,
    `schedule: {interval: monthly}` (weekly is better); or enable Renovate with its
    `dockerfile` manager and a monthly (or more frequent) schedule.

日本語: ベースイメージの定期更新: ボットが少なくとも月次でバックエンドのベースイメージ更新を提案する

何を確認するか:
    ガイドの規則「定期更新: 月次でベースイメージとパッケージ更新」を、ターゲットの設定として
    確認します。次のいずれかが成り立つ必要があります:

    * Dependabot（`.github/dependabot.yml` または `.yaml`）に `package-ecosystem: docker` の
      `updates` エントリーがあり、その `directory` か `directories` が Dockerfile のフォルダー
      （パラメータ `directory`。既定は `dockerfile` のフォルダー。`/**` や `/src/app/**` の
      ような `directories` の glob も数え、後者は `/src/app` 自体も含みます）を含み、スケジュール
      （自身のもの、または `multi-ecosystem-group` のもの）が少なくとも月次であること:
      `interval` が daily、weekly、monthly か、毎月実行される `cronjob` を持つ `cron` です。
      `quarterly`、`semiannually`、`yearly`、一部の月に限った cron、
      `open-pull-requests-limit: 0`（バージョン更新を無効にします）、
      `dependency-name: "*"` の `ignore` は不合格です。
    * Renovate（Renovate の順序で見つかる設定ファイル、または package.json の `"renovate"`）が
      `dockerfile` マネージャーを有効のままにしていること（`enabled: false` でも、
      `enabledManagers` から外れているのでも、プリセット `docker:disable` やマネージャーか
      docker データソースだけに一致する `packageRules` で無効になっているのでもないこと）、
      そしてバックエンドの Dockerfile（パラメータ `dockerfile`）を見つけること: マネージャーの
      ファイルパターンが一致し、`includePaths`（指定があれば）が含み、`ignorePaths` が除外
      しないことを、Renovate と同じように（部分文字列か、ドットファイルを含む minimatch の
      glob）、Renovate とそのプリセット `config:recommended` が加える既定値も含めて判定します。
      月次より少ないスケジュールは不合格です（`schedule:quarterly`、`schedule:yearly`、一部の
      月に限った cron、月名や「every 3 months」を含む文）。それ以外のスケジュールの文は受け入れて
      示します。Renovate の外のプリセット（`github>org/repo`、`local>...`）は取得しないため、
      そうした設定は unknown（未計測）にしかなりません。

    ボットは出荷するイメージのベース、つまり対象ステージ（パラメータ `target`。省略時は
    最後のステージ）の FROM をたどった最初のステージの FROM を読めなければなりません。
    Dependabot は FROM の ARG 変数を展開しない（dependabot-core#2057）ため、`$` を含むベース
    （`FROM python:${PYTHON_VERSION}-slim`、`FROM $BASE_IMAGE`）は更新されず不合格です。
    Renovate は ARG の既定値を展開するため、Dockerfile に既定値のない変数（値をビルド時に
    渡す `ARG FROM` / `FROM ${FROM}`）だけが不合格です。Renovate の設定に `customManagers`
    （または `regexManagers`）があれば、値が書かれた場所で更新するかもしれないため unknown
    です。

    バックエンドの Dockerfile の各 FROM がダイジェストで固定されているかも示します。
    ダイジェストでの固定はより強い形です（更新ボットがタグと一緒にダイジェストを動かします）が、
    更新ボットのないダイジェストは決して変わらず、数えません。ボットがインストールされているか
    （Renovate の GitHub アプリ）はリポジトリから見えないため、設定を根拠とします。

なぜ重要か:
    slim のベースイメージには数週間ごとに Debian と CPython のセキュリティ修正が入ります。
    誰も更新しない固定タグは、Trivy のゲートが失敗し始めるまで既知の脆弱性を溜め込みます。
    更新をプルリクエストとして開くボットがあれば、レビューできる変更でイメージにパッチが
    当たり続けます。

修正方法:
    `.github/dependabot.yml` を追加します:
    `version: 2` / `updates:` / `- package-ecosystem: docker`、`directory: /backend`、
    `schedule: {interval: monthly}`（weekly ならなお良い）。または Renovate を `dockerfile`
    マネージャーと月次（以上）のスケジュールで有効にします。
"""

from __future__ import annotations

import calendar
import posixpath
import re
from collections.abc import Callable, Iterable

from checklists import Evidence, Outcome, Target, check, join, tr
from checks.common import load_build, load_dockerfile, stage_label
from checks.readers.ci_builds import normalise
from checks.readers.updaters import (
    RENOVATE_FILES,
    DependabotConfig,
    RenovateConfig,
    RenovateManager,
    read_dependabot,
    read_renovate,
    read_renovate_package_json,
)

DEPENDABOT_FILES = (".github/dependabot.yml", ".github/dependabot.yaml")
_OK_INTERVALS = frozenset({"daily", "weekly", "monthly"})
_RARE_INTERVALS = frozenset({"quarterly", "semiannually", "yearly"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_MONTH_WORD = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\b", re.IGNORECASE)
_EVERY_MONTHS = re.compile(r"\bevery\s+(\d+)\s+months?\b", re.IGNORECASE)
_RENOVATE_DEFAULT_PATTERNS = (
    r"(^|/|\.)([Dd]ocker|[Cc]ontainer)file$",
    r"(^|/)([Dd]ocker|[Cc]ontainer)file[^/]*$",
)
_RENOVATE_IGNORES = ("**/node_modules/**", "**/bower_components/**")
_MODULES_AND_TESTS = (
    *_RENOVATE_IGNORES,
    "**/vendor/**",
    "**/examples/**",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
    "**/__fixtures__/**",
)
_PRESETS_WITH_TEST_IGNORES = frozenset(
    {"config:recommended", "config:base", "config:best-practices", ":ignoreModulesAndTests"}
)
_BUILTIN_NAMESPACES = frozenset(
    {
        *("abandonments", "config", "customManagers", "default", "docker", "global", "group"),
        *("helpers", "mergeConfidence", "monorepo", "npm", "packages", "preview"),
        *("regexManagers", "replacements", "schedule", "security", "workarounds"),
    }
)
_RARE_PRESETS = {"schedule:quarterly": "quarterly", "schedule:yearly": "yearly"}


# --- Schedules -------------------------------------------------------------------------------


def _cron_field(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> set[int] | None:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() else 1
        for index, name in enumerate(names):
            body = body.replace(name, str(index + (1 if names is _MONTHS else 0)))
        if body in ("*", "?"):
            start, end = low, high
        elif "-" in body:
            first, _, last = body.partition("-")
            if not (first.isdigit() and last.isdigit()):
                return None
            start, end = int(first), int(last)
        elif body.isdigit():
            start = int(body)
            end = high if step_text else start
        else:
            return None
        values.update(range(start, end + 1, max(step, 1)))
    return values


def cron_problem(cron: str) -> str | None:
    """Why a 5-field cron expression fires less often than every month (None: monthly or
    more often)."""
    fields = cron.split()
    if len(fields) != 5:
        return tr(
            "{cron!r} is not a 5-field cron expression",
            "{cron!r} は 5 フィールドの cron 式ではない",
            cron=cron,
        )
    months = _cron_field(fields[3], 1, 12, _MONTHS)
    days = _cron_field(fields[2], 1, 31)
    weekdays = _cron_field(fields[4], 0, 7, _DAYS)
    if months is None or days is None or weekdays is None:
        return tr("{cron!r} cannot be read", "{cron!r} を読み取れない", cron=cron)
    if not set(range(1, 13)) <= months:
        shown = [tr(calendar.month_name[m], f"{m}月") for m in sorted(months) if 1 <= m <= 12]
        return tr(
            "{cron!r} runs only in {months}",
            "{cron!r} は {months} にしか実行されない",
            cron=cron,
            months=shown,
        )
    if fields[4] in ("*", "?") and min(days) > 28:
        return tr(
            "{cron!r} runs only on day {day} or later, which some months lack",
            "{cron!r} は {day} 日以降にしか実行されず、その日がない月もある",
            cron=cron,
            day=min(days),
        )
    return None


def schedule_problem(entries: Iterable[str]) -> str | None:
    """Why a Renovate schedule fires less than monthly, None when it does not."""
    problems: list[str] = []
    for entry in entries:
        text = entry.strip()
        if text in ("", "at any time"):
            return None
        if len(text.split()) == 5 and re.fullmatch(r"[\d*/,?a-zA-Z-]+( [\d*/,?a-zA-Z-]+){4}", text):
            problem = cron_problem(text)
        elif (every := _EVERY_MONTHS.search(text)) and int(every.group(1)) > 1:
            problem = tr(
                "{text!r} runs every {count} months",
                "{text!r} は {count} か月ごとに実行される",
                text=text,
                count=every.group(1),
            )
        elif _MONTH_WORD.search(text):
            problem = tr(
                "{text!r} runs only in the months it names",
                "{text!r} は指定した月にしか実行されない",
                text=text,
            )
        else:
            problem = None
        if problem is None:
            return None  # Renovate runs when any entry matches
        problems.append(problem)
    return join(problems, "; ", "。") or None


# --- Dependabot ------------------------------------------------------------------------------


def _directory_glob(pattern: str) -> re.Pattern[str]:
    body = normalise(pattern)
    if body.endswith("/**"):  # `/src/x/**` is the folder and every folder below it
        head = re.escape(body[:-3]).replace(r"\*", "[^/]*")
        return re.compile(head + "(?:/.*)?")
    if body == "**":
        return re.compile(".*")
    regex = re.escape(body).replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.compile(regex if body != "." else r"\.")


def _covers(directories: tuple[str, ...], wanted: str) -> str | None:
    """The `directory` / `directories` entry that names the wanted folder, exactly or as a
    glob (`/**`, `/services/*`)."""
    for entry in directories:
        body = normalise(entry)
        if body == wanted or ("*" in body and _directory_glob(entry).fullmatch(wanted)):
            return entry
    return None


# radon D: dependabot.yml's ecosystem, directories and interval each decide the coverage.
def _dependabot(target: Target, directory: str) -> tuple[str, str, list[Evidence]] | None:
    """(status, summary, evidence) from Dependabot, None when there is no config."""
    path = next((p for p in DEPENDABOT_FILES if target.is_file(p)), None)
    if path is None:
        return None
    config: DependabotConfig = target.parse(path, read_dependabot)
    wanted = normalise(directory)
    evidence: list[Evidence] = []
    problems: list[str] = []
    for update in config.updates:
        if update.ecosystem != "docker":
            continue
        matched = _covers(update.directories, wanted)
        if matched is None:
            evidence.append(
                Evidence(
                    tr(
                        "docker updates for {directories}, not {directory}",
                        "docker の更新対象は {directories} で、{directory} ではない",
                        directories=repr(list(update.directories)),
                        directory=directory,
                    ),
                    path=path,
                    line=update.line,
                )
            )
            continue
        # A setting as written: the same in every language.
        where = Evidence(
            f"package-ecosystem docker, directory {matched}", path=path, line=update.line
        )
        evidence.append(where)
        if update.open_pull_requests_limit == 0:
            problems.append(
                tr(
                    "open-pull-requests-limit: 0 turns version updates off",
                    "open-pull-requests-limit: 0 でバージョン更新が無効",
                )
            )
            continue
        if any(
            i.get("dependency-name") == "*" and not i.get("versions") and not i.get("update-types")
            for i in update.ignores
        ):
            problems.append(
                tr(
                    'an ignore of dependency-name "*" skips every update',
                    'dependency-name "*" の ignore ですべての更新が飛ばされる',
                )
            )
            continue
        interval = (update.interval or "").lower()
        if interval in _OK_INTERVALS:
            evidence.append(_interval(interval, path, update.schedule_line))
            return (
                "pass",
                tr(
                    "Dependabot updates the base images in {matched} {interval}",
                    "Dependabot が {matched} のベースイメージを{interval}更新",
                    matched=matched,
                    interval=_EVERY[interval],
                ),
                evidence,
            )
        if interval == "cron":
            cron = update.cronjob or ""
            problem = (
                cron_problem(cron)
                if cron
                else tr("interval cron has no cronjob", "interval cron に cronjob がない")
            )
            evidence.append(
                Evidence(
                    tr("schedule cron {cron!r}", "スケジュール cron {cron!r}", cron=cron),
                    path=path,
                    line=update.schedule_line,
                )
            )
            if problem is None:
                return (
                    "pass",
                    tr(
                        "Dependabot updates the base images in {matched} on cron {cron!r}",
                        "Dependabot が {matched} のベースイメージを cron {cron!r} で更新",
                        matched=matched,
                        cron=cron,
                    ),
                    evidence,
                )
            problems.append(problem)
        elif interval in _RARE_INTERVALS:
            evidence.append(_interval(interval, path, update.schedule_line))
            problems.append(
                tr(
                    "Dependabot's schedule is {interval}, less often than monthly",
                    "Dependabot のスケジュールは {interval} で、月次より少ない",
                    interval=interval,
                )
            )
        else:
            problems.append(
                tr(
                    "the docker update has no valid schedule (interval {interval!r})",
                    "docker の更新に有効なスケジュールがない（interval {interval!r}）",
                    interval=update.interval,
                )
            )
    if problems:
        return "fail", join(problems, "; ", "。"), evidence
    return (
        "fail",
        tr(
            "Dependabot has no docker update for {directory}",
            "Dependabot に {directory} の docker の更新がない",
            directory=directory,
        ),
        evidence
        or [
            Evidence(
                tr(
                    "no package-ecosystem: docker entry",
                    "package-ecosystem: docker のエントリーなし",
                ),
                path=path,
                line=1,
            )
        ],
    )


_EVERY = {
    "daily": tr("daily", "毎日"),
    "weekly": tr("weekly", "毎週"),
    "monthly": tr("monthly", "毎月"),
}


def _interval(interval: str, path: str, line: int | None) -> Evidence:
    return Evidence(
        tr(
            "schedule interval {interval}",
            "スケジュール interval {interval}",
            interval=interval,
        ),
        path=path,
        line=line,
    )


# --- Renovate --------------------------------------------------------------------------------


def _minimatch(pattern: str) -> re.Pattern[str]:
    """minimatch with {dot: true}: `**` spans folders, `*` and `?` stay in one, `{a,b}`."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "{" and "}" in pattern[index:]:
            end = pattern.index("}", index)
            out.append(
                "(?:" + "|".join(re.escape(p) for p in pattern[index + 1 : end].split(",")) + ")"
            )
            index = end + 1
        else:
            out.append(re.escape(char))
            index += 1
    return re.compile("".join(out))


def _file_pattern(pattern: str) -> re.Pattern[str] | None:
    """A managerFilePatterns entry (`/regex/` or a glob) or a fileMatch regex."""
    if len(pattern) > 1 and pattern.startswith("/") and pattern.rstrip("gimsuy").endswith("/"):
        return re.compile(pattern[1 : len(pattern.rstrip("gimsuy")) - 1])
    if any(c in pattern for c in "*?{"):
        return _minimatch(pattern)
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _renovate_file(target: Target) -> tuple[str, RenovateConfig] | None:
    for path in RENOVATE_FILES:
        if not target.is_file(path):
            continue
        if path == "package.json":
            config = target.parse(path, read_renovate_package_json)
            if config is None:
                continue
            return path, config
        return path, target.parse(path, read_renovate)
    return None


_Found = tuple[str, str, list[Evidence]]  # (status, summary, evidence)
_At = Callable[[str, str], Evidence]  # (config key, note) -> evidence at that key


def _renovate_switched_off(
    config: RenovateConfig, manager: RenovateManager | None, path: str, at: _At
) -> _Found | None:
    """A failure when Renovate, its dockerfile manager or docker updates are turned off."""
    if config.enabled is False:
        return (
            "fail",
            tr("Renovate is disabled (enabled: false)", "Renovate が無効（enabled: false）"),
            [at("enabled", "enabled: false")],
        )
    if config.enabled_managers is not None and "dockerfile" not in config.enabled_managers:
        return (
            "fail",
            tr(
                "enabledManagers {managers} leaves out dockerfile",
                "enabledManagers {managers} に dockerfile が含まれない",
                managers=repr(list(config.enabled_managers)),
            ),
            [at("enabledManagers", f"enabledManagers {list(config.enabled_managers)}")],
        )
    if manager is not None and manager.enabled is False:
        return (
            "fail",
            tr("the dockerfile manager is disabled", "dockerfile マネージャーが無効"),
            [at("dockerfile", '"dockerfile": {"enabled": false}')],
        )
    if "docker:disable" in config.extends and not (manager and manager.enabled):
        return (
            "fail",
            tr(
                "the preset docker:disable turns the dockerfile manager off",
                "プリセット docker:disable が dockerfile マネージャーを無効にしている",
            ),
            [at("extends", "extends docker:disable")],
        )
    for rule in config.package_rules:
        if (
            rule.enabled is False
            and not rule.other_conditions
            and ("dockerfile" in rule.match_managers or "docker" in rule.match_datasources)
        ):
            return (
                "fail",
                tr(
                    "a packageRules entry disables docker updates",
                    "packageRules のエントリーが docker の更新を無効にしている",
                ),
                [
                    Evidence(
                        tr(
                            "packageRules: enabled false for docker",
                            "packageRules: docker に enabled false",
                        ),
                        path=path,
                        line=rule.line,
                    )
                ],
            )
    return None


def _renovate_excludes(
    config: RenovateConfig,
    manager: RenovateManager | None,
    file: str,
    at: _At,
    evidence: list[Evidence],
) -> _Found | None:
    """A failure when the file patterns, includePaths or ignorePaths leave the file out."""
    patterns = [*_RENOVATE_DEFAULT_PATTERNS, *(manager.file_patterns if manager else ())]
    compiled = [p for p in (_file_pattern(x) for x in patterns) if p is not None]
    if not any(p.search(file) for p in compiled):
        return (
            "fail",
            tr(
                "the dockerfile manager's file patterns do not match {file}",
                "dockerfile マネージャーのファイルパターンが {file} に一致しない",
                file=file,
            ),
            evidence,
        )
    if config.include_paths is not None and not any(
        file == p or _minimatch(p).fullmatch(file) for p in config.include_paths
    ):
        return (
            "fail",
            tr(
                "includePaths {paths} leaves out {file}",
                "includePaths {paths} に {file} が含まれない",
                paths=repr(list(config.include_paths)),
                file=file,
            ),
            [at("includePaths", f"includePaths {list(config.include_paths)}")],
        )
    ignores = config.ignore_paths
    if ignores is None:
        uses_tests = any(e in _PRESETS_WITH_TEST_IGNORES for e in config.extends)
        ignores = _MODULES_AND_TESTS if uses_tests else _RENOVATE_IGNORES
    for pattern in ignores:
        if pattern in file or _minimatch(pattern).fullmatch(file):
            return (
                "fail",
                tr(
                    "ignorePaths {pattern!r} excludes {file}",
                    "ignorePaths {pattern!r} が {file} を除外している",
                    pattern=pattern,
                    file=file,
                ),
                [at("ignorePaths", f"ignorePaths {list(ignores)}")],
            )
    return None


def _renovate_schedules(
    config: RenovateConfig, manager: RenovateManager | None
) -> list[tuple[str, tuple[str, ...]]]:
    """The schedules that apply to docker updates, the most specific first."""
    schedules: list[tuple[str, tuple[str, ...]]] = []
    for rule in config.package_rules:
        if rule.schedule is not None and (
            "dockerfile" in rule.match_managers or "docker" in rule.match_datasources
        ):
            schedules.append(("packageRules", rule.schedule))
    if manager is not None and manager.schedule is not None:
        schedules.append(("dockerfile", manager.schedule))
    if config.schedule is not None:
        schedules.append(("schedule", config.schedule))
    return schedules


def _renovate_too_rare(
    config: RenovateConfig,
    schedules: list[tuple[str, tuple[str, ...]]],
    at: _At,
    evidence: list[Evidence],
) -> _Found | None:
    """A failure when Renovate runs less often than monthly (a preset or a schedule)."""
    for preset, label in _RARE_PRESETS.items():
        if preset in config.extends and not schedules:
            return (
                "fail",
                tr(
                    "the preset {preset} runs Renovate {label}, less often than monthly",
                    "プリセット {preset} は Renovate を {label} で実行し、月次より少ない",
                    preset=preset,
                    label=label,
                ),
                [at("extends", f"extends {preset}")],
            )
    if schedules:
        key, entries = schedules[0]
        problem = schedule_problem(entries)
        evidence.append(
            at(key if key != "packageRules" else "packageRules", f"schedule {list(entries)}")
        )
        if problem is not None:
            return (
                "fail",
                tr(
                    "Renovate's schedule fires less often than monthly: {problem}",
                    "Renovate のスケジュールは月次より少ない: {problem}",
                    problem=problem,
                ),
                evidence,
            )
    return None


def _renovate(target: Target, dockerfile: str) -> tuple[str, str, list[Evidence]] | None:
    found = _renovate_file(target)
    if found is None:
        return None
    path, config = found
    file = normalise(dockerfile)
    evidence = [
        Evidence(
            tr(
                "Renovate config (extends {extends})",
                "Renovate の設定（extends {extends}）",
                extends=repr(list(config.extends)),
            ),
            path=path,
            line=config.line,
        )
    ]

    def at(key: str, note: str) -> Evidence:
        return Evidence(note, path=path, line=config.line_of(key))

    manager = config.managers.get("dockerfile")
    switched_off = _renovate_switched_off(config, manager, path, at)
    if switched_off is not None:
        return switched_off
    excluded = _renovate_excludes(config, manager, file, at, evidence)
    if excluded is not None:
        return excluded
    schedules = _renovate_schedules(config, manager)
    too_rare = _renovate_too_rare(config, schedules, at, evidence)
    if too_rare is not None:
        return too_rare
    external = [e for e in config.extends if not _builtin(e)]
    evidence.append(
        Evidence(
            tr(
                "the dockerfile manager covers {file}",
                "dockerfile マネージャーが {file} を対象にしている",
                file=file,
            ),
            path=path,
            line=config.line,
        )
    )
    if external:
        return (
            "unknown",
            tr(
                "Renovate extends {external}, which is not fetched and may change the docker "
                "updates",
                "Renovate は {external} を extends しているが、それは取得しないため、docker の"
                "更新が変わるかもしれない",
                external=", ".join(external),
            ),
            evidence,
        )
    presets = [e for e in config.extends if e.startswith("schedule:")]
    if schedules:
        when = tr(
            " on the schedule {schedule}",
            "（スケジュール {schedule}）",
            schedule=repr(list(schedules[0][1])),
        )
    elif presets:
        when = tr(
            " on the preset schedule {preset}",
            "（プリセットのスケジュール {preset}）",
            preset=presets[-1],
        )
    else:
        when = tr(" at any time", "（随時）")
    return (
        "pass",
        tr(
            "Renovate's dockerfile manager updates {file}{when}",
            "Renovate の dockerfile マネージャーが {file} を更新{when}",
            file=file,
            when=when,
        ),
        evidence,
    )


def _builtin(preset: str) -> bool:
    name = preset.partition("(")[0]
    if name.startswith(":"):
        return True
    namespace, sep, _ = name.partition(":")
    return bool(sep) and namespace in _BUILTIN_NAMESPACES


def _digests(target: Target, dockerfile: str) -> list[Evidence]:
    path = normalise(dockerfile)
    if not target.is_file(path):
        return [Evidence(tr("{path} is not in the target", "{path} がターゲットにない", path=path))]
    parsed = load_dockerfile(target, path)
    shown: list[Evidence] = []
    for stage in parsed.stages:
        if stage.base_stage is not None or stage.base == "scratch":
            continue
        form = (
            tr("pinned by digest", "はダイジェストで固定")
            if "@sha256:" in stage.base
            else tr("pinned by tag only", "はタグだけで固定")
        )
        note = tr(
            "{stage}: {base} {form}",
            "{stage}: {base} {form}",
            stage=stage_label(stage),
            base=stage.base,
            form=form,
        )
        shown.append(parsed.at(path, stage.from_instruction, note))
    return shown


# --- Can the bot read the shipped base? -----------------------------------------------------


_Unreadable = tuple[str | None, str | None, list[Evidence]]  # (dependabot, renovate, where)


def _unreadable_base(target: Target, dockerfile: str, stage: str | None) -> _Unreadable:
    """Why Dependabot, and why Renovate, cannot read the shipped image's base (None: it can).

    The base is the FROM of the first stage of the shipped stage's chain. Dependabot does
    not expand ARG variables in FROM (dependabot-core#2057): a FROM with `$` in its image is
    not a dependency it can update. Renovate expands ARG defaults (`ARG TAG=3.19` /
    `FROM alpine:${TAG}`), but a variable with no default is passed at build time, and the
    manager cannot read that value.
    """
    path = normalise(dockerfile)
    if not target.is_file(path):
        return None, None, []
    parsed, build = load_build(target, path, stage)
    root = build.root
    written = root.from_instruction.args[0]
    if root.base_stage is not None or root.base == "scratch" or "$" not in written:
        return None, None, []
    where = parsed.at(
        path,
        root.from_instruction,
        tr(
            "the shipped image's base is written with a variable: FROM {written}",
            "出荷するイメージのベースは変数で書かれている: FROM {written}",
            written=written,
        ),
    )
    dependabot = tr(
        "Dependabot does not expand ARG variables in FROM, so it proposes no update for the "
        "shipped base FROM {written} ({path}:{line})",
        "Dependabot は FROM の ARG 変数を展開しないため、出荷するベース FROM {written}"
        "（{path}:{line}）の更新を提案しない",
        written=written,
        path=path,
        line=root.from_instruction.start_line,
    )
    renovate = None
    if root.base_unresolved:
        renovate = tr(
            "the shipped base FROM {written} ({path}:{line}) uses {names} with no default in "
            "the Dockerfile: the value is passed at build time, where Renovate's dockerfile "
            "manager cannot read it",
            "出荷するベース FROM {written}（{path}:{line}）は Dockerfile に既定値のない "
            "{names} を使う。値はビルド時に渡され、Renovate の dockerfile マネージャーは"
            "それを読めない",
            written=written,
            path=path,
            line=root.from_instruction.start_line,
            names=", ".join(root.base_unresolved),
        )
    return dependabot, renovate, [where]


def _custom_managers(target: Target) -> str | None:
    """The Renovate key that defines custom (regex) managers, which may update a base image
    written outside FROM (a build argument in a script or workflow)."""
    found = _renovate_file(target)
    if found is None:
        return None
    _, config = found
    return next((k for k in ("customManagers", "regexManagers") if k in config.key_lines), None)


def _readable_only(
    repo: Target,
    dockerfile: str,
    stage: str | None,
    dependabot: _Found | None,
    renovate: _Found | None,
) -> tuple[_Found | None, _Found | None]:
    """Each bot's answer, a pass turned into a failure (or unknown) when that bot cannot read
    the shipped image's base."""
    if not any(found and found[0] == "pass" for found in (dependabot, renovate)):
        return dependabot, renovate
    cannot_dependabot, cannot_renovate, where = _unreadable_base(repo, dockerfile, stage)
    if dependabot and dependabot[0] == "pass" and cannot_dependabot is not None:
        dependabot = ("fail", cannot_dependabot, [*dependabot[2], *where])
    if renovate and renovate[0] == "pass" and cannot_renovate is not None:
        custom = _custom_managers(repo)
        if custom:
            summary = tr(
                "{problem}; {key} may update it elsewhere, and is not evaluated",
                "{problem}。{key} が別の場所で更新するかもしれないが、評価していない",
                problem=cannot_renovate,
                key=custom,
            )
            renovate = ("unknown", summary, [*renovate[2], *where])
        else:
            renovate = ("fail", cannot_renovate, [*renovate[2], *where])
    return dependabot, renovate


@check("ci.base_image_updates", severity="medium", related=())
def base_image_updates(
    repo: Target,
    *,
    directory: str | None = None,
    dockerfile: str = "./backend/Dockerfile",
    target: str | None = None,
) -> Outcome:
    if directory is None:  # Dependabot's `directory` is the folder holding the Dockerfile
        directory = "/" + normalise(posixpath.dirname(normalise(dockerfile)) or ".").strip(".")
    digests = _digests(repo, dockerfile)
    dependabot, renovate = _readable_only(
        repo, dockerfile, target, _dependabot(repo, directory), _renovate(repo, dockerfile)
    )
    results = [r for r in (dependabot, renovate) if r is not None]
    evidence = [e for _, _, shown in results for e in shown] + digests
    for status, summary, _ in results:
        if status == "pass":
            return Outcome.passed(summary, *evidence)
    for status, summary, _ in results:
        if status == "unknown":
            return Outcome.unknown(summary, *evidence)
    if results:
        return Outcome.failed(join((s for _, s, _ in results), "; ", "。"), *evidence)
    pinned = digests and all("pinned by digest" in e.note for e in digests)
    extra = (
        tr(
            " (the FROM digests are pinned, but nothing will ever move them)",
            "（FROM のダイジェストは固定されているが、それを動かすものがない）",
        )
        if pinned
        else ""
    )
    return Outcome.failed(
        tr(
            "no Dependabot or Renovate config updates the base images{extra}",
            "ベースイメージを更新する Dependabot や Renovate の設定がない{extra}",
            extra=extra,
        ),
        Evidence(
            tr(
                "looked for {dependabot} and {renovate}",
                "{dependabot} と {renovate} を探した",
                dependabot=", ".join(DEPENDABOT_FILES),
                renovate=", ".join(RENOVATE_FILES),
            )
        ),
        *evidence,
    )
