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
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Iterator

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
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
from checks.readers.shell import commands

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
    target = sink.target if sink.target is not None else "(not given)"
    if len(target) > 60:
        target = target[:57] + "..."
    if sink.kind == "gunicorn":
        return f"gunicorn {sink.name} = {target}"
    if sink.kind == "basicConfig":
        return f"logging.basicConfig writes to {target}"
    if sink.kind == "fileConfig":
        return f"fileConfig({target}) reads an INI file; those in the context are read here"
    if sink.kind == "dictConfig":
        return f"dictConfig({target}); its handler dictionaries in the sources are read here"
    return f"{sink.name} writing to {target}"


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
                yield path, f"{path}:{error.line}: {error.message} (read with Python 3.11)", text
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
        found = [
            f"redirects output to {m['dest']}"
            for script in scripts
            for m in _REDIRECT.finditer(script)
            if m["dest"] not in _STANDARD and not m["dest"].startswith("&")
        ]
        found += _server_log_files(words)
        found += _tee_files(scripts)
        keyword = instruction.keyword.upper()
        if found:
            problems.append(parsed.at(dockerfile, instruction, f"{keyword} {'; '.join(found)}"))
        else:
            note = f"{keyword} writes to the container's stdout/stderr (no redirect, no log file)"
            shown.append(parsed.at(dockerfile, instruction, note))
    return problems, shown


def _command_parts(instruction: Instruction) -> tuple[list[str], list[str]]:
    """(words, shell scripts) of a CMD or ENTRYPOINT."""
    if not instruction.json_form:
        script = " ".join(instruction.args)
        try:
            words = shlex.split(script)
        except ValueError:
            words = script.split()
        return words, [script]
    words = list(instruction.args)
    scripts: list[str] = []
    if words and words[0].rsplit("/", 1)[-1] in _SHELLS and "-c" in words[1:]:
        position = words.index("-c")
        if position + 1 < len(words):
            scripts.append(words[position + 1])
            with contextlib.suppress(ValueError):
                words = words + shlex.split(words[position + 1])
    return words, scripts


def _tee_files(scripts: list[str]) -> list[str]:
    """`... | tee /var/log/app.log` keeps stdout but also fills a file in the container."""
    found = []
    for script in scripts:
        for command in commands(script):
            if command.program != "tee":
                continue
            files = [a for a in command.args if not a.startswith("-") and a not in _STANDARD]
            found += [f"copies output to {f} with tee" for f in files]
    return found


def _server_log_files(words: list[str]) -> list[str]:
    if not any(w.rsplit("/", 1)[-1] in _SERVERS for w in words):
        return []
    found = []
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if flag not in _LOG_FLAGS:
            continue
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if value not in _STANDARD:
            found.append(f"gives {flag} {value}, a file")
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
            unknowns.append(Evidence(f"cannot read the module: {sink}", path=path))
            continue
        verdict = _sink_verdict(sink)
        note = _describe(sink)
        excerpt = line_excerpt(text, sink.line)
        where = Evidence(note, path=path, line=sink.line, excerpt=excerpt)
        if verdict == "file":
            problems.append(
                Evidence(f"{note}: a log file inside the container", path, sink.line, excerpt)
            )
        elif verdict == "unknown":
            unknowns.append(Evidence(f"{note}: known only at run time", path, sink.line, excerpt))
        elif verdict == "stream":
            evidence.append(where)
        else:
            others.append(where)
    if problems:
        return Outcome.failed(
            f"{len(problems)} place(s) send logs to a file instead of stdout/stderr", *problems
        )
    if unknowns:
        return Outcome.unknown(
            "where some logs go is decided at run time", *unknowns, *evidence, *others
        )
    if not any(e.path != dockerfile for e in evidence):
        evidence.append(
            Evidence(
                f"no logging configuration in the build context {folder}/: Python's logging, "
                "uvicorn and "
                "gunicorn write to stderr by default",
                path=folder,
            )
        )
    return Outcome.passed("logs go to stdout/stderr: no log file, no redirect", *evidence, *others)
