"""GitHub Actions cache: the backend image build reads and writes BuildKit's `gha` cache in full.

What it checks:
    Every step of the target's workflows (`.github/workflows/*.yml|yaml`) that builds the
    backend image — a `docker/build-push-action` step, a `docker/bake-action` step whose
    `set` overrides give the context or Dockerfile, or a `docker build` in `run:` — whose
    context (`context`, default `./backend`) or Dockerfile (`dockerfile`, default
    `./backend/Dockerfile`) is the backend's, paths compared normalised. Each must have:

    * a `cache-from` entry with `type=gha` and an explicit `scope=...`;
    * a `cache-to` entry with `type=gha`, the same scope and `mode=max`.

    The inputs are split the way docker/build-push-action splits them (one entry per line,
    CSV quoting, commas inside an entry kept), and each entry's attributes the way buildx
    parses them (comma-separated `key=value`; a bare value is `type=registry,ref=<value>`).
    A missing `mode` fails: BuildKit's gha exporter defaults to `mode=min`, which exports
    only the layers of the final stage, so the builder stage of a multi-stage build is
    never cached (docs.docker.com/build/cache/backends/gha). A missing scope fails too: it
    defaults to `buildkit`, which every image of the repository shares and overwrites. A
    scope written with an expression passes when cache-from and cache-to use the same text,
    since one step evaluates it once. A matrix job is judged per combination. A build that
    cannot be resolved statically (a matrix from an expression, a bake file, a reusable
    workflow in another repository) is named in the evidence; when it is the only
    candidate the result is unknown. No build of the backend at all fails.

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
from checks.ci._shared import BuildStep, builds, without_backend
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


def _judge(build: BuildStep) -> tuple[str | None, list[Evidence], bool]:
    """(problem or None, evidence, unresolved) for one build."""
    sources = [cache_entry(e) for e in build.cache_from]
    sinks = [cache_entry(e) for e in build.cache_to]
    shown_from = build.at(f"{build.label}: cache-from {list(build.cache_from)}", "cache-from")
    shown_to = build.at(f"{build.label}: cache-to {list(build.cache_to)}", "cache-to")
    evidence = [shown_from, shown_to]
    whole = [*build.cache_from, *build.cache_to]
    if any(has_expression(e) and "=" not in e for e in whole):
        return "the cache settings are an expression", evidence, True
    gha_from = [s for s in sources if s.get("type") == "gha"]
    gha_to = [s for s in sinks if s.get("type") == "gha"]
    if not build.cache_from:
        return f"{build.label} has no cache-from", [build.at("no cache-from")], False
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


@check("ci.gha_cache", severity="low", related=())
def gha_cache(
    target: Target, *, context: str = "./backend", dockerfile: str = "./backend/Dockerfile"
) -> Outcome:
    found = builds(target, context=context, dockerfile=dockerfile)
    missing = without_backend(found, context, dockerfile, "no step builds the backend")
    if missing is not None:
        return missing
    failures: list[str] = []
    unknowns: list[str] = []
    evidence: list[Evidence] = []
    for build in found.backend:
        problem, shown, unresolved = _judge(build)
        evidence.extend(shown)
        if problem:
            (unknowns if unresolved else failures).append(problem)
    skipped = [
        Evidence(f"not judged: {e.note}", e.path, e.line, e.excerpt) for e in found.unresolved
    ]
    if failures:
        return Outcome.failed("; ".join(failures), *evidence, *skipped)
    if unknowns:
        return Outcome.unknown("; ".join(unknowns), *evidence, *skipped)
    scopes = sorted(
        {cache_entry(e).get("scope", "") for b in found.backend for e in b.cache_from} - {""}
    )
    return Outcome.passed(
        f"{len(found.backend)} backend build(s) read and write the gha cache "
        f"(scope {', '.join(scopes)}, mode=max)",
        *evidence,
        *skipped,
    )
