"""Stages, variable scoping, word expansion and the COPY/RUN helpers of dockerfile_model."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from checklists.core.errors import InputError
from checks.readers.dockerfile import Dockerfile, Instruction, parse
from checks.readers.dockerfile_model import (
    Expansion,
    copy_parts,
    env_at_end,
    expand,
    flag_value,
    flag_values,
    global_args,
    run_parts,
    shell_script,
    stages,
    walk,
)
from checks.readers.dockerfile_shell import ShellLexer, _Scanner, is_plain


def _variables_before(df: Dockerfile, stage_index: int, line: int) -> Mapping[str, str | None]:
    """The variables visible to the instruction that starts on `line`."""
    for ins, variables in walk(df, stages(df)[stage_index]):
        if ins.start_line == line:
            return variables
    raise AssertionError(f"no instruction on line {line}")


def _expand_at(df: Dockerfile, stage_index: int, line: int) -> Expansion:
    """The first argument of the instruction on `line`, expanded as BuildKit would."""
    variables = _variables_before(df, stage_index, line)
    ins = next(i for i in stages(df)[stage_index].instructions if i.start_line == line)
    return expand(ins.args[0], variables, escape=df.escape)


# --- Stages -----------------------------------------------------------------------------------


def test_stage_names_match_case_insensitively() -> None:
    df = parse(
        "FROM golang:1.23 AS Builder\nRUN go build\nFROM alpine\nCOPY --from=BUILDER /a /b\n"
    )
    builder, final = stages(df)
    assert builder.name == "builder"
    assert final.name is None
    copy = final.instructions[0]
    source = flag_value(copy, "from")
    assert source is not None
    assert [s.index for s in stages(df) if s.name == source.lower()] == [0]


def test_base_stage_resolves_earlier_stages_only() -> None:
    df = parse(
        "FROM node:22 AS deps\n"
        "FROM DEPS AS build\n"
        "FROM scratch AS out\n"
        "FROM later\n"
        "FROM alpine AS later\n"
    )
    assert [s.base_stage for s in stages(df)] == [None, 0, None, None, None]
    assert [s.base for s in stages(df)] == ["node:22", "DEPS", "scratch", "later", "alpine"]


def test_global_arg_expands_in_from() -> None:
    df = parse("ARG PYTHON_VERSION=3.13\nFROM python:${PYTHON_VERSION}-slim\n")
    (stage,) = stages(df)
    assert stage.base == "python:3.13-slim"
    assert stage.base_unresolved == ()
    assert global_args(df) == {"PYTHON_VERSION": "3.13"}


def test_arg_without_default_in_from_is_reported() -> None:
    df = parse("ARG TAG\nARG IMAGE=alpine:$TAG\nFROM $IMAGE\nFROM debian:${TAG}\n")
    assert global_args(df) == {"TAG": None, "IMAGE": None}
    first, second = stages(df)
    assert (first.base, first.base_unresolved) == ("$IMAGE", ("IMAGE",))
    assert (second.base, second.base_unresolved) == ("debian:${TAG}", ("TAG",))


def test_platform_flag_and_platform_args() -> None:
    df = parse("FROM --platform=$BUILDPLATFORM golang:${TARGETOS} AS build\n")
    (stage,) = stages(df)
    assert stage.platform == "$BUILDPLATFORM"
    assert stage.base_unresolved == ("TARGETOS",)


def test_only_arg_may_precede_from() -> None:
    with pytest.raises(InputError) as caught:
        stages(parse("ARG A=1\nRUN echo\nFROM alpine\n"))
    assert caught.value.line == 2
    assert "before the first FROM" in caught.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM a b\n", "FROM requires either one or three arguments"),
        ("FROM a AS 1st\n", "invalid name for build stage"),
    ],
)
def test_malformed_from_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        stages(parse(text))
    assert caught.value.line == 1


# --- Variables in a stage ---------------------------------------------------------------------


def test_global_arg_is_not_visible_in_a_stage_until_redeclared() -> None:
    df = parse(
        "ARG VERSION=1.2\n"
        "FROM alpine\n"
        "RUN echo $VERSION\n"
        "ARG VERSION\n"
        "RUN echo $VERSION\n"
        "FROM alpine\n"
        "ARG VERSION=9\n"
        "RUN echo $VERSION\n"
    )
    assert "VERSION" not in _variables_before(df, 0, 3)
    assert _variables_before(df, 0, 5)["VERSION"] == "1.2"
    assert _variables_before(df, 1, 8)["VERSION"] == "9"


def test_arg_default_expands_in_user() -> None:
    df = parse("FROM alpine\nARG UID=0\nUSER $UID\n")
    assert _expand_at(df, 0, 3) == Expansion("0", frozenset())


def test_arg_without_default_is_unresolved() -> None:
    df = parse("FROM alpine\nARG UID\nUSER ${UID:-1000}\nUSER $UID\n")
    assert _variables_before(df, 0, 3) == {"UID": None}
    # Without a build argument UID is unset, so the inline fallback decides: not unresolved.
    assert _expand_at(df, 0, 3) == Expansion("1000", frozenset())
    assert _expand_at(df, 0, 4) == Expansion("", frozenset({"UID"}))


def test_env_overrides_arg_of_the_same_name() -> None:
    df = parse(
        "FROM alpine\nARG MODE=dev\nENV MODE=prod\nRUN echo $MODE\nARG MODE=test\nRUN echo $MODE\n"
    )
    assert _variables_before(df, 0, 4)["MODE"] == "prod"
    assert _variables_before(df, 0, 6)["MODE"] == "prod"


def test_env_values_see_only_earlier_instructions() -> None:
    df = parse('FROM alpine\nENV A=1\nENV A=2 B=$A\nENV C "quoted $B"\nRUN env\n')
    assert _variables_before(df, 0, 5) == {"A": "2", "B": "1", "C": "quoted 1"}


def test_env_is_inherited_through_stages_but_args_are_not() -> None:
    df = parse(
        "FROM python:3.13 AS builder\n"
        "ARG BUILD_ONLY=1\n"
        "ENV VIRTUAL_ENV=/opt/venv\n"
        "FROM builder AS final\n"
        "ENV PATH=$VIRTUAL_ENV/bin\n"
        "RUN echo $BUILD_ONLY\n"
    )
    builder, final = stages(df)
    assert env_at_end(df, builder) == {"VIRTUAL_ENV": "/opt/venv"}
    assert _variables_before(df, 1, 6) == {"VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin"}
    assert env_at_end(df, final) == {"VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin"}


def test_platform_args_appear_once_declared() -> None:
    df = parse("FROM alpine\nRUN echo\nARG TARGETARCH\nRUN echo $TARGETARCH\n")
    assert "TARGETARCH" not in _variables_before(df, 0, 2)
    assert _variables_before(df, 0, 4) == {"TARGETARCH": None}


def test_a_bad_expansion_names_its_line() -> None:
    df = parse('FROM alpine\nENV A="${MISSING?set it}"\n')
    with pytest.raises(InputError, match="MISSING: set it") as caught:
        env_at_end(df, stages(df)[0])
    assert caught.value.line == 2


# --- Word expansion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "text", "unresolved"),
    [
        ("$SET-${SET}", "yes-yes", set()),
        ("${EMPTY:-x}|${EMPTY-x}|${UNSET:-x}|${UNSET-x}", "x||x|x", set()),
        ("${EMPTY:+x}|${EMPTY+x}|${SET:+x}|${UNSET+x}", "|x|x|", set()),
        ("${NONE:-dflt}|${NONE+alt}|$NONE", "dflt||", {"NONE"}),
        ("${NONE?must be set}", "", {"NONE"}),
        ("${SET?gone}${SET:?empty}", "yesyes", set()),
        ('\'$SET\' "$SET" "a\\"b" \\$SET', '$SET yes a"b $SET', set()),
        ("${FILE%.*}|${FILE%%.*}|${FILE#*.}|${FILE##*.}", "a.tar|a|tar.gz|gz", set()),
        ("${FILE/./-}|${FILE//./-}", "a-tar.gz|a-tar-gz", set()),
        ("$1$@ ${UNSET}end $", " end $", set()),
    ],
    ids=[
        "plain",
        "minus",
        "plus",
        "unresolved",
        "question-unresolved",
        "question-set",
        "quotes",
        "trim",
        "replace",
        "odd-names",
    ],
)
def test_expand(word: str, text: str, unresolved: set[str]) -> None:
    variables = {"SET": "yes", "EMPTY": "", "NONE": None, "FILE": "a.tar.gz"}
    assert expand(word, variables) == Expansion(text, frozenset(unresolved))


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("${UNSET?}", "UNSET: is not allowed to be unset"),
        ("${EMPTY:?}", "EMPTY: is not allowed to be empty"),
        ("${UNSET:?custom}", "UNSET: custom"),
        ("${SET", "missing '}'"),
        ("${}", "bad substitution"),
        ('"open', "matching double-quote"),
        ("${SET!x}", "unsupported modifier (!)"),
    ],
)
def test_expand_errors(word: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        expand(word, {"SET": "yes", "EMPTY": ""})


def test_backtick_escape() -> None:
    df = parse("# escape=`\nFROM alpine\nENV A=one`\n  B=c:\\dir\nWORKDIR `$B\\`$A\n")
    assert df.escape == "`"
    assert _variables_before(df, 0, 5) == {"A": "one", "B": "c:\\dir"}
    assert _expand_at(df, 0, 5).text == "$B\\$A"
    assert expand("a\\b`$X", {"X": "x"}, escape="`").text == "a\\b$X"


def test_keep_unresolved_leaves_references_as_written() -> None:
    variables = {"V": None, "W": "w"}
    got = expand("img:${V:-1}-$V-$W", variables, keep_unresolved=True)
    assert got == Expansion("img:${V:-1}-$V-w", frozenset({"V"}))


# --- Flags, COPY and RUN ----------------------------------------------------------------------


def _instruction(text: str, index: int = 1) -> Instruction:
    return parse(text).instructions[index]


def test_flags() -> None:
    ins = _instruction(
        "FROM a\nRUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=t "
        "--network=none echo\n"
    )
    assert flag_value(ins, "network") == "none"
    assert flag_values(ins, "mount") == ("type=cache,target=/root/.cache", "type=secret,id=t")
    assert flag_value(ins, "mount") == "type=secret,id=t"
    assert flag_value(ins, "security") is None


def test_copy_parts() -> None:
    ins = _instruction(
        'FROM a\nCOPY --from=build --chown="app:app" --link --exclude=*.md --exclude=x '
        "src/ ./lib /app/\n"
    )
    parts = copy_parts(ins)
    assert dict(parts.flags) == {
        "from": "build",
        "chown": "app:app",
        "link": "true",
        "exclude": "x",
    }
    assert flag_values(ins, "exclude") == ("*.md", "x")
    assert parts.sources == ("src/", "./lib")
    assert parts.dest == "/app/"
    assert parts.files == ()


def test_copy_heredoc_files_and_json_form() -> None:
    df = parse(
        'FROM a\nADD <<-"EOF" <<two conf/ /etc/\n\tline\n\tEOF\nx\ntwo\nCOPY ["a b", "/c"]\n'
    )
    parts = copy_parts(df.instructions[1])
    assert parts.sources == ("conf/",)
    assert [(f.path, f.data, f.expand) for f in parts.files] == [
        ("EOF", "line\n", False),
        ("two", "x\n", True),
    ]
    assert copy_parts(df.instructions[2]).sources == ("a b",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FROM a\nCOPY onlyone\n", "COPY requires at least two arguments"),
        ("FROM a\nADD x <<EOF\nEOF\n", "ADD cannot accept a heredoc as a destination"),
    ],
)
def test_copy_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        copy_parts(_instruction(text))
    assert caught.value.line == 2


def test_copy_parts_rejects_other_instructions() -> None:
    with pytest.raises(ValueError, match="expected COPY or ADD"):
        copy_parts(_instruction("FROM a\nRUN x\n"))


def test_run_parts() -> None:
    df = parse(
        "FROM a\nRUN --network=none apt-get update && \\\n  apt-get install -y x\n"
        'RUN ["sh", "-c", "echo hi"]\nRUN\n'
    )
    shell, exec_form, empty = (run_parts(i) for i in df.instructions[1:])
    assert shell.prepend_shell and shell.cmd_line == ("apt-get update &&   apt-get install -y x",)
    assert dict(shell.flags) == {"network": "none"}
    assert not exec_form.prepend_shell and exec_form.cmd_line == ("sh", "-c", "echo hi")
    assert empty.cmd_line == () and empty.files == ()


def test_shell_script() -> None:
    df = parse(
        "FROM a\n"
        "RUN apt-get update\n"
        'RUN ["echo", "a b"]\n'
        "RUN <<-EOF\n"
        "\tset -e\n"
        "\tapt-get update\n"
        "EOF\n"
        "RUN <<EOF python3\n"
        "print(1)\n"
        "EOF\n"
        "ONBUILD RUN <<EOF\n"
        "make\n"
        "EOF\n"
    )
    scripts = [shell_script(ins) for ins in df.instructions[1:]]
    assert scripts == [
        "apt-get update",
        "echo a b",
        "set -e\napt-get update\n",
        "<<EOF python3\nprint(1)\nEOF",
        "make\n",
    ]
    files = run_parts(df.instructions[3]).files
    assert [(f.name, f.data, f.chomp) for f in files] == [
        ("EOF", "\tset -e\n\tapt-get update\n", True)
    ]


@pytest.mark.parametrize(
    "word",
    ["app", "python:3.12-slim", "/usr/src/app", "", "a=b", "--chown=1000:1000", "x\\y",
     "`tick`", "a b", "$HOME", "'q'", '"q"', "é", "tab\there"],
)  # fmt: skip
@pytest.mark.parametrize("escape", ["\\", "`"])
def test_plain_words_take_the_shortcut_with_the_lexers_own_result(word: str, escape: str) -> None:
    variables = {"HOME": "/root"}
    fast = ShellLexer(escape).process(word, variables)
    lexer = ShellLexer(escape)  # the long way, as if every word needed lexing
    lexer._variables, lexer._scan = variables, _Scanner(word)
    assert fast == lexer._process_until("", False)


def test_only_ascii_words_without_blanks_quotes_dollars_or_escapes_are_plain() -> None:
    assert is_plain("python:3.12-slim", "\\") and is_plain("x\\y", "`")
    assert not any(is_plain(w, "\\") for w in ("x\\y", "a b", "$A", "'q'", '"q"', "é"))
