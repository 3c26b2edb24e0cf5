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

日本語: リバースプロキシ設定: nginx が 443 で TLS を終端しクライアント情報付きで中継する

何を確認するか:
    ターゲットにある nginx の設定（パラメータ `paths` の glob。既定は `nginx/*.conf`、
    `nginx/conf.d/*.conf`、`deploy/nginx/*.conf`、`nginx.conf`）を NGINX の crossplane と
    そのディレクティブ表で解析し（nginx が許さない場所にあるディレクティブはエラーです）、
    ガイドの例と同じく次を備えていることを確認します:

    * `server` がアプリケーション（パラメータ `upstream`、既定は `127.0.0.1:8000`。ホストと
      ポートを比べ、ポートの記載がなければ 80）である `upstream`。そのアドレスへ直接中継する
      location（`proxy_pass http://127.0.0.1:8000`）も数えます。nginx がそれから暗黙の
      upstream を作るからです。
    * 443 で TLS を待ち受ける `server`: `listen 443 ssl`、`listen [::]:443 ssl`、
      `listen 443 ssl http2`、または `http2 on;`（nginx 1.25.1 以降）付きのもの。
      `ssl_certificate` と `ssl_certificate_key`（自身のものか `http` から継承したもの）が
      必要です。nginx は証明書のない `listen ... ssl` を拒否するため、ガイドの省略した例
      だけでは合格しません。`ssl on;`（nginx 1.25.1 で削除）は数えません。
    * その server の中に、`proxy_pass http://<upstream 名>`（または https）と、そこで有効な
      ヘッダー `proxy_set_header Host $host` と `proxy_set_header X-Real-IP $remote_addr`
      を持つ `location`。ヘッダーは nginx と同じように継承します: 自分の
      `proxy_set_header` を 1 つでも持つレベルは、外側のレベルのものをすべて置き換えます。
      `Host $http_host` は数えません。クライアントのヘッダーを検証せずに渡すからです
      （gixy の host_spoofing）。

    include はターゲットの中でだけ辿ります: メインの設定のフォルダー（`conf.d/` や
    `sites-enabled/` のスニペットなら、その 1 つ上のフォルダー）からの相対パスと、
    `<そのフォルダー>/<残り>` に対応させた `/etc/nginx/<残り>`（よくあるバインドマウント）です。
    解決できない include（Debian のパッケージの `include proxy_params;`）は適用内容を変え
    うるため、足りないヘッダーや証明書をそれが補いうる場合は unknown（未計測）とします。

    `nginx` のバイナリがインストールされていれば、設定を `nginx -t` でも検証します。外部
    プログラムを実行する唯一のチェックです。システムの nginx（と、使い捨ての自己署名証明書の
    ための `openssl`）を、作業用フォルダーに書き換えたコピーに対して実行し、ターゲットの
    ファイルそのものには実行しません: nginx に渡すのは許可リストにあるディレクティブだけで
    （OpenSSL のエンジンやコマンド、モジュール、パスワードファイルなど、コードを読み込んだり
    ターゲットが指定するファイルを開いたりするものは除外し、根拠にその名前を示します）、
    待ち受けアドレスは Unix ソケットに（ネットワークで待ち受けない）、ホスト名は 127.0.0.1 に
    （DNS を引かない）、証明書、ログ、pid、一時ファイルのパスは作業用フォルダーに向けます。
    nginx は空の OpenSSL 設定、リソース制限、タイムアウト付きで、ビルドが root で動くときは
    `nobody` として、`unshare` が使えれば空のネットワーク名前空間で実行します。`nginx -t` が
    失敗すればチェックも不合格で、nginx のメッセージはターゲットのファイルと行に対応させて
    示します。テストから除外したディレクティブが定義しうる変数で失敗した場合は unknown
    （未計測）です。nginx がなければ根拠に「nginx -t は未実行（nginx がインストールされて
    いない）」と示し、静的な判定がそのまま残ります。インストールされた nginx があるディレク
    ティブ（`http3`、`quic`）に対して古すぎる場合も同様に示し、テストから除外した
    ディレクティブは未検証として要約に名前を挙げます。

なぜ重要か:
    アプリケーションは 127.0.0.1 で平文の HTTP を待ち受けており、インターネットに面してよい
    のはプロキシだけです。プロキシが TLS を終端します。`Host` と `X-Real-IP` がないと、
    アプリケーションにはクライアントではなくプロキシのアドレスと名前が見え、リダイレクト、
    レート制限、監査ログが壊れます。

