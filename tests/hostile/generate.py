"""Generate the hostile cases: sites whose target, configuration, bindings or report paths
are bad on purpose, each with the outcome it must give.

Every case is a small site folder (mkdocs.yml, docs/index.md, target/) written into a
temporary folder by `write`. `CASES` states for each what `checklists check` must do (the
exit code, the verdict of the items concerned, text the error must name) and whether it
also goes through `mkdocs build --strict` (then: exit 0 when the command line exits 0,
else 1; no traceback; for configuration cases the same messages). Whatever the case, no
run may print a traceback (a custom check's own, in the log, excepted where stated), hang
past its wall-clock limit, or change anything outside its folder.

    python -m tests.hostile.generate FOLDER     # write every case into FOLDER, list them
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "checks"
STATUSES = frozenset({"pass", "fail", "unknown", "not_applicable", "error"})
# What an outcome says when a check crashed, hung or took its process down: never an
# acceptable answer to bad input (that is a located error or a verdict).
CRASH = ("failed with", "timed out", "ended the process", "Traceback", "process failed")


# -- what a case must give ----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """What one bound item (by its check id) must show in compliance.json."""

    status: frozenset[str]
    mention: str | None = None  # its summary or evidence names this (the file, the line)
    avoid: tuple[str, ...] = CRASH  # its summary must not say any of these


def error(mention: str | None = None, *, avoid: tuple[str, ...] = CRASH) -> Item:
    """A located error (検証不可) naming `mention`."""
    return Item(frozenset({"error"}), mention, avoid)


def status(*names: str, mention: str | None = None) -> Item:
    return Item(frozenset(names), mention)


JUDGED = Item(STATUSES - {"error"})  # the check judged the input (pass, fail, unknown, n/a)
HANDLED = Item(STATUSES)  # a verdict or a located error; never a crash or a timeout


@dataclass(frozen=True)
class Expect:
    exit: int  # of `checklists check`
    items: Mapping[str, Item] = field(default_factory=dict)
    stderr: tuple[str, ...] = ()  # text the command's stderr must hold
    absent: tuple[str, ...] = ()  # paths (in the case folder) that must not exist after
    traceback: bool = False  # a custom check's own traceback may be in the log


# -- case contents --------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    to: str  # a symlink to this (relative or absolute)


@dataclass(frozen=True)
class Fifo:
    pass


@dataclass(frozen=True)
class Sock:
    pass


@dataclass(frozen=True)
class Folder:
    pass


@dataclass(frozen=True)
class Deep:
    depth: int  # folders nested this deep, a file at the bottom
    leaf: str = "x.md"
    text: str = "# deep\n"


@dataclass(frozen=True)
class Lazy:
    make: Callable[[], bytes]  # big contents, made when written


@dataclass(frozen=True)
class Sparse:
    size: int  # a file of this many zero bytes that takes no room on disk


Content = str | bytes | Link | Fifo | Sock | Folder | Deep | Lazy | Sparse


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # the class of bad input, for the count
    files: Mapping[str, Content]
    expect: Expect
    args: tuple[str, ...] = ()  # the command line; default: table + json into out/
    build: bool = False  # also through `mkdocs build --strict`
    limit: float = 30.0  # wall-clock seconds before the run counts as hung
    env: Mapping[str, str] = field(default_factory=dict)
    same_words: bool = True  # a build that refuses says what the command line says

    @property
    def command(self) -> tuple[str, ...]:
        return self.args or DEFAULT_ARGS


# In English: the cases' expected words are the English ones (the site's default is ja).
DEFAULT_ARGS = (
    *("check", "--quiet", "--lang", "en", "--format", "table", "--format", "json"),
    *("--output", "out"),
)


# -- a good baseline site -----------------------------------------------------------------

GOOD_DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM python:3.12-slim
WORKDIR /app
COPY --from=builder /install /usr/local
COPY app.py .
RUN useradd --uid 1000 app
USER 1000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
EXPOSE 8000
CMD ["python", "app.py"]
"""

BASE_TARGET: dict[str, Content] = {
    "Dockerfile": GOOD_DOCKERFILE,
    ".dockerignore": ".git\n.env\n**/__pycache__\n*.pyc\nnode_modules\n",
    "app.py": "print('hello')\n",
    "requirements.txt": "flask==3.0.0\n",
}

DF = (
    "dockerfile.multi_stage",
    "dockerfile.non_root_user",
    "dockerfile.healthcheck",
    "dockerfile.healthcheck_options",
    "dockerfile.graceful_shutdown",
    "dockerfile.env_without_secrets",
    "dockerfile.official_base_image",
    "dockerfile.slim_base",
    "dockerfile.cache_cleanup",
    "dockerfile.no_install_recommends",
    "dockerfile.layer_cache_order",
)
DI = ("dockerignore.excludes", "metric: context.reduction {env: prod}")
COMPOSE = ("deploy.resource_limits", "deploy.log_collection", "deploy.monitoring")
CI = (
    "ci.security_scan {dockerfile: Dockerfile, context: .}",
    "ci.gha_cache {dockerfile: Dockerfile, context: .}",
    "ci.build_args {dockerfile: Dockerfile, context: ., required: []}",
    "ci.registry_push {dockerfile: Dockerfile, context: .}",
    "ci.actions_pinned",
)
TRIVY = ("scan.trivy_passed {trivy_report: trivy.json}",)
METRICS = ("metric: image.size {env: prod, limit: '< 250MB'}",)
OPTIONS = {
    "target": "target",
    "timeout": "5",
    "environments": '{prod: {dockerfile: Dockerfile, context: ., image: "app:prod"}}',
}


def check_id(binding: str) -> str:
    return binding.removeprefix("metric:").split()[0]


def page(bindings: Sequence[str]) -> str:
    """A guide page with one ticked item per binding (a `metric:` prefix binds a metric)."""
    lines = ["# Hostile input", ""]
    for number, binding in enumerate(bindings, 1):
        kind, _, rest = binding.partition(": ") if binding.startswith("metric:") else ("", "", "")
        comment = f"metric: {rest}" if kind else f"check: {binding}"
        lines.append(f"- [x] claim {number} <!-- {comment} -->")
    return "\n".join(lines) + "\n"


def config(options: str = "", head: str = "", drop: Sequence[str] = ()) -> str:
    """mkdocs.yml: the builtin theme (fast), the checks plugin with the base options, an
    option given in `options` replacing the base one of the same name."""
    given = {line.split(":", 1)[0].strip() for line in options.splitlines() if ":" in line}
    base = "".join(
        f"      {key}: {value}\n"
        for key, value in OPTIONS.items()
        if key not in given and key not in drop
    )
    extra = "".join(f"      {line}\n" for line in options.splitlines())
    return (
        f"{head}site_name: hostile\ndocs_dir: docs\ntheme:\n  name: mkdocs\n"
        f"plugins:\n  - checklists:\n{base}{extra}"
    )


