"""Build arguments: CI passes the required build args and the Dockerfile really uses them.

What it checks:
    Every build of the Dockerfile (param `dockerfile`, default `./backend/Dockerfile`) that
    the CI build model finds (see `ci.gha_cache`: actions, bake targets, `docker build` in
    steps, scripts and Makefile targets, composite actions, reusable workflows, matrix
    combinations), read with the Dockerfile it builds:

    * The build passes each build arg of `required` (default `["PYTHON_VERSION"]`) —
      `build-args` of an action (one `KEY=VALUE` per line), `args` of a bake target or a
      compose service, `--build-arg` of a command line. A bare `KEY` passes the runner's
      environment variable, as buildx does: it counts when an `env:` on the way sets it and
      is unknown otherwise.
    * The Dockerfile declares each required arg with ARG and uses it: a global ARG must appear
      in a FROM line (`FROM python:${PYTHON_VERSION}-slim`) or be re-declared in a stage
      that uses it; an ARG in a stage must be referenced later in that stage or be followed
      by a RUN, which sees it as an environment variable. A FROM that hard-codes the version
      (`FROM python:3.13-slim` while `PYTHON_VERSION` is passed) fails, and so does a
      required arg the Dockerfile never declares (BuildKit ignores it).
    * Any other passed arg the Dockerfile never declares is shown as a warning in the
      evidence: BuildKit ignores it ("build-args were not consumed"), but the claim is about
      the required args. The answer's part `declared` says whether every passed arg is
      declared (Docker's predefined args — the `*_PROXY` family, `BUILDKIT_*`,
      `SOURCE_DATE_EPOCH` — need no declaration).

    A build whose Dockerfile or args cannot be read statically, or a build the model
    cannot see into, makes the answer unknown with the reason; no build of the Dockerfile
    at all fails. hadolint and Trivy's Dockerfile checks read the Dockerfile alone; this
    check reads the CI build and the Dockerfile together, which is where the mismatch hides.

Why it matters:
    A version passed as a build arg is a promise that CI decides which Python the image
    gets. If the Dockerfile hard-codes the base image tag or never declares the arg, the
    promise is silently broken: upgrading the workflow's value changes nothing.

How to fix:
    Declare the arg before the first FROM and use it in every FROM that should follow it:
    `ARG PYTHON_VERSION=3.13` then `FROM python:${PYTHON_VERSION}-slim AS builder`; pass
    it from the workflow with `build-args: PYTHON_VERSION=3.13`.

日本語: ビルドアーギュメント設定: CI が必要なビルド引数を渡し、Dockerfile が実際に使う

何を確認するか:
    CI のビルドモデルが見つける Dockerfile（パラメータ `dockerfile`、既定は
    `./backend/Dockerfile`）のすべてのビルド（`ci.gha_cache` を参照: アクション、bake
    ターゲット、ステップ内の `docker build`、スクリプトや Makefile のターゲット、コンポジット
    アクション、再利用可能ワークフロー、matrix の組み合わせ）を、それがビルドする Dockerfile と
    合わせて読みます:

    * ビルドが `required`（既定 `["PYTHON_VERSION"]`）のビルド引数をそれぞれ渡していること。
      アクションの `build-args`（1 行に 1 つの `KEY=VALUE`）、bake ターゲットや compose
      サービスの `args`、コマンドラインの `--build-arg` です。値のない `KEY` は buildx と同じく
      ランナーの環境変数を渡します。途中の `env:` が設定していれば数え、そうでなければ
      unknown（未計測）です。
    * Dockerfile が必要な引数をそれぞれ ARG で宣言し、使っていること。グローバルな ARG は
      FROM の行（`FROM python:${PYTHON_VERSION}-slim`）に現れるか、それを使うステージで宣言し
      直されている必要があります。ステージ内の ARG は、そのステージで後から参照されるか、
      環境変数として見る RUN が後に続く必要があります。バージョンを直書きした FROM
      （`PYTHON_VERSION` を渡しているのに `FROM python:3.13-slim`）は不合格で、Dockerfile が
      一度も宣言しない必要な引数（BuildKit は無視します）も不合格です。
    * 渡しているそれ以外の引数で Dockerfile が一度も宣言しないものは、根拠に警告として示します。
      BuildKit はそれを無視します（「build-args were not consumed」）が、主張が扱うのは必要な
      引数です。部分 `declared` は、渡したすべての引数が宣言されているかを示します（Docker の
      定義済み引数、つまり `*_PROXY` 系、`BUILDKIT_*`、`SOURCE_DATE_EPOCH` は宣言不要です）。

    Dockerfile や引数を静的に読めないビルドや、モデルが中を見られないビルドがあれば、理由を
    添えて unknown（未計測）とします。Dockerfile のビルドがまったくなければ不合格です。
    hadolint や Trivy の Dockerfile のチェックは Dockerfile だけを読みますが、このチェックは
    食い違いが隠れる場所である CI のビルドと Dockerfile を合わせて読みます。

なぜ重要か:
    ビルド引数で渡すバージョンは、イメージがどの Python になるかを CI が決めるという約束です。
    Dockerfile がベースイメージのタグを直書きしていたり、引数を宣言していなかったりすると、
    その約束は黙って破られ、ワークフローの値を上げても何も変わりません。

修正方法:
    最初の FROM の前で引数を宣言し、それに従うべきすべての FROM で使います:
    `ARG PYTHON_VERSION=3.13` のあとに `FROM python:${PYTHON_VERSION}-slim AS builder`。
    ワークフローからは `build-args: PYTHON_VERSION=3.13` で渡します。
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from checklists import Evidence, Outcome, Status, Target, check, join, tr
from checks.ci._model import select
from checks.common import ParsedDockerfile, load_dockerfile, stage_label
from checks.readers.ci_builds import ImageBuild, normalise
from checks.readers.dockerfile import Instruction

_PREDEFINED = frozenset(
    name
    for base in ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY")
    for name in (base, base.lower())
) | {"SOURCE_DATE_EPOCH"}


def _predefined(name: str) -> bool:
    return name in _PREDEFINED or name.startswith("BUILDKIT_")


def _reference(name: str) -> re.Pattern[str]:
    return re.compile(r"\$(?:\{" + re.escape(name) + r"\b|" + re.escape(name) + r"\b)")


def _declarations(parsed: ParsedDockerfile) -> dict[str, list[tuple[int | None, Instruction]]]:
    """ARG name -> [(stage index or None for global, instruction)]."""
    found: dict[str, list[tuple[int | None, Instruction]]] = {}
    for instruction in parsed.dockerfile.instructions:
        if instruction.keyword == "from":
            break
        if instruction.keyword == "arg":
            for word in instruction.args:
                found.setdefault(word.partition("=")[0], []).append((None, instruction))
    for stage in parsed.stages:
        for instruction in stage.instructions:
            if instruction.keyword == "arg":
                for word in instruction.args:
                    found.setdefault(word.partition("=")[0], []).append((stage.index, instruction))
    return found


def _uses(
    parsed: ParsedDockerfile, path: str, name: str, declared: list[tuple[int | None, Instruction]]
) -> list[Evidence]:
    """Evidence of each place the build uses the arg."""
    pattern = _reference(name)
    used: list[Evidence] = []
    if any(stage is None for stage, _ in declared):
        for stage in parsed.stages:
            if pattern.search(stage.from_instruction.original):
                used.append(
                    parsed.at(
                        path,
                        stage.from_instruction,
                        tr(
                            "{stage} is FROM {base}",
                            "{stage} は FROM {base}",
                            stage=stage_label(stage),
                            base=stage.base,
                        ),
                    )
                )
    for stage in parsed.stages:
        after = False
        for instruction in stage.instructions:
            if instruction.keyword == "arg" and any(
                w.partition("=")[0] == name for w in instruction.args
            ):
                after = True
                continue
            if not after:
                continue
            if pattern.search(instruction.original):
                note = tr(
                    "uses ${name} in {stage}",
                    "{stage} で ${name} を使用",
                    name=name,
                    stage=stage_label(stage),
                )
                used.append(parsed.at(path, instruction, note))
            elif instruction.keyword == "run":
                note = tr(
                    "RUN sees {name} as an environment variable",
                    "RUN から {name} が環境変数として見える",
                    name=name,
                )
                used.append(parsed.at(path, instruction, note))
    return used


def _passed(build: ImageBuild) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for entry in build.build_args:
        key, sep, value = entry.partition("=")
        if key.strip():
            values[key.strip()] = value if sep else None
    return values


def _from_environment(build: ImageBuild, name: str) -> bool:
    return name in build.step.scope.env


@check("ci.build_args", severity="medium", related=())
def build_args(
    target: Target,
    *,
    required: Sequence[str] = ("PYTHON_VERSION",),
    context: str = "./backend",
    dockerfile: str = "./backend/Dockerfile",
) -> Outcome:
    chosen = select(target, dockerfile)
    if not chosen.builds:
        wanted = normalise(context)
        missing = [
            _not_in_target(b.label, b.dockerfile)
            for b in chosen.others
            if b.context == wanted and b.dockerfile and not target.is_file(b.dockerfile)
        ]
        if missing:
            return Outcome.failed(
                join(missing, "; ", "。"), *(b.place.evidence(b.label) for b in chosen.others)
            ).with_parts(declared=Status.NOT_APPLICABLE)
        shown = [chosen.searched()]
        shown += [
            b.place.evidence(
                tr(
                    "{label} might build it: {why}",
                    "{label} がビルドしているかもしれない: {why}",
                    label=b.label,
                    why=join(b.unresolved, "; ", "。"),
                )
            )
            for b in chosen.candidates
        ]
        shown += [
            o.place.evidence(
                tr("{label}: {reason}", "{label}: {reason}", label=o.label, reason=o.reason)
            )
            for o in chosen.opaque
        ]
        if chosen.candidates or chosen.opaque:
            return Outcome.unknown(
                tr(
                    "no build provably builds {dockerfile}; the builds that might cannot be read",
                    "{dockerfile} をビルドすると確かめられるビルドがなく、ビルドしているかも"
                    "しれないものは読み取れない",
                    dockerfile=chosen.dockerfile,
                ),
                *shown,
            ).with_parts(declared=Status.UNKNOWN)
        return Outcome.failed(
            tr(
                "no workflow builds {dockerfile}, so no build passes its build args",
                "{dockerfile} をビルドするワークフローがなく、ビルド引数を渡すビルドもない",
                dockerfile=chosen.dockerfile,
            ),
            *shown,
        ).with_parts(declared=Status.NOT_APPLICABLE)
    failures: list[str] = []
    unknowns: list[str] = []
    undeclared: list[str] = []
    incomplete: list[str] = []
    evidence: list[Evidence] = []
    for build in chosen.builds:
        passed = _passed(build)
        evidence.append(
            build.at("build-args").evidence(
                tr(
                    "{label} passes {args}",
                    "{label} が {args} を渡す",
                    label=build.label,
                    args=repr(list(build.build_args)),
                )
            )
        )
        if not build.args_complete:
            incomplete.append(
                tr(
                    "{label}: some build args cannot be read statically",
                    "{label}: 静的に読めないビルド引数がある",
                    label=build.label,
                )
            )
        if not target.is_file(chosen.dockerfile):
            failures.append(_not_in_target(build.label, chosen.dockerfile))
            continue
        parsed = load_dockerfile(target, chosen.dockerfile)
        declared = _declarations(parsed)
        for name in passed:
            if name not in declared and not _predefined(name):
                note = _never_declared(build.label, name, chosen.dockerfile)
                undeclared.append(note)
                evidence.append(
                    build.at("build-args").evidence(
                        tr("warning: {note}", "警告: {note}", note=note)
                    )
                )
        for name in required:
            if name not in passed:
                if build.args_complete:
                    failures.append(
                        tr(
                            "{label} does not pass the build arg {name}",
                            "{label} がビルド引数 {name} を渡していない",
                            label=build.label,
                            name=name,
                        )
                    )
                else:
                    unknowns.append(
                        tr(
                            "{label}: whether it passes {name} cannot be read",
                            "{label}: {name} を渡しているかは読み取れない",
                            label=build.label,
                            name=name,
                        )
                    )
                continue
            if passed[name] is None and not _from_environment(build, name):
                unknowns.append(
                    tr(
                        "{label} passes {name} from the runner's environment, which no env: sets",
                        "{label} は {name} をランナーの環境から渡すが、それを設定する env: がない",
                        label=build.label,
                        name=name,
                    )
                )
            if name not in declared:
                failures.append(_never_declared(build.label, name, chosen.dockerfile))
                continue
            evidence.extend(
                parsed.at(
                    chosen.dockerfile,
                    ins,
                    tr("declares ARG {name}", "ARG {name} を宣言", name=name),
                )
                for _, ins in declared[name]
            )
            used = _uses(parsed, chosen.dockerfile, name, declared[name])
            if used:
                evidence.extend(used)
                continue
            bases = ", ".join(dict.fromkeys(f"FROM {s.base}" for s in parsed.stages))
            failures.append(
                tr(
                    "{dockerfile} declares {name} but never uses it: {bases} hard-codes what the "
                    "arg should set",
                    "{dockerfile} は {name} を宣言しているが使っていない: {bases} は引数が決める"
                    "べきものを直書きしている",
                    dockerfile=chosen.dockerfile,
                    name=name,
                    bases=bases,
                )
            )
            evidence.extend(
                parsed.at(
                    chosen.dockerfile,
                    s.from_instruction,
                    tr(
                        "{stage} ignores ${name}",
                        "{stage} は ${name} を無視",
                        stage=stage_label(s),
                        name=name,
                    ),
                )
                for s in parsed.stages
            )
    declared_part = Status.FAIL if undeclared else (Status.UNKNOWN if incomplete else Status.PASS)
    if failures:
        outcome = Outcome.failed(join(dict.fromkeys(failures), "; ", "。"), *evidence)
    elif unknowns or incomplete:
        outcome = Outcome.unknown(join(dict.fromkeys(unknowns + incomplete), "; ", "。"), *evidence)
    else:
        outcome = Outcome.passed(
            tr(
                "{count} build(s) of {dockerfile} pass {required} and the Dockerfile declares "
                "and uses each",
                "{dockerfile} のビルド {count} 件が {required} を渡し、Dockerfile はそれぞれを"
                "宣言して使っている",
                count=len(chosen.builds),
                dockerfile=chosen.dockerfile,
                required=", ".join(required),
            ),
            *evidence,
        )
    return outcome.with_parts(declared=declared_part)


def _not_in_target(label: str, dockerfile: str | None) -> str:
    return tr(
        "{label} builds {dockerfile}, which is not in the target",
        "{label} はターゲットにない {dockerfile} をビルドする",
        label=label,
        dockerfile=dockerfile or "",
    )


def _never_declared(label: str, name: str, dockerfile: str) -> str:
    return tr(
        "{label} passes {name}, which {dockerfile} never declares with ARG (BuildKit ignores it)",
        "{label} は {name} を渡すが、{dockerfile} はそれを ARG で宣言していない（BuildKit は"
        "無視する）",
        label=label,
        name=name,
        dockerfile=dockerfile,
    )
