"""What `mkdocs serve` watches after a build, from what the build's checks read of the
target (no MkDocs here: `plugin.py` hands the folders to MkDocs' server)."""

from __future__ import annotations

from pathlib import Path

from checklists.core.engine import Run
from checklists.core.errors import InputError


# radon D: the probe kinds and the nesting of the watches are one rule; two small closures
def watched(run: Run) -> list[tuple[Path, bool]]:
    """What `mkdocs serve` watches so that an edit the checks would see rebuilds the site
    once: (folder, recursive) pairs, none inside another. A folder the checks listed is
    watched with everything below it; the folder of a file they read or looked for, alone.

    One watch per place: a file watched beside its folder sent one edit as two sets of
    events, the second often after the first rebuild had begun (a second rebuild)."""
    root = run.target.root

    def inside(rel: str) -> Path | None:  # a probe's path, if it stays in the target
        try:
            path = root / run.target.normalize(rel)
        except InputError:
            return None
        return path if path.resolve().is_relative_to(root) else None

    probed = [(kind, inside(rel)) for kind, rel in run.target.probed]
    recursive = {path for kind, path in probed if kind == "listing" and path and path.is_dir()}
    looked = {path for kind, path in probed if kind in ("exists", "content") and path}
    looked |= {path for rel in run.target.files_read if (path := inside(rel))}
    alone = {_existing(path.parent, root) if path != root else root for path in looked}
    alone -= recursive

    def covered(path: Path, by: set[Path]) -> bool:
        return any(parent in by for parent in path.parents)

    tops = {path for path in recursive if not covered(path, recursive)}
    folders = {path for path in alone if path.is_dir() and path not in tops}
    folders = {path for path in folders if not covered(path, tops)}
    return sorted([(path, True) for path in tops] + [(path, False) for path in folders])


def _existing(folder: Path, root: Path) -> Path:
    """The folder, or its nearest ancestor that exists (a file created there is seen)."""
    while folder != root and not folder.is_dir() and root in folder.parents:
        folder = folder.parent
    return folder
