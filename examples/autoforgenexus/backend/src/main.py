"""FastAPI application: `uvicorn src.main:app` (Docker) or `worker.py` (Cloudflare Workers)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from src import __version__
from src.config import get_settings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Read the environment once at startup: a missing required variable (such as
    # CLERK_SECRET_KEY) fails here, before the first request is served.
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    app.state.settings = settings
    logger.info("AutoForgeNexus API %s starting (APP_ENV=%s)", __version__, settings.app_env)
    yield


app = FastAPI(title="AutoForgeNexus API", version=__version__, lifespan=lifespan)


@app.get("/health", tags=["health"])
async def health() -> dict[str, str]:
    """Liveness probe used by the Docker HEALTHCHECK."""
    return {"status": "ok"}
