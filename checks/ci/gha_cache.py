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
"""

from __future__ import annotations

import csv

from checklists import Evidence, Outcome, Target, check
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
    shown_from = build.at("cache-from").evidence(
        f"{build.label}: cache-from {list(build.cache_from)}"
    )
    shown_to = build.at("cache-to").evidence(f"{build.label}: cache-to {list(build.cache_to)}")
    evidence = [shown_from, shown_to]
    if build.cache_note:
        return f"{build.label}: {build.cache_note}", evidence, True
    whole = [*build.cache_from, *build.cache_to]
    if any(has_expression(e) and "=" not in e for e in whole):
        return f"{build.label}: the cache settings are an expression", evidence, True
    sources = [cache_entry(e) for e in build.cache_from]
    sinks = [cache_entry(e) for e in build.cache_to]
    gha_from = [s for s in sources if s.get("type") == "gha"]
    gha_to = [s for s in sinks if s.get("type") == "gha"]
    if not build.cache_from:
        return f"{build.label} has no cache-from", evidence, False
    if not gha_from:
        return f"{build.label} reads no type=gha cache", evidence, False
    scopes = {s["scope"] for s in gha_from if s.get("scope")}
    if not scopes:
        return (
            f"{build.label}: cache-from type=gha has no scope (it defaults to 'buildkit', "
            "shared by every image)",
            evidence,
            False,
        )
    if not build.cache_to:
        return f"{build.label} has no cache-to, so the cache is never written", evidence, False
    if not gha_to:
        return f"{build.label} writes no type=gha cache", evidence, False
    same_scope = [s for s in gha_to if s.get("scope") in scopes]
    if not same_scope:
        written = ", ".join(s.get("scope") or "buildkit (default)" for s in gha_to)
        return (
            f"{build.label}: cache-to scope {written} differs from cache-from scope "
            f"{', '.join(sorted(scopes))}",
            evidence,
            False,
        )
    if not any(s.get("mode") == "max" for s in same_scope):
        mode = same_scope[0].get("mode")
        why = f"mode={mode}" if mode else "no mode, so BuildKit's default mode=min applies"
        return (
            f"{build.label}: cache-to has {why}; only the final stage's layers are cached",
            evidence,
            False,
        )
    return None, evidence, False


def _publishing(builds: tuple[ImageBuild, ...]) -> list[ImageBuild]:
    return [b for b in builds if b.push.strip().lower() != "false"]


def _not_judged(items: list[ImageBuild] | tuple[Opaque, ...], why: str) -> list[Evidence]:
    return [item.place.evidence(f"not judged ({why}): {item.label}") for item in items]


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
                f"no build of {chosen.dockerfile} can be seen; "
                + "; ".join(dict.fromkeys(f"{o.label}: {o.reason}" for o in opaque[:3])),
                *(o.place.evidence(o.reason) for o in opaque),
            )
        return Outcome.failed(
            f"no workflow builds {chosen.dockerfile}, so no build uses the gha cache",
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
        reason = "; ".join(build.unresolved) or "its Dockerfile cannot be resolved"
        evidence.extend(e for e in shown)
        evidence.append(build.place.evidence(f"{build.label} might build it: {reason}"))
        if problem and not unresolved:
            candidate_failures.append(problem)
        else:
            candidate_passes += 1
    if publishing:
        evidence += _not_judged(
            [b for b in chosen.builds if b not in publishing], "it does not push the image"
        )
    evidence += _not_judged(tuple(opaque), "cannot be read")
    if failures:
        return Outcome.failed("; ".join(dict.fromkeys(failures)), *evidence)
    if not judged and candidate_failures and not candidate_passes and not opaque:
        return Outcome.failed(
            "every build that could build the image lacks a scoped gha cache: "
            + "; ".join(dict.fromkeys(candidate_failures)),
            *evidence,
        )
    if unknowns:
        return Outcome.unknown("; ".join(dict.fromkeys(unknowns)), *evidence)
    if not judged:
        return Outcome.unknown(
            f"no build provably builds {chosen.dockerfile}; the builds that might cannot be "
            "resolved statically",
            *evidence,
        )
    scopes = sorted({cache_entry(e).get("scope", "") for b in judged for e in b.cache_from} - {""})
    return Outcome.passed(
        f"{len(judged)} build(s) of {chosen.dockerfile} read and write the gha cache "
        f"(scope {', '.join(scopes)}, mode=max)",
        *evidence,
    )
