"""Executable checklists: bind Markdown checklist items to checks and render their verdicts.

The engine knows nothing of Docker or of MkDocs; `checklists.plugin` is the only module that
imports mkdocs. Checks import `check`, `Outcome` and `Evidence` from here.
"""

from checklists.limits import Kind
from checklists.model import Environment, Evidence, Outcome, Status
from checklists.registry import check, metric
from checklists.target import Target

__all__ = ["Environment", "Evidence", "Kind", "Outcome", "Status", "Target", "check", "metric"]
