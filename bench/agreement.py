"""Agreement of the checks with verdicts read by hand on real repositories.

    .venv/bin/python bench/agreement.py [--corpus DIR] [--item ITEM]
        [--repositories-from real|extra] [--json FILE] [--verbose]

The corpus (`tests/data/corpus/`) holds real repositories' build files and, in
`real-repos/MANIFEST.yaml` (and `extra-repos/MANIFEST.yaml` for repositories the project
added), a verdict per repository and item read by hand (pass, fail or unknown, with a
file:line reason). `services.yaml` beside it says which images each
repository ships (Dockerfile, context, build target): the verdicts judge those images only.
`corrections.yaml` overrides an expectation the project disputes, with the reason.

For every expected item this runs the check the item maps to (`ITEMS`) on every shipped
image of the repository, in-process, and folds the per-image answers into one verdict for
the repository: any `fail` gives fail; otherwise any `error` gives error; otherwise any
`unknown` gives unknown; images where the check does not apply are left out. Where an item
is one part of a check's answer, the check's `Outcome.parts[part]` is read; a check that
does not report the part gives `unreported`.

Printed per item: cases, agreement, false "verified" (we pass, the truth is fail: the worst
outcome), false "broken" (we fail, the truth is pass or unknown) and other disagreements.
`tests/test_corpus.py` compares the same verdicts case by case.
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import posixpath
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checklists.core.model import Outcome, Status
from checklists.core.registry import REGISTRY, CheckSpec, load_packages
from checklists.core.runner import Task, run_one
from checklists.core.target import Target

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"
LOG = logging.getLogger("agreement")


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """How one corpus item is answered: a check, and optionally one part of its answer."""

    check: str
    part: str | None = None


ITEMS: dict[str, ItemSpec] = {
    "non_root_final_stage": ItemSpec("dockerfile.non_root_user"),
    "multi_stage": ItemSpec("dockerfile.multi_stage"),
    "healthcheck": ItemSpec("dockerfile.healthcheck"),
    "exec_form": ItemSpec("dockerfile.graceful_shutdown", "exec_form"),
    "graceful_shutdown": ItemSpec("dockerfile.graceful_shutdown"),
    "no_install_recommends": ItemSpec("dockerfile.no_install_recommends"),
    "apt_lists_removed": ItemSpec("dockerfile.cache_cleanup", "apt_lists"),
    "pip_no_cache": ItemSpec("dockerfile.cache_cleanup", "pip_cache"),
    "no_secrets_in_env_or_arg": ItemSpec("dockerfile.env_without_secrets"),
    "dockerignore_required_entries": ItemSpec("dockerignore.excludes"),
    "gha_cache_scoped_max": ItemSpec("ci.gha_cache"),
    "build_args_declared": ItemSpec("ci.build_args", "declared"),
    "scan_can_fail_job": ItemSpec("ci.security_scan", "can_fail_job"),
    "push_not_on_pull_request": ItemSpec("ci.registry_push", "no_push_on_pull_request"),
    "dependabot_covers_docker": ItemSpec("ci.base_image_updates"),
}

# Verdicts a repository can get; the last two are never a correct answer.
ANSWERS = ("pass", "fail", "unknown", "error", "not_applicable", "unreported")


@dataclass(frozen=True, slots=True)
class Image:
    """One image a repository ships, as services.yaml reads it."""

    dockerfile: str
    context: str = "."
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One expected verdict: a repository, an item, the value and where it comes from."""

    repository: str  # the corpus folder
    item: str
    expected: str
    why: str
    correction: str | None = None  # the project's reason for overriding the manifest


@dataclass(slots=True)
class Answer:
    """What the checks said for one case, with each image's answer for the log."""

    value: str
    per_image: list[tuple[str, str, str]] = field(default_factory=list)  # (image, answer, summary)


