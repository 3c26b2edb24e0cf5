"""Production image: multi-stage, and nothing in it that only building or developing needs.

What it checks:
    The image `docker build` produces for the production Dockerfile (the environment's
    `dockerfile`, e.g. 本番 → `backend/Dockerfile`, or the `dockerfile` parameter; stage
    `target`, by default the last) is what the guide's 基本方針 calls a production image
    (マルチステージ、最小イメージ):
    - multi-stage: the image's chain (the target stage and the stages it is built FROM)
      takes its artefacts from a builder stage outside that chain (`COPY --from=<stage>`,
      or `RUN --mount=...,from=<stage>`), as `dockerfile.multi_stage` judges it;
    - no development dependencies: no RUN of the chain installs a development extra
      (`.[dev]`), a development requirements file or group, tools such as pytest or ruff,
      or runs a dependency manager that installs the development group by default
      (`uv sync` without `--no-dev`, `poetry install` without `--without dev`, `npm ci`
      without `--omit=dev`);
    - no build tools: no apt or apk install of the chain brings compilers or headers (gcc,
      g++, make, build-essential, `*-dev` packages, build-base, musl-dev).
    Stages outside the chain (the builder) may install all of these: their layers stay out
    of the image.

Why it matters:
    Compilers, headers and test tools in a production image make it larger (the guide's
    comparison: 650MB with build tools against 220MB for the runtime alone) and give an
    attacker who gets in more to work with.

How to fix:
    Install build tools and compile in a `FROM ... AS builder` stage, copy only the
    installed result into a fresh slim final stage (`COPY --from=builder /install
    /usr/local`), and install the project without its development extra there.

日本語: 本番イメージ: マルチステージで、ビルドや開発にしか要らないものを含まない

何を確認するか:
    本番用 Dockerfile（環境の `dockerfile`。例: 本番 → `backend/Dockerfile`、またはパラメータ
    `dockerfile`。ステージは `target`、省略時は最後のステージ）から `docker build` が作る
    イメージが、ガイドの基本方針の本番イメージ（マルチステージ、最小イメージ）であることを
    確認します:
    - マルチステージ: イメージのチェーン（対象ステージと、それが FROM で辿るステージ）が、
      チェーン外の builder ステージから成果物を受け取ること（`COPY --from=<stage>`、または
      `RUN --mount=...,from=<stage>`）。`dockerfile.multi_stage` と同じ判定です。
    - 開発用の依存関係がないこと: チェーンの RUN が開発用 extra（`.[dev]`）、開発用の
      requirements ファイルやグループ、pytest や ruff などのツールをインストールせず、既定で
      開発グループを入れる依存関係マネージャー（`--no-dev` なしの `uv sync`、
      `--without dev` なしの `poetry install`、`--omit=dev` なしの `npm ci`）も実行しないこと。
    - ビルドツールがないこと: チェーンの apt・apk のインストールがコンパイラやヘッダー
      （gcc、g++、make、build-essential、`*-dev` パッケージ、build-base、musl-dev）を
      入れないこと。
    チェーン外のステージ（builder）はこれらを入れても構いません。そのレイヤーはイメージに
    入りません。

なぜ重要か:
    本番イメージのコンパイラ、ヘッダー、テストツールはイメージを大きくし（ガイドの比較表:
    ビルドツール込みの 650MB に対してランタイムのみの 220MB）、侵入した攻撃者に使える道具を
    増やします。

修正方法:
    ビルドツールのインストールとコンパイルは `FROM ... AS builder` ステージで行い、
    インストール結果だけを新しい slim の最終ステージにコピーし（`COPY --from=builder
    /install /usr/local`）、そこでは開発用 extra なしでプロジェクトをインストールします。
"""

from __future__ import annotations

from checklists import Environment, Evidence, Outcome, Target, check, join, tr
from checks.common import load_build, stage_label
from checks.dockerfile._errors import located
from checks.dockerfile._roles import build_tools, dev_installs


@check("dockerfile.production_image", severity="medium", related=("hadolint:DL3022",))
def production_image(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    environment: Environment | None = None,
) -> Outcome:
    if environment is not None:
        dockerfile = str(environment.options.get("dockerfile", dockerfile))
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        reads = build.builder_reads
        installs = dev_installs(build)
        tools = build_tools(build)
    evidence: list[Evidence] = []
    problems = []
    if len(parsed.stages) < 2:
        problems.append(tr("a single stage", "ステージが 1 つだけ"))
        evidence.append(
            parsed.at(
                dockerfile,
                build.root.from_instruction,
                tr("the only stage", "唯一のステージ"),
            )
        )
    elif not reads:
        problems.append(
            tr(
                "the image copies nothing from a builder stage outside its chain",
                "イメージはチェーン外の builder ステージから何もコピーしていない",
            )
        )
    for source in reads:
        assert source.stage is not None  # builder_reads only holds stages
        evidence.append(
            parsed.at(
                dockerfile,
                source.instruction,
                tr(
                    "multi-stage: the image takes {paths} from {stage}",
                    "マルチステージ: イメージは {stage} から {paths} を受け取る",
                    paths=", ".join(source.paths) or source.name,
                    stage=stage_label(parsed.stages[source.stage]),
                ),
            )
        )
    for found in installs:
        evidence.append(
            parsed.at(
                dockerfile,
                found.instruction,
                tr(
                    "{stage} is in the image and installs development dependencies: "
                    "`{command}` ({what})",
                    "イメージに入る {stage} が開発用の依存関係をインストール: "
                    "`{command}`（{what}）",
                    stage=stage_label(found.stage),
                    command=found.command,
                    what=found.what,
                ),
            )
        )
    if installs:
        problems.append(
            tr("development dependencies in the image", "イメージに開発用の依存関係がある")
        )
    for found in tools:
        evidence.append(
            parsed.at(
                dockerfile,
                found.instruction,
                tr(
                    "{stage} is in the image and installs build tools: {what}",
                    "イメージに入る {stage} がビルドツールをインストール: {what}",
                    stage=stage_label(found.stage),
                    what=found.what,
                ),
            )
        )
    if tools:
        problems.append(tr("build tools in the image", "イメージにビルドツールがある"))
    if problems:
        return Outcome.failed(
            tr(
                "{dockerfile}: {problems}",
                "{dockerfile}: {problems}",
                dockerfile=dockerfile,
                problems=join(problems, "; ", "。"),
            ),
            *evidence,
        )
    final = parsed.at(
        dockerfile,
        build.root.from_instruction,
        tr(
            "the image starts FROM {base} ({stage}); no development dependencies or build "
            "tools are installed in its chain",
            "イメージは {base}（{stage}）から開始。そのチェーンに開発用の依存関係も"
            "ビルドツールもない",
            base=build.root.base,
            stage=stage_label(build.root),
        ),
    )
    return Outcome.passed(
        tr(
            "{dockerfile}: multi-stage; the image holds no development dependencies or build tools",
            "{dockerfile}: マルチステージ。イメージに開発用の依存関係もビルドツールもない",
            dockerfile=dockerfile,
        ),
        final,
        *evidence,
    )
