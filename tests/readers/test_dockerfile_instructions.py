"""What BuildKit's instructions package and dockerfile2llb refuse, and what they accept.

Each refusal is an InputError of kind "refused" at the line BuildKit names; the messages are
BuildKit's (frontend/dockerfile/instructions/parse.go and bflag.go).
"""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.common import read_dockerfile

REFUSED = [
    ("FROM alpine\nFOO bar\n", 2, "unknown instruction: FOO"),
    ("FROM alpine\nRUNN apk add curl\n", 2, "unknown instruction: RUNN"),
    ("FROM alpine\ncopyy . /app\n", 2, "unknown instruction: COPYY"),
    ("FROM alpine\nONBUILD ONBUILD RUN true\n", 2, "Chaining ONBUILD via `ONBUILD ONBUILD`"),
    ("FROM alpine\nONBUILD FROM debian\n", 2, "FROM isn't allowed as an ONBUILD trigger"),
    ("FROM alpine\nonbuild maintainer me\n", 2, "MAINTAINER isn't allowed as an ONBUILD"),
    ("FROM alpine\nONBUILD\n", 2, "ONBUILD requires at least one argument"),
    ("FROM alpine\nUSER\n", 2, "USER requires exactly one argument"),
    ("FROM alpine\nWORKDIR\n", 2, "WORKDIR requires exactly one argument"),
    ("FROM alpine\nEXPOSE\n", 2, "EXPOSE requires at least one argument"),
    ("FROM alpine\nARG\n", 2, "ARG requires at least one argument"),
    ("FROM alpine\nARG =1\n", 2, "ARG names can not be blank"),
    ("FROM alpine\nSHELL /bin/bash -c\n", 2, "SHELL requires the arguments to be in JSON form"),
    ('FROM alpine\nVOLUME [""]\n', 2, "VOLUME specified can not be an empty string"),
    ("FROM alpine\nENV --force A=1\n", 2, "Unknown flag: force"),
    ("FROM alpine\nUSER --chown=1 app\n", 2, "Unknown flag: chown"),
    ('FROM alpine\nCMD --x=1 ["sh"]\n', 2, "Unknown flag: x"),
    ("FROM --platform=linux/amd64 --platform=linux/arm64 alpine\n", 1, "Duplicate flag"),
    ("FROM --platform alpine\n", 1, "Missing a value on flag: platform"),
    ("FROM --plaform=linux/amd64 alpine\n", 1, "Unknown flag: plaform"),
    ("FROM alpine\nCOPY app.py\n", 2, "COPY requires at least two arguments"),
    ("FROM alpine\nADD <<EOF\nx\nEOF\n", 2, "ADD requires at least two arguments"),
    ("FROM alpine\nHEALTHCHECK NONE --x\n", 2, "HEALTHCHECK NONE takes no arguments"),
    ("FROM alpine\nHEALTHCHECK CURL http://x\n", 2, 'Unknown type "CURL" in HEALTHCHECK'),
    ("FROM alpine\nHEALTHCHECK CMD\n", 2, "Missing command after HEALTHCHECK CMD"),
    ("FROM alpine\nHEALTHCHECK --retries=-1 CMD true\n", 2, "--retries cannot be negative (-1)"),
    ("FROM alpine\nHEALTHCHECK --retries=3x CMD true\n", 2, 'parsing "3x": invalid syntax'),
    ("FROM alpine\nHEALTHCHECK --intervall=5s CMD true\n", 2, "Unknown flag: intervall"),
    ('FROM ""\n', 1, 'base name ("") should not be blank'),
    (
        "# check=error=true\nFROM alpine AS build\nRUN true\nFROM alpine AS BUILD\n",
        4,
        'Duplicate stage name "build"',
    ),
]


@pytest.mark.parametrize(("text", "line", "reason"), REFUSED)
def test_what_buildkit_refuses_is_a_located_refusal(text: str, line: int, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        read_dockerfile(text.encode())
    assert raised.value.kind == "refused"
    assert raised.value.line == line
    assert raised.value.message.startswith("BuildKit would refuse this file: ")
    assert reason in raised.value.message


def test_the_first_refusal_in_file_order_is_reported() -> None:
    with pytest.raises(InputError) as raised:
        read_dockerfile(b"FROM alpine\nUSERR app\nONBUILD FROM x\n")
    assert raised.value.line == 2


ACCEPTED = [
    # The DuplicateStageName lint only warns by default; the later stage takes the name.
    "FROM alpine AS build\nRUN true\nFROM alpine AS build\nRUN true\n",
    "# check=error=true;skip=DuplicateStageName\nFROM alpine AS a\nFROM alpine AS a\n",
    "# check=skip=all;error=true\nFROM alpine AS a\nFROM alpine AS a\n",
    # BuildKit never parses these flags, so they cannot be refused.
    "FROM alpine\nARG --whatever=1 A=1\nSTOPSIGNAL --x SIGTERM\nHEALTHCHECK --retries=x NONE\n",
    # RUN, COPY and ADD flags grow with each frontend release: left to BuildKit.
    "FROM alpine\nRUN --mount=type=cache,target=/root/.cache --new-flag true\n",
    "FROM alpine\nCOPY --parents --exclude=*.md . /app\nADD --unpack=true x.tgz /x\n",
    # An ONBUILD trigger is checked when it fires, in the image built FROM this one.
    "FROM alpine\nONBUILD FOO bar\nONBUILD RUN true\n",
    # An ARG without default, or with an empty one, may still name the base image at build
    # time (BuildKit warns: InvalidDefaultArgInFrom).
    "ARG BASE\nFROM ${BASE}\n",
    'ARG BASE=""\nFROM ${BASE}\n',
    "FROM alpine\nHEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s"
    ' --retries=3 CMD ["wget", "-q", "http://localhost/"]\nSHELL ["/bin/ash", "-c"]\n',
    "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM scratch\nCOPY --from=build /x /x\n",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_what_buildkit_builds_is_not_refused(text: str) -> None:
    assert read_dockerfile(text.encode()).stages


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("FROM alpine AS 1bad\nFOO bar\n", 1, "invalid name for build stage"),
        ("FROM alpine\nFOO bar\nFROM alpine AS 1bad\n", 2, "unknown instruction: FOO"),
        ("RUN true\nFROM alpine\n", 1, "RUN comes before the first FROM"),
        ("FROM alpine AS a b\n", 1, "FROM requires either one or three arguments"),
        ("FROM --platform=linux/amd64\n", 1, "FROM requires either one or three arguments"),
        # dockerfile2llb: `len(stages) == 0`; named at the last line read, where FROM never came
        ("ARG X=1\n", 1, "dockerfile contains no stages to build"),
        ("# syntax=docker/dockerfile:1\nARG A\nARG B=2\n", 3, "contains no stages to build"),
    ],
)
def test_malformed_stages_are_refusals_in_file_order(text: str, line: int, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        read_dockerfile(text.encode())
    assert (raised.value.kind, raised.value.line) == ("refused", line)
    assert reason in raised.value.message


def test_an_unknown_instruction_before_the_first_from_is_unknown_first() -> None:
    # ParseInstruction refuses the word before Parse asks for a current stage.
    with pytest.raises(InputError, match="unknown instruction: INVALID") as raised:
        read_dockerfile(b"INVALID\nFROM alpine\n")
    assert raised.value.line == 1
