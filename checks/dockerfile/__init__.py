"""Checks that read a Dockerfile: stages, user, healthcheck, environment."""
