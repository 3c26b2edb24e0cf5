"""Graceful shutdown: the application is PID 1 (or under an init) and receives SIGTERM.

What it checks:
    The command the image built for the target stage (parameter `target`; by default the
    last stage, as `docker build` without `--target`) starts with, as the Docker engine
    builds it: the effective ENTRYPOINT followed by the effective CMD of the stage and the
    earlier stages it is built FROM. As in BuildKit, an ENTRYPOINT resets a CMD inherited
    from an earlier stage unless the same stage sets CMD too, and the shell form
    (`CMD uvicorn app:app`) becomes `SHELL` (default `/bin/sh -c`) plus the text. The chain
    is followed to the process that becomes PID 1 and receives `docker stop`'s signal:

    - an exec-form program (`CMD ["uvicorn", "app:app"]`) is PID 1 itself;
    - an init as ENTRYPOINT (`tini`, `dumb-init`, `catatonit`, `docker-init`, s6-overlay's
      `/init`) passes when the child it starts is judged to receive the signal, or when it
      signals the whole process group (`dumb-init` by default, `tini -g`);
    - an entrypoint script that a COPY/ADD of this Dockerfile puts in the image (or a
      heredoc) is read from the build context and followed: through a final
      `case "$1" in` to the branch the CMD selects, and into a function the last command
      calls. A script that ends with `exec "$@"` hands PID 1 to the CMD, which is judged in
      turn; `exec <program>` hands it to that program; a last command without `exec`
      leaves the script's shell as PID 1 (no shell replaces itself when running a script
      file). A script that is not in the target is unknown;
    - a shell's `-c` script (the shell form, or `["sh", "-c", "..."]`) passes when its last
      command runs with `exec`. Without `exec` it depends on the shell, as checked against
      the real programs (tests/readers/test_shell_semantics.py): `dash` (Debian's /bin/sh,
      0.5.12, which disables the `-c` optimisation) always stays PID 1; `bash` (5.2, also
      /bin/sh of Fedora and RHEL images) replaces itself with the script's last simple
      command when it has no redirection, pipe, `&` or earlier `trap`; BusyBox `ash`
      (Alpine's /bin/sh, 1.35) does the same, also with a redirection, unless a newline
      follows the command. Which shell /bin/sh is comes from the base image
      of the chain: Alpine and BusyBox images, Debian/Ubuntu images and the official
      images built on them, Fedora/RHEL-family images. When the base does not tell and the
      shells would disagree, the outcome is unknown.

    `docker run --init` and Compose's `init: true` put docker-init (tini) in front at run
    time; it forwards SIGTERM only to its direct child, so it does not help a shell that runs
    the application as its child, and the verdict does not depend on it. A base image's own
    ENTRYPOINT and CMD are not visible: with no ENTRYPOINT or CMD in the Dockerfile the
    outcome is unknown. STOPSIGNAL, when set, is shown in the evidence: it is the signal
    `docker stop` sends instead of SIGTERM.

    The part `exec_form` of the answer is the narrower question hadolint's DL3025 and
    BuildKit's JSONArgsRecommended ask: the ENTRYPOINT and CMD that start the application
    are written in exec (JSON) form, or their shell script ends with an explicit `exec`.

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

日本語: グレースフルシャットダウン: アプリケーションが PID 1（か init の配下）で SIGTERM を受け取る

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしの `docker build` と同じく
    最後のステージ）から作られるイメージの起動コマンドを、Docker エンジンと同じように組み
    立てて確認します。そのステージと `FROM` に使った前段のステージで有効な ENTRYPOINT に、
    有効な CMD を続けたものです。BuildKit と同じく、ENTRYPOINT は前段から継承した CMD を
    リセットします（同じステージで CMD も指定した場合を除く）。シェル形式
    （`CMD uvicorn app:app`）は `SHELL`（既定は `/bin/sh -c`）に本文を続けたものになります。
    PID 1 になって `docker stop` のシグナルを受け取るプロセスまで、次のように辿ります:

    - exec 形式のプログラム（`CMD ["uvicorn", "app:app"]`）は、それ自身が PID 1 です。
    - ENTRYPOINT の init（`tini`、`dumb-init`、`catatonit`、`docker-init`、s6-overlay の
      `/init`）は、起動する子プロセスがシグナルを受け取ると判定できる場合か、プロセスグループ
      全体にシグナルを送る場合（`dumb-init` の既定、`tini -g`）に合格です。
    - この Dockerfile の COPY/ADD がイメージに置くエントリーポイントスクリプト（または
      ヒアドキュメント）は、ビルドコンテキストから読んで辿ります。最後の `case "$1" in` では
      CMD が選ぶ分岐へ、最後のコマンドが呼ぶ関数の中へと進みます。`exec "$@"` で終わる
      スクリプトは PID 1 を CMD に渡し、その CMD を続けて判定します。`exec <プログラム>` は
      そのプログラムに渡します。`exec` のない最後のコマンドでは、スクリプトのシェルが PID 1 の
      ままです（スクリプトファイルを実行するとき、自分を置き換えるシェルはありません）。
      ターゲットにないスクリプトは unknown（未計測）です。
    - シェルの `-c` スクリプト（シェル形式、または `["sh", "-c", "..."]`）は、最後のコマンドを
      `exec` で実行していれば合格です。`exec` がない場合はシェルによって異なり、実際の
      プログラムで確認しています（tests/readers/test_shell_semantics.py）: `dash`（Debian の
      /bin/sh、0.5.12。`-c` の最適化を無効にしています）は常に PID 1 のままです。`bash`
      （5.2。Fedora や RHEL のイメージの /bin/sh でもあります）は、リダイレクト、パイプ、`&`、
      先行する `trap` がなければ、スクリプトの最後の単純コマンドで自分を置き換えます。BusyBox
      の `ash`（Alpine の /bin/sh、1.35）も同じで、リダイレクトがあっても置き換えますが、
      コマンドの後に改行が続く場合は置き換えません。/bin/sh がどのシェルかはチェーンのベース
      イメージで決めます: Alpine と BusyBox のイメージ、Debian/Ubuntu のイメージとそれを基に
      した公式イメージ、Fedora/RHEL 系のイメージです。ベースから分からず、シェルによって結果が
      変わる場合は unknown（未計測）です。

    `docker run --init` と Compose の `init: true` は実行時に docker-init（tini）を前に置き
    ますが、SIGTERM を転送するのは直接の子だけなので、アプリケーションを子として実行する
    シェルの助けにはならず、判定もそれに依存しません。ベースイメージ自身の ENTRYPOINT と CMD は
    見えないため、Dockerfile に ENTRYPOINT も CMD もなければ unknown（未計測）です。STOPSIGNAL
    が指定されていれば根拠に示します。`docker stop` が SIGTERM の代わりに送るシグナルです。

    部分 `exec_form` は、hadolint の DL3025 と BuildKit の JSONArgsRecommended が問う、より狭い
    問いへの答えです: アプリケーションを起動する ENTRYPOINT と CMD が exec（JSON）形式で書かれて
    いるか、そのシェルスクリプトが明示的な `exec` で終わっているか。

なぜ重要か:
    `docker stop` のとき、ローリングアップデートのとき、オーケストレーターがスケールダウン
    するとき、エンジンは PID 1 に SIGTERM を送り、猶予期間（既定 10 秒）のあとに残りを SIGKILL
    で終了させます。SIGTERM を受け取れないアプリケーションは、処理中のリクエストを終えることも、
    データベース接続を閉じることも、ログを書き出すこともできません。デプロイのたびに
    リクエストが失われ、停止のたびに猶予期間をまるごと待つことになります。

修正方法:
    CMD と ENTRYPOINT を exec（JSON）形式で書きます:
    `CMD ["uvicorn", "src.main:app", "--host", "0.0.0.0", "--port", "8000"]`。
    シェルが必要なら、スクリプトを `exec` で終えます。例:
    `CMD ["sh", "-c", "alembic upgrade head && exec uvicorn src.main:app"]`。
    エントリーポイントスクリプトは `exec "$@"` で終えるか、`ENTRYPOINT ["tini", "--"]` の
    ような init を使います。
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checklists import Evidence, InputError, Outcome, Status, Target, check, tr
from checks.common import ParsedDockerfile, context_of, load_build, read_base
from checks.dockerfile._errors import located
from checks.readers.build_model import Build
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import copy_parts, expand, flag_value, shell_script
from checks.readers.image_reference import DOCKER_HUB
from checks.readers.run_mount import join_path
from checks.readers.shell import command, commands, replaces_itself, script_end, tail

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_INITS = frozenset({"tini", "tini-static", "dumb-init", "catatonit", "docker-init"})
_INIT_VALUED = {"tini": frozenset({"-p", "-e"}), "dumb-init": frozenset({"-r", "--rewrite"})}
_SHELL_VALUED = frozenset({"-o", "+o", "-O", "+O"})
_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_ARGS = ("$@", "$*", "${@}", "${*}")

# Which program /bin/sh is, by the base image of the chain. Debian and Ubuntu link it to
# dash, Alpine and BusyBox images to BusyBox ash, the Fedora/RHEL family to bash. The
# official images listed are built on Debian or Ubuntu unless their tag names another
# variant (alpine); a tag that names a Debian or Ubuntu release tells as much.
_DASH_IMAGES = frozenset(
    {
        *("debian", "ubuntu", "python", "node", "golang", "ruby", "php", "perl", "rust"),
        *("nginx", "httpd", "redis", "postgres", "buildpack-deps", "gcc", "r-base", "erlang"),
        *("elixir", "haskell", "julia", "eclipse-temurin", "maven", "gradle", "tomcat"),
        *("mariadb", "mongo", "rabbitmq", "memcached", "ghost", "wordpress", "drupal"),
    }
)
_BASH_IMAGES = frozenset(
    {
        *("fedora", "centos", "rockylinux", "almalinux", "oraclelinux", "amazonlinux"),
        *("ubi", "ubi-minimal", "ubi8", "ubi9", "ubi10", "ubi8-minimal", "ubi9-minimal"),
        *("ubi8/ubi", "ubi9/ubi", "ubi8/ubi-minimal", "ubi9/ubi-minimal", "mysql"),
    }
)
_DEBIAN_TAGS = frozenset(
    {
        *("bookworm", "bullseye", "buster", "stretch", "trixie", "forky", "sid", "slim"),
        *("jammy", "noble", "focal", "bionic", "xenial", "plucky", "questing", "oracular"),
    }
)


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


def _copies(parsed: ParsedDockerfile, build: Build) -> tuple[Copy, ...]:
    """The COPY/ADD from the build context in the image's chain, in order."""
    escape = parsed.dockerfile.escape
    workdir = "/"
    copies: list[Copy] = []
    for _, instruction, variables in build.walk_chain():
        keyword = instruction.keyword
        if keyword == "workdir" and instruction.args:
            workdir = join_path(workdir, expand(instruction.args[0], variables, escape=escape).text)
        elif keyword in ("copy", "add") and flag_value(instruction, "from") is None:
            copies.append(Copy(instruction, workdir, variables))
    return tuple(copies)