def site(
    target: Mapping[str, Content | None] | None = None,
    bindings: Sequence[str] = DF,
    *,
    options: str = "",
    head: str = "",
    extra: Mapping[str, Content] | None = None,
    base: Mapping[str, Content] = BASE_TARGET,
) -> dict[str, Content]:
    """The files of a case: the baseline target with `target` laid over it (None removes
    a file), a page binding `bindings`, mkdocs.yml with `options`."""
    merged = {**base, **(target or {})}
    files: dict[str, Content] = {f"target/{k}": v for k, v in merged.items() if v is not None}
    files["docs/index.md"] = page(bindings)
    files["mkdocs.yml"] = config(options, head)
    files.update(extra or {})
    return files


def every(item: Item, bindings: Sequence[str]) -> dict[str, Item]:
    return {check_id(b): item for b in bindings}


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


MEASURED = "image/size/fail/over-the-limit/reports/measurements/measure-20261120T093000Z.json"
TRIVY_REPORT = "scan/trivy_passed/fail/critical-vulnerability/trivy-report.json"


def measurement(**changes: object) -> str:
    """The fixture's evidence, re-pointed at this site's environment, with `changes`."""
    data = json.loads(fixture(MEASURED))
    data["environments"][0].update(
        name="prod",
        dockerfile="Dockerfile",
        context=".",
        dockerfile_sha256=hashlib.sha256(GOOD_DOCKERFILE.encode()).hexdigest(),
    )
    data.update(changes)
    return json.dumps(data)


