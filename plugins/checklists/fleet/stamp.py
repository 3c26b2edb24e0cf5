"""Where a report comes from: `compliance.meta.json` beside a `compliance.json`.

compliance.json itself is reproducible (no clock, no machine in it). The fleet needs three
more facts about it, written beside it by whoever produced it: which repository it judges,
when it was produced (SOURCE_DATE_EPOCH when set, so a rebuild is dated like the original),
and which version of the check library judged, so reports of different versions are never
counted together. `checklists stamp` writes it in a repository's CI; `checklists scan`
writes it for every repository it checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from checklists.core.errors import SetupError
from checklists.core.files import write_atomic
from checklists.fleet.records import meta_path, read_json, validator, web_url
from checklists.reports import package_version


@cache
def checks_version(packages: tuple[str, ...] = ("checks",)) -> str:
    """The package version and a fingerprint of everything that decides a verdict: the
    engine's modules and every source and data file of the check packages. Two runs with
    the same fingerprint judged with the same code."""
    digest = hashlib.sha256()
    for name in ("checklists", *packages):
        try:
            package = importlib.import_module(name)
        except ImportError as error:
            raise SetupError(f"cannot import the check package {name!r}: {error}") from error
        for folder in getattr(package, "__path__", []):
            root = Path(folder)
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if path.suffix not in (".py", ".json") or "__pycache__" in relative.parts:
                    continue
                if name == "checklists" and (
                    relative.parts[0] == "fleet" or relative.parts[:2] == ("site", "assets")
                ):
                    continue  # the fleet and the site's assets decide no verdict
                digest.update(f"{name}/{relative.as_posix()}\0".encode())
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return f"{package_version()}+{digest.hexdigest()[:12]}"


def now() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set (a reproducible build is dated as the original)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def meta(
    repository: str,
    generated: dt.datetime,
    checks: str,
    *,
    teams: Sequence[str] = (),
    commit: str | None = None,
    site: str | None = None,
    source: str | None = None,
    run: str | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": 1,
        "repository": repository,
        "generated": generated.isoformat().replace("+00:00", "Z"),
        "checks": checks,
        "teams": list(dict.fromkeys(teams)),
    }
    for key, value in (("commit", commit), ("site", site), ("source", source), ("run", run)):
        if value:
            document[key] = value
    return document


def write_meta(report: Path, document: dict[str, Any]) -> Path:
    problem = validator("fleet-meta.schema.json")(document)
    if problem is not None:
        raise SetupError(f"the provenance of {report} is not valid: {problem}")
    path = meta_path(report)
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return path


def github_facts(report_target: str | None) -> dict[str, str]:
    """Repository, commit, run and source URL from GitHub Actions' environment, if set."""
    env = os.environ
    facts: dict[str, str] = {}
    repository = env.get("GITHUB_REPOSITORY")
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    if repository:
        facts["repository"] = repository
    if env.get("GITHUB_SHA"):
        facts["commit"] = env["GITHUB_SHA"]
        if repository:
            prefix = ""
            if (
                report_target
                and report_target not in (".", "")
                and not report_target.startswith(("/", ".."))
            ):
                prefix = report_target.strip("/") + "/"
            facts["source"] = f"{server}/{repository}/blob/{env['GITHUB_SHA']}/{prefix}"
    if repository and env.get("GITHUB_RUN_ID"):
        facts["run"] = f"{server}/{repository}/actions/runs/{env['GITHUB_RUN_ID']}"
    return facts


def stamp(
    report: Path,
    *,
    repository: str | None,
    teams: Sequence[str],
    packages: Sequence[str],
    site: str | None = None,
    source: str | None = None,
    commit: str | None = None,
) -> Path:
    """Write the provenance of a report produced by `checklists check` or `mkdocs build`."""
    document, problem = read_json(report)
    if problem is None:
        problem = validator()(document)
    if problem is not None:
        raise SetupError(f"{report} is not a compliance report: {problem}")
    assert isinstance(document, dict)
    facts = github_facts(document.get("target"))
    name = repository or facts.get("repository")
    if not name:
        raise SetupError("name the repository with --repository (GITHUB_REPOSITORY is not set)")
    for label, url in (("--site", site), ("--source", source)):
        if url and web_url(url) is None:
            raise SetupError(f"{label} must be an http(s) URL, not {url!r}")
    return write_meta(
        report,
        meta(
            name,
            now(),
            checks_version(tuple(packages)),
            teams=teams,
            commit=commit or facts.get("commit"),
            site=site,
            source=source or facts.get("source"),
            run=facts.get("run"),
        ),
    )
