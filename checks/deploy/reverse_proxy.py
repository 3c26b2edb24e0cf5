"""Reverse proxy: nginx terminates TLS on 443 and proxies to the app with the client's details.

What it checks:
    An nginx configuration in the target (the `paths` globs; by default `nginx/*.conf`,
    `nginx/conf.d/*.conf`, `deploy/nginx/*.conf` and `nginx.conf`), parsed with NGINX's
    crossplane and its directive table (a directive where nginx does not allow it is an
    error), must have, as in the guide's example:

    * an `upstream` whose `server` is the app (the `upstream` parameter, `127.0.0.1:8000`
      by default; host and port compared, port 80 when none is written). A location that
      passes straight to that address (`proxy_pass http://127.0.0.1:8000`) counts too:
      nginx makes an implicit upstream of it;
    * a `server` that listens with TLS on 443: `listen 443 ssl`, `listen [::]:443 ssl`,
      `listen 443 ssl http2`, or with `http2 on;` (nginx 1.25.1 and later). It needs an
      `ssl_certificate` and `ssl_certificate_key` (its own or inherited from `http`):
      nginx refuses `listen ... ssl` without a certificate, so the guide's abbreviated
      snippet alone does not pass. `ssl on;` (removed in nginx 1.25.1) does not count;
    * in that server, a `location` with `proxy_pass http://<upstream name>` (or https) and
      the headers `proxy_set_header Host $host` and `proxy_set_header X-Real-IP
      $remote_addr` in effect there. Headers are inherited as nginx inherits them: a level
      with any `proxy_set_header` of its own replaces all those of the enclosing levels.
      `Host $http_host` does not count: it passes the client's header unchecked (gixy's
      host_spoofing).

    Includes are followed inside the target only: a relative path from the main config's
    folder (for a snippet in `conf.d/` or `sites-enabled/`, the folder above it), and
    `/etc/nginx/<rest>` mapped to `<that folder>/<rest>` (the usual bind mount). An
    include that does not resolve (`include proxy_params;` of the Debian package) can
    change what applies; where it could supply the missing headers or certificate, the
    result is unknown.

    When the `nginx` binary is installed, the configuration is ALSO validated with
    `nginx -t`: this is the one check that runs an external program. It runs the system's
    nginx (and `openssl` for a throw-away self-signed certificate) on a rewritten copy in a
    scratch folder, never on the target's files in place: only directives on an allow-list
    reach nginx (OpenSSL engines and commands, modules, password files and anything else
    that would load code or open a file the target names are left out, and the evidence
    names them), listen addresses become Unix sockets (no network listener), host names
    become 127.0.0.1 (no DNS), certificates, logs, pid and temporary paths point into the
    scratch; nginx runs with an empty OpenSSL configuration, resource limits and a
    timeout, as `nobody` when the build runs as root, and in an empty network namespace
    where `unshare` allows. A failing `nginx -t` fails the check, with nginx's messages
    mapped back to the target's file and line; when it fails on a variable that a
    directive left out of the test could define, the result is unknown. Without nginx the
    evidence says "nginx -t not run (nginx not installed)" and the static verdict stands;
    when the installed nginx is too old for a directive (`http3`, `quic`) it says so
    likewise, and directives left out of the test are named in the summary as not
    validated.

Why it matters:
    The app listens on plain HTTP on 127.0.0.1; only the proxy may face the internet. It
    terminates TLS, and without `Host` and `X-Real-IP` the app sees the proxy's address and
    name instead of the client's, which breaks redirects, rate limits and audit logs.

How to fix:
    Add for example `nginx/conf.d/api.conf` with
    `upstream backend { server 127.0.0.1:8000; }` and a
    `server { listen 443 ssl; http2 on; ssl_certificate ...; ssl_certificate_key ...;
    location / { proxy_pass http://backend; proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr; } }`, then run `nginx -t`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checks.nginx_scratch import TestResult, Unit, test_units
from checks.readers.nginx import Directive, NginxConfig, read_nginx, render

DEFAULT_PATHS = ("nginx/*.conf", "nginx/conf.d/*.conf", "deploy/nginx/*.conf", "nginx.conf")
REQUIRED_HEADERS = {"host": "$host", "x-real-ip": "$remote_addr"}
_SNIPPET_FOLDERS = frozenset({"conf.d", "sites-enabled", "sites-available", "http.d"})


@dataclass
class _Root:
    """One configuration nginx loads, with its includes inlined where they resolve."""

    path: str
    context: str
    directives: tuple[Directive, ...]
    unresolved: list[Directive] = field(default_factory=list)


def _evidence(directive: Directive, note: str) -> Evidence:
    return Evidence(note, path=directive.source, line=directive.line, excerpt=render(directive))


# -- includes ---------------------------------------------------------------------------------


def _include_paths(target: Target, pattern: str, conf_dir: str) -> list[str] | None:
    """Target files an include names, or None when it points outside the target."""
    if pattern.startswith("/"):
        if not pattern.startswith("/etc/nginx/"):
            return None
        pattern = pattern.removeprefix("/etc/nginx/")
    joined = posixpath.normpath(posixpath.join(conf_dir, pattern))
    try:
        if any(char in joined for char in "*?["):
            return target.glob(joined)
        return [joined] if target.is_file(joined) else None
    except InputError:
        return None


@dataclass
class _Inliner:
    """Replaces `include` directives by the target files they name, recursively."""

    target: Target
    conf_dir: str  # nginx resolves relative includes from the main config's folder
    root: _Root
    included: set[str]

    def inline(
        self, directives: Sequence[Directive], seen: tuple[str, ...]
    ) -> tuple[Directive, ...]:
        result: list[Directive] = []
        for directive in directives:
            if directive.name == "include" and directive.args:
                result += self._include(directive, seen)
            elif directive.block is not None:
                result.append(replace(directive, block=self.inline(directive.block, seen)))
            else:
                result.append(directive)
        return tuple(result)

    def _include(self, directive: Directive, seen: tuple[str, ...]) -> list[Directive]:
        paths = _include_paths(self.target, directive.args[0], self.conf_dir)
        if paths is None:
            self.root.unresolved.append(directive)
            return [directive]
        result: list[Directive] = []
        for path in paths:
            if path in seen:
                continue
            self.included.add(path)
            config = self.target.parse(path, read_nginx)
            inner = tuple(d.with_source(path) for d in config.directives)
            result += self.inline(inner, (*seen, path))
        return result


def _conf_dir(path: str) -> str:
    """The folder nginx would resolve relative includes from: the main config's, which for
    a snippet in `conf.d/` or `sites-enabled/` is the folder above."""
    folder = posixpath.dirname(path)
    if posixpath.basename(folder) in _SNIPPET_FOLDERS:
        folder = posixpath.dirname(folder)
    return folder or "."


def _roots(target: Target, configs: dict[str, NginxConfig]) -> list[_Root]:
    included: set[str] = set()
    roots: list[_Root] = []
    ordered = sorted(configs, key=lambda p: configs[p].context != "main")
    for path in ordered:
        config = configs[path]
        if path in included or config.context in ("server", "location"):
            continue
        root = _Root(path, config.context, ())
        own = tuple(d.with_source(path) for d in config.directives)
        root.directives = _Inliner(target, _conf_dir(path), root, included).inline(own, (path,))
        roots.append(root)
    return [r for r in roots if r.context == "main" or r.path not in included]


# -- analysis ---------------------------------------------------------------------------------


def _http_levels(root: _Root) -> list[Directive]:
    """The http-level blocks of a root (a snippet's top level counts as one)."""
    if root.context == "main":
        return [d for d in root.directives if d.name == "http" and d.block is not None]
    return [Directive("http", (), 1, root.directives, root.path)]


def _address(text: str) -> tuple[str, str]:
    """(host, port) of `host[:port]`, lower-cased, port 80 when not written."""
    if text.startswith("["):
        host, _, rest = text.partition("]")
        return host.lower() + "]", rest.lstrip(":") or "80"
    host, colon, port = text.partition(":")
    return host.lower(), port if colon else "80"


def _listen_port(address: str) -> str | None:
    if address.startswith("unix:"):
        return None
    if address.isdigit():
        return address
    _, port = _address(address)
    return port if ":" in address else "80"


def _tls_listens(server: Directive) -> list[Directive]:
    return [
        d
        for d in server.children("listen")
        if d.args and "ssl" in d.args[1:] and _listen_port(d.args[0]) == "443"
    ]


@dataclass
class _Candidate:
    location: Directive
    server: Directive
    evidence: list[Evidence]
    problems: list[str]
    unknowns: list[str]


def _levels_for(chain: Sequence[Directive]) -> list[Directive]:
    """The blocks whose proxy_set_header can apply, innermost first."""
    return list(reversed(chain))


def _headers(
    chain: Sequence[Directive],
) -> tuple[dict[str, Directive], Directive | None, Directive | None]:
    """(headers in effect by lower-cased name, the level that defines them, an unresolved
    include met before that level)."""
    for level in _levels_for(chain):
        includes = [d for d in level.block or () if d.name == "include"]
        headers = {
            d.args[0].lower(): d
            for d in level.block or ()
            if d.name == "proxy_set_header" and len(d.args) >= 2
        }
        if headers:
            return headers, level, includes[0] if includes else None
        if includes:
            return {}, None, includes[0]
    return {}, None, None


def _inherited(chain: Sequence[Directive], name: str) -> Directive | None:
    for level in _levels_for(chain):
        found = level.children(name)
        if found:
            return found[-1]
    return None


def _unresolved_in(chain: Sequence[Directive]) -> Directive | None:
    for level in _levels_for(chain):
        includes = level.children("include")
        if includes:
            return includes[0]
    return None


def _locations(
    block: Sequence[Directive], chain: tuple[Directive, ...]
) -> Iterator[tuple[Directive, tuple[Directive, ...]]]:
    for directive in block:
        if directive.name == "location" and directive.block is not None:
            inner = (*chain, directive)
            yield directive, inner
            yield from _locations(directive.block, inner)


def _judge_location(
    http: Directive,
    server: Directive,
    *,
    location: Directive,
    chain: tuple[Directive, ...],
    pass_directive: Directive,
    via: Evidence,
) -> _Candidate:
    candidate = _Candidate(location, server, [], [], [])
    tls = _tls_listens(server)
    http2 = [d for d in server.children("http2") if d.args[:1] == ("on",)]
    h2 = any("http2" in d.args for d in tls) or bool(http2)
    candidate.evidence.append(
        _evidence(tls[0], f"TLS listener on 443{' with HTTP/2' if h2 else ''}")
    )
    if http2:
        candidate.evidence.append(_evidence(http2[0], "HTTP/2 enabled with the http2 directive"))
    server_chain = (http, server)
    for name in ("ssl_certificate", "ssl_certificate_key"):
        found = _inherited(server_chain, name)
        if found is not None:
            candidate.evidence.append(_evidence(found, f"{name} for the TLS server"))
            continue
        include = _unresolved_in(server_chain)
        if include is not None:
            candidate.unknowns.append(
                f"{name} may come from `include {include.args[0]}`, which is not in the target"
            )
        else:
            candidate.problems.append(
                f"the 443 ssl server has no {name}; nginx refuses `listen ... ssl` without one"
            )
    label = " ".join(location.args)
    candidate.evidence += [via, _evidence(pass_directive, f"location {label} proxies to the app")]
    headers, level, include = _headers((http, server, *chain))
    for name, value in REQUIRED_HEADERS.items():
        found = headers.get(name)
        shown = {"host": "Host", "x-real-ip": "X-Real-IP"}[name]
        if found is not None and found.args[1] == value:
            candidate.evidence.append(_evidence(found, f"{shown} {value} in effect"))
        elif include is not None and (found is None or level is None):
            candidate.unknowns.append(
                f"`include {include.args[0]}` (not in the target) may set {shown}"
            )
        elif found is not None:
            candidate.problems.append(f"proxy_set_header {shown} is {found.args[1]}, not {value}")
            candidate.evidence.append(_evidence(found, f"{shown} {found.args[1]} is not {value}"))
        else:
            where = ""
            if level is not None and level is not location:
                where = f" (the {level.name} block's proxy_set_header lines are the ones in effect)"
            elif level is location:
                where = " (the location's own proxy_set_header lines replace inherited ones)"
            candidate.problems.append(f"proxy_set_header {shown} {value} is not in effect{where}")
    return candidate


def _analyse(roots: list[_Root], app: str) -> tuple[str, str, list[Evidence]]:
    """('pass' | 'fail' | 'unknown', summary, evidence) from the configuration alone."""
    app_address = _address(app)
    upstreams: dict[str, Directive] = {}
    matching: dict[str, Directive] = {}
    servers: list[tuple[Directive, Directive]] = []
    for root in roots:
        for http in _http_levels(root):
            for directive in http.block or ():
                if directive.name == "upstream" and directive.args and directive.block is not None:
                    upstreams[directive.args[0]] = directive
                    for server in directive.children("server"):
                        if server.args and _address(server.args[0]) == app_address:
                            matching[directive.args[0]] = server
                elif directive.name == "server" and directive.block is not None:
                    servers.append((http, directive))
    tls_servers = [(h, s) for h, s in servers if _tls_listens(s)]
    candidates: list[_Candidate] = []
    for http, server in tls_servers:
        for location, chain in _locations(server.block or (), ()):
            for proxy in location.children("proxy_pass"):
                target = proxy.args[0] if proxy.args else ""
                scheme, sep, rest = target.partition("://")
                if not sep or scheme not in ("http", "https"):
                    continue
                host = rest.split("/", 1)[0]
                if host in matching:
                    via = _evidence(matching[host], f"upstream {host} serves the app at {app}")
                elif _address(host) == app_address:
                    via = _evidence(proxy, f"proxies straight to {app} (an implicit upstream)")
                else:
                    continue
                candidates.append(
                    _judge_location(
                        http, server, location=location, chain=chain, pass_directive=proxy, via=via
                    )
                )
    if candidates:
        best = min(candidates, key=lambda c: (len(c.problems), len(c.unknowns)))
        if best.problems:
            return "fail", "; ".join(best.problems), best.evidence
        if best.unknowns:
            return "unknown", "; ".join(best.unknowns), best.evidence
        label = " ".join(best.location.args)
        summary = (
            f"nginx terminates TLS on 443 and proxies location {label} to {app} "
            "with Host and X-Real-IP"
        )
        return "pass", summary, best.evidence
    evidence = [
        _evidence(d, f"upstream {name} serves the app at {app}") for name, d in matching.items()
    ]
    evidence += [
        _evidence(u, f"upstream {name} does not point at {app}")
        for name, u in upstreams.items()
        if name not in matching
    ]
    evidence += [_evidence(_tls_listens(s)[0], "TLS listener on 443") for _, s in tls_servers]
    if not tls_servers:
        evidence += [_evidence(s, "server without `listen 443 ssl`") for _, s in servers]
        return "fail", "no server listens on 443 with ssl", evidence
    if not matching:
        return "fail", f"no upstream (or proxy_pass) points at the app at {app}", evidence
    return "fail", f"no location of the 443 ssl server proxies to an upstream of {app}", evidence


# -- nginx -t -----------------------------------------------------------------------------------


def _units(roots: list[_Root]) -> list[Unit]:
    units = [Unit(r.path, r.directives, "main") for r in roots if r.context == "main"]
    snippets = [r for r in roots if r.context == "http"]
    if snippets:
        label = ", ".join(r.path for r in snippets) + " (inside a generated http block)"
        units.append(Unit(label, tuple(d for r in snippets for d in r.directives), "http"))
    return units


def _test_evidence(result: TestResult) -> list[Evidence]:
    evidence = [
        Evidence(
            result.summary,
            path=result.source,
            line=result.line,
            excerpt=result.output or None,
        )
    ]
    evidence += [Evidence(f"scratch copy: {change}") for change in result.changes]
    return evidence


@check(
    "deploy.reverse_proxy",
    external=True,  # runs `nginx -t`
    severity="high",
    related=("gixy:host_spoofing",),
)
def reverse_proxy(
    target: Target,
    *,
    paths: Sequence[str] | None = None,
    upstream: str = "127.0.0.1:8000",
) -> Outcome:
    patterns = list(paths) if paths is not None else list(DEFAULT_PATHS)
    found = sorted({path for pattern in patterns for path in target.glob(pattern)})
    if not found:
        return Outcome.failed(
            "no nginx configuration in the target",
            Evidence(f"looked for {', '.join(patterns)}"),
        )
    configs = {path: target.parse(path, read_nginx) for path in found}
    roots = _roots(target, configs)
    verdict, summary, evidence = _analyse(roots, upstream)
    results = test_units(_units(roots), avoid=(target.root,))
    tested = [e for result in results for e in _test_evidence(result)]
    failed = [r for r in results if r.status == "failed"]
    if failed:
        first = failed[0]
        message = next((m for m in first.output.splitlines() if "[emerg]" in m), "")
        nginx_says = f"{first.summary}: {message}" if message else first.summary
        if verdict == "fail":
            return Outcome.failed(f"{summary}; {nginx_says}", *evidence, *tested)
        return Outcome.failed(nginx_says, *tested, *evidence)
    if verdict == "fail":
        return Outcome.failed(summary, *evidence, *tested)
    if verdict == "unknown":
        return Outcome.unknown(summary, *evidence, *tested)
    undecided = [r for r in results if r.status == "undecided"]
    if undecided:
        return Outcome.unknown(f"{summary}; but {undecided[0].summary}", *tested, *evidence)
    passed = [r for r in results if r.status == "passed"]
    suffix = ""
    if passed and len(passed) == len(results):
        left_out = sorted(
            {e.split(" ", 1)[0] for r in passed for e in r.left_out if not e.startswith("include ")}
        )
        suffix = "; nginx -t passed"
        if left_out:  # not validated by nginx: the static verdict stands for them
            suffix += f" (left out of the test, not validated: {', '.join(left_out)})"
    return Outcome.passed(summary + suffix, *evidence, *tested)
