"""The Compose reader: the forms Compose accepts, merge keys, lines, and what it rejects."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.compose import ComposeFile, EnvFile, EnvVar, Healthcheck, read_compose


def compose(text: str) -> ComposeFile:
    return read_compose(text.encode())


def test_environment_list_and_mapping_forms_keep_values_as_text() -> None:
    parsed = compose(
        "services:\n"
        "  a:\n"
        "    environment:\n"
        "      - APP_ENV=production\n"
        "      - FROM_SHELL\n"
        "      - EMPTY=\n"
        "  b:\n"
        "    environment:\n"
        "      PORT: 8000\n"
        "      DEBUG: yes\n"
        "      UNSET:\n"
        "      URL: ${DATABASE_URL:-sqlite:///db}\n"
    )
    a, b = parsed.services
    assert a.environment == (
        EnvVar("APP_ENV", "production", 4),
        EnvVar("FROM_SHELL", None, 5),
        EnvVar("EMPTY", "", 6),
    )
    assert [(v.name, v.value) for v in b.environment] == [
        ("PORT", "8000"),
        ("DEBUG", "yes"),  # YAML 1.2, as Compose reads it: not a boolean
        ("UNSET", None),
        ("URL", "${DATABASE_URL:-sqlite:///db}"),  # interpolation is left to the checks
    ]


def test_env_file_string_list_and_long_form() -> None:
    parsed = compose(
        "services:\n"
        "  a:\n"
        "    env_file: .env\n"
        "  b:\n"
        "    env_file:\n"
        "      - common.env\n"
        "      - path: ./local.env\n"
        "        required: false\n"
    )
    a, b = parsed.services
    assert a.env_files == (EnvFile(".env", True, 3),)
    assert b.env_files == (EnvFile("common.env", True, 6), EnvFile("./local.env", False, 7))


def test_limits_logging_healthcheck_and_build() -> None:
    parsed = compose(
        "services:\n"
        "  api:\n"
        "    build: ./backend\n"
        "    mem_limit: 512m\n"
        "    cpus: 0.5\n"
        "    deploy:\n"
        "      resources:\n"
        "        limits: {memory: 256M, cpus: '1'}\n"
        "    logging:\n"
        "      driver: json-file\n"
        "      options: {max-size: 10m, max-file: 3}\n"
        "    healthcheck:\n"
        "      test: curl -f http://localhost/health\n"
        "  db:\n"
        "    image: postgres:16\n"
        "    build: {context: ./db, dockerfile: Dockerfile.db}\n"
        "    healthcheck: {disable: true}\n"
    )
    api, db = parsed.services
    assert api.build is not None and api.build.context == "./backend"
    assert api.mem_limit is not None and (api.mem_limit.text, api.mem_limit.line) == ("512m", 4)
    assert api.cpus is not None and api.cpus.text == "0.5"
    assert api.limits is not None and api.limits.memory is not None
    assert (api.limits.memory.text, api.limits.cpus.text if api.limits.cpus else None) == (
        "256M",
        "1",
    )
    assert api.logging is not None
    assert (api.logging.driver, dict(api.logging.options)) == (
        "json-file",
        {"max-size": "10m", "max-file": "3"},
    )
    assert api.healthcheck == Healthcheck(
        ("CMD-SHELL", "curl -f http://localhost/health"), False, 12
    )
    assert db.build is not None and db.build.dockerfile == "Dockerfile.db"
    assert db.healthcheck is not None and not db.healthcheck.enabled


def test_merge_keys_apply_with_the_anchor_line_and_explicit_keys_win() -> None:
    parsed = compose(
        "x-base: &base\n"
        "  mem_limit: 256m\n"
        "  cpus: 1\n"
        "services:\n"
        "  api:\n"
        "    <<: *base\n"
        "    cpus: 2\n"
    )
    (api,) = parsed.services
    assert api.mem_limit is not None and (api.mem_limit.text, api.mem_limit.line) == ("256m", 2)
    assert api.cpus is not None and (api.cpus.text, api.cpus.line) == ("2", 7)


def test_secrets_top_level_and_per_service() -> None:
    parsed = compose(
        "services:\n"
        "  api:\n"
        "    secrets: [clerk, {source: turso, target: turso_token}]\n"
        "secrets:\n"
        "  clerk: {file: ./secrets/clerk.txt}\n"
        "  turso: {external: true}\n"
    )
    assert [s.source for s in parsed.services[0].secrets] == ["clerk", "turso"]
    assert [(s.name, s.file, s.external) for s in parsed.secrets] == [
        ("clerk", "./secrets/clerk.txt", False),
        ("turso", None, True),
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("services: [a, b]\n", 1),
        ("services:\n  a: redis\n", 2),
        ("services:\n  a:\n    environment: 3\n", 3),
        ("services:\n  a:\n    logging: json-file\n", 3),
        ("services:\n  a:\n    image: x\n    image: y\n", 4),
        ("services:\n\ta: {}\n", 2),
    ],
)
def test_shapes_compose_rejects_are_errors_with_the_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as error:
        compose(text)
    assert error.value.line == line


def test_empty_file_is_an_error() -> None:
    with pytest.raises(InputError, match="empty"):
        compose("# nothing\n")
