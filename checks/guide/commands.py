"""The guide's commands work on the target: the files, folders, ports and health path they name.

What it checks:
    The code block of the guide the binding sits above (a `snippet`: its text and its
    lines on the page), read as the commands a reader would type at the repository's
    root, against the target:
    - `docker build` (also `docker buildx build`, `podman build`): the Dockerfile of
      `-f` (else `<context>/Dockerfile`) is a file of the target and the context is a
      folder of it;
    - `docker run` (also podman): a `-v` source that is a path of the repository
      (`$(pwd)/backend`, `./src`) exists; the container port of each `-p host:container`
      is the port the image listens on: an `EXPOSE` of its final stage, else the port
      its command names (`--port 8000`, `--bind 0.0.0.0:8000`); the image is the one a
      `docker build -t` of the block (or of the blocks joined before it) builds;
    - `docker images`, `docker history`, `docker image inspect`, `trivy image` (also run
      through `docker run aquasec/trivy`): the image is one that a build command of the
      block, or of the blocks joined before it (`{join: 3}`), builds;
    - `docker compose -f FILE`: the file exists; in a YAML block (a workflow step of
      docker/build-push-action, a Compose service), the `file:` / `dockerfile:` is a
      file and the `context:` a folder of the target;
    - a URL to the container on the local host (`http://localhost:8000/health`,
      `server 127.0.0.1:8000;`, `PORT=8000`): its port is the port the `dockerfile`
      parameter's image listens on, and a path to a health endpoint (`/health`) is the
      path the image's `HEALTHCHECK` asks.
    With joined blocks, only the commands of the last block are judged; the ones before
    say which images are built. A reference that cannot be judged (an image no command
    of the guide builds, an image that neither EXPOSEs a port nor names one in its
    command) is unknown with the reason; a broken one names the page line of the command
    and what the target has instead. A block that names none of these is not applicable.
    Nothing is run.

Why it matters:
    A guide's commands rot silently when the repository moves a file or changes a port:
    readers copy them and get `failed to read dockerfile` or a container nobody can
    reach. Checking them on every build keeps the guide's instructions true.

How to fix:
    Change the command in the guide to the target's file, folder or port (the evidence
    says which), or move the target back; for an image the guide only names, add the
    `docker build -t` that makes it or join the block that does (`{join: N}`).

日本語: ガイドのコマンドがターゲットで通用する（ファイル、フォルダー、ポート、ヘルスチェックのパス）

何を確認するか:
    バインディングの下にあるガイドのコード例（`snippet`: そのテキストとページ上の行）を、
    読者がリポジトリのルートで打つコマンドとして読み、ターゲットと照合します:
    - `docker build`（`docker buildx build`、`podman build` も）: `-f` の Dockerfile
      （なければ `<コンテキスト>/Dockerfile`）がターゲットのファイルで、コンテキストが
      ターゲットのフォルダーであること。
    - `docker run`（podman も）: リポジトリのパスを指す `-v` のソース（`$(pwd)/backend`、
      `./src`）が存在すること。`-p ホスト:コンテナ` のコンテナ側ポートが、イメージが待ち受ける
      ポート（最終ステージの `EXPOSE`、なければコマンドが指定するポート: `--port 8000`、
      `--bind 0.0.0.0:8000`）であること。イメージは、このコード例（またはその前に結合した
      コード例）の `docker build -t` がビルドするものです。
    - `docker images`、`docker history`、`docker image inspect`、`trivy image`
      （`docker run aquasec/trivy` 経由も）: イメージが、このコード例またはその前に結合した
      コード例（`{join: 3}`）のビルドコマンドがビルドするものであること。
    - `docker compose -f ファイル`: ファイルが存在すること。YAML のコード例
      （docker/build-push-action のワークフローのステップ、Compose のサービス）では、
      `file:` / `dockerfile:` がターゲットのファイルで、`context:` がフォルダーであること。
    - ローカルホスト上のコンテナへの URL（`http://localhost:8000/health`、
      `server 127.0.0.1:8000;`、`PORT=8000`）: ポートがパラメータ `dockerfile` のイメージが
      待ち受けるポートであり、ヘルスチェックのエンドポイントへのパス（`/health`）が
      イメージの `HEALTHCHECK` が問い合わせるパスであること。
    結合したコード例では、判定するのは最後のコード例のコマンドだけで、それより前のものは
    どのイメージがビルドされるかを示すだけです。判定できない参照（ガイドのどのコマンドも
    ビルドしないイメージ、ポートを EXPOSE もコマンドで指定もしないイメージ）は理由を添えて
    unknown、壊れた参照はコマンドのページ上の行とターゲットの実際を示します。これらを
    何も指さないコード例は対象外です。何も実行しません。

なぜ重要か:
    ガイドのコマンドは、リポジトリがファイルを移したりポートを変えたりすると黙って
    腐ります。読者はそれをコピーして `failed to read dockerfile` や、誰も到達できない
    コンテナに行き当たります。ビルドのたびに確認すれば、ガイドの手順は正しいままです。

修正方法:
    ガイドのコマンドをターゲットのファイル、フォルダー、ポートに合わせて直すか（根拠が
    どれかを示します）、ターゲットを元に戻します。ガイドが名前だけを出すイメージには、
    それを作る `docker build -t` を加えるか、それを含むコード例を結合します（`{join: N}`）。
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checklists import Evidence, InputError, Outcome, Status, Target, check, join, tr
from checks.common import load_build
from checks.readers.build_model import Build
from checks.readers.dockerfile_model import expand
from checks.readers.healthcheck import read_healthcheck
from checks.readers.shell import Command, commands

_DOCKER = frozenset({"docker", "podman", "nerdctl"})
# Options of `docker build` / `docker run` that are flags; every other long option and the
# short ones below take a value (the Docker CLI's own option tables).
_BUILD_FLAGS = frozenset(
    {"--no-cache", "--pull", "-q", "--quiet", "--load", "--push", "--rm", "--force-rm"}
)
_BUILD_SHORT_VALUED = frozenset("ftmo")
_RUN_FLAGS = frozenset(
    {
        *("-d", "--detach", "-i", "--interactive", "-t", "--tty", "--rm", "-P"),
        *("--publish-all", "--privileged", "--init", "--read-only", "--no-healthcheck"),
        *("--oom-kill-disable", "-q", "--quiet", "--sig-proxy", "-it", "-ti", "-dit", "-itd"),
    }
)
_RUN_SHORT_VALUED = frozenset("acehlmpuvw")
_LOCAL_URL = re.compile(
    r"(?:(?P<scheme>https?)://)?(?P<host>localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])"
    r":(?P<port>\d{1,5})(?P<path>/[^\s'\"|;&)`]*)?"
)
_PORT_VAR = re.compile(r"^\s*(?:export\s+)?PORT=(?P<port>\d{1,5})\b")
_PWD = re.compile(r"\"?\$(?:\(pwd\)|\{PWD\}|PWD)\"?/?")


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # on the page
    text: str  # the logical line (continuations joined)
    judged: bool  # False for a line of a block joined before the bound one


@dataclass
class _Findings:
    page: str
    good: list[Evidence] = field(default_factory=list)
    broken: list[Evidence] = field(default_factory=list)
    unknown: list[Evidence] = field(default_factory=list)

    def add(self, status: Status, line: _Line, note: str, path: str | None = None,
            at: int | None = None) -> None:  # fmt: skip
        where = f"{self.page}:{line.number}"
        evidence = Evidence(
            tr("{where}: {note}", "{where}: {note}", where=where, note=note),
            path=path,
            line=at,
            excerpt=line.text,
        )
        {Status.PASS: self.good, Status.FAIL: self.broken}.get(status, self.unknown).append(
            evidence
        )


def _lines(snippet: Mapping[str, Any]) -> Iterator[_Line]:
    """The snippet's logical lines with their page lines; the last part is the one judged."""
    text = str(snippet.get("text", ""))
    physical = text.splitlines()
    parts = [(int(first), int(count)) for first, count in snippet.get("lines", [])] or [
        (1, len(physical))
    ]
    numbers: list[tuple[int, bool]] = []
    for index, (first, count) in enumerate(parts):
        numbers += [(first + k, index == len(parts) - 1) for k in range(count)]
    index = 0
    while index < len(physical):
        start, judged = numbers[index] if index < len(numbers) else (0, True)
        logical = physical[index]
        while logical.rstrip().endswith("\\") and index + 1 < len(physical):
            index += 1
            logical = logical.rstrip()[:-1] + " " + physical[index].strip()
        index += 1
        if logical.strip():
            yield _Line(start, logical, judged)


