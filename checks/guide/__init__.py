"""Checks of the guide's own text against the target: its commands, files and ports."""
