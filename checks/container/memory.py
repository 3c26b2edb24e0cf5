"""Memory use, measured by a real container engine.

What it checks:
    The container's memory use shortly after start-up as the engine reports it
    (`stats --no-stream`, MemUsage), from the newest measurement evidence, compared with the
    limit the guide's table states.
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    Memory above the limit gets the container killed by its orchestrator or starves other
    services on the host.

How to fix:
    Reduce worker processes and preloaded data, and set a memory limit that matches the
    guide's target; then measure again with `checklists measure`.

日本語: メモリ使用量: 実際のコンテナエンジンで計測

何を確認するか:
    起動直後のコンテナのメモリ使用量をエンジンの報告（`stats --no-stream` の MemUsage）で
    最新の計測証拠から読み、ガイドの表が定める上限と比べます。
    証拠がなければ unknown（未計測）とし、実行すべきコマンドを示します。古い Dockerfile の
    証拠は古い計測で、合格にはなりません。計測の失敗は不合格です。

なぜ重要か:
    上限を超えたメモリ使用はオーケストレーターによるコンテナの強制終了を招き、ホスト上の
    ほかのサービスの資源も奪います。

修正方法:
    ワーカープロセス数と事前に読み込むデータを減らし、ガイドの目標に合うメモリ上限を
    設定します。そのあと `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric("container.memory", unit=Kind.SIZE, severity="medium", related=())
def memory(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "container.memory")
