"""Official base image: the image is built on a Docker Official Image.

What it checks:
    The base image of the image built for the target stage (parameter `target`; by default
    the last stage, as `docker build` without `--target`): the FROM of the first stage of
    its final chain — the target and the stages it is built FROM, recursively, whose layers
    are the image. `scratch` is the empty image and always fine. The base must be a Docker
    Official Image: an image of Docker Hub's `library/` namespace. The image is read as
    Docker reads it (distribution/reference's ParseNormalizedNamed): `python`,
    `python:3.13-slim`, `library/python`, `docker.io/library/python` and
    `index.docker.io/library/python@sha256:...` are all `docker.io/library/python`, while
    `bitnami/python` (another Docker Hub namespace), `ghcr.io/...`, `localhost:5000/python`
    and `registry-1.docker.io/library/python` (a host Docker does not normalise to Docker
    Hub) are not. The parameter `allow` adds trusted name prefixes, matched against the full
    name and the short one: `gcr.io/distroless/`, `cgr.dev/chainguard/`,
    `mirror.gcr.io/library/`. ARGs in FROM are expanded with their defaults
    (`FROM python:${PYTHON_VERSION}-slim` with `ARG PYTHON_VERSION=3.13` before the first
    FROM); when a build argument without a default decides the registry or the name, the
    image is unknown until build time and so is the outcome. A tag left to a build argument
    does not matter: the name decides. An image name Docker would refuse is an error at
    the FROM's line.

    Builder stages are not the image's base: their layers are thrown away, and only the
    files copied out of them reach the image. Their images, and images copied from with
    `COPY --from=<image>`, are listed in the evidence but not judged; stages the target
    does not build are ignored.

    hadolint's DL3026 checks a list of trusted registries in every FROM; a registry list
    cannot tell `python` from `someone/python`, both on docker.io, so this check looks at
    the namespace, and only at the image's own base.

Why it matters:
    Official images are maintained and rebuilt by Docker and the upstream projects, get
    security fixes quickly and are scanned; an image from an unknown namespace can hold
    anything and may never be updated (the guide: ベースイメージは公式イメージのみ使用).

How to fix:
    Start from the official image of the runtime, for example `FROM python:3.13-slim`,
    or add the vendor you trust to `allow`, e.g.
    `<!-- check: dockerfile.official_base_image {allow: ["gcr.io/distroless/"]} -->`.

日本語: 公式ベースイメージ: イメージを Docker Official Image の上に作る

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしの `docker build` と同じく
    最後のステージ）から作られるイメージのベースイメージ、つまり最終チェーン（対象ステージと、
    それが `FROM` で再帰的に辿るステージ。そのレイヤーがイメージになります）の最初のステージの
    FROM を確認します。`scratch` は空のイメージで常に問題ありません。ベースは Docker Official
    Image、つまり Docker Hub の `library/` 名前空間のイメージでなければなりません。イメージ名は
    Docker と同じように読みます（distribution/reference の ParseNormalizedNamed）:
    `python`、`python:3.13-slim`、`library/python`、`docker.io/library/python`、
    `index.docker.io/library/python@sha256:...` はどれも `docker.io/library/python` ですが、
    `bitnami/python`（Docker Hub の別の名前空間）、`ghcr.io/...`、`localhost:5000/python`、
    `registry-1.docker.io/library/python`（Docker が Docker Hub に正規化しないホスト）は
    違います。パラメータ `allow` で信頼する名前の接頭辞を追加でき、完全な名前と短い名前の
    両方と照合します: `gcr.io/distroless/`、`cgr.dev/chainguard/`、`mirror.gcr.io/library/`。
    FROM の ARG はデフォルト値で展開します（最初の FROM の前に `ARG PYTHON_VERSION=3.13` が
    ある `FROM python:${PYTHON_VERSION}-slim`）。デフォルト値のないビルド引数がレジストリや
    名前を決める場合、イメージはビルド時まで分からず、結果も unknown（未計測）です。タグが
    ビルド引数でもかまいません。決め手は名前です。Docker が拒否するイメージ名は、その FROM の
    行のエラーです。

    builder ステージはイメージのベースではありません。そのレイヤーは捨てられ、そこからコピー
    されたファイルだけがイメージに届きます。builder ステージのイメージと、
    `COPY --from=<イメージ>` のコピー元イメージは根拠に示しますが判定しません。対象ステージが
    ビルドしないステージは無視します。

    hadolint の DL3026 はすべての FROM を信頼するレジストリの一覧と照合します。レジストリの
    一覧では、どちらも docker.io にある `python` と `someone/python` を区別できないため、
    このチェックは名前空間を、しかもイメージ自身のベースだけを見ます。

なぜ重要か:
    公式イメージは Docker と上流プロジェクトが保守・再ビルドしており、セキュリティ修正が早く、
    スキャンもされています。素性の分からない名前空間のイメージには何が入っていてもおかしくなく、
    更新されないこともあります（ガイド: ベースイメージは公式イメージのみ使用）。

修正方法:
    ランタイムの公式イメージから始めます（例: `FROM python:3.13-slim`）。信頼するベンダーが
    あれば `allow` に追加します。例:
    `<!-- check: dockerfile.official_base_image {allow: ["gcr.io/distroless/"]} -->`。
"""

