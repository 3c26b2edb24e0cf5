"""Reading reports: every malformed or missing one is left out with its reason, never fatal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checklists.fleet import records
from tests.fleet.support import GUIDE, report, write

BACKENDS = ["py", "rs"]


def load(path: Path, root: Path, backend: str = "py") -> records.Report | records.Rejected:
    validate = records.validator("compliance.schema.json", backend)
    return records.load(records.Found(path, root), records.Guides(), None, validate)


def test_the_synthetic_report_is_what_the_engine_writes() -> None:
    problem = records.validator("compliance.schema.json", "py")(report(["verified"] * 4))
    assert problem is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_valid_report_becomes_a_compact_record(tmp_path: Path, backend: str) -> None:
    path = write(
        tmp_path / "acme__api",
        report(["verified", "broken", "unverified", "not_yet"]),
        repository="acme/api",
        generated="2026-11-28T20:44:00Z",
        teams=["payments"],
    )
    loaded = load(path, tmp_path, backend)
    assert isinstance(loaded, records.Report)
    assert loaded.repository == "acme/api"
    assert loaded.generated == dt.datetime(2026, 11, 28, 20, 44, tzinfo=dt.UTC)
    assert loaded.checks == "1.0+abc"
    assert loaded.teams == ("payments",)
    assert [records.VERDICTS[ord(c) - 97] for c in loaded.verdicts] == [
        "verified",
        "broken",
        "unverified",
        "not_yet",
    ]
    assert [records.OUTCOMES[ord(c) - 97] for c in loaded.outcomes] == [
        "pass",
        "fail",
        "unknown",
        "fail",
    ]
    assert loaded.fails == 1
    assert [c.check for c in loaded.guide.columns] == [g[0] for g in GUIDE]


def _broken_verdict() -> str:
    document = report(["verified"] * 4)
    document["items"][2]["verdict"] = "great"
    return json.dumps(document)


def _missing_items() -> str:
    document = report(["verified"] * 4)
    del document["items"]
    return json.dumps(document)


def _future_schema() -> str:
    document = report(["verified"] * 4)
    document["schema_version"] = 3  # 2 is the current version (services)
    return json.dumps(document)


MALFORMED = {
    "empty": ("", "is empty"),
    "not-json": ("{items: [", "is not valid JSON"),
    "truncated": (json.dumps(report(["verified"] * 4))[:-40], "is not valid JSON"),
    "nan": (
        json.dumps(report(["verified"] * 4)).replace('"quantity": null', '"quantity": NaN', 1),
        "NaN is not a JSON number",
    ),
    "deep": ("[" * 100_000 + "]" * 100_000, "is not valid JSON"),
    "array": ("[]", "(top level)"),
    "bad-verdict": (_broken_verdict(), "items/2/verdict"),
    "no-items": (_missing_items(), "items"),
    "future-schema": (_future_schema(), "schema_version"),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_report_is_left_out_with_the_reason(
    tmp_path: Path, case: str, backend: str
) -> None:
    text, reason = MALFORMED[case]
    path = write(tmp_path / "acme__api", text, repository="acme/api")
    rejected = load(path, tmp_path, backend)
    assert isinstance(rejected, records.Rejected), case
    assert reason in rejected.reason
    assert rejected.repository == "acme/api"
    assert rejected.path == str(path)


def test_bytes_that_are_not_utf8_are_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "compliance.json").write_bytes(b'{"a": "\xff"}')
    rejected = load(folder / "compliance.json", tmp_path)
    assert isinstance(rejected, records.Rejected)
    assert "not UTF-8" in rejected.reason


def test_an_oversized_report_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path / "x", report(["verified"] * 4))
    document, problem = records.read_json(path, limit=100)
    assert document is None
    assert problem is not None and "over the 100-byte limit" in problem


@pytest.mark.parametrize(
    ("meta", "reason"),
    [
        ("{", "compliance.meta.json: is not valid JSON"),
        (json.dumps({"schema_version": 1}), "repository"),
        (json.dumps({"schema_version": 1, "repository": "a", "extra": 1}), "extra"),
        (
            json.dumps({"schema_version": 1, "repository": "a", "generated": "yesterday"}),
            "not an ISO 8601",
        ),
        (
            json.dumps(
                {"schema_version": 1, "repository": "a", "generated": "2026-11-28T10:00:00"}
            ),
            "time zone",
        ),
    ],
)
def test_a_report_with_bad_provenance_is_left_out(tmp_path: Path, meta: str, reason: str) -> None:
    path = write(tmp_path / "acme", report(["verified"] * 4))
    (path.parent / "compliance.meta.json").write_text(meta, "utf-8")
    rejected = load(path, tmp_path)
    assert isinstance(rejected, records.Rejected)
    assert reason in rejected.reason


def test_folders_name_and_date_a_report_without_provenance(tmp_path: Path) -> None:
    dated = write(tmp_path / "acme__web" / "2026-11-21", report(["verified"] * 4))
    plain = write(tmp_path / "acme__db", report(["verified"] * 4))
    first, second = load(dated, tmp_path), load(plain, tmp_path)
    assert isinstance(first, records.Report) and isinstance(second, records.Report)
    assert (first.repository, first.day, first.checks) == ("acme__web", "2026-11-21", "unknown")
    assert (second.repository, second.generated) == ("acme__db", None)


def test_links_in_provenance_are_kept_only_when_they_are_web_addresses(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a",
        report(["verified"] * 4),
        repository="a",
        site="javascript:alert(1)",
        source="https://example.test/a/blob/abc/",
    )
    loaded = load(path, tmp_path)
    assert isinstance(loaded, records.Report)
    assert loaded.site is None
    assert loaded.source == "https://example.test/a/blob/abc/"


def test_discover_walks_folders_and_lists_what_does_not_exist(tmp_path: Path) -> None:
    write(tmp_path / "reports" / "b", report(["verified"] * 4))
    write(tmp_path / "reports" / "a" / "2026-11-01", report(["verified"] * 4))
    (tmp_path / "reports" / "c").mkdir()
    (tmp_path / "reports" / "c" / "scan-error.json").write_text("{}", "utf-8")
    (tmp_path / "reports" / "elsewhere").symlink_to(tmp_path / "reports" / "b")
    single = write(tmp_path / "one", report(["verified"] * 4))
    found, missing, errors = records.discover([tmp_path / "reports", single, tmp_path / "nowhere"])
    assert [f.path.relative_to(tmp_path).as_posix() for f in found] == [
        "reports/a/2026-11-01/compliance.json",
        "reports/b/compliance.json",
        "one/compliance.json",
    ]
    assert [m.path for m in missing] == [str(tmp_path / "nowhere")]
    assert missing[0].reason == "no such file or folder"
    assert [e.name for e in errors] == ["scan-error.json"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28", "2026-11-28T00:00:00+00:00"),
        ("2026-11-28T20:44:00Z", "2026-11-28T20:44:00+00:00"),
        ("2026-11-28T21:44:00+01:00", "2026-11-28T20:44:00+00:00"),
        ("20261128T204400Z", "2026-11-28T20:44:00+00:00"),
        ("2026-11-28_20-44-00", "2026-11-28T20:44:00+00:00"),
        ("2026-11-28T20:44:00", None),
        ("next week", None),
        ("2026-13-40", None),
    ],
)
def test_times_are_read_as_utc_or_not_at_all(text: str, expected: str | None) -> None:
    parsed = records.parse_time(text)
    assert (parsed.isoformat() if parsed else None) == expected


def test_reports_of_one_guide_share_their_claims(tmp_path: Path) -> None:
    guides = records.Guides()
    validate = records.validator()
    loaded = [
        records.load(
            records.Found(write(tmp_path / n, report(v)), tmp_path), guides, None, validate
        )
        for n, v in (("a", ["verified"] * 4), ("b", ["broken"] * 4))
    ]
    other = report(["verified"] * 4, text="A different claim")
    loaded.append(
        records.load(records.Found(write(tmp_path / "c", other), tmp_path), guides, None, validate)
    )
    a, b, c = loaded
    assert isinstance(a, records.Report) and isinstance(b, records.Report)
    assert isinstance(c, records.Report)
    assert a.guide is b.guide
    assert c.guide.fingerprint != a.guide.fingerprint