修正方法:
    たとえば `nginx/conf.d/api.conf` に `upstream backend { server 127.0.0.1:8000; }` と
    `server { listen 443 ssl; http2 on; ssl_certificate ...; ssl_certificate_key ...;
    location / { proxy_pass http://backend; proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr; } }` を追加し、`nginx -t` を実行します。
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from checklists import Evidence, InputError, Outcome, Target, check, join, tr
from checklists_sandbox.nginx_scratch import TestResult, Unit, test_units
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
        _evidence(
            tls[0],
            tr("TLS listener on 443 with HTTP/2", "443 の TLS 待ち受け（HTTP/2）")
            if h2
            else _TLS_LISTENER,
        )
    )
    if http2:
        candidate.evidence.append(
            _evidence(
                http2[0],
                tr(
                    "HTTP/2 enabled with the http2 directive",
                    "http2 ディレクティブで HTTP/2 を有効化",
                ),
            )
        )
    server_chain = (http, server)
    for name in ("ssl_certificate", "ssl_certificate_key"):
        found = _inherited(server_chain, name)
        if found is not None:
            candidate.evidence.append(
                _evidence(
                    found,
                    tr("{name} for the TLS server", "TLS の server の {name}", name=name),
                )
            )
            continue
        include = _unresolved_in(server_chain)
        if include is not None:
            candidate.unknowns.append(
                tr(
                    "{name} may come from `include {include}`, which is not in the target",
                    "{name} はターゲットにない `include {include}` から来るかもしれない",
                    name=name,
                    include=include.args[0],
                )
            )
        else:
            candidate.problems.append(
                tr(
                    "the 443 ssl server has no {name}; nginx refuses `listen ... ssl` without one",
                    "443 ssl の server に {name} がない。nginx はそれのない `listen ... ssl` を"
                    "拒否する",
                    name=name,
                )
            )
    label = " ".join(location.args)
    candidate.evidence += [
        via,
        _evidence(
            pass_directive,
            tr(
                "location {label} proxies to the app",
                "location {label} がアプリケーションへ中継",
                label=label,
            ),
        ),
    ]
    headers, level, include = _headers((http, server, *chain))
    for name, value in REQUIRED_HEADERS.items():
        found = headers.get(name)
        shown = {"host": "Host", "x-real-ip": "X-Real-IP"}[name]
        if found is not None and found.args[1] == value:
            candidate.evidence.append(
                _evidence(
                    found,
                    tr(
                        "{header} {value} in effect",
                        "{header} {value} が有効",
                        header=shown,
                        value=value,
                    ),
                )
            )
        elif include is not None and (found is None or level is None):
            candidate.unknowns.append(
                tr(
                    "`include {include}` (not in the target) may set {header}",
                    "`include {include}`（ターゲットにない）が {header} を設定するかもしれない",
                    include=include.args[0],
                    header=shown,
                )
            )
        elif found is not None:
            candidate.problems.append(
                tr(
                    "proxy_set_header {header} is {actual}, not {value}",
                    "proxy_set_header {header} が {value} ではなく {actual}",
                    header=shown,
                    actual=found.args[1],
                    value=value,
                )
            )
            candidate.evidence.append(
                _evidence(
                    found,
                    tr(
                        "{header} {actual} is not {value}",
                        "{header} {actual} は {value} ではない",
                        header=shown,
                        actual=found.args[1],
                        value=value,
                    ),
                )
            )
        else:
            where: str = ""
            if level is not None and level is not location:
                where = tr(
                    " (the {block} block's proxy_set_header lines are the ones in effect)",
                    "（有効なのは {block} ブロックの proxy_set_header の行）",
                    block=level.name,
                )
            elif level is location:
                where = tr(
                    " (the location's own proxy_set_header lines replace inherited ones)",
                    "（location 自身の proxy_set_header の行が継承したものを置き換える）",
                )
            candidate.problems.append(
                tr(
                    "proxy_set_header {header} {value} is not in effect{where}",
                    "proxy_set_header {header} {value} が有効でない{where}",
                    header=shown,
                    value=value,
                    where=where,
                )
            )
    return candidate


_TLS_LISTENER = tr("TLS listener on 443", "443 の TLS 待ち受け")


def _serves(name: str, app: str) -> str:
    return tr(
        "upstream {name} serves the app at {app}",
        "upstream {name} が {app} のアプリケーションを提供",
        name=name,
        app=app,
    )


def _analyse(roots: list[_Root], app: str) -> tuple[str, str, list[Evidence]]:
    """('pass' | 'fail' | 'unknown', summary, evidence) from the configuration alone."""
    app_address = _address(app)
    upstreams, matching, servers = _blocks(roots, app_address)
    tls_servers = [(h, s) for h, s in servers if _tls_listens(s)]
    candidates = _candidates(tls_servers, matching, app, app_address)
    if candidates:
        return _best(candidates, app)
    return _no_route(app, upstreams, matching, servers, tls_servers)


def _blocks(
    roots: list[_Root], app_address: tuple[str, str]
) -> tuple[dict[str, Directive], dict[str, Directive], list[tuple[Directive, Directive]]]:
    """Every upstream, those with a server at the app's address, and every (http, server)."""
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
    return upstreams, matching, servers


def _candidates(
    tls_servers: list[tuple[Directive, Directive]],
    matching: dict[str, Directive],
    app: str,
    app_address: tuple[str, str],
) -> list[_Candidate]:
    """Each location of a TLS server that proxies to the app, judged."""
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
                    via = _evidence(matching[host], _serves(host, app))
                elif _address(host) == app_address:
                    via = _evidence(
                        proxy,
                        tr(
                            "proxies straight to {app} (an implicit upstream)",
                            "{app} へ直接中継（暗黙の upstream）",
                            app=app,
                        ),
                    )
                else:
                    continue
                candidates.append(
                    _judge_location(
                        http, server, location=location, chain=chain, pass_directive=proxy, via=via
                    )
                )
    return candidates


