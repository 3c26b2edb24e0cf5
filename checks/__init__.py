"""The Docker check library: readers (parsers, no judgement) and one module per check.

Check modules live in area packages (`checks.dockerfile`, `checks.dockerignore`,
`checks.scan`); importing them registers their checks with the engine's registry.
"""

# `checklists measure` (a command-line tool, no checks): not imported by builds.
__checklists_skip__ = ("measure",)

# The guide page this library's checks are bound in, and its configuration (package data):
# what `checklists check PATH` runs when PATH has no configuration of its own.
__checklists_guide__ = "guide/checklists.yml"
