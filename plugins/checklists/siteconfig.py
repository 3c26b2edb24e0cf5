"""Read the plugin's options from mkdocs.yml without MkDocs, for the command line.

mkdocs.yml may hold Python-specific tags (`!!python/name:...`) for Markdown extensions;
they are irrelevant here and never executed: an unknown tag reads as None.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from checklists.errors import SetupError

PLUGIN = "checklists"


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads any unknown tag as None instead of failing or executing it."""


def _ignore(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("", _ignore)


def site_options(config_file: Path) -> dict[str, Any]:
    """The whole mkdocs.yml as data; SetupError if it cannot be read."""
    try:
        document = yaml.load(config_file.read_text("utf-8"), Loader=_TolerantLoader)  # noqa: S506 - unknown tags read as None
    except OSError as error:
        raise SetupError(f"cannot read {config_file}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise SetupError(f"{config_file} is not valid YAML: {error}") from error
    if not isinstance(document, Mapping):
        raise SetupError(f"{config_file} is not a MkDocs configuration (not a mapping)")
    return dict(document)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The `checklists` plugin's options from a mkdocs.yml; SetupError if absent."""
    document = site_options(config_file)
    plugins = document.get("plugins", []) if isinstance(document, Mapping) else []
    for entry in plugins or []:
        if entry == PLUGIN:
            return {}
        if isinstance(entry, Mapping) and PLUGIN in entry:
            return dict(entry[PLUGIN] or {})
    if isinstance(plugins, Mapping) and PLUGIN in plugins:
        return dict(plugins[PLUGIN] or {})
    raise SetupError(f"{config_file} does not enable the '{PLUGIN}' plugin")
