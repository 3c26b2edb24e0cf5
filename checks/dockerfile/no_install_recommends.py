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
"""

from __future__ import annotations

import posixpath
import re

from checklists import Evidence, Outcome, Target, check
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
        if target.is_file(path):
            texts.append(target.read_text(path))
        elif target.exists(path):
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
                    yes = "" if call.assume_yes else "; no -y, so the build stops at apt's prompt"
                    shown = " ".join(command.argv)
                    if setting is False:
                        note = f"{stage_label(stage)}: `{shown}` turns recommends off{yes}"
                        good.append(parsed.at(dockerfile, instruction, note))
                    elif setting is None and configured is not None and not configured[0]:
                        line = configured[1].start_line
                        note = (
                            f"{stage_label(stage)}: `{shown}` relies on the apt configuration "
                            f"written at line {line}{yes}"
                        )
                        good.append(parsed.at(dockerfile, instruction, note))
                    else:
                        how = "turns recommends on" if setting else "installs recommended packages"
                        note = f"{stage_label(stage)}: `{shown}` {how}{yes}"
                        bad.append(parsed.at(dockerfile, instruction, note))
                if _APT_CONFIG.search(script) and "apt.conf" in script:
                    value = _config_value(script)
                    if value is not None:
                        configured = (value, instruction)
        if bad:
            return Outcome.failed(
                f"{len(bad)} of {len(bad) + len(good)} apt install(s) also install recommended "
                "packages (no --no-install-recommends)",
                *bad,
                *good,
            )
        if not good:
            return Outcome.not_applicable(
                f"the image of {dockerfile} installs no apt packages",
                parsed.at(dockerfile, build.final.from_instruction, "no apt-get/apt install"),
            )
        return Outcome.passed(
            f"all {len(good)} apt install(s) leave out recommended packages", *good
        )
