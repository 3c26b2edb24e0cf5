"""Graceful shutdown: the application is PID 1 (or under an init) and receives SIGTERM.

What it checks:
    The command the final image starts with, as the Docker engine builds it: the effective
    ENTRYPOINT followed by the effective CMD of the final stage and the earlier stages it
    is built FROM. As in BuildKit, an ENTRYPOINT resets a CMD inherited from an earlier
    stage unless the same stage sets CMD too, and the shell form (`CMD uvicorn app:app`)
    becomes `SHELL` (default `/bin/sh -c`) plus the text. Then, for the process that
    becomes PID 1 and receives `docker stop`'s signal:

    - an exec-form program (`CMD ["uvicorn", "app:app"]`) passes: it is PID 1 itself;
    - a shell (`/bin/sh -c ...`, from the shell form or written out) passes only when the
      last command of its script is run with `exec`, which replaces the shell; otherwise
      the shell stays PID 1, and `dash` — `/bin/sh` of the Debian-based official images
      (checked with dash 0.5.12) — neither passes SIGTERM on nor exits on it, so the
      engine kills the app with SIGKILL after the grace period. `bash -c` with one simple
      command and no redirection passes, because bash (5.2) then execs it itself;
    - an init as ENTRYPOINT (`tini`, `dumb-init`, `catatonit`, `docker-init`, s6-overlay's
      `/init`) passes when the child it starts is judged to receive the signal, or when
      the init signals the whole process group (`dumb-init` by default, `tini -g`);
    - an entrypoint script that a COPY/ADD of this Dockerfile puts in the image (or a
      heredoc) is read from the build context: it passes when its last command is an
      `exec` (`exec "$@"`) or when it is not a shell script; a `.sh` script that is not in
      the target is unknown.

    `docker run --init` is a run-time flag that the Dockerfile cannot show, and a base
    image's ENTRYPOINT and CMD are not visible either: with no ENTRYPOINT or CMD in the
    Dockerfile at all the outcome is unknown, not a guess. The official language images
    (python, node, golang) set no ENTRYPOINT, or one that ends in `exec "$@"`. STOPSIGNAL,
    when set, is shown in the evidence: it is the signal `docker stop` sends instead of
    SIGTERM.

    hadolint's DL3025 and BuildKit's JSONArgsRecommended build check flag every shell form;
    this check also accepts a shell form that execs, and follows scripts and inits.

Why it matters:
    On `docker stop`, in a rolling update or when an orchestrator scales down, the engine
    sends SIGTERM to PID 1 and kills everything with SIGKILL after the grace period (10
    seconds by default). An application that never sees SIGTERM cannot finish its
    requests, close database connections or flush its logs: every deployment drops
    requests and every stop takes the full grace period.

How to fix:
    Write CMD and ENTRYPOINT in exec (JSON) form:
    `CMD ["uvicorn", "src.main:app", "--host", "0.0.0.0", "--port", "8000"]`.
    When a shell is needed, end the script with `exec`, e.g.
    `CMD ["sh", "-c", "alembic upgrade head && exec uvicorn src.main:app"]`, end an
    entrypoint script with `exec "$@"`, or run an init such as
    `ENTRYPOINT ["tini", "--"]`.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checklists import Evidence, Outcome, Target, check
from checks.common import ParsedDockerfile, context_of, load_dockerfile
from checks.dockerfile._errors import located
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import copy_parts, expand, flag_value
from checks.readers.run_mount import join_path
from checks.readers.shell import commands

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_INITS = frozenset({"tini", "tini-static", "dumb-init", "catatonit", "docker-init"})
_INIT_VALUED = {"tini": frozenset({"-p", "-e"}), "dumb-init": frozenset({"-r", "--rewrite"})}
_SHELL_VALUED = frozenset({"-o", "+o", "-O", "+O"})
_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool | None  # None: cannot tell
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Copy:
    """A COPY or ADD from the build context, with the WORKDIR and variables it sees."""

    instruction: Instruction
    workdir: str
    variables: Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Image:
    """What the final image's configuration holds, with the instructions that set it."""

    entrypoint: Instruction | None
    cmd: Instruction | None
    shell: tuple[str, ...]
    stopsignal: Instruction | None
    workdir: str
    copies: tuple[Copy, ...]  # COPY/ADD from the build context, in order


def _image(parsed: ParsedDockerfile) -> Image:
    entrypoint = cmd = stopsignal = None
    shell: tuple[str, ...] = _DEFAULT_SHELL
    workdir = "/"
    copies: list[Copy] = []
    escape = parsed.dockerfile.escape
    for link in parsed.chain(parsed.final):
        cmd_set = False  # BuildKit's per-stage cmdSet: ENTRYPOINT resets an inherited CMD
        for instruction, variables in parsed.walk(link):
            keyword = instruction.keyword
            if keyword == "cmd":
                cmd, cmd_set = instruction, True
            elif keyword == "entrypoint":
                entrypoint = instruction
                if not cmd_set:
                    cmd = None
            elif keyword == "shell":
                shell = instruction.args
            elif keyword == "stopsignal":
                stopsignal = instruction
            elif keyword == "workdir" and instruction.args:
                value = expand(instruction.args[0], variables, escape=escape).text
                workdir = join_path(workdir, value)
            elif keyword in ("copy", "add") and flag_value(instruction, "from") is None:
                copies.append(Copy(instruction, workdir, variables))
    return Image(entrypoint, cmd, shell, stopsignal, workdir, tuple(copies))