def load_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping file, or an empty mapping when the file is absent."""
    data = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None
    return data if isinstance(data, dict) else {}


# Manifests and the folder their repositories sit in: the corpus as it was read, then the
# repositories the project added (same schema, same rules: see the corpus README).
MANIFESTS = (
    ("real-repos/MANIFEST.yaml", "real-repos"),
    ("extra-repos/MANIFEST.yaml", "extra-repos"),
)


def manifest_entries(corpus: Path) -> list[dict[str, Any]]:
    """Every repository of the corpus, each with `root`: its folder below the corpus."""
    entries: list[dict[str, Any]] = []
    for name, folder in MANIFESTS:
        for entry in load_yaml(corpus / name).get("repositories") or []:
            entries.append({**entry, "root": f"{folder}/{entry['folder']}"})
    return entries


def repository_sources(corpus: Path = CORPUS) -> dict[str, str]:
    """Which manifest each repository comes from, by its corpus name: "real" or "extra"."""
    return {
        entry["folder"]: entry["root"].split("/", 1)[0].removesuffix("-repos")
        for entry in manifest_entries(corpus)
    }


def select(
    found: Iterable[Case],
    *,
    items: Iterable[str] | None = None,
    source: str | None = None,
    sources: Mapping[str, str] | None = None,
) -> list[Case]:
    """The cases of the given items and of repositories from the given manifest ("real",
    "extra"); no filter keeps every case."""
    wanted = set(items or ())
    if source is not None and sources is None:
        raise ValueError("select(source=...) needs the repositories' sources")
    return [
        case
        for case in found
        if (not wanted or case.item in wanted)
        and (source is None or (sources or {}).get(case.repository) == source)
    ]


def repository_roots(corpus: Path = CORPUS) -> dict[str, Path]:
    """Each repository's folder on disk, by its corpus name."""
    return {entry["folder"]: corpus / entry["root"] for entry in manifest_entries(corpus)}


def cases(corpus: Path = CORPUS) -> list[Case]:
    """Every expected verdict of the corpus, with the project's corrections applied."""
    corrections = load_yaml(corpus / "corrections.yaml").get("corrections") or {}
    found: list[Case] = []
    for entry in manifest_entries(corpus):
        folder = entry["folder"]
        for item, verdict in (entry.get("expected") or {}).items():
            if item == "reviewed":
                continue
            fixed = corrections.get(folder, {}).get(item)
            if fixed is not None:
                found.append(Case(folder, item, fixed["value"], verdict["why"], fixed["reason"]))
            else:
                found.append(Case(folder, item, verdict["value"], verdict["why"]))
    return found


def images(corpus: Path = CORPUS) -> dict[str, list[Image]]:
    """The images each repository ships (services.yaml)."""
    data = load_yaml(corpus / "services.yaml")
    shipped: dict[str, list[Image]] = {}
    for folder, entry in (data.get("repositories") or {}).items():
        shipped[folder] = [
            Image(i["dockerfile"], i.get("context") or ".", i.get("target"))
            for i in entry.get("images") or []
        ]
    return shipped


def _params(spec: CheckSpec, image: Image) -> dict[str, Any]:
    """The parameters that aim a check at one image, limited to those the check declares."""
    folder = posixpath.dirname(image.dockerfile)
    offered: dict[str, Any] = {
        "dockerfile": image.dockerfile,
        "context": image.context,
        "target": image.target,
        "directory": "/" + folder if folder else "/",
    }
    declared = spec.params
    return {
        name: value
        for name, value in offered.items()
        if name in declared and (value is not None or declared[name] is inspect.Parameter.empty)
    }


def _answer(outcome: Outcome, part: str | None, *, whole: bool = False) -> str:
    if outcome.status is Status.ERROR:
        return "error"
    if part is None:
        return str(outcome.status)
    status = outcome.parts.get(part)
    if status is None:
        return str(outcome.status) if whole else "unreported"
    return str(status)


def fold(answers: Iterable[str]) -> str:
    """One verdict for the repository from its images' answers (see the module docstring)."""
    seen = [a for a in answers if a != "not_applicable"]
    if not seen:
        return "not_applicable"
    for verdict in ("fail", "unreported", "error", "unknown"):
        if verdict in seen:
            return verdict
    return "pass"


