"""Start-up time, measured by a real container engine.

What it checks:
    The time from starting the container until it is healthy: its HEALTHCHECK reports
    healthy, or, without one, `GET /health` answers 200 on loopback. Read from the newest
    measurement evidence and compared with the limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    Slow start-up delays deployments, scale-outs and restarts after a crash.

How to fix:
    Avoid work at import time, run migrations as a separate step, and keep the image small;
    then measure again with `checklists measure`.

日本語: 起動時間: 実際のコンテナエンジンで計測

何を確認するか:
    コンテナを起動してから正常になるまでの時間です。HEALTHCHECK が healthy を報告するまで、
    HEALTHCHECK がなければループバックで `GET /health` が 200 を返すまでを測ります。最新の
    計測証拠から読み、ガイドの表が定める上限と比べます。
    証拠がなければ unknown（未計測）とし、実行すべきコマンドを示します。古い Dockerfile の
    証拠は古い計測で、合格にはなりません。計測の失敗は不合格です。

なぜ重要か:
    起動が遅いと、デプロイ、スケールアウト、クラッシュ後の再起動が遅れます。

修正方法:
    import 時の処理を避け、マイグレーションは別の手順として実行し、イメージを小さく
    保ちます。そのあと `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("container.startup_time", unit=Kind.DURATION, severity="medium", related=())
def startup_time(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "container.startup_time")
