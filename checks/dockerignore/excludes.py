"""`.dockerignore` created: the build context leaves out what the image must not see.

What it checks:
    The build context of the Dockerfile (its folder, or the `context` parameter) has an
    ignore file — `<Dockerfile>.dockerignore` next to the Dockerfile, which BuildKit
    prefers, or `.dockerignore` at the context root — and, judged by Docker's own matching
    rules (moby/patternmatcher, not gitignore's), it excludes a sample path of every kind
    the guide lists: virtual environments (venv/, .venv/), tool caches (.pytest_cache,
    .mypy_cache, .ruff_cache) at the root and nested, `__pycache__` at any depth, tests/,
    scripts/, `.env` files, .git/, .github/, build/, dist/ and `*.egg-info` at the root
    and nested. The `paths` parameter replaces the sample list. Real files of the target
    that would still be sent and match one of these kinds are named too.

    The difference from gitignore matters: in `.dockerignore`, `__pycache__/` only
    matches at the context root, so `src/__pycache__/` is still sent; `**/__pycache__`
    matches at any depth.

Why it matters:
    Everything in the context is sent to the builder and can end up in the image through
    `COPY . .`: secrets in `.env`, the Git history, gigabytes of virtual environments.
    A small context also builds faster and keeps the layer cache stable.

How to fix:
    Add the missing patterns to the ignore file, with `**/` for things that appear at any
    depth, for example `**/__pycache__`, `**/.pytest_cache`, `**/*.egg-info`.
"""

from __future__ import annotations

from collections.abc import Sequence

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checks.common import context_of, ignore_file, relative_to

# One or more sample paths (relative to the context) for each kind the guide excludes.
GUIDE_PATHS: tuple[str, ...] = (
    "venv/bin/python",
    ".venv/bin/python",
    ".pytest_cache/v/cache/nodeids",
    "tests/.pytest_cache/v/cache/nodeids",
    ".mypy_cache/3.13/cache.db",
    "src/.mypy_cache/3.13/cache.db",
    ".ruff_cache/0.6.0/cache",
    "src/.ruff_cache/0.6.0/cache",
    "__pycache__/main.cpython-313.pyc",
    "src/__pycache__/main.cpython-313.pyc",
    "src/app/api/__pycache__/routes.cpython-313.pyc",
    "tests/test_health.py",
    "scripts/wait_for_db.sh",
    ".env",
    ".env.local",
    ".env.production",
    ".git/HEAD",
    ".github/workflows/ci.yml",
    "build/lib/app/main.py",
    "dist/app-0.1.0-py3-none-any.whl",
    "app.egg-info/PKG-INFO",
    "src/app.egg-info/PKG-INFO",
)
_UNWANTED_FOLDERS = frozenset(
    {"venv", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__", ".git"}
)
_UNWANTED_TOP = frozenset({".github", "tests", "scripts", "build", "dist"})
_ENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})


def _unwanted(path: str) -> bool:
    """Whether a real file of the target is of a kind the guide wants out of the context."""
    *folders, name = path.split("/")
    if folders and folders[0] in _UNWANTED_TOP:
        return True
    if any(f in _UNWANTED_FOLDERS or f.endswith(".egg-info") for f in folders):
        return True
    return (name == ".env" or name.startswith(".env.")) and name not in _ENV_TEMPLATES


@check("dockerignore.excludes", severity="medium", related=("checkov:CKV_DOCKER_*",))
def excludes(
    target: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    paths: Sequence[str] | None = None,
) -> Outcome:
    folder = context_of(dockerfile, context)
    ignore = ignore_file(target, dockerfile, folder)
    if ignore.path is None:
        return Outcome.failed(
            f"the build context {folder}/ has no .dockerignore",
            Evidence(f"looked for {dockerfile}.dockerignore and {folder}/.dockerignore"),
        )
    matcher = ignore.matcher
    samples = list(paths) if paths is not None else list(GUIDE_PATHS)
    real = [relative_to(folder, f) for f in target.files(folder)] if target.exists(folder) else []
    try:
        # BuildKit asks the matcher about every file of the context it sends, and Go compiles
        # a pattern only when one is asked about: a pattern it cannot compile (`[z-a]*`)
        # fails the build once any file reaches it, even if no sample path does.
        for path in real:
            if matcher.compiled:  # nothing left that could fail
                break
            matcher.matches(path)
        sent = [p for p in samples if not matcher.matches(p)]
        sent_real = [p for p in real if _unwanted(p) and not matcher.matches(p)]
    except InputError as error:
        raise error.with_path(ignore.path) from None
    evidence = [Evidence(f"{p} would be sent to the builder", path=ignore.path) for p in sent] + [
        Evidence(f"{folder}/{p} is in the target and would be sent", path=ignore.path)
        for p in sent_real
    ]
    if evidence:
        return Outcome.failed(
            f"{len(sent) + len(sent_real)} path(s) that the guide excludes would still be sent",
            *evidence,
        )
    excluded = []
    for sample in samples:
        pattern = matcher.deciding_pattern(sample)
        note = f"{sample} excluded by {pattern.raw!r}" if pattern else f"{sample} excluded"
        excluded.append(Evidence(note, path=ignore.path, line=pattern.line if pattern else None))
    return Outcome.passed(
        f"{ignore.path} excludes all {len(samples)} sample paths of the guide's list",
        *excluded,
    )
