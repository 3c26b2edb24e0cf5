"""Cache cleanup: package manager caches do not end up in image layers.

What it checks:
    Every RUN that runs a package manager and whose layers reach the image built for the
    target stage (parameter `target`; by default the last stage, as `docker build`
    without `--target`): the RUNs of the final chain — the target and the stages it is
    built FROM, recursively. A builder stage's layers are thrown away: its caches count
    only where the image copies them out (`COPY --from=builder /root /root` takes
    /root/.cache/pip along; `COPY --from=builder /install /usr/local` does not). A stage
    the target does not build is not judged. The verdicts of apt's lists and pip's cache
    are also reported on their own (parts `apt_lists` and `pip_cache`). Per package
    manager:

    - apt (`apt-get`/`apt` update, install, upgrade, dist-upgrade, full-upgrade) must
      remove `/var/lib/apt/lists` (`rm -rf /var/lib/apt/lists/*`, or the folder, or
      `/var/lib/apt`) after its last apt command in the SAME RUN, or keep the lists on a
      cache or tmpfs mount (`RUN --mount=type=cache,target=/var/lib/apt/lists`). A later
      RUN cannot shrink the image: the lists stay in the earlier layer. `apt-get clean`
      alone does not count, since it empties /var/cache/apt/archives, not the lists
      (and the Debian and Ubuntu images already drop downloaded .deb files).
    - pip (`pip install`, `pip3`, `python -m pip`) must not keep its HTTP and wheel cache:
      `--no-cache-dir` on the command (pip also accepts an unambiguous prefix such as
      `--no-cache`), or PIP_NO_CACHE_DIR set for it — by ENV or ARG in the stage or an
      earlier stage it is built FROM, by `PIP_NO_CACHE_DIR=1 pip ...` or an `export`
      earlier in the script — or `pip config set global.no-cache-dir ...` run earlier in
      the image, or the cache on a cache/tmpfs mount, or the cache removed later in the
      same RUN (`rm -rf /root/.cache/pip`, `pip cache purge`). PIP_NO_CACHE_DIR follows
      current pip (checked against pip 26.3): pip turns the cache off for ANY valid
      boolean value — `1`, `true`, `yes`, `on`, but also `0`, `false`, `no`, `off`, kept
      for backwards compatibility — ignores an empty value, and fails on any other word.
      The cache folder is the `--cache-dir` option, else PIP_CACHE_DIR, else
      `$XDG_CACHE_HOME/pip`, else `$HOME/.cache/pip` (/root/.cache/pip for root).
    - apk (`apk add`, `apk upgrade`, `apk update`) must use `--no-cache`, remove
      /var/cache/apk later in the same RUN, or put it on a cache mount.

    uv, Poetry and npm keep their own caches and are not judged. A RUN with none of these
    package managers is ignored; a Dockerfile without any is not applicable. A value that
    depends on a build argument without a default is unknown.

    The peers are hadolint's DL3009 (apt lists), DL3042 (pip) and DL3019 (apk); unlike
    them this check accepts cache mounts, PIP_NO_CACHE_DIR and later cleanup in the same
    RUN, and reads PIP_NO_CACHE_DIR as pip does.

Why it matters:
    The apt lists take 20-50MB and pip's cache holds a copy of every downloaded wheel;
    in a layer they are shipped with every pull of the image although nothing uses them
    at run time (the guide: キャッシュクリーンアップ).

How to fix:
    End each apt RUN with `&& rm -rf /var/lib/apt/lists/*`, install with
    `pip install --no-cache-dir ...` or set `ENV PIP_NO_CACHE_DIR=1` before the installs,
    and use `apk add --no-cache`. To keep a cache between builds without shipping it, use a
    cache mount: `RUN --mount=type=cache,target=/root/.cache/pip pip install -r
    requirements.txt`.

日本語: キャッシュクリーンアップ: パッケージマネージャーのキャッシュをイメージのレイヤーに残さない

何を確認するか:
    パッケージマネージャーを実行し、そのレイヤーが対象ステージ（パラメータ `target`。省略時は
    `--target` なしの `docker build` と同じく最後のステージ）のイメージに届くすべての RUN、
    つまり最終チェーン（対象ステージと、それが `FROM` で再帰的に辿るステージ）の RUN を確認
    します。builder ステージのレイヤーは捨てられるため、そのキャッシュはイメージがコピーして
    持ち出す場合だけ数えます（`COPY --from=builder /root /root` は /root/.cache/pip も
    持ち込みますが、`COPY --from=builder /install /usr/local` は持ち込みません）。対象ステージが
    ビルドしないステージは判定しません。apt のリストと pip のキャッシュの判定は個別にも報告
    します（部分 `apt_lists` と `pip_cache`）。パッケージマネージャーごとに:

    - apt（`apt-get`/`apt` の update、install、upgrade、dist-upgrade、full-upgrade）は、最後の
      apt コマンドのあと、同じ RUN の中で `/var/lib/apt/lists` を削除する
      （`rm -rf /var/lib/apt/lists/*`、そのフォルダー、または `/var/lib/apt`）か、リストを
      キャッシュマウントか tmpfs マウントに置く
      （`RUN --mount=type=cache,target=/var/lib/apt/lists`）必要があります。後の RUN では
      イメージは小さくなりません。リストは前のレイヤーに残ります。`apt-get clean` だけでは
      数えません。空にするのは /var/cache/apt/archives で、リストではないからです（Debian と
      Ubuntu のイメージはダウンロードした .deb をもともと残しません）。
    - pip（`pip install`、`pip3`、`python -m pip`）は HTTP キャッシュと wheel キャッシュを残しては
      いけません。コマンドの `--no-cache-dir`（pip は `--no-cache` のような曖昧でない接頭辞も
      受け付けます）、そのコマンドに効く PIP_NO_CACHE_DIR（そのステージか `FROM` に使った前段の
      ステージの ENV または ARG、`PIP_NO_CACHE_DIR=1 pip ...`、スクリプト内で先に行う
      `export`）、イメージ内で先に実行した `pip config set global.no-cache-dir ...`、キャッシュ
      マウントか tmpfs マウント上のキャッシュ、同じ RUN の後での削除（`rm -rf /root/.cache/pip`、
      `pip cache purge`）のいずれかが必要です。PIP_NO_CACHE_DIR の扱いは現在の pip に従います
      （pip 26.3 で確認）: pip は有効な真偽値ならどれでもキャッシュを無効にします。`1`、`true`、
      `yes`、`on` だけでなく、後方互換のために `0`、`false`、`no`、`off` でもです。空の値は
      無視し、それ以外の語では失敗します。キャッシュの場所は `--cache-dir` オプション、なければ
      PIP_CACHE_DIR、なければ `$XDG_CACHE_HOME/pip`、なければ `$HOME/.cache/pip`（root では
      /root/.cache/pip）です。
    - apk（`apk add`、`apk upgrade`、`apk update`）は `--no-cache` を使うか、同じ RUN の後で
      /var/cache/apk を削除するか、キャッシュマウントに置く必要があります。

    uv、Poetry、npm は独自のキャッシュを持つため判定しません。これらのパッケージマネージャーを
    使わない RUN は無視し、どれも使わない Dockerfile は対象外です。デフォルト値のないビルド
    引数に依存する値は unknown（未計測）です。

    対応するリンターのルールは hadolint の DL3009（apt のリスト）、DL3042（pip）、DL3019
    （apk）です。これらと違い、このチェックはキャッシュマウント、PIP_NO_CACHE_DIR、同じ RUN の
    後での削除を認め、PIP_NO_CACHE_DIR を pip と同じように読みます。

なぜ重要か:
    apt のリストは 20〜50MB あり、pip のキャッシュにはダウンロードしたすべての wheel の複製が
    入っています。レイヤーに入ると、実行時に何も使わないのに、イメージを pull するたびに
    運ばれます（ガイド: キャッシュクリーンアップ）。

修正方法:
    apt の RUN はそれぞれ `&& rm -rf /var/lib/apt/lists/*` で終え、pip は
    `pip install --no-cache-dir ...` でインストールするか、インストールの前に
    `ENV PIP_NO_CACHE_DIR=1` を設定し、apk は `apk add --no-cache` を使います。ビルド間で
    キャッシュを残しつつイメージに含めないには、キャッシュマウントを使います:
    `RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt`。
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from checklists import Evidence, Outcome, Status, Target, check, tr
from checks.common import ParsedDockerfile, load_build, stage_label
from checks.dockerfile._errors import located
from checks.readers.build_model import Build, StageSource
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import Stage, expand, shell_script
from checks.readers.package_commands import apk_call, apt_call, pip_call
from checks.readers.run_mount import Mount, join_path, run_mounts
from checks.readers.shell import Command, commands

_APT_ACTIONS = frozenset({"update", "install", "upgrade", "dist-upgrade", "full-upgrade"})
_APK_ACTIONS = frozenset({"add", "upgrade", "update"})
_APT_LISTS = "/var/lib/apt/lists"
_APK_CACHE = "/var/cache/apk"
_PIP_TRUTH = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})
_NO_CACHE_DIR = "no-cache-dir"
_NO_CACHE_DIR_SHORTEST = len("no-ca")  # shorter prefixes are ambiguous for pip


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool | None  # None: cannot tell
    note: str
    cache: str | None = None  # the folder the cache is kept in (None: not known)


def _covers(folder: str, path: str) -> bool:
    """Whether removing or mounting `folder` takes `path` with it."""
    folder = posixpath.normpath(folder)
    return folder != "/" and (path == folder or path.startswith(folder + "/"))


def _removes(command: Command, path: str, home: str | None) -> bool:
    if command.program != "rm":
        return False
    for word in command.args:
        if word.startswith("-"):
            continue
        resolved = home + word[1:] if word.startswith("~") and home is not None else word
        cleaned = resolved.removesuffix("/*").removesuffix("/")
        if cleaned and _covers(cleaned, path):
            return True
    return False


def _mounted(mounts: Sequence[Mount], path: str) -> Mount | None:
    return next(
        (
            m
            for m in mounts
            if m.type in ("cache", "tmpfs") and m.target is not None and _covers(m.target, path)
        ),
        None,
    )


def _home(variables: Mapping[str, str | None], user: str) -> str | None:
    if variables.get("HOME"):
        return variables["HOME"]
    return "/root" if user in ("", "root", "0") or user.startswith(("root:", "0:")) else None


def _pip_cache_dir(
    option: tuple[str, ...], variables: Mapping[str, str | None], home: str | None
) -> str | None:
    if option:
        return option[-1]
    if variables.get("PIP_CACHE_DIR"):
        return variables["PIP_CACHE_DIR"]
    if variables.get("XDG_CACHE_HOME"):
        return f"{variables['XDG_CACHE_HOME']}/pip"
    return f"{home}/.cache/pip" if home else None


class _Run:
    """One RUN: its commands, mounts and environment."""

    def __init__(
        self,
        instruction: Instruction,
        variables: Mapping[str, str | None],
        mounts: tuple[Mount, ...],
        home: str | None,
    ) -> None:
        self.instruction = instruction
        self.variables = variables
        self.mounts = mounts
        self.home = home
        self.commands = [c for c in commands(shell_script(instruction)) if c.argv]

    def apt(self) -> Finding | None:
        positions = [
            i
            for i, c in enumerate(self.commands)
            if (call := apt_call(c)) is not None and call.action in _APT_ACTIONS
        ]
        if not positions:
            # A helper script (`apt-install ...`) may run apt where it cannot be seen; a
            # cache mount over the lists keeps them out of this layer whatever runs.
            mount = _mounted(self.mounts, _APT_LISTS)
            if mount is not None and mount.type == "cache":
                return Finding(
                    True,
                    tr(
                        "apt lists on a cache mount at {target}",
                        "apt のリストは {target} のキャッシュマウント上",
                        target=mount.target,
                    ),
                )
            return None
        last = positions[-1]
        if mount := _mounted(self.mounts, _APT_LISTS):
            return Finding(
                True,
                tr(
                    "apt lists on a {type} mount at {target}",
                    "apt のリストは {target} の {type} マウント上",
                    type=mount.type,
                    target=mount.target,
                ),
            )
        if any(_removes(c, _APT_LISTS, self.home) for c in self.commands[last + 1 :]):
            return Finding(
                True, tr("apt lists removed in the same RUN", "apt のリストを同じ RUN で削除")
            )
        clean = any((a := apt_call(c)) is not None and a.action == "clean" for c in self.commands)
        extra = (
            tr(" (apt-get clean does not remove them)", "（apt-get clean では消えない）")
            if clean
            else ""
        )
        note = tr(
            "apt lists stay in this layer: no rm -rf {lists}/*{extra}",
            "apt のリストがこのレイヤーに残る: rm -rf {lists}/* がない{extra}",
            lists=_APT_LISTS,
            extra=extra,
        )
        return Finding(False, note, _APT_LISTS)

    def apk(self) -> Finding | None:
        found: Finding | None = None
        for index, command in enumerate(self.commands):
            call = apk_call(command)
            if call is None or call.action not in _APK_ACTIONS:
                continue
            shown = " ".join(command.argv)
            if call.no_cache:
                finding = Finding(
                    True,
                    tr("`{shown}` uses --no-cache", "`{shown}` は --no-cache を使用", shown=shown),
                )
            elif mount := _mounted(self.mounts, _APK_CACHE):
                finding = Finding(
                    True,
                    tr(
                        "`{shown}` caches on a {type} mount",
                        "`{shown}` は {type} マウント上にキャッシュ",
                        shown=shown,
                        type=mount.type,
                    ),
                )
            elif any(_removes(c, _APK_CACHE, self.home) for c in self.commands[index + 1 :]):
                finding = Finding(
                    True,
                    tr(
                        "`{shown}`: {cache} removed in the same RUN",
                        "`{shown}`: {cache} を同じ RUN で削除",
                        shown=shown,
                        cache=_APK_CACHE,
                    ),
                )
            else:
                finding = Finding(
                    False,
                    tr(
                        "`{shown}` keeps its cache in {cache}",
                        "`{shown}` は {cache} にキャッシュを残す",
                        shown=shown,
                        cache=_APK_CACHE,
                    ),
                    _APK_CACHE,
                )
            found = _worse(found, finding)
        return found

    def pip(self, configured: Instruction | None) -> Finding | None:
        found: Finding | None = self._pip_cache_mount()
        exported: dict[str, str] = {}
        for index, command in enumerate(self.commands):
            if command.program == "export":
                for word in command.args:
                    key, sep, value = word.partition("=")
                    if sep:
                        exported[key] = value
            call = pip_call(command)
            if call is None or call.runner != "pip" or call.action != "install":
                continue
            shown = " ".join(command.argv)
            environment = {**self.variables, **exported, **command.assignments}
            no_cache = call.long_option(_NO_CACHE_DIR, _NO_CACHE_DIR_SHORTEST)
            finding = _pip_setting(no_cache, environment, shown, configured)
            if finding.ok is not True:
                cache = _pip_cache_dir(call.values("cache-dir"), environment, self.home)
                finding = self._pip_cache_elsewhere(cache, index, shown) or replace(
                    finding, cache=cache
                )
            found = _worse(found, finding)
        return found

    def _pip_cache_mount(self) -> Finding | None:
        """A cache mount over pip's cache of this RUN's user: whatever pip runs (also from a
        helper script) keeps its cache out of the layer."""
        cache = _pip_cache_dir((), self.variables, self.home)
        mount = _mounted(self.mounts, cache) if cache is not None else None
        if mount is None or mount.type != "cache":
            return None
        return Finding(
            True,
            tr(
                "pip's cache {cache} is on a cache mount at {target}",
                "pip のキャッシュ {cache} は {target} のキャッシュマウント上",
                cache=cache,
                target=mount.target,
            ),
        )

    def _pip_cache_elsewhere(self, cache: str | None, index: int, shown: str) -> Finding | None:
        """pip keeps its cache, but on a mount or only until it is removed in this RUN."""
        if cache is None:  # a non-root USER without HOME: any ~/.cache mount will do
            mount = next(
                (
                    m
                    for m in self.mounts
                    if m.type in ("cache", "tmpfs")
                    and (m.target or "").endswith(("/.cache/pip", "/.cache"))
                ),
                None,
            )
        else:
            mount = _mounted(self.mounts, cache)
        if mount is not None:
            return Finding(
                True,
                tr(
                    "`{shown}` caches on a {type} mount at {target}",
                    "`{shown}` は {target} の {type} マウント上にキャッシュ",
                    shown=shown,
                    type=mount.type,
                    target=mount.target,
                ),
            )
        if cache is None:
            return None
        later = self.commands[index + 1 :]
        purged = any(
            (p := pip_call(c)) is not None and p.action == "cache" and "purge" in p.arguments
            for c in later
        )
        if purged or any(_removes(c, cache, self.home) for c in later):
            return Finding(
                True,
                tr(
                    "`{shown}`: its cache {cache} is removed in the same RUN",
                    "`{shown}`: キャッシュ {cache} を同じ RUN で削除",
                    shown=shown,
                    cache=cache,
                ),
            )
        return None


def _pip_setting(
    flag: bool, environment: Mapping[str, str | None], shown: str, configured: Instruction | None
) -> Finding:
    """What the command line, the environment and pip's config say about the cache."""
    if flag:
        return Finding(
            True,
            tr("`{shown}` uses --no-cache-dir", "`{shown}` は --no-cache-dir を使用", shown=shown),
        )
    if "PIP_NO_CACHE_DIR" in environment:
        value = environment["PIP_NO_CACHE_DIR"]
        if value is None:
            return Finding(
                None,
                tr(
                    "`{shown}`: PIP_NO_CACHE_DIR is a build argument without a default",
                    "`{shown}`: PIP_NO_CACHE_DIR がデフォルト値のないビルド引数",
                    shown=shown,
                ),
            )
        if value.lower() in _PIP_TRUTH:
            return Finding(
                True,
                tr(
                    "`{shown}` runs with PIP_NO_CACHE_DIR={value}",
                    "`{shown}` は PIP_NO_CACHE_DIR={value} で実行",
                    shown=shown,
                    value=value,
                ),
            )
        if value:
            return Finding(
                False,
                tr(
                    "`{shown}`: pip refuses PIP_NO_CACHE_DIR={value!r} and fails",
                    "`{shown}`: pip は PIP_NO_CACHE_DIR={value!r} を受け付けず失敗する",
                    shown=shown,
                    value=value,
                ),
            )
    if configured is not None:
        return Finding(
            True,
            tr(
                "`{shown}`: the pip config set at line {line} turns the cache off",
                "`{shown}`: {line} 行目の pip config set がキャッシュを無効化",
                shown=shown,
                line=configured.start_line,
            ),
        )
    return Finding(
        False,
        tr(
            "`{shown}` keeps pip's cache (no --no-cache-dir, no PIP_NO_CACHE_DIR)",
            "`{shown}` は pip のキャッシュを残す（--no-cache-dir も PIP_NO_CACHE_DIR もない）",
            shown=shown,
        ),
    )


