"""Healthcheck options: the final image's HEALTHCHECK sets its timing and probes /health.

What it checks:
    The HEALTHCHECK in effect for the final stage (its own, or one inherited from an
    earlier stage it is built FROM; the last one wins, `HEALTHCHECK NONE` turns it off),
    with its flags read as BuildKit reads them (the parsing of `dockerfile.healthcheck`):

    - `--interval`, `--timeout`, `--start-period` and `--retries` are all written out,
      so the timing is a decision and not Docker's defaults (30s, 30s, 0s, 3);
    - the timeout is shorter than the interval;
    - the command probes the application's health endpoint (`/health`, parameter
      `path`; a trailing `/` does not matter, `/healthz` or `/api/health` is another
      endpoint) with a tool whose exit status reflects the HTTP status: `curl` with
      `-f`/`--fail`/`--fail-with-body` (also inside option clusters such as `-fsS`),
      `wget` (it exits non-zero on 4xx and 5xx, GNU and BusyBox alike), a Python
      one-liner with `urllib.request.urlopen` (it raises on 4xx/5xx) or
      `raise_for_status()`, or a Node one-liner that checks `statusCode` and exits.
      `curl` without `-f` fails: it exits 0 on an HTTP 500, so a broken service stays
      "healthy". Shell form (`CMD curl ... || exit 1`), exec form and `sh -c` are read
      alike. A command that requests nothing this check can read (a custom binary such
      as `/app/healthcheck` or `grpc_health_probe`) is unknown.

    Docker treats any non-zero exit status as unhealthy, so `|| exit 1` is tidy but not
    required. Trivy's DS-0026 and Checkov's CKV_DOCKER_2 only ask for a HEALTHCHECK to
    exist (that is `dockerfile.healthcheck`); this check judges what it does.

Why it matters:
    Explicit timing keeps a slow start from being reported unhealthy (start period) and a
    hung probe from piling up (timeout below the interval). A probe that passes on an
    HTTP 500, or that checks only that a port is open, reports a broken service as
    healthy, so the orchestrator neither restarts it nor takes it out of rotation.

How to fix:
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD curl -f
    http://localhost:8000/health || exit 1`; in an image without curl use
    `CMD ["python", "-c", "import urllib.request;
    urllib.request.urlopen('http://localhost:8000/health', timeout=4)"]`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checks.common import load_dockerfile
from checks.dockerfile._errors import located
from checks.dockerfile.healthcheck import effective_healthcheck, go_duration, health_options
from checks.readers.dockerfile import Instruction
from checks.readers.shell import Command, command, commands

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


def _command_probes(instruction: Instruction, path: str) -> tuple[list[Probe], list[Command]]:
    if instruction.json_form:
        cmds = [command(instruction.args[1:])]
    else:
        cmds = list(commands(" ".join(instruction.args[1:])))
    expanded: list[Command] = []
    for cmd in cmds:
        if cmd.program in _SHELLS and "-c" in cmd.args[:-1]:
            expanded.extend(commands(cmd.args[cmd.args.index("-c") + 1]))
        else:
            expanded.append(cmd)
    probes = [p for c in expanded if c.argv and (p := _probe(c, path)) is not None]
    return probes, [c for c in expanded if c.argv]


@check(
    "dockerfile.healthcheck_options",
    severity="medium",
    related=("trivy:DS-0026", "checkov:CKV_DOCKER_2"),
)
def healthcheck_options(
    target: Target, *, dockerfile: str = "Dockerfile", path: str = "/health"
) -> Outcome:
    with located(dockerfile):
        parsed = load_dockerfile(target, dockerfile)
        found = effective_healthcheck(parsed)
        if found is None:
            return Outcome.failed(
                "the final stage has no HEALTHCHECK",
                parsed.at(dockerfile, parsed.final.from_instruction, "the final stage starts here"),
            )
        kind = found.args[0].upper() if found.args else ""
        if kind == "NONE":
            return Outcome.failed(
                "HEALTHCHECK NONE disables the healthcheck",
                parsed.at(dockerfile, found, "the healthcheck in effect for the final stage"),
            )
        if kind != "CMD" or len(found.args) < 2 or not "".join(found.args[1:]).strip():
            raise InputError(
                "HEALTHCHECK needs CMD followed by a command",
                path=dockerfile,
                line=found.start_line,
            )
        options = health_options(found, dockerfile)
        written = {flag.removeprefix("--").partition("=")[0] for flag in found.flags}
        timing = " ".join(f"{name}={options[name]}" for name in _TIMING)
        problems: list[str] = []
        missing = [f"--{name}" for name in _TIMING if name not in written]
        if missing:
            problems.append(f"{', '.join(missing)} not set (Docker's default applies)")
        if go_duration(options["timeout"]) >= go_duration(options["interval"]):
            problems.append(
                f"the timeout {options['timeout']} is not shorter than the interval "
                f"{options['interval']}"
            )
        probes, cmds = _command_probes(found, path)
        evidence: list[Evidence] = [
            parsed.at(dockerfile, found, f"healthcheck in effect: {timing}")
        ]
        good = [p for p in probes if p.ok]
        if not good:
            if probes:
                problems.extend(p.note for p in probes)
            elif not problems:
                shown = " ".join(cmds[0].argv) if cmds else " ".join(found.args[1:])
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
