"""Dependabot and Renovate config readers."""

from __future__ import annotations

import pytest

from checklists.core.errors import InputError
from checks.readers.updaters import (
    read_dependabot,
    read_renovate,
    read_renovate_package_json,
)

DEPENDABOT = b"""\
version: 2
updates:
  - package-ecosystem: docker
    directory: /backend
    schedule:
      interval: weekly
  - package-ecosystem: docker
    directories: ["/", "/services/*"]
    schedule:
      interval: cron
      cronjob: "0 6 1 * *"
    open-pull-requests-limit: 0
    ignore:
      - dependency-name: "python"
        update-types: ["version-update:semver-major"]
"""


def test_dependabot_updates() -> None:
    config = read_dependabot(DEPENDABOT)
    assert config.version == "2"
    first, second = config.updates
    assert (first.ecosystem, first.directories, first.interval, first.line) == (
        "docker",
        ("/backend",),
        "weekly",
        3,
    )
    assert first.schedule_line == 5
    assert second.directories == ("/", "/services/*")
    assert (second.interval, second.cronjob) == ("cron", "0 6 1 * *")
    assert second.open_pull_requests_limit == 0
    assert second.ignores[0]["dependency-name"] == "python"


def test_dependabot_rejects_a_non_list() -> None:
    with pytest.raises(InputError) as raised:
        read_dependabot(b"version: 2\nupdates: docker\n")
    assert raised.value.line == 2


def test_renovate_config() -> None:
    config = read_renovate(
        b"""{
  // comment
  extends: ["config:recommended", "docker:pinDigests"],
  enabledManagers: ["dockerfile", "pep621"],
  ignorePaths: ["**/legacy/**"],
  schedule: "before 6am on monday",
  dockerfile: {enabled: true, fileMatch: ["Containerfile\\\\.prod$"]},
  packageRules: [
    {matchManagers: ["dockerfile"], matchPackageNames: ["python"], enabled: false},
  ],
}"""
    )
    assert config.extends == ("config:recommended", "docker:pinDigests")
    assert config.enabled_managers == ("dockerfile", "pep621")
    assert config.ignore_paths == ("**/legacy/**",)
    assert config.include_paths is None
    assert config.schedule == ("before 6am on monday",)
    manager = config.managers["dockerfile"]
    assert (manager.enabled, manager.file_patterns, manager.line) == (
        True,
        ("Containerfile\\.prod$",),
        7,
    )
    (rule,) = config.package_rules
    assert rule.match_managers == ("dockerfile",)
    assert rule.other_conditions == ("matchPackageNames",)
    assert rule.enabled is False
    assert config.line_of("ignorePaths") == 5


def test_renovate_in_package_json() -> None:
    assert read_renovate_package_json(b'{"name": "x"}') is None
    config = read_renovate_package_json(b'{"name": "x", "renovate": {"extends": ["config:base"]}}')
    assert config is not None and config.extends == ("config:base",)


def test_renovate_must_be_an_object() -> None:
    with pytest.raises(InputError):
        read_renovate(b'["config:recommended"]')