def _worse(old: Finding | None, new: Finding) -> Finding:
    rank = {False: 0, None: 1, True: 2}
    return new if old is None or rank[new.ok] < rank[old.ok] else old


def _pip_config(command: Command) -> bool:
    """`pip config set global.no-cache-dir <valid value>` (or install.no-cache-dir)."""
    call = pip_call(command)
    if call is None or call.action != "config" or len(call.arguments) < 3:
        return False
    verb, key, value = call.arguments[:3]
    return (
        verb == "set"
        and key in ("global.no-cache-dir", "install.no-cache-dir")
        and value.lower() in _PIP_TRUTH
    )


def _runs(parsed: ParsedDockerfile, stage: Stage) -> list[tuple[_Run, Instruction | None]]:
    """The RUNs of `stage` (only its own), each with the pip config set before it."""
    escape = parsed.dockerfile.escape
    workdir, user = "/", ""
    configured: Instruction | None = None
    found: list[tuple[_Run, Instruction | None]] = []
    for link in parsed.chain(stage):
        for instruction, variables in parsed.walk(link):
            if instruction.keyword == "workdir" and instruction.args:
                workdir = join_path(
                    workdir, expand(instruction.args[0], variables, escape=escape).text
                )
            elif instruction.keyword == "user" and instruction.args:
                user = expand(instruction.args[0], variables, escape=escape).text
            elif instruction.keyword == "run":
                mounts = run_mounts(instruction, variables, escape=escape, workdir=workdir)
                run = _Run(instruction, variables, mounts, _home(variables, user))
                if link is stage:
                    found.append((run, configured))
                if any(_pip_config(c) for c in run.commands):
                    configured = instruction
    return found


