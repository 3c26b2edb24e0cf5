"""`nginx -t` on a scratch copy of a target's nginx configuration, confined.

The one place in the check library that runs nginx, and only the system's own `nginx` and
`openssl` binaries, never anything from the target. The target's files are never handed to
nginx in place: the parsed directives are written into a fresh scratch folder as a new
`nginx.conf`, and only directives on an ALLOW-LIST reach it (`ALLOWED`: the core, http,
server and location directives, upstreams, proxying, TLS basics, headers, gzip, limits,
logging, maps: what reverse-proxy configurations use). Everything else that nginx knows is
left out with a note in the evidence: OpenSSL engines and configuration commands
(`ssl_engine`, `*ssl_conf_command`, `*ssl_password_file`), modules (`load_module`, perl,
njs, lua), `env`, `include`s that do not resolve inside the target, and any directive whose
argument is a file nginx would open. A name nginx does not know at all (a typo, a module it
was not built with) is passed WITHOUT its arguments, so nginx still reports `unknown
directive` at the target's file and line and reads nothing else of it.

Every path that remains is rewritten into the scratch folder:

* every `listen` address becomes a Unix socket in the scratch folder (nginx -t binds its
  listening sockets, so a TCP address would open a network listener); the same address
  keeps the same socket, so duplicate `default_server` clashes are still found;
* host names in upstream `server`, `*_pass`, `set_real_ip_from` and `resolver` become
  127.0.0.1 (nginx resolves them while testing), and Unix sockets move into the scratch;
* certificates and keys (`ssl_certificate`, `ssl_certificate_key`, trusted and client CA
  files) point at a self-signed test certificate made with `openssl`; files that cannot be
  faked cheaply (`ssl_dhparam`, CRLs, password, ticket key and stapling files) are dropped;
* logs, the pid file, temporary, cache and store paths, `root`, `alias` and
  `auth_basic_user_file` move into the scratch folder; `user` and `working_directory` are
  dropped;
* nginx older than 1.25.1 does not know `http2 on;`: it is moved to the `listen ... ssl`
  parameter it replaced.

nginx and openssl run through `checklists_sandbox.sandbox`: `OPENSSL_CONF` names an empty
file in the scratch (the host's OpenSSL configuration loads no engine either), the environment is
minimal, address space, CPU time, open files and file sizes are limited, a wall-clock timeout
kills the process group, a root caller drops to `nobody`, and where `unshare` can create
one, nginx runs in an empty network namespace. The result names every change, and nginx's
messages point back at the target's files and lines.

When nginx -t fails and a directive that was left out could be the cause (a variable it
would have defined), the result is `undecided`: the check says unknown rather than guess.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from checklists import tr
from checklists_sandbox import sandbox
from checks.readers.nginx import Directive, render

TIMEOUT_SECONDS = 10
_BINARY_LIMIT = 256 << 20  # an nginx binary is a few MiB; past this, assume it knows all
LIMITS = sandbox.Limits(memory=2 << 30, cpu=10, open_files=1024, file_size=64 << 20)

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
    "quic_retry": (1, 25, 0),
}
_QUIC_PARAMETER = (1, 25, 0)

# What the scratch copy runs. A name here is either harmless as written or has its path
# rewritten into the scratch below; nothing here loads code, opens a file the target names,
# or reaches the network. (tests/hostile/test_sandbox_nginx.py checks the list stays so.)
ALLOWED: frozenset[str] = frozenset(
    {
        # main and events
        *("worker_processes", "worker_connections", "worker_rlimit_nofile", "pcre_jit"),
        *("worker_shutdown_timeout", "worker_cpu_affinity", "worker_priority", "daemon"),
        *("master_process", "timer_resolution", "worker_rlimit_core", "thread_pool"),
        *("events", "use", "multi_accept", "accept_mutex", "accept_mutex_delay"),
        *("worker_aio_requests", "error_log", "pid", "http", "stream"),
        # http core
        *("server", "location", "listen", "server_name", "root", "alias", "index"),
        *("try_files", "error_page", "default_type", "types", "internal", "limit_except"),
        *("absolute_redirect", "aio", "aio_write", "chunked_transfer_encoding", "etag"),
        *("client_body_buffer_size", "client_body_in_file_only", "client_body_timeout"),
        *("client_body_in_single_buffer", "client_body_temp_path", "client_header_timeout"),
        *("client_header_buffer_size", "client_max_body_size", "connection_pool_size"),
        *("directio", "directio_alignment", "disable_symlinks", "if_modified_since"),
        *("ignore_invalid_headers", "keepalive_disable", "keepalive_requests"),
        *("keepalive_time", "keepalive_timeout", "large_client_header_buffers"),
        *("limit_rate", "limit_rate_after", "lingering_close", "lingering_time"),
        *("lingering_timeout", "log_not_found", "log_subrequest", "max_ranges"),
        *("merge_slashes", "msie_padding", "msie_refresh", "open_file_cache"),
        *("open_file_cache_errors", "open_file_cache_min_uses", "open_file_cache_valid"),
        *("output_buffers", "port_in_redirect", "postpone_output", "read_ahead"),
        *("recursive_error_pages", "request_pool_size", "reset_timedout_connection"),
        *("resolver", "resolver_timeout", "satisfy", "send_lowat", "send_timeout"),
        *("sendfile", "sendfile_max_chunk", "server_name_in_redirect", "server_tokens"),
        *("server_names_hash_bucket_size", "server_names_hash_max_size", "tcp_nodelay"),
        *("subrequest_output_buffer_size", "tcp_nopush", "types_hash_bucket_size"),
        *("types_hash_max_size", "underscores_in_headers", "variables_hash_bucket_size"),
        *("variables_hash_max_size", "auth_delay", "allow", "deny", "autoindex"),
        *("autoindex_exact_size", "autoindex_format", "autoindex_localtime", "stub_status"),
        *("auth_basic", "auth_basic_user_file", "auth_request", "auth_request_set"),
        *("charset", "charset_types", "override_charset", "source_charset", "charset_map"),
        *("ssi", "ssi_types", "ssi_silent_errors", "ssi_value_length", "ssi_min_file_chunk"),
        *("ssi_last_modified", "sub_filter", "sub_filter_once", "sub_filter_types"),
        *("sub_filter_last_modified", "addition_types", "add_before_body", "add_after_body"),
        *("mirror", "mirror_request_body", "slice", "empty_gif", "valid_referers"),
        *("referer_hash_bucket_size", "referer_hash_max_size", "random_index", "flv"),
        *("mp4", "mp4_buffer_size", "mp4_max_buffer_size", "secure_link", "secure_link_md5"),
        *("secure_link_secret", "userid", "userid_domain", "userid_expires", "userid_mark"),
        *("userid_name", "userid_p3p", "userid_path", "userid_service", "dav_methods"),
        *("dav_access", "create_full_put_path", "min_delete_depth"),
        # rewrite, map, geo, split_clients, real ip
        *("if", "set", "return", "rewrite", "break", "rewrite_log"),
        *("uninitialized_variable_warn", "map", "map_hash_bucket_size", "map_hash_max_size"),
        *("geo", "split_clients", "set_real_ip_from", "real_ip_header", "real_ip_recursive"),
        # headers, gzip, limits, logging
        *("add_header", "add_trailer", "expires", "gzip", "gzip_buffers", "gzip_comp_level"),
        *("gzip_disable", "gzip_http_version", "gzip_min_length", "gzip_proxied"),
        *("gzip_types", "gzip_vary", "gzip_static", "gunzip", "gunzip_buffers"),
        *("limit_req", "limit_req_zone", "limit_req_status", "limit_req_log_level"),
        *("limit_req_dry_run", "limit_conn", "limit_conn_zone", "limit_conn_status"),
        *("limit_conn_log_level", "limit_conn_dry_run", "access_log", "log_format"),
        *("open_log_file_cache",),
        # upstreams
        *("upstream", "keepalive", "least_conn", "ip_hash", "hash", "random", "zone"),
        # proxying (and the other upstream protocols' everyday directives)
        *("proxy_pass", "proxy_set_header", "proxy_hide_header", "proxy_pass_header"),
        *("proxy_http_version", "proxy_connect_timeout", "proxy_read_timeout"),
        *("proxy_send_timeout", "proxy_buffering", "proxy_buffers", "proxy_buffer_size"),
        *("proxy_busy_buffers_size", "proxy_request_buffering", "proxy_redirect"),
        *("proxy_cookie_domain", "proxy_cookie_path", "proxy_cookie_flags", "proxy_bind"),
        *("proxy_next_upstream", "proxy_next_upstream_timeout", "proxy_next_upstream_tries"),
        *("proxy_intercept_errors", "proxy_ignore_client_abort", "proxy_ignore_headers"),
        *("proxy_max_temp_file_size", "proxy_temp_file_write_size", "proxy_temp_path"),
        *("proxy_headers_hash_bucket_size", "proxy_headers_hash_max_size", "proxy_method"),
        *("proxy_pass_request_body", "proxy_pass_request_headers", "proxy_set_body"),
        *("proxy_socket_keepalive", "proxy_limit_rate", "proxy_force_ranges"),
        *("proxy_send_lowat", "proxy_store", "proxy_store_access", "proxy_no_cache"),
        *("proxy_cache", "proxy_cache_path", "proxy_cache_key", "proxy_cache_valid"),
        *("proxy_cache_bypass", "proxy_cache_use_stale", "proxy_cache_lock"),
        *("proxy_cache_lock_age", "proxy_cache_lock_timeout", "proxy_cache_methods"),
        *("proxy_cache_min_uses", "proxy_cache_revalidate", "proxy_cache_background_update"),
        *("proxy_cache_convert_head", "proxy_cache_max_range_offset"),
        *("proxy_ssl_certificate", "proxy_ssl_certificate_key", "proxy_ssl_ciphers"),
        *("proxy_ssl_name", "proxy_ssl_protocols", "proxy_ssl_server_name"),
        *("proxy_ssl_session_reuse", "proxy_ssl_trusted_certificate", "proxy_ssl_verify"),
        *("proxy_ssl_verify_depth", "proxy_ssl", "proxy_timeout", "proxy_protocol"),
        *("proxy_responses", "proxy_requests", "proxy_download_rate", "proxy_upload_rate"),
        *("proxy_protocol_timeout", "ssl_preread", "preread_buffer_size", "preread_timeout"),
        *("fastcgi_pass", "fastcgi_param", "fastcgi_index", "fastcgi_split_path_info"),
        *("fastcgi_read_timeout", "fastcgi_send_timeout", "fastcgi_connect_timeout"),
        *("fastcgi_buffers", "fastcgi_buffer_size", "fastcgi_buffering", "fastcgi_keep_conn"),
        *("fastcgi_intercept_errors", "fastcgi_hide_header", "fastcgi_temp_path"),
        *("fastcgi_cache", "fastcgi_cache_path", "fastcgi_cache_key", "fastcgi_cache_valid"),
        *("fastcgi_busy_buffers_size", "fastcgi_pass_header", "fastcgi_ignore_headers"),
        *("grpc_pass", "grpc_set_header", "grpc_read_timeout", "grpc_send_timeout"),
        *("grpc_connect_timeout", "grpc_buffer_size", "grpc_hide_header"),
        *("grpc_pass_header", "grpc_intercept_errors", "grpc_ssl_certificate"),
        *("grpc_ssl_certificate_key", "grpc_ssl_trusted_certificate", "grpc_ssl_verify"),
        *("grpc_ssl_name", "grpc_ssl_server_name", "grpc_ssl_protocols", "grpc_ssl_ciphers"),
        *("uwsgi_pass", "uwsgi_param", "uwsgi_read_timeout", "uwsgi_send_timeout"),
        *("uwsgi_connect_timeout", "uwsgi_buffers", "uwsgi_buffer_size", "uwsgi_temp_path"),
        *("uwsgi_cache_path", "uwsgi_ssl_certificate", "uwsgi_ssl_certificate_key"),
        *("uwsgi_ssl_trusted_certificate", "scgi_pass", "scgi_param", "scgi_temp_path"),
        *("scgi_cache_path", "scgi_read_timeout", "memcached_pass", "memcached_read_timeout"),
        # TLS basics (the certificate and key files are replaced by the scratch's own)
        *("ssl", "ssl_certificate", "ssl_certificate_key", "ssl_protocols", "ssl_ciphers"),
        *("ssl_prefer_server_ciphers", "ssl_session_cache", "ssl_session_timeout"),
        *("ssl_session_tickets", "ssl_buffer_size", "ssl_ecdh_curve", "ssl_early_data"),
        *("ssl_verify_client", "ssl_verify_depth", "ssl_client_certificate"),
        *("ssl_trusted_certificate", "ssl_stapling", "ssl_stapling_verify"),
        *("ssl_reject_handshake", "ssl_handshake_timeout", "ssl_ocsp", "ssl_ocsp_cache"),
        # HTTP/2 and HTTP/3
        *("http2", "http2_max_concurrent_streams", "http2_chunk_size", "http2_idle_timeout"),
        *("http2_body_preread_size", "http2_recv_buffer_size", "http2_recv_timeout"),
        *("http2_max_field_size", "http2_max_header_size", "http2_max_requests"),
        *("http2_push", "http2_push_preload", "http2_max_concurrent_pushes"),
        *(name for name in NEWER_DIRECTIVES if name.startswith(("http3", "quic_"))),
    }
)
# Never run, whatever nginx knows: code, OpenSSL engines and commands, files nginx opens.
DENIED = re.compile(
    r"(^|_)(conf_command|engine|password_file)$|^(load_module|include|env|perl|js|njs|lua)"
    r"|_by_lua|^(ssl_|proxy_ssl_|grpc_ssl_|uwsgi_ssl_)(crl|dhparam|session_ticket_key)$"
    r"|^ssl_stapling_(file|responder)$|^ssl_ocsp_responder$|^quic_host_key$"
)
# Blocks whose lines are data (a MIME type, a map key), not directives: kept as written,
# except `include`, which nginx still follows there.
_DATA_BLOCKS = frozenset({"types", "map", "geo", "split_clients", "charset_map", "match"})
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
_STORES = frozenset({"proxy_store", "fastcgi_store", "uwsgi_store", "scgi_store"})
_FLAGS = frozenset({"on", "off"})
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
_DROPPED = frozenset({"user", "working_directory", "pid", "lock_file"})
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


Status = Literal["passed", "failed", "not_run", "inconclusive", "undecided"]


@dataclass(frozen=True, slots=True)
class TestResult:
    status: Status
    summary: str
    output: str = ""
    source: str | None = None  # the target file nginx blamed, when it named a line
    line: int | None = None
    changes: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()  # directives not run, as `name (file:line)`
    config: str = ""  # the scratch nginx.conf as nginx read it (<scratch> for its folder)


def _knows_everything(_name: str) -> bool:
    return True


@dataclass
class _Scratch:
    folder: Path
    version: tuple[int, int, int]
    upstreams: frozenset[str]
    # Whether the nginx binary may know a directive name (then it is only run if allowed);
    # the default, knowing everything, leaves out every name that is not allowed.
    knows: Callable[[str], bool] = _knows_everything
    lines: list[str] = field(default_factory=list)
    origins: list[tuple[str | None, int | None]] = field(default_factory=list)
    sockets: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    bare: set[int] = field(default_factory=set)  # scratch lines of names passed without args
    uses_certificates: bool = False

    def note(self, directive: Directive, change: str) -> None:
        where = f"{directive.source}:{directive.line}" if directive.source else "generated"
        text = tr("{where}: {change}", "{where}: {change}", where=where, change=change)
        if text not in self.changes:
            self.changes.append(text)

    def leave_out(self, directive: Directive, why: str) -> None:
        where = f"{directive.source}:{directive.line}" if directive.source else "generated"
        self.left_out.append(f"{directive.name} ({where})")
        # The English says "left out": a failure on a variable looks for it in the changes.
        self.note(
            directive,
            tr(
                "{name} left out of the scratch copy: {why}",
                "{name} は作業用コピーから除外: {why}",
                name=directive.name,
                why=why,
            ),
        )

    def emit(self, depth: int, text: str, origin: Directive | None = None) -> None:
        self.lines.append("    " * depth + text)
        self.origins.append((origin.source, origin.line) if origin else (None, None))


def find_program(name: str, avoid: Sequence[Path] = ()) -> str | None:
    return sandbox.find_program(name, avoid, system=True)


# The version each nginx binary printed, by (path, inode, modification time), while the
# process lives: `nginx -v` is a program run of ~30 ms. Under `mkdocs serve` the guide's own
# nginx block is checked in the build's process, and every later worker is forked from it,
# so a rebuild after an nginx config edit does not run `nginx -v` again. (In one build the
# worker asks apart from the build's process: it cannot hand its answer back.) A run that
# printed no version is not kept.
_VERSIONS: dict[tuple[str, tuple[int, int]], tuple[int, int, int]] = {}


def _stamp(nginx: str) -> tuple[int, int] | None:
    """The binary's (inode, modification time): a replaced binary has another."""
    try:
        info = Path(nginx).resolve().stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


