"""Parsers of what Docker and Podman print, kept apart from the calls so they can be tested
on the engines' documented output without an engine.

Formats followed:

- `image inspect --format {{.Size}}`: the image size in bytes as a decimal integer (both
  engines print the int64 field with Go's default formatting).
- Sizes printed for humans come from github.com/docker/go-units: `BytesSize` (Docker's
  `stats`: binary units `B KiB MiB GiB TiB PiB EiB ZiB YiB`, `%.4g`) and `HumanSize`
  (Podman's `stats`, Docker's NET/BLOCK I/O: decimal units `B kB MB GB TB PB EB ZB YB`,
  `%.4g` or `%.3g`, so an exponent such as `1e+03kB` can appear). Docker before 1.13 put a
  space before the unit and wrote `KB`; both spellings are read.
- `stats --no-stream --format {{.MemUsage}}`: `USED / LIMIT`; `-- / --` when the engine has
  no figure (Docker: invalid stats; Podman: both values zero); Docker on Windows prints the
  used value alone.
- `inspect` (no --format) prints a JSON array with one object per container or image. The
  health state is `State.Health.Status` in Docker and in Podman 4.1 and later, and
  `State.Healthcheck.Status` in earlier Podman (renamed in 4.1.1); both are read, so no Go
  template has to fail on a missing key. An image's health check is `Config.Healthcheck` in
  Docker and the top-level `Healthcheck` in Podman; `["NONE"]` disables it.
- `version --format {{json .}}`: `{"Client": {"Version": ...}, "Server": {...}}`; the
  server's version when there is a server (Docker, remote Podman), else the client's.

Every parser raises `OutputError` (a ValueError) on text it does not recognise; it never
guesses a number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class OutputError(ValueError):
    """The engine printed something this parser does not recognise."""


_DECIMAL: dict[str, int] = {prefix: 1000**power for power, prefix in enumerate(" kMGTPEZY")}
_BINARY: dict[str, int] = {prefix: 1 << (10 * power) for power, prefix in enumerate(" KMGTPEZY")}
_SIZE = re.compile(
    r"(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?) ?(?P<prefix>[kKMGTPEZY]?)(?P<binary>i?)B"
)


def parse_byte_count(text: str) -> int:
    """The integer `image inspect --format {{.Size}}` prints."""
    stripped = text.strip()
    if not re.fullmatch(r"\d+", stripped):
        raise OutputError(f"expected a size in bytes (an integer), got {_shown(text)}")
    return int(stripped)


def parse_size(text: str) -> float:
    """Bytes in a go-units size: `12.5MiB`, `1.2kB`, `0B`, `796 KiB`, `1e+03kB`."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise OutputError(f"not a size: {_shown(text)}")
    prefix, binary = match["prefix"], bool(match["binary"])
    if binary and not prefix:
        raise OutputError(f"not a size: {_shown(text)} ('iB' needs a prefix such as Ki)")
    if binary:
        factor = _BINARY[prefix.upper()]
    elif prefix in {"K", "k"}:
        factor = 1000  # `kB` (go-units) and `KB` (Docker before 1.13) are both decimal
    else:
        factor = _DECIMAL[prefix or " "]
    number: str = match["number"]
    return float(number) * factor


def parse_memory_usage(text: str) -> float:
    """The used bytes in `stats --format {{.MemUsage}}` (`12.34MiB / 7.6GiB`)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise OutputError(f"expected one line of memory usage, got {_shown(text)}")
    parts = [part.strip() for part in lines[0].split("/")]
    if len(parts) > 2:
        raise OutputError(f"not a memory usage: {_shown(text)}")
    if parts[0] == "--":
        raise OutputError("the engine reported no memory figure ('--')")
    try:
        return parse_size(parts[0])
    except OutputError:
        raise OutputError(f"not a memory usage: {_shown(text)}") from None


def engine_version(text: str) -> str:
    """The engine's version from `version --format {{json .}}`."""
    document = _json_object(text, "version")
    for side in ("Server", "Client"):
        part = document.get(side)
        if isinstance(part, Mapping) and isinstance(part.get("Version"), str):
            version: str = part["Version"]
            if version:
                return version
    raise OutputError(f"no Server.Version or Client.Version in {_shown(text)}")


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """What the start-up step needs to know about an image."""

    healthcheck: bool  # the image defines a HEALTHCHECK (not NONE)
    ports: tuple[int, ...]  # the exposed TCP ports, ascending


def image_config(text: str) -> ImageConfig:
    """Health check and exposed ports from `image inspect IMAGE` (JSON)."""
    document = _json_object(text, "image inspect")
    config = document.get("Config")
    config = config if isinstance(config, Mapping) else {}
    check = config.get("Healthcheck") or document.get("Healthcheck") or {}
    test = check.get("Test") if isinstance(check, Mapping) else None
    healthcheck = isinstance(test, list) and bool(test) and test[0] != "NONE"
    ports: set[int] = set()
    exposed = config.get("ExposedPorts")
    for key in exposed if isinstance(exposed, Mapping) else ():
        number, _, protocol = str(key).partition("/")
        if number.isdigit() and protocol in ("", "tcp"):
            ports.add(int(number))
    return ImageConfig(healthcheck, tuple(sorted(ports)))


@dataclass(frozen=True, slots=True)
class ContainerState:
    """The parts of `inspect CONTAINER` the start-up step polls."""

    status: str  # created, running, exited, ...
    running: bool
    exit_code: int | None
    error: str  # the engine's State.Error ("" when none)
    health: str | None  # starting, healthy, unhealthy, "" (not yet known); None: no check


def container_state(text: str) -> ContainerState:
    """Status and health from `inspect CONTAINER` (JSON) of Docker or Podman."""
    document = _json_object(text, "inspect")
    state = document.get("State")
    if not isinstance(state, Mapping):
        raise OutputError("inspect printed no State object")
    health: str | None = None
    for key in ("Health", "Healthcheck"):  # Podman before 4.1.1 wrote Healthcheck
        part = state.get(key)
        if isinstance(part, Mapping) and isinstance(part.get("Status"), str):
            health = part["Status"]
            break
    code = state.get("ExitCode")
    return ContainerState(
        status=str(state.get("Status") or ""),
        running=state.get("Running") is True,
        exit_code=code if isinstance(code, int) else None,
        error=str(state.get("Error") or ""),
        health=health,
    )


def headline(text: str) -> str:
    """The line of an engine's error output worth showing: the last `Error: ...` line (the
    engines print their error last, after log noise), else the last non-empty line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return (errors or lines or [""])[-1]


def _json_object(text: str, command: str) -> Mapping[str, Any]:
    """The single object `inspect` prints (inside an array) or `version` prints (bare)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise OutputError(f"{command} did not print JSON ({error.msg}): {_shown(text)}") from None
    if isinstance(document, list):
        if len(document) != 1:
            raise OutputError(f"{command} printed {len(document)} objects, expected one")
        document = document[0]
    if not isinstance(document, Mapping):
        raise OutputError(f"{command} did not print a JSON object: {_shown(text)}")
    return document


def _shown(text: str, limit: int = 200) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "...")
