"""Metrics of a built image, read from measurement evidence."""
