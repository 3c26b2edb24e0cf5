"""Read the plugin's options from mkdocs.yml without MkDocs, for the command line.

mkdocs.yml may hold Python-specific tags (`!!python/name:...`) for Markdown extensions;
they are irrelevant here and never executed: an unknown tag reads as None.

The file is composed before it is built into data, so its size can be held against a
limit first: YAML aliases let a few lines stand for billions of values (a "billion
laughs"), which would never finish printing or copying; such a file, or one nested too
deeply to read, is refused with the line where it happens. The plugin's options are then
validated by `options.validate`, the table the MkDocs plugin validates against too.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from checklists.core.errors import SetupError
from checklists.core.options import Locate, validate

PLUGIN = "checklists"
MAX_NODES = 1_000_000  # values mkdocs.yml may stand for, aliases expanded
MAX_DEPTH = 200  # levels of nesting, well below what the YAML reader can recurse into


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads any unknown tag as None instead of failing or executing it,
    and never more than MAX_DEPTH levels deep."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_DEPTH:
            raise _TooDeepError(self.line + 1)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth


class _TooDeepError(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _ignore(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


def _environment(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """MkDocs' `!ENV NAME` and `!ENV [NAME, OTHER, default]` (the yaml_env_tag package):
    the first variable set, read as a YAML scalar; else the default, the list's last item."""
    default: object = None
    if isinstance(node, yaml.ScalarNode):
        names = [loader.construct_scalar(node)]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
        if len(children) > 1:
            default, children = loader.construct_object(children[-1]), children[:-1]
        names = [loader.construct_scalar(child) for child in children]
    else:
        return None
    for name in names:
        if name in os.environ:
            value = os.environ[name]
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
            return loader.construct_object(yaml.ScalarNode(tag, value))
    return default


_TolerantLoader.add_constructor("!ENV", _environment)
_TolerantLoader.add_multi_constructor("", _ignore)


def shown(config_file: Path) -> str:
    """The config file as a message names it: relative to the working folder if inside."""
    try:
        relative = os.path.relpath(config_file)
    except ValueError:  # another drive
        return str(config_file)
    return str(config_file) if relative.startswith("..") else relative


def compose(config_file: Path) -> yaml.Node | None:
    """The YAML node tree of the file, its size checked; SetupError, located, if it cannot
    be read, is not YAML, is nested too deeply or expands too far through aliases."""
    name = shown(config_file)
    try:
        text = config_file.read_text("utf-8")
    except OSError as error:
        raise SetupError(f"cannot read {name}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise SetupError(f"{name}: not UTF-8 text (byte {error.start + 1})") from error
    return _compose_text(text, name)


@functools.lru_cache(maxsize=8)  # `checklists check` reads mkdocs.yml's parts three times
def _compose_text(text: str, name: str) -> yaml.Node | None:
    loader = _TolerantLoader(text)
    try:
        node = loader.get_single_node()
    except _TooDeepError as error:
        raise SetupError(
            f"{name}:{error.line}: nested more than {MAX_DEPTH} levels deep; not read"
        ) from None
    except RecursionError:
        raise SetupError(f"{name}:{loader.line + 1}: nested too deeply to read") from None
    except yaml.YAMLError as error:
        raise SetupError(f"{name} is not valid YAML: {error}") from error
    finally:
        loader.dispose()
    if node is not None:
        blown = _expansion(node)
        if blown is not None:
            raise SetupError(
                f"{name}:{blown.start_mark.line + 1}: this value stands for more than "
                f"{MAX_NODES:,} values through YAML aliases (&anchor / *alias); not read"
            )
    return node


def check_size(config_file: Path) -> None:
    """SetupError, located, when the file stands for too many values through YAML aliases
    or is nested too deeply; nothing when it cannot be read (its reader says so)."""
    try:
        text = config_file.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if "&" in text and "*" in text:  # anchors and aliases; without them the size is the text's
        compose(config_file)


def _expansion(root: yaml.Node) -> yaml.Node | None:
    """The first node, top down, that expands to more than MAX_NODES values while none of
    its children does (where the aliases multiply); None when the whole tree is small.

    Each distinct node is sized once (aliases share their node), so this is cheap however
    far the document would expand.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()  # on the current path: an alias back to one is a cycle, size 1
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            total = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
            sizes[key] = min(total, MAX_NODES + 1)
            continue
        if key in sizes or key in active:
            continue
        active.add(key)
        stack.append((node, True))
        stack.extend(
            (c, False) for c in _children(node) if id(c) not in sizes and id(c) not in active
        )
    if sizes[id(root)] <= MAX_NODES:
        return None
    node = root
    while True:
        bigger = [child for child in _children(node) if sizes[id(child)] > MAX_NODES]
        if not bigger:
            return node
        node = bigger[0]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def construct(node: yaml.Node | None) -> object:
    """A composed node as data, with the tolerant loader (unknown tags read as None); None
    for an empty document."""
    if node is None:
        return None
    loader = _TolerantLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def site_options(config_file: Path) -> dict[str, Any]:
    """The whole mkdocs.yml as data; SetupError if it cannot be read."""
    document = construct(compose(config_file))
    if not isinstance(document, Mapping):
        raise SetupError(f"{shown(config_file)} is not a MkDocs configuration (not a mapping)")
    return dict(document)


def raw_plugin_options(document: Mapping[str, Any], config_file: Path) -> object:
    """What mkdocs.yml holds under the plugin (None: named with no options)."""
    plugins = document.get("plugins", [])
    if isinstance(plugins, Mapping) and PLUGIN in plugins:
        return plugins[PLUGIN]
    for entry in plugins if isinstance(plugins, list) else []:
        if entry == PLUGIN:
            return None
        if isinstance(entry, Mapping) and PLUGIN in entry:
            return entry[PLUGIN]
    raise SetupError(f"{shown(config_file)} does not enable the '{PLUGIN}' plugin")


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The `checklists` plugin's options from a mkdocs.yml, validated against the same
    table as the plugin's, with defaults filled in; SetupError if absent or invalid."""
    raw = raw_plugin_options(site_options(config_file), config_file)
    return validate(raw, locator(config_file))


def locator(config_file: Path, plugin: str = PLUGIN) -> Locate:
    """A function giving "mkdocs.yml:LINE" for a path below the plugin's options (the
    line of the deepest key found), or "mkdocs.yml" when the file says nothing of it."""
    name = shown(config_file)
    try:
        root = compose(config_file)
    except SetupError:
        root = None
    options = _plugin_node(root, plugin)

    def locate(path: tuple[str, ...]) -> str:
        node, line = options, (options.start_mark.line + 1 if options is not None else None)
        for key in path:
            found = _key(node, key)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        return f"{name}:{line}" if line else name

    return locate


def _key(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of `key` in a mapping node; the last one, as YAML readers
    keep the last of repeated keys."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for name, value in node.value:
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            found = name, value
    return found


def _plugin_node(root: yaml.Node | None, plugin: str) -> yaml.Node | None:
    found = _key(root, "plugins")
    plugins = found[1] if found else None
    entries = plugins.value if isinstance(plugins, yaml.SequenceNode) else [plugins]
    for entry in entries:
        inner = _key(entry, plugin)
        if inner is not None:
            return inner[1] if isinstance(inner[1], yaml.MappingNode) else inner[0]
        if isinstance(entry, yaml.ScalarNode) and entry.value == plugin:
            return entry
    return None