def nested_json(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def yaml_bomb(levels: int = 9, width: int = 9, indent: str = "") -> str:
    """A billion laughs: each line an anchor standing for `width` of the line before."""
    lines = [f"{indent}a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [
        f"{indent}a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


def custom_check(package: str, body: str, name: str = "probe") -> dict[str, Content]:
    """A check package of the site's own (next to mkdocs.yml) whose check runs `body`."""
    module = f'''"""{name}.

What it checks:
    Nothing real: a check that misbehaves on purpose.
Why it matters:
    One broken check must never hide the others or stop the run.
How to fix:
    Nothing to fix.
"""

import os, re, signal, sys, time

from checklists import Evidence, Outcome, Target, check


@check("custom.{name}")
def {name}(target: Target) -> Outcome:
{body}
'''
    return {f"{package}/__init__.py": "", f"{package}/{name}.py": module}


# -- the cases ----------------------------------------------------------------------------

CASES: list[Case] = []


def case(
    name: str,
    kind: str,
    files: Mapping[str, Content],
    expect: Expect,
    **more: object,
) -> None:
    CASES.append(Case(name, kind, files, expect, **more))  # type: ignore[arg-type]


def _config_cases() -> None:
    """Wrong option values: exit 2 with the located message; the build fails the same way."""
    wrong = {
        "typo-timeout": ("tiemout: 5", "unknown option `tiemout`; did you mean `timeout`?"),
        "typo-reports": ("report: {json: x.json}", "unknown option `report`; did you mean"),
        "timeout-text": ("timeout: abc", "`timeout` must be a number of seconds"),
        "timeout-zero": ("timeout: 0", "`timeout` must be a number of seconds"),
        "timeout-negative": ("timeout: -3", "`timeout` must be a number of seconds"),
        "timeout-infinite": ("timeout: .inf", "`timeout` must be a number of seconds"),
        "timeout-nan": ("timeout: .nan", "`timeout` must be a number of seconds"),
        "timeout-bool": ("timeout: true", "`timeout` must be a number of seconds"),
        "workers-text": ("workers: x", "`workers` must be a whole number"),
        "workers-zero": ("workers: 0", "`workers` must be a whole number"),
        "workers-huge": ("workers: 100000", "`workers` must be a whole number"),
        "workers-float": ("workers: 1.5", "`workers` must be a whole number"),
        "enabled-string": ("enabled: 'false'", "`enabled` must be true or false"),
        "enabled-number": ("enabled: 0", "`enabled` must be true or false"),
        "require-bindings-no": ("require_bindings: 'no'", "`require_bindings` must be true"),
        "require-evidence-yes": ("require_evidence: 'yes'", "`require_evidence` must be true"),
        "target-list": ("target: [a, b]", "`target` must be a path"),
        "target-number": ("target: 5", "`target` must be a path"),
        "target-null": ("target: null", "`target` must be a path"),
        "defaults-text": ("defaults: abc", "`defaults` must be a mapping"),
        "defaults-list": ("defaults: [a, b]", "`defaults` must be a mapping"),
        "environments-list": ("environments: [a, b]", "`environments` must be a mapping"),
        "environments-entry": ("environments: {prod: x}", "`environments.prod` must be a mapping"),
        "reports-format": (
            "reports: {pdf: out.pdf}",
            "`reports` has an unknown report format `pdf`",
        ),
        "reports-text": ("reports: out.json", "`reports` must be a mapping of report formats"),
        "reports-path-number": ("reports: {json: 5}", "`reports.json` must be a path"),
        "target-url-javascript": ("target_url: 'javascript:alert(1)'", "`target_url` must be"),
        "target-url-ftp": ("target_url: ftp://example.com/", "`target_url` must be an http"),
        "checks-text": ("checks: checks", "`checks` must be a list of names"),
        "report-page-escape": ("report_page: ../../x.md", "`report_page` must be a Markdown"),
        "report-page-html": ("report_page: report.html", "`report_page` must be a Markdown"),
        "value-columns-text": ("value_columns: 値", "`value_columns` must be a list of names"),
        "moved-catalog": ("catalog: checks", "`catalog` moved"),
        "defaults-deep": (
            "defaults: {x: " + nested_json(40) + "}",
            "`defaults` is nested more than 32 levels deep",
        ),
    }
    for name, (option, message) in wrong.items():
        case(
            f"config-{name}",
            "config",
            site(options=option, bindings=DF[:2]),
            Expect(2, stderr=(f"mkdocs.yml:{_option_line(option)}: {message}",)),
            build=True,
        )
    case(
        "config-options-a-list",
        "config",
        {**site(bindings=DF[:1]), "mkdocs.yml": config(drop=tuple(OPTIONS)).rstrip() + " [a]\n"},
        Expect(2, stderr=("the plugin's options must be a mapping",)),
        build=True,
        same_words=False,  # MkDocs refuses it itself, in its words, before the plugin runs
    )
    case(
        "config-unknown-check-package",
        "config",
        site(options="checks: [no_such_checks_package]", bindings=DF[:1]),
        Expect(2, stderr=("cannot import the check package 'no_such_checks_package'",)),
        build=True,
    )
    case(
        "config-target-missing",
        "config",
        site(options="target: nowhere", bindings=DF[:1]),
        Expect(2, stderr=("nowhere does not exist",)),
        build=True,
    )
    case(
        "config-target-is-a-file",
        "config",
        site(options="target: target/Dockerfile", bindings=DF[:1]),
        Expect(2, stderr=("Dockerfile does not exist",)),
        build=True,
    )


def _option_line(option: str) -> int:
    """The line of an option in `config()`: after the base options it does not replace."""
    replaced = option.split(":", 1)[0].strip()
    return 7 + sum(1 for key in OPTIONS if key != replaced)


def _mkdocs_yml_cases() -> None:
    """mkdocs.yml itself: bombs, nesting, bad YAML, odd files."""
    bomb = "extra:\n" + yaml_bomb(indent="  ")
    case(
        "mkdocs-yml-billion-laughs",
        "bomb",
        site(head=bomb, bindings=DF[:1]),
        Expect(2, stderr=("mkdocs.yml:", "stands for more than 1,000,000 values")),
        build=True,
        limit=20,
    )
    options_bomb = "defaults:\n" + yaml_bomb(levels=5, width=10, indent="  ")
    case(
        "mkdocs-yml-bomb-in-defaults",
        "bomb",
        site(options=options_bomb, bindings=DF[:1]),
        Expect(2, stderr=("`defaults` holds more than 100,000 values",)),
        build=True,
        limit=20,
    )
    case(
        "mkdocs-yml-alias-cycle",
        "bomb",
        site(options="defaults: {loop: &loop [*loop]}", bindings=DF[:1]),
        Expect(2, stderr=("`defaults` is nested more than 32 levels deep",)),
        build=True,
    )
    case(
        "mkdocs-yml-deep-nesting",
        "nesting",
        site(head="extra: {deep: " + nested_json(1200) + "}\n", bindings=DF[:1]),
        Expect(2, stderr=("mkdocs.yml:1: nested more than 200 levels deep",)),
        # not built: MkDocs' own YAML reader recurses into it before any plugin runs
    )
    case(
        "mkdocs-yml-tab-indent",
        "yaml",
        {**site(bindings=DF[:1]), "mkdocs.yml": "site_name: x\nplugins:\n\t- checklists\n"},
        Expect(2, stderr=("mkdocs.yml is not valid YAML",)),
    )
    case(
        "mkdocs-yml-unclosed",
        "yaml",
        {**site(bindings=DF[:1]), "mkdocs.yml": "site_name: [x\nplugins: [checklists\n"},
        Expect(2, stderr=("mkdocs.yml is not valid YAML",)),
    )
    case(
        "mkdocs-yml-not-utf8",
        "encoding",
        {**site(bindings=DF[:1]), "mkdocs.yml": b"site_name: caf\xe9\nplugins: [checklists]\n"},
        Expect(2, stderr=("mkdocs.yml: not UTF-8 text",)),
    )
    case(
        "mkdocs-yml-a-list",
        "yaml",
        {**site(bindings=DF[:1]), "mkdocs.yml": "- a\n- b\n"},
        Expect(2, stderr=("is not a MkDocs configuration",)),
    )
    case(
        "mkdocs-yml-empty",
        "yaml",
        {**site(bindings=DF[:1]), "mkdocs.yml": ""},
        Expect(2, stderr=("is not a MkDocs configuration",)),
    )
    case(
        "mkdocs-yml-a-folder",
        "directory",
        {**site(bindings=DF[:1]), "mkdocs.yml": Folder()},
        Expect(2, stderr=("cannot read mkdocs.yml",)),
    )
    case(
        "mkdocs-yml-python-tag-not-run",
        "yaml",
        site(head="extra: !!python/object/apply:os.system ['touch pwned']\n", bindings=DF[:1]),
        Expect(0, items=every(JUDGED, DF[:1]), absent=("pwned",)),
        # not built: MkDocs runs Python tags of its own configuration by design
    )
    case(
        "mkdocs-yml-plugin-absent",
        "config",
        {**site(bindings=DF[:1]), "mkdocs.yml": "site_name: x\nplugins: [search]\n"},
        Expect(2, stderr=("does not enable the 'checklists' plugin",)),
    )


def _binding_cases() -> None:
    """Bindings that are malformed, explode, or name what does not exist."""
    bindings = {
        "alias-bomb": (
            "dockerfile.non_root_user {a: &a [x, x, x, x, x, x, x, x, x, x], "
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], "
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b], d: [*c, *c, *c, *c, *c, *c]}",
            "use a YAML anchor or alias",
        ),
        "deep-flow": ("dockerfile.non_root_user {a: " + nested_json(5000) + "}", "binding"),
        "nested-too-deep": (
            "dockerfile.non_root_user {a: " + nested_json(30) + "}",
            "nested more than 16 levels",
        ),
        "bad-yaml": ("dockerfile.non_root_user {uid: a: b}", "bad YAML"),
        "unclosed": ("dockerfile.non_root_user {uid: 1000", "not closed"),
        "unknown-id": ("dockerfile.non_root", "did you mean 'dockerfile.non_root_user'"),
        "unknown-param": ("dockerfile.non_root_user {colour: red}", "has no parameter colour"),
        "python-tag": (
            "dockerfile.non_root_user {uid: !!python/object/apply:os.system [touch pwned]}",
            "bad YAML",
        ),
        "not-a-mapping": ("dockerfile.non_root_user [1, 2]", "unexpected text"),
        "huge-parameter": ("dockerfile.non_root_user {uid: " + "9" * 200_000 + "}", "index.md:3"),
        "waiver-no-date": (
            "dockerfile.non_root_user waive: {reason: later}",
            "needs an expiry date",
        ),
        "metric-as-check": ("image.size", "is a metric"),
        "unknown-environment": ("metric: image.size {env: staging}", "unknown environment"),
        "param-wrong-type": ("dockerfile.non_root_user {uid: [1, 2]}", "uid"),
    }
    for name, (binding, mention) in bindings.items():
        item = HANDLED if name == "param-wrong-type" else error(mention)
        case(
            f"binding-{name}",
            "binding",
            site(bindings=(binding, "dockerfile.multi_stage")),
            Expect(
                -1 if item is HANDLED else 1,
                items={check_id(binding): item, "dockerfile.multi_stage": JUDGED},
                absent=("pwned", "target/pwned"),
            ),
            build=name in {"alias-bomb", "deep-flow", "bad-yaml", "unknown-id"},
        )
    case(
        "binding-two-in-one-item",
        "binding",
        {
            **site(bindings=DF[:1]),
            "docs/index.md": "- [x] a <!-- check: dockerfile.multi_stage --> "
            "<!-- check: dockerfile.healthcheck -->\n",
        },
        Expect(1, items={"dockerfile.multi_stage": error("2 bindings in one place")}),
    )
    case(
        "binding-in-code-is-text",
        "binding",
        {
            **site(bindings=DF[:1]),
            "docs/index.md": "```\n- [x] a <!-- check: no.such {a: &a [*a]} -->\n```\n"
            "- [x] b <!-- check: dockerfile.multi_stage -->\n",
        },
        Expect(0, items={"dockerfile.multi_stage": JUDGED}),
    )
    case(
        "binding-ten-thousand-on-a-page",
        "binding",
        {
            **site(bindings=DF[:1]),
            "docs/index.md": "".join(
                f"- [x] item {n} <!-- check: dockerfile.multi_stage {{dockerfile: D{n % 7}}} -->\n"
                for n in range(10_000)
            ),
        },
        Expect(1, items={"dockerfile.multi_stage": error("not found in the target")}),
        limit=60,
    )


