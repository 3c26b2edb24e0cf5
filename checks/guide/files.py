"""The files and folders the guide names exist in the target.

What it checks:
    Every path of the `paths` parameter (relative to the repository's root, as the guide
    writes them: `docker-compose.dev.yml`, `backend/Dockerfile`) is a file or a folder of
    the target. A path that is missing is named with the files of the same name the
    target has elsewhere, if any.

Why it matters:
    A guide that names a file the repository no longer has sends readers looking for it;
    checking the names on every build keeps the guide and the repository in step.

How to fix:
    Correct the name in the guide, or bring the file back where the guide says it is.

日本語: ガイドが名前を挙げるファイルとフォルダーがターゲットに存在する

何を確認するか:
    パラメータ `paths` の各パス（ガイドの書き方どおり、リポジトリのルートからの相対パス:
    `docker-compose.dev.yml`、`backend/Dockerfile`）が、ターゲットのファイルかフォルダーで
    あることを確認します。見つからないパスは、ターゲットのほかの場所にある同じ名前のファイルが
    あればそれと一緒に示します。

なぜ重要か:
    リポジトリにもうないファイルをガイドが挙げていると、読者はそれを探し回ります。ビルドの
    たびに名前を確認すれば、ガイドとリポジトリはずれません。

修正方法:
    ガイドの名前を直すか、ファイルをガイドの言う場所に戻します。
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from checklists import Evidence, InputError, Outcome, Target, check, tr


@check("guide.files", severity="low", related=())
def files(repo: Target, *, paths: Sequence[str]) -> Outcome:
    if isinstance(paths, str) or not paths:
        return Outcome.error(
            tr(
                "paths must be a list of paths, such as [backend/Dockerfile]",
                "paths はパスのリストで指定してください（例: [backend/Dockerfile]）",
            ),
            Evidence(tr("the binding's parameters", "バインディングのパラメータ")),
        )
    good: list[Evidence] = []
    missing: list[Evidence] = []
    for written in paths:
        path = posixpath.normpath(str(written).removeprefix("./"))
        try:
            kind = repo.kind(path)
        except InputError as error:
            return Outcome.error(
                tr("{path}: {error}", "{path}: {error}", path=path, error=error.message),
                Evidence(error.message, path=error.path),
            )
        if kind is not None:
            good.append(
                Evidence(
                    tr("{path} exists", "{path} が存在", path=path),
                    path=path if kind == "file" else None,
                )
            )
            continue
        name = posixpath.basename(path)
        elsewhere = [f for f in repo.files(".") if posixpath.basename(f) == name][:5]
        missing.append(
            Evidence(
                tr(
                    "{path} is not in the target{truth}",
                    "{path} がターゲットにない{truth}",
                    path=path,
                    truth=tr(
                        " (the target has {found})",
                        "（ターゲットにあるのは {found}）",
                        found=", ".join(elsewhere),
                    )
                    if elsewhere
                    else "",
                )
            )
        )
    if missing:
        return Outcome.failed(
            tr(
                "{count} of the paths the guide names are not in the target",
                "ガイドが挙げるパスのうち {count} 件がターゲットにない",
                count=len(missing),
            ),
            *missing,
            *good,
        )
    return Outcome.passed(
        tr(
            "the {count} path(s) the guide names exist",
            "ガイドが挙げるパス {count} 件がすべて存在",
            count=len(good),
        ),
        *good,
    )
