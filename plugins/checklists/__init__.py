"""Executable checklists: bind Markdown checklist items to checks and render their verdicts.

The engine knows nothing of Docker or of MkDocs; `checklists.site.plugin` is the only module that
imports mkdocs. Checks and readers import what they use from here: `check`, `metric`,
`discoverer`, `Target`, `Outcome`, `Evidence`, `tr` (a message in English and Japanese),
`InputError` (a located problem of the target's input) and `decode_text`;
`tests/engine/test_public_api.py` pins the list. Programs beside the engine (`checklists
measure`) read a site and write their files with `plugin_options`, `site_bindings` and
`write_atomic` (`checklists.core.programs`). The readers' size limits
(`checklists.core.target.MAX_*`) are read from there.
"""

from checklists.core.errors import InputError, SetupError
from checklists.core.limits import Kind, Quantity
from checklists.core.message import Message, join, localize, quantity, tr
from checklists.core.model import Environment, Evidence, Outcome, Status
from checklists.core.programs import plugin_options, site_bindings, write_atomic
from checklists.core.registry import check, discoverer, metric
from checklists.core.target import Target, decode_text

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
    "plugin_options",
    "quantity",
    "site_bindings",
    "tr",
    "write_atomic",
]
