"""GitHub Actions cache: the backend image build reads and writes BuildKit's `gha` cache in full.

What it checks:
    The builds of the Dockerfile (param `dockerfile`, default `./backend/Dockerfile`) that
    the target's workflows perform, found by the CI build model however they are written:
    `docker/build-push-action`, `docker/bake-action` with its bake file, `docker build` /
    `docker buildx build` / `docker compose build` in a `run:` step or in the script,
    Makefile target or package.json script the step calls, local composite actions and
    local reusable workflows with their inputs, each matrix combination on its own. When
    some of these builds push the image, those are the ones judged (the build that ships
    the image); otherwise every build of it is. Each must have:

    * a `cache-from` entry with `type=gha` and an explicit `scope=...`;
    * a `cache-to` entry with `type=gha`, the same scope and `mode=max`.

    Entries are split the way the builder reads them (docker/build-push-action: one entry
    per line, CSV quoting, commas inside an entry kept; bake: `cache-from`/`cache-to` lists,
    objects joined as `key=value`), and each entry's attributes the way buildx parses them
    (comma-separated `key=value`; a bare value is `type=registry,ref=<value>`). A missing
    `mode` fails: BuildKit's gha exporter defaults to `mode=min`, which exports only the
    layers of the final stage (docs.docker.com/build/cache/backends/gha). A missing scope
    fails too: it defaults to `buildkit`, shared by every image of the repository. A scope
    written with an expression passes when cache-from and cache-to use the same text. A
    build whose Dockerfile cannot be resolved statically counts when every build that could
    be the image fails; a build the model cannot see into (a remote reusable workflow, a
    third-party builder such as depot that keeps its own cache, a script not in the target)
    makes the answer unknown with the reason and the step, never a failure. No build of the
    Dockerfile at all fails.

    Peer tools do not check this; hadolint and Trivy read Dockerfiles, not workflows.

Why it matters:
    Without a shared cache every CI run rebuilds every layer: the guide counts on the cache
    to cut a 5–7 minute build to 1–2 minutes. `mode=min` silently drops the expensive
    builder stage (compilers, wheels), and mismatched scopes mean the build writes a cache
    it never reads.

How to fix:
    In the build step write
    `cache-from: type=gha,scope=backend` and `cache-to: type=gha,scope=backend,mode=max`,
    with one scope per image when a workflow builds several.

日本語: GitHub Actions キャッシュ設定: イメージのビルドが `gha` キャッシュを完全に読み書きする

何を確認するか:
    ターゲットのワークフローが行う Dockerfile（パラメータ `dockerfile`、既定は
    `./backend/Dockerfile`）のビルドを、書き方にかかわらず CI のビルドモデルで見つけます:
    `docker/build-push-action`、bake ファイルと合わせた `docker/bake-action`、`run:` ステップや、
    ステップが呼ぶスクリプト、Makefile のターゲット、package.json のスクリプトの中の
    `docker build` / `docker buildx build` / `docker compose build`、入力と合わせたローカルの
    コンポジットアクションと再利用可能ワークフロー、そして matrix の組み合わせごとです。
    そのうちイメージを push するビルドがあれば、それ（イメージを出荷するビルド）を判定し、
    なければすべてのビルドを判定します。それぞれに次が必要です:

    * `type=gha` と明示的な `scope=...` を持つ `cache-from` のエントリー。
    * `type=gha`、同じスコープ、`mode=max` を持つ `cache-to` のエントリー。

    エントリーはビルダーと同じように分割し（docker/build-push-action: 1 行に 1 エントリー、
    CSV のクォート、エントリー内のカンマは保持。bake: `cache-from`/`cache-to` のリスト、
    オブジェクトは `key=value` として連結）、各エントリーの属性は buildx と同じように解析
    します（カンマ区切りの `key=value`。値だけのものは `type=registry,ref=<値>`）。`mode` が
    なければ不合格です。BuildKit の gha エクスポーターの既定は `mode=min` で、最終ステージの
    レイヤーしか書き出しません（docs.docker.com/build/cache/backends/gha）。スコープがない
    場合も不合格です。既定は `buildkit` で、リポジトリのすべてのイメージで共有されます。式で
    書いたスコープは、cache-from と cache-to が同じ文字列を使っていれば合格です。Dockerfile を
    静的に解決できないビルドは、イメージでありうるビルドがすべて不合格の場合に数えます。
    モデルが中を見られないビルド（リモートの再利用可能ワークフロー、独自のキャッシュを持つ
    depot のようなサードパーティのビルダー、ターゲットにないスクリプト）は、理由とステップを
    添えて unknown（未計測）とし、不合格にはしません。Dockerfile のビルドがまったくなければ
    不合格です。

    ほかのツールはこれを確認しません。hadolint と Trivy が読むのは Dockerfile で、
    ワークフローではありません。

なぜ重要か:
    共有キャッシュがないと、CI の実行のたびにすべてのレイヤーを再ビルドします。ガイドは
    キャッシュで 5〜7 分のビルドを 1〜2 分に縮めることを見込んでいます。`mode=min` は
    コストの高い builder ステージ（コンパイラ、wheel）を黙って落とし、スコープが食い違うと
    ビルドは読むことのないキャッシュを書くことになります。

修正方法:
    ビルドのステップに `cache-from: type=gha,scope=backend` と
    `cache-to: type=gha,scope=backend,mode=max` を書きます。ワークフローが複数のイメージを
    ビルドするなら、イメージごとにスコープを分けます。
"""

