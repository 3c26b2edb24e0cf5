"""Cloudflare Workers (Python) entry point, named by `main` in wrangler.toml.

Production serves the same FastAPI app as the Docker images, through the ASGI adapter of
the Workers runtime instead of uvicorn. This module is not part of any Docker image.
"""

import os

import asgi  # provided by the Workers Python runtime
from workers import WorkerEntrypoint  # provided by the Workers Python runtime

from src.config import Settings
from src.main import app


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        # Workers hand vars and secrets to the code as bindings on `self.env`, not as a
        # process environment. Copy the ones Settings reads, so that the app is configured
        # from environment variables exactly as it is under uvicorn.
        for field in Settings.model_fields:
            name = field.upper()
            value = getattr(self.env, name, None)
            if value is not None:
                os.environ[name] = str(value)
        return await asgi.fetch(app, request.js_object, self.env)
