"""Checks of the CI/CD integration: the GitHub Actions workflows that build, scan and push
the image, and the automation that keeps its base image up to date."""
