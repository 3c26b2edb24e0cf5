"""The nginx reader: crossplane's lexer and directive table, contexts, and safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checks.readers.nginx import Directive, read_nginx, render, walk

GUIDE = b"""upstream backend {
    server 127.0.0.1:8000;
}

server {
    listen 443 ssl http2;
    server_name api.yourdomain.com;

    location / {
        proxy_pass http://backend;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
    }
}
"""


def test_the_guide_snippet_is_an_http_snippet_with_lines() -> None:
    config = read_nginx(GUIDE)
    assert config.context == "http"
    upstream, server = config.directives
    assert (upstream.name, upstream.args, upstream.line) == ("upstream", ("backend",), 1)
    assert upstream.children("server")[0].args == ("127.0.0.1:8000",)
    (location,) = server.children("location")
    headers = [d.args for d in location.children("proxy_set_header")]
    assert headers == [("Host", "$host"), ("X-Real-IP", "$remote_addr")]
    assert location.children("proxy_pass")[0].line == 10


def test_a_whole_nginx_conf_is_read_in_the_main_context() -> None:
    config = read_nginx(
        b"worker_processes auto;\nevents {}\nhttp {\n    include conf.d/*.conf;\n}\n"
    )
    assert config.context == "main"
    assert [d.name for d in config.directives] == ["worker_processes", "events", "http"]
    (include,) = config.find("http")[0].children("include")
    assert include.args == ("conf.d/*.conf",)  # kept as written, never opened


@pytest.mark.parametrize(
    ("text", "context"),
    [
        (b"location /api/ {\n    proxy_pass http://app;\n}\n", "server"),
        (b"proxy_set_header Host $host;\nproxy_set_header X-Real-IP $remote_addr;\n", "http"),
        (b"proxy_pass http://app;\nproxy_read_timeout 60s;\n", "location"),
    ],
)
def test_snippets_take_the_first_context_that_accepts_them(text: bytes, context: str) -> None:
    assert read_nginx(text).context == context


def test_quotes_comments_and_if_parentheses() -> None:
    config = read_nginx(
        b"log_format main '$remote_addr \"$request\"';  # trailing comment\n"
        b"server {\n"
        b"    # a comment\n"
        b"    if ($request_method = POST) { return 405; }\n"
        b"}\n"
    )
    log_format, server = config.directives
    assert log_format.args == ("main", '$remote_addr "$request"')
    (condition,) = server.children("if")
    assert condition.args == ("$request_method", "=", "POST")
    assert [d.name for d, _ in walk(server.block or ())] == ["if", "return"]


def test_directives_where_nginx_does_not_allow_them_are_errors() -> None:
    with pytest.raises(InputError) as error:
        read_nginx(b"events {}\nhttp {\n    server {\n        proxy_pass http://x;\n    }\n}\n")
    assert error.value.line == 4
    assert '"proxy_pass" directive is not allowed here' in error.value.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (b"server {\n    listen 443 ssl;\n", 2, "unexpected end of file"),
        (b"server {\n    listen 443 ssl\n}\n", 3, 'unexpected "}"'),
        (b"}\n", 1, 'unexpected "}"'),
        (b"server {\n    listen;\n}\n", 2, "invalid number of arguments"),
        (b"server {\n  listen 80;\n}\x00\n", 3, "NUL"),
    ],
)
def test_syntax_errors_carry_the_line(text: bytes, line: int, message: str) -> None:
    with pytest.raises(InputError) as error:
        read_nginx(text)
    assert error.value.line == line
    assert message in str(error.value)


def test_unknown_directives_pass_crossplane_but_are_kept() -> None:
    # nginx -t rejects this typo; the reader leaves that verdict to nginx itself.
    config = read_nginx(b"location / {\n    proxy_set_headr Host $host;\n}\n")
    assert config.directives[0].children("proxy_set_headr")[0].line == 2


def test_the_reader_never_opens_included_files(tmp_path: Path) -> None:
    secret = tmp_path / "outside.conf"
    secret.write_text("this is not nginx syntax {{{")
    config = read_nginx(f"http {{ include {secret}; }}\nevents {{}}\n".encode())
    assert config.find("http")[0].children("include")[0].args == (str(secret),)


def test_render_and_sources() -> None:
    directive = Directive("location", ("~", "^/api/(.*)$"), 3, ())
    assert render(directive) == "location ~ '^/api/(.*)$' {"
    assert render(Directive("proxy_set_header", ("Connection", ""), 4)) == (
        "proxy_set_header Connection '';"
    )
    sourced = read_nginx(GUIDE).directives[1].with_source("nginx/api.conf")
    assert {d.source for d, _ in walk((sourced,))} == {"nginx/api.conf"}