def _copied(path: str | None, copies: tuple[StageSource, ...]) -> StageSource | None:
    """The copy that brings `path` (a cache folder) into the image, if any. A copied path
    covers the folder when it is the folder or one of its parents; a wildcard is read up to
    its first special character."""
    for copy in copies:
        for source in copy.paths:
            literal = source.split("*")[0].split("?")[0].split("[")[0].rstrip("/") or "/"
            if literal == "/" or (path is not None and _covers(literal, path)):
                return copy
            if path is not None and posixpath.normpath(path) == posixpath.normpath(literal):
                return copy
    return None


class _Tally:
    def __init__(self) -> None:
        self.good: list[Evidence] = []
        self.bad: list[Evidence] = []
        self.unsure: list[Evidence] = []
        self.parts: dict[str, list[bool | None]] = {"apt_lists": [], "pip_cache": [], "apk": []}

    def add(self, kind: str, finding: Finding, evidence: Evidence) -> None:
        {True: self.good, False: self.bad, None: self.unsure}[finding.ok].append(evidence)
        self.parts[kind].append(finding.ok)

    def part(self, kind: str) -> Status:
        found = self.parts[kind]
        if not found:
            return Status.NOT_APPLICABLE
        if False in found:
            return Status.FAIL
        return Status.UNKNOWN if None in found else Status.PASS


