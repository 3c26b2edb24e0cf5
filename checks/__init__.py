"""The Docker check library: readers (parsers, no judgement) and one module per check.

Check modules live in area packages (`checks.dockerfile`, `checks.dockerignore`,
`checks.scan`); importing them registers their checks with the engine's registry.
"""
