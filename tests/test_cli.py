"""The command line: the same verdicts and exit policy as the build, reports, the catalog."""

from __future__ import annotations

import filecmp
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema

from tests.paths import ROOT
from tests.test_site import copy_site


def cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checklists", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_check_prints_the_table_and_exits_0_on_the_default_site() -> None:
    result = cli("check")
    assert result.returncode == 0, result.stderr
    assert "index.md › Dockerfile 作成時" in result.stdout
    assert "検証済み" in result.stdout and "L458" not in result.stderr
    assert "checklists: evaluating" in result.stderr  # the progress line


def test_check_exits_1_on_a_broken_target_and_sarif_names_the_dockerfile(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text("utf-8").replace("USER appuser\n", ""), "utf-8")
    out = tmp_path / "report.sarif"
    result = cli("check", "--format", "sarif", "--output", str(out), cwd=root)
    assert result.returncode == 1, result.stderr
    log = json.loads(out.read_text("utf-8"))
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0.json").read_text("utf-8"))
    jsonschema.validate(log, schema)
    non_root = next(
        r for r in log["runs"][0]["results"] if r["ruleId"] == "dockerfile.non_root_user"
    )
    location = non_root["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "examples/autoforgenexus/backend/Dockerfile"
    assert location["region"]["startLine"] > 1


def test_usage_and_setup_errors_exit_2(tmp_path: Path) -> None:
    missing = cli("check", "--config", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    bad_target = cli("check", "--target", str(tmp_path / "nowhere"))
    assert bad_target.returncode == 2
    assert "does not exist" in bad_target.stderr
    assert cli("check", "--format", "pdf").returncode == 2


def test_list_and_explain_show_the_catalog() -> None:
    listing = cli("list")
    assert listing.returncode == 0
    assert "dockerfile.non_root_user" in listing.stdout and "image.size" in listing.stdout
    explained = cli("explain", "dockerfile.non_root_user", "--lang", "en")
    assert explained.returncode == 0
    for heading in ("What it checks:", "Why it matters:", "How to fix:", "parameters: dockerfile"):
        assert heading in explained.stdout
    # The site's language (ja) by default: the Japanese prose of the check.
    japanese = cli("explain", "dockerfile.non_root_user")
    for heading in ("何を確認するか:", "なぜ重要か:", "修正方法:", "パラメータ: dockerfile"):
        assert heading in japanese.stdout
    assert "非root" in japanese.stdout.splitlines()[0]
    assert cli("explain", "no.such_check").returncode == 2


def test_reports_are_byte_identical_with_source_date_epoch(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1764316800"}
    for name in ("one", "two"):
        result = cli(
            "check",
            "--quiet",
            "--format",
            "json",
            "--format",
            "junit",
            "--format",
            "sarif",
            "--format",
            "badges",
            "--output",
            str(tmp_path / name),
            env=env,
        )
        assert result.returncode == 0, result.stderr
    one, two = tmp_path / "one", tmp_path / "two"
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file())
    assert "compliance.sarif" in names and "badges/compliance.svg" in names
    match, mismatch, errors = filecmp.cmpfiles(one, two, names, shallow=False)
    assert (mismatch, errors) == ([], [])
    assert sorted(match) == names


def test_a_stale_waiver_warns_and_fails_only_strict(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    guide = root / "docs" / "index.md"
    text = guide.read_text("utf-8").replace(
        "<!-- check: dockerfile.multi_stage -->\n",
        "<!-- check: dockerfile.multi_stage waive: {reason: old, until: 2099-01-01} -->\n",
        1,
    )
    guide.write_text(text, "utf-8")
    relaxed = cli("check", "--quiet", cwd=root)
    assert relaxed.returncode == 0
    assert "the waiver is stale" in relaxed.stderr
    assert cli("check", "--quiet", "--strict", cwd=root).returncode == 1


def test_the_ci_example_publishes_what_the_build_writes(tmp_path: Path) -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "compliance.yml").read_text("utf-8"))
    steps = workflow["jobs"]["report"]["steps"]
    used = {step.get("uses", "").split("@")[0] for step in steps}
    assert {"github/codeql-action/upload-sarif", "actions/upload-pages-artifact"} <= used
    files = {
        str(step.get("with", {}).get(key))
        for step in steps
        for key in ("sarif_file", "report_paths", "path")
    }
    assert {"site/compliance.sarif", "site/compliance.junit.xml"} <= files
    setup = ("actions/setup-python", "actions/checkout")
    publishing = [s for s in steps if "with" in s and not s.get("uses", "").startswith(setup)]
    assert all(step.get("if", "").startswith("always()") for step in publishing)


def test_the_engines_subcommand_names_are_what_it_registers() -> None:
    # main() skips the libraries' entry points for these names, so they must be exact.
    from checklists.cli import commands
    from checklists.cli.main import parser

    action = next(a for a in parser(libraries=False)._actions if a.dest == "command")
    assert set(action.choices or ()) == commands.NAMES
    full = next(a for a in parser()._actions if a.dest == "command")
    libraries = {"measure", "aggregate", "scan", "stamp"}  # the checks' and the fleet's
    assert set(full.choices or ()) == commands.NAMES | libraries


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`checklists explain x | head -1`: the pipe closes before everything is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "checklists", "explain", "dockerfile.non_root_user"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in errors and "BrokenPipeError" not in errors


def test_a_report_is_never_written_over_a_device(tmp_path: Path) -> None:
    result = cli("check", "--quiet", "--format", "json", "--output", "/dev/full")
    assert result.returncode == 2
    assert result.stderr == (
        "checklists check: /dev/full is under /dev, not a place for a report "
        "(use a file path; `--output -` prints a single report)\n"
    )
    assert Path("/dev/full").is_char_device()
    printed = cli("check", "--quiet", "--format", "json", "--output", "-")
    assert printed.returncode == 0 and json.loads(printed.stdout)["schema_version"] == 2


def test_a_docs_page_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    (root / "docs" / "bad.md").write_bytes(b"# ok\n\n- [x] caf\xe9 <!-- check: a.b -->\n")
    result = cli("check", "--quiet", cwd=root)
    assert result.returncode == 2
    assert result.stderr == (
        "checklists check: docs/bad.md:3: not UTF-8 text (byte 16); save the page as UTF-8\n"
    )


def test_a_broken_claim_names_its_place_in_the_target_and_the_fix(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text("utf-8").replace("USER appuser\n", ""), "utf-8")
    result = cli("check", "--quiet", cwd=root)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    broken = [n for n, line in enumerate(lines) if "主張違反" in line and "non_root_user" in line]
    assert len(broken) == 2  # the section heading and the checklist item
    for number in broken:
        where, fix = lines[number + 1].strip(), lines[number + 2].strip()
        assert re.fullmatch(r"→ backend/Dockerfile:\d+", where), where
        assert fix.startswith("修正方法: 最終ステージで固定 ID の専用ユーザーを作り"), fix
        assert fix.endswith("(checklists explain dockerfile.non_root_user)"), fix
    # The guide's own code blocks are listed after the target's items, outside the figure.
    target_lines = lines[
        : lines.index("ガイド自身のコード例の点検（ターゲットの判定ではありません）")
    ]
    verified = sum(1 for line in target_lines if "検証済み" in line and line.startswith("  "))
    assert f"項目中 {verified} 検証済み" in result.stdout  # the same figure as the page
    # Without the table (a report format only), the same lines go to stderr.
    quiet = cli(
        "check", "--quiet", "--format", "json", "--output", str(tmp_path / "c.json"), cwd=root
    )
    assert quiet.returncode == 1
    assert re.search(r"→ backend/Dockerfile:\d+\n\s+修正方法: ", quiet.stderr), quiet.stderr


def test_a_reading_that_contradicts_the_texts_number_fails_without_the_waiver(
    tmp_path: Path,
) -> None:
    root = copy_site(tmp_path)
    page = root / "docs" / "index.md"
    text = page.read_text("utf-8")
    waived = re.search(r"<!-- metric: context\.reduction \{env: 本番\}( waive: \{.*?\}) -->", text)
    assert waived is not None
    page.write_text(text.replace(waived[1], ""), "utf-8")
    result = cli("check", "--quiet", cwd=root)
    assert result.returncode == 1, result.stderr
    row = next(line for line in result.stdout.splitlines() if "context.reduction" in line)
    assert row.lstrip().startswith("✗ 記載と矛盾"), row
    assert "13.3%: 本文の「約80%」と矛盾（60.0%–100.0% なら一致）" in row
    assert "→ backend/.dockerignore" in result.stdout
    english = cli("check", "--quiet", "--lang", "en", cwd=root)
    row = next(line for line in english.stdout.splitlines() if "context.reduction" in line)
    assert row.lstrip().startswith("✗ Contradicts the text"), row
    assert "contradicts the text's 約80% (60.0%–100.0% would agree)" in row


def test_a_malformed_target_file_is_named_in_the_sites_language(tmp_path: Path) -> None:
    """A reader's located error: Japanese by default on the Japanese site, English with
    --lang en, the place (file:line) first in both."""
    root = copy_site(tmp_path)
    dockerfile = root / "examples" / "autoforgenexus" / "backend" / "Dockerfile"
    text = dockerfile.read_text("utf-8")
    line = text[: text.index("USER appuser\n")].count("\n") + 1
    dockerfile.write_text(text.replace("USER appuser\n", "USR appuser\n"), "utf-8")
    japanese = cli("check", "--quiet", cwd=root)
    assert japanese.returncode == 1, japanese.stderr
    row = next(r for r in japanese.stdout.splitlines() if "dockerfile.non_root_user" in r)
    assert row.lstrip().startswith("✗ 検証不可"), row
    assert row.endswith(
        f"backend/Dockerfile:{line} は実際のツールが受け付けない入力です: "
        "BuildKit はこのファイルを受け付けない: 不明な命令: USR"
    ), row
    english = cli("check", "--quiet", "--lang", "en", cwd=root)
    row = next(r for r in english.stdout.splitlines() if "dockerfile.non_root_user" in r)
    assert row.lstrip().startswith("✗ Cannot verify"), row
    assert row.endswith(
        f"backend/Dockerfile:{line}: BuildKit would refuse this file: unknown instruction: USR"
    ), row
    # The reports speak the language they are asked for, with the same location.
    out = tmp_path / "report.sarif"
    cli("check", "--quiet", "--format", "sarif", "--output", str(out), cwd=root)
    messages = [
        r["message"]["text"] for r in json.loads(out.read_text("utf-8"))["runs"][0]["results"]
    ]
    assert any("BuildKit はこのファイルを受け付けない: 不明な命令: USR" in m for m in messages)