def _best(candidates: list[_Candidate], app: str) -> tuple[str, str, list[Evidence]]:
    """The verdict of the location with the fewest problems, then the fewest unknowns."""
    best = min(candidates, key=lambda c: (len(c.problems), len(c.unknowns)))
    if best.problems:
        return "fail", join(best.problems, "; ", "。"), best.evidence
    if best.unknowns:
        return "unknown", join(best.unknowns, "; ", "。"), best.evidence
    summary = tr(
        "nginx terminates TLS on 443 and proxies location {label} to {app} with Host and X-Real-IP",
        "nginx が 443 で TLS を終端し、location {label} を Host と X-Real-IP 付きで {app} へ中継",
        label=" ".join(best.location.args),
        app=app,
    )
    return "pass", summary, best.evidence


def _no_route(
    app: str,
    upstreams: dict[str, Directive],
    matching: dict[str, Directive],
    servers: list[tuple[Directive, Directive]],
    tls_servers: list[tuple[Directive, Directive]],
) -> tuple[str, str, list[Evidence]]:
    """Why no location proxies to the app: no TLS server, no upstream, or no location."""
    evidence = [_evidence(d, _serves(name, app)) for name, d in matching.items()]
    evidence += [
        _evidence(
            u,
            tr(
                "upstream {name} does not point at {app}",
                "upstream {name} は {app} を指していない",
                name=name,
                app=app,
            ),
        )
        for name, u in upstreams.items()
        if name not in matching
    ]
    evidence += [_evidence(_tls_listens(s)[0], _TLS_LISTENER) for _, s in tls_servers]
    if not tls_servers:
        evidence += [
            _evidence(s, tr("server without `listen 443 ssl`", "`listen 443 ssl` のない server"))
            for _, s in servers
        ]
        return (
            "fail",
            tr("no server listens on 443 with ssl", "443 で ssl を待ち受ける server がない"),
            evidence,
        )
    if not matching:
        return (
            "fail",
            tr(
                "no upstream (or proxy_pass) points at the app at {app}",
                "{app} のアプリケーションを指す upstream（や proxy_pass）がない",
                app=app,
            ),
            evidence,
        )
    return (
        "fail",
        tr(
            "no location of the 443 ssl server proxies to an upstream of {app}",
            "443 ssl の server に、{app} の upstream へ中継する location がない",
            app=app,
        ),
        evidence,
    )


# -- nginx -t -----------------------------------------------------------------------------------


def _units(roots: list[_Root]) -> list[Unit]:
    units = [Unit(r.path, r.directives, "main") for r in roots if r.context == "main"]
    snippets = [r for r in roots if r.context == "http"]
    if snippets:
        label = tr(
            "{paths} (inside a generated http block)",
            "{paths}（生成した http ブロックの中）",
            paths=", ".join(r.path for r in snippets),
        )
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
    evidence += [
        Evidence(tr("scratch copy: {change}", "作業用コピー: {change}", change=change))
        for change in result.changes
    ]
    return evidence


# radon D: the static reading and `nginx -t` combine into one outcome, with each one's unknowns.
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
            tr("no nginx configuration in the target", "ターゲットに nginx の設定がない"),
            Evidence(
                tr("looked for {patterns}", "{patterns} を探した", patterns=", ".join(patterns))
            ),
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
        nginx_says = (
            tr(
                "{summary}: {message}",
                "{summary}:「{message}」",
                summary=first.summary,
                message=message,
            )
            if message
            else first.summary
        )
        if verdict == "fail":
            both = tr("{summary}; {nginx}", "{summary}。{nginx}", summary=summary, nginx=nginx_says)
            return Outcome.failed(both, *evidence, *tested)
        return Outcome.failed(nginx_says, *tested, *evidence)
    if verdict == "fail":
        return Outcome.failed(summary, *evidence, *tested)
    if verdict == "unknown":
        return Outcome.unknown(summary, *evidence, *tested)
    undecided = [r for r in results if r.status == "undecided"]
    if undecided:
        return Outcome.unknown(
            tr(
                "{summary}; but {undecided}",
                "{summary}。ただし {undecided}",
                summary=summary,
                undecided=undecided[0].summary,
            ),
            *tested,
            *evidence,
        )
    passed = [r for r in results if r.status == "passed"]
    if passed and len(passed) == len(results):
        left_out = sorted(
            {e.split(" ", 1)[0] for r in passed for e in r.left_out if not e.startswith("include ")}
        )
        if left_out:  # not validated by nginx: the static verdict stands for them
            summary = tr(
                "{summary}; nginx -t passed (left out of the test, not validated: {left_out})",
                "{summary}。nginx -t も成功（テストから除外し未検証: {left_out}）",
                summary=summary,
                left_out=", ".join(left_out),
            )
        else:
            summary = tr(
                "{summary}; nginx -t passed", "{summary}。nginx -t も成功", summary=summary
            )
    return Outcome.passed(summary, *evidence, *tested)
