"""Backup strategy: the database is dumped on a schedule and the restore is written down.

What it checks:
    Both of:

    1. A scheduled job that backs up the database. Schedules recognised: a GitHub Actions
       workflow with `on.schedule` cron entries (its jobs' `run:` steps are read; a job that
       calls a local reusable workflow `./.github/workflows/x.yml` is followed, a remote
       one cannot be and makes the result unknown), and crontab files (`crontab`,
       `crontab.*`, `*.crontab`, `*.cron`, or any file in a `cron.d/` folder; entries with
       five time fields or `@daily`-style nicknames). Commands recognised as a backup:
       `pg_dump`, `pg_dumpall`, `mysqldump`, `mariadb-dump`, `mongodump`, `sqlite3` with
       `.backup` or `.dump`, `turso db shell <db> .dump`, `litestream replicate`,
       `restic backup`, and `rclone copy|sync|copyto|move` of a dump file (`*.sql`,
       `*.sql.gz`, `*.dump`, `*.db`, `*.sqlite`, `*.bak`). A script the job runs
       (`./scripts/backup.sh`, `bash scripts/backup.sh`, `/app/scripts/backup.sh`) is
       followed when it is in the target (an absolute path is matched by its trailing
       folders), two levels deep.
    2. A documented restore procedure: a file whose name says restore (`RESTORE.md`,
       `docs/runbooks/restore.md`, `scripts/restore.sh`), or a Markdown section whose
       heading says restore (also リストア, 復元), that holds a restore command:
       `pg_restore`, `psql ... -f` or `psql ... <`, `mysql ... <`, `mariadb ... <`,
       `sqlite3 ... .restore` or `sqlite3 ... <`, `mongorestore`, `litestream restore`,
       `restic restore`, or `turso db create ... --from-dump|--from-file`.

    Not recognised: Kubernetes CronJobs, cloud-provider scheduled snapshots and managed
    database backups (they live outside the repository). No peer linter has such a rule.

Why it matters:
    A backup that is not automated is forgotten, and one that was never restored is a hope,
    not a backup: the restore procedure is what turns a dump into a recovery.

How to fix:
    Add a scheduled workflow (`on: schedule: - cron: "0 3 * * *"`) or a crontab entry that
    runs `pg_dump` (or `turso db shell <db> .dump`, `litestream replicate`, ...) and keeps
    the dump off the host, and write `docs/runbooks/restore.md` with the exact restore
    commands.

日本語: バックアップ戦略: データベースを定期的にダンプし、リストア手順を文書にしている

何を確認するか:
    次の両方です:

    1. データベースをバックアップする定期ジョブ。認識するスケジュールは、`on.schedule` の
       cron エントリーを持つ GitHub Actions のワークフロー（そのジョブの `run:` ステップを
       読みます。ローカルの再利用可能ワークフロー `./.github/workflows/x.yml` を呼ぶジョブは
       辿り、リモートのものは辿れないため結果は unknown（未計測）になります）と、crontab
       ファイル（`crontab`、`crontab.*`、`*.crontab`、`*.cron`、または `cron.d/` フォルダーの
       ファイル。5 つの時刻フィールドか `@daily` のような別名を持つエントリー）です。バック
       アップとして認識するコマンドは、`pg_dump`、`pg_dumpall`、`mysqldump`、
       `mariadb-dump`、`mongodump`、`.backup` か `.dump` 付きの `sqlite3`、
       `turso db shell <db> .dump`、`litestream replicate`、`restic backup`、ダンプファイル
       （`*.sql`、`*.sql.gz`、`*.dump`、`*.db`、`*.sqlite`、`*.bak`）の
       `rclone copy|sync|copyto|move` です。ジョブが実行するスクリプト
       （`./scripts/backup.sh`、`bash scripts/backup.sh`、`/app/scripts/backup.sh`）は、
       ターゲットにあれば 2 段階まで辿ります（絶対パスは末尾のフォルダーで照合します）。
    2. 文書化されたリストア手順。名前が restore を示すファイル（`RESTORE.md`、
       `docs/runbooks/restore.md`、`scripts/restore.sh`）か、見出しが restore（リストア、
       復元も）を示す Markdown のセクションで、リストアのコマンドを含むものです:
       `pg_restore`、`psql ... -f` か `psql ... <`、`mysql ... <`、`mariadb ... <`、
       `sqlite3 ... .restore` か `sqlite3 ... <`、`mongorestore`、`litestream restore`、
       `restic restore`、`turso db create ... --from-dump|--from-file`。

    認識しないもの: Kubernetes の CronJob、クラウドプロバイダーの定期スナップショットや
    マネージドデータベースのバックアップ（リポジトリの外にあります）。同じルールを持つ
    ほかのリンターはありません。

なぜ重要か:
    自動化されていないバックアップは忘れられ、一度もリストアしたことのないバックアップは
    バックアップではなく願望です。ダンプを復旧に変えるのはリストア手順です。

修正方法:
    `pg_dump`（または `turso db shell <db> .dump`、`litestream replicate` など）を実行して
    ダンプをホストの外に保管する定期ワークフロー（`on: schedule: - cron: "0 3 * * *"`）か
    crontab のエントリーを追加し、正確なリストアのコマンドを `docs/runbooks/restore.md` に
    書きます。
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from checklists import Evidence, Outcome, Target, check, join, tr
from checks.deploy._support import basename, scanned_files, text_or_none
from checks.readers.shell import Command, commands
from checks.readers.workflow import Job, read_workflow

_DUMPERS = frozenset({"pg_dump", "pg_dumpall", "mysqldump", "mariadb-dump", "mongodump"})
_DUMP_FILE = re.compile(r"\.(?:sql|sql\.gz|dump|db|sqlite3?|bak)$")
_CRON_ENTRY = re.compile(r"^\s*(?:@\w+|(?:\S+\s+){4}\S+)\s+(?P<command>.+)$")
_CRON_NAME = re.compile(r"^(?:crontab(?:\..+)?|.+\.crontab|.+\.cron)$")
_RESTORE_NAME = re.compile(r"restore|リストア|復元", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_RESTORE_COMMANDS = (
    ("pg_restore", re.compile(r"\bpg_restore\b")),
    ("psql", re.compile(r"\bpsql\b[^\n]*(?:\s-f\s|\s--file[= ]|<)")),
    ("mysql", re.compile(r"\b(?:mysql|mariadb)\b[^\n]*<")),
    ("sqlite3", re.compile(r"\bsqlite3\b[^\n]*(?:\.restore\b|<)")),
    ("mongorestore", re.compile(r"\bmongorestore\b")),
    ("litestream restore", re.compile(r"\blitestream\s+restore\b")),
    ("restic restore", re.compile(r"\brestic\b[^\n]*\brestore\b")),
    (
        "turso db create --from-dump",
        re.compile(r"\bturso\s+db\s+create\b[^\n]*--from-(?:dump|file)"),
    ),
)
_SCRIPT_DEPTH = 2


@dataclass(frozen=True, slots=True)
class _Job:
    """A scheduled piece of shell: where it is scheduled and what it runs."""

    schedule: Evidence
    script: str
    path: str
    line: int
    folder: str  # where relative script paths are looked up


def backup_command(command: Command) -> str | None:
    """The backup a command performs, or None."""
    words = [w.rsplit("/", 1)[-1] for w in command.words]
    argv = command.argv
    program = command.program
    if any(w in _DUMPERS for w in words):
        return next(w for w in words if w in _DUMPERS)
    if "sqlite3" in words and any(w.startswith((".backup", ".dump")) for w in argv):
        return "sqlite3 .backup/.dump"
    if (
        program == "turso"
        and argv[1:3] == ("db", "shell")
        and any(w.startswith(".dump") for w in argv)
    ):
        return "turso db shell .dump"
    if program == "litestream" and "replicate" in argv[1:2]:
        return "litestream replicate"
    if program == "restic" and "backup" in argv[1:]:
        return "restic backup"
    moves = program == "rclone" and argv[1:2] and argv[1] in ("copy", "sync", "copyto", "move")
    if moves and any(_DUMP_FILE.search(w) for w in argv[2:]):
        return "rclone of a dump"
    return None


def _script_files(target: Target, command: Command, folder: str) -> Iterator[str]:
    """Target files a command runs as a script (`./x.sh`, `bash x.sh`, `/app/x.sh`)."""
    for word in command.argv[:2]:
        if "/" not in word and not word.endswith((".sh", ".bash", ".py")):
            continue
        candidates = [posixpath.normpath(posixpath.join(folder, word))]
        if word.startswith("/"):
            parts = word.strip("/").split("/")
            candidates = ["/".join(parts[i:]) for i in range(len(parts))]
        for candidate in candidates:
            if candidate.startswith("..") or candidate == ".":
                continue
            if target.kind(candidate) == "file":  # a guess: a folder of that name is no match
                yield candidate
                break


def _find_backups(
    target: Target, script: str, folder: str, depth: int = 0
) -> list[tuple[str, str | None, str]]:
    """(backup, script file it is in or None, command text) for a script and what it runs."""
    found: list[tuple[str, str | None, str]] = []
    for command in commands(script):
        kind = backup_command(command)
        if kind:
            found.append((kind, None, " ".join(command.words)))
            continue
        if depth >= _SCRIPT_DEPTH:
            continue
        for path in _script_files(target, command, folder):
            text = text_or_none(target, path)
            if text is None:
                continue
            for inner, inner_path, shown in _find_backups(
                target, text, posixpath.dirname(path) or ".", depth + 1
            ):
                found.append((inner, inner_path or path, shown))
    return found


def _workflow_jobs(target: Target) -> tuple[list[_Job], list[Evidence]]:
    jobs: list[_Job] = []
    unknowns: list[Evidence] = []
    for path in target.glob(".github/workflows/*.yml") + target.glob(".github/workflows/*.yaml"):
        workflow = target.parse(path, read_workflow)
        schedule = workflow.trigger("schedule")
        if schedule is None or not schedule.crons:
            continue
        where = Evidence(
            tr(
                "scheduled: cron {crons}",
                "定期実行: cron {crons}",
                crons=", ".join(schedule.crons),
            ),
            path=path,
            line=schedule.line,
            excerpt=workflow.excerpt(schedule.line, 3),
        )
        for job in workflow.jobs:
            jobs += _steps_of(target, job, path, where, unknowns)
    return jobs, unknowns


def _steps_of(
    target: Target,
    job: Job,
    path: str,
    schedule: Evidence,
    unknowns: list[Evidence],
) -> list[_Job]:
    if job.uses is not None:
        local = job.uses.kind == "local" and job.uses.path
        called = posixpath.normpath(job.uses.path or "") if local else ""
        if not local or not target.is_file(called):
            note = tr(
                "job {job} calls {uses}, which is not followed",
                "ジョブ {job} が呼ぶ {uses} は辿らない",
                job=job.id,
                uses=job.uses.raw,
            )
            unknowns += [schedule, Evidence(note, path, job.line)]
            return []
        inner = target.parse(called, read_workflow)
        return [
            found
            for inner_job in inner.jobs
            if inner_job.uses is None
            for found in _steps_of(target, inner_job, called, schedule, unknowns)
        ]
    found = []
    for step in job.steps:
        if step.run is None:
            continue
        folder = step.working_directory.text if step.working_directory else "."
        found.append(_Job(schedule, step.run.text, path, step.run.line, folder))
    return found


def _cron_jobs(target: Target) -> list[_Job]:
    jobs = []
    for path in scanned_files(target):
        name = basename(path)
        in_cron_d = "/cron.d/" in f"/{path}"
        if not (_CRON_NAME.match(name) or in_cron_d):
            continue
        text = text_or_none(target, path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#") or re.match(r"^\s*\w+=", line):
                continue
            entry = _CRON_ENTRY.match(line)
            if entry:
                where = Evidence(
                    tr("crontab entry", "crontab のエントリー"),
                    path=path,
                    line=number,
                    excerpt=line.strip(),
                )
                jobs.append(_Job(where, entry["command"], path, number, "."))
    return jobs


def _line_of(target: Target, job: _Job, kind: str) -> int:
    """The line in the job's file where the backup command is written."""
    text = text_or_none(target, job.path) or ""
    lines = text.splitlines()
    program = kind.split(maxsplit=1)[0]
    for index in range(job.line - 1, len(lines)):
        if program and program in lines[index]:
            return index + 1
    return job.line


