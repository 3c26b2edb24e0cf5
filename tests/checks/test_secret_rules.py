"""The secret rules shared by dockerfile.env_without_secrets and deploy.secrets_encrypted."""

from __future__ import annotations

import pytest

from checks.common import literal_secret, secret_name, secret_value


@pytest.mark.parametrize(
    "name",
    [
        *("API_KEY", "CLERK_SECRET_KEY", "GITHUB_TOKEN", "DB_PASSWORD", "AUTH", "apikey"),
        *("RSW_TESTUSER_PASSWD", "JENKINS_ADMIN_PSW", "DB_PWD", "SMTP_PASS"),
        *("TLS_KEY_PASSPHRASE", "PRIVATE_KEY", "SECRET_KEY_BASE", "AWS_SECRET_ACCESS_KEY"),
    ],
)
def test_secret_names(name: str) -> None:
    assert secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        *("MONKEY", "KEYBOARD_LAYOUT", "TOKENIZERS_PARALLELISM", "PUBLIC_KEY", "PWD", "OLDPWD"),
        *("PASSWORD_FILE", "TOKEN_TTL", "AUTH_USER", "SECRET_NAME", "DD_UWSGI_PASS"),
        *("NGINX_PROXY_PASS", "BYPASS", "AUTH_URL", "KEY_ID"),
    ],
)
def test_names_that_are_not_secrets(name: str) -> None:
    assert not secret_name(name)


@pytest.mark.parametrize(
    "value",
    [
        *("", "''", '""', "False", "true", "0", "$DB_PASSWORD", "${TOKEN:-}"),
        *("${{ secrets.API_KEY }}", "${DB_USER}:${DB_PASS}", "/run/secrets/db_password"),
        *("./secrets/key.pem", "https://auth.example.com/realms/app"),
        "postgres://app:${DB_PASSWORD}@db:5432/app",
    ],
)
def test_values_that_are_not_credentials(value: str) -> None:
    assert not literal_secret(value)


@pytest.mark.parametrize("value", ["rstudio", "hunter2", "'changeit'", "postgres://a:pw@db/x"])
def test_written_out_credentials(value: str) -> None:
    assert literal_secret(value)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("ghp_" + "a" * 36, "a GitHub token"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
        ("redis://default:s3cret@cache:6379/0", "a URL with a password"),
        ("postgres://app:${DB_PASSWORD}@db/app", None),
        ("https://example.com/path", None),
    ],
)
def test_token_formats(text: str, kind: str | None) -> None:
    assert secret_value(text) == kind