def nginx_version(nginx: str) -> tuple[int, int, int] | None:
    stamp = _stamp(nginx)
    key = (nginx, stamp) if stamp is not None else None
    if key is not None and key in _VERSIONS:
        return _VERSIONS[key]
    with sandbox.scratch("nginx-v-") as folder:
        done = sandbox.run([nginx, "-v"], env=_env(folder), cwd=folder, timeout=5, limits=LIMITS)
    found = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", done.output)
    if not found:
        return None
    version = (int(found[1]), int(found[2]), int(found[3]))
    if key is not None:
        _VERSIONS[key] = version
    return version


@functools.lru_cache(maxsize=4)
def _binary_names(nginx: str, _stamp: tuple[int, int]) -> bytes | None:
    path = Path(nginx).resolve()
    try:
        if path.stat().st_size > _BINARY_LIMIT:
            return None
        return path.read_bytes()
    except OSError:
        return None


def binary_knows(nginx: str) -> Callable[[str], bool]:
    """Whether the nginx binary may know a directive name.

    nginx matches a directive against the names in its modules' command tables, which are
    C string literals in the binary (dynamic modules are never loaded: `load_module` is not
    run). A name whose bytes, NUL-terminated, are nowhere in the binary cannot be a
    directive nginx knows. Unreadable binary: it may know everything.
    """
    stamp = _stamp(nginx)
    if stamp is None:
        return _knows_everything
    data = _binary_names(nginx, stamp)
    if data is None:
        return _knows_everything
    return lambda name: name.encode("utf-8", "replace") + b"\0" in data


