"""Healthcheck options: the final image's HEALTHCHECK sets its timing and probes /health.

What it checks:
    The HEALTHCHECK in effect for the image built for the target stage (parameter
    `target`; by default the last stage, as `docker build` without `--target`): its own,
    or one inherited from an earlier stage it is built FROM; the last one wins and
    `HEALTHCHECK NONE` turns it off. Its flags are read as BuildKit reads them. The guide
    asks for the timing options and a probe of the application:

    - `--interval`, `--timeout`, `--start-period` and `--retries` are all written out,
      so the timing is a decision and not Docker's defaults (30s, 30s, 0s, 3);
    - the timeout is shorter than the interval;
    - the command probes the application: an HTTP request (`curl`, `wget`, a Python or
      Node one-liner), a TCP check (`nc -z`, `pg_isready`), the application's own CLI or a
      script all count. A command that reports healthy whatever happens fails: `true`,
      `exit 0`, `echo ok`, or a probe whose failure is masked (`curl ... || true`,
      `... || exit 0`, `...; exit 0`), since Docker only reads the exit status.

    With the parameter `path` (for example `/health`) the probe must also request that
    endpoint with a tool whose exit status reflects the HTTP status: `curl` with
    `-f`/`--fail`/`--fail-with-body` (also in clusters such as `-fsS`), `wget` (non-zero on
    4xx and 5xx), a Python one-liner with `urllib.request.urlopen` or
    `raise_for_status()`, or a Node one-liner that checks `statusCode` and exits; a
    command this check cannot see into is then unknown. Shell form, exec form and `sh -c`
    are read alike. Trivy's DS-0026 and Checkov's CKV_DOCKER_2 only ask for a HEALTHCHECK
    to exist (that is `dockerfile.healthcheck`); this check judges what it does.

Why it matters:
    Explicit timing keeps a slow start from being reported unhealthy (start period) and a
    hung probe from piling up (timeout below the interval). A probe that always succeeds
    reports a broken service as healthy, so the orchestrator neither restarts it nor takes
    it out of rotation.

How to fix:
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD curl -f
    http://localhost:8000/health || exit 1`; in an image without curl use
    `CMD ["python", "-c", "import urllib.request;
    urllib.request.urlopen('http://localhost:8000/health', timeout=4)"]`, or the
    application's own check command.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from checklists import Evidence, Outcome, Target, check
from checks.common import load_build
from checks.dockerfile._errors import located
from checks.readers.healthcheck import Healthcheck, go_duration, read_healthcheck
from checks.readers.shell import Command, command, commands, tail

_TIMING = ("interval", "timeout", "start-period", "retries")
_URL = re.compile(r"(?:https?://)?(?:[A-Za-z0-9.\-_\[\]:$@{}]+)(/[^\s'\"?#)]*)")
_CURL_VALUED = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_CURL_FAIL = frozenset({"--fail", "--fail-with-body"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash"})
_PYTHON = re.compile(r"python[0-9.]*")


@dataclass(frozen=True, slots=True)
class Probe:
    ok: bool | None
    note: str


def _paths(text: str) -> list[str]:
    """The URL paths mentioned in a text ('http://localhost:8000/health?x' gives '/health')."""
    return [m.group(1) for m in _URL.finditer(text) if "//" in m.group(0) or ":" in m.group(0)]


def _curl_fails(args: Sequence[str]) -> bool:
    """Whether curl's options include --fail (or -f in a short option cluster)."""
    fail = False
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _CURL_FAIL:
            fail = True
        elif arg == "--no-fail":
            fail = False
        elif arg.startswith("-") and not arg.startswith("--"):
            for letter in arg[1:]:
                if letter == "f":
                    fail = True
                if letter in _CURL_VALUED:
                    skip = arg.endswith(letter)
                    break
    return fail


_CURL_LONG_VALUED = frozenset(
    {
        *("--output", "--header", "--write-out", "--max-time", "--connect-timeout"),
        *("--retry", "--retry-delay", "--retry-max-time", "--user", "--request", "--data"),
        *("--user-agent", "--cacert", "--cert", "--key", "--resolve", "--unix-socket"),
        *("--config", "--proxy", "--referer", "--cookie", "--interface", "--dns-servers"),
    }
)
_WGET_SHORT_VALUED = frozenset("OotTUeaPwiBY")
_WGET_LONG_VALUED = frozenset(
    {"--output-document", "--output-file", "--timeout", "--tries", "--user-agent", "--header"}
)


