"""Minimal packages: every apt install leaves out the recommended packages.

What it checks:
    Every `apt-get install` and `apt install` in the stages that `docker build` builds for
    the target stage (parameter `target`; by default the last stage, as without `--target`):
    the image's stages and the builder stages it copies from, whose packages cost build time
    and build cache. A stage the target does not build is not judged. Shell form, exec form
    and heredocs, with `&&`, `;`, pipes and line continuations (also under a `# escape=`
    backtick), behind `sudo`, `env` or `VAR=value` — turns off
    APT::Install-Recommends, read the way apt's own command-line parser reads it:
    `--no-install-recommends` anywhere on the line, `--install-recommends=no` (or false,
    0, off), or `-o APT::Install-Recommends=false` / `-oAPT::Install-Recommends=0`; the
    last one on the line wins, as in apt. A setting written earlier in the same image to
    apt's configuration (`echo 'APT::Install-Recommends "false";' >
    /etc/apt/apt.conf.d/...` in a RUN, or a COPY of such a file or heredoc into
    /etc/apt/apt.conf.d/) counts for the installs after it. Whether the install answers
    its prompt itself (`-y`, `--yes`, `--assume-yes`, `-qq`) is noted in the evidence:
    without it `docker build` stops at apt's question. A Dockerfile without apt installs
    is not applicable. `aptitude` and `apt-get upgrade` are not judged.

    Like hadolint's DL3015, but it follows apt's real option syntax (DL3015 only knows
    the `--no-install-recommends` spelling) and apt configuration files.

Why it matters:
    Debian installs every recommended package by default; for a few runtime libraries
    that often doubles what lands in the image (the guide: about 40% smaller) and adds
    packages that nobody asked for, each one more thing for scanners to report and for
    attackers to use.

How to fix:
    Add `--no-install-recommends` to every install, for example
    `RUN apt-get update && apt-get install -y --no-install-recommends libffi8 libssl3
    curl && rm -rf /var/lib/apt/lists/*`, and add explicitly any recommended package
    the application really needs.

日本語: 最小限の依存関係: すべての apt install で推奨パッケージを除外する

何を確認するか:
    対象ステージ（パラメータ `target`。省略時は `--target` なしと同じく最後のステージ）の
    ために `docker build` がビルドするステージ、つまりイメージのステージと、イメージが
    コピー元にする builder ステージ（そのパッケージもビルド時間とビルドキャッシュを使います）
    にあるすべての `apt-get install` と `apt install` が、APT::Install-Recommends を無効に
    していることを確認します。対象ステージがビルドしないステージは判定しません。シェル形式、
    exec 形式、ヒアドキュメント、`&&`、`;`、パイプ、行継続（`# escape=` のバッククォートも）、
    `sudo`、`env`、`VAR=value` の後ろにあるものも読み、apt 自身のコマンドライン解析と同じく、
    行のどこかにある `--no-install-recommends`、`--install-recommends=no`（false、0、off も）、
    `-o APT::Install-Recommends=false` / `-oAPT::Install-Recommends=0` を認めます。apt と
    同じく行の最後の指定が有効です。同じイメージで先に apt の設定に書いた指定
    （RUN での `echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/...`、
    そうしたファイルやヒアドキュメントを /etc/apt/apt.conf.d/ に COPY したもの）は、それ以降の
    インストールに効きます。インストールが確認プロンプトに自動で答えるか（`-y`、`--yes`、
    `--assume-yes`、`-qq`）も根拠に記します。答えないと `docker build` は apt の問いで
    止まります。apt のインストールがない Dockerfile は対象外です。`aptitude` と
    `apt-get upgrade` は判定しません。

    hadolint の DL3015 に相当しますが、apt の実際のオプション構文（DL3015 が知っているのは
    `--no-install-recommends` の綴りだけです）と apt の設定ファイルに従います。

なぜ重要か:
    Debian は既定で推奨パッケージをすべてインストールします。いくつかのランタイムライブラリの
    ためにイメージに入るものが倍になることも珍しくなく（ガイドでは約40%の削減）、誰も求めて
    いないパッケージが増えます。そのどれもがスキャナーに報告され、攻撃者に使われうるものです。

修正方法:
    すべてのインストールに `--no-install-recommends` を付けます。例:
    `RUN apt-get update && apt-get install -y --no-install-recommends libffi8 libssl3
    curl && rm -rf /var/lib/apt/lists/*`。アプリケーションが本当に必要とする推奨パッケージは
    明示的に追加します。
"""

from __future__ import annotations

import posixpath
import re

from checklists import Evidence, Outcome, Target, check, tr
from checks.common import ParsedDockerfile, context_of, load_build, stage_label
from checks.dockerfile._errors import located
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import Stage, copy_parts, expand, shell_script
from checks.readers.package_commands import apt_bool, apt_call
from checks.readers.shell import commands

_APT_CONFIG = re.compile(r"""APT::Install-Recommends\s*"?\s*([A-Za-z0-9]+)\s*"?\s*;?""", re.I)
_CONFIG_PATHS = ("/etc/apt/apt.conf.d/", "/etc/apt/apt.conf")


