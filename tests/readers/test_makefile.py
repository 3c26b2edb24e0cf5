"""The Makefile reader: which commands `make <goal>` runs, as GNU make expands them."""

from __future__ import annotations

from checks.readers.makefile import read_makefile
from tests.paths import ROOT

CORPUS = ROOT / "tests" / "data" / "corpus" / "real-repos"


def test_prerequisites_run_first_and_variables_expand() -> None:
    makefile = read_makefile(
        b"IMAGE := acme/app\n"
        b"TAG ?= dev\n"
        b"FLAGS = --build-arg V=$(TAG)\n"
        b"build: prepare\n"
        b"\t@docker build $(FLAGS) -t $(IMAGE):$(TAG) .\n"
        b"prepare:\n"
        b"\t-echo $@ $$HOME\n"
    )
    commands = makefile.commands(["build"], {"TAG": "1.0"})
    assert commands is not None
    assert [c.text for c in commands] == [
        "echo prepare $HOME",
        "docker build --build-arg V=1.0 -t acme/app:1.0 .",
    ]
    assert [c.line for c in commands] == [7, 5]


def test_conditionals_follow_the_command_line_values() -> None:
    makefile = read_makefile(
        b"push:\nifeq ($(DOCKER),)\n\t$(error no registry)\n"
        b"else\n\tdocker push $(DOCKER)/x\nendif\n"
    )
    with_registry = makefile.commands(["push"], {"DOCKER": "acme"})
    assert with_registry is not None and [c.text for c in with_registry] == ["docker push acme/x"]


def test_an_unknown_function_is_a_placeholder_a_shell_reader_cannot_resolve() -> None:
    makefile = read_makefile(b"V := $(shell git describe)\nall:\n\tdocker build -t a:$(V) .\n")
    commands = makefile.commands([])
    assert commands is not None and "${MAKE_UNKNOWN_" in commands[0].text


def test_a_goal_without_a_rule_is_none() -> None:
    assert read_makefile(b"all:\n\ttrue\n").commands(["release"]) is None


def test_continuation_lines_reach_the_shell_as_one_command() -> None:
    makefile = read_makefile((CORPUS / "coredns__coredns" / "Makefile.docker").read_bytes())
    commands = makefile.commands(["docker-build"], {"DOCKER": "coredns", "VERSION": "1.2.3"})
    assert commands is not None
    loop = next(c for c in commands if "for arch in" in c.text)
    assert "docker build --platform=${arch} -t coredns/coredns:${arch}-1.2.3" in loop.text
    assert loop.line == 86 and loop.target == "docker-build"
