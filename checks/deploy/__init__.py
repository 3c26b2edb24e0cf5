"""Checks of the production deployment: secrets, reverse proxy, logs, monitoring, backups."""
