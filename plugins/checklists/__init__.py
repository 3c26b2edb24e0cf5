"""Executable checklists: bind Markdown checklist items to checks and render their verdicts.

The engine knows nothing of Docker or of MkDocs; `checklists.plugin` is the only module that
imports mkdocs. Checks and readers import what they use from here: `check`, `metric`,
`discoverer`, `Target`, `Outcome`, `Evidence`, `tr` (a message in English and Japanese),
`InputError` (a located problem of the target's input) and `decode_text`;
`tests/engine/test_public_api.py` pins the list. The readers' size limits
(`checklists.target.MAX_*`) are read from there.
"""

from checklists.errors import InputError, SetupError
from checklists.limits import Kind, Quantity
from checklists.message import Message, join, localize, quantity, tr
from checklists.model import Environment, Evidence, Outcome, Status
from checklists.registry import check, discoverer, metric
from checklists.target import Target, decode_text

__all__ = [
    "Environment",
    "Evidence",
    "InputError",
    "Kind",
    "Message",
    "Outcome",
    "Quantity",
    "SetupError",
    "Status",
    "Target",
    "check",
    "decode_text",
    "discoverer",
    "join",
    "localize",
    "metric",
    "quantity",
    "tr",
]