def _docs_cases() -> None:
    """The docs folder and its pages."""
    case(
        "docs-page-not-utf8",
        "encoding",
        {**site(bindings=DF[:1]), "docs/bad.md": b"# ok\n\n- [x] caf\xe9 <!-- check: a.b -->\n"},
        Expect(2, stderr=("docs/bad.md:3: not UTF-8 text (byte 16)",)),
        build=True,
    )
    case(
        "docs-page-binary",
        "binary",
        {**site(bindings=DF[:1]), "docs/blob.md": bytes(range(256)) * 64},
        Expect(2, stderr=("docs/blob.md:2: not UTF-8 text (byte 129)",)),
        build=True,
    )
    case(
        "docs-page-nul-bytes",
        "binary",
        {**site(bindings=DF[:1]), "docs/nul.md": "# a\x00b\n- [x] x <!-- check: a\x00b -->\n"},
        Expect(1, items={"dockerfile.multi_stage": JUDGED}, stderr=("unknown check id 'a\\x00b'",)),
    )
    case(
        "docs-folders-1500-deep",
        "nesting",
        {**site(bindings=DF[:1]), "docs/deep": Deep(1500)},
        Expect(2, stderr=("folders nested more than 64 levels deep",)),
        # not built: MkDocs walks docs_dir with os.walk, which recurses, before the plugin
    )
    case(
        "docs-symlink-loop",
        "symlink",
        {**site(bindings=DF[:1]), "docs/loop": Link(".")},
        Expect(0, items={"dockerfile.multi_stage": JUDGED}),
    )
    case(
        "docs-missing",
        "directory",
        {k: v for k, v in site(bindings=DF[:1]).items() if not k.startswith("docs/")},
        Expect(2, stderr=("the docs folder",)),
    )
    case(
        "docs-page-a-fifo",
        "fifo",
        {**site(bindings=DF[:1]), "docs/pipe.md": Fifo()},
        Expect(0, items={"dockerfile.multi_stage": JUDGED}),
        limit=20,
    )
    case(
        "docs-long-line",
        "huge",
        {
            **site(bindings=DF[:1]),
            "docs/long.md": Lazy(lambda: b"- [x] " + b"x" * 5_000_000 + b" <!-- check: a.b -->\n"),
        },
        Expect(1, items={"dockerfile.multi_stage": JUDGED}),
    )


def _report_path_cases() -> None:
    """Where the command line is told to write."""
    refused = {
        "dev-full": ("/dev/full", "/dev/full is under /dev"),
        "dev-null": ("/dev/null", "/dev/null is under /dev"),
        "proc": ("/proc/self/comm", "is under /proc"),
        "sys": ("/sys/kernel/x.json", "is under /sys"),
        "fifo": ("pipe", "pipe is a named pipe (FIFO), not a file"),
        "socket": ("sock", "sock is a socket, not a file"),
        "folder": ("target", "target is a folder, not a file"),
        "below-a-file": ("app.txt/report.json", "app.txt is a file, not a folder"),
        "link-to-device": ("devlink", "devlink is under /dev"),
    }
    for name, (output, message) in refused.items():
        case(
            f"output-{name}",
            "report-path",
            {
                **site(bindings=DF[:1]),
                "pipe": Fifo(),
                "sock": Sock(),
                "app.txt": "a file\n",
                "devlink": Link("/dev/full"),
            },
            Expect(2, stderr=(message,)),
            args=("check", "--quiet", "--lang", "en", "--format", "json", "--output", output),
            limit=20,
        )
    case(
        "output-badges-onto-a-file",
        "report-path",
        {**site(bindings=DF[:1]), "app.txt": "a file\n"},
        Expect(2, stderr=("app.txt is a file, not a folder",)),
        args=("check", "--quiet", "--lang", "en", "--format", "badges", "--output", "app.txt"),
    )
    case(
        "output-several-onto-a-fifo",
        "report-path",
        {**site(bindings=DF[:1]), "pipe": Fifo()},
        Expect(2, stderr=("pipe is a named pipe (FIFO), not a folder",)),
        args=(
            "check",
            "--quiet",
            "--lang",
            "en",
            "--format",
            "json",
            "--format",
            "sarif",
            "--output",
            "pipe",
        ),
        limit=20,
    )
    case(
        "output-link-to-outside-file",
        "report-path",
        {**site(bindings=DF[:1]), "out.json": Link("../outside/secret.txt")},
        Expect(0),  # the link itself is replaced by the report: the file it named is untouched
        args=("check", "--quiet", "--lang", "en", "--format", "json", "--output", "out.json"),
    )
    case(
        "output-stdout-dash",
        "report-path",
        site(bindings=DF[:1]),
        Expect(0),
        args=("check", "--quiet", "--lang", "en", "--format", "sarif", "--output", "-"),
    )
    case(
        "reports-option-onto-a-device",
        "report-path",
        site(options="reports: {json: /dev/full, sarif: out/x.sarif}", bindings=DF[:1]),
        Expect(0),  # the command line writes where --output says; the build refuses
        build=True,
    )


