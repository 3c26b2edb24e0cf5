"""Logs go to STDOUT/STDERR: the app writes no log files inside the container.

What it checks:
    Where the image's process sends its logs, read statically (nothing is imported or run):

    * The Python sources in the build context (the Dockerfile's folder or `context`, minus
      what `.dockerignore` excludes, so only what can reach the image) are parsed with
      `ast` for the standard library's `logging.basicConfig(filename=...)`, `FileHandler`,
      `RotatingFileHandler`, `TimedRotatingFileHandler` and `WatchedFileHandler` (called
      directly or named as `"class"` in a `dictConfig` dictionary), loguru file sinks
      (`logger.add("app.log")`), structlog factories given `file=open(...)`, and gunicorn
      settings `accesslog` / `errorlog` in a config module.
    * Logging config files in the context: `fileConfig` INI files (`[handler_x]` with
      `class` and `args`) and `dictConfig` YAML/JSON files (`version: 1`, `handlers:`, as
      uvicorn's `--log-config` reads them).
    * The final stage's CMD and ENTRYPOINT (their shell form, or `sh -c "..."` in exec
      form) must not redirect output to a file (`> /var/log/app.log`, `>> x`, `2> x`,
      `&> x`), to `/dev/null` or through `tee <file>`, and must not give gunicorn or
      hypercorn `--access-logfile` / `--error-logfile` / `--log-file` other than `-`.

    A file handler aimed at `/dev/stdout` or `/dev/stderr` counts as stdout. A handler
    whose target is computed at run time (`FileHandler(settings.log_file)`) still writes a
    file and fails; `basicConfig(filename=settings.x)` may be None at run time and is
    unknown, as is a loguru sink that is an expression. Handlers that send logs elsewhere
    (syslog, HTTP) are listed but not judged. With no logging configuration at all the
    check passes: Python's logging, uvicorn and gunicorn write to stderr by default.
    `| tee /var/log/app.log` keeps stdout but still fills a file in the container and
    fails. A module that Python 3.11's parser cannot read is unknown. There is no peer
    linter rule for this; it is factor XI of the Twelve-Factor App.

Why it matters:
    The engine collects a container's stdout and stderr (`docker logs`, the logging driver,
    every log shipper reads them). A log file inside the container is invisible to all of
    them, grows until the disk is full, and is lost with the container.

How to fix:
    Configure logging with a `StreamHandler` (the default of `logging.basicConfig()`), drop
    `filename=` and file handlers, give gunicorn `--access-logfile -`, and remove output
    redirections from CMD. Rotation and retention belong to the logging driver.

日本語: ログは STDOUT/STDERR に出力: アプリケーションがコンテナ内にログファイルを書かない

何を確認するか:
    イメージのプロセスがログをどこへ送るかを静的に読みます（何も import も実行もしません）:

    * ビルドコンテキスト（Dockerfile のフォルダーか `context` から `.dockerignore` の除外分を
      引いたもの。つまりイメージに届きうるものだけ）の Python のソースを `ast` で解析し、
      標準ライブラリの `logging.basicConfig(filename=...)`、`FileHandler`、
      `RotatingFileHandler`、`TimedRotatingFileHandler`、`WatchedFileHandler`（直接の呼び
      出しか、`dictConfig` の辞書の `"class"` としての指定）、loguru のファイルシンク
      （`logger.add("app.log")`）、`file=open(...)` を渡した structlog のファクトリー、
      設定モジュールでの gunicorn の `accesslog` / `errorlog` を探します。
    * コンテキスト内のログ設定ファイル: `fileConfig` の INI ファイル（`class` と `args` を
      持つ `[handler_x]`）と、`dictConfig` の YAML/JSON ファイル（uvicorn の `--log-config`
      が読むような `version: 1`、`handlers:`）。
    * 最終ステージの CMD と ENTRYPOINT（シェル形式、または exec 形式の `sh -c "..."`）が、
      出力をファイル（`> /var/log/app.log`、`>> x`、`2> x`、`&> x`）や `/dev/null` に
      リダイレクトしたり、`tee <ファイル>` を通したりしていないこと、gunicorn や hypercorn に
      `-` 以外の `--access-logfile` / `--error-logfile` / `--log-file` を渡していないこと。

    `/dev/stdout` や `/dev/stderr` に向けたファイルハンドラーは stdout として数えます。
    出力先が実行時に決まるハンドラー（`FileHandler(settings.log_file)`）もファイルに書く
    ため不合格です。`basicConfig(filename=settings.x)` は実行時に None かもしれないため
    unknown（未計測）で、式になっている loguru のシンクも同じです。ログをほかの場所（syslog、
    HTTP）に送るハンドラーは一覧に示しますが判定しません。ログの設定がまったくなければ
    合格です。Python の logging、uvicorn、gunicorn は既定で stderr に書くからです。
    `| tee /var/log/app.log` は stdout を保ちますが、コンテナ内のファイルも埋めていくため
    不合格です。Python 3.11 の構文解析器で読めないモジュールは unknown（未計測）です。
    同じルールを持つほかのリンターはなく、これは Twelve-Factor App の XI にあたります。

なぜ重要か:
    エンジンが集めるのはコンテナの stdout と stderr です（`docker logs`、ロギングドライバー、
    あらゆるログシッパーがそれを読みます）。コンテナ内のログファイルはそのどれからも見えず、
    ディスクがいっぱいになるまで増え続け、コンテナとともに失われます。

修正方法:
    ロギングは `StreamHandler`（`logging.basicConfig()` の既定）で設定し、`filename=` と
    ファイルハンドラーをやめ、gunicorn には `--access-logfile -` を渡し、CMD から出力の
    リダイレクトを取り除きます。ローテーションと保持はロギングドライバーの役目です。
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checklists import Evidence, InputError, Outcome, Target, check, join, tr
from checks.common import ParsedDockerfile, context_of, ignore_file, load_dockerfile
from checks.deploy._support import line_excerpt, scanned_files, text_or_none
from checks.readers.dockerfile import Instruction
from checks.readers.logging_config import (
    FILE_HANDLERS,
    LogSink,
    read_logging_dict,
    read_logging_ini,
    read_python_logging,
)
from checks.readers.shell import commands, split_words

_STANDARD = frozenset(
    {"stdout", "stderr", "-", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1"}
    | {"/proc/self/fd/2", "/proc/1/fd/1", "/proc/1/fd/2", "/dev/fd/1", "/dev/fd/2"}
)
_REDIRECT = re.compile(r"(?<![<>&\w])(?:\d?>>?|&>>?|>\|)\s*(?P<dest>[^\s;&|()<>]+)")
_LOG_FLAGS = frozenset({"--access-logfile", "--error-logfile", "--log-file"})
_SERVERS = frozenset({"gunicorn", "hypercorn"})
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
_MENTIONS = re.compile(r"logging|loguru|structlog|accesslog|errorlog")


def _sink_verdict(sink: LogSink) -> str:
    """'file', 'stream', 'unknown' or 'other' for one configured sink."""
    if sink.kind in ("dictConfig", "fileConfig"):
        return "other"
    short = sink.name.rsplit(".", 1)[-1]
    writes_file = (
        (sink.kind == "basicConfig" and sink.target not in ("stdout", "stderr"))
        or short in FILE_HANDLERS
        or (sink.kind in ("loguru", "structlog") and sink.target not in ("stdout", "stderr"))
        or sink.kind == "gunicorn"
    )
    if not writes_file:
        return "stream" if sink.target in ("stdout", "stderr") else "other"
    if sink.target in _STANDARD:
        return "stream"
    if sink.kind == "gunicorn" and sink.target is None:
        return "stream"
    if not sink.target_is_literal and sink.kind in ("basicConfig", "loguru"):
        return "unknown"
    return "file"


def _describe(sink: LogSink) -> str:
    target: str = sink.target if sink.target is not None else tr("(not given)", "（指定なし）")
    if len(target) > 60:
        target = target[:57] + "..."
    if sink.kind == "gunicorn":
        return f"gunicorn {sink.name} = {target}"
    if sink.kind == "basicConfig":
        return tr(
            "logging.basicConfig writes to {target}",
            "logging.basicConfig の出力先は {target}",
            target=target,
        )
    if sink.kind == "fileConfig":
        return tr(
            "fileConfig({target}) reads an INI file; those in the context are read here",
            "fileConfig({target}) は INI ファイルを読む。コンテキスト内のものはここで読む",
            target=target,
        )
    if sink.kind == "dictConfig":
        return tr(
            "dictConfig({target}); its handler dictionaries in the sources are read here",
            "dictConfig({target})。ソース内のハンドラーの辞書はここで読む",
            target=target,
        )
    return tr(
        "{name} writing to {target}",
        "{name} の出力先は {target}",
        name=sink.name,
        target=target,
    )


def _sources(
    target: Target, folder: str, dockerfile: str
) -> Iterator[tuple[str, LogSink | str, str]]:
    """(path, sink, text) for every sink in the context; a problem instead of the sink for
    a module that cannot be parsed."""
    ignore = ignore_file(target, dockerfile, folder).matcher
    for path in scanned_files(target, folder):
        relative = path if folder == "." else path[len(folder) + 1 :]
        if ignore.matches(relative):
            continue
        suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if suffix not in ("py", "ini", "cfg", "conf", "yaml", "yml", "json"):
            continue
        text = text_or_none(target, path)
        if text is None:
            continue
        if suffix == "py" and _MENTIONS.search(text):
            try:
                sinks = target.parse(path, read_python_logging)
            except InputError as error:
                yield (
                    path,
                    tr(
                        "{path}:{line}: {message} (read with Python 3.11)",
                        "{path}:{line}: {message}（Python 3.11 で読んだ結果）",
                        path=path,
                        line=error.line,
                        message=error.message,
                    ),
                    text,
                )
                continue
        elif suffix in ("ini", "cfg", "conf") and "[handlers]" in text:
            sinks = target.parse(path, read_logging_ini)
        elif suffix in ("yaml", "yml", "json") and "handlers" in text and "version" in text:
            sinks = target.parse(path, read_logging_dict)
        else:
            continue
        for sink in sinks:
            yield path, sink, text


def _command_findings(
    parsed: ParsedDockerfile, dockerfile: str
) -> tuple[list[Evidence], list[Evidence]]:
    """(problems, evidence) from the final stage's CMD and ENTRYPOINT."""
    last: dict[str, Instruction] = {}
    for _, instruction, _ in parsed.walk_chain(parsed.final):
        if instruction.keyword in ("cmd", "entrypoint"):
            last[instruction.keyword] = instruction
    problems: list[Evidence] = []
    shown: list[Evidence] = []
    for instruction in last.values():
        words, scripts = _command_parts(instruction)
        found: list[str] = [
            tr(
                "redirects output to {dest}",
                "出力を {dest} にリダイレクト",
                dest=m["dest"],
            )
            for script in scripts
            for m in _REDIRECT.finditer(script)
            if m["dest"] not in _STANDARD and not m["dest"].startswith("&")
        ]
        found += _server_log_files(words)
        found += _tee_files(scripts)
        keyword = instruction.keyword.upper()
        if found:
            note = tr(
                "{keyword} {found}",
                "{keyword}: {found}",
                keyword=keyword,
                found=join(found, "; ", "。"),
            )
            problems.append(parsed.at(dockerfile, instruction, note))
        else:
            note = tr(
                "{keyword} writes to the container's stdout/stderr (no redirect, no log file)",
                "{keyword} はコンテナの stdout/stderr に出力（リダイレクトもログファイルもない）",
                keyword=keyword,
            )
            shown.append(parsed.at(dockerfile, instruction, note))
    return problems, shown


