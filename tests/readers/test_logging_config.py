"""Readers of where Python logs go: sources (ast), fileConfig INI and dictConfig files."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.logging_config import (
    LogSink,
    read_logging_dict,
    read_logging_ini,
    read_python_logging,
)


def sinks(source: str) -> list[tuple[str, str, str | None, bool]]:
    return [
        (s.kind, s.name, s.target, s.target_is_literal)
        for s in read_python_logging(source.encode())
    ]


def test_basic_config_and_handlers() -> None:
    assert sinks(
        "import logging, sys\n"
        "from logging.handlers import RotatingFileHandler\n"
        "logging.basicConfig(level='INFO')\n"
        "logging.basicConfig(stream=sys.stdout)\n"
        "logging.basicConfig(filename='app.log')\n"
        "logging.basicConfig(filename=None)\n"
        "RotatingFileHandler(settings.log_path, maxBytes=10)\n"
        "logging.FileHandler(filename='/dev/stdout')\n"
        "logging.StreamHandler()\n"
    ) == [
        ("basicConfig", "basicConfig", "stderr", True),
        ("basicConfig", "basicConfig", "stdout", True),
        ("basicConfig", "basicConfig", "app.log", True),
        ("basicConfig", "basicConfig", "stderr", True),
        ("handler", "RotatingFileHandler", "settings.log_path", False),
        ("handler", "FileHandler", "/dev/stdout", True),
        ("handler", "StreamHandler", "stderr", True),
    ]


def test_dict_config_dictionaries_loguru_structlog_and_gunicorn() -> None:
    found = sinks(
        "import logging.config\n"
        "from loguru import logger\n"
        "import structlog\n"
        "accesslog = '-'\n"
        "errorlog = '/var/log/gunicorn.log'\n"
        "CONFIG = {'version': 1, 'handlers': {\n"
        "    'f': {'class': 'logging.handlers.TimedRotatingFileHandler', 'filename': 'x.log'},\n"
        "    'o': {'class': 'logging.StreamHandler', 'stream': 'ext://sys.stdout'}}}\n"
        "logging.config.dictConfig(CONFIG)\n"
        "logger.add('logs/{time}.log')\n"
        "logger.add(sys.stderr)\n"
        "factory = structlog.WriteLoggerFactory(file=open('s.log', 'a'))\n"
    )
    assert found == [
        ("gunicorn", "accesslog", "-", True),
        ("gunicorn", "errorlog", "/var/log/gunicorn.log", True),
        ("dict_handler", "logging.handlers.TimedRotatingFileHandler", "x.log", True),
        ("dict_handler", "logging.StreamHandler", "stdout", True),
        ("dictConfig", "dictConfig", "CONFIG", False),
        ("loguru", "logger.add", "logs/{time}.log", True),
        ("loguru", "logger.add", "stderr", True),
        ("structlog", "WriteLoggerFactory", "s.log", True),
    ]


def test_add_is_only_a_sink_in_a_module_that_imports_loguru() -> None:
    assert sinks("items = set()\nitems.add('x.log')\n") == []


def test_syntax_error_is_an_input_error_with_the_line() -> None:
    with pytest.raises(InputError) as error:
        read_python_logging(b"import logging\ndef broken(:\n")
    assert error.value.line == 2


def test_file_config_ini_handlers() -> None:
    found = read_logging_ini(
        b"[loggers]\nkeys=root\n\n[handlers]\nkeys=console, file\n\n"
        b"[handler_console]\nclass=StreamHandler\nargs=(sys.stdout,)\n\n"
        b"[handler_file]\nclass=handlers.RotatingFileHandler\nargs=('app.log', 'a', 1000, 3)\n"
    )
    assert found == (
        LogSink("handler", "StreamHandler", "stdout", True, 7),
        LogSink("handler", "handlers.RotatingFileHandler", "app.log", True, 11),
    )
    assert read_logging_ini(b"[alembic]\nscript_location = alembic\n") == ()


def test_dict_config_files_in_yaml_and_json() -> None:
    yaml_sinks = read_logging_dict(
        b"version: 1\nhandlers:\n  console:\n    class: logging.StreamHandler\n"
        b"  file:\n    class: logging.FileHandler\n    filename: /var/log/app.log\n"
    )
    assert [(s.name, s.target, s.line) for s in yaml_sinks] == [
        ("logging.StreamHandler", "stderr", 3),
        ("logging.FileHandler", "/var/log/app.log", 5),
    ]
    json_sinks = read_logging_dict(
        b'{"version": 1, "handlers": {"h": {"class": "logging.StreamHandler",'
        b' "stream": "ext://sys.stdout"}}}'
    )
    assert [(s.name, s.target) for s in json_sinks] == [("logging.StreamHandler", "stdout")]
    assert read_logging_dict(b"services:\n  a: {}\n") == ()
