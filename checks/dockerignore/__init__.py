"""Checks that judge what a build context sends, by Docker's .dockerignore rules."""
