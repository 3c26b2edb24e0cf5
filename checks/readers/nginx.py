"""Reader for nginx configuration files, built on NGINX's own `crossplane` parser.

The text is tokenised by crossplane's lexer (quotes, escapes, `#` comments, balanced braces)
and every directive is checked by crossplane's analyzer against the directive table of
nginx's modules: a directive where nginx does not allow it, or with a wrong number of
arguments, raises `InputError` with its line, as `nginx -t` would. A directive the table
does not know (a third-party module's, or one newer than crossplane 0.5.8, such as
`http2 on;` from nginx 1.25.1) is accepted as written.

A file is either a whole `nginx.conf` (its top level has `http`, `events` or another
directive of the main context) or a snippet that nginx includes: inside `http { }` (such as
`conf.d/*.conf` and `sites-enabled/*`), inside `server { }` or inside `location { }`. A
snippet is analysed in the first of the http, server and location contexts that accepts
all its directives; when none does, the error of the http context is raised.

Safe for untrusted input: the reader works on the bytes it is given (written to a private
temporary file only because crossplane's lexer reads a path) and never opens another file.
`include` directives stay in the tree as written; whoever follows them decides where.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import crossplane  # type: ignore[import-untyped]
from crossplane.analyzer import analyze, enter_block_ctx  # type: ignore[import-untyped]
from crossplane.errors import (  # type: ignore[import-untyped]
    NgxParserBaseException,
    NgxParserDirectiveContextError,
)

from checklists import InputError, decode_text, tr
from checklists.core.target import MAX_NESTING

__all__ = ["Directive", "NginxConfig", "read_nginx", "render", "walk"]

# Directives that only the main context allows: their presence makes a file a whole config.
_MAIN_ONLY = frozenset(
    {
        *("http", "events", "stream", "mail", "user", "pid", "worker_processes"),
        *("load_module", "daemon", "master_process", "worker_rlimit_nofile", "env"),
        *("worker_cpu_affinity", "worker_priority", "pcre_jit", "thread_pool", "lock_file"),
    }
)

Token = tuple[str, int, bool]  # (text, line, quoted), as crossplane's lexer yields them
Context = Literal["main", "http", "server", "location"]
_SNIPPET_CONTEXTS: tuple[tuple[Context, tuple[str, ...]], ...] = (
    ("http", ("http",)),
    ("server", ("http", "server")),
    ("location", ("http", "location")),
)


class _ContextError(InputError):
    """A directive where the context being tried does not allow it."""


@dataclass(frozen=True, slots=True)
class Directive:
    name: str
    args: tuple[str, ...]
    line: int
    block: tuple[Directive, ...] | None = None  # None for a simple directive
    source: str | None = None  # the target file it came from, set by `with_source`

    def children(self, name: str) -> tuple[Directive, ...]:
        return tuple(d for d in self.block or () if d.name == name)

    def with_source(self, source: str) -> Directive:
        block = None if self.block is None else tuple(d.with_source(source) for d in self.block)
        return replace(self, block=block, source=source)


@dataclass(frozen=True, slots=True)
class NginxConfig:
    directives: tuple[Directive, ...]
    context: Context  # where the file's top level sits

    def find(self, name: str) -> tuple[Directive, ...]:
        return tuple(d for d in self.directives if d.name == name)


def read_nginx(data: bytes) -> NginxConfig:
    """Parse one nginx config file; InputError (with the line) where nginx would refuse it."""
    text = decode_text(data)
    with tempfile.TemporaryDirectory(prefix="nginx-read-") as folder:
        path = Path(folder, "nginx.conf")
        path.write_text(text, encoding="utf-8")
        try:
            tokens: list[Token] = list(crossplane.lex(str(path)))
        except NgxParserBaseException as error:
            raise InputError(
                tr("nginx: {strerror}", "nginx のエラー: 「{strerror}」", strerror=error.strerror),
                line=error.lineno,
            ) from None
    if _top_level_names(tokens) & _MAIN_ONLY:
        return NginxConfig(_parse(iter(tokens), (), top_level=True), "main")
    first_error: InputError | None = None
    for context, start in _SNIPPET_CONTEXTS:
        try:
            return NginxConfig(_parse(iter(tokens), start, top_level=True), context)
        except _ContextError as error:
            first_error = first_error or error
    assert first_error is not None
    raise first_error


def _top_level_names(tokens: Sequence[Token]) -> set[str]:
    names: set[str] = set()
    depth, expect_directive = 0, True
    for word, _, quoted in tokens:
        if quoted:
            expect_directive = False
            continue
        if word.startswith("#"):
            continue
        if word == "{":
            depth += 1
            expect_directive = True
        elif word == "}":
            depth -= 1
            expect_directive = True
        elif word == ";":
            expect_directive = True
        elif expect_directive:
            if depth == 0:
                names.add(word)
            expect_directive = False
    return names


# radon D: nginx's tokenizer: one branch per token kind, kept in the shape of ngx_conf_read_token.
def _parse(
    tokens: Iterator[Token], ctx: tuple[str, ...], *, top_level: bool = False, depth: int = 0
) -> tuple[Directive, ...]:
    found: list[Directive] = []
    for word, line, quoted in tokens:
        if word == "}" and not quoted:
            if top_level:
                raise InputError(tr('nginx: unexpected "}}"', 'nginx: 予期しない "}}"'), line=line)
            return tuple(found)
        if word.startswith("#") and not quoted:
            continue
        if word in ("{", ";") and not quoted:
            raise InputError(
                tr('nginx: unexpected "{word}"', 'nginx: 予期しない "{word}"', word=word), line=line
            )
        args: list[str] = []
        term = ""
        for arg, arg_line, arg_quoted in tokens:
            if arg in ("{", ";", "}") and not arg_quoted:
                term = arg
                if arg == "}":
                    raise InputError(
                        tr('nginx: unexpected "}}"', 'nginx: 予期しない "}}"'), line=arg_line
                    )
                break
            if not (arg.startswith("#") and not arg_quoted):
                args.append(arg)
        if not term:
            raise InputError(
                tr(
                    'nginx: unexpected end of file, expecting ";" or "}}"',
                    'nginx: ";" か "}}" がないままファイルが終わる',
                ),
                line=line,
            )
        statement = {"directive": word, "line": line, "args": args}
        if word == "if":
            _strip_if_parentheses(args)
        try:
            analyze("nginx.conf", statement, term, ctx=ctx, strict=False)
        except NgxParserDirectiveContextError as error:
            raise _ContextError(
                tr("nginx: {strerror}", "nginx のエラー: 「{strerror}」", strerror=error.strerror),
                line=line,
            ) from None
        except NgxParserBaseException as error:
            raise InputError(
                tr("nginx: {strerror}", "nginx のエラー: 「{strerror}」", strerror=error.strerror),
                line=line,
            ) from None
        block = None
        if term == "{":
            if depth >= MAX_NESTING:  # real configs nest http > server > location > if
                raise InputError(
                    tr(
                        "nginx: blocks nested more than {MAX_NESTING} levels deep: not read",
                        "nginx: ブロックの入れ子が {MAX_NESTING} 段を超えるため読み取らない",
                        MAX_NESTING=MAX_NESTING,
                    ),
                    line=line,
                    kind="limit",
                )
            block = _parse(tokens, enter_block_ctx(statement, ctx), depth=depth + 1)
        found.append(Directive(word, tuple(args), line, block))
    if not top_level:
        raise InputError(
            tr(
                'nginx: unexpected end of file, expecting "}}"',
                'nginx: "}}" がないままファイルが終わる',
            )
        )
    return tuple(found)


def _strip_if_parentheses(args: list[str]) -> None:
    """`if ( $a = b )` -> `$a = b`, as nginx and crossplane read it."""
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        start = 0 if args[0] else 1
        end = len(args) - (0 if args[-1] else 1)
        args[:] = args[start:end]


def walk(
    directives: Sequence[Directive], parents: tuple[Directive, ...] = ()
) -> Iterator[tuple[Directive, tuple[Directive, ...]]]:
    """Every directive, depth first, with the blocks that enclose it (outermost first)."""
    for directive in directives:
        yield directive, parents
        if directive.block is not None:
            yield from walk(directive.block, (*parents, directive))


def render(directive: Directive) -> str:
    """One directive's head as nginx text: `name args;`, or `name args {` for a block."""
    text: str = crossplane.build([{"directive": directive.name, "args": list(directive.args)}])
    return text[:-1] + " {" if directive.block is not None else text
