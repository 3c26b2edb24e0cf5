"""Build time without cache, measured by a real container engine.

What it checks:
    The wall-clock time of `build --no-cache` for the environment, from the newest
    measurement evidence, compared with the limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    A slow cold build delays every CI run that misses the cache and every new developer's
    first build.

How to fix:
    Order instructions so that dependencies install before the code is copied, keep the
    context small with `.dockerignore`, and drop unneeded build dependencies; then measure
    again with `checklists measure`.

日本語: ビルド時間（キャッシュなし）: 実際のコンテナエンジンで計測

何を確認するか:
    その環境での `build --no-cache` の実時間を最新の計測証拠から読み、ガイドの表が定める
    上限と比べます。
    証拠がなければ unknown（未計測）とし、実行すべきコマンドを示します。古い Dockerfile の
    証拠は古い計測で、合格にはなりません。計測の失敗は不合格です。

なぜ重要か:
    コールドビルドが遅いと、キャッシュに当たらない CI の実行や、新しい開発者の最初の
    ビルドがそのたびに遅れます。

修正方法:
    コードをコピーする前に依存関係をインストールするよう命令を並べ、`.dockerignore` で
    コンテキストを小さく保ち、不要なビルド依存関係を外します。そのあと
    `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("build.time_no_cache", unit=Kind.DURATION, severity="medium", related=())
def time_no_cache(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "build.time_no_cache")
