"""Where the tests' own data lives. Everything a test reads is inside the repository."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
ORACLES = DATA / "oracles"
CORPUS = DATA / "corpus" / "real-repos"
# The author's original guide: docs/index.md is derived from it (see guide/README.md).
ORIGINAL_GUIDE = ROOT / "guide" / "docker-strategy.ja.md"
