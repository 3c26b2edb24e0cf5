"""Measurement evidence files for tests, in the shape `checklists measure` writes.

The values are test data, labelled as such in the host name; the real engine test in
tests/measure builds an image and checks the measure command's own numbers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

SAMPLE_HOST = "test-sample (not a real measurement)"


def evidence(
    dockerfile: bytes,
    environment: str,
    measurements: dict[str, dict[str, Any]],
    *,
    measured_at: str = "2026-11-20T09:30:00Z",
    dockerfile_path: str = "Dockerfile",
    context: str = ".",
) -> str:
    """A valid evidence document for one environment."""
    document = {
        "schema": "docker-guide/measurements",
        "schema_version": 1,
        "measured_at": measured_at,
        "tool": {"name": "checklists measure", "version": "0.1.0"},
        "host": {"hostname": SAMPLE_HOST, "system": "Linux", "machine": "x86_64"},
        "engine": {"name": "docker", "version": "28.2.2", "version_output": "Client: 28.2.2"},
        "target": {"commit": None, "dirty": None},
        "environments": [
            {
                "name": environment,
                "dockerfile": dockerfile_path,
                "context": context,
                "image": "sample:test",
                "dockerfile_sha256": hashlib.sha256(dockerfile).hexdigest(),
                "inputs_sha256": {},
                "measurements": measurements,
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def measured(value: float, unit: str) -> dict[str, Any]:
    return {
        "status": "measured",
        "value": value,
        "unit": unit,
        "command": ["docker"],
        "raw": str(value),
    }
