"""Metrics of image builds, read from measurement evidence."""
