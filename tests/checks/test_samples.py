"""Every check against its sample targets, and the catalog rules that guard the library.

Samples live in `tests/fixtures/checks/<area>/<check>/<expected>/<case>/`, where `<area>.<check>`
is the check id and `<expected>` is the outcome status the check must return (`pass`, `fail`,
`unknown`, `error`). Each case folder is a small target repository. An optional `case.yml`
gives `params:` for the check and `summary:`, a text the outcome's summary must contain.
`environment:` ({name, dockerfile, context, image}) for metrics measured per environment, and
`limit:` (as a guide's table cell writes it) that a metric's reading is judged against.
Adding a case means adding a folder.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from checklists.core.bindings import Item
from checklists.core.engine import apply_limit
from checklists.core.message import unwrap
from checklists.core.model import Outcome, Status
from checklists.core.registry import REGISTRY, CheckSpec, load_packages
from checklists.core.runner import Task, resolve, run_one
from checklists.core.target import Target

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checks"
load_packages(["checks"])


def cases() -> list[Any]:
    found = []
    for case in sorted(FIXTURES.glob("*/*/*/*")):
        if case.is_dir():
            expected, check, area = case.parent.name, case.parent.parent.name, case.parents[2].name
            found.append(
                pytest.param(
                    f"{area}.{check}", expected, case, id=f"{area}.{check}/{expected}/{case.name}"
                )
            )
    return found


def spec_of(check_id: str) -> CheckSpec:
    spec = REGISTRY.get(check_id)
    assert spec is not None, f"no check {check_id!r} is registered for these samples"
    return spec


def run_case(check_id: str, case: Path) -> tuple[Outcome, dict[str, Any]]:
    """The outcome of the check on one sample target, as the engine gives it, and the case's
    `case.yml`."""
    meta = (
        yaml.safe_load((case / "case.yml").read_text("utf-8"))
        if (case / "case.yml").exists()
        else {}
    )
    meta = meta or {}
    env = meta.get("environment")
    item = Item(
        "sample.md",
        1,
        None,
        case.name,
        True,
        check_id,
        meta.get("params", {}),
        comment=(1, 0, 0),
        metric=spec_of(check_id).is_metric,
        environment=env["name"] if env else None,
    )
    task = resolve(item, REGISTRY, {}, {env["name"]: env} if env else {})
    assert isinstance(task, Task), task
    outcome = run_one(task, Target(case), logging.getLogger("samples"))
    unit = spec_of(check_id).unit
    if unit is not None:
        outcome = apply_limit(outcome, replace(item, limit=meta.get("limit")), unit)
    return outcome, meta


@pytest.mark.parametrize(("check_id", "expected", "case"), cases())
def test_sample(check_id: str, expected: str, case: Path) -> None:
    outcome, meta = run_case(check_id, case)
    assert outcome.status is Status(expected), (outcome.summary, outcome.evidence)
    assert outcome.evidence, "every outcome carries evidence"
    if "summary" in meta:
        assert meta["summary"] in outcome.summary


@pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda spec: spec.id)
def test_catalog_entry(spec: CheckSpec) -> None:
    area, name = spec.id.split(".", 1)
    assert spec.module == f"checks.{area}.{name}", "one module per check, named like its id"
    assert all((spec.title, spec.what, spec.why, spec.fix))
    folder = FIXTURES / area / name
    for expected in ("pass", "fail"):
        assert any((folder / expected).glob("*/")), (
            f"{spec.id} needs a {expected} sample in {folder / expected}"
        )


def test_the_library_has_the_first_checklist() -> None:
    ids = {spec.id for spec in REGISTRY}
    assert {
        "dockerfile.multi_stage",
        "dockerfile.non_root_user",
        "dockerfile.healthcheck",
        "dockerfile.env_without_secrets",
        "dockerignore.excludes",
        "scan.trivy_passed",
    } <= ids


def test_the_catalog_shows_every_check_with_its_prose_and_both_samples() -> None:
    from checklists.site import catalog

    pages = catalog.pages(REGISTRY, "ja", "checks", FIXTURES)
    english_pages = catalog.pages(REGISTRY, "en", "checks", FIXTURES)
    assert "checks/index.md" in pages
    for spec in REGISTRY:
        area = spec.id.split(".", 1)[0]
        page = pages[f"checks/{area}.md"].inline()
        prose = spec.prose("ja")  # the Japanese site shows the Japanese part of the docstring
        start = page.index(f"## {prose.title} {{#{catalog.anchor(spec)}}}")
        end = page.find("\n## ", start + 1)
        entry = page[start : end if end != -1 else len(page)]
        for needed in (
            "何を確認するか",
            "なぜ重要か",
            "修正方法",
            '=== "合格する例: ',
            '=== "不合格の例: ',
            unwrap(prose.what),
            unwrap(prose.fix),
        ):
            assert needed in entry, (spec.id, needed)
        # A break inside a Japanese paragraph would show as a space in the browser.
        assert not re.search(
            r"[\u3040-\u30ff\u4e00-\u9fff、。）]\n[ \t]*[\u3040-\u30ff\u4e00-\u9fff]",
            entry.split("**サンプル**")[0],  # the prose, not the samples' files
        )
        english = english_pages[f"checks/{area}.md"].inline()
        assert f"## {spec.title} {{#{catalog.anchor(spec)}}}" in english
        assert spec.what in english and prose.what not in english
        # The prose is rendered apart from the samples; code blocks or tabs in it would number
        # their ids (__codelineno-0-1, __tabbed_1_1) from the start again and clash.
        written = "\n".join((spec.what, spec.why, spec.fix, prose.what, prose.why, prose.fix))
        assert "```" not in written and "~~~" not in written and "\n===" not in written, spec.id


def test_catalog_samples_are_filled_into_the_finished_page_with_unique_tab_ids() -> None:
    import markdown

    from checklists.site import catalog

    pages = catalog.pages(REGISTRY, "en", "checks", FIXTURES)
    page = pages["checks/dockerfile.md"]
    assert len(page.samples) >= 2 and "=== " not in page.markdown  # tabs wait outside
    extensions = ["pymdownx.superfences", "pymdownx.tabbed", "pymdownx.highlight"]
    html = markdown.markdown(page.markdown, extensions=extensions)
    convert = catalog.converter(extensions, {"pymdownx.tabbed": {"alternate_style": True}})
    filled = page.fill(html, convert)
    assert "checklists-catalog:samples" not in filled
    ids = re.findall(r'id="(__tabbed_[0-9_]+)"', filled)
    assert len(ids) >= 4 and len(ids) == len(set(ids))  # pass and fail tabs per check
    assert catalog.fill(pages, "index.md", "<p>guide</p>", convert) == "<p>guide</p>"
    assert {spec.id for spec in catalog.load(["checks.dockerignore"])} == {"dockerignore.excludes"}
    with pytest.raises(ValueError, match="lost sample placeholders"):
        page.fill(html.replace("checklists-catalog:samples 1 ", "gone "), convert)
