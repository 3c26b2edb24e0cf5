"""Hostile inputs: what the checks do with bombs, loops and implausible values (issue 14).

Each case copies a passing sample target from `tests/fixtures/checks/`, makes one input
hostile, and runs the checks that read it in a child process with a memory cap and a
wall-clock limit, as a user's CI would meet it. Every case must end in 検証不可 (`error`),
with a location where the input has one. The summary counts, per class:

- crash: the child died (a traceback, MemoryError, a signal) or a check raised
  (RecursionError and friends reach the engine as "the check ... failed with ...");
- oom: the child hit the memory cap (MemoryError or killed);
- hang: the child outlived the wall-clock limit;
- silent pass: a check said `pass` about an input it could not have judged;
- degraded: a check said `fail` or `unknown` (e.g. "missing") instead of `error`, or
  `error` for the wrong reason ("file not found" for a loop, a folder or a FIFO).

    .venv/bin/python bench/hostile.py [--cap-mb 3072] [--timeout 60] [--only NAME] [--out x.json]

A plain script, not a test (no timed tests); it writes its cases into a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from checklists.core.bindings import Item
from checklists.core.engine import apply_limit
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.runner import Task, resolve, run_one
from checklists.core.target import Target

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "checks"
ENV_PROD = {"name": "本番", "dockerfile": "Dockerfile", "context": ".", "image": "app:prod"}
DOCKERFILE_CHECKS = (
    "dockerfile.multi_stage",
    "dockerfile.non_root_user",
    "dockerfile.slim_base",
    "dockerfile.healthcheck",
    "dockerfile.cache_cleanup",
    "dockerfile.env_without_secrets",
)


@dataclass(frozen=True)
class Case:
    name: str
    base: str  # a fixture folder below tests/fixtures/checks
    checks: tuple[str, ...]
    make: Callable[[Path], None]
    environment: dict[str, str] | None = None
    limit: str | None = None
    params: dict[str, object] | None = None
    expect: str = "error"  # "judged": the real tool accepts the input, so pass or fail is right


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")


def replace_with(path: Path, make: Callable[[Path], None]) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)


def dockerfile(text: str) -> Callable[[Path], None]:
    return lambda root: write(root / "Dockerfile", text)


def arg_bomb(root: Path) -> None:
    lines = ["ARG A0=xxxxxxxxxx"]
    lines += [f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 41)]
    lines += ["FROM python:3.12-slim-${A40}", "USER 1000:1000", 'CMD ["python"]']
    write(root / "Dockerfile", "\n".join(lines) + "\n")


def env_flood(count: int) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        body = "".join(f"ENV VARIABLE_{i}=value_{i}\n" for i in range(count))
        write(root / "Dockerfile", f"FROM python:3.12-slim\n{body}USER 1000:1000\n")

    return make


def long_continuation(root: Path) -> None:
    body = "".join(f"    && echo line{i} something here \\\n" for i in range(90_000))
    write(
        root / "Dockerfile", f"FROM python:3.12-slim\nRUN true \\\n{body}    && true\nUSER 1000\n"
    )


def long_directive(root: Path) -> None:
    path = root / "Dockerfile"
    rest = path.read_text("utf-8").removeprefix("# syntax=docker/dockerfile:1\n")
    write(path, "# syntax=docker/dockerfile:1" + " " * 65_000 + "x\n" + rest)


def unclosed_expressions(root: Path) -> None:
    path = root / WORKFLOW
    text = path.read_text("utf-8")
    write(
        path,
        text
        + "      - run: docker buildx build --cache-to type=gha ./backend "
        + "${{" * 200_000
        + "\n",
    )


def unterminated_heredocs(root: Path) -> None:
    path = root / WORKFLOW
    body = "".join("          cat <<EOF\n" for _ in range(50_000))
    write(
        path, path.read_text("utf-8") + "      - run: |\n          docker build ./backend\n" + body
    )


def huge_comment(root: Path) -> None:
    write(root / "Dockerfile", "FROM python:3.12-slim\n" + "# x\n" * 3_000_000 + "USER 1000\n")


def link_out(name: str) -> Callable[[Path], None]:
    return lambda root: replace_with(root / name, lambda p: p.symlink_to("/etc/passwd"))


def link_loop(name: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        replace_with(root / name, lambda p: p.symlink_to(p.name))

    return make


def directory(name: str) -> Callable[[Path], None]:
    return lambda root: replace_with(root / name, lambda p: p.mkdir())


def fifo(name: str) -> Callable[[Path], None]:
    return lambda root: replace_with(root / name, os.mkfifo)


def compose(value: str, key: str = "cpus") -> Callable[[Path], None]:
    text = (
        "services:\n  backend:\n    build: ./backend\n"
        "    deploy:\n      resources:\n        limits:\n          memory: 256M\n"
        "          cpus: '0.5'\n"
    )
    if key == "cpus":
        text = text.replace("cpus: '0.5'", f"cpus: {value}")
    else:
        text = text.replace("memory: 256M", f"memory: {value}")
    return lambda root: write(root / "compose.yaml", text)


def deep_yaml(path: str, depth: int = 5_000) -> Callable[[Path], None]:
    return lambda root: write(root / path, "on: push\nx: " + "[" * depth + "]" * depth + "\n")


def laughs(path: str, prefix: str = "") -> Callable[[Path], None]:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return lambda root: write(root / path, prefix + "\n".join(lines) + "\nlast: *a9\n")


def compose_laughs(root: Path) -> None:
    lines = ["x-a0: &a0 {cpus: '0.5', memory: 256M}"]
    for i in range(1, 10):
        lines.append(f"x-a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    services = "services:\n  backend:\n    image: x\n    labels: *a9\n"
    write(root / "compose.yaml", "\n".join(lines) + "\n" + services)


def deep_json(path: str, depth: int = 100_000) -> Callable[[Path], None]:
    return lambda root: write(
        root / path, '{"SchemaVersion": 2, "x": ' + "[" * depth + "]" * depth + "}"
    )


def trivy_future(root: Path) -> None:
    report = root / "trivy-report.json"
    data = json.loads(report.read_text("utf-8"))
    data["CreatedAt"] = "2999-01-01T00:00:00Z"
    write(report, json.dumps(data))


def evidence(change: Callable[[dict[str, object]], None]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        folder = root / "reports" / "measurements"
        for path in folder.glob("*.json"):
            data = json.loads(path.read_text("utf-8"))
            change(data)
            write(path, json.dumps(data))

    return make


def _measurement(data: dict[str, object], metric: str) -> dict[str, object]:
    envs = data["environments"]
    assert isinstance(envs, list)
    found: dict[str, object] = envs[0]["measurements"][metric]
    return found


def set_field(metric: str, **fields: object) -> Callable[[dict[str, object]], None]:
    def change(data: dict[str, object]) -> None:
        _measurement(data, metric).update(fields)

    return change


def future_evidence(data: dict[str, object]) -> None:
    data["measured_at"] = "2999-01-01T00:00:00Z"


def nginx_deep(root: Path) -> None:
    text = "server {\n" + "location / {\n" * 3000 + "}\n" * 3000 + "}\n"
    write(root / "nginx" / "conf.d" / "api.conf", text)


def deep_folders(root: Path) -> None:
    # mkdir through a relative walk: absolute paths this deep exceed PATH_MAX
    base = os.open(root, os.O_RDONLY)
    try:
        fd = base
        for depth in range(1_500):
            name = "d" if depth else "deep"
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY, dir_fd=fd)
            if fd != base:
                os.close(fd)
            fd = new
        os.close(fd)
    finally:
        os.close(base)


def bad_ignore_pattern(root: Path) -> None:
    path = root / ".dockerignore"
    write(path, path.read_text("utf-8") + "[z-a]*\n")


def renovate_deep(root: Path) -> None:
    write(root / "renovate.json5", "{extends: " + "[" * 50_000 + "]" * 50_000 + "}")


MULTI = "dockerfile/multi_stage/pass/python-builder-runtime"
TRIVY = "scan/trivy_passed/pass/clean-report"
SIZE = "image/size/pass/measured-within-limit"
BUILD = "build/time_no_cache/pass/measured-within-limit"
LIMITS = "deploy/resource_limits/pass/deploy-resources-limits"
PROXY = "deploy/reverse_proxy/pass/conf-d-site-guide-example"
IGNORE = "dockerignore/excludes/pass/complete-python-dockerignore"
REDUCE = "context/reduction/pass/ignore-leaves-out-tests-and-docs"
CACHE = "ci/gha_cache/pass/guide-snippet"
UPDATES = "ci/base_image_updates/pass/dependabot-weekly"
RENOVATE = "ci/base_image_updates/pass/renovate-json5-with-comments"
WORKFLOW = ".github/workflows/backend-ci.yml"


def cases() -> list[Case]:
    d = DOCKERFILE_CHECKS
    size = {"environment": ENV_PROD, "limit": "< 250MB"}
    build = {"environment": ENV_PROD, "limit": "< 6分"}
    return [
        # -- bounded work
        Case("dockerfile-100k-env", MULTI, d, env_flood(100_000)),
        Case("dockerfile-1997-env-within-limit", MULTI, d, env_flood(1_997), expect="judged"),
        Case("dockerfile-arg-bomb", MULTI, d, arg_bomb),
        Case("dockerfile-12mb-comments", MULTI, d, huge_comment),
        # 3.5 MB, within the size limit: one RUN continued over 90,000 lines must be judged.
        Case("dockerfile-90k-line-run", MULTI, d, long_continuation, expect="judged"),
        # Regular expressions that backtrack hold the interpreter lock past any timeout.
        Case("dockerfile-64k-directive-line", MULTI, d, long_directive, expect="judged"),
        Case(
            "workflow-unterminated-heredocs",
            CACHE,
            ("ci.gha_cache",),
            unterminated_heredocs,
            expect="judged",
        ),
        Case(
            "workflow-unclosed-expressions",
            CACHE,
            ("ci.gha_cache",),
            unclosed_expressions,
            expect="judged",
        ),
        Case(
            "compose-deep-nesting", LIMITS, ("deploy.resource_limits",), deep_yaml("compose.yaml")
        ),
        Case("compose-billion-laughs", LIMITS, ("deploy.resource_limits",), compose_laughs),
        Case("workflow-deep-nesting", CACHE, ("ci.gha_cache",), deep_yaml(WORKFLOW)),
        Case("workflow-billion-laughs", CACHE, ("ci.gha_cache",), laughs(WORKFLOW, "on: push\n")),
        Case(
            "dependabot-billion-laughs",
            UPDATES,
            ("ci.base_image_updates",),
            laughs(".github/dependabot.yml", "version: 2\n"),
        ),
        Case("trivy-deep-nesting", TRIVY, ("scan.trivy_passed",), deep_json("trivy-report.json")),
        Case(
            "evidence-deep-nesting",
            SIZE,
            ("image.size",),
            deep_json("reports/measurements/measure-20261120T093000Z.json"),
            **size,
        ),
        Case("renovate-json5-deep", RENOVATE, ("ci.base_image_updates",), renovate_deep),
        Case("nginx-deep-blocks", PROXY, ("deploy.reverse_proxy",), nginx_deep),
        Case(
            "context-1500-deep-folders",
            REDUCE,
            ("context.reduction",),
            deep_folders,
            limit=">= 50%",
        ),
        Case("ignore-1500-deep-folders", IGNORE, ("dockerignore.excludes",), deep_folders),
        # -- unreadable inputs
        Case("dockerfile-symlink-out", MULTI, d, link_out("Dockerfile")),
        Case("dockerfile-symlink-loop", MULTI, d, link_loop("Dockerfile")),
        Case("dockerfile-directory", MULTI, d, directory("Dockerfile")),
        Case("dockerfile-fifo", MULTI, d, fifo("Dockerfile")),
        Case("trivy-symlink-out", TRIVY, ("scan.trivy_passed",), link_out("trivy-report.json")),
        Case("trivy-symlink-loop", TRIVY, ("scan.trivy_passed",), link_loop("trivy-report.json")),
        Case("trivy-directory", TRIVY, ("scan.trivy_passed",), directory("trivy-report.json")),
        Case("trivy-fifo", TRIVY, ("scan.trivy_passed",), fifo("trivy-report.json")),
        Case("compose-directory", LIMITS, ("deploy.resource_limits",), directory("compose.yaml")),
        Case(
            "compose-symlink-loop", LIMITS, ("deploy.resource_limits",), link_loop("compose.yaml")
        ),
        Case(
            "dockerignore-symlink-out",
            IGNORE,
            ("dockerignore.excludes",),
            link_out(".dockerignore"),
        ),
        Case("dockerignore-fifo", IGNORE, ("dockerignore.excludes",), fifo(".dockerignore")),
        Case(
            "dependabot-directory",
            UPDATES,
            ("ci.base_image_updates",),
            directory(".github/dependabot.yml"),
        ),
        # -- implausible values
        Case("compose-cpus-nan", LIMITS, ("deploy.resource_limits",), compose(".nan")),
        Case("compose-cpus-1e400", LIMITS, ("deploy.resource_limits",), compose("1e400")),
        Case("compose-cpus-negative", LIMITS, ("deploy.resource_limits",), compose("-2")),
        Case(
            "compose-memory-minus-one", LIMITS, ("deploy.resource_limits",), compose("-1", "memory")
        ),
        Case("trivy-created-2999", TRIVY, ("scan.trivy_passed",), trivy_future),
        Case("evidence-measured-2999", SIZE, ("image.size",), evidence(future_evidence), **size),
        Case(
            "size-unit-seconds",
            SIZE,
            ("image.size",),
            evidence(set_field("image.size", unit="s")),
            **size,
        ),
        Case(
            "size-negative",
            SIZE,
            ("image.size",),
            evidence(set_field("image.size", value=-5)),
            **size,
        ),
        Case(
            "size-nan",
            SIZE,
            ("image.size",),
            evidence(set_field("image.size", value=float("nan"))),
            **size,
        ),
        Case(
            "build-time-unit-mb",
            BUILD,
            ("build.time_no_cache",),
            evidence(set_field("build.time_no_cache", unit="MB")),
            **build,
        ),
        Case(
            "build-time-infinity",
            BUILD,
            ("build.time_no_cache",),
            evidence(set_field("build.time_no_cache", value=float("inf"))),
            **build,
        ),
        # -- files BuildKit or Docker refuse
        Case(
            "unknown-instruction",
            MULTI,
            d,
            dockerfile("FROM python:3.12-slim\nFOO bar\nUSER 1000\n"),
        ),
        Case(
            # BuildKit builds this (the DuplicateStageName lint only warns) ...
            "duplicate-stage-name",
            MULTI,
            d,
            dockerfile(
                "FROM python:3.12 AS build\nRUN true\nFROM python:3.12-slim AS build\nUSER 1000\n"
            ),
            expect="judged",
        ),
        Case(
            # ... and refuses it when lint warnings are errors.
            "duplicate-stage-name-check-error",
            MULTI,
            d,
            dockerfile(
                "# check=error=true\nFROM python:3.12 AS build\nRUN true\n"
                "FROM python:3.12-slim AS build\nUSER 1000\n"
            ),
        ),
        Case(
            "onbuild-onbuild",
            MULTI,
            d,
            dockerfile("FROM python:3.12-slim\nONBUILD ONBUILD RUN true\nUSER 1000\n"),
        ),
        Case(
            "onbuild-from",
            MULTI,
            d,
            dockerfile("FROM python:3.12-slim\nONBUILD FROM alpine\nUSER 1000\n"),
        ),
        Case(
            "onbuild-maintainer",
            MULTI,
            d,
            dockerfile("FROM python:3.12-slim\nONBUILD MAINTAINER me\nUSER 1000\n"),
        ),
        Case("dockerignore-bad-range", IGNORE, ("dockerignore.excludes",), bad_ignore_pattern),
    ]


# -- running ------------------------------------------------------------------------------


def run_child(case_name: str, root: Path) -> None:
    """In the child: run the case's checks as the samples test does; print JSON."""
    case = next(c for c in cases() if c.name == case_name)
    load_packages(["checks"])
    target = Target(root)
    results = {}
    for check_id in case.checks:
        spec = REGISTRY.get(check_id)
        assert spec is not None, check_id
        env = case.environment
        item = Item(
            "probe.md", 1, None, case.name, True, check_id, dict(case.params or {}),
            comment=(1, 0, 0), metric=spec.is_metric,
            environment=env["name"] if env else None,
        )  # fmt: skip
        task = resolve(item, REGISTRY, {}, {env["name"]: env} if env else {})
        assert isinstance(task, Task), task
        outcome = run_one(task, target, logging.getLogger("probe"))
        if spec.unit is not None:
            outcome = apply_limit(outcome, replace(item, limit=case.limit), spec.unit)
        where = [e.location for e in outcome.evidence if getattr(e, "location", None)]
        results[check_id] = {"status": outcome.status.value, "summary": outcome.summary[:300],
                             "where": where[:2]}  # fmt: skip
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"results": results, "maxrss_kb": usage.ru_maxrss}))


