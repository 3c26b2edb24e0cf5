"""Tests for the Trivy JSON report reader (checks/readers/trivy.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checklists.core.errors import InputError
from checks.readers.trivy import Finding, TrivyReport, read_trivy_report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trivy"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def report_from(document: object) -> TrivyReport:
    return read_trivy_report(json.dumps(document, indent=2))


# --- the fixture files ---------------------------------------------------------------------


def test_clean_report_has_no_findings() -> None:
    report = read_trivy_report(fixture_text("clean.json"))

    assert report.schema_version == 2
    assert report.artifact_name == "registry.example.com/sample/api:1.4.2"
    assert report.artifact_type == "container_image"
    assert report.created_at == "2026-03-24T06:12:41.482215634Z"
    assert report.findings == ()
    assert report.count_by_severity() == {
        "CRITICAL": 0,
        "HIGH": 0,
        "MEDIUM": 0,
        "LOW": 0,
        "UNKNOWN": 0,
    }


def test_vulnerabilities_are_read_with_package_and_versions() -> None:
    report = read_trivy_report(fixture_text("high_low.json"))

    assert [(f.id, f.severity) for f in report.findings] == [
        ("CVE-2011-3374", "LOW"),
        ("CVE-2022-0563", "LOW"),
        ("CVE-2024-47874", "HIGH"),
    ]
    starlette = report.findings[2]
    assert starlette == Finding(
        kind="vulnerability",
        id="CVE-2024-47874",
        severity="HIGH",
        target="Python",
        title="starlette: Starlette Denial of service (DoS) via multipart/form-data",
        package="starlette",
        installed="0.38.6",
        fixed="0.40.0",
        status=None,
        line=None,
    )
    apt = report.findings[0]
    assert apt.target == "registry.example.com/sample/api:1.2.0 (debian 12.7)"
    assert apt.package == "apt"
    assert apt.installed == "2.6.1"
    assert apt.fixed is None  # Trivy leaves FixedVersion out for an unfixed vulnerability


def test_count_by_severity_for_vulnerabilities() -> None:
    report = read_trivy_report(fixture_text("high_low.json"))

    counts = report.count_by_severity()
    assert counts == {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 0, "LOW": 2, "UNKNOWN": 0}
    assert list(counts) == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
    assert report.count_by_severity(kinds=["secret"])["LOW"] == 0


def test_failed_misconfigurations_are_read_with_status_and_line() -> None:
    report = read_trivy_report(fixture_text("misconfig_fail.json"))

    assert report.artifact_type == "filesystem"
    assert [(f.kind, f.id, f.status, f.line) for f in report.findings] == [
        ("misconfiguration", "DS002", "FAIL", None),
        ("misconfiguration", "DS029", "FAIL", 4),
    ]
    assert report.findings[0].title == "Image user should not be 'root'"
    assert report.findings[0].target == "Dockerfile"
    assert report.findings[0].package is None
    assert report.count_by_severity()["HIGH"] == 2
    assert report.count_by_severity(kinds=("vulnerability",))["HIGH"] == 0


def test_corrupt_file_is_an_input_error_with_the_line() -> None:
    with pytest.raises(InputError) as caught:
        read_trivy_report(fixture_text("corrupt.json"))

    assert caught.value.line == 41  # the file ends inside an open list on line 40
    assert "not valid JSON" in caught.value.message


def test_schema_version_1_is_refused() -> None:
    with pytest.raises(InputError, match="unsupported SchemaVersion 1"):
        read_trivy_report(fixture_text("schema_v1.json"))


def test_bytes_are_read_like_text() -> None:
    raw = (FIXTURES / "high_low.json").read_bytes()

    assert read_trivy_report(raw) == read_trivy_report(raw.decode("utf-8"))
    assert read_trivy_report(b"\xef\xbb\xbf" + raw).findings == read_trivy_report(raw).findings


# --- clean reports as Trivy spells them ----------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {"SchemaVersion": 2, "ArtifactName": "alpine:3.20", "ArtifactType": "container_image"},
        {"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem", "Results": None},
        {"SchemaVersion": 2, "Results": []},
        {
            "SchemaVersion": 2,
            "Results": [
                {
                    "Target": "alpine:3.20 (alpine 3.20.3)",
                    "Class": "os-pkgs",
                    "Type": "alpine",
                    "Vulnerabilities": None,
                    "Misconfigurations": None,
                    "Secrets": None,
                }
            ],
        },
    ],
)
def test_missing_or_null_lists_mean_zero_findings(document: dict[str, object]) -> None:
    report = report_from(document)

    assert report.findings == ()
    assert sum(report.count_by_severity().values()) == 0


def test_optional_top_level_fields_may_be_absent() -> None:
    report = report_from({"SchemaVersion": 2})

    assert report.artifact_name is None
    assert report.artifact_type is None
    assert report.created_at is None


# --- misconfiguration status, IDs and secrets ----------------------------------------------


def misconfiguration(**fields: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "Type": "Dockerfile Security Check",
        "ID": "DS026",
        "AVDID": "AVD-DS-0026",
        "Title": "No HEALTHCHECK defined",
        "Severity": "LOW",
        "Status": "FAIL",
    }
    entry.update(fields)
    return {
        "SchemaVersion": 2,
        "Results": [{"Target": "Dockerfile", "Class": "config", "Misconfigurations": [entry]}],
    }


@pytest.mark.parametrize(("status", "counted"), [("FAIL", 1), ("PASS", 0), ("EXCEPTION", 0)])
def test_only_failed_checks_count(status: str, counted: int) -> None:
    report = report_from(misconfiguration(Status=status))

    assert report.findings[0].status == status
    assert report.count_by_severity()["LOW"] == counted


def test_misconfiguration_id_falls_back_to_avdid() -> None:
    report = report_from(misconfiguration(ID=None))

    assert report.findings[0].id == "AVD-DS-0026"


def test_newer_misconfiguration_without_avdid() -> None:
    document = misconfiguration(ID="DS-0026", CauseMetadata={"StartLine": 12, "EndLine": 12})
    entry = document["Results"][0]["Misconfigurations"][0]  # type: ignore[index]
    del entry["AVDID"]

    finding = report_from(document).findings[0]
    assert (finding.id, finding.line) == ("DS-0026", 12)


def test_secrets_are_read_with_rule_and_line() -> None:
    report = report_from(
        {
            "SchemaVersion": 2,
            "ArtifactType": "container_image",
            "Results": [
                {
                    "Target": "/app/settings.env",
                    "Class": "secret",
                    "Secrets": [
                        {
                            "RuleID": "aws-access-key-id",
                            "Category": "AWS",
                            "Severity": "CRITICAL",
                            "Title": "AWS Access Key ID",
                            "StartLine": 3,
                            "EndLine": 3,
                            "Match": "AWS_ACCESS_KEY_ID=********************",
                        }
                    ],
                }
            ],
        }
    )

    assert report.findings == (
        Finding(
            kind="secret",
            id="aws-access-key-id",
            severity="CRITICAL",
            target="/app/settings.env",
            title="AWS Access Key ID",
            package=None,
            installed=None,
            fixed=None,
            status=None,
            line=3,
        ),
    )
    assert report.count_by_severity(kinds=["secret"])["CRITICAL"] == 1
    assert report.count_by_severity(kinds=["vulnerability", "misconfiguration"])["CRITICAL"] == 0


def test_severity_is_upper_cased_and_missing_severity_is_unknown() -> None:
    vulnerability = {"VulnerabilityID": "CVE-2024-0001", "PkgName": "example", "Severity": "high"}
    unrated = {"VulnerabilityID": "CVE-2024-0002", "PkgName": "example"}
    report = report_from(
        {
            "SchemaVersion": 2,
            "Results": [{"Target": "Python", "Vulnerabilities": [vulnerability, unrated]}],
        }
    )

    assert [f.severity for f in report.findings] == ["HIGH", "UNKNOWN"]
    assert report.findings[1].title == ""


def test_unknown_kind_is_refused() -> None:
    report = report_from({"SchemaVersion": 2})

    with pytest.raises(ValueError, match="unknown finding kind"):
        report.count_by_severity(kinds=["license"])  # type: ignore[list-item]


# --- errors --------------------------------------------------------------------------------


def test_syntax_error_reports_its_line() -> None:
    # a comma is missing between the two results, at the start of line 5
    text = (
        '{\n  "SchemaVersion": 2,\n  "Results": [\n'
        '    {"Target": "Python"}\n    {"Target": "Node.js"}\n  ]\n}\n'
    )

    with pytest.raises(InputError) as caught:
        read_trivy_report(text)

    assert caught.value.line == 5
    assert str(caught.value).startswith("line 5: not valid JSON")


def test_error_takes_the_path_from_the_caller() -> None:
    with pytest.raises(InputError) as caught:
        read_trivy_report("[]")

    located = caught.value.with_path("trivy-report.json")
    assert located.path == "trivy-report.json"
    assert "before v0.20.0" in located.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"trivy"', "is an object; found a string"),
        ("{}", "no SchemaVersion"),
        ('{"SchemaVersion": "2"}', "SchemaVersion must be an integer"),
        ('{"SchemaVersion": true}', "SchemaVersion must be an integer"),
        ('{"SchemaVersion": 3}', "unsupported SchemaVersion 3"),
        ('{"SchemaVersion": 2, "Results": {}}', "Results is an object, not a list"),
        ('{"SchemaVersion": 2, "Results": ["Python"]}', "Results[0] is a string, not an object"),
        ('{"SchemaVersion": 2, "Results": [{"Class": "os-pkgs"}]}', "Results[0] has no Target"),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Python", "Vulnerabilities": {}}]}',
            "Results[0].Vulnerabilities is an object, not a list",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Python", "Vulnerabilities": [[]]}]}',
            "Results[0].Vulnerabilities[0] is a list, not an object",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Python",'
            ' "Vulnerabilities": [{"PkgName": "jinja2"}]}]}',
            "Results[0].Vulnerabilities[0] has no VulnerabilityID",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Python", "Vulnerabilities":'
            ' [{"VulnerabilityID": "CVE-2024-56201", "PkgName": "jinja2",'
            ' "Severity": "SEVERE"}]}]}',
            "Results[0].Vulnerabilities[0].Severity is 'SEVERE'",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Dockerfile",'
            ' "Misconfigurations": [{"ID": "DS002", "Severity": "HIGH"}]}]}',
            "Results[0].Misconfigurations[0] has no Status",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Dockerfile",'
            ' "Misconfigurations": [{"Severity": "HIGH", "Status": "FAIL"}]}]}',
            "has neither ID nor AVDID",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "Dockerfile", "Misconfigurations":'
            ' [{"ID": "DS002", "Severity": "HIGH", "Status": "FAILED"}]}]}',
            "Status is 'FAILED'",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": ".env",'
            ' "Secrets": [{"RuleID": "github-pat", "Severity": "CRITICAL", "StartLine": "5"}]}]}',
            "Results[0].Secrets[0].StartLine is a string, not a line number",
        ),
        ('{"SchemaVersion": 2, "ArtifactName": 7}', "ArtifactName is a number, not a string"),
    ],
)
def test_wrong_shapes_are_input_errors(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        read_trivy_report(text)

    assert expected in caught.value.message
    assert caught.value.line is None


def test_text_that_is_not_utf8_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        read_trivy_report(b'{"SchemaVersion": 2, "ArtifactName": "caf\xe9"}')