def _custom_check_cases() -> None:
    """The site's own checks that hang, crash or misbehave: the run still ends, the other
    checks still run, the broken one is an error."""
    bodies = {
        "regex-holding-the-interpreter": (
            '    re.match(r"(a+)+$", "a" * 64 + "!")\n    return Outcome.passed("no")',
            "timed out after 1 s",
        ),
        "sleeps": ('    time.sleep(600)\n    return Outcome.passed("no")', "timed out after 1 s"),
        "busy-loop": ("    while True:\n        pass", "timed out after 1 s"),
        "raises": ('    raise RuntimeError("boom")', "failed with RuntimeError: boom"),
        "exits": ("    os._exit(3)", "ended the process that ran it (exit status 3)"),
        "sys-exit": ("    sys.exit(4)", "raised SystemExit(4)"),
        "segfault": (
            "    import ctypes\n    ctypes.string_at(0)\n    return Outcome.passed('no')",
            "killed by signal SIGSEGV",
        ),
        "kills-itself": (
            "    os.kill(os.getpid(), signal.SIGKILL)\n    return Outcome.passed('no')",
            "killed by signal SIGKILL",
        ),
        "returns-text": ('    return "fine"', "returned str, not an Outcome"),
        "recurses": (
            "    def down(n):\n        return down(n + 1)\n    return down(0)",
            "nested too deeply",
        ),
        "huge-summary": ('    return Outcome.failed("x" * 5_000_000)', None),
        "reads-outside": (
            '    return Outcome.passed(target.read_text("../outside/secret.txt"))',
            "must stay inside the target",
        ),
        "writes-stdout": ('    print("noise " * 100000)\n    return Outcome.passed("ok")', None),
    }
    for name, (body, mention) in bodies.items():
        package = "custom_" + name.replace("-", "_")
        item = (
            status("fail", mention=mention) if name == "huge-summary" else error(mention, avoid=())
        )
        if name in {"writes-stdout"}:
            item = status("pass")
        case(
            f"custom-check-{name}",
            "custom-check",
            site(
                bindings=("custom.probe", "dockerfile.multi_stage"),
                options=f"timeout: 1\nchecks: [checks, {package}]",
                extra=custom_check(package, body),
            ),
            Expect(
                0 if name == "writes-stdout" else 1,
                items={"custom.probe": item, "dockerfile.multi_stage": JUDGED},
                traceback=name == "raises",
            ),
            build=name in {"regex-holding-the-interpreter", "exits", "segfault"},
            env={"PYTHONPATH": "."},
        )


def _dockerfile_cases() -> None:
    """Dockerfiles no one would write, and files that are not Dockerfiles at all."""
    unreadable: dict[str, tuple[Content, str]] = {
        "binary-nul": (b"FROM python\x00\x01\x02\n", "Dockerfile:1"),
        "not-utf8": (b"FROM python:3.12-slim\nRUN echo caf\xe9\n", "Dockerfile:2"),
        "utf16": ("FROM python:3.12-slim\n".encode("utf-16"), "Dockerfile"),
        "random-bytes": (bytes((i * 7919) % 256 for i in range(20_000)), "Dockerfile"),
        "line-over-64k": ("FROM python:3.12-slim\nRUN " + "a" * 70_000 + "\n", "Dockerfile:2"),
        "unterminated-heredoc": (
            "FROM python:3.12-slim\nRUN <<EOF\necho never closed\n",
            "Dockerfile",
        ),
    }
    for name, (content, mention) in unreadable.items():
        case(
            f"dockerfile-{name}",
            "dockerfile",
            site({"Dockerfile": content}),
            Expect(1, items=every(error(mention), DF)),
            build=name in {"binary-nul", "not-utf8"},
        )
    odd = {
        "bom-crlf": '\ufeffFROM python:3.12-slim\r\nUSER 1000\r\nCMD ["python"]\r\n',
        "lone-cr": "FROM python:3.12-slim\rUSER 1000\rCMD python\r",
        "escape-directive": "# escape=`\nFROM python:3.12-slim\nRUN echo a `\n  b\nUSER 1000\n",
        "garbage-directive": "# syntax=\x7f\x7f\n# escape=xx\nFROM python:3.12-slim\n",
        "scratch-only": 'FROM scratch\nCOPY app /app\nCMD ["/app"]\n',
        "many-stages": "".join(f"FROM python:3.12-slim AS s{i}\n" for i in range(2000))
        + "COPY --from=s0 /a /a\n",
        "copy-from-cycle": "FROM python:3.12-slim AS a\nCOPY --from=b /x /x\n"
        "FROM python:3.12-slim AS b\nCOPY --from=a /y /y\n",
        "continuations-10k": "FROM python:3.12-slim\nRUN a \\\n" + "  && b \\\n" * 10_000 + "  c\n",
        "and-chain": "FROM python:3.12-slim\nRUN " + "apt-get install x && " * 1000 + "true\n",
        "heredoc-5k": "FROM python:3.12-slim\nRUN <<EOF\n" + "echo x\n" * 5_000 + "EOF\n",
        "long-arg-name": "ARG " + "A" * 60_000 + "=1\nFROM python:3.12-slim\n",
        "homoglyph-user": "FROM python:3.12-slim\nUSER rооt\n",  # Cyrillic o
        "unknown-instruction": "FROM python:3.12-slim\nFROBNICATE all\n",
        "from-variable-unset": "ARG BASE\nFROM ${BASE}\nUSER 1000\n",
        "healthcheck-weird": "FROM python:3.12-slim\nHEALTHCHECK --interval=-1s CMD\n",
        "user-huge-uid": "FROM python:3.12-slim\nUSER 99999999999999999999999\n",
        "nested-quotes": 'FROM python:3.12-slim\nRUN echo "$(echo "$(echo "\'"\'")")"\n',
        # Not JSON: BuildKit runs it in shell form, and so do the checks.
        "bad-json-exec-form": 'FROM python:3.12-slim\nCMD ["python", \n',
    }
    for name, text in odd.items():
        case(
            f"dockerfile-{name}",
            "dockerfile",
            site({"Dockerfile": text}),
            Expect(-1, items=every(HANDLED, DF)),
            build=name in {"many-stages", "heredoc-5k"},
        )
    for name, text in {"empty": "", "only-comments": "# nothing\n# at all\n"}.items():
        case(
            f"dockerfile-{name}",
            "dockerfile",
            site({"Dockerfile": text}),
            Expect(1, items=every(error("file with no instructions"), DF)),
        )
    case(
        "dockerfile-no-from",
        "dockerfile",
        site({"Dockerfile": "ARG X=1\n"}),  # BuildKit: no build stage in current context
        Expect(1, items=every(error("contains no stages to build"), DF)),
    )
    case(
        "dockerfile-arg-expansion-bomb",
        "bomb",
        site(
            {
                "Dockerfile": "ARG A0=xxxxxxxxxx\n"
                + "".join(
                    f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 30)
                )
                + "FROM python:${A29}\n"
            },
            DF[:3],
            options="timeout: 2",
        ),
        Expect(1, items=every(error("Dockerfile"), DF[:3])),
        limit=4,
    )
    case(
        "dockerfile-100k-lines",
        "huge",
        site(
            {
                "Dockerfile": Lazy(
                    ("FROM python:3.12-slim\n" + "RUN echo x\n" * 100_000 + "USER 1000\n").encode
                )
            },
            DF[:3],
            options="timeout: 2",
        ),
        Expect(1, items=every(error("Dockerfile"), DF[:3])),
        limit=4,
    )
    case(
        "dockerfile-30mb",
        "huge",
        site(
            {"Dockerfile": Lazy(lambda: b"# " + b"x" * 60_000 + b"\n" * 1 + b"# y\n" * 7_000_000)},
            DF[:2],
            options="timeout: 2",
        ),
        Expect(1, items=every(error("Dockerfile"), DF[:2])),
        limit=4,
    )
    case(
        "dockerfile-buildkit-refuses",
        "dockerfile",
        site({"Dockerfile": "FROM python:3.12-slim\nONBUILD ONBUILD RUN x\nMAINTAINER\n"}),
        Expect(1, items=every(error("Dockerfile:2"), DF[:2])),
    )
    special: dict[str, tuple[Content, str]] = {
        "a-folder": (Folder(), "Dockerfile"),
        "symlink-out": (Link("../../outside/secret.txt"), "Dockerfile"),
        "symlink-loop": (Link("Dockerfile"), "Dockerfile"),
        "symlink-to-dev-zero": (Link("/dev/zero"), "Dockerfile"),
        "a-fifo": (Fifo(), "Dockerfile"),
        "a-socket": (Sock(), "Dockerfile"),
    }
    for name, (content, mention) in special.items():
        case(
            f"dockerfile-{name}",
            "symlink"
            if "symlink" in name
            else "fifo"
            if name in {"a-fifo", "a-socket"}
            else "directory",
            site({"Dockerfile": content}),
            Expect(1, items=every(error(mention, avoid=(*CRASH, "not found")), DF[:4])),
            limit=20,
        )


