"""Application settings, read from environment variables only.

Nothing secret has a default here: `CLERK_SECRET_KEY` must come from the environment (an
untracked `.env` for local development, `wrangler secret put` on Cloudflare Workers), so a
missing secret stops the app at startup instead of running with a placeholder.
"""

from functools import lru_cache
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./autoforgenexus.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        # Environment variables only; no dotenv file is read by the app itself.
        # docker compose passes backend/.env through `env_file`.
        case_sensitive=False,
        extra="ignore",
    )

    app_env: Literal["development", "staging", "production"] = "development"
    debug: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Local development uses SQLite; staging and production use Turso (libSQL),
    # whose URL and token are Cloudflare secrets.
    database_url: str = DEFAULT_DATABASE_URL
    turso_auth_token: SecretStr | None = None

    redis_host: str = "localhost"
    redis_port: int = 6379

    # Clerk: required, no default committed.
    clerk_secret_key: SecretStr


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
