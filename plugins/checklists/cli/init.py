"""`checklists init PATH`: a small, commented configuration from what discovery found.

Writes `PATH/.checklists.yml` naming each discovered service (Dockerfile, context, target)
and the guide's own defaults as comments, for a person to adjust; `--site DIR` also writes
a MkDocs site (mkdocs.yml and docs/index.md, the guide) aimed at PATH. Never overwrites a
file (`--force` does). Nothing here imports MkDocs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from checklists.core.errors import SetupError
from checklists.core.project import CONFIG_NAMES, packaged_project
from checklists.core.registry import REGISTRY, load_packages
from checklists.core.services import Discovered, Service
from checklists.core.target import Target

EXIT_OK = 0
Subparsers = argparse._SubParsersAction


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    init = subparsers.add_parser(
        "init",
        help="write a commented configuration (.checklists.yml) from the repository's services",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    init.add_argument("path", nargs="?", default=".", help="the repository (default: here)")
    init.add_argument("--site", metavar="DIR", help="also write a MkDocs site into DIR")
    init.add_argument("--force", action="store_true", help="overwrite files that exist")
    init.set_defaults(handler=run_init)


def _quoted(value: str) -> str:
    """A YAML scalar that reads back as the same string (JSON strings are YAML)."""
    plain = value.replace("-", "").replace("_", "").replace(".", "").replace("/", "")
    return value if plain.isalnum() and not value[0].isdigit() else json.dumps(value)


def configuration(discovered: Discovered | None) -> str:
    """The text of .checklists.yml for what was discovered (see the module docstring)."""
    lines = [
        "# checklists: the Docker guide's checks, aimed at this repository.",
        "# Run `checklists check` here; `checklists explain ID` shows what each check",
        "# receives and where each value comes from. Every key is checked: a typo is an error.",
        "",
    ]
    services: tuple[Service, ...] = discovered.services if discovered else ()
    if services:
        lines.append("# The images this repository ships, as discovery read them (edit freely).")
        lines.append("services:")
        for service in services:
            lines.append(f"  {_quoted(service.name)}:")
            if service.origin:
                lines.append(f"    # found at {service.origin}")
            lines.append(f"    dockerfile: {_quoted(service.dockerfile)}")
            context = service.context if service.context is not None else service.folder
            lines.append(f"    context: {_quoted(context)}")
            if service.target:
                lines.append(f"    target: {_quoted(service.target)}")
            if service.development:
                lines += [
                    "    environments:  # the guide's 開発 column: the development build",
                    f"      開発: {{dockerfile: {_quoted(service.development)}, "
                    f"context: {_quoted(service.folder)}}}",
                ]
    else:
        lines += [
            "# No Dockerfile or Containerfile that this repository builds was found.",
            "# Name your images here, or keep `discover` to look again at every run.",
            "services: discover",
        ]
    if discovered is not None and discovered.skipped:
        lines.append("# Found, but not services (test, development or package-builder files):")
        lines += [f"#   {path}: {why}" for path, why in discovered.skipped]
    lines += [
        "",
        "# Parameters for every check that declares them (a binding's own win).",
        "# defaults:",
        "#   trivy_report: reports/trivy.json   # trivy image --format json --output ...",
        "#   evidence: reports/measurements/*.json   # written by `checklists measure`",
        "#   required: [PYTHON_VERSION]   # build args every image build must pass",
        "",
        "# require_evidence: false   # true: a ticked item without evidence fails",
        "# target_url: https://github.com/OWNER/REPO/blob/main/   # links evidence to lines",
        "",
    ]
    return "\n".join(lines)


SITE = """\
site_name: Docker guide — {name}
docs_dir: docs
theme:
  name: material
  language: ja
  font: false
plugins:
  - search
  - checklists:
      # The repository, relative to this file; its .checklists.yml is not read here:
      # the services below are.
      target: {target}
      defaults:
        trivy_report: reports/trivy.json
        evidence: reports/measurements/*.json
        required: []
      environments:
        開発: development
        本番: service
      services: discover
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tasklist:
      custom_checkbox: true
"""


def _write(path: Path, text: str, *, force: bool) -> None:
    if path.exists() and not force:
        raise SetupError(f"{path} exists; not overwritten (use --force)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def run_init(args: argparse.Namespace) -> int:
    repository = Path(args.path).resolve()
    if not repository.is_dir():
        raise SetupError(f"the folder {args.path} does not exist")
    existing = [repository / n for n in CONFIG_NAMES if (repository / n).exists()]
    if existing and not args.force:
        raise SetupError(f"{existing[0]} exists; not overwritten (use --force)")
    load_packages(["checks"])
    discovered = REGISTRY.discover(Target(repository))
    _write(repository / CONFIG_NAMES[0], configuration(discovered), force=args.force)
    if args.site:
        site = Path(args.site).resolve()
        guide = packaged_project(["checks"]).pages
        target = os.path.relpath(repository, site)
        _write(
            site / "mkdocs.yml",
            SITE.format(name=repository.name, target=_quoted(target)),
            force=args.force,
        )
        (site / "docs").mkdir(parents=True, exist_ok=True)
        if (site / "docs" / "index.md").exists() and not args.force:
            raise SetupError(f"{site / 'docs' / 'index.md'} exists; not overwritten")
        shutil.copyfile(guide, site / "docs" / "index.md")
        print(f"wrote {site / 'docs' / 'index.md'} (the guide)", file=sys.stderr)
    shown = "" if args.path == "." else f" {args.path}"
    print(f"next: checklists check{shown}", file=sys.stderr)
    return EXIT_OK