def remove(path: Path) -> None:
    # rm, not shutil.rmtree: the deep-folder cases are deeper than Python's recursion limit
    subprocess.run(["/bin/rm", "-rf", "--", str(path)], check=False)  # noqa: S603 - our own temp folder


def classify(results: dict[str, dict[str, str]], expect: str) -> str:
    statuses = {r["status"] for r in results.values()}
    if any("failed with" in r["summary"] for r in results.values()):
        return "crash"
    if expect == "judged":
        return "ok" if statuses <= {"pass", "fail", "unknown", "not_applicable"} else "false error"
    if "pass" in statuses:
        return "silent pass"
    if statuses - {"error"}:
        return "degraded"
    if any("not found" in r["summary"] for r in results.values()):
        return "degraded"  # 検証不可, but for the wrong reason: no case here is a missing file
    return "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cap-mb", type=int, default=3072, help="address-space cap per case")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--only", action="append", help="run only these cases")
    parser.add_argument("--out", help="also write the results as JSON")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child[0], Path(args.child[1]))
        return 0
    cap = args.cap_mb * 1024 * 1024

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    rows = []
    counts: dict[str, int] = {}
    tmp = tempfile.mkdtemp(prefix="hostile-")
    try:
        for case in cases():
            if args.only and case.name not in args.only:
                continue
            root = Path(tmp) / case.name
            shutil.copytree(FIXTURES / case.base, root, symlinks=True)
            (root / "case.yml").unlink(missing_ok=True)
            case.make(root)
            started = time.monotonic()
            # preexec_fn: the cap must bind the child only; this script starts no threads.
            child = subprocess.Popen(  # noqa: S603 - this script, run again as the child
                [sys.executable, __file__, "--child", case.name, str(root)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                preexec_fn=limit,  # noqa: PLW1509
            )  # fmt: skip
            try:
                out, err = child.communicate(timeout=args.timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
                kind, detail, rss = "hang", f"no exit within {args.timeout:g}s", None
            else:
                if child.returncode != 0:
                    oom = "MemoryError" in err or child.returncode in (-9, 137)
                    kind = "oom" if oom else "crash"
                    detail = (err.strip().splitlines() or [f"exit {child.returncode}"])[-1][:200]
                    rss = None
                else:
                    data = json.loads(out)
                    kind = classify(data["results"], case.expect)
                    first = next(iter(data["results"].values()))
                    detail = f"{first['status']}: {first['summary'][:160]}"
                    if first["where"]:
                        detail += f" @ {first['where'][0]}"
                    rss = data["maxrss_kb"]
            seconds = time.monotonic() - started
            counts[kind] = counts.get(kind, 0) + 1
            rows.append(
                {"case": case.name, "class": kind, "seconds": round(seconds, 2),
                 "maxrss_mb": round(rss / 1024, 1) if rss else None, "detail": detail}
            )  # fmt: skip
            shown = f"{rss / 1024:7.0f}MB" if rss else "      -  "
            print(f"{kind:12} {seconds:6.1f}s {shown}  {case.name:28} {detail}", flush=True)
            remove(root)
    finally:
        remove(Path(tmp))
    print(
        "\n" + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + f" ({len(rows)} cases)"
    )
    if args.out:
        Path(args.out).write_text(json.dumps({"counts": counts, "cases": rows}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
