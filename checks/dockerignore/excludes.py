"""`.dockerignore` created: the build context leaves out what the image must not see.

What it checks:
    The build context of the Dockerfile (its folder, or the `context` parameter) has an
    ignore file — `<Dockerfile>.dockerignore` next to the Dockerfile, which BuildKit
    prefers, or `.dockerignore` at the context root — and, judged by Docker's own matching
    rules (moby/patternmatcher, not gitignore's), it excludes a sample path of every kind
    the guide lists: virtual environments (venv/, .venv/), tool caches (.pytest_cache,
    .mypy_cache, .ruff_cache) at the root and nested, `__pycache__` at any depth, tests/,
    scripts/, `.env` files, .git/, .github/, build/, dist/ and `*.egg-info` at the root
    and nested. The `paths` parameter replaces the sample list. Real files of the target
    that would still be sent and match one of these kinds are named too.

    An allow-list (`*` then `!src/`, `!app/`) sends everything below a re-included folder.
    Each such folder — named by a `!` pattern (with a trailing `/`, or shown to be a folder
    by the target or by another pattern), or a real folder of the target that a `!`
    pattern re-includes — is probed with the kinds that turn up inside source folders, at
    depth: `__pycache__`, the tool caches, virtual environments, `.env` files, `tests/`
    and `*.egg-info`. The exact path that would be sent is reported.

    A path the Dockerfile copies on purpose is not flagged when the ignore file
    re-includes it as well: a `!scripts/entrypoint.sh` with `COPY
    scripts/entrypoint.sh ...` in a stage the target builds (parameter `target`; by
    default the last stage). A build context that is not in the repository (generated at
    build time, such as goreleaser's staging folder) cannot be judged: unknown.

    The difference from gitignore matters: in `.dockerignore`, `__pycache__/` only
    matches at the context root, so `src/__pycache__/` is still sent; `**/__pycache__`
    matches at any depth.

Why it matters:
    Everything in the context is sent to the builder and can end up in the image through
    `COPY . .`: secrets in `.env`, the Git history, gigabytes of virtual environments.
    A small context also builds faster and keeps the layer cache stable.

How to fix:
    Add the missing patterns to the ignore file, with `**/` for things that appear at any
    depth, for example `**/__pycache__`, `**/.pytest_cache`, `**/*.egg-info`; after an
    allow-list's `!src/`, exclude again what must not be sent from inside it
    (`**/.env*`, `**/tests`).

日本語: .dockerignore 作成: イメージに見せてはいけないものをビルドコンテキストから除外する

何を確認するか:
    Dockerfile のビルドコンテキスト（そのフォルダー、またはパラメータ `context`）に除外
    ファイル（BuildKit が優先する Dockerfile 横の `<Dockerfile>.dockerignore`、または
    コンテキストのルートの `.dockerignore`）があり、Docker 自身の照合規則
    （moby/patternmatcher。gitignore の規則ではありません）で判定して、ガイドが挙げる種類ごとの
    サンプルパスをすべて除外していることを確認します: 仮想環境（venv/、.venv/）、ルートと
    入れ子のツールキャッシュ（.pytest_cache、.mypy_cache、.ruff_cache）、任意の深さの
    `__pycache__`、tests/、scripts/、`.env` ファイル、.git/、.github/、build/、dist/、
    ルートと入れ子の `*.egg-info` です。パラメータ `paths` はサンプルの一覧を置き換えます。
    これらの種類に当たり、まだ送られてしまうターゲットの実際のファイルも示します。

    許可リスト方式（`*` のあとに `!src/`、`!app/`）では、再び含めたフォルダーの下がすべて
    送られます。そうしたフォルダー（`!` パターンが指すもの。末尾の `/`、ターゲット、または別の
    パターンからフォルダーと分かるもの）と、`!` パターンが再び含めるターゲットの実際の
    フォルダーについて、ソースフォルダーの中に現れやすい種類を深さも含めて調べます:
    `__pycache__`、ツールキャッシュ、仮想環境、`.env` ファイル、`tests/`、`*.egg-info`。
    送られてしまう正確なパスを報告します。

    Dockerfile が意図してコピーするパスは、除外ファイルがそれを再び含めていれば指摘しません:
    対象ステージ（パラメータ `target`。省略時は最後のステージ）がビルドするステージに
    `COPY scripts/entrypoint.sh ...` があり、`!scripts/entrypoint.sh` がある場合です。
    リポジトリにないビルドコンテキスト（goreleaser のステージングフォルダーのように
    ビルド時に作られるもの）は判定できないため unknown（未計測）です。

    gitignore との違いは重要です: `.dockerignore` の `__pycache__/` はコンテキストのルート
    でしか一致しないため、`src/__pycache__/` は送られたままになります。任意の深さで一致する
    のは `**/__pycache__` です。

なぜ重要か:
    コンテキストにあるものはすべてビルダーに送られ、`COPY . .` でイメージに入りえます:
    `.env` のシークレット、Git の履歴、何 GB もの仮想環境です。コンテキストが小さければ
    ビルドも速くなり、レイヤーキャッシュも安定します。

修正方法:
    足りないパターンを除外ファイルに追加します。どの深さにも現れるものには `**/` を付けます。
    例: `**/__pycache__`、`**/.pytest_cache`、`**/*.egg-info`。許可リストの `!src/` の後では、
    その中から送ってはいけないものを改めて除外します（`**/.env*`、`**/tests`）。
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from typing import Any

from checklists import Evidence, InputError, Outcome, Target, check, tr
from checks.common import context_of, ignore_file, load_build, relative_to
from checks.readers.dockerfile_model import copy_parts, expand
from checks.readers.dockerignore import Pattern, PatternMatcher

# One or more sample paths (relative to the context) for each kind the guide excludes.
GUIDE_PATHS: tuple[str, ...] = (
    "venv/bin/python",
    ".venv/bin/python",
    ".pytest_cache/v/cache/nodeids",
    "tests/.pytest_cache/v/cache/nodeids",
    ".mypy_cache/3.13/cache.db",
    "src/.mypy_cache/3.13/cache.db",
    ".ruff_cache/0.6.0/cache",
    "src/.ruff_cache/0.6.0/cache",
    "__pycache__/main.cpython-313.pyc",
    "src/__pycache__/main.cpython-313.pyc",
    "src/app/api/__pycache__/routes.cpython-313.pyc",
    "tests/test_health.py",
    "scripts/wait_for_db.sh",
    ".env",
    ".env.local",
    ".env.production",
    ".git/HEAD",
    ".github/workflows/ci.yml",
    "build/lib/app/main.py",
    "dist/app-0.1.0-py3-none-any.whl",
    "app.egg-info/PKG-INFO",
    "src/app.egg-info/PKG-INFO",
)
# What turns up inside a source folder, probed below every re-included folder.
NESTED_PATHS: tuple[str, ...] = (
    ".env",
    ".env.local",
    "tests/test_main.py",
    "__pycache__/main.cpython-313.pyc",
    "pkg/__pycache__/routes.cpython-313.pyc",
    ".pytest_cache/v/cache/nodeids",
    ".mypy_cache/3.13/cache.db",
    ".ruff_cache/0.6.0/cache",
    ".venv/bin/python",
    "venv/bin/python",
    "app.egg-info/PKG-INFO",
)
_UNWANTED_FOLDERS = frozenset(
    {"venv", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__", ".git"}
)
_UNWANTED_TOP = frozenset({".github", "tests", "scripts", "build", "dist"})
_ENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})
_GLOB = frozenset("*?[\\")
_MAX_FOLDERS = 200


def _unwanted(path: str) -> bool:
    """Whether a real file of the target is of a kind the guide wants out of the context."""
    return _kind_root(path) is not None


def _kind_root(path: str) -> str | None:
    """The part of the path that makes it unwanted (`tests`, `src/__pycache__`, `.env`)."""
    *folders, name = path.split("/")
    if folders and folders[0] in _UNWANTED_TOP:
        return folders[0]
    for index, folder in enumerate(folders):
        if folder in _UNWANTED_FOLDERS or folder.endswith(".egg-info"):
            return "/".join(folders[: index + 1])
    if (name == ".env" or name.startswith(".env.")) and name not in _ENV_TEMPLATES:
        return path
    return None


def _literal_folder(pattern: Pattern) -> tuple[str, bool] | None:
    """The folder a `!` pattern names (no wildcards), and whether it is written as one."""
    text = pattern.text
    folder_form = text.endswith(("/**", "/*")) or pattern.raw.rstrip().endswith("/")
    text = text.removesuffix("/**").removesuffix("/*").strip("/")
    if not text or text == "." or any(ch in _GLOB for ch in text):
        return None
    return text, folder_form


def reincluded_folders(
    patterns: Sequence[Pattern], matcher: PatternMatcher, folders: Iterable[str]
) -> list[str]:
    """The folders an allow-list re-includes: named by a `!` pattern that writes them as a
    folder (or that the target or another pattern shows to be one), and real folders of the
    context that a `!` pattern brings back."""
    real = set(folders)
    found: dict[str, None] = {}
    named = [
        literal
        for pattern in patterns
        if pattern.exclusion and (literal := _literal_folder(pattern)) is not None
    ]
    beneath = _patterns_beneath({folder for folder, _ in named}, patterns)
    for folder, folder_form in named:
        # A pattern below its own folder (`!src/**`) is written as a folder anyway.
        if folder_form or folder in real or beneath.get(folder, 0) > 0:
            found[folder] = None
    for folder in sorted(real):
        decider = matcher.deciding_pattern(folder)
        if decider is not None and decider.exclusion and not matcher.matches(folder):
            found[folder] = None
    return list(found)


def _patterns_beneath(folders: set[str], patterns: Sequence[Pattern]) -> dict[str, int]:
    """For each folder, how many patterns start with `folder/`: each pattern walks a tree of
    the folders' names once, so the count takes time linear in the file (asking every
    pattern about every folder took the square of 10,000 `!` lines: 38 s)."""
    tree: dict[str, Any] = {}
    node: dict[str, Any]
    for folder in folders:
        node = tree
        for name in folder.split("/"):
            node = node.setdefault(name, {})
        node[""] = folder  # "" is no name of a folder: it marks the end of one
    counts: dict[str, int] = {}
    for pattern in patterns:
        node = tree
        for name in pattern.text.split("/")[:-1]:
            found = node.get(name) if name else None  # "" marks a folder's end, never a name
            if found is None:
                break
            node = found
            end: str | None = node.get("")
            if end is not None:
                counts[end] = counts.get(end, 0) + 1
    return counts


def _copied_sources(repo: Target, dockerfile: str, target: str | None) -> set[str] | None:
    """The context paths the built stages COPY/ADD by name (None: no Dockerfile to read)."""
    if not repo.is_file(dockerfile):
        return None
    parsed, build = load_build(repo, dockerfile, target)
    sources: set[str] = set()
    for stage in build.built:
        for instruction, variables in parsed.walk(stage):
            if instruction.keyword not in ("copy", "add") or "--from" in " ".join(
                instruction.flags
            ):
                continue
            for source in copy_parts(instruction).sources:
                text = expand(source, variables, escape=parsed.dockerfile.escape).text
                sources.add(posixpath.normpath(text.lstrip("/")))
    return sources


def _deliberate(path: str, matcher: PatternMatcher, copied: set[str]) -> bool:
    """Copied by name and re-included on purpose: `!scripts/entrypoint.sh` and `COPY
    scripts/entrypoint.sh`."""
    decider = matcher.deciding_pattern(path)
    if decider is None or not decider.exclusion:
        return False
    root = _kind_root(path)
    return path in copied or (root is not None and root in copied)


def _sent(
    matcher: PatternMatcher,
    patterns: Sequence[Pattern],
    files: list[str],
    paths: Sequence[str] | None,
    copied: set[str],
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(the paths probed, the probes sent, the target's unwanted files sent, the probes below
    re-included folders, the sample paths). Raises the matcher's `InputError` for a pattern
    Go cannot compile."""
    samples = list(paths) if paths is not None else list(GUIDE_PATHS)
    # BuildKit asks the matcher about every file of the context it sends, and Go compiles
    # a pattern only when one is asked about: a pattern it cannot compile (`[z-a]*`)
    # fails the build once any file reaches it, even if no sample path does.
    for path in files:
        if matcher.compiled:  # nothing left that could fail
            break
        matcher.matches(path)
    folders = sorted({posixpath.dirname(f) for f in files} - {""})[:_MAX_FOLDERS]
    nested: list[str] = []
    if paths is None:
        for parent in reincluded_folders(patterns, matcher, folders):
            nested.extend(f"{parent}/{probe}" for probe in NESTED_PATHS)
    probes = list(dict.fromkeys(nested + samples))
    sent = [p for p in probes if not matcher.matches(p) and not _deliberate(p, matcher, copied)]
    sent_real = [
        p
        for p in files
        if _unwanted(p) and not matcher.matches(p) and not _deliberate(p, matcher, copied)
    ]
    return probes, sent, sent_real, nested, samples