from __future__ import annotations

import csv

from checklists import Evidence, Outcome, Target, check, join, tr
from checks.ci._model import Selection, select
from checks.readers.ci_builds import ImageBuild, Opaque
from checks.readers.expressions import has_expression


def cache_entry(entry: str) -> dict[str, str]:
    """The attributes of one --cache-from / --cache-to entry, as buildx parses it."""
    if "=" not in entry:
        return {"type": "registry", "ref": entry}
    fields = next(csv.reader([entry]), [])
    attributes: dict[str, str] = {}
    for field in fields:
        key, _, value = field.partition("=")
        attributes[key.strip().lower()] = value
    return attributes


def _judge(build: ImageBuild) -> tuple[str | None, list[Evidence], bool]:
    """(problem or None, evidence, unresolved) for one build."""
    label = build.label
    shown_from = build.at("cache-from").evidence(
        tr(
            "{label}: cache-from {entries}",
            "{label}: cache-from {entries}",
            label=label,
            entries=repr(list(build.cache_from)),
        )
    )
    shown_to = build.at("cache-to").evidence(
        tr(
            "{label}: cache-to {entries}",
            "{label}: cache-to {entries}",
            label=label,
            entries=repr(list(build.cache_to)),
        )
    )
    evidence = [shown_from, shown_to]
    if build.cache_note:
        return _on(label, build.cache_note), evidence, True
    whole = [*build.cache_from, *build.cache_to]
    if any(has_expression(e) and "=" not in e for e in whole):
        problem = tr("the cache settings are an expression", "キャッシュ設定が式になっている")
        return _on(label, problem), evidence, True
    sources = [cache_entry(e) for e in build.cache_from]
    sinks = [cache_entry(e) for e in build.cache_to]
    gha_from = [s for s in sources if s.get("type") == "gha"]
    gha_to = [s for s in sinks if s.get("type") == "gha"]
    if not build.cache_from:
        return (
            tr("{label} has no cache-from", "{label} に cache-from がない", label=label),
            evidence,
            False,
        )
    if not gha_from:
        return (
            tr(
                "{label} reads no type=gha cache",
                "{label} は type=gha のキャッシュを読まない",
                label=label,
            ),
            evidence,
            False,
        )
    scopes = {s["scope"] for s in gha_from if s.get("scope")}
    if not scopes:
        problem = tr(
            "cache-from type=gha has no scope (it defaults to 'buildkit', shared by every image)",
            "cache-from の type=gha にスコープがない（既定は 'buildkit' で、すべてのイメージで"
            "共有される）",
        )
        return _on(label, problem), evidence, False
    if not build.cache_to:
        return (
            tr(
                "{label} has no cache-to, so the cache is never written",
                "{label} に cache-to がなく、キャッシュが書き込まれない",
                label=label,
            ),
            evidence,
            False,
        )
    if not gha_to:
        return (
            tr(
                "{label} writes no type=gha cache",
                "{label} は type=gha のキャッシュを書かない",
                label=label,
            ),
            evidence,
            False,
        )
    same_scope = [s for s in gha_to if s.get("scope") in scopes]
    if not same_scope:
        written = ", ".join(s.get("scope") or "buildkit (default)" for s in gha_to)
        problem = tr(
            "cache-to scope {written} differs from cache-from scope {scopes}",
            "cache-to のスコープ {written} が cache-from のスコープ {scopes} と違う",
            written=written,
            scopes=", ".join(sorted(scopes)),
        )
        return _on(label, problem), evidence, False
    if not any(s.get("mode") == "max" for s in same_scope):
        mode = same_scope[0].get("mode")
        why = (
            f"mode={mode}"
            if mode
            else tr(
                "no mode, so BuildKit's default mode=min applies",
                "mode がなく BuildKit の既定の mode=min が適用される",
            )
        )
        problem = tr(
            "cache-to has {why}; only the final stage's layers are cached",
            "cache-to は {why}。キャッシュされるのは最終ステージのレイヤーだけ",
            why=why,
        )
        return _on(label, problem), evidence, False
    return None, evidence, False


