"""The fleet model: latest report per repository, versions never mixed, trends carried forward."""

from __future__ import annotations

from pathlib import Path

from checklists.fleet import model, records
from tests.fleet.support import report, write

SEVERITIES = {"dockerfile.non_root_user": "high"}


def fleet_of(tmp_path: Path, expected: tuple[str, ...] = ()) -> model.Fleet:
    found, missing, errors = records.discover([tmp_path])
    loaded = records.Loaded(rejected=missing)
    guides = records.Guides()
    for item in found:
        result = records.load(item, guides)
        (loaded.reports if isinstance(result, records.Report) else loaded.rejected).append(result)  # type: ignore[arg-type]
    loaded.scan_errors = [records.read_scan_error(path, tmp_path) for path in errors]
    return model.build(loaded, SEVERITIES, expected)


def test_the_latest_report_of_each_repository_is_in_the_matrix(tmp_path: Path) -> None:
    write(tmp_path / "a1", report(["broken"] * 4), repository="a", generated="2026-11-01T00:00:00Z")
    write(
        tmp_path / "a2", report(["verified"] * 4), repository="a", generated="2026-11-08T00:00:00Z"
    )
    write(tmp_path / "b1", report(["broken"] * 4), repository="b", generated="2026-11-08T00:00:00Z")
    fleet = fleet_of(tmp_path)
    (group,) = fleet.groups
    assert [r.repository for r in group.latest] == ["a", "b"]
    assert fleet.latest("a").day == "2026-11-08"
    assert group.pass_rate(0) == (1, 2)
    assert group.reports == 3
    assert (group.first, group.last) == ("2026-11-01", "2026-11-08")


def test_reports_of_other_check_versions_are_never_counted_together(tmp_path: Path) -> None:
    write(
        tmp_path / "a",
        report(["verified"] * 4),
        repository="a",
        checks="1.0+aaa",
        generated="2026-11-08",
    )
    write(
        tmp_path / "b",
        report(["broken"] * 4),
        repository="b",
        checks="2.0+bbb",
        generated="2026-11-08",
    )
    write(
        tmp_path / "c", report(["broken"] * 4), repository="c", checks=None, generated="2026-11-01"
    )
    fleet = fleet_of(tmp_path)
    assert len(fleet.groups) == 3
    by_checks = {group.checks: group for group in fleet.groups}
    assert set(by_checks) == {"1.0+aaa", "2.0+bbb", "unknown"}
    assert by_checks["1.0+aaa"].pass_rate(0) == (1, 1)
    assert by_checks["2.0+bbb"].pass_rate(0) == (0, 1)
    assert "checks ?" in by_checks["unknown"].label
    # The newest versions come first; the undated-checks report is of its own version.
    assert fleet.groups[-1].checks == "unknown"


def test_a_waiver_or_a_moved_line_does_not_make_another_version(tmp_path: Path) -> None:
    waived = report(["verified"] * 4)
    waived["items"][1]["verdict"] = "waived"
    waived["items"][1]["waiver"] = {"reason": "vendor fix", "until": "2027-01-31", "by": None}
    for item in waived["items"]:
        item["line"] += 7
    write(tmp_path / "a", report(["verified"] * 4), repository="a")
    write(tmp_path / "b", waived, repository="b")
    (group,) = fleet_of(tmp_path).groups
    assert group.counts(1) == {"verified": 1, "waived": 1}


def test_a_changed_claim_is_another_version(tmp_path: Path) -> None:
    unticked = report(["verified"] * 4)
    unticked["items"][0]["claim"] = "unchecked"
    write(tmp_path / "a", report(["verified"] * 4), repository="a")
    write(tmp_path / "b", unticked, repository="b")
    assert len(fleet_of(tmp_path).groups) == 2


def test_two_reports_of_one_repository_and_date_keep_the_later_path(tmp_path: Path) -> None:
    write(tmp_path / "x1", report(["broken"] * 4), repository="a", generated="2026-11-08")
    write(tmp_path / "x2", report(["verified"] * 4), repository="a", generated="2026-11-08")
    fleet = fleet_of(tmp_path)
    assert fleet.latest("a").path.parent.name == "x2"
    (rejected,) = fleet.rejected
    assert rejected.path.endswith("x1/compliance.json")
    assert "same date" in rejected.reason