def _command_parts(instruction: Instruction) -> tuple[list[str], list[str]]:
    """(words, shell scripts) of a CMD or ENTRYPOINT."""
    if not instruction.json_form:
        script = " ".join(instruction.args)
        return split_words(script) or script.split(), [script]
    words = list(instruction.args)
    scripts: list[str] = []
    if words and words[0].rsplit("/", 1)[-1] in _SHELLS and "-c" in words[1:]:
        position = words.index("-c")
        if position + 1 < len(words):
            scripts.append(words[position + 1])
            words = words + (split_words(words[position + 1]) or [])
    return words, scripts


def _tee_files(scripts: list[str]) -> list[str]:
    """`... | tee /var/log/app.log` keeps stdout but also fills a file in the container."""
    found: list[str] = []
    for script in scripts:
        for command in commands(script):
            if command.program != "tee":
                continue
            files = [a for a in command.args if not a.startswith("-") and a not in _STANDARD]
            found += [
                tr(
                    "copies output to {file} with tee",
                    "tee で出力を {file} にもコピー",
                    file=f,
                )
                for f in files
            ]
    return found


def _server_log_files(words: list[str]) -> list[str]:
    if not any(w.rsplit("/", 1)[-1] in _SERVERS for w in words):
        return []
    found: list[str] = []
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if flag not in _LOG_FLAGS:
            continue
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if value not in _STANDARD:
            found.append(
                tr(
                    "gives {flag} {value}, a file",
                    "{flag} にファイル {value} を指定",
                    flag=flag,
                    value=value,
                )
            )
    return found


