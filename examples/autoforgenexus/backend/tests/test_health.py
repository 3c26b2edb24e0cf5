from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from src.config import get_settings
from src.main import app


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # A dummy value: the app only needs the variable to be present to start.
    monkeypatch.setenv("CLERK_SECRET_KEY", "test-only-not-a-real-key")
    get_settings.cache_clear()
    with TestClient(app) as test_client:  # runs the lifespan, which reads the settings
        yield test_client
    get_settings.cache_clear()


def test_health_returns_ok(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_settings_come_from_the_environment(client: TestClient) -> None:
    settings = app.state.settings

    assert settings.clerk_secret_key.get_secret_value() == "test-only-not-a-real-key"
    assert "test-only-not-a-real-key" not in repr(settings)
