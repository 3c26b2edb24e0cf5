"""The `checklists` command line.

Subcommands come from the installed check libraries through the entry point group
`checklists.commands`: each entry is a function `register(subparsers)` that adds one
subparser and sets `handler` to a function `(args) -> int`. The engine itself knows no
subcommand of a particular library (the Docker library contributes `measure`).

Exit codes: 0 success, 1 a claim is broken or a check errored, 2 a usage or setup error.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence

from checklists.cli import commands
from checklists.core.errors import SetupError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def parser(*, libraries: bool = True) -> argparse.ArgumentParser:
    """The parser; `libraries=False` leaves out the installed libraries' subcommands."""
    root = argparse.ArgumentParser(
        prog="checklists",
        description="Executable checklists: verify a guide's claims against a repository.",
    )
    root.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    subparsers = root.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.register(subparsers)
    if libraries:
        from importlib.metadata import entry_points  # noqa: PLC0415 - 40 ms a run that needs none

        for entry in sorted(entry_points(group="checklists.commands"), key=lambda e: e.name):
            entry.load()(subparsers)
    return root


class _Version(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked (the
    metadata machinery costs a `checklists check` ~40 ms of its start-up)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(f"checklists {_version()}\n")  # on stdout, as argparse's own
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("docker-guide-checklists")
    except PackageNotFoundError:
        return "0 (not installed)"


EXIT_BROKEN_PIPE = 141  # what a shell reports for a writer that `head` stopped (128 + SIGPIPE)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    for stream in (sys.stdout, sys.stderr):  # a text that cannot be shown is shown escaped
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    # The engine's own subcommands do not need the libraries' (nor their imports).
    args = parser(libraries=argv[:1] != [] and argv[0] not in commands.NAMES).parse_args(argv)
    if argv[:1] == ["--version"]:
        return EXIT_OK
    try:
        status: int = args.handler(args)
        sys.stdout.flush()
    except SetupError as error:
        print(f"checklists {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `checklists explain x | head`: the reader has gone, quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the exit's own flush must not fail again
        return EXIT_BROKEN_PIPE
    return status


if __name__ == "__main__":
    sys.exit(main())