def _interpreter(text: str) -> str | None:
    """The program a script's `#!` line names (`env python3` gives python3)."""
    first = text.lstrip().partition("\n")[0]
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        program = rest[0].rsplit("/", 1)[-1] if rest else program
    return program


def _words(instruction: Instruction | None, shell: tuple[str, ...]) -> list[str]:
    if instruction is None:
        return []
    if instruction.json_form:
        return list(instruction.args)
    return [*shell, " ".join(instruction.args)] if instruction.args else []


class _Judge:
    def __init__(self, target: Target, parsed: ParsedDockerfile, path: str, context: str) -> None:
        self.target = target
        self.parsed = parsed
        self.path = path
        self.context = context
        self.image = _image(parsed)

    def process(self, argv: Sequence[str], depth: int = 0) -> Verdict:
        if not argv or depth > 4:
            return Verdict(None, "the command is empty")
        program = argv[0].rsplit("/", 1)[-1]
        if program in _INITS or argv[0] == "/init":
            return self._init(program, argv, depth)
        if program in _SHELLS:
            return self._shell(program, argv, depth)
        script = self._script(argv[0])
        if script is not None:
            return self._script_verdict(argv[0], *script, depth=depth)
        if argv[0].endswith(".sh"):
            return Verdict(
                None,
                f"PID 1 is the script {argv[0]}, which is not in the build context, so "
                "whether it execs the application cannot be seen",
            )
        if depth:
            return Verdict(True, f"{argv[0]} runs as its direct child")
        return Verdict(True, f"PID 1 is {argv[0]} itself (exec form), so it receives SIGTERM")

    def _init(self, program: str, argv: Sequence[str], depth: int) -> Verdict:
        if argv[0] == "/init":
            return Verdict(True, "s6-overlay's /init is PID 1 and stops its services on SIGTERM")
        valued = _INIT_VALUED.get(program, frozenset())
        options: list[str] = []
        i = 1
        while i < len(argv) and argv[i].startswith("-"):
            if argv[i] == "--":
                i += 1
                break
            options.append(argv[i])
            i += 2 if argv[i] in valued else 1
        child = list(argv[i:])
        group = (program == "dumb-init" and not {"-c", "--single-child"} & set(options)) or (
            program.startswith("tini") and "-g" in options
        )
        if not child:
            return Verdict(None, f"{program} is PID 1 but starts no command")
        verdict = self.process(child, depth + 1)
        if verdict.ok:
            return Verdict(
                True,
                f"{program} is PID 1 and forwards SIGTERM to its child; {verdict.reason}",
                verdict.evidence,
            )
        if verdict.ok is False and group:
            return Verdict(
                True,
                f"{program} is PID 1 and signals its whole process group, so the application "
                f"started by {child[0]} receives SIGTERM although it is not exec'd",
                verdict.evidence,
            )
        return Verdict(
            verdict.ok,
            f"{program} forwards SIGTERM only to its child, and {verdict.reason}",
            verdict.evidence,
        )

    def _shell(self, program: str, argv: Sequence[str], depth: int) -> Verdict:
        i, has_c = 1, False
        while i < len(argv) and argv[i][:1] in "-+" and argv[i] not in ("-", "--"):
            if argv[i] in _SHELL_VALUED:
                i += 2
                continue
            has_c = has_c or (argv[i].startswith("-") and "c" in argv[i][1:])
            i += 1
        if i < len(argv) and argv[i] == "--":
            i += 1
        if i >= len(argv):
            return Verdict(None, f"{program} is PID 1 and runs no script")
        if not has_c:
            script = self._script(argv[i])
            if script is None:
                return Verdict(
                    None, f"{program} runs the script {argv[i]}, which is not in the build context"
                )
            return self._script_verdict(argv[i], *script, depth=depth)
        return self._script_text(program, argv[i], f"{argv[0]} -c", (), depth)

    def _script_text(
        self, program: str, script: str, what: str, evidence: tuple[Evidence, ...], depth: int
    ) -> Verdict:
        found = [c for c in commands(script) if c.argv]
        if not found:
            return Verdict(None, f"the script of {what} has no command that can be read", evidence)
        last = found[-1]
        shown = " ".join(last.words)
        if last.exec:
            inner = None if last.argv[0] in ("$@", "$*") else self.process(last.argv, depth + 1)
            if inner is not None and inner.ok is False:
                return inner
            return Verdict(True, f"{what} ends with `{shown}`, which replaces the shell", evidence)
        redirected = any(word and set(word) <= set("<>&") for word in last.words)
        if program == "bash" and len(found) == 1 and not redirected:
            return Verdict(True, f"bash -c execs its single command `{shown}` by itself", evidence)
        return Verdict(
            False,
            f"{what} stays PID 1 and runs `{shown}` as its child without exec, so the "
            "application never receives SIGTERM",
            evidence,
        )

    def _script_verdict(self, name: str, text: str, where: Evidence, depth: int) -> Verdict:
        interpreter = _interpreter(text)
        if interpreter is not None and interpreter not in _SHELLS:
            return Verdict(True, f"{name} is run by {interpreter}, which is PID 1 itself", (where,))
        # "script": bash's exec of a lone command applies to `bash -c`, not to script files
        return self._script_text("script", text, f"the entrypoint script {name}", (where,), depth)

    def _script(self, program: str) -> tuple[str, Evidence] | None:
        """The text of the script the image runs as `program`, when this Dockerfile puts it
        there from the build context or a heredoc (the last such copy wins)."""
        if "/" in program:
            wanted = {join_path(self.image.workdir, program)}
        else:
            wanted = {f"{folder}/{program}" for folder in _PATH_DIRS}
        found: tuple[str, Evidence] | None = None
        escape = self.parsed.dockerfile.escape
        for copy in self.image.copies:
            parts = copy_parts(copy.instruction)
            dest = expand(parts.dest, copy.variables, escape=escape).text
            into_folder = dest.endswith("/") or len(parts.sources) + len(parts.files) > 1
            base = join_path(copy.workdir, dest)
            for file in parts.files:
                path = join_path(base, file.path) if into_folder else base
                if path in wanted:
                    note = f"heredoc {file.path} written to {path}"
                    found = (file.data, self.parsed.at(self.path, copy.instruction, note))
            for source in parts.sources:
                for real, inside, from_folder in self._sources(source):
                    path = join_path(base, inside) if into_folder or from_folder else base
                    if path in wanted:
                        note = f"copied to {path} by line {copy.instruction.start_line}"
                        found = (self.target.read_text(real), Evidence(note, path=real, line=1))
        return found

    def _sources(self, source: str) -> list[tuple[str, str, bool]]:
        """(file in the target, its path below the destination, whether the source is a
        folder) for one COPY source relative to the build context."""
        rel = posixpath.normpath(posixpath.join(self.context, source.lstrip("/")))
        if any(ch in source for ch in "*?["):
            folder = posixpath.dirname(rel) or "."
            if not self.target.exists(folder):
                return []
            pattern = posixpath.basename(rel)
            return [
                (f, posixpath.basename(f), False)
                for f in self.target.files(folder)
                if posixpath.dirname(f) == folder
                and fnmatch.fnmatchcase(posixpath.basename(f), pattern)
            ]
        found = self.target.kind(rel)  # a COPY source may be a file or a folder
        if found == "file":
            return [(rel, posixpath.basename(rel), False)]
        if found == "directory":
            return [(f, posixpath.relpath(f, rel), True) for f in self.target.files(rel)]
        return []


