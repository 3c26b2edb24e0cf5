"""The Docker check library: readers (parsers, no judgement) and one module per check.

Check modules live in area packages (`checks.dockerfile`, `checks.dockerignore`,
`checks.scan`); importing them registers their checks with the engine's registry.
"""


def snippet_file(language: str, text: str) -> object:
    """How a ```language block of the guide becomes a file these checks read (see
    `checks.snippets`); imported when the guide binds one."""
    from checks.snippets import snippet_file as make  # noqa: PLC0415 - only when asked

    return make(language, text)


# The guide page this library's checks are bound in, and its configuration (package data):
# what `checklists check PATH` runs when PATH has no configuration of its own.
__checklists_guide__ = "guide/checklists.yml"
