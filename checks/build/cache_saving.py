"""Build time saved by the layer cache: a cached rebuild against a build without cache.

What it checks:
    How much shorter a rebuild with the layer cache after a one-file source change
    (`build.time_cached`) is than a build without cache (`build.time_no_cache`), in
    percent, both measured by `checklists measure` in the same run on the same engine.
    Bound on a sentence that states a percentage ("70-80% 削減"), the reading is judged
    against it (a range: both ends included). The builds are timed where the measure
    command runs (a developer's machine or a CI runner), with the engine's local cache;
    the evidence says which engine on which host.
    Without evidence the result is unknown (未計測) with the command to run.

Why it matters:
    The cache is what makes a change cheap to build; a guide that promises 70-80% less
    should be checked against a real rebuild, or the promise rots with the Dockerfile.

How to fix:
    Copy the dependency manifests and install them before the source (`COPY pyproject.toml`,
    `RUN pip install ...`, then `COPY src`), so a code change reuses the dependency layer;
    then measure again with `checklists measure`.

日本語: レイヤーキャッシュで短くなるビルド時間（キャッシュなしとキャッシュありの比較）

何を確認するか:
    ソースファイルを 1 つ変えた後のレイヤーキャッシュを使った再ビルド（`build.time_cached`）が、
    キャッシュなしのビルド（`build.time_no_cache`）よりどれだけ短いかを割合（%）で示します。
    どちらも `checklists measure` が同じ実行、同じエンジンで計測したものです。割合を述べる文
    （「70-80% 削減」）に結び付けると、計測値をその数値と照合します（範囲: 両端を含む）。
    ビルドは計測コマンドを実行した場所（開発者のマシンや CI のランナー）でエンジンのローカル
    キャッシュを使って計時し、どのホストのどのエンジンかは証拠に記録されます。
    証拠がなければ unknown（未計測）とし、実行すべきコマンドを示します。

なぜ重要か:
    変更を安くビルドできるのはキャッシュのおかげです。70-80% 短くなるというガイドの約束は
    実際の再ビルドで確かめなければ、Dockerfile とともに腐ります。

修正方法:
    依存関係のマニフェストをコピーしてソースより前にインストールし（`COPY pyproject.toml`、
    `RUN pip install ...`、そのあと `COPY src`）、コードの変更で依存関係のレイヤーが再利用される
    ようにします。そのあと `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric, tr
from checks.measured import DEFAULT_EVIDENCE, derived_metric


@metric("build.cache_saving", unit=Kind.PERCENT, severity="low", related=())
def cache_saving(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return derived_metric(
        target,
        environment,
        evidence,
        "build.cache_saving",
        inputs=("build.time_no_cache", "build.time_cached"),
        describe=(tr("without cache", "キャッシュなし"), tr("cached", "キャッシュあり")),
    )