def _config_value(text: str) -> bool | None:
    """The last APT::Install-Recommends value a configuration text sets, if any."""
    values = [apt_bool(m.group(1)) for m in _APT_CONFIG.finditer(text)]
    values = [v for v in values if v is not None]
    return values[-1] if values else None


def _copied_config(
    target: Target, parsed: ParsedDockerfile, instruction: Instruction, context: str
) -> bool | None:
    """What a COPY/ADD into apt's configuration sets Install-Recommends to, if anything."""
    parts = copy_parts(instruction)
    dest = expand(parts.dest, {}, escape=parsed.dockerfile.escape).text
    if not dest.startswith(_CONFIG_PATHS):
        return None
    texts = [file.data for file in parts.files]
    for source in parts.sources:
        path = posixpath.normpath(posixpath.join(context, source.lstrip("/")))
        found = target.kind(path)  # a COPY source may be a file or a folder
        if found == "file":
            texts.append(target.read_text(path))
        elif found == "directory":
            texts.extend(target.read_text(f) for f in target.files(path))
    values = [v for v in (_config_value(t) for t in texts) if v is not None]
    return values[-1] if values else None


def _stage_runs(parsed: ParsedDockerfile, stage: Stage) -> list[tuple[Stage, Instruction]]:
    """The instructions that shape `stage`'s image, each with the stage it belongs to."""
    return [
        (link, instruction) for link in parsed.chain(stage) for instruction, _ in parsed.walk(link)
    ]


@check("dockerfile.no_install_recommends", severity="low", related=("hadolint:DL3015",))
def no_install_recommends(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
    target: str | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        folder = context_of(dockerfile, context)
        good: list[Evidence] = []
        bad: list[Evidence] = []
        for stage in build.built:
            configured: tuple[bool, Instruction] | None = None
            for link, instruction in _stage_runs(parsed, stage):
                if instruction.keyword in ("copy", "add"):
                    value = _copied_config(repo, parsed, instruction, folder)
                    if value is not None:
                        configured = (value, instruction)
                    continue
                if instruction.keyword != "run":
                    continue
                script = shell_script(instruction)
                for command in commands(script):
                    written = " ".join(command.words)
                    if "apt.conf" in written and (value := _config_value(written)) is not None:
                        configured = (value, instruction)
                    call = apt_call(command)
                    if call is None or call.action != "install" or link is not stage:
                        continue
                    setting = call.install_recommends
                    yes = (
                        ""
                        if call.assume_yes
                        else tr(
                            "; no -y, so the build stops at apt's prompt",
                            "（-y がないため、ビルドは apt の確認で止まる）",
                        )
                    )
                    shown = " ".join(command.argv)
                    label = stage_label(stage)
                    if setting is False:
                        note = tr(
                            "{stage}: `{shown}` turns recommends off{yes}",
                            "{stage}: `{shown}` は推奨パッケージを無効化{yes}",
                            stage=label,
                            shown=shown,
                            yes=yes,
                        )
                        good.append(parsed.at(dockerfile, instruction, note))
                    elif setting is None and configured is not None and not configured[0]:
                        note = tr(
                            "{stage}: `{shown}` relies on the apt configuration written at line "
                            "{line}{yes}",
                            "{stage}: `{shown}` は {line} 行目で書いた apt の設定に従う{yes}",
                            stage=label,
                            shown=shown,
                            line=configured[1].start_line,
                            yes=yes,
                        )
                        good.append(parsed.at(dockerfile, instruction, note))
                    else:
                        if setting:
                            note = tr(
                                "{stage}: `{shown}` turns recommends on{yes}",
                                "{stage}: `{shown}` は推奨パッケージを有効化{yes}",
                                stage=label,
                                shown=shown,
                                yes=yes,
                            )
                        else:
                            note = tr(
                                "{stage}: `{shown}` installs recommended packages{yes}",
                                "{stage}: `{shown}` は推奨パッケージもインストール{yes}",
                                stage=label,
                                shown=shown,
                                yes=yes,
                            )
                        bad.append(parsed.at(dockerfile, instruction, note))
                if _APT_CONFIG.search(script) and "apt.conf" in script:
                    value = _config_value(script)
                    if value is not None:
                        configured = (value, instruction)
        if bad:
            return Outcome.failed(
                tr(
                    "{bad} of {total} apt install(s) also install recommended packages (no "
                    "--no-install-recommends)",
                    "apt install {total} 件中 {bad} 件が推奨パッケージもインストール"
                    "（--no-install-recommends なし）",
                    bad=len(bad),
                    total=len(bad) + len(good),
                ),
                *bad,
                *good,
            )
        if not good:
            return Outcome.not_applicable(
                tr(
                    "the image of {dockerfile} installs no apt packages",
                    "{dockerfile} のイメージは apt パッケージをインストールしない",
                    dockerfile=dockerfile,
                ),
                parsed.at(
                    dockerfile,
                    build.final.from_instruction,
                    tr("no apt-get/apt install", "apt-get/apt install なし"),
                ),
            )
        return Outcome.passed(
            tr(
                "all {count} apt install(s) leave out recommended packages",
                "apt install {count} 件すべてが推奨パッケージを除外",
                count=len(good),
            ),
            *good,
        )
