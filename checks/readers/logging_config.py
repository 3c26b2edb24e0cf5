"""Readers for where a Python application sends its logs, read from source, never imported.

Three forms are read, each returning `LogSink`s (a place logs are configured to go):

* `read_python_logging(bytes)`: a Python module, parsed with `ast`. Found are
  `logging.basicConfig(...)` (its `filename=` or `stream=`), handler constructors of the
  standard library (`StreamHandler`, `FileHandler`, `RotatingFileHandler`,
  `TimedRotatingFileHandler`, `WatchedFileHandler`, `SysLogHandler`, ...) called by name or
  attribute, handler dictionaries of `dictConfig` (`{"class": "logging.FileHandler",
  "filename": ...}`), `dictConfig(...)` / `fileConfig(...)` calls, loguru sinks
  (`logger.add(sink)` in a module that imports loguru), structlog logger factories given
  `file=open(...)`, and gunicorn settings (`accesslog = ...`, `errorlog = ...` at module
  level).
* `read_logging_ini(bytes)`: a `logging.config.fileConfig` file (`[handlers]`,
  `[handler_<name>]` with `class` and `args`).
* `read_logging_dict(bytes)`: a YAML or JSON file in `dictConfig` form (`version: 1`,
  `handlers:`), as uvicorn's `--log-config` takes.

A sink's `target` is the text of the file path as written (an expression's source text when
it is not a literal), `"stderr"` / `"stdout"` for the standard streams, or None when the
source does not say. The readers judge nothing. A module that Python 3.11 cannot parse
raises `InputError` with the line.
"""

from __future__ import annotations

import ast
import configparser
import json
from dataclasses import dataclass
from typing import Literal

from checklists import InputError, decode_text, tr
from checks.readers.located_yaml import YMap, load

__all__ = [
    "FILE_HANDLERS",
    "LogSink",
    "read_logging_dict",
    "read_logging_ini",
    "read_python_logging",
]

#: Standard-library handler classes that write to a file they open themselves.
FILE_HANDLERS = frozenset(
    {"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler", "WatchedFileHandler"}
)
_HANDLERS = FILE_HANDLERS | {
    *("StreamHandler", "SysLogHandler", "NullHandler", "QueueHandler", "SocketHandler"),
    *("DatagramHandler", "HTTPHandler", "SMTPHandler", "MemoryHandler", "NTEventLogHandler"),
}
_STREAMS = {"sys.stdout": "stdout", "sys.stderr": "stderr", "stdout": "stdout", "stderr": "stderr"}

Kind = Literal[
    "basicConfig",
    "handler",
    "dict_handler",
    "dictConfig",
    "fileConfig",
    "loguru",
    "structlog",
    "gunicorn",
]


@dataclass(frozen=True, slots=True)
class LogSink:
    kind: Kind
    name: str  # the handler class, the setting name or the function called
    target: str | None  # a path as written, "stdout", "stderr", or None
    target_is_literal: bool  # False when target is an expression evaluated at run time
    line: int


def _source(node: ast.expr) -> str:
    return ast.unparse(node)


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _stream(node: ast.expr | None) -> str | None:
    if node is None:
        return "stderr"  # StreamHandler() and basicConfig() default to sys.stderr
    return _STREAMS.get(_source(node))


def _path(node: ast.expr) -> tuple[str | None, bool]:
    if isinstance(node, ast.Constant):
        return (None, True) if node.value is None else (str(node.value), True)
    return _source(node), False