def test_the_trend_carries_each_repository_forward(tmp_path: Path) -> None:
    # Week 1: a breaks, b holds. Week 2: only a reports, now holding. Week 3: b breaks.
    write(tmp_path / "a1", report(["broken"] * 4), repository="a", generated="2026-11-01T09:00:00Z")
    write(
        tmp_path / "b1", report(["verified"] * 4), repository="b", generated="2026-11-01T10:00:00Z"
    )
    write(
        tmp_path / "a2", report(["verified"] * 4), repository="a", generated="2026-11-08T09:00:00Z"
    )
    write(tmp_path / "b3", report(["broken"] * 4), repository="b", generated="2026-11-15T09:00:00Z")
    (group,) = fleet_of(tmp_path).groups
    rates = [(p.day, p.members, p.passed[0], p.applicable[0]) for p in group.trend]
    assert rates == [
        ("2026-11-01", 2, 1, 2),
        ("2026-11-08", 2, 2, 2),
        ("2026-11-15", 2, 1, 2),
    ]


def test_a_repository_that_moves_to_a_new_version_leaves_the_old_trend(tmp_path: Path) -> None:
    write(
        tmp_path / "a1",
        report(["verified"] * 4),
        repository="a",
        checks="1",
        generated="2026-11-01",
    )
    write(
        tmp_path / "b1", report(["broken"] * 4), repository="b", checks="1", generated="2026-11-01"
    )
    write(
        tmp_path / "a2",
        report(["verified"] * 4),
        repository="a",
        checks="2",
        generated="2026-11-08",
    )
    fleet = fleet_of(tmp_path)
    old = next(g for g in fleet.groups if g.checks == "1")
    new = next(g for g in fleet.groups if g.checks == "2")
    assert [(p.day, p.members, p.passed[0]) for p in old.trend] == [
        ("2026-11-01", 2, 1),
        ("2026-11-08", 1, 0),
    ]
    assert [(p.day, p.members, p.passed[0]) for p in new.trend] == [("2026-11-08", 1, 1)]
    assert [r.repository for r in old.latest] == ["b"]


def test_not_applicable_is_left_out_of_the_pass_rate(tmp_path: Path) -> None:
    write(
        tmp_path / "a",
        report(["not_applicable", "verified", "error", "unverified"]),
        repository="a",
    )
    write(
        tmp_path / "b",
        report(["verified", "verified", "verified", "done_unticked"]),
        repository="b",
    )
    (group,) = fleet_of(tmp_path).groups
    assert [group.pass_rate(i) for i in range(4)] == [(1, 1), (2, 2), (1, 2), (1, 2)]


def test_missing_repositories_and_scan_failures_are_listed(tmp_path: Path) -> None:
    write(tmp_path / "a", report(["verified"] * 4), repository="a")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "scan-error.json").write_text(
        '{"repository": "c", "reason": "git clone failed: not found"}', "utf-8"
    )
    fleet = fleet_of(tmp_path, expected=("a", "b", "c"))
    assert [(m.repository, m.reason) for m in fleet.missing] == [
        ("b", "no report was found for this repository"),
        ("c", "git clone failed: not found"),
    ]


def test_undated_reports_are_counted_but_not_in_trends(tmp_path: Path) -> None:
    write(tmp_path / "a", report(["verified"] * 4), repository="a")
    write(tmp_path / "b", report(["broken"] * 4), repository="b", generated="2026-11-01")
    fleet = fleet_of(tmp_path)
    (group,) = fleet.groups
    assert fleet.undated == 1
    assert len(group.latest) == 2
    assert [p.members for p in group.trend] == [1]


def test_slugs_are_safe_and_unique_even_on_case_insensitive_disks() -> None:
    slugs = model.slugs_for(["acme/API", "acme/api", "../../etc", "a b<c>", "assets"])
    assert len({s.lower() for s in slugs.values()}) == 5
    for slug in slugs.values():
        assert "/" not in slug and not slug.startswith(".")
        assert all(c.isalnum() or c in "._-" for c in slug)
    assert slugs["acme/API"] == "acme__API"
