"""`nginx -t` on a scratch copy of a target's nginx configuration.

The one place in the check library that runs an external program, and only the system's
own `nginx` and `openssl` binaries, never anything from the target. The target's files are
never handed to nginx in place: the parsed directives are written into a fresh temporary
prefix as a new `nginx.conf`, rewritten so that the test cannot reach outside it:

* every `listen` address becomes a Unix socket in the scratch folder (nginx -t binds its
  listening sockets, so a TCP address would open a network listener); the same address
  keeps the same socket, so duplicate `default_server` clashes are still found;
* host names in upstream `server`, `*_pass`, `set_real_ip_from` and `resolver` become
  127.0.0.1 (nginx resolves them while testing), and Unix sockets move into the scratch;
* certificates and keys (`ssl_certificate`, `ssl_certificate_key`, trusted and client CA
  files) point at a self-signed test certificate made with `openssl`; files that cannot be
  faked cheaply (`ssl_dhparam`, CRLs, password and ticket key files) are dropped;
* logs, the pid file, temporary and cache paths move into the scratch folder; `user`,
  `load_module`, `working_directory` and includes that do not resolve inside the target
  are dropped (includes that do resolve were already inlined by the caller);
* nginx older than 1.25.1 does not know `http2 on;`: it is moved to the `listen ... ssl`
  parameter it replaced.

Where `unshare` can create a network namespace, nginx runs inside an empty one as well. The
result names every change, and nginx's messages point back at the target's files and lines.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from checks.readers.nginx import Directive, render

TIMEOUT_SECONDS = 10
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])

# Directives newer than some nginx still in distributions, with the release that added them.
NEWER_DIRECTIVES: dict[str, tuple[int, int, int]] = {
    "http2": (1, 25, 1),
    "http3": (1, 25, 0),
    "http3_hq": (1, 25, 0),
    "http3_max_concurrent_streams": (1, 25, 0),
    "http3_stream_buffer_size": (1, 25, 0),
    "quic_active_connection_id_limit": (1, 25, 0),
    "quic_bpf": (1, 25, 0),
    "quic_gso": (1, 25, 0),
    "quic_host_key": (1, 25, 0),
    "quic_retry": (1, 25, 0),
}
_QUIC_PARAMETER = (1, 25, 0)
_TEMP_PATHS = (
    "client_body_temp_path",
    "proxy_temp_path",
    "fastcgi_temp_path",
    "uwsgi_temp_path",
    "scgi_temp_path",
)
_CACHE_PATHS = frozenset(
    {"proxy_cache_path", "fastcgi_cache_path", "uwsgi_cache_path", "scgi_cache_path"}
)
_CERTIFICATES = frozenset(
    {
        *("ssl_certificate", "ssl_trusted_certificate", "ssl_client_certificate"),
        *("proxy_ssl_certificate", "proxy_ssl_trusted_certificate"),
        *("grpc_ssl_certificate", "grpc_ssl_trusted_certificate"),
        *("uwsgi_ssl_certificate", "uwsgi_ssl_trusted_certificate"),
    }
)
_KEYS = frozenset(
    {"ssl_certificate_key", "proxy_ssl_certificate_key", "grpc_ssl_certificate_key"}
    | {"uwsgi_ssl_certificate_key"}
)
_DROPPED_FILES = frozenset(
    {
        *("ssl_dhparam", "ssl_crl", "ssl_password_file", "ssl_session_ticket_key"),
        *("ssl_stapling_file", "proxy_ssl_crl", "proxy_ssl_password_file", "grpc_ssl_crl"),
        *("uwsgi_ssl_crl", "ssl_ecdh_curve_file"),
    }
)
_DROPPED = frozenset({"user", "load_module", "working_directory", "pid", "lock_file", "include"})
_PASSES = frozenset(
    {"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass"}
)
_LOG_LINE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: ")


@dataclass(frozen=True, slots=True)
class Unit:
    """One configuration nginx would load: a whole nginx.conf, or snippets of one http block."""

    label: str
    directives: tuple[Directive, ...]
    context: Literal["main", "http"]


@dataclass(frozen=True, slots=True)
class TestResult:
    status: Literal["passed", "failed", "not_run", "inconclusive"]
    summary: str
    output: str = ""
    source: str | None = None  # the target file nginx blamed, when it named a line
    line: int | None = None
    changes: tuple[str, ...] = ()


@dataclass
class _Scratch:
    folder: Path
    version: tuple[int, int, int]
    upstreams: frozenset[str]
    lines: list[str] = field(default_factory=list)
    origins: list[tuple[str | None, int | None]] = field(default_factory=list)
    sockets: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    uses_certificates: bool = False

    def note(self, directive: Directive, change: str) -> None:
        where = f"{directive.source}:{directive.line}" if directive.source else "generated"
        text = f"{where}: {change}"
        if text not in self.changes:
            self.changes.append(text)

    def emit(self, depth: int, text: str, origin: Directive | None = None) -> None:
        self.lines.append("    " * depth + text)
        self.origins.append((origin.source, origin.line) if origin else (None, None))


def find_program(name: str) -> str | None:
    return shutil.which(name, path=_SEARCH_PATH)


@functools.lru_cache(maxsize=1)
def _namespace_prefix() -> tuple[str, ...]:
    """`unshare` arguments that put a command in an empty network namespace, if allowed."""
    unshare = find_program("unshare")
    if unshare is None:
        return ()
    candidates: list[tuple[str, ...]] = [(unshare, "--net")] if os.geteuid() == 0 else []
    candidates.append((unshare, "--net", "--map-root-user"))
    for prefix in candidates:
        try:
            probe = subprocess.run(  # noqa: S603 - a fixed system binary, no target input
                [*prefix, "true"], capture_output=True, timeout=5, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return prefix
    return ()


def nginx_version(nginx: str) -> tuple[int, int, int] | None:
    try:
        done = subprocess.run(  # noqa: S603 - the system's nginx, asked for its version
            [nginx, "-v"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", done.stderr + done.stdout)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def _dotted(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


def test_units(units: Sequence[Unit]) -> list[TestResult]:
    """Run `nginx -t` on a scratch copy of each unit; `not_run` when nginx is missing."""
    nginx = find_program("nginx")
    if nginx is None:
        return [TestResult("not_run", "nginx -t not run (nginx not installed)")]
    version = nginx_version(nginx)
    if version is None:
        return [TestResult("not_run", f"nginx -t not run ({nginx} -v printed no version)")]
    return [_test_unit(nginx, version, unit) for unit in units]


def _test_unit(nginx: str, version: tuple[int, int, int], unit: Unit) -> TestResult:
    label = f"nginx -t (nginx {_dotted(version)}) on a scratch copy of {unit.label}"
    with tempfile.TemporaryDirectory(prefix="nginx-t-") as folder_name:
        folder = Path(folder_name)
        upstreams = frozenset(
            d.args[0] for d in _all(unit.directives) if d.name == "upstream" and d.args
        )
        scratch = _Scratch(folder, version, upstreams)
        _write(scratch, unit)
        changes = tuple(scratch.changes)
        if scratch.uses_certificates:
            problem = _make_certificate(folder)
            if problem:
                return TestResult("not_run", f"nginx -t not run ({problem})", changes=changes)
        for sub in ("logs", "temp", "cache"):
            (folder / sub).mkdir()
        config = folder / "nginx.conf"
        config.write_text("\n".join(scratch.lines) + "\n", encoding="utf-8")
        namespace = _namespace_prefix()
        scratch.changes.append(
            "nginx ran in an empty network namespace (unshare --net)"
            if namespace
            else "no network namespace available: nginx ran with host names already replaced"
        )
        changes = tuple(scratch.changes)
        command = [*namespace, nginx, "-t", "-e", "stderr"]
        command += ["-p", f"{folder}/", "-c", str(config)]
        try:
            done = subprocess.run(  # noqa: S603 - the system's nginx on the scratch copy
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                env={"PATH": _SEARCH_PATH, "LANG": "C"},
                cwd=folder,
            )
        except subprocess.TimeoutExpired:
            summary = f"{label} did not finish in {TIMEOUT_SECONDS} s"
            return TestResult("failed", summary, changes=changes)
        except OSError as error:
            return TestResult("not_run", f"nginx -t not run ({error.strerror})", changes=changes)
        output, source, line = _translate(done.stderr + done.stdout, config, scratch)
    if done.returncode == 0:
        return TestResult("passed", f"{label}: test is successful", output, changes=changes)
    newer = _needs_newer_nginx(output, version)
    if newer:
        summary = f"{label} could not judge it: {newer}"
        return TestResult("inconclusive", summary, output, source, line, changes)
    if "unknown directive" in output and any("load_module" in c for c in changes):
        summary = (
            f"{label} could not judge it: a directive may come from a dynamic module "
            "that the scratch copy does not load"
        )
        return TestResult("inconclusive", summary, output, source, line, changes)
    return TestResult("failed", f"{label} failed", output, source, line, changes)


def _needs_newer_nginx(output: str, version: tuple[int, int, int]) -> str | None:
    unknown = re.search(r'unknown directive "([^"]+)"', output)
    if unknown and NEWER_DIRECTIVES.get(unknown[1], (0, 0, 0)) > version:
        added = _dotted(NEWER_DIRECTIVES[unknown[1]])
        return f'"{unknown[1]}" needs nginx {added} or later, this is {_dotted(version)}'
    if re.search(r'invalid parameter "quic"', output) and version < _QUIC_PARAMETER:
        return f"listen ... quic needs nginx {_dotted(_QUIC_PARAMETER)} or later"
    return None


def _make_certificate(folder: Path) -> str | None:
    openssl = find_program("openssl")
    if openssl is None:
        return "openssl not installed: no test certificate"
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt"]
    command += ["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    command += ["-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")]
    try:
        done = subprocess.run(  # noqa: S603 - the system's openssl, fixed arguments
            command, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"openssl failed: {error}"
    if done.returncode != 0:
        return f"openssl failed: {done.stderr.strip()[:200]}"
    return None


def _all(directives: Sequence[Directive]) -> list[Directive]:
    found: list[Directive] = []
    for directive in directives:
        found.append(directive)
        found.extend(_all(directive.block or ()))
    return found


# -- writing the scratch nginx.conf ---------------------------------------------------------


def _write(scratch: _Scratch, unit: Unit) -> None:
    folder = scratch.folder
    scratch.emit(0, f"pid {folder}/nginx.pid;")
    if unit.context == "http":
        scratch.emit(0, "events {}")
        scratch.emit(0, "http {")
        _emit_temp_paths(scratch, 1, ())
        scratch.emit(1, f"access_log {folder}/logs/access.log;")
        _emit_block(scratch, unit.directives, 1, ())
        scratch.emit(0, "}")
    else:
        _emit_block(scratch, unit.directives, 0, ())


def _emit_temp_paths(scratch: _Scratch, depth: int, present: Sequence[Directive]) -> None:
    names = {d.name for d in present}
    for name in _TEMP_PATHS:
        if name not in names:
            scratch.emit(depth, f"{name} {scratch.folder}/temp/{name};")


def _emit_block(
    scratch: _Scratch, directives: Sequence[Directive], depth: int, parents: tuple[str, ...]
) -> None:
    http2 = _http2_translation(scratch, directives, parents)
    for directive in directives:
        rewritten = _rewrite(scratch, directive, parents, http2)
        if rewritten is None:
            continue
        if rewritten.block is None:
            scratch.emit(depth, render(rewritten), directive)
            continue
        scratch.emit(depth, render(rewritten), directive)
        if rewritten.name == "http":
            _emit_temp_paths(scratch, depth + 1, rewritten.block)
        _emit_block(scratch, rewritten.block, depth + 1, (*parents, rewritten.name))
        scratch.emit(depth, "}", directive)


def _http2_translation(
    scratch: _Scratch, directives: Sequence[Directive], parents: tuple[str, ...]
) -> bool:
    """Whether `http2 on;` in this server block must become `listen ... http2`."""
    if parents[-1:] != ("server",) or scratch.version >= NEWER_DIRECTIVES["http2"]:
        return False
    return any(d.name == "http2" and d.args[:1] == ("on",) for d in directives)


def _rewrite(
    scratch: _Scratch, directive: Directive, parents: tuple[str, ...], http2: bool
) -> Directive | None:
    name, args = directive.name, list(directive.args)
    folder = scratch.folder
    if name in _DROPPED:
        if name == "include":
            scratch.note(directive, f"include {' '.join(args)} is not in the target; left out")
        elif name not in ("pid", "lock_file"):
            scratch.note(directive, f"{name} left out of the scratch copy")
        return None
    if (
        name == "http2"
        and parents[-1:] == ("server",)
        and (scratch.version < NEWER_DIRECTIVES["http2"])
    ):
        scratch.note(
            directive,
            f"http2 (nginx 1.25.1) moved to `listen ... http2` for nginx "
            f"{_dotted(scratch.version)}",
        )
        return None
    if name in _DROPPED_FILES:
        scratch.note(directive, f"{name} left out (its file is not part of the test)")
        return None
    if name in _CERTIFICATES and args:
        scratch.uses_certificates = True
        args[0] = str(folder / "cert.pem")
    elif name in _KEYS and args:
        scratch.uses_certificates = True
        args[0] = str(folder / "key.pem")
    elif name == "error_log" and args:
        args[0] = str(folder / "logs" / "error.log")
    elif name == "access_log" and args and args[0] != "off":
        args[0] = str(folder / "logs" / "access.log")
    elif name in _TEMP_PATHS and args:
        args[0] = str(folder / "temp" / name)
    elif name in _CACHE_PATHS and args:
        args[0] = str(folder / "cache" / f"{name}-{directive.line}")
    elif name == "listen" and args:
        args[0] = _socket(scratch, args[0])
        if http2 and "ssl" in args and "http2" not in args:
            args.append("http2")
    elif name == "server" and parents[-1:] == ("upstream",) and args:
        args[0] = _local_address(scratch, directive, args[0], scheme=False)
    elif name in _PASSES and args and "$" not in args[0]:
        args[0] = _local_address(scratch, directive, args[0], scheme=True)
    elif name == "set_real_ip_from" and args and not _is_address(args[0]):
        scratch.note(directive, f"{args[0]} replaced by 127.0.0.1 (no name lookups)")
        args[0] = "127.0.0.1"
    elif name == "resolver":
        args = [_resolver_arg(scratch, directive, a) for a in args]
    if args == list(directive.args):
        return directive
    return replace(directive, args=tuple(args))


def _socket(scratch: _Scratch, address: str) -> str:
    key = _listen_key(address)
    if key not in scratch.sockets:
        scratch.sockets[key] = f"unix:{scratch.folder}/listen-{len(scratch.sockets)}.sock"
    return scratch.sockets[key]


def _listen_key(address: str) -> str:
    """`443`, `*:443` and `0.0.0.0:443` are the same listening address to nginx."""
    if address.startswith("unix:"):
        return address
    if address.isdigit():
        return f"*:{address}"
    if address.startswith("["):
        host, _, port = address.partition("]")
        return f"{host.lower()}]:{port.lstrip(':') or '80'}"
    host, colon, port = address.rpartition(":")
    if not colon:
        host, port = address, "80"
    return f"{'*' if host in ('*', '0.0.0.0') else host.lower()}:{port}"  # noqa: S104


def _is_address(text: str) -> bool:
    if text.startswith("unix:"):
        return True
    try:
        ipaddress.ip_network(text.strip("[]"), strict=False)
    except ValueError:
        return False
    return True


def _local_address(scratch: _Scratch, directive: Directive, value: str, *, scheme: bool) -> str:
    """The address with its host replaced by 127.0.0.1 unless it is an IP or an upstream."""
    prefix = ""
    rest = value
    if scheme and "://" in value:
        prefix, _, rest = value.partition("://")
        prefix += "://"
    if rest.startswith("unix:"):
        path = rest[len("unix:") :].split(":", 1)
        tail = f":{path[1]}" if len(path) > 1 else ""
        scratch.note(directive, f"unix:{path[0]} moved into the scratch folder")
        return f"{prefix}unix:{scratch.folder}/upstream.sock{tail}"
    hostport, slash, uri = rest.partition("/")
    if hostport.startswith("["):
        return value
    host, colon, port = hostport.partition(":")
    if host in scratch.upstreams or _is_address(host) or not host:
        return value
    scratch.note(directive, f"{host} replaced by 127.0.0.1 (no name lookups)")
    return f"{prefix}127.0.0.1{colon}{port}{slash}{uri}"


def _resolver_arg(scratch: _Scratch, directive: Directive, arg: str) -> str:
    if "=" in arg:
        return arg
    host = arg.rsplit(":", 1)[0] if arg.count(":") == 1 else arg
    if _is_address(host):
        return arg
    scratch.note(directive, f"resolver {arg} replaced by 127.0.0.1 (no name lookups)")
    return "127.0.0.1"


# -- reading nginx's answer -----------------------------------------------------------------


def _translate(output: str, config: Path, scratch: _Scratch) -> tuple[str, str | None, int | None]:
    """nginx's messages with scratch locations mapped back to the target's files and lines."""
    first: tuple[str | None, int | None] = (None, None)

    def place(match: re.Match[str]) -> str:
        nonlocal first
        number = int(match[1])
        source, line = (None, None)
        if 0 < number <= len(scratch.origins):
            source, line = scratch.origins[number - 1]
        if first == (None, None) and source is not None:
            first = (source, line)
        return f"{source}:{line}" if source else f"(generated line {number})"

    lines = []
    for raw in output.splitlines():
        text = _LOG_LINE.sub(lambda m: f"[{m[1]}] ", raw)
        text = re.sub(re.escape(str(config)) + r":(\d+)", place, text)
        text = text.replace(str(config), "nginx.conf").replace(str(scratch.folder), "<scratch>")
        lines.append(text)
    return "\n".join(lines).strip(), first[0], first[1]