def _dockerignore_cases() -> None:
    case(  # `[` opens a class that never closes: Docker refuses the pattern
        "dockerignore-binary",
        "dockerignore",
        site({".dockerignore": bytes(range(256)) * 4}, DI + DF[:1]),
        Expect(1, items={"dockerignore.excludes": error(".dockerignore:2")}),
        build=True,
    )
    case(  # Docker reads .dockerignore as bytes: a pattern that is not UTF-8 is a pattern
        "dockerignore-not-utf8",
        "encoding",
        site({".dockerignore": b".git\n.env\ncaf\xe9\n"}, DI + DF[:1]),
        Expect(-1, items={"dockerignore.excludes": JUDGED}),
        build=True,
    )
    case(
        "dockerignore-many-patterns",
        "huge",
        site(
            {".dockerignore": "".join(f"dir{i}/**/*.tmp\n" for i in range(50_000))},
            DI,
            options="timeout: 2",
        ),
        Expect(1, items={"dockerignore.excludes": error(".dockerignore:10001")}),
        limit=15,
    )
    handled = {
        "star-storm": "*" * 5000 + "\n" + "**/" * 2000 + "x\n",
        "long-pattern": "a" * 100_000 + "\n",
        "negations": "".join(f"!keep{i}\n*\n" for i in range(5000)),
        "empty": "",
        "only-comments": "# a\n# b\n",
        "crlf-bom": "\ufeff.git\r\n.env\r\n",
        "absolute-and-dotdot": "/etc\n../../outside\n./.git\n",
    }
    for name, text in handled.items():
        case(
            f"dockerignore-{name}",
            "dockerignore",
            site({".dockerignore": text}, DI, options="timeout: 20"),
            Expect(-1, items={"dockerignore.excludes": HANDLED}),
            limit=30,
        )
    case(
        "dockerignore-invalid-range",
        "dockerignore",
        site({".dockerignore": "[z-a]*\n.git\n"}, DI),
        Expect(1, items={"dockerignore.excludes": error(".dockerignore:1")}),
    )
    special: dict[str, Content] = {
        "a-folder": Folder(),
        "symlink-out": Link("../../outside/secret.txt"),
        "a-fifo": Fifo(),
    }
    for name, content in special.items():
        case(
            f"dockerignore-{name}",
            "directory" if name == "a-folder" else "symlink" if "symlink" in name else "fifo",
            site({".dockerignore": content}, DI),
            Expect(
                1,
                items={
                    "dockerignore.excludes": error(".dockerignore", avoid=(*CRASH, "not found"))
                },
            ),
            limit=20,
        )


def _compose_cases() -> None:
    good = (
        "services:\n  app:\n    build: .\n    logging: {driver: json-file}\n"
        "    deploy: {resources: {limits: {cpus: '0.5', memory: 256M}}}\n"
        "    healthcheck: {test: [CMD, true]}\n"
    )
    broken: dict[str, Content] = {
        "bad-yaml": "services:\n  app: [\n",
        "not-utf8": b"services:\n  app:\n    image: caf\xe9\n",
        "binary": bytes(range(256)) * 8,
        "services-a-list": "services: [app, db]\n",
        "deep-nesting": "services:\n  app: " + nested_json(600) + "\n",
    }
    for name, content in broken.items():
        case(
            f"compose-{name}",
            "compose",
            site({"compose.yaml": content}, COMPOSE, options="timeout: 20"),
            Expect(1, items=every(error("compose.yaml"), COMPOSE)),
            build=name in {"bad-yaml", "deep-nesting"},
        )
    case(  # Compose's YAML reader refuses excessive aliasing: nothing can pass on it
        "compose-alias-bomb",
        "bomb",
        site({"compose.yaml": "x-bomb:\n" + yaml_bomb(indent="  ") + good}, COMPOSE),
        Expect(1, items=every(error("compose.yaml"), COMPOSE)),
        build=True,
        limit=20,
    )
    case(
        "compose-anchors-used-well",
        "compose",
        site(
            {
                "compose.yaml": "x-common: &common\n  logging: {driver: json-file}\n"
                "  deploy: {resources: {limits: {cpus: '1', memory: 128M}}}\n"
                "services:\n  app:\n    <<: *common\n    build: .\n"
            },
            COMPOSE,
        ),
        Expect(-1, items=every(JUDGED, COMPOSE)),
    )
    for name, cpus in {"cpus-nan": ".nan", "cpus-infinite": ".inf"}.items():
        case(
            f"compose-{name}",
            "compose",
            site({"compose.yaml": good.replace("cpus: '0.5'", f"cpus: {cpus}")}, COMPOSE[:1]),
            Expect(
                1,
                items={"deploy.resource_limits": status("fail", "error", mention="compose.yaml:5")},
            ),
        )
    case(
        "compose-a-folder",
        "directory",
        site({"compose.yaml": Folder()}, COMPOSE),
        Expect(1, items=every(error("compose.yaml", avoid=(*CRASH, "not found")), COMPOSE)),
    )
    case(
        "compose-huge",
        "huge",
        site(
            {
                "compose.yaml": Lazy(
                    (
                        "services:\n" + "".join(f"  s{i}:\n    image: x\n" for i in range(100_000))
                    ).encode
                )
            },
            COMPOSE[:1],
            options="timeout: 2",
        ),
        Expect(1, items={"deploy.resource_limits": error("more than 100,000 values")}),
        limit=4,
    )


