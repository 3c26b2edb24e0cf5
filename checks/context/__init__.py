"""Metrics of the build context, computed from the target without a container engine."""
