"""`checklists new AREA.NAME`: a new check with its docstring and its pass and fail samples.

Writes `checks/AREA/NAME.py` (the module docstring with What it checks / Why it matters /
How to fix and the same in Japanese after `日本語:`, as every check of the library has) and
two sample targets, `tests/fixtures/checks/AREA/NAME/pass/file-present/` and
`.../fail/file-missing/`, that the sample test runs. The check it writes works (it looks for
one file in the target) so the samples pass from the start; replace its judgement with yours.
Never overwrites a file (`--force` does); nothing here imports MkDocs.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from checklists.core.errors import SetupError

EXIT_OK = 0
EXIT_USAGE = 2
Subparsers = argparse._SubParsersAction

_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")

_MODULE = '''"""TODO: one-line title of the claim this check verifies.

What it checks:
    TODO: what the check reads in the target and when it passes. As written by
    `checklists new`, it passes when the file named by the parameter `path` exists in the
    target and fails when it does not.
Why it matters:
    TODO: why the guide asks for it.
How to fix:
    TODO: what to change in the repository so that the check passes.

日本語: TODO: 1 行のタイトル

何を確認するか:
    TODO: ターゲットの何を読み、どうなら合格か。`checklists new` が書いた状態では、
    パラメータ `path` のファイルがターゲットにあれば合格、なければ不合格です。
なぜ重要か:
    TODO: ガイドがそれを求める理由。
修正方法:
    TODO: チェックに合格するためにリポジトリで変えること。
"""

from __future__ import annotations

from checklists import Evidence, Outcome, Target, check, tr


@check("{id}", severity="medium", related=())
def {function}(target: Target, *, path: str = "{sample}") -> Outcome:
    if not target.is_file(path):
        return Outcome.failed(
            tr("{{path}} is missing", "{{path}} がない", path=path),
            Evidence(tr("no file {{path}} here", "ここに {{path}} はない", path=path)),
        )
    first = (target.read_text(path).splitlines() or [""])[0]
    return Outcome.passed(
        tr("{{path}} is present", "{{path}} がある", path=path),
        Evidence(tr("its first line", "その 1 行目"), path=path, line=1, excerpt=first),
    )
'''

_SAMPLE_FILE = "README.md"
_SAMPLE_TEXT = "# A sample target\n"
_FAIL_CASE = "# The target has no {sample}: the check must fail.\nparams: {{}}\n"


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    new = subparsers.add_parser(
        "new",
        help="write a new check module with its pass and fail samples",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    new.add_argument("id", metavar="AREA.NAME", help="the check id, e.g. dockerfile.my_rule")
    new.add_argument("--root", default=".", help="the project's root folder (default: here)")
    new.add_argument(
        "--package", default="checks", help="the check package's folder (default: checks)"
    )
    new.add_argument("--force", action="store_true", help="overwrite files that exist")
    new.set_defaults(handler=run_new)
    written = subparsers.add_parser(
        "manifest",
        help="write a check package's manifest, so builds need not import it to know its checks",
    )
    written.add_argument(
        "packages", nargs="*", default=["checks"], help="check packages (default: checks)"
    )
    written.set_defaults(handler=run_manifest)


def scaffold(
    root: Path, check_id: str, package: str = "checks", *, force: bool = False
) -> list[Path]:
    """Write the check `check_id` and its samples below `root`; the files written."""
    if not _ID.fullmatch(check_id):
        raise SetupError(
            f"{check_id!r} is not a check id: write AREA.NAME in lower case, letters, digits "
            "and underscores, starting with a letter (dockerfile.my_rule)"
        )
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", package):
        raise SetupError(f"{package!r} is not a Python package name")
    area, name = check_id.split(".")
    library = root / package
    module = library / area / f"{name}.py"
    fixtures = root / "tests" / "fixtures" / "checks" / area / name
    files = {
        module: _MODULE.format(id=check_id, function=name, sample=_SAMPLE_FILE),
        fixtures / "pass" / "file-present" / _SAMPLE_FILE: _SAMPLE_TEXT,
        fixtures / "fail" / "file-missing" / "case.yml": _FAIL_CASE.format(sample=_SAMPLE_FILE),
    }
    if not (library / "__init__.py").exists():
        files[library / "__init__.py"] = '"""Checks of this project."""\n'
    if not (library / area / "__init__.py").exists():
        files[library / area / "__init__.py"] = f'"""Checks of the area {area}."""\n'
    taken = [path for path in files if path.exists()]
    if taken and not force:
        names = ", ".join(str(path) for path in taken)
        raise SetupError(f"not overwriting {names}: pass --force to replace")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return list(files)


def run_new(args: argparse.Namespace) -> int:
    try:
        written = scaffold(Path(args.root), args.id, args.package, force=args.force)
    except SetupError as error:
        print(f"checklists new: {error}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"wrote {path}")
    print(f"then: `checklists manifest {args.package}` (the package's manifest is out of date)")
    print(
        f"next: fill in the TODOs of {written[0]}, replace its judgement with yours, and add "
        "samples shaped like real repositories; `pytest tests/checks/test_samples.py -k "
        f"{args.id}` runs them."
    )
    return EXIT_OK


def run_manifest(args: argparse.Namespace) -> int:
    """`checklists manifest [PACKAGE ...]`: each package's `checklists-manifest.json`."""
    from checklists.core.registry import write_manifest  # noqa: PLC0415 - this command only

    for package in args.packages:
        try:
            path = write_manifest(package)
        except SetupError as error:
            print(f"checklists manifest: {error}", file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {path}")
    return EXIT_OK