def _url_paths(args: Sequence[str], short: frozenset[str], long: frozenset[str]) -> list[str]:
    """The URL paths among a curl or wget command's operands (and `--url` values)."""
    paths: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("--"):
            name, sep, value = arg.partition("=")
            if name == "--url" and sep:  # `--url URL` leaves the URL as the next operand
                paths.extend(_url_paths([value], short, long))
            skip = not sep and name in long
            continue
        if arg.startswith("-") and len(arg) > 1:
            for index, letter in enumerate(arg[1:], start=1):
                if letter in short:
                    skip = index == len(arg) - 1
                    break
            continue
        url = arg if "://" in arg else f"http://{arg}"
        paths.append(urlsplit(url).path or "/")
    return paths


def _probe(cmd: Command, path: str) -> Probe | None:
    """What one command of the healthcheck does, None when it is not a probe at all."""
    program = cmd.program
    wanted = path.rstrip("/") or "/"
    if program in ("curl", "wget"):
        short, long = (
            (_CURL_VALUED, _CURL_LONG_VALUED)
            if program == "curl"
            else (_WGET_SHORT_VALUED, _WGET_LONG_VALUED)
        )
        requested = [p.rstrip("/") or "/" for p in _url_paths(cmd.args, short, long)]
        if wanted not in requested:
            other = ", ".join(sorted(set(requested))) or "no URL"
            return Probe(False, f"{program} requests {other}, not {path}")
        if program == "wget":
            return Probe(True, f"wget requests {path} and exits non-zero on an HTTP error")
        if not _curl_fails(cmd.args):
            return Probe(False, "curl without -f/--fail exits 0 on an HTTP 500")
        return Probe(True, f"curl -f requests {path}")
    script = ""
    if _PYTHON.fullmatch(program) and "-c" in cmd.args:
        script = cmd.args[cmd.args.index("-c") + 1] if cmd.args[-1] != "-c" else ""
        checks = "urlopen" in script or "raise_for_status" in script
        checks = checks or (re.search(r"status", script) is not None and "exit" in script)
    elif program in ("node", "nodejs") and ("-e" in cmd.args or "--eval" in cmd.args):
        flag = "-e" if "-e" in cmd.args else "--eval"
        index = cmd.args.index(flag)
        script = cmd.args[index + 1] if index + 1 < len(cmd.args) else ""
        checks = "statusCode" in script and "exit" in script
    else:
        return None
    if wanted not in [p.rstrip("/") or "/" for p in _paths(script)]:
        return Probe(False, f"the {program} one-liner does not request {path}")
    if not checks:
        return Probe(False, f"the {program} one-liner does not fail on an HTTP error status")
    return Probe(True, f"a {program} one-liner requests {path} and fails on an HTTP error")


_NO_OPS = frozenset({"true", ":", "echo", "printf"})
_TCP = frozenset(
    {"nc", "ncat", "netcat", "pg_isready", "redis-cli", "mysqladmin", "grpc_health_probe"}
)


def _script(found: Healthcheck) -> tuple[str, list[Command]]:
    """The healthcheck's command as a shell script (unwrapping `sh -c`), and its commands."""
    if found.exec_form:
        first = command(found.command)
        if first.program in _SHELLS and "-c" in first.args[:-1]:
            script = first.args[first.args.index("-c") + 1]
        else:
            return " ".join(found.command), [first] if first.argv else []
    else:
        script = " ".join(found.command)
        cmds = list(commands(script))
        if len(cmds) == 1 and cmds[0].program in _SHELLS and "-c" in cmds[0].args[:-1]:
            script = cmds[0].args[cmds[0].args.index("-c") + 1]
    return script, [c for c in commands(script) if c.argv]