def _dotted(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


def _env(folder: Path) -> dict[str, str]:
    """The whole environment of nginx and openssl: no inherited OPENSSL_*, HOME or PATH
    of the caller's choosing; the host's OpenSSL configuration replaced by an empty one."""
    empty = folder / "openssl.cnf"
    if not empty.exists():
        empty.write_text("", encoding="utf-8")
        sandbox.readable(empty)
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C", "OPENSSL_CONF": str(empty)}


def test_units(units: Sequence[Unit], avoid: Sequence[Path] = ()) -> list[TestResult]:
    """Run `nginx -t` on a scratch copy of each unit; `not_run` when nginx is missing.

    `avoid`: folders (the target) where nginx and openssl are never looked for.
    """
    nginx = find_program("nginx", avoid)
    if nginx is None:
        return [
            TestResult(
                "not_run", _not_run(tr("nginx not installed", "nginx がインストールされていない"))
            )
        ]
    version = nginx_version(nginx)
    if version is None:
        problem = tr(
            "{nginx} -v printed no version",
            "{nginx} -v がバージョンを表示しない",
            nginx=nginx,
        )
        return [TestResult("not_run", _not_run(problem))]
    knows = binary_knows(nginx)
    return [_test_unit(nginx, version, unit, knows, avoid) for unit in units]


# radon D: each way `nginx -t` can end (no nginx, refused, timeout, emerg, warn, ok) is a branch.
def _test_unit(
    nginx: str,
    version: tuple[int, int, int],
    unit: Unit,
    knows: Callable[[str], bool],
    avoid: Sequence[Path],
) -> TestResult:
    label = tr(
        "nginx -t (nginx {version}) on a scratch copy of {unit}",
        "{unit} の作業用コピーでの nginx -t（nginx {version}）",
        version=_dotted(version),
        unit=unit.label,
    )
    with sandbox.scratch("nginx-t-") as folder:
        upstreams = frozenset(
            d.args[0] for d in _all(unit.directives) if d.name == "upstream" and d.args
        )
        scratch = _Scratch(folder, version, upstreams, knows)
        _write(scratch, unit)
        left_out = tuple(scratch.left_out)
        for sub in ("logs", "temp", "cache", "run", "tls"):
            sandbox.writable(folder / sub)
        (folder / "www").mkdir()
        sandbox.readable(folder / "www")
        (folder / "htpasswd").write_text("", encoding="utf-8")
        sandbox.readable(folder / "htpasswd")
        config = folder / "nginx.conf"
        text = "\n".join(scratch.lines) + "\n"
        config.write_text(text, encoding="utf-8")
        sandbox.readable(config)
        shown = text.replace(str(folder), "<scratch>")
        if scratch.uses_certificates:
            problem = _make_certificate(folder, avoid)
            if problem:
                changes = tuple(scratch.changes)
                summary = _not_run(problem)
                return TestResult("not_run", summary, changes=changes, left_out=left_out)
        namespace = sandbox.network_prefix(root=sandbox.is_root())
        scratch.changes.append(
            tr(
                "nginx ran in an empty network namespace (unshare --net)",
                "nginx は空のネットワーク名前空間で実行（unshare --net）",
            )
            if namespace
            else tr(
                "no network namespace available: nginx ran with host names already replaced",
                "ネットワーク名前空間が使えないため、ホスト名を置き換えたうえで nginx を実行",
            )
        )
        identity = sandbox.drop_identity()
        if identity is not None:
            scratch.changes.append(
                tr(
                    "nginx ran as {name} (uid {uid}), not root",
                    "nginx は root ではなく {name}（uid {uid}）で実行",
                    name=identity.name,
                    uid=identity.uid,
                )
            )
        changes = tuple(scratch.changes)
        command = [nginx, "-t", "-e", "stderr", "-p", f"{folder}/", "-c", str(config)]
        done = sandbox.run(
            command, env=_env(folder), cwd=folder, timeout=TIMEOUT_SECONDS, limits=LIMITS
        )
        output, source, line = _translate(done.output, config, scratch)

    def result(status: Status, summary: str, *, blamed: bool = False) -> TestResult:
        where = (source, line) if blamed else (None, None)
        return TestResult(status, summary, output, *where, changes, left_out, shown)

    if done.returncode is None:  # timed out (the group was killed) or could not start
        if done.error and done.error.startswith("timed out"):
            summary = tr(
                "{label} did not finish in {seconds} s",
                "{label} が {seconds} 秒以内に終わらなかった",
                label=label,
                seconds=TIMEOUT_SECONDS,
            )
            return result("failed", summary)
        return result("not_run", _not_run(done.error or ""))
    if done.returncode == 125 and "sandbox: cannot start" in output:
        return result("not_run", _not_run(output.strip().splitlines()[-1]))
    if done.returncode == 0:
        return result(
            "passed", tr("{label}: test is successful", "{label}: テスト成功", label=label)
        )
    if "Cannot allocate memory" in output:
        why = tr(
            "the configuration asks for more memory than the scratch run allows ({mib} MiB of "
            "address space)",
            "設定が作業用の実行で許すより多くのメモリを求めている（アドレス空間 {mib} MiB）",
            mib=LIMITS.memory >> 20,
        )
        return result("inconclusive", _could_not_judge(label, why), blamed=True)
    newer = _needs_newer_nginx(output, version)
    if newer:
        return result("inconclusive", _could_not_judge(label, newer), blamed=True)
    unknown = re.search(r'unknown directive "([^"]+)"', output)
    if unknown and any(entry.startswith("load_module ") for entry in left_out):
        why = tr(
            "a directive may come from a dynamic module that the scratch copy does not load",
            "ディレクティブが、作業用コピーが読み込まない動的モジュールのものかもしれない",
        )
        return result("inconclusive", _could_not_judge(label, why), blamed=True)
    blamed_line = _blamed_scratch_line(done.output, config)
    if blamed_line in scratch.bare and not unknown:
        why = tr(
            "nginx knows a directive the scratch copy passed without its arguments",
            "作業用コピーが引数なしで渡したディレクティブを nginx が知っている",
        )
        return result("inconclusive", _could_not_judge(label, why), blamed=True)
    variable = re.search(r'unknown "([^"]+)" variable', output)
    if variable and (left_out or any("left out" in change for change in changes)):
        summary = tr(
            "{label} failed on ${variable}, which a directive left out of the scratch copy may "
            "define: the full configuration cannot be judged",
            "{label} が ${variable} で失敗したが、作業用コピーから除外したディレクティブが"
            "それを定義しているかもしれない: 設定全体は判定できない",
            label=label,
            variable=variable[1],
        )
        return result("undecided", summary, blamed=True)
    return result("failed", tr("{label} failed", "{label} が失敗", label=label), blamed=True)


def _not_run(problem: str) -> str:
    return tr("nginx -t not run ({problem})", "nginx -t は未実行（{problem}）", problem=problem)


def _could_not_judge(label: str, why: str) -> str:
    return tr(
        "{label} could not judge it: {why}",
        "{label} では判定できなかった: {why}",
        label=label,
        why=why,
    )


def _blamed_scratch_line(output: str, config: Path) -> int | None:
    found = re.search(re.escape(str(config)) + r":(\d+)", output)
    return int(found[1]) if found else None


def _needs_newer_nginx(output: str, version: tuple[int, int, int]) -> str | None:
    unknown = re.search(r'unknown directive "([^"]+)"', output)
    if unknown and NEWER_DIRECTIVES.get(unknown[1], (0, 0, 0)) > version:
        return tr(
            '"{name}" needs nginx {added} or later, this is {version}',
            '"{name}" には nginx {added} 以降が必要だが、これは {version}',
            name=unknown[1],
            added=_dotted(NEWER_DIRECTIVES[unknown[1]]),
            version=_dotted(version),
        )
    if re.search(r'invalid parameter "quic"', output) and version < _QUIC_PARAMETER:
        return tr(
            "listen ... quic needs nginx {added} or later",
            "listen ... quic には nginx {added} 以降が必要",
            added=_dotted(_QUIC_PARAMETER),
        )
    return None


def _make_certificate(folder: Path, avoid: Sequence[Path]) -> str | None:
    openssl = find_program("openssl", avoid)
    if openssl is None:
        return tr(
            "openssl not installed: no test certificate",
            "openssl がインストールされていない: テスト用の証明書なし",
        )
    tls = folder / "tls"
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt"]
    command += ["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
    command += ["-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")]
    done = sandbox.run(command, env=_env(folder), cwd=folder, timeout=10, limits=LIMITS)
    if done.returncode is None:
        return tr("openssl failed: {error}", "openssl が失敗: {error}", error=done.error or "")
    if done.returncode != 0:
        return tr(
            "openssl failed: {error}", "openssl が失敗: {error}", error=done.stderr.strip()[:200]
        )
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
    scratch.emit(0, f"pid {folder}/run/nginx.pid;")
    if unit.context == "http":
        scratch.emit(0, "events {}")
        scratch.emit(0, "http {")
        _emit_temp_paths(scratch, 1, ())
        _emit_block(scratch, unit.directives, 1, ())
        scratch.emit(0, "}")
    else:
        _emit_block(scratch, unit.directives, 0, ())


def _emit_temp_paths(scratch: _Scratch, depth: int, present: Sequence[Directive]) -> None:
    """The http level's paths that nginx would otherwise take from its build (Debian's:
    /var/lib/nginx/body, /var/log/nginx/access.log), opened even by `nginx -t`."""
    names = {d.name for d in present}
    for name in _TEMP_PATHS:
        if name not in names:
            scratch.emit(depth, f"{name} {scratch.folder}/temp/{name};")
    if "access_log" not in names:
        scratch.emit(depth, f"access_log {scratch.folder}/logs/access.log;")


def _emit_block(
    scratch: _Scratch, directives: Sequence[Directive], depth: int, parents: tuple[str, ...]
) -> None:
    if parents and parents[-1] in _DATA_BLOCKS:
        _emit_data(scratch, directives, depth)
        return
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


def _emit_data(scratch: _Scratch, entries: Sequence[Directive], depth: int) -> None:
    """The lines of a `types`/`map`/`geo` block: data, as written, but no `include`."""
    for entry in entries:
        if entry.name == "include":
            scratch.leave_out(entry, "an include inside a data block is not followed")
            continue
        scratch.emit(depth, render(replace(entry, block=None)), entry)


def _http2_translation(
    scratch: _Scratch, directives: Sequence[Directive], parents: tuple[str, ...]
) -> bool:
    """Whether `http2 on;` in this server block must become `listen ... http2`."""
    if parents[-1:] != ("server",) or scratch.version >= NEWER_DIRECTIVES["http2"]:
        return False
    return any(d.name == "http2" and d.args[:1] == ("on",) for d in directives)


def _screen(scratch: _Scratch, directive: Directive) -> Directive | None:
    """The directive as the allow-list lets it through: as written, bare, or not at all."""
    name = directive.name
    if name == "include":
        scratch.leave_out(
            directive,
            tr(
                "{include} is not in the target",
                "{include} がターゲットにない",
                include=" ".join(directive.args),
            ),
        )
        return None
    if DENIED.search(name):
        scratch.leave_out(
            directive,
            tr(
                "it loads code, configures OpenSSL or opens a file",
                "コードの読み込み、OpenSSL の設定、ファイルのオープンのいずれかを行う",
            ),
        )
        return None
    if name in ALLOWED:
        return directive
    if scratch.knows(name):
        scratch.leave_out(
            directive,
            tr(
                "not on the allow-list of directives the scratch runs",
                "作業用の実行で許可するディレクティブの一覧にない",
            ),
        )
        return None
    # nginx cannot know the name: it will say "unknown directive" there and read no further.
    scratch.note(
        directive,
        tr(
            "{name} passed without its arguments (nginx does not know it)",
            "{name} は引数なしで渡した（nginx がそれを知らない）",
            name=name,
        ),
    )
    scratch.bare.add(len(scratch.lines) + 1)
    return Directive(name, (), directive.line, None, directive.source)


def _rewrite(
    scratch: _Scratch, directive: Directive, parents: tuple[str, ...], http2: bool
) -> Directive | None:
    if _dropped(scratch, directive):
        return None
    screened = _screen(scratch, directive)
    if screened is None or screened is not directive:
        return screened
    if _http2_moved(scratch, directive, parents):
        return None
    args = list(directive.args)
    if not _files_in_scratch(scratch, directive, args):
        _addresses_in_scratch(scratch, directive, args, parents, http2)
    if args == list(directive.args):
        return directive
    return replace(directive, args=tuple(args))


def _dropped(scratch: _Scratch, directive: Directive) -> bool:
    """Directives replaced by the scratch's own, or meaningless in a test."""
    name = directive.name
    if name not in _DROPPED:
        return False
    if name not in ("pid", "lock_file"):
        scratch.note(
            directive,
            tr(
                "{name} left out of the scratch copy",
                "{name} は作業用コピーから除外",
                name=name,
            ),
        )
    return True


def _http2_moved(scratch: _Scratch, directive: Directive, parents: tuple[str, ...]) -> bool:
    """The `http2` directive, which an nginx older than 1.25.1 reads from `listen`."""
    if not (
        directive.name == "http2"
        and parents[-1:] == ("server",)
        and (scratch.version < NEWER_DIRECTIVES["http2"])
    ):
        return False
    scratch.note(
        directive,
        tr(
            "http2 (nginx 1.25.1) moved to `listen ... http2` for nginx {version}",
            "http2（nginx 1.25.1）は nginx {version} 向けに `listen ... http2` へ移した",
            version=_dotted(scratch.version),
        ),
    )
    return True


def _files_in_scratch(scratch: _Scratch, directive: Directive, args: list[str]) -> bool:
    """Point a file the directive names into the scratch folder (in `args`); False when the
    directive names no file."""
    name, folder = directive.name, scratch.folder
    if name in _CERTIFICATES and args:
        scratch.uses_certificates = True
        args[0] = str(folder / "tls" / "cert.pem")
    elif name in _KEYS and args:
        scratch.uses_certificates = True
        args[0] = str(folder / "tls" / "key.pem")
    elif name == "error_log" and args:
        args[0] = str(folder / "logs" / "error.log")
    elif name == "access_log" and args and args[0] != "off":
        args[0] = str(folder / "logs" / "access.log")
    elif name in _TEMP_PATHS and args:
        args[0] = str(folder / "temp" / name)
    elif name in _CACHE_PATHS and args:
        args[0] = str(folder / "cache" / f"{name}-{directive.line}")
    elif args and (name in ("root", "alias") or (name in _STORES and args[0] not in _FLAGS)):
        args[0] = _in_scratch(folder / "www", args[0])
    elif name == "auth_basic_user_file" and args:
        args[0] = str(folder / "htpasswd")
    else:
        return False
    return True


# radon D: one branch per nginx directive that names a socket or an upstream.
def _addresses_in_scratch(
    scratch: _Scratch,
    directive: Directive,
    args: list[str],
    parents: tuple[str, ...],
    http2: bool,
) -> None:
    """Point the sockets and upstream addresses the directive names at the scratch's own
    (in `args`)."""
    name = directive.name
    if name == "listen" and args:
        args[0] = _socket(scratch, args[0])
        if http2 and "ssl" in args and "http2" not in args:
            args.append("http2")
    elif name == "server" and parents[-1:] == ("upstream",) and args:
        args[0] = _local_address(scratch, directive, args[0], scheme=False)
    elif name in _PASSES and args and "$" not in args[0]:
        args[0] = _local_address(scratch, directive, args[0], scheme=True)
    elif name == "proxy_pass" and parents[:1] == ("stream",) and args and "$" not in args[0]:
        args[0] = _local_address(scratch, directive, args[0], scheme=False)
    elif name == "set_real_ip_from" and args and not _is_address(args[0]):
        scratch.note(directive, _replaced(args[0]))
        args[0] = "127.0.0.1"
    elif name == "resolver":
        args[:] = [_resolver_arg(scratch, directive, a) for a in args]


def _in_scratch(base: Path, value: str) -> str:
    """A path inside the scratch that keeps the variables of `value` (`/srv/$host/` ->
    `<base>/$host/`): nginx checks the variables exist, and never opens the path in a test."""
    tail = value[value.index("$") :] if "$" in value else ""
    slash = "/" if value.endswith("/") and not tail.endswith("/") else ""
    return f"{base}/{tail}{slash}"


def _socket(scratch: _Scratch, address: str) -> str:
    key = _listen_key(address)
    if key not in scratch.sockets:
        scratch.sockets[key] = f"unix:{scratch.folder}/run/listen-{len(scratch.sockets)}.sock"
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
        scratch.note(
            directive,
            tr(
                "unix:{path} moved into the scratch folder",
                "unix:{path} は作業用フォルダーに移した",
                path=path[0],
            ),
        )
        return f"{prefix}unix:{scratch.folder}/run/upstream.sock{tail}"
    hostport, slash, uri = rest.partition("/")
    if hostport.startswith("["):
        return value
    host, colon, port = hostport.partition(":")
    if host in scratch.upstreams or _is_address(host) or not host:
        return value
    scratch.note(directive, _replaced(host))
    return f"{prefix}127.0.0.1{colon}{port}{slash}{uri}"


def _resolver_arg(scratch: _Scratch, directive: Directive, arg: str) -> str:
    if "=" in arg:
        return arg
    host = arg.rsplit(":", 1)[0] if arg.count(":") == 1 else arg
    if _is_address(host):
        return arg
    scratch.note(directive, _replaced(f"resolver {arg}"))
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


def _replaced(host: str) -> str:
    return tr(
        "{host} replaced by 127.0.0.1 (no name lookups)",
        "{host} は 127.0.0.1 に置き換え（名前解決をしない）",
        host=host,
    )