@check(
    "dockerfile.cache_cleanup",
    severity="low",
    related=("hadolint:DL3009", "hadolint:DL3042", "hadolint:DL3019"),
)
def cache_cleanup(
    repo: Target, *, dockerfile: str = "Dockerfile", target: str | None = None
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        tally = _Tally()
        for stage in build.chain:
            for run, configured in _runs(parsed, stage):
                for kind, finding in _findings(run, configured):
                    note = tr(
                        "{stage}: {note}",
                        "{stage}: {note}",
                        stage=stage_label(stage),
                        note=finding.note,
                    )
                    tally.add(kind, finding, parsed.at(dockerfile, run.instruction, note))
        _builders(parsed, build, dockerfile, tally)
        return _outcome(parsed, build, dockerfile, tally)


def _findings(run: _Run, configured: Instruction | None) -> list[tuple[str, Finding]]:
    found = [("apt_lists", run.apt()), ("apk", run.apk()), ("pip_cache", run.pip(configured))]
    return [(kind, finding) for kind, finding in found if finding is not None]


def _builders(parsed: ParsedDockerfile, build: Build, path: str, tally: _Tally) -> None:
    """Builder stages count only for the caches the image copies out of them."""
    seen: set[tuple[int, int]] = set()
    for stage in build.built:
        copies = () if build.in_image(stage) else build.copied_paths(stage)
        if not copies:
            continue
        for link in parsed.chain(stage):
            if build.in_image(link):
                continue  # a shared base stage of the image: judged above
            for run, configured in _runs(parsed, link):
                for kind, finding in _findings(run, configured):
                    key = (run.instruction.start_line, hash((kind, finding.note, stage.index)))
                    if key in seen:
                        continue
                    seen.add(key)
                    label = stage_label(link)
                    copy = _copied(finding.cache, copies) if finding.ok is not True else None
                    if finding.ok is True:
                        note = tr(
                            "{label} (builder): {note}",
                            "ビルド用の{label}: {note}",
                            label=label,
                            note=finding.note,
                        )
                        tally.add(kind, finding, parsed.at(path, run.instruction, note))
                    elif copy is not None:
                        note = tr(
                            "{label}: {note}; line {line} copies it into the image",
                            "{label}: {note}。{line} 行目でイメージにコピーされる",
                            label=label,
                            note=finding.note,
                            line=copy.instruction.start_line,
                        )
                        tally.add(kind, finding, parsed.at(path, run.instruction, note))
                    else:
                        note = tr(
                            "{label} (builder): {note}, but it stays out of the image: only "
                            "{shown} is copied from {stage}",
                            "ビルド用の{label}: {note}。ただし {stage} からコピーされるのは "
                            "{shown} だけなので、イメージには入らない",
                            label=label,
                            note=finding.note,
                            shown=[p for c in copies for p in c.paths],
                            stage=stage_label(stage),
                        )
                        kept = replace(finding, ok=True, note=note)
                        tally.add(kind, kept, parsed.at(path, run.instruction, note))


def _outcome(parsed: ParsedDockerfile, build: Build, path: str, tally: _Tally) -> Outcome:
    parts = {"apt_lists": tally.part("apt_lists"), "pip_cache": tally.part("pip_cache")}
    good, bad, unsure = tally.good, tally.bad, tally.unsure
    total = len(good) + len(bad) + len(unsure)
    if bad:
        return Outcome.failed(
            tr(
                "{bad} of {total} package manager RUN(s) leave a cache in the image",
                "パッケージマネージャーの RUN {total} 件中 {bad} 件がイメージにキャッシュを残す",
                bad=len(bad),
                total=total,
            ),
            *bad,
            *unsure,
            *good,
        ).with_parts(**parts)
    if unsure:
        return Outcome.unknown(
            tr(
                "{count} package manager RUN(s) depend on build arguments",
                "パッケージマネージャーの RUN {count} 件がビルド引数に依存",
                count=len(unsure),
            ),
            *unsure,
            *good,
        ).with_parts(**parts)
    if not good:
        where = parsed.at(
            path,
            build.final.from_instruction,
            tr("no package manager RUN", "パッケージマネージャーの RUN なし"),
        )
        return Outcome.not_applicable(
            tr(
                "the image of {path} runs no apt, apk or pip install",
                "{path} のイメージは apt、apk、pip のインストールを実行しない",
                path=path,
            ),
            where,
        ).with_parts(**parts)
    return Outcome.passed(
        tr(
            "all {total} package manager RUN(s) leave no cache in the image",
            "パッケージマネージャーの RUN {total} 件すべてがイメージにキャッシュを残さない",
            total=total,
        ),
        *good,
    ).with_parts(**parts)
