"""Healthcheck: the final image tells the engine how to probe that it is healthy.

What it checks:
    The image built for the target stage (parameter `target`; by default the last stage,
    as `docker build` without `--target`) has a HEALTHCHECK with a command, either the
    stage's own or one it inherits from an earlier stage of the same file that it is built
    FROM; the last one wins, as in BuildKit. A HEALTHCHECK in a builder stage or in a stage
    the target does not build is not in the image. `HEALTHCHECK NONE` switches the check
    off and fails. The flags are read as BuildKit reads them (Go durations, `--retries`
    not negative, unknown flags rejected), and the evidence shows the interval, timeout,
    start period and retries in effect, with Docker's defaults (30s, 30s, 0s, 3) where a
    flag is not given. A healthcheck that only the base image defines is not visible in
    the Dockerfile and does not count.

Why it matters:
    Without a healthcheck the engine only knows whether the process runs, not whether the
    service answers; orchestrators cannot restart a hung container or hold traffic back
    until it is ready.

How to fix:
    Add to the final stage, for example
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD
    curl -f http://localhost:8000/health || exit 1`.

日本語: ヘルスチェック: 最終イメージが健全性の確認方法をエンジンに伝える

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしの `docker build` と同じく
    最後のステージ）から作られるイメージに、コマンド付きの HEALTHCHECK があることを確認
    します。ステージ自身のものでも、同じファイル内で `FROM` に使った前段のステージから
    継承したものでもかまいません。BuildKit と同じく最後のものが有効です。builder ステージや
    対象ステージがビルドしないステージの HEALTHCHECK はイメージに入りません。
    `HEALTHCHECK NONE` はチェックを無効にするため不合格です。フラグは BuildKit と同じように
    読み（Go の時間表記、`--retries` は負でないこと、未知のフラグは拒否）、根拠には有効な
    interval、timeout、start period、retries を、指定のないフラグは Docker の既定値
    （30s、30s、0s、3）で示します。ベースイメージだけが定義するヘルスチェックは Dockerfile
    から見えないため数えません。

なぜ重要か:
    ヘルスチェックがないと、エンジンにはプロセスが動いているかどうかしか分からず、サービスが
    応答しているかは分かりません。オーケストレーターは、固まったコンテナを再起動することも、
    準備ができるまでトラフィックを止めておくこともできません。

修正方法:
    最終ステージに追加します。例:
    `HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD
    curl -f http://localhost:8000/health || exit 1`。
"""

from __future__ import annotations

from checklists import Outcome, Target, check, tr
from checks.common import load_build
from checks.dockerfile._errors import located
from checks.readers.healthcheck import read_healthcheck

MISSING = {"ja": "未実装", "en": "missing"}


@check(
    "dockerfile.healthcheck",
    severity="medium",
    related=("trivy:DS-0026", "checkov:CKV_DOCKER_2"),
)
def healthcheck(
    repo: Target, *, dockerfile: str = "Dockerfile", target: str | None = None
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
                localized=MISSING,
            )
        found = read_healthcheck(setting.instruction)
        where = parsed.at(
            dockerfile, setting.instruction, tr("the healthcheck in effect", "有効なヘルスチェック")
        )
        if found.disabled:
            return Outcome.failed(
                tr(
                    "HEALTHCHECK NONE disables the healthcheck",
                    "HEALTHCHECK NONE でヘルスチェックが無効",
                ),
                where,
                localized=MISSING,
            )
        shown = ("interval", "timeout", "start-period", "retries")
        summary = " ".join(f"{name}={found.options[name]}" for name in shown)
        return Outcome.passed(
            tr(
                "the final stage has a HEALTHCHECK ({options})",
                "最終ステージに HEALTHCHECK あり（{options}）",
                options=summary,
            ),
            parsed.at(
                dockerfile,
                setting.instruction,
                tr(
                    "healthcheck in effect: {options}",
                    "有効なヘルスチェック: {options}",
                    options=summary,
                ),
            ),
            value=summary,
            localized={"ja": "実装済み", "en": "implemented"},
        )
