"""Executable checklists: bind Markdown checklist items to checks and render their verdicts.

The engine knows nothing of Docker or of MkDocs; `checklists.plugin` is the only module that
imports mkdocs. Checks import `check`, `Outcome`, `Evidence` and `tr` (a message in English and
Japanese) from here.
"""

from checklists.limits import Kind
from checklists.message import Message, join, localize, quantity, tr
from checklists.model import Environment, Evidence, Outcome, Status
from checklists.registry import check, metric
from checklists.target import Target

__all__ = [
    "Environment",
    "Evidence",
    "Kind",
    "Message",
    "Outcome",
    "Status",
    "Target",
    "check",
    "join",
    "localize",
    "metric",
    "quantity",
    "tr",
]