# radon D: one branch per package manager and base-image family that tells /bin/sh apart.
def _system_shell(parsed: ParsedDockerfile, build: Build, path: str) -> str | None:
    """The program /bin/sh is in the image ("dash", "bash", "busybox"), None if unknown:
    from the package manager the image's RUNs use (apt-get: Debian or Ubuntu; apk: Alpine;
    dnf, microdnf, yum: the Fedora/RHEL family), else from the base image's name."""
    for _, instruction, _ in build.walk_chain():
        if instruction.keyword != "run":
            continue
        programs = {c.program for c in commands(shell_script(instruction))}
        if programs & {"apt-get", "apt", "dpkg"}:
            return "dash"
        if "apk" in programs:
            return "busybox"
        if programs & {"dnf", "microdnf", "yum", "rpm"}:
            return "bash"
    root = build.root
    if root.base == "scratch" or "$" in root.base:
        return None
    try:
        written = read_base(root, path)
    except InputError:
        return None
    name = written.name
    if name is None:
        return None
    repository = name.path.removeprefix("library/")
    short = repository.rsplit("/", 1)[-1]
    tag = (written.tag or "").lower()
    words = set(tag.replace("_", "-").replace(".", "-").split("-"))
    if "distroless" in name.path or name.domain == "cgr.dev":
        return None
    if short in ("alpine", "busybox") or "alpine" in tag or "alpine" in short:
        return "busybox"
    if (repository in _DASH_IMAGES and name.domain == DOCKER_HUB) or words & _DEBIAN_TAGS:
        return "dash"
    if short in _BASH_IMAGES or repository in _BASH_IMAGES or "ubi" in repository.split("/")[0]:
        return "bash"
    return None