def restore_procedures(target: Target) -> list[Evidence]:
    found = []
    for path in scanned_files(target):
        name = basename(path)
        is_markdown = name.lower().endswith((".md", ".markdown"))
        if not (_RESTORE_NAME.search(name) or is_markdown):
            continue
        text = text_or_none(target, path)
        if text is None:
            continue
        sections = [(1, text)] if _RESTORE_NAME.search(name) else _restore_sections(text)
        for first_line, section in sections:
            for label, pattern in _RESTORE_COMMANDS:
                hit = pattern.search(section)
                if hit:
                    line = first_line + section.count("\n", 0, hit.start())
                    excerpt = section.splitlines()[line - first_line].strip()
                    note = tr("restore procedure ({label})", "リストア手順（{label}）", label=label)
                    found.append(Evidence(note, path, line, excerpt))
                    break
    return found


def _restore_sections(text: str) -> list[tuple[int, str]]:
    """(first line, text) of every Markdown section whose heading says restore."""
    lines = text.splitlines()
    sections = []
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if not heading or not _RESTORE_NAME.search(heading[2]):
            continue
        level = len(heading[1])
        end = next(
            (
                j
                for j in range(index + 1, len(lines))
                if (h := _HEADING.match(lines[j])) and len(h[1]) <= level
            ),
            len(lines),
        )
        sections.append((index + 1, "\n".join(lines[index:end])))
    return sections