@check(
    "dockerfile.graceful_shutdown",
    severity="medium",
    related=("hadolint:DL3025", "buildkit:JSONArgsRecommended"),
)
def graceful_shutdown(
    target: Target, *, dockerfile: str = "Dockerfile", context: str | None = None
) -> Outcome:
    with located(dockerfile):
        parsed = load_dockerfile(target, dockerfile)
        judge = _Judge(target, parsed, dockerfile, context_of(dockerfile, context))
        image = judge.image
        evidence: list[Evidence] = []
        for instruction, what in ((image.entrypoint, "ENTRYPOINT"), (image.cmd, "CMD")):
            if instruction is not None:
                form = "exec form" if instruction.json_form else "shell form"
                evidence.append(parsed.at(dockerfile, instruction, f"effective {what} ({form})"))
        if image.stopsignal is not None and image.stopsignal.args:
            signal = image.stopsignal.args[0]
            evidence.append(
                parsed.at(dockerfile, image.stopsignal, f"docker stop sends {signal} (STOPSIGNAL)")
            )
        else:
            final = parsed.final.from_instruction
            evidence.append(
                parsed.at(
                    dockerfile,
                    final,
                    "no STOPSIGNAL: docker stop sends SIGTERM (unless the base image sets another)",
                )
            )
        argv = _words(image.entrypoint, image.shell) + _words(image.cmd, image.shell)
        if image.entrypoint is None and image.cmd is None:
            return Outcome.unknown(
                "no CMD or ENTRYPOINT in the Dockerfile: the start command comes from the base "
                f"image {parsed.chain(parsed.final)[0].base}, which is not visible here",
                *evidence,
            )
        if not argv:
            return Outcome.unknown("the effective ENTRYPOINT and CMD are empty", *evidence)
        verdict = judge.process(argv)
        evidence.extend(verdict.evidence)
        first = image.entrypoint if image.entrypoint is not None else image.cmd
        reason = verdict.reason
        if first is not None and not first.json_form:
            reason = f"{first.keyword.upper()} is in shell form: {reason}"
        if verdict.ok is None:
            return Outcome.unknown(reason, *evidence)
        if verdict.ok:
            return Outcome.passed(reason, *evidence)
        return Outcome.failed(reason, *evidence)