from __future__ import annotations

from collections.abc import Sequence

from checklists import Evidence, InputError, Outcome, Target, check, tr
from checks.common import (
    ParsedDockerfile,
    allowed,
    invalid_only_by_default,
    load_build,
    read_base,
    stage_label,
)
from checks.dockerfile._errors import located
from checks.readers.build_model import Build
from checks.readers.image_reference import DOCKER_HUB, ImageReference


def is_official(name: ImageReference) -> bool:
    """An image of Docker Hub's `library/` namespace (which has no nested namespaces)."""
    namespace, _, rest = name.path.partition("/")
    return name.domain == DOCKER_HUB and namespace == "library" and "/" not in rest


def _not_judged(parsed: ParsedDockerfile, build: Build, path: str) -> list[Evidence]:
    """Builder stages' images and `COPY --from=<image>`: shown, not judged."""
    found = []
    for stage in build.built:
        if build.in_image(stage):
            continue
        if stage.base_stage is None:
            note = tr(
                "{stage} is a builder stage FROM {base}: its layers stay out of the image (not "
                "judged)",
                "{stage} は {base} を FROM にした builder ステージ: そのレイヤーはイメージに"
                "入らない（判定対象外）",
                stage=stage_label(stage),
                base=stage.base,
            )
            found.append(parsed.at(path, stage.from_instruction, note))
    for link in build.chain:
        for source in build.model.sources(link):
            if source.kind == "copy" and source.stage is None:
                note = tr(
                    "copies files from the image {name} (not a base image; not judged)",
                    "イメージ {name} からファイルをコピー（ベースイメージではない。判定対象外）",
                    name=source.name,
                )
                found.append(parsed.at(path, source.instruction, note))
    return found


@check("dockerfile.official_base_image", severity="medium", related=("hadolint:DL3026",))
def official_base_image(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    allow: Sequence[str] = (),
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        root = build.root
        label = stage_label(root)
        base = parsed.at(
            dockerfile,
            root.from_instruction,
            tr("{label}: the image's base", "{label}: イメージのベース", label=label),
        )
        others = _not_judged(parsed, build, dockerfile)
        chain = [
            parsed.at(
                dockerfile,
                s.from_instruction,
                tr(
                    "{stage} is built FROM it",
                    "{stage} はこれを FROM にしている",
                    stage=stage_label(s),
                ),
            )
            for s in build.chain[1:]
        ]
        if root.base == "scratch":
            return Outcome.passed(
                tr("the image starts from scratch", "イメージは scratch から開始"),
                base,
                *chain,
                *others,
            )
        try:
            written = read_base(root, dockerfile)
        except InputError as error:
            reason = invalid_only_by_default(root, error)
            if reason is None:
                raise
            return Outcome.unknown(reason, base, *chain, *others)
        name = written.name
        if name is None or (root.base_unresolved and "$" not in root.base):
            return Outcome.unknown(
                tr(
                    "{label}: the name of {base} depends on {names}, which has no default",
                    "{label}: {base} の名前がデフォルト値のない {names} に依存",
                    label=label,
                    base=root.base,
                    names=list(root.base_unresolved),
                ),
                base,
                *chain,
                *others,
            )
        prefix = allowed(name, allow)
        if is_official(name):
            return Outcome.passed(
                tr(
                    "the image is built on {base}, a Docker Official Image ({name})",
                    "イメージのベースは Docker Official Image の {base}（{name}）",
                    base=root.base,
                    name=name.name,
                ),
                base,
                *chain,
                *others,
            )
        if prefix is not None:
            return Outcome.passed(
                tr(
                    "the image is built on {base}, allowed by {prefix!r}",
                    "イメージのベースは {prefix!r} で許可された {base}",
                    base=root.base,
                    prefix=prefix,
                ),
                base,
                *chain,
                *others,
            )
        where = (
            tr(
                "the Docker Hub namespace {namespace}",
                "Docker Hub の名前空間 {namespace}",
                namespace=name.path.split("/")[0],
            )
            if name.domain == DOCKER_HUB
            else tr("the registry {domain}", "レジストリ {domain}", domain=name.domain)
        )
        return Outcome.failed(
            tr(
                "{name} is not a Docker Official Image (it is in {where})",
                "{name} は Docker Official Image ではない（{where} にある）",
                name=name.familiar_name,
                where=where,
            ),
            base,
            *chain,
            *others,
        )
