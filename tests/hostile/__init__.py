"""Hostile repositories and bad input: generated cases run through the command line and
the build, each with the outcome it must give (issue 14)."""
