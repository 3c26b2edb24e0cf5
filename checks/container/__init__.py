"""Metrics of a running container, read from measurement evidence."""