def _always_healthy(found: Healthcheck, script: str, cmds: list[Command]) -> str | None:
    """Why the command reports healthy whatever happens, or None."""
    if found.exec_form and not cmds:
        return None
    end = tail(script)
    if end is None:
        return None
    last = end.command
    no_op = last.program in _NO_OPS or (last.program == "exit" and last.args[:1] in ((), ("0",)))
    if last.program == "exit" and not last.args and end.count > 1:
        no_op = False  # `exit` alone keeps the status of the command before it
    if not no_op or end.background or end.pipeline:
        return None
    shown = " ".join(last.words)
    if end.count == 1:
        return f"the healthcheck only runs `{shown}`, which always succeeds"
    if end.before in ("||", ";"):
        return (
            f"the healthcheck ends with `{end.before} {shown}`, so it succeeds even when "
            "the probe fails"
        )
    return None


def _probe_kind(cmds: list[Command]) -> str:
    for cmd in _expanded(cmds):
        if cmd.program in ("curl", "wget"):
            short, long = (
                (_CURL_VALUED, _CURL_LONG_VALUED)
                if cmd.program == "curl"
                else (_WGET_SHORT_VALUED, _WGET_LONG_VALUED)
            )
            paths = ", ".join(sorted(set(_url_paths(cmd.args, short, long)))) or "a URL"
            return f"an HTTP request to {paths} ({cmd.program})"
    programs = [c.program for c in _expanded(cmds)]
    if any(p in _TCP for p in programs):
        return "a connection check"
    if any(_PYTHON.fullmatch(p) or p in ("node", "nodejs") for p in programs):
        return "an interpreter one-liner"
    return f"the command {cmds[0].argv[0]}" if cmds else "a command"


@check(
    "dockerfile.healthcheck_options",
    severity="medium",
    related=("trivy:DS-0026", "checkov:CKV_DOCKER_2"),
)
def healthcheck_options(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    path: str | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        setting = build.config.healthcheck
        if setting is None:
            final = build.final
            return Outcome.failed(
                "the final stage has no HEALTHCHECK",
                parsed.at(dockerfile, final.from_instruction, "the final stage starts here"),
            )
        found = read_healthcheck(setting.instruction)
        if found.disabled:
            return Outcome.failed(
                "HEALTHCHECK NONE disables the healthcheck",
                parsed.at(dockerfile, setting.instruction, "the healthcheck in effect"),
            )
        options = found.options
        timing = " ".join(f"{name}={options[name]}" for name in _TIMING)
        problems: list[str] = []
        missing = [f"--{name}" for name in _TIMING if name not in found.written]
        if missing:
            problems.append(f"{', '.join(missing)} not set (Docker's default applies)")
        if go_duration(options["timeout"]) >= go_duration(options["interval"]):
            problems.append(
                f"the timeout {options['timeout']} is not shorter than the interval "
                f"{options['interval']}"
            )
        evidence: list[Evidence] = [
            parsed.at(dockerfile, setting.instruction, f"healthcheck in effect: {timing}")
        ]
        script, cmds = _script(found)
        masked = _always_healthy(found, script, cmds)
        if masked:
            problems.append(masked)
        if path is None:
            if problems:
                return Outcome.failed("; ".join(problems), *evidence)
            kind = _probe_kind(cmds)
            return Outcome.passed(
                f"the healthcheck probes with {kind}; {timing}", *evidence, value=timing
            )
        probes = [p for c in _expanded(cmds) if (p := _probe(c, path)) is not None]
        good = [p for p in probes if p.ok]
        if not good:
            if probes:
                problems.extend(p.note for p in probes)
            elif not problems:
                shown = " ".join(cmds[0].argv) if cmds else script
                return Outcome.unknown(
                    f"the healthcheck runs `{shown}`, which this check cannot see into: whether "
                    f"it probes {path} is unknown",
                    *evidence,
                )
            else:
                problems.append(f"whether the command probes {path} cannot be seen")
        if problems:
            return Outcome.failed("; ".join(problems), *evidence)
        return Outcome.passed(f"{good[0].note}; {timing}", *evidence, value=timing)


def _expanded(cmds: list[Command]) -> list[Command]:
    """The commands, with a nested `sh -c '...'` opened up."""
    out: list[Command] = []
    for cmd in cmds:
        if cmd.program in _SHELLS and "-c" in cmd.args[:-1]:
            out.extend(c for c in commands(cmd.args[cmd.args.index("-c") + 1]) if c.argv)
        else:
            out.append(cmd)
    return out
