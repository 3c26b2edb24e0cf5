"""BuildKit's own parser tests, replayed against checks.readers.dockerfile.

The golden files live in tests/data/oracles/buildkit-parser (see its README): one test id per
case, so a failure names the upstream case. Instruction-level heredoc cases go through
checks.readers.dockerfile_model, which plays the part of BuildKit's `instructions` package.
The last section covers the parser tests upstream keeps in Go code only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from checklists.core.errors import InputError
from checks.readers.dockerfile import (
    MAX_LINE_BYTES,
    Heredoc,
    Instruction,
    chomp_heredoc_content,
    go_quote,
    heredocs_from_line,
    parse,
    parse_heredoc_word,
)
from checks.readers.dockerfile_model import copy_parts, run_parts
from tests.paths import ORACLES

PARSER = ORACLES / "buildkit-parser"


def _cases(folder: str) -> list[str]:
    root = PARSER / folder
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


POSITIVE = _cases("testfiles")
NEGATIVE = _cases("testfiles-negative")
HEREDOC_CASES: list[dict[str, Any]] = (
    json.loads((PARSER / "heredocs.json").read_text(encoding="utf-8"))
    if (PARSER / "heredocs.json").is_file()
    else []
)


def test_the_oracle_is_present() -> None:
    # Without this, a missing data folder would quietly parametrize nothing.
    assert PARSER.is_dir(), f"BuildKit parser oracle not found at {PARSER}"
    assert len(POSITIVE) == 33
    assert len(NEGATIVE) == 4
    assert len(HEREDOC_CASES) == 48


# --- testfiles: Dump must equal `result` byte for byte --------------------------------------


@pytest.mark.parametrize("case", POSITIVE)
def test_positive_case_dumps_like_buildkit(case: str) -> None:
    folder = PARSER / "testfiles" / case
    expected = (folder / "result").read_bytes().decode("utf-8").replace("\r\n", "\n")
    assert parse((folder / "Dockerfile").read_bytes()).dump() == expected


NEGATIVE_MESSAGES = {
    "empty_dockerfile": "file with no instructions",
    "only_comments": "file with no instructions",
    "env_no_value": "ENV must have two arguments",
    "shykes-nested-json": "arrays must be comprised of strings only",
}


@pytest.mark.parametrize("case", NEGATIVE)
def test_negative_case_fails(case: str) -> None:
    with pytest.raises(InputError) as caught:
        parse((PARSER / "testfiles-negative" / case / "Dockerfile").read_bytes())
    assert NEGATIVE_MESSAGES[case] in caught.value.message
    assert caught.value.line is not None and caught.value.line >= 1


def test_line_numbers_match_upstream() -> None:
    df = parse((PARSER / "testfile-line" / "Dockerfile").read_bytes())
    assert (df.start_line, df.end_line) == (5, 31)
    assert [(i.start_line, i.end_line) for i in df.instructions] == [(5, 5), (11, 12), (17, 31)]
    assert df.directives == {"escape": "\\"}


# --- heredocs.json ----------------------------------------------------------------------------


def _heredoc_dict(heredoc: Heredoc) -> dict[str, Any]:
    return {
        "name": heredoc.name,
        "content": heredoc.content,
        "expand": heredoc.expand,
        "chomp": heredoc.chomp,
        "file_descriptor": heredoc.file_descriptor,
    }


def _heredoc_list(heredocs: tuple[Heredoc, ...] | list[Heredoc]) -> list[dict[str, Any]] | None:
    # The oracle writes a Go nil slice as null.
    return [_heredoc_dict(h) for h in heredocs] or None


def _observed_child(ins: Instruction) -> dict[str, Any]:
    return {
        "instruction": ins.keyword,
        "flags": list(ins.flags),
        "args": list(ins.args),
        "dump": ins.dump(),
        "start_line": ins.start_line,
        "end_line": ins.end_line,
        "heredocs": _heredoc_list(ins.heredocs),
    }


def _check_observed_parse(case: dict[str, Any]) -> list[Instruction]:
    instructions = list(parse(case["dockerfile"]).instructions)
    assert case["observed"]["parse_error"] is None
    assert [_observed_child(i) for i in instructions] == case["observed"]["children"]
    return instructions


def _check_parse(case: dict[str, Any]) -> None:
    instructions = _check_observed_parse(case)
    for expected in case["expect"]["children"]:
        got = _heredoc_list(instructions[expected["child"]].heredocs)
        assert got == expected["heredocs"], f"child {expected['child']}"


def _check_chomp(case: dict[str, Any]) -> None:
    assert chomp_heredoc_content(case["input"]) == case["expect"]["result"]


def _check_heredoc_word(case: dict[str, Any]) -> None:
    if case["error"] is not None:
        with pytest.raises(InputError):
            parse_heredoc_word(case["word"])
        return
    heredoc = parse_heredoc_word(case["word"])
    expected = case["expect"]["heredoc"]
    if expected is None:
        assert heredoc is None
        return
    assert heredoc is not None and heredoc.name == expected["name"]
    assert _heredoc_dict(heredoc) == case["observed"]["heredoc"]


def _check_heredocs_from_line(case: dict[str, Any]) -> None:
    # Follow `observed`: the Go table's expectation for `RUN <<- EOF` is never checked
    # upstream, and BuildKit opens no heredoc there (see the oracle's README).
    got = heredocs_from_line(case["line"])
    assert _heredoc_list(got) == case["observed"]["heredocs"]
    expected_names = case["expect"]["names"] or []
    assert [h.name for h in got] == expected_names[: len(got)]


def _check_copy(case: dict[str, Any]) -> None:
    (ins, *_) = _check_observed_parse(case)
    parts = copy_parts(ins)
    expect = case["expect"]
    assert parts.dest == expect["dest_path"]
    assert list(parts.sources) == (expect["source_paths"] or [])
    files = [{"path": f.path, "data": f.data, "expand": f.expand} for f in parts.files]
    assert files == (expect["source_contents"] or [])


def _check_run(case: dict[str, Any]) -> None:
    (ins, *_) = _check_observed_parse(case)
    parts = run_parts(ins)
    expect = case["expect"]
    assert parts.prepend_shell == expect["prepend_shell"]
    assert list(parts.cmd_line) == expect["cmd_line"]
    files = [{"name": f.name, "data": f.data, "chomp": f.chomp} for f in parts.files]
    assert files == (expect["files"] or [])


def _check_instruction_error(case: dict[str, Any]) -> None:
    (ins, *_) = _check_observed_parse(case)
    with pytest.raises(InputError) as caught:
        copy_parts(ins)
    assert case["error"]["contains"] in caught.value.message
    assert caught.value.line == 1


CHECKS = {
    "parse": _check_parse,
    "chomp_heredoc_content": _check_chomp,
    "parse_heredoc_word": _check_heredoc_word,
    "heredocs_from_line": _check_heredocs_from_line,
    "instruction_copy": _check_copy,
    "instruction_run": _check_run,
    "instruction_error": _check_instruction_error,
}


@pytest.mark.parametrize("case", HEREDOC_CASES, ids=[c["name"] for c in HEREDOC_CASES])
def test_heredoc_case(case: dict[str, Any]) -> None:
    CHECKS[case["kind"]](case)


# --- Upstream's Go-only parser tests, and this port's own edges ------------------------------


def test_line_longer_than_the_limit_is_an_error() -> None:
    with pytest.raises(InputError) as caught:
        parse("FROM alpine\nRUN echo " + "a" * MAX_LINE_BYTES + "\n")
    assert caught.value.message == "dockerfile line greater than max allowed size of 65535"
    assert caught.value.line == 2


def test_the_limit_counts_utf8_bytes_without_the_newline() -> None:
    longest = "RUN " + "a" * (MAX_LINE_BYTES - 4)
    assert parse(f"FROM alpine\n{longest}\n").instructions[1].args == (longest[4:],)
    assert parse(f"FROM alpine\n{longest}").instructions[1].end_line == 2
    with pytest.raises(InputError):
        parse("FROM alpine\nRUN " + "é" * (MAX_LINE_BYTES // 2))


def test_empty_continuation_lines_are_skipped() -> None:
    df = parse("FROM a\nRUN echo \\\n\n  \\\n\nhello\n")
    assert df.instructions[1].args == ("echo   hello",)
    assert (df.instructions[1].start_line, df.instructions[1].end_line) == (2, 6)


def test_directives_are_read_only_at_the_top() -> None:
    df = parse("# syntax=docker/dockerfile:1\n# ESCAPE = `\n# check=skip=all\nFROM a\n")
    assert dict(df.directives) == {
        "syntax": "docker/dockerfile:1",
        "escape": "`",
        "check": "skip=all",
    }
    assert df.escape == "`"
    late = parse("FROM a\n# escape=`\nRUN a \\\n b\n")
    assert late.escape == "\\" and dict(late.directives) == {}
    after_unknown = parse("# foo=bar\n# escape=`\nFROM a\n")
    assert after_unknown.escape == "\\"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("# escape=x\nFROM a\n", "invalid escape token 'x'", 1),
        ("# escape=`\n# escape=`\nFROM a\n", "only one escape parser directive", 2),
        ("FROM a\nRUN <<EOF\necho\n", "unterminated heredoc <<EOF", 2),
        ("FROM a\nENV a=1 b\n", 'can\'t find = in "b"', 2),
        ("FROM a\nLABEL a\n", "LABEL must have two arguments", 2),
    ],
    ids=["bad-escape", "repeated-directive", "unterminated-heredoc", "env-no-equals", "label"],
)
def test_errors_name_the_line(text: str, message: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.line == line


def test_bytes_are_decoded_as_utf8() -> None:
    df = parse("\ufeffFROM a\r\nLABEL x=\u2603\r\n".encode())
    assert [i.dump() for i in df.instructions] == ['(from "a")', '(label "x" "\u2603" "=")']
    with pytest.raises(InputError, match="not a text file") as caught:
        parse(b"FROM a\nRUN \xff\n")
    assert caught.value.line == 2
    with pytest.raises(InputError, match="not a text file"):
        parse(b"FROM a\x00\n")


def test_word_splitting_keeps_quotes_and_escapes() -> None:
    df = parse('FROM a\nARG a="1 2" b=\\"c d\nENV k=v\\ w l="x y"\n')
    assert df.instructions[1].args == ('a="1 2"', 'b=\\"c', "d")
    assert df.instructions[2].args == ("k", "v\\ w", "=", "l", '"x y"', "=")


def test_unknown_and_onbuild_instructions() -> None:
    df = parse("FROM a\nFOO --bar=1 baz\nONBUILD COPY --from=b <<EOF /x\nhi\nEOF\nONBUILD\n")
    foo, onbuild, empty = df.instructions[1:]
    assert foo.dump() == '(foo ["--bar=1"] "")'
    assert onbuild.dump() == '(onbuild (copy ["--from=b"] "<<EOF" "/x"))'
    assert onbuild.inner is not None and onbuild.inner.heredocs == onbuild.heredocs
    assert [h.content for h in onbuild.heredocs] == ["hi\n"]
    assert (onbuild.start_line, onbuild.end_line) == (3, 5)
    assert empty.dump() == "(onbuild)"


def test_flags_are_read_byte_by_byte_like_buildkit() -> None:
    # extractBuilderFlags turns each UTF-8 byte into one character, and treats byte 0xA0
    # (the second byte of a no-break space) as a blank.
    ins = parse("FROM a\nCOPY --chown=\u00e9 --x=a\u00a0b c d\n").instructions[1]
    assert ins.flags == ("--chown=\u00c3\u00a9", "--x=a\u00c2")
    assert ins.dump() == '(copy ["--chown=\u00c3\u00a9" "--x=a\u00c2"] "b" "c" "d")'


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("plain", '"plain"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("\a\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'),
        ("\x00\x1b\x7f", '"\\x00\\x1b\\x7f"'),
        ("\u00a0\u0085\u200b", '"\\u00a0\\u0085\\u200b"'),
        ("\u2665 \U0001f600", '"\u2665 \U0001f600"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("\udcff", '"\\xff"'),
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted
