"""The plugin's options: one table, the same messages from the plugin and the command line,
located in mkdocs.yml; YAML that would never finish is refused with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError

from checklists.core.bindings import scan
from checklists.core.engine import settings_from_options
from checklists.core.errors import SetupError
from checklists.core.options import OPTIONS, OptionsError, defaults, validate
from checklists.core.siteconfig import plugin_options, site_options
from checklists.site.plugin import ChecklistsConfig, ChecklistsPlugin

SITE = """\
site_name: t
plugins:
  - checklists:
{options}
"""


@pytest.fixture(autouse=True)
def _in_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name mkdocs.yml as the user would: relative


def site(tmp_path: Path, options: str, head: str = "") -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "target").mkdir(exist_ok=True)
    config = tmp_path / "mkdocs.yml"
    indented = "\n".join(f"      {line}" for line in options.splitlines())
    config.write_text(head + SITE.format(options=indented), "utf-8")
    return config


def problems(config: Path) -> list[str]:
    with pytest.raises(OptionsError) as caught:
        plugin_options(config)
    return caught.value.problems


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("tiemout: 5", "unknown option `tiemout`; did you mean `timeout`?"),
        ("timeout: abc", "`timeout` must be a number of seconds greater than 0, not the string"),
        ("timeout: 0", "`timeout` must be a number of seconds greater than 0, not the number 0"),
        ("timeout: .nan", "`timeout` must be a number of seconds greater than 0"),
        ("timeout: true", "`timeout` must be a number of seconds greater than 0, not true"),
        ("workers: x", "`workers` must be a whole number from 1 to 256, not the string 'x'"),
        ("workers: 2.5", "`workers` must be a whole number from 1 to 256, not the number 2.5"),
        ("enabled: 'false'", "`enabled` must be true or false, not the string 'false' (write it"),
        ("require_bindings: 'no'", "`require_bindings` must be true or false, not the string 'no'"),
        ("target: [a, b]", "`target` must be a path (a non-empty string), not a list"),
        ("defaults: abc", "`defaults` must be a mapping of parameter names to values, not the"),
        ("environments: [a, b]", "`environments` must be a mapping of column names to builds"),
        (
            "environments: {dev: x}",
            "`environments.dev` must be a mapping (a build with a `dockerfile`)",
        ),
        ("reports: {pdf: out.pdf}", "`reports` has an unknown report format `pdf`"),
        ("reports: {jsno: out.json}", "did you mean `json`?"),
        ("reports: out.json", "`reports` must be a mapping of report formats"),
        ("target_url: 'javascript:alert(1)'", "`target_url` must be an http:// or https:// URL"),
        ("target_url: //evil.example/", "`target_url` must be an http:// or https:// URL"),
        ("report_page: ../../etc/passwd.md", "`report_page` must be a Markdown page inside"),
        ("checks: checks", "`checks` must be a list of names (strings), not the string"),
        ("catalog: checks", "`catalog` moved: the catalog is the 'checklists-catalog' plugin"),
    ],
)
def test_each_wrong_option_is_located_and_named(tmp_path: Path, option: str, message: str) -> None:
    config = site(tmp_path, f"target: target\n{option}")
    (problem,) = problems(config)
    assert problem.startswith("mkdocs.yml:5: "), problem
    assert message in problem


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    config = site(tmp_path, "workers: x\ntarget: target\ntiemout: 5\nreports:\n  pdf: x.pdf")
    assert [p.split(": ", 1)[0] for p in problems(config)] == [
        "mkdocs.yml:4",
        "mkdocs.yml:6",
        "mkdocs.yml:8",  # the line of the format inside `reports`
    ]


def test_valid_options_get_the_tables_defaults(tmp_path: Path) -> None:
    options = plugin_options(site(tmp_path, "target: target\ntimeout: 5"))
    assert options == {**defaults(), "target": "target", "timeout": 5.0}
    assert validate(options) == options  # validating what was validated changes nothing


def test_the_plugin_names_exactly_the_tables_options() -> None:
    schema = {name for name, _ in ChecklistsConfig._schema}
    assert schema == {option.name for option in OPTIONS if option.help}


def test_the_build_fails_with_the_messages_the_command_line_gives(tmp_path: Path) -> None:
    config = site(tmp_path, "target: target\nenabled: 'false'\ntiemout: 5\nworkers: x")
    with pytest.raises(SetupError) as cli:
        plugin_options(config)
    mkdocs_config = load_config(str(config))  # unknown names: no MkDocs warning either
    plugin = mkdocs_config.plugins["checklists"]
    assert isinstance(plugin, ChecklistsPlugin)
    with pytest.raises(PluginError) as build:
        plugin.on_config(mkdocs_config)
    assert str(build.value) == f"checklists: {cli.value}"


def test_settings_refuse_what_the_table_refuses(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match="`timeout` must be a number"):
        settings_from_options({"timeout": "abc"}, tmp_path, dt.date(2026, 1, 1))


BOMB = "".join(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9))


def test_a_billion_laughs_in_mkdocs_yml_is_refused_with_its_line(tmp_path: Path) -> None:
    head = "extra:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + BOMB
    config = site(tmp_path, "target: target", head=head)
    with pytest.raises(SetupError, match=r"mkdocs.yml:7: this value stands for more than"):
        site_options(config)
    with pytest.raises(Abort, match=r"mkdocs.yml:7: this value stands for more than"):
        load_config(str(config))  # before MkDocs prints every value, which never ends


def test_a_bomb_in_the_plugins_options_is_refused(tmp_path: Path) -> None:
    """Fewer values than the file limit, but more than the options may hold."""
    bomb = "".join(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 5))
    options = "target: target\ndefaults:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + bomb
    (problem,) = problems(site(tmp_path, options))
    assert (
        problem == "mkdocs.yml:5: `defaults` holds more than 100,000 values (YAML aliases expanded)"
    )


def test_deep_nesting_and_cycles_end_in_a_located_error(tmp_path: Path) -> None:
    config = site(tmp_path, "target: target\ndefaults: {deep: " + "[" * 400 + "]" * 400 + "}")
    with pytest.raises(SetupError, match=r"^mkdocs.yml:5: nested more than 200 levels deep"):
        site_options(config)
    cycle = site(tmp_path, "target: target\ndefaults: {loop: &loop [*loop]}")
    (problem,) = problems(cycle)
    assert problem.startswith("mkdocs.yml:5: `defaults` is nested more than 32 levels deep")


def test_environment_tags_read_as_mkdocs_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHECKS_TIMEOUT", "7")
    config = site(tmp_path, "target: !ENV [NO_SUCH_VARIABLE, target]\ntimeout: !ENV CHECKS_TIMEOUT")
    options = plugin_options(config)
    assert (options["target"], options["timeout"]) == ("target", 7.0)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ("{a: &a [x, x], b: [*a, *a]}", "use a YAML anchor or alias"),
        ("{a: " + "[" * 40 + "]" * 40 + "}", "nested more than 16 levels deep"),
        ("{a: " + "[" * 3000 + "]" * 3000 + "}", "bad YAML"),
    ],
)
def test_binding_parameters_that_would_explode_are_errors(parameters: str, message: str) -> None:
    (item,) = scan(f"- [x] item <!-- check: a.b {parameters} -->\n", "p.md")
    assert item.error is not None and message in item.error


def test_a_star_in_a_quoted_parameter_is_only_text() -> None:
    (item,) = scan('- [x] item <!-- check: a.b {glob: "reports/*.json", n: 1} -->\n', "p.md")
    assert item.error is None and dict(item.params) == {"glob": "reports/*.json", "n": 1}


def test_a_plugin_build_freezes_its_run_until_its_reports_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from mkdocs.commands.build import build

    from checklists import reports

    config = site(tmp_path, "target: target")
    (tmp_path / "docs" / "index.md").write_text(
        "# Guide\n\n- [x] a file <!-- check: fake.nothing -->\n", "utf-8"
    )
    frozen: list[int] = []
    publish = reports.publish

    def counting(*args: Any) -> list[Path]:  # what was frozen while the pages rendered
        frozen.append(gc.get_freeze_count())
        return publish(*args)

    monkeypatch.setattr(reports, "publish", counting)
    with pytest.raises(Abort):  # the unknown check fails the build after the reports
        build(load_config(str(config)))
    assert frozen and frozen[0] > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