@check("deploy.logs_to_stdout", severity="medium", related=("twelve-factor:XI",))
def logs_to_stdout(
    target: Target, *, dockerfile: str = "Dockerfile", context: str | None = None
) -> Outcome:
    parsed = load_dockerfile(target, dockerfile)
    folder = context_of(dockerfile, context)
    problems, evidence = _command_findings(parsed, dockerfile)
    unknowns: list[Evidence] = []
    others: list[Evidence] = []
    for path, sink, text in _sources(target, folder, dockerfile):
        if isinstance(sink, str):
            unknowns.append(
                Evidence(
                    tr(
                        "cannot read the module: {problem}",
                        "モジュールを読み取れない: {problem}",
                        problem=sink,
                    ),
                    path=path,
                )
            )
            continue
        verdict = _sink_verdict(sink)
        note = _describe(sink)
        excerpt = line_excerpt(text, sink.line)
        where = Evidence(note, path=path, line=sink.line, excerpt=excerpt)
        if verdict == "file":
            problem = tr(
                "{note}: a log file inside the container",
                "{note}: コンテナ内のログファイル",
                note=note,
            )
            problems.append(Evidence(problem, path, sink.line, excerpt))
        elif verdict == "unknown":
            problem = tr(
                "{note}: known only at run time", "{note}: 実行時にしか分からない", note=note
            )
            unknowns.append(Evidence(problem, path, sink.line, excerpt))
        elif verdict == "stream":
            evidence.append(where)
        else:
            others.append(where)
    if problems:
        return Outcome.failed(
            tr(
                "{count} place(s) send logs to a file instead of stdout/stderr",
                "{count} か所がログを stdout/stderr ではなくファイルに送る",
                count=len(problems),
            ),
            *problems,
        )
    if unknowns:
        return Outcome.unknown(
            tr(
                "where some logs go is decided at run time",
                "一部のログの出力先は実行時に決まる",
            ),
            *unknowns,
            *evidence,
            *others,
        )
    if not any(e.path != dockerfile for e in evidence):
        evidence.append(
            Evidence(
                tr(
                    "no logging configuration in the build context {folder}/: Python's logging, "
                    "uvicorn and gunicorn write to stderr by default",
                    "ビルドコンテキスト {folder}/ にログの設定がない: Python の logging、uvicorn、"
                    "gunicorn は既定で stderr に書く",
                    folder=folder,
                ),
                path=folder,
            )
        )
    return Outcome.passed(
        tr(
            "logs go to stdout/stderr: no log file, no redirect",
            "ログは stdout/stderr に出力: ログファイルもリダイレクトもない",
        ),
        *evidence,
        *others,
    )
