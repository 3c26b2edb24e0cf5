"""Layer cache order: dependencies are installed from the manifests before the source is copied.

What it checks:
    In every stage that `docker build` builds for the target stage (parameter `target`; by
    default the last stage, as without `--target`) and that installs dependencies — `pip
    install -r requirements*.txt`, `pip install .` / `-e .`, `uv sync`, `uv pip
    install|sync`, `poetry install`, `pdm install`, `pipenv install`, `npm ci` / `npm
    install`, `yarn`, `pnpm install|fetch`, `bun install`, `go mod download`, `bundle
    install`, `composer install`, `cargo fetch` — the files copied from the build context
    before each install (by COPY/ADD in the stage or the stages it is built FROM, or
    bind-mounted into the RUN) are sorted into:

    - manifests: pyproject.toml, setup.py/setup.cfg, requirements*.txt, constraints*.txt,
      poetry.lock, uv.lock, Pipfile(.lock), pdm.lock, package.json, package-lock.json,
      yarn.lock, pnpm-lock.yaml, .npmrc, go.mod/go.sum, Cargo.toml/lock, Gemfile(.lock),
      composer.json/lock, and a `requirements/` folder of them;
    - application source: the whole context (`COPY . .`), a folder with anything else in
      it (`COPY src ./src`), or a code file. Folders and globs are read from the target,
      minus what the .dockerignore excludes, so `COPY . .` behind a .dockerignore that only
      lets the manifests through counts as manifests;
    - build configuration (rollup.config.mjs, tsconfig.json, .babelrc, babel.config.js)
      and other single files (README.md, alembic.ini), listed but not judged.

    An install that needs only the manifests (`pip install -r`, `uv sync
    --no-install-project`, `poetry install --no-root`, `npm ci`, `go mod download`, ...)
    fails when application source was copied before it. An install of the local project
    (`pip install .`, `pip install -e ".[dev]"`, `uv sync`, `poetry install`) needs the
    source, so the source may come before it — but only when the dependencies were already
    installed in an earlier layer from the manifests alone (or it installs the project
    without dependencies: `--no-deps`, `--only-root`). Otherwise one layer resolves,
    downloads and builds every dependency after the source copy, and any edit of the
    source re-runs all of it; that fails too. A pip cache mount only makes that re-run
    faster and does not count. A copied path that depends on a build argument without a
    default is unknown; a Dockerfile without dependency installs is not applicable.

    No peer linter checks the order of COPY and install (hadolint, Trivy and Checkov have
    no such rule); this follows Docker's "Optimize cache usage in builds" guidance.

Why it matters:
    Docker reuses a layer only while everything before it is unchanged; a COPY invalidates
    the cache as soon as any copied file changes. With the source copied first, every code
    change re-installs all dependencies (minutes in CI, compilers in a builder stage);
    with the manifests first, the dependency layer is rebuilt only when they change (the
    guide: 変更頻度が低いものを先にCOPY).

How to fix:
    Copy the manifests, install the dependencies, then copy the source and install the
    project without re-resolving: `COPY pyproject.toml uv.lock ./` →
    `RUN uv sync --frozen --no-install-project` → `COPY src ./src` →
    `RUN uv sync --frozen`; or `COPY requirements.txt ./` → `RUN pip install
    --no-cache-dir -r requirements.txt` → `COPY src ./src` → `RUN pip install
    --no-cache-dir --no-deps .`; for Node `COPY package.json package-lock.json ./` →
    `RUN npm ci` → `COPY . .`.

日本語: レイヤーキャッシュの順序: ソースをコピーする前にマニフェストから依存関係をインストールする

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしと同じく最後のステージ）の
    ために `docker build` がビルドし、依存関係をインストールするすべてのステージ（`pip
    install -r requirements*.txt`、`pip install .` / `-e .`、`uv sync`、`uv pip
    install|sync`、`poetry install`、`pdm install`、`pipenv install`、`npm ci` / `npm
    install`、`yarn`、`pnpm install|fetch`、`bun install`、`go mod download`、`bundle
    install`、`composer install`、`cargo fetch`）で、各インストールの前にビルドコンテキスト
    からコピーされたファイル（そのステージか `FROM` に使った前段のステージの COPY/ADD、または
    RUN へのバインドマウント）を次のように分類します:

    - マニフェスト: pyproject.toml、setup.py/setup.cfg、requirements*.txt、
      constraints*.txt、poetry.lock、uv.lock、Pipfile(.lock)、pdm.lock、package.json、
      package-lock.json、yarn.lock、pnpm-lock.yaml、.npmrc、go.mod/go.sum、
      Cargo.toml/lock、Gemfile(.lock)、composer.json/lock、およびそれらを入れた
      `requirements/` フォルダー。
    - アプリケーションのソース: コンテキスト全体（`COPY . .`）、それ以外のものを含むフォルダー
      （`COPY src ./src`）、コードファイル。フォルダーと glob はターゲットから .dockerignore の
      除外分を引いて読むため、マニフェストだけを通す .dockerignore の後ろの `COPY . .` は
      マニフェストとして数えます。
    - ビルド設定（rollup.config.mjs、tsconfig.json、.babelrc、babel.config.js）とその他の
      単独ファイル（README.md、alembic.ini）。一覧に示しますが判定しません。

    マニフェストだけで済むインストール（`pip install -r`、`uv sync --no-install-project`、
    `poetry install --no-root`、`npm ci`、`go mod download` など）は、その前にアプリケーションの
    ソースがコピーされていれば不合格です。ローカルのプロジェクトのインストール
    （`pip install .`、`pip install -e ".[dev]"`、`uv sync`、`poetry install`）はソースを
    必要とするため、ソースが先でもかまいません。ただし、依存関係がそれより前のレイヤーで
    マニフェストだけからインストール済みの場合（または `--no-deps`、`--only-root` で依存関係
    なしにプロジェクトだけをインストールする場合）に限ります。そうでなければ、ソースの
    コピー後の 1 つのレイヤーがすべての依存関係を解決・ダウンロード・ビルドし、ソースを
    編集するたびにそのすべてをやり直すため、これも不合格です。pip のキャッシュマウントは
    やり直しを速くするだけで、数えません。デフォルト値のないビルド引数に依存するコピー元は
    unknown（未計測）、依存関係のインストールがない Dockerfile は対象外です。

    COPY とインストールの順序を確認するほかのリンターはありません（hadolint、Trivy、Checkov に
    そのルールはありません）。これは Docker の「Optimize cache usage in builds」の指針に
    従っています。

なぜ重要か:
    Docker がレイヤーを再利用するのは、それより前がすべて変わっていない間だけで、COPY は
    コピーしたファイルが 1 つでも変わるとキャッシュを無効にします。ソースを先にコピーすると、
    コードを変えるたびにすべての依存関係を再インストールします（CI では数分、builder
    ステージではコンパイラも動きます）。マニフェストを先にすれば、依存関係のレイヤーは
    マニフェストが変わったときだけ再ビルドされます（ガイド: 変更頻度が低いものを先にCOPY）。

修正方法:
    マニフェストをコピーして依存関係をインストールし、その後でソースをコピーして、再解決せずに
    プロジェクトをインストールします: `COPY pyproject.toml uv.lock ./` →
    `RUN uv sync --frozen --no-install-project` → `COPY src ./src` →
    `RUN uv sync --frozen`。または `COPY requirements.txt ./` → `RUN pip install
    --no-cache-dir -r requirements.txt` → `COPY src ./src` → `RUN pip install
    --no-cache-dir --no-deps .`。Node では `COPY package.json package-lock.json ./` →
    `RUN npm ci` → `COPY . .`。
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass

from checklists import Evidence, Outcome, Target, check, join, tr
from checks.common import (
    IgnoreFile,
    ParsedDockerfile,
    context_of,
    ignore_file,
    load_build,
    relative_to,
    stage_label,
)
from checks.dockerfile._errors import located
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import (
    Stage,
    copy_parts,
    expand,
    flag_value,
    shell_script,
)
from checks.readers.package_commands import DependencyInstall, InstallScope, dependency_install
from checks.readers.run_mount import run_mounts
from checks.readers.shell import commands

MANIFESTS = (
    *("pyproject.toml", "setup.py", "setup.cfg", "requirements*.txt", "requirements*.in"),
    *("constraints*.txt", "poetry.lock", "poetry.toml", "uv.lock", "Pipfile", "Pipfile.lock"),
    *("pdm.lock", "pylock*.toml", ".python-version", "MANIFEST.in"),
    *("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", ".yarnrc"),
    *(".yarnrc.yml", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs"),
    *("bun.lockb", "bun.lock", "go.mod", "go.sum", "go.work", "go.work.sum"),
    *("Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock", "*.gemspec"),
    *("composer.json", "composer.lock"),
)
MANIFEST_FOLDERS = frozenset({"requirements", ".yarn"})
CODE_SUFFIXES = frozenset(
    {".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".rb", ".php"}
    | {".java", ".kt", ".cs", ".c", ".cc", ".cpp", ".h", ".vue", ".svelte"}
)
_BUILD_FILES = frozenset({"Dockerfile", ".dockerignore"})
# Build configuration: read by the build, changed about as rarely as the manifests; not
# application source (`COPY package.json rollup.config.mjs ./` before `npm ci`).
BUILD_CONFIGS = (
    *("*.config.js", "*.config.mjs", "*.config.cjs", "*.config.ts", "*.config.mts"),
    *("*.config.cts", "*.config.json", "tsconfig*.json", "jsconfig*.json", ".babelrc"),
    *(".babelrc.*", ".browserslistrc", ".swcrc", ".nvmrc", ".node-version", ".eslintrc*"),
    *(".prettierrc*", "nx.json", "turbo.json", "lerna.json", "angular.json", ".parcelrc"),
    *("Dockerfile.*", "*.dockerfile", "*.dockerignore", "Makefile", "justfile"),
)
_CONFIG_NAME = re.compile("|".join(fnmatch.translate(pattern) for pattern in BUILD_CONFIGS))
# Names a wildcard over an unseen folder is compared with: the manifests and configs spelled
# out (`requirements*.txt` as requirements.txt and requirements-dev.txt).
_EXAMPLES = tuple(
    {
        pattern.replace("*", fill)
        for pattern in (*MANIFESTS, *BUILD_CONFIGS)
        for fill in ("", "-dev", "app")
    }
    - {""}
)


_MANIFEST_NAME = re.compile("|".join(fnmatch.translate(pattern) for pattern in MANIFESTS))


def is_manifest(name: str) -> bool:
    return _MANIFEST_NAME.match(name) is not None


def is_build_config(name: str) -> bool:
    return _CONFIG_NAME.match(name) is not None


@dataclass(frozen=True, slots=True)
class Copied:
    """What one COPY/ADD source (or bind mount) brings in from the build context."""

    kind: str  # "manifest", "source", "other" or "unknown"
    what: str  # the source as written
    detail: str  # why it has that kind
    instruction: Instruction
    stage: str  # the label of the stage it is in


class _Context:
    """The build context in the target, as COPY sees it (minus the .dockerignore)."""

    def __init__(self, target: Target, folder: str, ignore: IgnoreFile) -> None:
        self.target = target
        self.folder = folder
        self.matcher = ignore.matcher

    def sent(self, folder: str) -> list[str]:
        files = self.target.files(folder) if self.target.exists(folder) else []
        return [f for f in files if not self.matcher.matches(relative_to(self.folder, f))]

    def classify(self, source: str) -> tuple[str, str]:
        rel = posixpath.normpath(posixpath.join(self.folder, source.lstrip("/")))
        name = posixpath.basename(rel) if rel != self.folder else "."
        if any(ch in source for ch in "*?["):
            folder = posixpath.dirname(rel) or "."
            if self.target.exists(folder):
                pattern = posixpath.basename(rel)
                files = [
                    f
                    for f in self.sent(folder)
                    if fnmatch.fnmatchcase(relative_to(folder, f).split("/")[0], pattern)
                ]
                return self._files(files, source)
            named = [e for e in _EXAMPLES if fnmatch.fnmatchcase(e, name)]
            if named and all(
                posixpath.splitext(e)[1] not in CODE_SUFFIXES or is_build_config(e) for e in named
            ):
                return "manifest", tr(
                    "{source} names manifests or build configuration",
                    "{source} はマニフェストかビルド設定を指す",
                    source=source,
                )
            return "source", tr(
                "{source} is a wildcard over the context",
                "{source} はコンテキスト全体に対するワイルドカード",
                source=source,
            )
        found = self.target.kind(rel)  # a COPY source may be a file or a folder
        if found == "file":
            return self._file(name, source)
        if found == "directory":
            return self._files(self.sent(rel), source)
        if is_manifest(name) or name in MANIFEST_FOLDERS:
            return "manifest", _IS_MANIFEST.fill(source)
        if is_build_config(name):
            return "config", _IS_CONFIG.fill(source)
        if name == "." or posixpath.splitext(name)[1] in CODE_SUFFIXES:
            return "source", tr(
                "{source} is application source",
                "{source} はアプリケーションのソース",
                source=source,
            )
        if posixpath.splitext(name)[1]:
            return "other", _IS_SINGLE_FILE.fill(source)
        return "source", tr(
            "{source} is a folder of the application",
            "{source} はアプリケーションのフォルダー",
            source=source,
        )

    @staticmethod
    def _file(name: str, source: str) -> tuple[str, str]:
        if is_manifest(name):
            return "manifest", _IS_MANIFEST.fill(source)
        if is_build_config(name):
            return "config", _IS_CONFIG.fill(source)
        if posixpath.splitext(name)[1] in CODE_SUFFIXES:
            return "source", tr(
                "{source} is application code",
                "{source} はアプリケーションのコード",
                source=source,
            )
        return "other", _IS_SINGLE_FILE.fill(source)

    def _files(self, files: list[str], source: str) -> tuple[str, str]:
        app = [
            f
            for f in files
            if not is_manifest(posixpath.basename(f))
            and posixpath.basename(f) not in _BUILD_FILES
            and not is_build_config(posixpath.basename(f))
            and not set(relative_to(self.folder, f).split("/")[:-1]) & MANIFEST_FOLDERS
        ]
        if app:
            code = [f for f in app if posixpath.splitext(f)[1] in CODE_SUFFIXES]
            shown = relative_to(self.folder, (code or app)[0])
            return "source", tr(
                "{source} brings in application files such as {shown}",
                "{source} は {shown} などのアプリケーションのファイルを持ち込む",
                source=source,
                shown=shown,
            )
        if files:
            return "manifest", tr(
                "{source} brings in only manifests",
                "{source} が持ち込むのはマニフェストだけ",
                source=source,
            )
        return "other", tr(
            "{source} brings in no files", "{source} はファイルを持ち込まない", source=source
        )


@dataclass(frozen=True, slots=True)
class _Template:
    """A message about one copied source, made when a source is classified."""

    en: str
    ja: str

    def fill(self, source: str) -> str:
        return tr(self.en, self.ja, source=source)


_IS_MANIFEST = _Template("{source} is a manifest", "{source} はマニフェスト")
_IS_CONFIG = _Template(
    "{source} is build configuration, not application source",
    "{source} はビルド設定で、アプリケーションのソースではない",
)
_IS_SINGLE_FILE = _Template("{source} is a single file", "{source} は単独のファイル")
_KINDS = {
    "manifest": tr("manifest", "マニフェスト"),
    "source": tr("source", "ソース"),
    "config": tr("config", "ビルド設定"),
    "other": tr("other", "その他"),
    "unknown": tr("unknown", "不明"),
}


@dataclass(frozen=True, slots=True)
class _Judged:
    ok: bool | None
    evidence: tuple[Evidence, ...]
    reason: str


def _copies(
    parsed: ParsedDockerfile,
    context: _Context,
    link: Stage,
    instruction: Instruction,
    variables: dict[str, str | None],
) -> list[Copied]:
    """What a COPY/ADD (or the bind mounts of a RUN) brings in from the build context."""
    escape = parsed.dockerfile.escape
    label = stage_label(link)
    found: list[Copied] = []
    if instruction.keyword in ("copy", "add") and flag_value(instruction, "from") is None:
        parts = copy_parts(instruction)
        for source in parts.sources:
            expansion = expand(source, variables, escape=escape)
            if expansion.unresolved:
                detail: str = tr(
                    "{source} depends on {names}",
                    "{source} は {names} に依存",
                    source=source,
                    names=", ".join(sorted(expansion.unresolved)),
                )
                found.append(Copied("unknown", source, detail, instruction, label))
            elif instruction.keyword == "add" and (
                "://" in expansion.text or expansion.text.startswith("git@")
            ):
                detail = tr("{source} is downloaded", "{source} はダウンロード", source=source)
                found.append(Copied("other", source, detail, instruction, label))
            else:
                kind, detail = context.classify(expansion.text)
                found.append(Copied(kind, source, detail, instruction, label))
    elif instruction.keyword == "run":
        for mount in run_mounts(instruction, variables, escape=escape):
            if mount.type == "bind" and mount.from_ is None:
                source = mount.source or "."
                kind, what = context.classify(source)
                detail = tr("bind mount: {detail}", "バインドマウント: {detail}", detail=what)
                found.append(Copied(kind, source, detail, instruction, label))
    return found


def _judge_stage(
    parsed: ParsedDockerfile, context: _Context, stage: Stage, path: str
) -> list[_Judged]:
    copied: list[Copied] = []
    clean: Instruction | None = None  # a dependency install that came before any source
    results: list[_Judged] = []
    label = stage_label(stage)
    for link in parsed.chain(stage):
        for instruction, variables in parsed.walk(link):
            new = _copies(parsed, context, link, instruction, dict(variables))
            if instruction.keyword != "run":
                copied.extend(new)
                continue
            installs = [
                i for c in commands(shell_script(instruction)) if (i := dependency_install(c))
            ]
            before = copied + new
            copied.extend(new)
            if not installs:
                continue
            where = _Where(parsed, path, label, instruction)
            verdicts = [_one(where, i, before, clean) for i in installs]
            if link is stage:
                results.extend(verdicts)
            sources = [c for c in before if c.kind == "source"]
            if not sources and all(i.scope is InstallScope.DEPENDENCIES for i in installs):
                clean = clean or instruction
    return results


@dataclass(frozen=True, slots=True)
class _Where:
    """An install RUN and how to point at it."""

    parsed: ParsedDockerfile
    path: str
    label: str
    instruction: Instruction


def _one(
    where_: _Where, install: DependencyInstall, before: list[Copied], clean: Instruction | None
) -> _Judged:
    parsed, path, label, instruction = where_.parsed, where_.path, where_.label, where_.instruction
    sources = [c for c in before if c.kind == "source"]
    unknown = [c for c in before if c.kind == "unknown"]
    shown = install.text
    copies = tuple(
        parsed.at(
            path,
            c.instruction,
            tr(
                "{stage}: {kind}: {detail}",
                "{stage}: {kind}: {detail}",
                stage=c.stage,
                kind=_KINDS.get(c.kind, c.kind),
                detail=c.detail,
            ),
        )
        for c in sources or unknown
    )
    if install.scope is InstallScope.PROJECT and not install.with_dependencies:
        note = tr(
            "{label}: `{shown}` installs only the project, without dependencies",
            "{label}: `{shown}` は依存関係なしでプロジェクトだけをインストール",
            label=label,
            shown=shown,
        )
        return _Judged(True, (parsed.at(path, instruction, note),), note)
    if install.scope is InstallScope.PROJECT and clean is not None:
        note = tr(
            "{label}: `{shown}` adds the project; its dependencies were installed from the "
            "manifests at line {line}, before the source",
            "{label}: `{shown}` はプロジェクトを追加。依存関係はソースより前の {line} 行目で"
            "マニフェストからインストール済み",
            label=label,
            shown=shown,
            line=clean.start_line,
        )
        return _Judged(True, (parsed.at(path, instruction, note),), note)
    if sources:
        first = sources[0]
        where = tr(
            "line {line} ({what})",
            "{line} 行目（{what}）",
            line=first.instruction.start_line,
            what=first.what,
        )
        if install.scope is InstallScope.DEPENDENCIES:
            reason = tr(
                "{label}: `{shown}` installs dependencies after the source was copied at "
                "{where}, so every source change re-runs it",
                "{label}: `{shown}` は {where} でソースをコピーした後に依存関係をインストール"
                "するため、ソースを変えるたびに再実行される",
                label=label,
                shown=shown,
                where=where,
            )
        else:
            reason = tr(
                "{label}: `{shown}` installs all dependencies together with the project after "
                "the source was copied at {where}, and no earlier layer installs them from the "
                "manifests: every source change re-installs every dependency",
                "{label}: `{shown}` は {where} でソースをコピーした後に、プロジェクトと一緒に"
                "すべての依存関係をインストールし、それより前にマニフェストからインストールする"
                "レイヤーもない: ソースを変えるたびにすべての依存関係を再インストールする",
                label=label,
                shown=shown,
                where=where,
            )
        return _Judged(False, (parsed.at(path, instruction, reason), *copies), reason)
    if unknown:
        reason = tr(
            "{label}: what is copied before `{shown}` depends on build arguments",
            "{label}: `{shown}` の前にコピーされるものがビルド引数に依存",
            label=label,
            shown=shown,
        )
        return _Judged(None, (parsed.at(path, instruction, reason), *copies), reason)
    manifests = ", ".join(sorted({c.what for c in before if c.kind == "manifest"}))
    note = tr(
        "{label}: `{shown}` runs with only manifests copied before it ({manifests})",
        "{label}: `{shown}` の前にコピーされるのはマニフェストだけ（{manifests}）",
        label=label,
        shown=shown,
        manifests=manifests or tr("none", "なし"),
    )
    return _Judged(True, (parsed.at(path, instruction, note),), note)


@check("dockerfile.layer_cache_order", severity="low", related=())
def layer_cache_order(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    target: str | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        folder = context_of(dockerfile, context)
        build_context = _Context(repo, folder, ignore_file(repo, dockerfile, folder))
        judged = [
            j for s in build.built for j in _judge_stage(parsed, build_context, s, dockerfile)
        ]
        failed = [j for j in judged if j.ok is False]
        unsure = [j for j in judged if j.ok is None]
        good = [j for j in judged if j.ok]
        evidence = [e for j in failed + unsure + good for e in j.evidence]
        if failed:
            return Outcome.failed(join((j.reason for j in failed), "; ", "。"), *evidence)
        if unsure:
            return Outcome.unknown(join((j.reason for j in unsure), "; ", "。"), *evidence)
        if not good:
            return Outcome.not_applicable(
                tr(
                    "{dockerfile} installs no dependencies from manifests",
                    "{dockerfile} はマニフェストから依存関係をインストールしない",
                    dockerfile=dockerfile,
                ),
                parsed.at(
                    dockerfile,
                    build.final.from_instruction,
                    tr("no dependency install", "依存関係のインストールなし"),
                ),
            )
        return Outcome.passed(
            tr(
                "all {count} dependency install(s) come before the application source",
                "依存関係のインストール {count} 件すべてがアプリケーションのソースより前",
                count=len(good),
            ),
            *evidence,
        )