def _workflow_cases() -> None:
    path = ".github/workflows/ci.yml"
    broken: dict[str, Content] = {
        "bad-yaml": "on: [push\njobs: {}\n",
        "not-utf8": b"on: push\njobs:\n  a:\n    runs-on: caf\xe9\n",
        "binary": bytes(range(256)) * 8,
        "jobs-a-list": "on: push\njobs: [a, b]\n",
        "deep-nesting": "on: push\njobs: " + nested_json(600) + "\n",
    }
    for name, content in broken.items():
        case(
            f"workflow-{name}",
            "workflow",
            site({path: content}, CI, options="timeout: 20"),
            Expect(1, items=every(error("ci.yml"), CI)),
            build=name in {"bad-yaml", "binary"},
        )
    case(
        "workflow-alias-bomb",
        "bomb",
        site({path: "x:\n" + yaml_bomb(indent="  ") + "on: push\njobs: {}\n"}, CI),
        Expect(1, items={check_id(b): status("fail", "error", "unknown") for b in CI[:4]}),
        build=True,
        limit=20,
    )
    odd = {
        "on-is-true": "true: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n",
        "steps-null": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n",
        "many-workflows": None,
        "empty": "",
        "uses-weird": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: ../../../outside\n      - uses: 'docker://\x7f'\n      - uses: a@@@\n",
    }
    for name, text in odd.items():
        files: dict[str, Content | None]
        if text is None:
            files = {
                f".github/workflows/w{i}.yml": "on: push\njobs:\n  a:\n    runs-on: x\n"
                "    steps:\n      - uses: actions/checkout@v4\n"
                for i in range(500)
            }
        else:
            files = {path: text}
        case(
            f"workflow-{name}",
            "workflow",
            site(files, CI),
            Expect(-1, items=every(HANDLED, CI)),
        )
    case(
        "workflows-folder-symlink-loop",
        "symlink",
        site({".github/workflows/loop": Link("."), path: "on: push\njobs: {}\n"}, CI),
        Expect(-1, items=every(HANDLED, CI)),
    )
    case(
        "workflow-a-folder",
        "directory",
        site({path: Folder()}, CI),
        Expect(-1, items=every(HANDLED, CI)),
    )
    case(
        "dependabot-bad-yaml",
        "yaml",
        site(
            {".github/dependabot.yml": "updates: [\n"},
            ("ci.base_image_updates {directory: /, dockerfile: Dockerfile}",),
        ),
        Expect(1, items={"ci.base_image_updates": error("dependabot.yml")}),
    )


def _trivy_cases() -> None:
    broken: dict[str, Content] = {
        "bad-json": "{not json",
        "truncated": fixture(TRIVY_REPORT)[:300],
        "deep-nesting": '{"Results": ' + nested_json(100_000) + "}",
        "not-utf8": b'{"Results": "caf\xe9"}',
        "binary": bytes(range(256)) * 8,
        "results-a-string": '{"SchemaVersion": 2, "Results": "none"}',
        "a-list": "[1, 2, 3]",
        "nan": '{"SchemaVersion": NaN, "Results": []}',
        "empty": "",
    }
    for name, content in broken.items():
        case(
            f"trivy-{name}",
            "trivy",
            site({"trivy.json": content}, TRIVY),
            Expect(1, items={"scan.trivy_passed": error("trivy.json")}),
            build=name in {"deep-nesting", "bad-json"},
        )
    case(  # past Python's digit limit: json.loads raises ValueError, not JSONDecodeError
        "trivy-huge-numbers",
        "trivy",
        site({"trivy.json": '{"SchemaVersion": 1' + "0" * 5000 + ', "Results": []}'}, TRIVY),
        Expect(1, items={"scan.trivy_passed": error("trivy.json")}),
    )
    case(
        "trivy-created-in-the-future",
        "trivy",
        site(
            {
                "trivy.json": fixture(TRIVY_REPORT).replace(
                    b'"CreatedAt": "2025-01-14', b'"CreatedAt": "2099-01-14'
                )
            },
            TRIVY,
        ),
        Expect(1, items={"scan.trivy_passed": error("trivy.json")}),
    )
    case(  # 40 MB is a large image's report, within MAX_REPORT_BYTES; an unknown key is
        # ignored by Trivy's own reader (Go's encoding/json): the findings are judged
        "trivy-40mb",
        "huge",
        site(
            {
                "trivy.json": Lazy(
                    lambda: fixture(TRIVY_REPORT)[:-2] + b', "Pad": "' + b"x" * 40_000_000 + b'"}\n'
                )
            },
            TRIVY,
        ),
        Expect(1, items={"scan.trivy_passed": status("fail", mention="trivy.json")}),
        limit=15,
    )
    case(  # past MAX_REPORT_BYTES by its size alone: refused before a byte is read
        "trivy-over-the-report-limit",
        "huge",
        site({"trivy.json": Sparse(64 * 1024 * 1024 + 1)}, TRIVY),
        Expect(1, items={"scan.trivy_passed": error("more than the 67,108,864 bytes")}),
    )
    case(
        "trivy-a-folder",
        "directory",
        site({"trivy.json": Folder()}, TRIVY),
        Expect(1, items={"scan.trivy_passed": error("trivy.json", avoid=(*CRASH, "no Trivy"))}),
    )


def _measurement_cases() -> None:
    folder = "reports/measurements/"
    broken: dict[str, Content] = {
        "bad-json": "{not json",
        "deep-nesting": '{"environments": ' + nested_json(100_000) + "}",
        "not-utf8": b'{"schema": "caf\xe9"}',
        "wrong-schema": '{"schema": "something else", "schema_version": 1}',
        "value-negative": measurement().replace("262000000", "-5"),
    }
    for name, content in broken.items():
        case(
            f"measurement-{name}",
            "measurement",
            site({f"{folder}measure-1.json": content}, METRICS),
            Expect(1, items=every(error("measure-1.json"), METRICS)),
            build=name == "deep-nesting",
        )
    for name, value in {"value-nan": "NaN", "value-infinite": "1e999"}.items():
        case(  # not JSON (RFC 8259), and no engine measures it: the evidence is broken
            f"measurement-{name}",
            "measurement",
            site({f"{folder}measure-1.json": measurement().replace("262000000", value)}, METRICS),
            Expect(1, items=every(error("measure-1.json"), METRICS)),
        )
    case(
        "measurement-in-the-future",
        "measurement",
        site({f"{folder}measure-1.json": measurement(measured_at="2099-11-20T09:30:00Z")}, METRICS),
        Expect(1, items=every(error("measure-1.json"), METRICS[:1])),
    )
    case(
        "measurement-a-folder-named-json",
        "directory",
        site({f"{folder}measure-1.json": Folder()}, METRICS),
        Expect(-1, items=every(HANDLED, METRICS)),
    )
    case(
        "measurement-two-hundred-files",
        "measurement",
        site(
            {f"{folder}measure-{i:04}.json": measurement() for i in range(200)},
            METRICS,
            options="timeout: 20",
        ),
        Expect(-1, items=every(HANDLED, METRICS)),
        limit=60,
    )