def _keyword(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def read_python_logging(data: bytes) -> tuple[LogSink, ...]:
    text = decode_text(data)
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise InputError(
            tr("Python syntax error: {msg}", "Python の構文エラー: 「{msg}」", msg=error.msg),
            line=error.lineno,
        ) from None
    except (RecursionError, MemoryError):
        # CPython's parser gives these for a hostile nesting (`------...1`, `a.b.b...`):
        # the file is not read, and the interpreter itself is fine.
        raise InputError(
            tr(
                "Python code nested too deeply to read",
                "Python コードの入れ子が深すぎて読み取れない",
            ),
            kind="limit",
        ) from None
    uses_loguru = any(
        (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("loguru"))
        or (isinstance(node, ast.Import) and any(a.name == "loguru" for a in node.names))
        for node in ast.walk(tree)
    )
    sinks: list[LogSink] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            sinks += _call_sinks(node, uses_loguru=uses_loguru)
        elif isinstance(node, ast.Dict):
            sinks += _dict_sinks(node)
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for name in statement.targets:
                if isinstance(name, ast.Name) and name.id in ("accesslog", "errorlog"):
                    target, literal = _path(statement.value)
                    sinks.append(LogSink("gunicorn", name.id, target, literal, statement.lineno))
    return tuple(sorted(sinks, key=lambda sink: sink.line))


# radon D: one branch per logging call that can name a sink (logging, loguru, handlers).
def _call_sinks(call: ast.Call, *, uses_loguru: bool) -> list[LogSink]:
    name = _call_name(call)
    line = call.lineno
    if name == "basicConfig":
        filename = _keyword(call, "filename")
        if filename is not None and not (
            isinstance(filename, ast.Constant) and filename.value is None
        ):
            target, literal = _path(filename)
            return [LogSink("basicConfig", name, target, literal, line)]
        stream = _keyword(call, "stream")
        return [LogSink("basicConfig", name, _stream(stream), True, line)]
    if name in FILE_HANDLERS:
        argument = _keyword(call, "filename", 0)
        target, literal = _path(argument) if argument is not None else (None, True)
        return [LogSink("handler", name, target, literal, line)]
    if name == "StreamHandler":
        return [LogSink("handler", name, _stream(_keyword(call, "stream", 0)), True, line)]
    if name in _HANDLERS:
        return [LogSink("handler", name, None, True, line)]
    if name in ("dictConfig", "fileConfig"):
        argument = _keyword(call, "config" if name == "dictConfig" else "fname", 0)
        shown = _source(argument) if argument is not None else None
        kind: Kind = "dictConfig" if name == "dictConfig" else "fileConfig"
        return [LogSink(kind, name, shown, False, line)]
    if name == "add" and uses_loguru and call.args:
        sink = call.args[0]
        standard = _STREAMS.get(_source(sink))
        if standard:
            return [LogSink("loguru", "logger.add", standard, True, line)]
        if isinstance(sink, ast.Constant | ast.JoinedStr) or (
            isinstance(sink, ast.Call) and _call_name(sink) in ("Path", "PurePath")
        ):
            target, literal = _path(sink)
            return [LogSink("loguru", "logger.add", target, literal, line)]
        return [LogSink("loguru", "logger.add", None, False, line)]
    if name in ("PrintLoggerFactory", "WriteLoggerFactory", "BytesLoggerFactory"):
        file = _keyword(call, "file", 0)
        if isinstance(file, ast.Call) and _call_name(file) == "open" and file.args:
            target, literal = _path(file.args[0])
            return [LogSink("structlog", name, target, literal, line)]
        return [LogSink("structlog", name, _stream(file) if file else "stdout", True, line)]
    return []


def _dict_sinks(node: ast.Dict) -> list[LogSink]:
    entries = {
        key.value: value
        for key, value in zip(node.keys, node.values, strict=True)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }
    handler_class = entries.get("class")
    if not (isinstance(handler_class, ast.Constant) and isinstance(handler_class.value, str)):
        return []
    name = handler_class.value.rsplit(".", 1)[-1]
    if name not in _HANDLERS:
        return []
    if name in FILE_HANDLERS:
        filename = entries.get("filename")
        target, literal = _path(filename) if filename is not None else (None, True)
    else:
        stream = entries.get("stream")
        shown = stream.value if isinstance(stream, ast.Constant) else None
        target = _ext_stream(shown) if name == "StreamHandler" else None
        literal = True
    return [LogSink("dict_handler", handler_class.value, target, literal, node.lineno)]


def _ext_stream(value: object) -> str | None:
    """`ext://sys.stdout` in a dictConfig; a StreamHandler with no stream uses stderr."""
    if value is None:
        return "stderr"
    return _STREAMS.get(str(value).removeprefix("ext://"))


def read_logging_ini(data: bytes) -> tuple[LogSink, ...]:
    """The handlers of a `fileConfig` INI file (none when it has no `[handlers]`)."""
    text = decode_text(data)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as error:
        raise InputError(
            tr(
                "invalid INI file: {message}",
                "INI ファイルとして不正: 「{message}」",
                message=error.message,
            ),
            line=_ini_error_line(error),
        ) from None
    if not parser.has_section("handlers"):
        return ()
    lines = text.splitlines()
    sinks: list[LogSink] = []
    for name in (n.strip() for n in parser.get("handlers", "keys", fallback="").split(",")):
        section = f"handler_{name}"
        if not name or not parser.has_section(section):
            continue
        handler_class = parser.get(section, "class", fallback="")
        args = parser.get(section, "args", fallback="()")
        line = next(
            (i + 1 for i, text_line in enumerate(lines) if text_line.strip() == f"[{section}]"),
            1,
        )
        short = handler_class.rsplit(".", 1)[-1]
        target, literal = _first_arg(args)
        if short in FILE_HANDLERS:
            if target is None:
                target = parser.get(section, "filename", fallback=None)
                literal = True
        elif short == "StreamHandler":
            target, literal = _STREAMS.get(target or "sys.stderr"), True
        else:
            target, literal = None, True
        sinks.append(LogSink("handler", handler_class, target, literal, line))
    return tuple(sinks)


def _ini_error_line(error: configparser.Error) -> int | None:
    line = getattr(error, "lineno", None)
    return line if isinstance(line, int) else None


def _first_arg(args: str) -> tuple[str | None, bool]:
    """The first of a handler's `args` as (text, is a literal)."""
    try:
        tree = ast.parse(args.strip() or "()", mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        return None, False
    body = tree.body
    items = body.elts if isinstance(body, ast.Tuple) else [body]
    if not items:
        return None, True
    return _path(items[0])


def read_logging_dict(data: bytes) -> tuple[LogSink, ...]:
    """The handlers of a dictConfig file in YAML or JSON (none when it is not one)."""
    text = decode_text(data)
    document: object
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                tr("invalid JSON: {msg}", "JSON として不正: 「{msg}」", msg=error.msg),
                line=error.lineno,
            ) from None
    else:
        document = load(data)
    if not isinstance(document, dict) or document.get("version") != 1:
        return ()
    handlers = document.get("handlers")
    if not isinstance(handlers, dict):
        return ()
    sinks: list[LogSink] = []
    for name, body in handlers.items():
        if not isinstance(body, dict):
            continue
        handler_class = str(body.get("class", ""))
        short = handler_class.rsplit(".", 1)[-1]
        line = handlers.line_of(name) if isinstance(handlers, YMap) else 1
        if short in FILE_HANDLERS:
            filename = body.get("filename")
            target = None if filename is None else str(filename)
            sinks.append(LogSink("dict_handler", handler_class, target, True, line))
        elif short == "StreamHandler":
            stream = _ext_stream(body.get("stream"))
            sinks.append(LogSink("dict_handler", handler_class, stream, True, line))
        else:
            sinks.append(LogSink("dict_handler", handler_class or name, None, True, line))
    return tuple(sinks)
