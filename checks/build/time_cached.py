"""Build time with cache, measured by a real container engine.

What it checks:
    The wall-clock time of a rebuild with the layer cache after one source file changed
    (the measure command changes a copy, never the target), from the newest measurement
    evidence, compared with the limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    This is the build developers and CI wait for on every change; a rebuild that
    reinstalls dependencies for a code change means the layer order is wrong.

How to fix:
    Copy dependency manifests (pyproject.toml) and install them before `COPY src`, so a
    code change only rebuilds the last layers; then measure again with `checklists measure`.

日本語: ビルド時間（キャッシュあり）: 実際のコンテナエンジンで計測

何を確認するか:
    ソースファイルを 1 つ変えた後（計測コマンドが変えるのはコピーで、ターゲットは変えません）に
    レイヤーキャッシュを使って再ビルドする実時間を、最新の計測証拠から読み、ガイドの表が
    定める上限と比べます。
    証拠がなければ unknown（未計測）とし、実行すべきコマンドを示します。古い Dockerfile の
    証拠は古い計測で、合格にはなりません。計測の失敗は不合格です。

なぜ重要か:
    開発者と CI が変更のたびに待つのがこのビルドです。コードの変更で依存関係を
    再インストールするなら、レイヤーの順序が間違っています。

修正方法:
    依存関係のマニフェスト（pyproject.toml）をコピーしてインストールしてから `COPY src` を
    行い、コードの変更では最後のレイヤーだけが再ビルドされるようにします。そのあと
    `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("build.time_cached", unit=Kind.DURATION, severity="medium", related=())
def time_cached(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "build.time_cached")
