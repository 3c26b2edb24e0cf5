"""Multi-stage build: the final image copies its artefacts from a builder stage.

What it checks:
    The image that `docker build` produces for the target stage (parameter `target`; by
    default the last stage, as without `--target`) copies its artefacts from a builder
    stage of the same file: some stage of the final chain — the target and the stages it is
    built `FROM`, recursively, whose layers are the image — has a `COPY --from=<stage name
    or index>`, or a `RUN --mount=type=bind,from=<stage>` (a RUN that installs the wheels
    a builder made), that names a stage outside that chain. A shared runtime base is fine
    (`FROM python:3.12-slim AS base`, `FROM base AS builder`, `FROM base AS runtime` with
    `COPY --from=builder`): the builder's layers stay out of the image. It fails for a
    single stage, for a final stage built `FROM` the stage that does the build and copies
    from no other stage (it carries the build tools along), and for an image that copies
    nothing from another stage. `COPY --from=<image>` copies from an external image and is
    not a stage of this build. Stage names are matched case-insensitively, as BuildKit
    does; a target that names no stage is an error, as in `docker build --target`.

Why it matters:
    Compilers, headers and caches that the builder needs stay out of the runtime image,
    which keeps it small and shrinks what an attacker can use (the guide's image drops
    from 650MB with build tools to 220MB at runtime).

How to fix:
    Build dependencies in a `FROM ... AS builder` stage, start the final stage from a
    fresh slim base image, and bring over only the results, for example
    `COPY --from=builder /install /usr/local`.

日本語: マルチステージビルド: 最終イメージが成果物を builder ステージからコピーする

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしと同じく最後のステージ）に
    対して `docker build` が作るイメージが、同じファイルの builder ステージから成果物を
    コピーしていることを確認します。最終チェーン（対象ステージと、それが `FROM` で再帰的に
    辿るステージ。そのレイヤーがイメージになります）のどこかに、チェーン外のステージを指す
    `COPY --from=<ステージ名または番号>`、または `RUN --mount=type=bind,from=<ステージ>`
    （builder が作った wheel をインストールする RUN）があれば合格です。共通のランタイム
    ベース（`FROM python:3.12-slim AS base`、`FROM base AS builder`、`FROM base AS runtime`
    と `COPY --from=builder`）は問題ありません。builder のレイヤーはイメージに入りません。
    ステージが 1 つだけの場合、ビルドを行うステージを `FROM` にして最終ステージを作り、
    ほかのステージから何もコピーしない場合（ビルドツールを抱えたままになります）、
    イメージがほかのステージから何もコピーしない場合は不合格です。`COPY --from=<イメージ>`
    は外部イメージからのコピーで、このビルドのステージではありません。ステージ名は BuildKit
    と同じく大文字小文字を区別せずに照合し、存在しないステージを指す target は
    `docker build --target` と同じくエラーです。

なぜ重要か:
    builder が必要とするコンパイラ、ヘッダー、キャッシュがランタイムイメージに入らないため、
    イメージが小さくなり、攻撃者が使えるものも減ります（ガイドのイメージは、ビルドツール込みの
    650MB からランタイムのみの 220MB になります）。

修正方法:
    依存関係は `FROM ... AS builder` ステージでビルドし、最終ステージは新しい slim ベース
    イメージから始めて、成果物だけを持ち込みます。例: `COPY --from=builder /install /usr/local`。
"""

from __future__ import annotations

from checklists import Evidence, Outcome, Target, check, join, tr
from checks.common import load_build, stage_label
from checks.dockerfile._errors import located


def _stages(count: int) -> dict[str, str]:
    return {"ja": f"{count}段階", "en": f"{count} stage{'s' if count != 1 else ''}"}


@check("dockerfile.multi_stage", severity="medium", related=("hadolint:DL3022",))
def multi_stage(
    repo: Target, *, dockerfile: str = "Dockerfile", target: str | None = None
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
    built = build.built
    count = len(built)
    froms = [parsed.at(dockerfile, s.from_instruction, stage_label(s)) for s in built]
    final = build.final
    if len(parsed.stages) < 2:
        return Outcome.failed(
            tr(
                "{dockerfile} has a single stage",
                "{dockerfile} のステージは 1 つだけ",
                dockerfile=dockerfile,
            ),
            *froms,
            value="1",
            localized=_stages(1),
        )
    chain = join((stage_label(s) for s in build.chain), " -> ", " → ")
    copies: list[Evidence] = []
    for source in build.builder_reads:
        assert source.stage is not None  # builder_reads only holds stages
        builder = parsed.stages[source.stage]
        if source.kind == "copy":
            note = tr(
                "the image copies from {stage}, whose layers stay out of it",
                "イメージは {stage} からコピー（そのレイヤーはイメージに入らない）",
                stage=stage_label(builder),
            )
        else:
            note = tr(
                "the image mounts files of {stage}, whose layers stay out of it",
                "イメージは {stage} のファイルをマウント（そのレイヤーはイメージに入らない）",
                stage=stage_label(builder),
            )
        copies.append(parsed.at(dockerfile, source.instruction, note))
    if copies:
        return Outcome.passed(
            tr(
                "{count} stages built for {final}; the image ({chain}) copies artefacts from "
                "a builder stage",
                "{final} のために {count} ステージをビルド。イメージ（{chain}）は成果物を "
                "builder ステージからコピー",
                count=count,
                final=stage_label(final),
                chain=chain,
            ),
            *froms,
            *copies,
            value=str(count),
            localized=_stages(count),
        )
    if final.base_stage is not None:
        parent = parsed.stages[final.base_stage]
        reason = tr(
            "the final stage is built FROM {parent} and the image ({chain}) copies nothing "
            "from a stage outside that chain, so it keeps everything those stages installed",
            "最終ステージは {parent} を FROM にしており、イメージ（{chain}）はチェーン外の"
            "ステージから何もコピーしないため、それらのステージがインストールしたものをすべて"
            "抱えたまま",
            parent=stage_label(parent),
            chain=chain,
        )
    else:
        reason = tr(
            "the final stage copies nothing from an earlier stage (no COPY --from=<stage>)",
            "最終ステージは前のステージから何もコピーしていない（COPY --from=<stage> がない）",
        )
    return Outcome.failed(reason, *froms, value=str(count), localized=_stages(count))
