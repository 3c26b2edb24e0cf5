"""The wrangler.toml reader: plain-text vars per environment, with their lines."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.wrangler import WranglerVar, read_wrangler


def test_vars_of_the_top_level_and_each_environment() -> None:
    config = read_wrangler(
        b'name = "api"\n'
        b"\n"
        b"[vars]\n"
        b'APP_ENV = "development"\n'
        b"MAX_ITEMS = 10\n"
        b"\n"
        b"[env.production]\n"
        b'name = "api-prod"\n'
        b'vars = { APP_ENV = "production" }\n'
        b"\n"
        b"[env.staging.vars]\n"
        b'"APP_ENV" = "staging"\n'
    )
    assert config.name == "api"
    assert config.vars == (
        WranglerVar(None, "APP_ENV", "development", 4),
        WranglerVar(None, "MAX_ITEMS", "10", 5),
        WranglerVar("production", "APP_ENV", "production", 9),
        WranglerVar("staging", "APP_ENV", "staging", 12),
    )


def test_no_vars() -> None:
    assert read_wrangler(b'name = "api"\nmain = "worker.py"\n').vars == ()


def test_syntax_error_has_its_line() -> None:
    with pytest.raises(InputError) as error:
        read_wrangler(b'name = "api"\n[vars\nA = "b"\n')
    assert error.value.line == 2


def test_bytes_that_are_not_utf8_are_read_as_wrangler_reads_them() -> None:
    # Wrangler decodes with Buffer.toString("utf-8"): the file deploys, its vars with U+FFFD.
    config = read_wrangler(b'\xef\xbb\xbf[vars]\nGREETING = "caf\xe9"\nAPI_TOKEN = "t\xffk"\n')
    assert config.vars == (
        WranglerVar(None, "GREETING", "caf\ufffd", 2),
        WranglerVar(None, "API_TOKEN", "t\ufffdk", 3),
    )


@pytest.mark.parametrize(
    ("bom", "encoding"), [(b"\xff\xfe", "UTF-16 LE"), (b"\xff\xfe\x00\x00", "UTF-32 LE")]
)
def test_a_utf16_or_utf32_byte_order_mark_is_refused_as_wrangler_does(
    bom: bytes, encoding: str
) -> None:
    with pytest.raises(InputError, match=f"{encoding} byte order mark") as error:
        read_wrangler(bom + '[vars]\nA = "b"\n'.encode("utf-16-le"))
    assert error.value.line == 1
