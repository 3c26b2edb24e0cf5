"""Image size, measured by a real container engine.

What it checks:
    The size of the environment's image as the container engine reports it
    (`image inspect --format {{.Size}}`, bytes), read from the newest measurement evidence
    of that environment, compared with the limit the guide's table states (decimal MB, as
    Docker shows sizes).
    Without evidence the result is unknown (未計測) with the command to run; evidence for an
    older Dockerfile is stale and never passes; a failed measurement fails.

Why it matters:
    A large image is slow to pull and push, costs registry storage, and usually carries
    packages an attacker can use; the guide sets < 700MB for development and < 250MB for
    production.

How to fix:
    Use a slim base image, keep build tools in a builder stage, install with
    `--no-install-recommends` and remove caches in the same layer; then measure again with
    `checklists measure`.

日本語: イメージサイズ: 実際のコンテナエンジンで計測

何を確認するか:
    コンテナエンジンが報告する環境のイメージのサイズ（`image inspect --format {{.Size}}`、
    バイト）を、その環境の最新の計測証拠から読み、ガイドの表が定める上限（Docker と同じ
    10 進の MB）と比べます。
    証拠がなければ unknown（未計測）とし、実行すべきコマンドを示します。古い Dockerfile の
    証拠は古い計測で、合格にはなりません。計測の失敗は不合格です。

なぜ重要か:
    大きなイメージは pull と push が遅く、レジストリの容量を使い、たいていは攻撃者が使える
    パッケージも抱えています。ガイドは開発で < 700MB、本番で < 250MB を定めています。

修正方法:
    slim のベースイメージを使い、ビルドツールは builder ステージに置き、
    `--no-install-recommends` でインストールして同じレイヤーでキャッシュを削除します。
    そのあと `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, measured_metric


@metric(
    "image.size", unit=Kind.SIZE, severity="medium", related=("hadolint:DL3009", "hadolint:DL3015")
)
def size(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return measured_metric(target, environment, evidence, "image.size")
