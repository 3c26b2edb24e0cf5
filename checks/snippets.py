"""How a code block of the guide becomes a file of a target, so the checks can read it.

The engine asks each check package's `snippet_file(language, text)` (see
`checklists.core.snippets`); this is the Docker library's answer:

- ```dockerfile (also Dockerfile, docker, containerfile): `Dockerfile`. A fragment whose
  first instruction (after ARG) is not FROM, such as the guide's `USER appuser` or
  `HEALTHCHECK` examples, gets `FROM scratch` in front, said in the evidence, so it is read
  as the last stage of an image whose base shows nothing;
- ```dockerignore: `.dockerignore` at the root of the build context;
- ```yaml: a GitHub Actions workflow (`.github/workflows/guide.yml`): a mapping with
  `jobs:` as it is, a list of steps (`- uses: ...`, `- run: ...`) inside a one-job
  workflow; a Compose file (a mapping with `services:`) as `compose.yaml`;
- ```nginx: `nginx.conf`.

Anything else is not a file these checks read (None).
"""

from __future__ import annotations

import yaml

from checklists import InputError, tr
from checklists.core.snippets import VirtualFile
from checks.readers.dockerfile import parse

_DOCKERFILE = frozenset({"dockerfile", "docker", "containerfile"})
_WORKFLOW_HEAD = "on: push\njobs:\n  guide:\n    runs-on: ubuntu-latest\n    steps:\n"


def snippet_file(language: str, text: str) -> VirtualFile | None:
    if language in _DOCKERFILE:
        return _dockerfile(text)
    if language == "dockerignore":
        return VirtualFile(".dockerignore", text)
    if language in ("yaml", "yml"):
        return _yaml(text)
    if language == "nginx":
        return VirtualFile("nginx.conf", text)
    return None


def _dockerfile(text: str) -> VirtualFile:
    try:
        instructions = parse(text.encode("utf-8")).instructions
    except InputError:
        return VirtualFile("Dockerfile", text)  # the check says what BuildKit would say
    first = next((i for i in instructions if i.keyword != "arg"), None)
    if first is None or first.keyword == "from":
        return VirtualFile("Dockerfile", text)
    return VirtualFile(
        "Dockerfile",
        "FROM scratch\n" + text,
        offset=1,
        note=tr(
            "the example has no FROM: it is read as the last stage of an image, with "
            "`FROM scratch` put in front",
            "コード例に FROM がないため、先頭に `FROM scratch` を補い、イメージの最終"
            "ステージとして判定",
        ),
    )


def _yaml(text: str) -> VirtualFile | None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if isinstance(data, dict) and "jobs" in data:
        return VirtualFile(".github/workflows/guide.yml", text)
    if isinstance(data, dict) and "services" in data:
        return VirtualFile("compose.yaml", text)
    steps = isinstance(data, list) and data and all(isinstance(s, dict) for s in data)
    if steps and all("uses" in s or "run" in s for s in data):
        body = "".join(f"      {line}\n" if line.strip() else "\n" for line in text.splitlines())
        return VirtualFile(
            ".github/workflows/guide.yml",
            _WORKFLOW_HEAD + body,
            offset=_WORKFLOW_HEAD.count("\n"),
            note=tr(
                "the example is a list of steps: it is read as the steps of a one-job "
                "workflow that runs on push",
                "コード例はステップの一覧のため、push で動く 1 ジョブのワークフローの"
                "ステップとして判定",
            ),
        )
    return None
