"""The plugin's checks on a thread while MkDocs renders: slots laid out before the results
exist land where the results would have put them, and the thread's run (or error) reaches
the build's thread."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import pytest

from checklists.core.engine import Settings, collect, finish, prepare
from checklists.core.errors import SetupError
from checklists.core.model import Evidence, Outcome, Status
from checklists.core.registry import Registry
from checklists.core.services import Service
from checklists.core.target import Target
from checklists.core.verdict import Policy, Verdict
from checklists.site import background, render
from tests.engine.conftest import DOC
from tests.engine.test_guide_code import PAGE, repository

LOG = logging.getLogger("t")
POLICY = Policy(today=dt.date(2026, 11, 28))

SERVICES_PAGE = """# Services

## Users

- [x] 非root <!-- check: dockerfile.non_root_user -->
- [x] HEALTHCHECK <!-- check: dockerfile.healthcheck -->
- [ ] not bound

| 項目 | 値 |
|---|---|
| ベース <!-- check: dockerfile.slim_base --> | slim |

### Shared <!-- check: dockerignore.excludes -->

text
"""


def services_target(tmp_path: Path) -> Path:
    root = tmp_path / "services"
    for name, user in (("api", ""), ("worker", "USER 10001\n")):
        (root / name).mkdir(parents=True)
        text = f'FROM python:3.13-slim\nHEALTHCHECK CMD true\n{user}CMD ["app"]\n'
        (root / name / "Dockerfile").write_text(text, "utf-8")
    return root


def assert_same_layout(pages: dict[str, str], settings: Settings) -> None:
    """Laid out from placeholders and bound afterwards == laid out from the results."""
    prepared = prepare(collect(pages), settings, LOG)
    run = finish(prepared)
    for page, text in pages.items():
        results = run.for_page(page, snippets=True)
        placeholders = prepared.placeholders(page)
        assert [p.item.slot for p in placeholders] == [r.item.slot for r in results]
        assert all(p.outcome is None for p in placeholders)  # nothing judged in them
        for collected in (True, False):  # the collected items, or the page scanned again
            early, slots = render.place_slots(text, page, placeholders, collected=collected)
            late, expected = render.place_slots(text, page, results, collected=collected)
            assert early == late
            assert render.bind_slots(slots, results) == expected


def test_slots_laid_out_early_get_the_results_of_code_blocks_and_sections(
    tmp_path: Path,
) -> None:
    settings = Settings(target=repository(tmp_path), policy=POLICY)
    assert_same_layout({"guide.md": PAGE}, settings)


def test_with_services_a_slot_gets_the_worst_services_result(tmp_path: Path) -> None:
    services = (Service("api", "api/Dockerfile"), Service("worker", "worker/Dockerfile"))
    settings = Settings(target=services_target(tmp_path), policy=POLICY, services=services)
    assert_same_layout({"s.md": SERVICES_PAGE}, settings)
    # and the binding placed once shows the failing service, not the first one
    prepared = prepare(collect({"s.md": SERVICES_PAGE}), settings, LOG)
    run = finish(prepared)
    _, slots = render.place_slots(SERVICES_PAGE, "s.md", prepared.placeholders("s.md"))
    bound = render.bind_slots(slots, run.for_page("s.md", snippets=True))
    shown = [
        r for r, role in bound.values()
        if role == "item" and r.item.check_id == "dockerfile.non_root_user"
    ]  # fmt: skip
    assert [r.item.service for r in shown] == ["api"]
    assert shown[0].verdict is Verdict.BROKEN


def waiting_registry(release: threading.Event) -> Registry:
    registry = Registry()

    def waits(target: Target) -> Outcome:
        if release.wait(5):
            return Outcome.passed("released", Evidence("the build's thread went on"))
        return Outcome.failed("the build's thread waited for the checks")

    waits.__doc__ = DOC.format(title="waits")
    registry.check("fake.waits")(waits)
    return registry


def test_the_build_goes_on_while_the_checks_run(tmp_path: Path) -> None:
    release = threading.Event()
    settings = Settings(target=tmp_path, policy=POLICY, isolate=False)
    items = collect({"p.md": "- [x] a <!-- check: fake.waits -->\n"})
    prepared = prepare(items, settings, LOG, waiting_registry(release))
    running = background.Background(prepared)  # returns while the check still waits
    release.set()
    run = running.result()
    assert [r.outcome.status for r in run.results if r.outcome] == [Status.PASS]
    assert running.result() is run  # asked again (on_serve, on_post_build): the same run


def test_an_error_of_the_thread_is_raised_on_the_builds_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(prepared: object) -> None:
        raise SetupError("the check package 'x' cannot be imported")

    monkeypatch.setattr(background, "finish", broken)
    settings = Settings(target=tmp_path, policy=POLICY)
    running = background.Background(prepare(collect({"p.md": "text\n"}), settings, LOG))
    for _ in range(2):  # every hook that asks sees it
        with pytest.raises(SetupError, match="cannot be imported"):
            running.result()
    running.wait()  # a later build waiting for this one does not raise
