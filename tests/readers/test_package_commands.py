"""apt, apk, pip and the dependency installers, parsed as each tool parses its options."""

from __future__ import annotations

import pytest

from checks.readers.package_commands import (
    AptCall,
    InstallScope,
    PipCall,
    apk_call,
    apt_bool,
    apt_call,
    dependency_install,
    pip_call,
)
from checks.readers.shell import Command, commands


def one(script: str) -> Command:
    return commands(script)[0]


def apt(script: str) -> AptCall:
    call = apt_call(one(script))
    assert call is not None
    return call


def pip(script: str) -> PipCall:
    call = pip_call(one(script))
    assert call is not None
    return call


@pytest.mark.parametrize(
    ("line", "recommends"),
    [
        ("apt-get install -y curl", None),
        ("apt-get install -y --no-install-recommends curl", False),
        ("apt-get install -y curl --no-install-recommends", False),
        ("apt-get -o APT::Install-Recommends=false install curl", False),
        ("apt-get install -oAPT::Install-Recommends=0 curl", False),
        ("apt-get install --option=apt::install-recommends=off curl", False),
        ("apt-get install --install-recommends=no curl", False),
        ("apt-get install --no-install-recommends --install-recommends curl", True),
        ("apt install -y --no-install-recommends git", False),
    ],
)
def test_apt_install_recommends(line: str, recommends: bool | None) -> None:
    call = apt(line)
    assert call.action == "install"
    assert call.install_recommends is recommends


def test_apt_action_after_valued_options_and_yes() -> None:
    call = apt("apt-get -o Dpkg::Options::=--force-confdef -qy install tzdata")
    assert call.action == "install" and call.arguments == ("tzdata",)
    assert call.assume_yes
    assert apt("apt-get -qq install x").assume_yes
    assert not apt("apt-get install x").assume_yes
    assert apt_call(one("aptitude install x")) is None


def test_apt_booleans() -> None:
    assert [apt_bool(v) for v in ("0", "No", "false", "without", "1", "ON", "maybe")] == [
        False,
        False,
        False,
        False,
        True,
        True,
        None,
    ]


def test_apk() -> None:
    call = apk_call(one("apk add --no-cache --virtual .build-deps gcc"))
    assert call is not None and call.action == "add" and call.no_cache
    assert call.arguments == ("gcc",)
    update_and_add = apk_call(one("apk -U add git"))
    assert update_and_add is not None and not update_and_add.no_cache


def test_pip_forms() -> None:
    for line in (
        "pip install -r requirements.txt",
        "pip3 install -r requirements.txt",
        "/opt/venv/bin/pip3.13 install -r requirements.txt",
        "python -m pip install -r requirements.txt",
        "python3 -u -m pip --disable-pip-version-check install -rrequirements.txt",
    ):
        call = pip(line)
        assert call.action == "install", line
        assert call.requirement_files == ("requirements.txt",), line
    assert pip("uv pip install --system -r requirements.txt").runner == "uv pip"
    assert pip_call(one("pipx install poetry")) is None
    assert pip_call(one("python app.py")) is None


def test_pip_no_cache_dir_prefixes() -> None:
    assert pip("pip install --no-cache x").long_option("no-cache-dir", 5)
    assert pip("pip --no-cache-dir install x").long_option("no-cache-dir", 5)
    assert not pip("pip install --no-c x").long_option("no-cache-dir", 5)
    assert not pip("pip install --no-color x").long_option("no-cache-dir", 5)


def test_pip_local_projects() -> None:
    assert pip('pip install -e ".[dev]"').local_projects == (".[dev]",)
    assert pip("pip install --prefix=/install .").local_projects == (".",)
    assert pip("pip install --target /deps uvicorn[standard]").local_projects == ()
    assert pip("pip install /wheels/app-1.0-py3-none-any.whl").local_projects


@pytest.mark.parametrize(
    ("line", "scope", "with_dependencies"),
    [
        ("pip install --no-cache-dir -r requirements.txt", InstallScope.DEPENDENCIES, True),
        ("pip install --no-cache-dir .", InstallScope.PROJECT, True),
        ("pip install --no-deps .", InstallScope.PROJECT, False),
        ("uv sync --frozen", InstallScope.PROJECT, True),
        ("uv sync --frozen --no-install-project", InstallScope.DEPENDENCIES, True),
        ("uv pip sync requirements.txt", InstallScope.DEPENDENCIES, True),
        ("poetry install --no-root", InstallScope.DEPENDENCIES, True),
        ("poetry install --only-root", InstallScope.PROJECT, False),
        ("npm ci --omit=dev", InstallScope.DEPENDENCIES, True),
        ("yarn --frozen-lockfile", InstallScope.DEPENDENCIES, True),
        ("pnpm install --frozen-lockfile", InstallScope.DEPENDENCIES, True),
        ("go mod download", InstallScope.DEPENDENCIES, True),
        ("bundle install", InstallScope.DEPENDENCIES, True),
    ],
)
def test_dependency_installs(line: str, scope: InstallScope, with_dependencies: bool) -> None:
    found = dependency_install(one(line))
    assert found is not None
    assert (found.scope, found.with_dependencies) == (scope, with_dependencies)


@pytest.mark.parametrize(
    "line",
    ["pip install --upgrade pip", "npm install -g pnpm", "npm run build", "go build ./..."],
)
def test_not_dependency_installs(line: str) -> None:
    assert dependency_install(one(line)) is None