def _on(label: str, problem: str) -> str:
    return tr("{label}: {problem}", "{label}: {problem}", label=label, problem=problem)


def _publishing(builds: tuple[ImageBuild, ...]) -> list[ImageBuild]:
    return [b for b in builds if b.push.strip().lower() != "false"]


def _not_judged(items: list[ImageBuild] | tuple[Opaque, ...], why: str) -> list[Evidence]:
    return [
        item.place.evidence(
            tr(
                "not judged ({why}): {label}",
                "判定対象外（{why}）: {label}",
                why=why,
                label=item.label,
            )
        )
        for item in items
    ]


@check("ci.gha_cache", severity="low", related=())
def gha_cache(
    target: Target, *, context: str = "./backend", dockerfile: str = "./backend/Dockerfile"
) -> Outcome:
    del context  # builds are matched by the Dockerfile they build
    chosen = select(target, dockerfile)
    return _verdict(chosen)


def _verdict(chosen: Selection) -> Outcome:
    publishing = _publishing(chosen.builds)
    candidates_publishing = _publishing(chosen.candidates)
    judged = publishing or list(chosen.builds)
    candidates = candidates_publishing if publishing else list(chosen.candidates)
    opaque = list(chosen.opaque)
    if not judged and not candidates:
        if opaque:
            return Outcome.unknown(
                tr(
                    "no build of {dockerfile} can be seen; {reasons}",
                    "{dockerfile} のビルドが見えない。{reasons}",
                    dockerfile=chosen.dockerfile,
                    reasons=join(
                        dict.fromkeys(_on(o.label, o.reason) for o in opaque[:3]), "; ", "。"
                    ),
                ),
                *(o.place.evidence(o.reason) for o in opaque),
            )
        return Outcome.failed(
            tr(
                "no workflow builds {dockerfile}, so no build uses the gha cache",
                "{dockerfile} をビルドするワークフローがなく、gha キャッシュを使うビルドもない",
                dockerfile=chosen.dockerfile,
            ),
            chosen.searched(),
        )
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    for build in judged:
        problem, shown, unresolved = _judge(build)
        evidence.extend(shown)
        if problem:
            (unknowns if unresolved else failures).append(problem)
    candidate_failures: list[str] = []
    candidate_passes = 0
    for build in candidates:
        problem, shown, unresolved = _judge(build)
        reason = join(build.unresolved, "; ", "。") or tr(
            "its Dockerfile cannot be resolved", "Dockerfile を解決できない"
        )
        evidence.extend(e for e in shown)
        evidence.append(
            build.place.evidence(
                tr(
                    "{label} might build it: {reason}",
                    "{label} がビルドしているかもしれない: {reason}",
                    label=build.label,
                    reason=reason,
                )
            )
        )
        if problem and not unresolved:
            candidate_failures.append(problem)
        else:
            candidate_passes += 1
    if publishing:
        evidence += _not_judged(
            [b for b in chosen.builds if b not in publishing],
            tr("it does not push the image", "イメージを push しない"),
        )
    evidence += _not_judged(tuple(opaque), tr("cannot be read", "読み取れない"))
    if failures:
        return Outcome.failed(join(dict.fromkeys(failures), "; ", "。"), *evidence)
    if not judged and candidate_failures and not candidate_passes and not opaque:
        return Outcome.failed(
            tr(
                "every build that could build the image lacks a scoped gha cache: {problems}",
                "イメージをビルドしうるすべてのビルドに、スコープ付きの gha キャッシュがない: "
                "{problems}",
                problems=join(dict.fromkeys(candidate_failures), "; ", "。"),
            ),
            *evidence,
        )
    if unknowns:
        return Outcome.unknown(join(dict.fromkeys(unknowns), "; ", "。"), *evidence)
    if not judged:
        return Outcome.unknown(
            tr(
                "no build provably builds {dockerfile}; the builds that might cannot be "
                "resolved statically",
                "{dockerfile} をビルドすると確かめられるビルドがなく、ビルドしているかも"
                "しれないものは静的に解決できない",
                dockerfile=chosen.dockerfile,
            ),
            *evidence,
        )
    scopes = sorted({cache_entry(e).get("scope", "") for b in judged for e in b.cache_from} - {""})
    return Outcome.passed(
        tr(
            "{count} build(s) of {dockerfile} read and write the gha cache (scope {scopes}, "
            "mode=max)",
            "{dockerfile} のビルド {count} 件が gha キャッシュを読み書き（スコープ {scopes}、"
            "mode=max）",
            count=len(judged),
            dockerfile=chosen.dockerfile,
            scopes=", ".join(scopes),
        ),
        *evidence,
    )
