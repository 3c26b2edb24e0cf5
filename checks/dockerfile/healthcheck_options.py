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

日本語: ヘルスチェックのオプション: タイミングを明記し /health を確認する

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしの `docker build` と同じく
    最後のステージ）から作られるイメージで有効な HEALTHCHECK を確認します。ステージ自身の
    ものか、`FROM` に使った前段のステージから継承したもので、最後のものが有効になり、
    `HEALTHCHECK NONE` は無効化です。フラグは BuildKit と同じように読みます。ガイドは
    タイミングのオプションとアプリケーションの確認を求めています:

    - `--interval`、`--timeout`、`--start-period`、`--retries` がすべて明記されていること。
      タイミングを Docker の既定値（30s、30s、0s、3）任せにせず、意図して決めるためです。
    - timeout が interval より短いこと。
    - コマンドがアプリケーションを確認すること。HTTP リクエスト（`curl`、`wget`、Python や
      Node のワンライナー）、TCP の確認（`nc -z`、`pg_isready`）、アプリケーション自身の CLI
      やスクリプトはいずれも数えます。何があっても正常と報告するコマンドは不合格です:
      `true`、`exit 0`、`echo ok`、失敗が隠される確認（`curl ... || true`、`... || exit 0`、
      `...; exit 0`）。Docker が見るのは終了ステータスだけだからです。

    パラメータ `path`（例: `/health`）を指定すると、そのエンドポイントを、HTTP ステータスが
    終了ステータスに反映されるツールで要求していることも求めます: `-f`/`--fail`/
    `--fail-with-body` 付きの `curl`（`-fsS` のようなまとめ書きも可）、`wget`（4xx と 5xx で
    0 以外を返します）、`urllib.request.urlopen` か `raise_for_status()` を使う Python の
    ワンライナー、`statusCode` を確認して終了する Node のワンライナーです。このチェックが
    中身を読めないコマンドはその場合 unknown（未計測）です。シェル形式、exec 形式、`sh -c`
    は同じように読みます。Trivy の DS-0026 と Checkov の CKV_DOCKER_2 は HEALTHCHECK の
    有無だけを問います（それは `dockerfile.healthcheck` です）。このチェックは、それが何を
    するかを判定します。

なぜ重要か:
    タイミングを明記すると、起動の遅いサービスが異常と報告されること（start period）や、
    固まった確認が積み重なること（interval より短い timeout）を防げます。常に成功する確認は
    壊れたサービスを正常と報告するため、オーケストレーターは再起動も切り離しもしません。

