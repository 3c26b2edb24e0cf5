"""Build context reduction: how much less the `.dockerignore` makes `docker build` send.

What it checks:
    Every file of the build context (the Dockerfile's folder, or the environment's
    `context`) is counted twice: all of them, and those that Docker's matcher lets through
    the ignore file BuildKit would use (`<Dockerfile>.dockerignore`, else the context's
    `.dockerignore`). The reduction is the share of bytes left out, in percent, with the
    file counts and byte totals as evidence. Sizes come from the file system; nothing is
    read, built or sent. Bound on a sentence that states a percentage ("約80%"), the
    reading is judged against it (約: within ±25%, so 60%–100%; a range: both ends
    included) and a reading outside it contradicts the text; a binding's `limit`
    (`{limit: ">= 80%"}`) wins over the text. Files that only exist on a developer's
    machine (a local `.venv`, `.git`) are not in the target and are not counted.

Why it matters:
    The whole context is sent to the builder before the first instruction runs; a context
    of gigabytes (virtual environments, Git history) makes every build slow and risks
    copying secrets into the image.

How to fix:
    Add the folders the image does not need to `.dockerignore` (see the guide's list and
    the `dockerignore.excludes` check).

日本語: ビルドコンテキスト削減: `.dockerignore` で `docker build` が送る量がどれだけ減るか

何を確認するか:
    ビルドコンテキスト（Dockerfile のフォルダー、または環境の `context`）のファイルを
    2 通りに数えます: すべてのファイルと、BuildKit が使う除外ファイル
    （`<Dockerfile>.dockerignore`、なければコンテキストの `.dockerignore`）を Docker の照合で
    通過するファイルです。削減率は除外されるバイト数の割合（%）で、ファイル数とバイト数の
    合計を根拠に示します。サイズはファイルシステムから取り、読み込み、ビルド、送信は一切
    しません。割合を述べる文（「約80%」）に結び付けると、計測値をその数値と照合します
    （約: ±25% 以内なので 60%〜100%。範囲: 両端を含む）。外れた計測値は本文と矛盾します。
    バインディングの `limit`（`{limit: ">= 80%"}`）は本文より優先されます。開発者のマシンに
    だけあるファイル（ローカルの `.venv`、`.git`）はターゲットにないため数えません。

なぜ重要か:
    最初の命令が実行される前に、コンテキスト全体がビルダーに送られます。何 GB もの
    コンテキスト（仮想環境、Git の履歴）は毎回のビルドを遅くし、シークレットをイメージに
    コピーする危険もあります。

修正方法:
    イメージに不要なフォルダーを `.dockerignore` に追加します（ガイドの一覧とチェック
    `dockerignore.excludes` を参照）。
"""

from __future__ import annotations

from checklists import Environment, Evidence, Kind, Outcome, Target, metric, tr
from checks.common import context_of, ignore_file, relative_to


@metric("context.reduction", unit=Kind.PERCENT, severity="low")
def reduction(
    target: Target,
    *,
    environment: Environment | None = None,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
) -> Outcome:
    if environment is not None:
        dockerfile = str(environment.options.get("dockerfile", dockerfile))
        context = environment.options.get("context", context)
    folder = context_of(dockerfile, context)
    ignore = ignore_file(target, dockerfile, folder)
    matcher = ignore.matcher
    files = list(target.files(folder))
    sizes = {path: target.size(path) for path in files}
    sent = [path for path in files if not matcher.matches(relative_to(folder, path))]
    total, kept = sum(sizes.values()), sum(sizes[path] for path in sent)
    if total == 0:
        return Outcome.unknown(
            tr(
                "the build context {folder}/ is empty",
                "ビルドコンテキスト {folder}/ が空",
                folder=folder,
            ),
            Evidence(tr("no files", "ファイルなし")),
        )
    percent = 100.0 * (total - kept) / total
    return Outcome.measured(
        percent,
        tr(
            "{folder}/: {files} files, {total:,} bytes; sent: {sent} files, {kept:,} bytes",
            "{folder}/: {files} ファイル、{total:,} バイト。送信: {sent} ファイル、{kept:,} バイト",
            folder=folder,
            files=len(files),
            total=total,
            sent=len(sent),
            kept=kept,
        ),
        Evidence(
            tr(
                "{left} of {files} files left out by {ignore}",
                "{files} ファイル中 {left} ファイルを {ignore} で除外",
                left=len(files) - len(sent),
                files=len(files),
                ignore=ignore.path or tr("no ignore file", "除外ファイルなし"),
            ),
            path=ignore.path or folder,
        ),
        Evidence(
            tr(
                "{left:,} of {total:,} bytes are not sent",
                "{total:,} バイト中 {left:,} バイトは送られない",
                left=total - kept,
                total=total,
            ),
            path=folder,
        ),
    )
