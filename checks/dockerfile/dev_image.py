"""Development image: a server that reloads on code changes, and the development tools.

What it checks:
    The image `docker build` produces for the development Dockerfile (the environment's
    `dockerfile`, e.g. 開発 → `backend/Dockerfile.dev`, or the `dockerfile` parameter;
    stage `target`, by default the last) does what the guide's 基本方針 says a development
    image is for:
    - hot reload: its ENTRYPOINT/CMD runs a server that reloads when the code changes
      (`uvicorn ... --reload`, hypercorn, gunicorn or granian with `--reload`,
      `flask run --debug`, Django's `runserver` without `--noreload`, `fastapi dev`,
      `watchmedo auto-restart`, nodemon);
    - development tools: a RUN of the image installs development dependencies: a
      development extra of the project (`pip install -e ".[dev]"`), a requirements file
      named for development or tests, a dependency group, tools such as pytest, ruff or
      mypy by name, or a dependency manager that installs the development group by default
      (`uv sync`, `poetry install`, `pdm install`, `npm ci`) without the option that leaves
      it out.
    A command inherited from the base image (no ENTRYPOINT or CMD in the Dockerfile) cannot
    be seen: unknown. A `command:` of a Compose service is not read.

Why it matters:
    A development image without reload makes every edit a rebuild, and one without the
    test and lint tools sends developers back to their own machines, which is what the
    image was meant to make unnecessary.

How to fix:
    Install the development extra in the development Dockerfile (`pip install -e
    ".[dev]"`) and start the server with reload (`CMD ["uvicorn", "src.main:app",
    "--host", "0.0.0.0", "--reload"]`), with the source bind-mounted.

日本語: 開発イメージ: コード変更で再読み込みするサーバーと開発ツール

何を確認するか:
    開発用 Dockerfile（環境の `dockerfile`。例: 開発 → `backend/Dockerfile.dev`、または
    パラメータ `dockerfile`。ステージは `target`、省略時は最後のステージ）から
    `docker build` が作るイメージが、ガイドの基本方針にある開発イメージの役割を果たすことを
    確認します:
    - ホットリロード: ENTRYPOINT/CMD がコードの変更で再読み込みするサーバーを起動すること
      （`uvicorn ... --reload`、`--reload` 付きの hypercorn・gunicorn・granian、
      `flask run --debug`、`--noreload` なしの Django の `runserver`、`fastapi dev`、
      `watchmedo auto-restart`、nodemon）。
    - 開発ツール: イメージの RUN が開発用の依存関係をインストールすること。プロジェクトの
      開発用 extra（`pip install -e ".[dev]"`）、開発やテスト用と分かる名前の requirements
      ファイル、依存関係グループ、pytest・ruff・mypy などのツール名の指定、既定で開発
      グループを入れる依存関係マネージャー（`uv sync`、`poetry install`、`pdm install`、
      `npm ci`）で、それを外すオプションがないもの。
    ベースイメージから受け継ぐコマンド（Dockerfile に ENTRYPOINT も CMD もない）は見えない
    ため unknown です。Compose サービスの `command:` は読みません。

なぜ重要か:
    再読み込みのない開発イメージでは編集のたびにビルドし直すことになり、テストや lint の
    ツールがなければ開発者は結局自分のマシンに戻ります。それを不要にするのがこのイメージの
    目的です。

修正方法:
    開発用 Dockerfile で開発用 extra をインストールし（`pip install -e ".[dev]"`）、
    サーバーを再読み込み付きで起動します（`CMD ["uvicorn", "src.main:app", "--host",
    "0.0.0.0", "--reload"]`）。ソースはバインドマウントします。
"""

from __future__ import annotations

from checklists import Environment, Evidence, Outcome, Target, check, join, tr
from checks.common import load_build, stage_label
from checks.dockerfile._errors import located
from checks.dockerfile._roles import dev_installs, reload_server


@check("dockerfile.dev_image", severity="low", related=())
def dev_image(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    environment: Environment | None = None,
) -> Outcome:
    if environment is not None:
        dockerfile = str(environment.options.get("dockerfile", dockerfile))
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        config = build.config
        installs = dev_installs(build)
    evidence: list[Evidence] = []
    problems = []
    process = config.cmd or config.entrypoint
    reload = reload_server(config)
    if reload is not None and process is not None:
        evidence.append(
            parsed.at(
                dockerfile,
                process.instruction,
                tr("hot reload: `{command}`", "ホットリロード: `{command}`", command=reload),
            )
        )
    elif process is None:
        problems.append(
            tr(
                "no ENTRYPOINT or CMD: the command comes from the base image, which is not seen",
                "ENTRYPOINT も CMD もない: コマンドはベースイメージから受け継ぐため見えない",
            )
        )
    else:
        problems.append(
            tr(
                "the image's command does not reload on code changes",
                "イメージのコマンドはコードの変更で再読み込みしない",
            )
        )
        evidence.append(
            parsed.at(
                dockerfile,
                process.instruction,
                tr("no reload option", "再読み込みのオプションなし"),
            )
        )
    for found in installs:
        evidence.append(
            parsed.at(
                dockerfile,
                found.instruction,
                tr(
                    "{stage}: development tools: `{command}` ({what})",
                    "{stage}: 開発ツール: `{command}`（{what}）",
                    stage=stage_label(found.stage),
                    command=found.command,
                    what=found.what,
                ),
            )
        )
    if not installs:
        problems.append(
            tr(
                "no RUN of the image installs development dependencies",
                "イメージの RUN に開発用の依存関係のインストールがない",
            )
        )
    if not problems:
        return Outcome.passed(
            tr(
                "{dockerfile}: hot reload and development tools",
                "{dockerfile}: ホットリロードと開発ツールあり",
                dockerfile=dockerfile,
            ),
            *evidence,
        )
    summary = tr(
        "{dockerfile}: {problems}",
        "{dockerfile}: {problems}",
        dockerfile=dockerfile,
        problems=join(problems, "; ", "。"),
    )
    if process is None and installs:
        return Outcome.unknown(summary, *evidence)
    return Outcome.failed(summary, *evidence)