@check("deploy.backup", severity="high")
def backup(target: Target) -> Outcome:
    workflow_jobs, unknowns = _workflow_jobs(target)
    scheduled = [*workflow_jobs, *_cron_jobs(target)]
    backups: list[Evidence] = []
    for job in scheduled:
        for kind, script_path, shown in _find_backups(target, job.script, job.folder):
            what = _SHOWN.get(kind, kind)
            if script_path is None:
                note = tr("runs {kind}", "{kind} を実行", kind=what)
                where = Evidence(note, job.path, _line_of(target, job, kind), shown)
            else:
                note = tr(
                    "runs {script}, which runs {kind}",
                    "{kind} を実行する {script} を実行",
                    script=script_path,
                    kind=what,
                )
                where = Evidence(note, job.path, job.line, shown)
            backups += [job.schedule, where]
    restores = restore_procedures(target)
    problems = []
    if not backups and unknowns:
        problems.append(
            tr(
                "no scheduled job dumps the database that this check can see: a scheduled "
                "workflow calls a reusable workflow it does not follow",
                "このチェックから見える範囲で、データベースをダンプする定期ジョブがない: 定期"
                "ワークフローが、辿らない再利用可能ワークフローを呼んでいる",
            )
        )
    elif not backups:
        problems.append(
            tr("no scheduled job dumps the database", "データベースをダンプする定期ジョブがない")
            if scheduled
            else tr(
                "no scheduled job (workflow cron or crontab) exists",
                "定期ジョブ（ワークフローの cron や crontab）がない",
            )
        )
    if not restores:
        problems.append(
            tr(
                "no documented restore procedure with a restore command",
                "リストアのコマンドを含む、文書化されたリストア手順がない",
            )
        )
    evidence = list(dict.fromkeys([*backups, *restores, *unknowns]))
    if not evidence:
        evidence.append(
            Evidence(
                tr(
                    "looked for scheduled workflows, crontab files and restore documents",
                    "定期ワークフロー、crontab ファイル、リストアの文書を探した",
                )
            )
        )
    if problems and not backups and unknowns and restores:
        return Outcome.unknown(join(problems, "; ", "。"), *evidence)
    if problems:
        return Outcome.failed(join(problems, "; ", "。"), *evidence)
    return Outcome.passed(
        tr(
            "a scheduled backup ({backup}) and a documented restore",
            "定期バックアップ（{backup}）と文書化されたリストア手順あり",
            backup=backups[1].note,
        ),
        *evidence,
    )


_SHOWN = {"rclone of a dump": tr("rclone of a dump", "ダンプの rclone")}