def _words(instruction: Instruction | None, shell: tuple[str, ...]) -> list[str]:
    if instruction is None:
        return []
    if instruction.json_form:
        return list(instruction.args)
    return [*shell, " ".join(instruction.args)] if instruction.args else []


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


class _Judge:
    def __init__(
        self, target: Target, parsed: ParsedDockerfile, build: Build, path: str, context: str
    ) -> None:
        self.target = target
        self.parsed = parsed
        self.build = build
        self.path = path
        self.context = context
        self.config = build.config
        self.copies = _copies(parsed, build)
        self.system_shell = _system_shell(parsed, build, path)

    def process(self, argv: Sequence[str], depth: int = 0) -> Verdict:
        if not argv or depth > 6:
            return Verdict(None, tr("the command is empty", "コマンドが空"))
        program = argv[0].rsplit("/", 1)[-1]
        if argv[0] in _ARGS:
            return Verdict(
                None,
                tr(
                    "the command comes from the arguments of a script",
                    "コマンドはスクリプトの引数から来る",
                ),
            )
        if argv[0].startswith("-") and not depth:
            return Verdict(
                None,
                tr(
                    "the command starts with the option {option}: it gives arguments to the "
                    "base image's ENTRYPOINT, which is not visible here",
                    "コマンドがオプション {option} で始まる: ベースイメージの ENTRYPOINT に"
                    "引数を渡すもので、その ENTRYPOINT はここからは見えない",
                    option=argv[0],
                ),
            )
        if program in _INITS or argv[0] == "/init":
            return self._init(program, argv, depth)
        if program in _SHELLS:
            return self._shell(program, argv, depth)
        script = self._script(argv[0])
        if script is not None:
            return self._script_verdict(argv[0], *script, rest=argv[1:], depth=depth)
        if argv[0].endswith(".sh"):
            return Verdict(
                None,
                tr(
                    "PID 1 is the script {script}, which is not in the build context, so "
                    "whether it execs the application cannot be seen",
                    "PID 1 はビルドコンテキストにないスクリプト {script} のため、アプリケーションを"
                    " exec するかは分からない",
                    script=argv[0],
                ),
            )
        if depth:
            return Verdict(
                True,
                tr(
                    "{program} runs as PID 1 or as the init's direct child",
                    "{program} は PID 1 か init の直接の子として実行",
                    program=argv[0],
                ),
            )
        return Verdict(
            True,
            tr(
                "PID 1 is {program} itself (exec form), so it receives SIGTERM",
                "PID 1 は {program} 自身（exec 形式）で、SIGTERM を受け取る",
                program=argv[0],
            ),
        )

    def _init(self, program: str, argv: Sequence[str], depth: int) -> Verdict:
        if argv[0] == "/init":
            return Verdict(
                True,
                tr(
                    "s6-overlay's /init is PID 1 and stops its services on SIGTERM",
                    "s6-overlay の /init が PID 1 で、SIGTERM でサービスを停止する",
                ),
            )
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
            return Verdict(
                None,
                tr(
                    "{program} is PID 1 but starts no command",
                    "{program} が PID 1 だが、コマンドを起動しない",
                    program=program,
                ),
            )
        verdict = self.process(child, depth + 1)
        if verdict.ok:
            return Verdict(
                True,
                tr(
                    "{program} is PID 1 and forwards SIGTERM to its child; {reason}",
                    "{program} が PID 1 で、SIGTERM を子に転送する。{reason}",
                    program=program,
                    reason=verdict.reason,
                ),
                verdict.evidence,
            )
        if verdict.ok is False and group:
            return Verdict(
                True,
                tr(
                    "{program} is PID 1 and signals its whole process group, so the application "
                    "started by {child} receives SIGTERM although it is not exec'd",
                    "{program} が PID 1 でプロセスグループ全体にシグナルを送るため、{child} が"
                    "起動するアプリケーションは exec されていなくても SIGTERM を受け取る",
                    program=program,
                    child=child[0],
                ),
                verdict.evidence,
            )
        return Verdict(
            verdict.ok,
            tr(
                "{program} forwards SIGTERM only to its child, and {reason}",
                "{program} は SIGTERM を直接の子にしか転送しない。{reason}",
                program=program,
                reason=verdict.reason,
            ),
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
            return Verdict(
                None,
                tr(
                    "{program} is PID 1 and runs no script",
                    "{program} が PID 1 だが、スクリプトを実行しない",
                    program=program,
                ),
            )
        if not has_c:
            script = self._script(argv[i])
            if script is None:
                return Verdict(
                    None,
                    tr(
                        "{program} runs the script {script}, which is not in the build context",
                        "{program} はビルドコンテキストにないスクリプト {script} を実行する",
                        program=program,
                        script=argv[i],
                    ),
                )
            return self._script_verdict(argv[i], *script, rest=argv[i + 1 :], depth=depth)
        return self._dash_c(self._which(program, argv[0]), argv[i], f"{argv[0]} -c", depth)

    def _which(self, program: str, written: str) -> str | None:
        """The shell a program name runs: sh is /bin/sh of the image."""
        if program == "sh":
            return self.system_shell
        if program in ("bash", "dash"):
            return program
        if program == "ash":
            return "busybox"
        return None

    def _dash_c(self, shell: str | None, script: str, what: str, depth: int) -> Verdict:
        end = tail(script)
        if end is None:
            return Verdict(
                None,
                tr(
                    "the script of {what} has no command that can be read",
                    "{what} のスクリプトに読み取れるコマンドがない",
                    what=what,
                ),
            )
        last = end.command
        shown = " ".join(last.words)
        if last.exec and not (end.pipeline or end.background):
            return self._exec(last.argv, what, shown, depth)
        kinds = [shell] if shell else ["dash", "bash", "busybox"]
        replaced = {replaces_itself(kind, end) for kind in kinds}
        if replaced == {False}:
            return Verdict(
                False,
                tr(
                    "{what} stays PID 1 and runs `{shown}` as its child without exec, so the "
                    "application never receives SIGTERM",
                    "{what} が PID 1 のまま `{shown}` を exec せずに子として実行するため、"
                    "アプリケーションは SIGTERM を受け取らない",
                    what=what,
                    shown=shown,
                ),
            )
        if replaced == {True}:
            inner = self.process(last.argv, depth + 1)
            if inner.ok is False:
                return inner
            name = {"bash": "bash", "busybox": "BusyBox sh", "dash": "dash"}[kinds[0]]
            return Verdict(
                True,
                tr(
                    "{what}: {name} replaces itself with its last command `{shown}`",
                    "{what}: {name} が最後のコマンド `{shown}` で自分を置き換える",
                    what=what,
                    name=tr("every shell", "どのシェルも") if len(kinds) > 1 else name,
                    shown=shown,
                ),
            )
        base = self.build.root.base
        return Verdict(
            None,
            tr(
                "{what} ends with `{shown}` without exec: dash keeps the shell as PID 1 while "
                "bash and BusyBox sh replace it, and which shell /bin/sh is in {base} is not "
                "visible",
                "{what} は exec なしの `{shown}` で終わる: dash ではシェルが PID 1 のまま残り、"
                "bash と BusyBox sh では置き換わるが、{base} の /bin/sh がどのシェルかは見えない",
                what=what,
                shown=shown,
                base=base,
            ),
        )

    def _exec(self, argv: Sequence[str], what: str, shown: str, depth: int) -> Verdict:
        inner = self.process(argv, depth + 1) if argv and argv[0] not in _ARGS else None
        if inner is not None and inner.ok is False:
            return inner
        return Verdict(
            True,
            tr(
                "{what} ends with `{shown}`, which replaces the shell",
                "{what} はシェルを置き換える `{shown}` で終わる",
                what=what,
                shown=shown,
            ),
        )

    def _script_verdict(
        self, name: str, text: str, where: Evidence, *, rest: Sequence[str], depth: int
    ) -> Verdict:
        interpreter = _interpreter(text)
        if interpreter is not None and interpreter not in _SHELLS:
            return Verdict(
                True,
                tr(
                    "{name} is run by {interpreter}, which is PID 1 itself",
                    "{name} は {interpreter} が実行し、それ自身が PID 1",
                    name=name,
                    interpreter=interpreter,
                ),
                (where,),
            )
        end = script_end(text, list(rest))
        what = tr("the entrypoint script {name}", "エントリーポイントスクリプト {name}", name=name)
        if end is None:
            return Verdict(
                None,
                tr(
                    "which command {what} ends with cannot be read",
                    "{what} がどのコマンドで終わるか読み取れない",
                    what=what,
                ),
                (where,),
            )
        route = tr(" ({route})", "（{route}）", route=", ".join(end.route)) if end.route else ""
        last = end.command
        shown = " ".join(last.words)
        if not last.exec:
            return Verdict(
                False,
                tr(
                    "{what} ends with `{shown}`{route} without exec, so the script's shell "
                    "stays PID 1 and the application never receives SIGTERM",
                    "{what} は exec なしの `{shown}`{route} で終わるため、スクリプトのシェルが "
                    "PID 1 のまま残り、アプリケーションは SIGTERM を受け取らない",
                    what=what,
                    shown=shown,
                    route=route,
                ),
                (where,),
            )
        if last.argv and last.argv[0] in _ARGS:
            if not rest:
                return Verdict(
                    None,
                    tr(
                        "{what} execs its arguments, and no CMD gives any",
                        "{what} は引数を exec するが、引数を渡す CMD がない",
                        what=what,
                    ),
                    (where,),
                )
            inner = self.process(rest, depth + 1)
            return Verdict(
                inner.ok,
                tr(
                    "{what} ends with `{shown}`{route}, which hands PID 1 to the CMD: {reason}",
                    "{what} は PID 1 を CMD に渡す `{shown}`{route} で終わる: {reason}",
                    what=what,
                    shown=shown,
                    route=route,
                    reason=inner.reason,
                ),
                (where, *inner.evidence),
            )
        inner = self.process(last.argv, depth + 1)
        if inner.ok is False:
            return Verdict(False, inner.reason, (where, *inner.evidence))
        return Verdict(
            True,
            tr(
                "{what} ends with `{shown}`{route}, which replaces the shell",
                "{what} はシェルを置き換える `{shown}`{route} で終わる",
                what=what,
                shown=shown,
                route=route,
            ),
            (where,),
        )

    def _script(self, program: str) -> tuple[str, Evidence] | None:
        """The text of the script the image runs as `program`, when this Dockerfile puts it
        there from the build context or a heredoc (the last such copy wins)."""
        if "/" in program:
            wanted = {join_path(self.config.workdir, program)}
        else:
            wanted = {f"{folder}/{program}" for folder in _PATH_DIRS}
        found: tuple[str, Evidence] | None = None
        escape = self.parsed.dockerfile.escape
        for copy in self.copies:
            parts = copy_parts(copy.instruction)
            dest = expand(parts.dest, copy.variables, escape=escape).text
            into_folder = dest.endswith("/") or len(parts.sources) + len(parts.files) > 1
            base = join_path(copy.workdir, dest)
            for file in parts.files:
                path = join_path(base, file.path) if into_folder else base
                if path in wanted:
                    note = tr(
                        "heredoc {file} written to {path}",
                        "ヒアドキュメント {file} を {path} に書き込み",
                        file=file.path,
                        path=path,
                    )
                    found = (file.data, self.parsed.at(self.path, copy.instruction, note))
            for source in parts.sources:
                text = expand(source, copy.variables, escape=escape).text
                for real, inside, from_folder in self._sources(text):
                    path = join_path(base, inside) if into_folder or from_folder else base
                    if path in wanted:
                        note = tr(
                            "copied to {path} by line {line}",
                            "{line} 行目で {path} にコピー",
                            path=path,
                            line=copy.instruction.start_line,
                        )
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


def _exec_form(judge: _Judge, entrypoint: Instruction | None, cmd: Instruction | None) -> Status:
    """Whether the ENTRYPOINT and CMD that start the application are written in exec form,
    or their shell script ends with an explicit exec."""
    starters = [i for i in (entrypoint, cmd) if i is not None]
    if entrypoint is not None and not entrypoint.json_form:
        starters = [entrypoint]  # a shell-form ENTRYPOINT ignores CMD
    if not starters:
        return Status.NOT_APPLICABLE  # the Dockerfile writes no start command
    for instruction in starters:
        if instruction.json_form:
            first = command(instruction.args)
            if first.program not in _SHELLS or "-c" not in first.args[:-1]:
                continue
            script = first.args[first.args.index("-c") + 1]
        else:
            script = " ".join(instruction.args)
        end = tail(script)
        if end is None or not end.command.exec:
            return Status.FAIL
    return Status.PASS


@check(
    "dockerfile.graceful_shutdown",
    severity="medium",
    related=("hadolint:DL3025", "buildkit:JSONArgsRecommended"),
)
def graceful_shutdown(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    target: str | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        judge = _Judge(repo, parsed, build, dockerfile, context_of(dockerfile, context))
        config = build.config
        entrypoint = config.entrypoint.instruction if config.entrypoint else None
        cmd = config.cmd.instruction if config.cmd else None
        evidence: list[Evidence] = []
        for instruction, what in ((entrypoint, "ENTRYPOINT"), (cmd, "CMD")):
            if instruction is not None:
                if instruction.json_form:
                    note = tr(
                        "effective {what} (exec form)", "有効な {what}（exec 形式）", what=what
                    )
                else:
                    note = tr(
                        "effective {what} (shell form)", "有効な {what}（シェル形式）", what=what
                    )
                evidence.append(parsed.at(dockerfile, instruction, note))
        if config.stopsignal is not None:
            signal = config.stopsignal.value
            evidence.append(
                parsed.at(
                    dockerfile,
                    config.stopsignal.instruction,
                    tr(
                        "docker stop sends {signal} (STOPSIGNAL)",
                        "docker stop は {signal} を送る（STOPSIGNAL）",
                        signal=signal,
                    ),
                )
            )
        else:
            evidence.append(
                parsed.at(
                    dockerfile,
                    build.final.from_instruction,
                    tr(
                        "no STOPSIGNAL: docker stop sends SIGTERM (unless the base image sets "
                        "another)",
                        "STOPSIGNAL なし: docker stop は SIGTERM を送る（ベースイメージが別の"
                        "シグナルを指定していなければ）",
                    ),
                )
            )
        if judge.system_shell:
            evidence.append(
                parsed.at(
                    dockerfile,
                    build.root.from_instruction,
                    tr(
                        "/bin/sh in {base} is {shell}",
                        "{base} の /bin/sh は {shell}",
                        base=build.root.base,
                        shell=judge.system_shell,
                    ),
                )
            )
        parts = {"exec_form": _exec_form(judge, entrypoint, cmd)}
        if entrypoint is None and cmd is None:
            return Outcome.unknown(
                tr(
                    "no CMD or ENTRYPOINT in the Dockerfile: the start command comes from the "
                    "base image {base}, which is not visible here",
                    "Dockerfile に CMD も ENTRYPOINT もない: 起動コマンドはベースイメージ {base} "
                    "から来るが、ここからは見えない",
                    base=build.root.base,
                ),
                *evidence,
            ).with_parts(**parts)
        argv = _words(entrypoint, config.shell) + (
            _words(cmd, config.shell) if entrypoint is None or entrypoint.json_form else []
        )
        if not argv:
            return Outcome.unknown(
                tr("the effective ENTRYPOINT and CMD are empty", "有効な ENTRYPOINT と CMD が空"),
                *evidence,
            ).with_parts(**parts)
        verdict = judge.process(argv)
        evidence.extend(verdict.evidence)
        first = entrypoint if entrypoint is not None else cmd
        reason = verdict.reason
        if first is not None and not first.json_form:
            reason = tr(
                "{keyword} is in shell form: {reason}",
                "{keyword} はシェル形式: {reason}",
                keyword=first.keyword.upper(),
                reason=reason,
            )
        if verdict.ok is None:
            return Outcome.unknown(reason, *evidence).with_parts(**parts)
        if verdict.ok:
            return Outcome.passed(reason, *evidence).with_parts(**parts)
        return Outcome.failed(reason, *evidence).with_parts(**parts)
