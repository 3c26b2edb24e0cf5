"""What programs beside the engine (`checklists measure`, in `plugins/checklists_measure/`)
read of a site and write, exported from the public API so they need no engine internals.

Each function imports the module it needs when called: checks import `checklists`, and a
build must not pay for a program's YAML reader or page walker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plugin_options(config: Path) -> dict[str, Any]:
    """The `checklists` plugin's options in the site's mkdocs.yml, validated against the
    plugin's own table with its defaults filled in; SetupError (with the file and line)
    when the file or the options are not valid."""
    from checklists.core import siteconfig  # noqa: PLC0415 - only programs read a site here

    return siteconfig.plugin_options(config)


def site_bindings(config: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every binding on the pages of the site `config` (a mkdocs.yml) names, as (check id,
    parameters), in page order; the pages are read as `checklists check` reads them. A
    missing docs folder has none; SetupError when mkdocs.yml or a page cannot be read."""
    from checklists.core.bindings import scan  # noqa: PLC0415 - only programs read a site here
    from checklists.core.project import read_pages  # noqa: PLC0415
    from checklists.core.siteconfig import site_options  # noqa: PLC0415

    site = site_options(config.resolve())
    docs = config.resolve().parent / str(site.get("docs_dir") or "docs")
    pages = read_pages(docs, str(docs)) if docs.is_dir() else {}
    return [
        (item.check_id, dict(item.params))
        for page, text in sorted(pages.items())
        for item in scan(text, page)
        if item.check_id
    ]


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never half: a
    temporary file in the same folder, flushed to disk, renamed over `path`. Only a regular
    file or a new path is written; a failure is a SetupError naming the file."""
    from checklists.core.files import write_atomic as write  # noqa: PLC0415 - only programs write files

    write(path, text)