修正方法:
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD curl -f
    http://localhost:8000/health || exit 1`。curl のないイメージでは
    `CMD ["python", "-c", "import urllib.request;
    urllib.request.urlopen('http://localhost:8000/health', timeout=4)"]` か、
    アプリケーション自身の確認コマンドを使います。
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from checklists import Evidence, Outcome, Target, check, join, tr
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
            other = sorted(set(requested)) or tr("no URL", "URL なし")
            return Probe(
                False,
                tr(
                    "{program} requests {other}, not {path}",
                    "{program} が要求するのは {other} で、{path} ではない",
                    program=program,
                    other=other,
                    path=path,
                ),
            )
        if program == "wget":
            return Probe(
                True,
                tr(
                    "wget requests {path} and exits non-zero on an HTTP error",
                    "wget が {path} を要求し、HTTP エラーでは 0 以外で終了",
                    path=path,
                ),
            )
        if not _curl_fails(cmd.args):
            return Probe(
                False,
                tr(
                    "curl without -f/--fail exits 0 on an HTTP 500",
                    "-f/--fail のない curl は HTTP 500 でも 0 で終了する",
                ),
            )
        return Probe(True, tr("curl -f requests {path}", "curl -f が {path} を要求", path=path))
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
        return Probe(
            False,
            tr(
                "the {program} one-liner does not request {path}",
                "{program} のワンライナーは {path} を要求していない",
                program=program,
                path=path,
            ),
        )
    if not checks:
        return Probe(
            False,
            tr(
                "the {program} one-liner does not fail on an HTTP error status",
                "{program} のワンライナーは HTTP エラーステータスで失敗しない",
                program=program,
            ),
        )
    return Probe(
        True,
        tr(
            "a {program} one-liner requests {path} and fails on an HTTP error",
            "{program} のワンライナーが {path} を要求し、HTTP エラーで失敗する",
            program=program,
            path=path,
        ),
    )


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
        return tr(
            "the healthcheck only runs `{shown}`, which always succeeds",
            "ヘルスチェックは常に成功する `{shown}` を実行するだけ",
            shown=shown,
        )
    if end.before in ("||", ";"):
        return tr(
            "the healthcheck ends with `{before} {shown}`, so it succeeds even when the probe "
            "fails",
            "ヘルスチェックが `{before} {shown}` で終わるため、確認が失敗しても成功になる",
            before=end.before,
            shown=shown,
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
            paths = sorted(set(_url_paths(cmd.args, short, long))) or tr("a URL", "URL")
            return tr(
                "an HTTP request to {paths} ({program})",
                "{paths} への HTTP リクエスト（{program}）",
                paths=paths,
                program=cmd.program,
            )
    programs = [c.program for c in _expanded(cmds)]
    if any(p in _TCP for p in programs):
        return tr("a connection check", "接続の確認")
    if any(_PYTHON.fullmatch(p) or p in ("node", "nodejs") for p in programs):
        return tr("an interpreter one-liner", "インタープリターのワンライナー")
    if cmds:
        return tr("the command {name}", "コマンド {name}", name=cmds[0].argv[0])
    return tr("a command", "コマンド")


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
                tr("the final stage has no HEALTHCHECK", "最終ステージに HEALTHCHECK がない"),
                parsed.at(
                    dockerfile,
                    final.from_instruction,
                    tr("the final stage starts here", "最終ステージの開始位置"),
                ),
            )
        found = read_healthcheck(setting.instruction)
        if found.disabled:
            return Outcome.failed(
                tr(
                    "HEALTHCHECK NONE disables the healthcheck",
                    "HEALTHCHECK NONE でヘルスチェックが無効",
                ),
                parsed.at(
                    dockerfile,
                    setting.instruction,
                    tr("the healthcheck in effect", "有効なヘルスチェック"),
                ),
            )
        options = found.options
        timing = " ".join(f"{name}={options[name]}" for name in _TIMING)
        problems: list[str] = []
        missing = [f"--{name}" for name in _TIMING if name not in found.written]
        if missing:
            problems.append(
                tr(
                    "{missing} not set (Docker's default applies)",
                    "{missing} の指定がない（Docker の既定値が適用される）",
                    missing=missing,
                )
            )
        if go_duration(options["timeout"]) >= go_duration(options["interval"]):
            problems.append(
                tr(
                    "the timeout {timeout} is not shorter than the interval {interval}",
                    "timeout {timeout} が interval {interval} より短くない",
                    timeout=options["timeout"],
                    interval=options["interval"],
                )
            )
        evidence: list[Evidence] = [
            parsed.at(
                dockerfile,
                setting.instruction,
                tr(
                    "healthcheck in effect: {timing}",
                    "有効なヘルスチェック: {timing}",
                    timing=timing,
                ),
            )
        ]
        script, cmds = _script(found)
        masked = _always_healthy(found, script, cmds)
        if masked:
            problems.append(masked)
        if path is None:
            if problems:
                return Outcome.failed(join(problems, "; ", "。"), *evidence)
            kind = _probe_kind(cmds)
            return Outcome.passed(
                tr(
                    "the healthcheck probes with {kind}; {timing}",
                    "ヘルスチェックの確認方法: {kind}。{timing}",
                    kind=kind,
                    timing=timing,
                ),
                *evidence,
                value=timing,
            )
        probes = [p for c in _expanded(cmds) if (p := _probe(c, path)) is not None]
        good = [p for p in probes if p.ok]
        if not good:
            if probes:
                problems.extend(p.note for p in probes)
            elif not problems:
                shown = " ".join(cmds[0].argv) if cmds else script
                return Outcome.unknown(
                    tr(
                        "the healthcheck runs `{shown}`, which this check cannot see into: "
                        "whether it probes {path} is unknown",
                        "ヘルスチェックが実行する `{shown}` の中身はこのチェックから読めないため、"
                        "{path} を確認しているかは不明",
                        shown=shown,
                        path=path,
                    ),
                    *evidence,
                )
            else:
                problems.append(
                    tr(
                        "whether the command probes {path} cannot be seen",
                        "コマンドが {path} を確認しているかは読み取れない",
                        path=path,
                    )
                )
        if problems:
            return Outcome.failed(join(problems, "; ", "。"), *evidence)
        return Outcome.passed(
            tr("{note}; {timing}", "{note}。{timing}", note=good[0].note, timing=timing),
            *evidence,
            value=timing,
        )


def _expanded(cmds: list[Command]) -> list[Command]:
    """The commands, with a nested `sh -c '...'` opened up."""
    out: list[Command] = []
    for cmd in cmds:
        if cmd.program in _SHELLS and "-c" in cmd.args[:-1]:
            out.extend(c for c in commands(cmd.args[cmd.args.index("-c") + 1]) if c.argv)
        else:
            out.append(cmd)
    return out
