"""Image size saved by `--no-install-recommends`, measured by building the image both ways.

What it checks:
    How much smaller the environment's image is with `--no-install-recommends` than
    without it, in percent: `checklists measure` builds the image as the Dockerfile says
    (`image.size`) and again from a copy of the Dockerfile with every
    `--no-install-recommends` taken out of its RUN lines (`image.size_with_recommends`;
    the target is never changed), then reads both sizes from the engine. The saving is
    `(with recommends - as written) / with recommends`. Bound on a sentence that states a
    percentage ("約40%"), the reading is judged against it (約: ±25%, so 30%–50%).
    A Dockerfile that never passes the option has nothing to compare: unknown, as is an
    environment not measured yet (with the command that measures it).

Why it matters:
    Recommended packages are pulled in silently and can double an image; a number in a
    guide about how much the option saves is only worth keeping if a real build agrees.

How to fix:
    Pass `--no-install-recommends` to every `apt-get install` (and list what you really
    need); then measure again with `checklists measure`.

日本語: `--no-install-recommends` で減るイメージサイズ: 両方の方法でビルドして計測

何を確認するか:
    環境のイメージが `--no-install-recommends` ありで、なしの場合よりどれだけ小さいかを
    割合（%）で示します。`checklists measure` が Dockerfile のとおりにイメージをビルドし
    （`image.size`）、RUN 行からすべての `--no-install-recommends` を取り除いた Dockerfile の
    コピーからもう一度ビルドして（`image.size_with_recommends`。ターゲットは変えません）、
    両方のサイズをエンジンから読みます。削減率は `(推奨パッケージあり - 記述どおり) /
    推奨パッケージあり` です。割合を述べる文（「約40%」）に結び付けると、計測値をその数値と
    照合します（約: ±25% なので 30%〜50%）。
    このオプションを一度も渡さない Dockerfile には比べるものがないため unknown で、まだ
    計測していない環境も unknown です（計測するコマンドを示します）。

なぜ重要か:
    推奨パッケージは黙って入り込み、イメージを倍にすることもあります。オプションでどれだけ
    減るかというガイドの数値は、実際のビルドと一致してはじめて残す価値があります。

修正方法:
    すべての `apt-get install` に `--no-install-recommends` を付けます（本当に必要なものは
    明示します）。そのあと `checklists measure` で計測し直します。
"""

from __future__ import annotations

from checklists import Environment, Kind, Outcome, Target, metric, tr
from checks.measured import DEFAULT_EVIDENCE, derived_metric


@metric("image.recommends_saving", unit=Kind.PERCENT, severity="low", related=("hadolint:DL3015",))
def recommends_saving(
    target: Target, *, environment: Environment | None = None, evidence: str = DEFAULT_EVIDENCE
) -> Outcome:
    return derived_metric(
        target,
        environment,
        evidence,
        "image.recommends_saving",
        inputs=("image.size_with_recommends", "image.size"),
        describe=(
            tr("without --no-install-recommends", "--no-install-recommends なし"),
            tr("as written", "記述どおり"),
        ),
    )