_YAML_PATH = re.compile(r"^\s*(?:-\s+)?(?P<key>file|dockerfile|context):\s*(?P<value>[^#\s]+)")


def _yaml_path(repo: Target, line: _Line, found: _Findings) -> None:
    """`file:`, `dockerfile:` and `context:` of a build step or a Compose service."""
    match = _YAML_PATH.match(line.text)
    if match is None or "${{" in line.text or "://" in match["value"]:
        return
    value = match["value"].strip("'\"")
    if match["key"] == "context":
        _exists(repo, value, "directory", line, found, what=tr("the context", "コンテキスト"))
    else:
        _exists(repo, value, "file", line, found, what=tr("the Dockerfile", "Dockerfile"))


def _options(
    words: Sequence[str], flags: frozenset[str], short_valued: frozenset[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """A docker command line's options (every value, by option) and its other words."""
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("--") and "=" in word:
            name, _, value = word.partition("=")
            options.setdefault(name, []).append(value)
        elif word.startswith("--"):
            if word in flags or index + 1 >= len(words):
                options.setdefault(word, []).append("")
            else:
                options.setdefault(word, []).append(words[index + 1])
                index += 1
        elif word.startswith("-") and len(word) > 1:
            letter = word[-1]
            if word in flags or letter not in short_valued:
                options.setdefault(word, []).append("")
            elif index + 1 < len(words):
                options.setdefault(f"-{letter}", []).append(words[index + 1])
                index += 1
        else:
            positional.append(word)
        index += 1
    return options, positional


def _first(options: Mapping[str, list[str]], *names: str) -> list[str]:
    return [value for name in names for value in options.get(name, [])]


@dataclass(frozen=True, slots=True)
class _Image:
    dockerfile: str
    line: int  # the page line of the build


def _parse(line: _Line) -> list[Command]:
    return list(commands(_PWD.sub("./", line.text)))


def _docker_words(cmd: Command) -> tuple[str, list[str]] | None:
    """(sub-command, its words) of a docker/podman command line."""
    if cmd.program not in _DOCKER:
        return None
    words = list(cmd.args)
    while words and words[0].startswith("-"):  # global options: --context x, -H host
        words = words[2:] if words[0] in ("--context", "-H", "--host", "-c") else words[1:]
    if words[:2] in (["buildx", "build"], ["image", "build"], ["container", "run"]):
        words = words[1:]
    if words[:2] in (["image", "inspect"], ["image", "history"], ["image", "ls"]):
        return words[1] if words[1] != "ls" else "images", words[2:]
    if words[:1] == ["compose"]:
        return "compose", words[1:]
    return (words[0], words[1:]) if words else None


def _repository(reference: str) -> str:
    """The repository of an image reference, without tag or digest."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


@check("guide.commands", severity="medium", related=())
def commands_hold(
    repo: Target, *, snippet: Mapping[str, Any], dockerfile: str = "Dockerfile"
) -> Outcome:
    page = str(snippet.get("page", "guide"))
    found = _Findings(page)
    images: dict[str, _Image] = {}
    yaml = str(snippet.get("language", "")) in ("yaml", "yml")
    for line in _lines(snippet):
        if yaml:
            if line.judged:
                _yaml_path(repo, line, found)
            continue
        for cmd in _parse(line):
            _command(repo, cmd, line, images, found)
        if line.judged:
            _urls(repo, line, dockerfile, found)
    if found.broken:
        return Outcome.failed(
            tr(
                "{count} reference(s) of the guide's commands do not hold in the target: {first}",
                "ガイドのコマンドの参照 {count} 件がターゲットで成り立たない: {first}",
                count=len(found.broken),
                first=found.broken[0].note,
            ),
            *found.broken,
            *found.unknown,
            *found.good,
        )
    if found.unknown:
        return Outcome.unknown(
            tr(
                "{count} reference(s) of the guide's commands cannot be judged: {first}",
                "ガイドのコマンドの参照 {count} 件は判定できない: {first}",
                count=len(found.unknown),
                first=found.unknown[0].note,
            ),
            *found.unknown,
            *found.good,
        )
    if found.good:
        return Outcome.passed(
            tr(
                "all {count} reference(s) of the guide's commands hold in the target",
                "ガイドのコマンドの参照 {count} 件がすべてターゲットで成り立つ",
                count=len(found.good),
            ),
            *found.good,
        )
    lines = snippet.get("lines") or [[0, 0]]
    return Outcome.not_applicable(
        tr(
            "the block names no file, folder, image, port or health path to check",
            "コード例は確認できるファイル、フォルダー、イメージ、ポート、ヘルスチェックのパスを"
            "指していない",
        ),
        Evidence(
            tr(
                "{page}:{line}: the code block",
                "{page}:{line}: コード例",
                page=page,
                line=lines[-1][0],
            )
        ),
    )


def _command(
    repo: Target, cmd: Command, line: _Line, images: dict[str, _Image], found: _Findings
) -> None:
    parsed = _docker_words(cmd)
    if parsed is None:
        if cmd.program == "trivy" and cmd.args[:1] == ("image",) and line.judged:
            _built_image(cmd.args[-1], line, images, found)
        return
    sub, words = parsed
    if sub == "build":
        _build(repo, words, line, images, found)
    elif sub == "run":
        _run(repo, words, line, images, found)
    elif sub in ("images", "history", "inspect") and line.judged:
        _, positional = _options(words, frozenset({"-a", "--all", "-q"}), frozenset("f"))
        for reference in positional:
            _built_image(reference, line, images, found)
    elif sub == "compose" and line.judged:
        options, _ = _options(words, frozenset(), frozenset("fp"))
        for path in _first(options, "-f", "--file"):
            _exists(
                repo, path, "file", line, found, what=tr("the Compose file", "Compose ファイル")
            )


def _exists(
    repo: Target, path: str, kind: str, line: _Line, found: _Findings, *, what: str
) -> bool:
    """Whether `path` (relative to the repository root) is a `kind` of the target."""
    normal = posixpath.normpath(path.removeprefix("./")) or "."
    try:
        actual = repo.kind(normal)
    except InputError as error:
        found.add(Status.UNKNOWN, line, tr("{path}: {error}", "{path}: {error}", path=normal,
                                           error=error.message))  # fmt: skip
        return False
    if actual == kind:
        found.add(
            Status.PASS,
            line,
            tr("{what} {path} exists", "{what} {path} が存在", what=what, path=normal),
            path=normal if kind == "file" else None,
        )
        return True
    truth = _nearby(repo, normal, kind)
    note = (
        tr(
            "{what} {path} is not in the target{truth}",
            "{what} {path} がターゲットにない{truth}",
            what=what,
            path=normal,
            truth=truth,
        )
        if actual is None
        else tr(
            "{path} is a {actual}, not a {kind}",
            "{path} は {actual} で、{kind} ではない",
            path=normal,
            actual=_KIND[actual],
            kind=_KIND[kind],
        )
    )
    found.add(Status.FAIL, line, note)
    return False


_KIND = {"file": tr("file", "ファイル"), "directory": tr("folder", "フォルダー")}


def _nearby(repo: Target, path: str, kind: str) -> str:
    """What the target has instead: files of the same name elsewhere."""
    name = posixpath.basename(path)
    if kind != "file" or not name:
        return ""
    try:
        same = [f for f in repo.files(".") if posixpath.basename(f) == name][:5]
    except InputError:
        return ""
    if not same:
        return ""
    return tr(
        " (the target has {paths})", "（ターゲットにあるのは {paths}）", paths=", ".join(same)
    )


def _build(
    repo: Target, words: list[str], line: _Line, images: dict[str, _Image], found: _Findings
) -> None:
    options, positional = _options(words, _BUILD_FLAGS, _BUILD_SHORT_VALUED)
    context = positional[-1] if positional else "."
    if context == "-" or "://" in context or context.startswith("git@"):
        return  # a context from stdin or a remote repository: nothing of the target
    files = _first(options, "-f", "--file")
    dockerfile = posixpath.normpath(files[-1]) if files else posixpath.join(context, "Dockerfile")
    if line.judged:
        _exists(
            repo,
            context,
            "directory",
            line,
            found,
            what=tr("the build context", "ビルドコンテキスト"),
        )
        ok = _exists(repo, dockerfile, "file", line, found, what=tr("the Dockerfile", "Dockerfile"))
    else:
        ok = True
    if ok:
        for tag in _first(options, "-t", "--tag"):
            images[tag] = _Image(posixpath.normpath(dockerfile.removeprefix("./")), line.number)


def _built_image(
    reference: str, line: _Line, images: Mapping[str, _Image], found: _Findings
) -> None:
    known = images.get(reference)
    repository = _repository(reference)
    if known is None and reference == repository:  # `docker images name`: any tag of it
        known = next((i for t, i in images.items() if _repository(t) == repository), None)
    if known is None:
        found.add(
            Status.UNKNOWN,
            line,
            tr(
                "no command of the guide's block(s) builds the image {image}",
                "ガイドのコード例のコマンドはイメージ {image} をビルドしていない",
                image=reference,
            ),
        )
        return
    found.add(
        Status.PASS,
        line,
        tr(
            "the image {image} is built from {dockerfile} by the command at line {at}",
            "イメージ {image} は {at} 行目のコマンドが {dockerfile} からビルドする",
            image=reference,
            dockerfile=known.dockerfile,
            at=known.line,
        ),
        path=known.dockerfile,
    )


def _run(
    repo: Target, words: list[str], line: _Line, images: Mapping[str, _Image], found: _Findings
) -> None:
    if not line.judged:
        return
    options, positional = _options(words, _RUN_FLAGS, _RUN_SHORT_VALUED)
    image = positional[0] if positional else None
    rest = positional[1:]
    if image is not None and _repository(image).endswith("trivy") and rest[:1] == ["image"]:
        if len(rest) > 1:
            _built_image(rest[-1], line, images, found)
        return
    for volume in _first(options, "-v", "--volume"):
        source = volume.split(":", 1)[0]
        if source.startswith("./") or source == ".":
            what = tr("the mounted folder", "マウントするフォルダー")
            _exists(repo, source, "directory", line, found, what=what)
    ports = [p.split("/", 1)[0].rsplit(":", 1)[-1] for p in _first(options, "-p", "--publish")]
    if not ports or image is None:
        return
    built = images.get(image)
    if built is None:
        found.add(
            Status.UNKNOWN,
            line,
            tr(
                "no command of the guide's block(s) builds the image {image}, so its port "
                "cannot be checked",
                "ガイドのコード例のコマンドはイメージ {image} をビルドしていないため、ポートを"
                "確認できない",
                image=image,
            ),
        )
        return
    for port in ports:
        _port(repo, built.dockerfile, port, line, found)


def _listens(repo: Target, dockerfile: str) -> tuple[set[str], Evidence | None, Build]:
    """The ports the image of `dockerfile` listens on (EXPOSE, else its command's), with
    where that is written."""
    parsed, build = load_build(repo, dockerfile)
    exposed: set[str] = set()
    where: Evidence | None = None
    escape = parsed.dockerfile.escape
    for _, instruction, variables in build.walk_chain():
        if instruction.keyword == "expose":
            for arg in instruction.args:
                exposed.add(expand(arg, variables, escape=escape).text.split("/", 1)[0])
            where = parsed.at(dockerfile, instruction, "EXPOSE")
    if exposed:
        return exposed, where, build
    config = build.config
    for setting in (config.cmd, config.entrypoint):
        if setting is None:
            continue
        words = " ".join(setting.instruction.args)
        match = re.search(
            r"--port[= ](\d+)|(?:-b|--bind)[= ]\S*:(\d+)|runserver \S*?:?(\d+)", words
        )
        if match:
            port = next(g for g in match.groups() if g)
            return {port}, parsed.at(dockerfile, setting.instruction, "CMD"), build
    return set(), None, build


def _port(repo: Target, dockerfile: str, port: str, line: _Line, found: _Findings) -> None:
    try:
        ports, where, _ = _listens(repo, dockerfile)
    except InputError as error:
        found.add(Status.UNKNOWN, line, tr("{dockerfile}: {error}", "{dockerfile}: {error}",
                                           dockerfile=dockerfile, error=error.message))  # fmt: skip
        return
    if not ports:
        found.add(
            Status.UNKNOWN,
            line,
            tr(
                "port {port}: {dockerfile} neither EXPOSEs a port nor names one in its command",
                "ポート {port}: {dockerfile} はポートを EXPOSE もコマンドでの指定もしていない",
                port=port,
                dockerfile=dockerfile,
            ),
        )
        return
    assert where is not None
    if port in ports:
        found.add(
            Status.PASS,
            line,
            tr(
                "port {port} is the port the image of {dockerfile} listens on",
                "ポート {port} は {dockerfile} のイメージが待ち受けるポート",
                port=port,
                dockerfile=dockerfile,
            ),
            path=where.path,
            at=where.line,
        )
        return
    found.add(
        Status.FAIL,
        line,
        tr(
            "port {port}: the image of {dockerfile} listens on {ports}",
            "ポート {port}: {dockerfile} のイメージが待ち受けるのは {ports}",
            port=port,
            dockerfile=dockerfile,
            ports=join(sorted(ports)),
        ),
        path=where.path,
        at=where.line,
    )


def _health_path(build: Build) -> str | None:
    setting = build.config.healthcheck
    if setting is None:
        return None
    probe = read_healthcheck(setting.instruction)
    match = _LOCAL_URL.search(" ".join(probe.command))
    return (match["path"] or "/") if match else None


def _urls(repo: Target, line: _Line, dockerfile: str, found: _Findings) -> None:
    ports: list[tuple[str, str | None]] = []
    for match in _LOCAL_URL.finditer(line.text):
        ports.append((match["port"], match["path"] if match["scheme"] else None))
    variable = _PORT_VAR.match(line.text)
    if variable:
        ports.append((variable["port"], None))
    for port, path in ports:
        _port(repo, dockerfile, port, line, found)
        if path and "health" in path:
            _health(repo, dockerfile, path, line, found)


def _health(repo: Target, dockerfile: str, path: str, line: _Line, found: _Findings) -> None:
    try:
        parsed, build = load_build(repo, dockerfile)
    except InputError as error:
        found.add(Status.UNKNOWN, line, tr("{dockerfile}: {error}", "{dockerfile}: {error}",
                                           dockerfile=dockerfile, error=error.message))  # fmt: skip
        return
    actual = _health_path(build)
    setting = build.config.healthcheck
    if actual is None or setting is None:
        found.add(
            Status.UNKNOWN,
            line,
            tr(
                "health path {path}: the HEALTHCHECK of {dockerfile} asks no local URL",
                "ヘルスチェックのパス {path}: {dockerfile} の HEALTHCHECK はローカルの URL を"
                "問い合わせていない",
                path=path,
                dockerfile=dockerfile,
            ),
        )
        return
    at = parsed.at(dockerfile, setting.instruction, "HEALTHCHECK")
    same = actual.rstrip("/") == path.rstrip("/")
    found.add(
        Status.PASS if same else Status.FAIL,
        line,
        tr(
            "health path {path} is the one the HEALTHCHECK of {dockerfile} asks",
            "ヘルスチェックのパス {path} は {dockerfile} の HEALTHCHECK が問い合わせるもの",
            path=path,
            dockerfile=dockerfile,
        )
        if same
        else tr(
            "health path {path}: the HEALTHCHECK of {dockerfile} asks {actual}",
            "ヘルスチェックのパス {path}: {dockerfile} の HEALTHCHECK が問い合わせるのは {actual}",
            path=path,
            dockerfile=dockerfile,
            actual=actual,
        ),
        path=at.path,
        at=at.line,
    )
