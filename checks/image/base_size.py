"""Size of an image the guide names (a base image), measured by a real container engine.

What it checks:
    The size of an image named in the `image` parameter (`python:3.13`,
    `python:3.13-slim`), as the engine reports it (`image inspect --format {{.Size}}`,
    bytes), read from the newest evidence of `checklists measure` that measured it
    (`--image NAME`, or the images the site's pages bind; `--pull` fetches one the
    engine does not have). Bound on a table row whose value cell states a size ("180MB")
    or on a sentence that states one, the reading is judged against it (a bare number:
    within half a unit of its last significant digit, 180MB → 175–185MB; 約: ±25%).
    Nothing is pulled or measured while the site builds: without evidence the result is
    unknown (未計測) with the command that measures it. Tags move: the evidence keeps the
    image ID that was measured.

Why it matters:
    A guide's comparison of base images (full against slim) is the reason readers pick
    one; the numbers drift with every Debian and Python release and should be measured,
    not copied.

How to fix:
    Measure with `checklists measure --image <name> --pull` where the engine can pull, and
    correct the guide's number if the measurement contradicts it.

日本語: ガイドが名前を挙げるイメージ（ベースイメージ）のサイズ: 実際のコンテナエンジンで計測

何を確認するか:
    パラメータ `image` で指定したイメージ（`python:3.13`、`python:3.13-slim`）のサイズを、
    エンジンが報告するとおり（`image inspect --format {{.Size}}`、バイト）に、それを計測した
    `checklists measure` の最新の証拠から読みます（`--image 名前`、またはサイトのページが
    結び付けたイメージ。エンジンにないものは `--pull` で取得します）。値の列にサイズを書いた
    表の行（「180MB」）や、サイズを述べる文に結び付けると、計測値をその数値と照合します
    （数値だけ: 最後の有効数字の半単位以内で、180MB なら 175〜185MB。約: ±25%）。
    サイトのビルド中には何も pull も計測もしません。証拠がなければ unknown（未計測）とし、
    計測するコマンドを示します。タグは動くため、証拠には計測したイメージ ID を残します。

なぜ重要か:
    ベースイメージの比較（フルと slim）は、読者がどちらを選ぶかの根拠です。数値は Debian と
    Python のリリースごとに変わるため、写すのではなく計測するべきです。

修正方法:
    エンジンが pull できる場所で `checklists measure --image <名前> --pull` を実行して計測し、
    計測値がガイドの数値と矛盾するならガイドを直します。
"""

from __future__ import annotations

from checklists import Kind, Outcome, Target, metric
from checks.measured import DEFAULT_EVIDENCE, named_image_metric


@metric("image.base_size", unit=Kind.SIZE, severity="info", related=())
def base_size(target: Target, *, image: str, evidence: str = DEFAULT_EVIDENCE) -> Outcome:
    return named_image_metric(target, evidence, image, "image.size")