@check("dockerignore.excludes", severity="medium", related=("checkov:CKV_DOCKER_*",))
def excludes(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    target: str | None = None,
    paths: Sequence[str] | None = None,
) -> Outcome:
    folder = context_of(dockerfile, context)
    if not repo.exists(folder):
        return Outcome.unknown(
            tr(
                "the build context {folder}/ is not in the repository (it is made at build "
                "time), so which ignore file applies and what it sends cannot be seen",
                "ビルドコンテキスト {folder}/ はリポジトリになく（ビルド時に作られる）、どの除外"
                "ファイルが効き、何が送られるかは見えない",
                folder=folder,
            ),
            Evidence(
                tr(
                    "no folder {folder} in the target",
                    "ターゲットにフォルダー {folder} がない",
                    folder=folder,
                ),
                path=dockerfile,
            ),
        )
    ignore = ignore_file(repo, dockerfile, folder)
    if ignore.path is None:
        return Outcome.failed(
            tr(
                "the build context {folder}/ has no .dockerignore",
                "ビルドコンテキスト {folder}/ に .dockerignore がない",
                folder=folder,
            ),
            Evidence(
                tr(
                    "looked for {dockerfile}.dockerignore and {folder}/.dockerignore",
                    "{dockerfile}.dockerignore と {folder}/.dockerignore を探した",
                    dockerfile=dockerfile,
                    folder=folder,
                )
            ),
        )
    matcher = ignore.matcher
    copied: set[str] = set()
    if matcher.exclusions:  # only a re-included path can be a deliberate copy
        try:
            copied = _copied_sources(repo, dockerfile, target) or set()
        except InputError as error:
            raise error.with_path(dockerfile) from None
    files = [relative_to(folder, f) for f in repo.files(folder)]
    try:
        probes, sent, sent_real, nested, samples = _sent(
            matcher, ignore.patterns, files, paths, copied
        )
    except InputError as error:
        raise error.with_path(ignore.path) from None
    evidence = [
        Evidence(
            tr(
                "{path} would be sent to the builder{because}",
                "{path} はビルダーに送られる{because}",
                path=p,
                because=_because(matcher, p),
            ),
            path=ignore.path,
        )
        for p in sent
    ] + [
        Evidence(
            tr(
                "{folder}/{path} is in the target and would be sent",
                "{folder}/{path} はターゲットにあり、送られる",
                folder=folder,
                path=p,
            ),
            path=ignore.path,
        )
        for p in sent_real
    ]
    if evidence:
        return Outcome.failed(
            tr(
                "{count} path(s) that the guide excludes would still be sent, such as {first}",
                "ガイドが除外するパスのうち {count} 件がまだ送られる（例: {first}）",
                count=len(sent) + len(sent_real),
                first=(sent + sent_real)[0],
            ),
            *evidence,
        )
    excluded = []
    for sample in probes:
        pattern = matcher.deciding_pattern(sample)
        if pattern is not None and pattern.exclusion:
            note = tr(
                "{sample} is re-included by {pattern!r} and copied on purpose",
                "{sample} は {pattern!r} で再び含められ、意図してコピーされる",
                sample=sample,
                pattern=pattern.raw,
            )
        elif pattern:
            note = tr(
                "{sample} excluded by {pattern!r}",
                "{sample} は {pattern!r} で除外",
                sample=sample,
                pattern=pattern.raw,
            )
        else:
            note = tr("{sample} excluded", "{sample} は除外", sample=sample)
        excluded.append(Evidence(note, path=ignore.path, line=pattern.line if pattern else None))
    extra = (
        tr(
            " and {count} below re-included folders",
            "（再び含めたフォルダーの下の {count} 件も）",
            count=len(nested),
        )
        if nested
        else ""
    )
    return Outcome.passed(
        tr(
            "{path} excludes all {count} sample paths of the guide's list{extra}",
            "{path} はガイドの一覧のサンプルパス {count} 件をすべて除外{extra}",
            path=ignore.path,
            count=len(samples),
            extra=extra,
        ),
        *excluded,
    )


def _because(matcher: PatternMatcher, path: str) -> str:
    pattern = matcher.deciding_pattern(path)
    if pattern is not None and pattern.exclusion:
        return tr(
            " (re-included by {pattern!r} at line {line})",
            "（{line} 行目の {pattern!r} で再び含められている）",
            pattern=pattern.raw,
            line=pattern.line,
        )
    return ""