def _other_files_cases() -> None:
    nginx = ("deploy.reverse_proxy {paths: [nginx.conf]}",)
    configs: dict[str, Content] = {
        "bad-syntax": "server { listen 443 ssl; location / { proxy_pass http://app",
        "binary": bytes(range(256)) * 8,
        "include-itself": "include nginx.conf;\nserver { listen 443 ssl; }\n",
        "deep-blocks": "http { " * 2000 + "}" * 2000 + "\n",
    }
    for name, content in configs.items():
        case(
            f"nginx-{name}",
            "nginx",
            site({"nginx.conf": content}, nginx),
            Expect(-1, items={"deploy.reverse_proxy": HANDLED}),
            limit=30,
        )
    secrets = ("deploy.secrets_encrypted",)
    tomls: dict[str, Content] = {
        "bad-toml": "[vars\nX = 1\n",
        "deep-toml": "a = " + nested_json(5000) + "\n",
    }
    for name, content in tomls.items():
        case(
            f"toml-{name}",
            "toml",
            site({"wrangler.toml": content}, secrets),
            Expect(1, items={"deploy.secrets_encrypted": error("wrangler.toml")}),
            build=name == "deep-toml",
        )
    case(  # Wrangler reads it with Buffer.toString("utf-8"): it deploys, the bad bytes as U+FFFD
        "toml-not-utf8",
        "toml",
        site({"wrangler.toml": b'[vars]\nX = "caf\xe9"\nAPI_TOKEN = "tok\xe9n-5f3a9c"\n'}, secrets),
        Expect(1, items={"deploy.secrets_encrypted": status("fail", mention="API_TOKEN")}),
    )
    for name, content in {
        "bad-json": "{ not json",
        "deep-json": nested_json(100_000),
    }.items():
        case(
            f"package-json-{name}",
            "json",
            site({"package.json": content}, (*DF[:3], "dockerfile.layer_cache_order")),
            Expect(-1, items={"dockerfile.multi_stage": JUDGED}),
        )
    case(
        "dotenv-binary",
        "binary",
        site({".env": bytes(range(256)) * 4}, (*secrets, "dockerfile.env_without_secrets")),
        Expect(-1, items={"deploy.secrets_encrypted": HANDLED}),
    )


def _target_cases() -> None:
    """The target as a whole: loops, depth, special files, size."""
    all_checks = DF[:3] + DI[:1] + COMPOSE[:1] + ("deploy.secrets_encrypted",)
    case(
        "target-symlink-loop-folder",
        "symlink",
        site({"loop": Link("."), "sub/back": Link("..")}, all_checks),
        Expect(-1, items=every(HANDLED, all_checks)),
        build=True,
    )
    case(
        "target-symlink-out-folder",
        "symlink",
        site({"escape": Link("../../outside")}, all_checks),
        Expect(-1, items=every(HANDLED, all_checks)),
    )
    case(
        "target-folders-1500-deep",
        "nesting",
        site({"deep": Deep(1500, "x.txt", "x\n")}, all_checks),
        Expect(  # the checks that list the whole target name the folder and the bound
            -1,
            items={
                **every(HANDLED, all_checks),
                "dockerignore.excludes": error("deep: folders nested more than 128 levels"),
                "deploy.secrets_encrypted": error("deep: folders nested more than 128 levels"),
            },
        ),
        build=True,
    )
    case(
        "target-fifo-in-context",
        "fifo",
        site({"pipe": Fifo(), "sock": Sock()}, all_checks),
        Expect(-1, items=every(HANDLED, all_checks)),
        limit=30,
    )
    case(
        "target-three-thousand-files",
        "huge",
        site({f"many/f{i}.txt": "x\n" for i in range(3000)}, all_checks, options="timeout: 20"),
        Expect(-1, items=every(HANDLED, all_checks)),
        limit=60,
    )
    case(
        "target-file-names-not-utf8",
        "encoding",
        site(
            {os.fsdecode(b"bad-\xff\xfe.py"): "x\n", os.fsdecode(b"dir-\xff/a.env"): "A=1\n"},
            all_checks + DI[1:],
        ),
        Expect(-1, items=every(HANDLED, all_checks)),
        build=True,
    )
    case(
        "target-dockerfile-path-escapes",
        "symlink",
        site(bindings=("dockerfile.multi_stage {dockerfile: ../../outside/secret.txt}",)),
        Expect(1, items={"dockerfile.multi_stage": error("must stay inside the target")}),
    )
    case(
        "target-dockerfile-absolute-path",
        "symlink",
        site(bindings=("dockerfile.multi_stage {dockerfile: /etc/passwd}",)),
        Expect(1, items={"dockerfile.multi_stage": error("must stay inside the target")}),
    )


for _make in (
    _config_cases,
    _mkdocs_yml_cases,
    _binding_cases,
    _docs_cases,
    _report_path_cases,
    _custom_check_cases,
    _dockerfile_cases,
    _dockerignore_cases,
    _compose_cases,
    _workflow_cases,
    _trivy_cases,
    _measurement_cases,
    _other_files_cases,
    _target_cases,
):
    _make()
BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"


# -- writing ------------------------------------------------------------------------------


def write_outside(root: Path) -> Path:
    """The sentinel folder beside the cases: escapes aim at it; it must never change."""
    outside = root / "outside"
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("not yours\n", "utf-8")
    return outside


def write(one: Case, root: Path) -> Path:
    """Write the case's folder under `root`; return it."""
    folder = root / one.name
    folder.mkdir(parents=True)
    for relative, content in one.files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        _put(path, content)
    return folder


def _put(path: Path, content: Content) -> None:
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, Lazy):
        path.write_bytes(content.make())
    elif isinstance(content, Link):
        path.symlink_to(content.to)
    elif isinstance(content, Fifo):
        os.mkfifo(path)
    elif isinstance(content, Sock):
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(path))  # the socket file stays; nothing listens
    elif isinstance(content, Folder):
        path.mkdir()
    elif isinstance(content, Sparse):
        path.touch()
        os.truncate(path, content.size)
    else:
        current = str(path)
        os.mkdir(current)  # noqa: PTH102 - a loop: os.makedirs recurses per level
        for _ in range(content.depth):
            current += "/d"
            os.mkdir(current)  # noqa: PTH102
        Path(current, content.leaf).write_text(content.text, "utf-8")


def remove(root: Path) -> None:
    """Delete `root` and everything below it without recursion (the cases nest folders
    deeper than shutil.rmtree can recurse), links never followed."""
    stack = [(str(root), False)]
    while stack:
        folder, emptied = stack.pop()
        if emptied:
            os.rmdir(folder)  # noqa: PTH106
            continue
        stack.append((folder, True))
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, False))
                else:
                    os.unlink(entry.path)  # noqa: PTH108


def counts() -> Counter[str]:
    return Counter(c.kind for c in CASES)


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    write_outside(root)
    for one in CASES:
        write(one, root)
    for kind, number in sorted(counts().items()):
        print(f"{kind:<14} {number}")
    print(f"{'total':<14} {len(CASES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
