"""Slim base image: the final image starts from a slim, Alpine or distroless variant.

What it checks:
    The base image of the image built for the target stage (parameter `target`; by default
    the last stage, as `docker build` without `--target`), followed through earlier stages
    it is built FROM, down to the image the chain starts from. It passes when that image is
    `scratch`, a distroless image (a repository path with a `distroless` component, such
    as `gcr.io/distroless/python3`),
    the `alpine` image itself, an image whose tag contains `slim` or `alpine`
    (`python:3.13-slim`, `python:3.13-slim-bookworm`, `node:22-alpine3.20`,
    `debian:bookworm-slim`), or an image that matches a prefix of the parameter `allow`
    (for other minimal images: `cgr.dev/chainguard/`, `registry.access.redhat.com/ubi9/
    ubi-minimal`). No tag means `latest`, the full image, and fails. The tag is read after
    ARG expansion: in `python:${PYTHON_VERSION}-slim` the variant is written out, so it
    passes even when the version is a build argument without a default; a variant that
    is itself a build argument (`python:3.13${VARIANT}`), a registry or name that is one,
    or an image pinned by digest alone (`python@sha256:...`, which names no variant) is
    unknown. Only the final image counts: a full `python:3.13` builder stage whose
    results are copied into a slim runtime stage is fine.

    No peer linter checks the variant; hadolint's DL3007 and Trivy's DS-0001 only share
    the `latest` part (an untagged image is the full one).

Why it matters:
    The full Debian-based images carry compilers, headers and hundreds of packages the
    application never uses: `python:3.13` is about 1.2GB against about 180MB for
    `python:3.13-slim` (the guide's table), and every extra package is attack surface
    that scanners report and that must be patched.

How to fix:
    Base the final stage on the slim (or Alpine, or distroless) variant of the runtime,
    for example `FROM python:3.13-slim AS runtime`, and keep build tools in a builder
    stage.

日本語: slim ベースイメージ: 最終イメージを slim、Alpine、distroless のバリアントから始める

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしの `docker build` と同じく
    最後のステージ）から作られるイメージのベースイメージを、`FROM` に使った前段のステージを
    辿ってチェーンの起点のイメージまで確認します。そのイメージが `scratch`、distroless
    イメージ（`gcr.io/distroless/python3` のようにリポジトリのパスに `distroless` を含むもの）、
    `alpine` イメージそのもの、タグに `slim` か `alpine` を含むイメージ（`python:3.13-slim`、
    `python:3.13-slim-bookworm`、`node:22-alpine3.20`、`debian:bookworm-slim`）、または
    パラメータ `allow` の接頭辞に一致するイメージ（ほかの最小イメージ向け:
    `cgr.dev/chainguard/`、`registry.access.redhat.com/ubi9/ubi-minimal`）なら合格です。
    タグがなければ `latest`、つまりフルイメージなので不合格です。タグは ARG を展開してから
    読みます。`python:${PYTHON_VERSION}-slim` ではバリアントが明記されているため、バージョンが
    デフォルト値のないビルド引数でも合格です。バリアント自体がビルド引数の場合
    （`python:3.13${VARIANT}`）、レジストリや名前がビルド引数の場合、ダイジェストだけで固定
    されたイメージ（`python@sha256:...` はバリアントを示しません）は unknown（未計測）です。
    数えるのは最終イメージだけで、成果物を slim のランタイムステージにコピーするなら、フルの
    `python:3.13` の builder ステージは問題ありません。

    バリアントを確認するほかのリンターはありません。hadolint の DL3007 と Trivy の DS-0001 とは
    `latest` の部分（タグのないイメージはフルイメージ）だけが共通です。

なぜ重要か:
    Debian ベースのフルイメージには、アプリケーションが使わないコンパイラ、ヘッダー、数百の
    パッケージが入っています。`python:3.13` は約 1.2GB、`python:3.13-slim` は約 180MB です
    （ガイドの比較表）。余分なパッケージはどれも攻撃面になり、スキャナーに報告され、パッチを
    当て続ける必要があります。

修正方法:
    最終ステージをランタイムの slim（または Alpine、distroless）バリアントから始めます。
    例: `FROM python:3.13-slim AS runtime`。ビルドツールは builder ステージに置きます。
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checklists import InputError, Outcome, Target, check, tr
from checks.common import allowed, invalid_only_by_default, load_build, read_base, stage_label
from checks.dockerfile._errors import located

_REFERENCE_TO_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_VARIANTS = ("slim", "alpine")


@check("dockerfile.slim_base", severity="low", related=("hadolint:DL3007", "trivy:DS-0001"))
def slim_base(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    allow: Sequence[str] = (),
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        final = build.final
        root = build.root
        evidence = [
            parsed.at(
                dockerfile,
                root.from_instruction,
                tr("{stage}: {base}", "{stage}: {base}", stage=stage_label(root), base=root.base),
            )
        ]
        if root is not final:
            note = tr(
                "the final {final} is built FROM {root}",
                "最終{final}は {root} を FROM にしている",
                final=stage_label(final),
                root=stage_label(root),
            )
            evidence.append(parsed.at(dockerfile, final.from_instruction, note))
        if root.base == "scratch":
            return Outcome.passed(
                tr("the final image starts from scratch", "最終イメージは scratch から開始"),
                *evidence,
                value="scratch",
            )
        try:
            written = read_base(root, dockerfile)
        except InputError as error:
            reason = invalid_only_by_default(root, error)
            if reason is None:
                raise
            return Outcome.unknown(reason, *evidence)
        name = written.name
        if name is None:
            return Outcome.unknown(
                tr(
                    "the final base image {base} depends on build arguments without a default "
                    "({names})",
                    "最終イメージのベース {base} がデフォルト値のないビルド引数（{names}）に依存",
                    base=root.base,
                    names=list(root.base_unresolved),
                ),
                *evidence,
            )
        prefix = allowed(name, allow)
        if prefix is not None:
            return Outcome.passed(
                tr(
                    "{base} is allowed by {prefix!r}",
                    "{base} は {prefix!r} で許可されている",
                    base=root.base,
                    prefix=prefix,
                ),
                *evidence,
                value=root.base,
            )
        if "distroless" in name.path.split("/") or name.repository == "alpine":
            kind = "distroless" if name.repository != "alpine" else "Alpine"
            return Outcome.passed(
                tr(
                    "{base} is a {kind} image",
                    "{base} は {kind} イメージ",
                    base=root.base,
                    kind=kind,
                ),
                *evidence,
                value=root.base,
            )
        if written.tag is None:
            if written.digest is not None:
                return Outcome.unknown(
                    tr(
                        "{base} is pinned by digest only, which does not name the variant",
                        "{base} はダイジェストだけで固定されており、バリアントが分からない",
                        base=root.base,
                    ),
                    *evidence,
                )
            return Outcome.failed(
                tr(
                    "{base} has no tag, so it is {name}:latest, the full image",
                    "{base} にはタグがなく、フルイメージの {name}:latest になる",
                    base=root.base,
                    name=name.familiar_name,
                ),
                *evidence,
                value=root.base,
            )
        literal = _REFERENCE_TO_VARIABLE.sub("", written.tag).lower()
        variant = next((v for v in _VARIANTS if v in literal), None)
        if variant is not None:
            return Outcome.passed(
                tr(
                    "the final image starts from {base}, a {variant} variant",
                    "最終イメージは {variant} バリアントの {base} から開始",
                    base=root.base,
                    variant=variant,
                ),
                *evidence,
                value=root.base,
            )
        if "$" in written.tag:
            return Outcome.unknown(
                tr(
                    "the tag of {base} depends on build arguments without a default ({names})",
                    "{base} のタグがデフォルト値のないビルド引数（{names}）に依存",
                    base=root.base,
                    names=list(root.base_unresolved),
                ),
                *evidence,
            )
        return Outcome.failed(
            tr(
                "the final image starts from {base}, which is not a slim, Alpine or distroless "
                "variant",
                "最終イメージの起点 {base} は slim、Alpine、distroless のいずれのバリアント"
                "でもない",
                base=root.base,
            ),
            *evidence,
            value=root.base,
        )