class Evaluator:
    """Runs the checks on the corpus, each (repository, check, image) once."""

    def __init__(self, corpus: Path = CORPUS, *, whole: bool = False) -> None:
        load_packages(["checks"])
        self.corpus = corpus
        self.whole = whole  # read the whole outcome where a part is not reported
        self.images = images(corpus)
        self.roots = repository_roots(corpus)
        self._targets: dict[str, Target] = {}
        self._outcomes: dict[tuple[str, str, Image], Outcome] = {}

    def outcome(self, repository: str, check: str, image: Image) -> Outcome:
        key = (repository, check, image)
        if key not in self._outcomes:
            spec = REGISTRY.get(check)
            if spec is None:
                raise KeyError(f"no check {check!r} is registered")
            target = self._targets.setdefault(repository, Target(self.roots[repository]))
            self._outcomes[key] = run_one(Task(spec, _params(spec, image)), target, LOG)
        return self._outcomes[key]

    def answer(self, case: Case) -> Answer:
        spec = ITEMS[case.item]
        shipped = self.images.get(case.repository)
        if not shipped:
            return Answer("unreported", [("(services.yaml lists no image)", "unreported", "")])
        answer = Answer("")
        for image in shipped:
            outcome = self.outcome(case.repository, spec.check, image)
            label = image.dockerfile + (f" --target {image.target}" if image.target else "")
            value = _answer(outcome, spec.part, whole=self.whole)
            answer.per_image.append((label, value, outcome.summary))
        answer.value = fold(a for _, a, _ in answer.per_image)
        return answer


@dataclass(slots=True)
class Tally:
    cases: int = 0
    agree: int = 0
    false_verified: int = 0
    false_broken: int = 0
    other: int = 0

    @property
    def rate(self) -> float:
        return self.agree / self.cases if self.cases else 1.0


def classify(expected: str, got: str) -> str:
    if got == expected:
        return "agree"
    if got == "pass" and expected == "fail":
        return "false_verified"
    if got == "fail" and expected in {"pass", "unknown"}:
        return "false_broken"
    return "other"


def tally(results: Iterable[tuple[Case, Answer]]) -> dict[str, Tally]:
    table: dict[str, Tally] = {item: Tally() for item in ITEMS}
    for case, answer in results:
        row = table[case.item]
        row.cases += 1
        kind = classify(case.expected, answer.value)
        setattr(row, kind, getattr(row, kind) + 1)
    return {item: row for item, row in table.items() if row.cases}


def render_table(table: Mapping[str, Tally]) -> str:
    lines = [
        "| item | check | cases | agree | rate | false verified | false broken | other |",
        "|---|---|---|---|---|---|---|---|",
    ]
    total = Tally()
    for item, row in table.items():
        spec = ITEMS[item]
        check = spec.check + (f" [{spec.part}]" if spec.part else "")
        lines.append(
            f"| {item} | {check} | {row.cases} | {row.agree} | {row.rate:.0%} | "
            f"{row.false_verified} | {row.false_broken} | {row.other} |"
        )
        for name in ("cases", "agree", "false_verified", "false_broken", "other"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    lines.append(
        f"| **all** | | {total.cases} | {total.agree} | {total.rate:.0%} | "
        f"{total.false_verified} | {total.false_broken} | {total.other} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder with the manifests")
    parser.add_argument("--item", action="append", help="only these items (repeatable)")
    parser.add_argument(
        "--repositories-from",
        choices=("real", "extra"),
        help="only the repositories of real-repos/MANIFEST.yaml or extra-repos/MANIFEST.yaml",
    )
    parser.add_argument("--json", type=Path, help="also write every case's result to FILE")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    parser.add_argument(
        "--whole",
        action="store_true",
        help="where a check reports no part, compare its whole verdict (a rough baseline)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    evaluator = Evaluator(args.corpus, whole=args.whole)
    selected = select(
        cases(args.corpus),
        items=args.item,
        source=args.repositories_from,
        sources=repository_sources(args.corpus),
    )
    results = [(case, evaluator.answer(case)) for case in selected]
    print(render_table(tally(results)))
    disagreements = [(c, a) for c, a in results if a.value != c.expected]
    verdicts = Counter(classify(c.expected, a.value) for c, a in disagreements)
    print(
        f"\n{len(disagreements)} disagreements of {len(results)} cases "
        f"({', '.join(f'{k} {v}' for k, v in sorted(verdicts.items())) or 'none'})"
    )
    if args.verbose:
        for case, answer in disagreements:
            print(f"\n{case.repository} {case.item}: expected {case.expected}, got {answer.value}")
            print(f"  why: {case.why}")
            for label, value, summary in answer.per_image:
                print(f"  {label}: {value}: {summary}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "repository": c.repository,
                        "item": c.item,
                        "expected": c.expected,
                        "got": a.value,
                        "images": [list(row) for row in a.per_image],
                    }
                    for c, a in results
                ],
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
