"""Non-root user: the final image runs as a user other than root.

What it checks:
    The effective user of the image built for the target stage (parameter `target`; by
    default the last stage, as `docker build` without `--target`), the one the container
    starts with. It follows that stage and the earlier stages it is built FROM, expands ARG
    and ENV defaults the way BuildKit does (`ARG UID=0` then `USER $UID` is root), and
    treats `USER root`, `USER 0`, `root:root` and `0:0` as root. No USER at all means the
    base image's user, which is root for the official images; only a base whose tag names
    the `nonroot` variant (distroless `:nonroot`, `:debug-nonroot`: uid 65532) runs as
    another user by default. A USER set only in a builder stage, or in a stage the target
    does not build, does not reach the image and does not count. A user created with uid 0
    (`useradd -o -u 0 app`) is root under another name. With the parameters `uid` / `gid` it
    also checks that the user is created with those fixed ids (`useradd -u`, `groupadd -g`,
    or a numeric `USER uid:gid`). A USER that depends on a build argument without a default
    cannot be judged and is reported as unknown.

    Unlike hadolint's DL3002, which only flags a last `USER root`, a missing USER fails
    here, as in Trivy's DS-0002 and Checkov's CKV_DOCKER_3.

Why it matters:
    A process that runs as root in the container is root on the host when it escapes the
    container, and can modify everything in the image at run time. Fixed ids keep file
    ownership on volumes predictable (CIS Docker Benchmark 4.1).

How to fix:
    In the final stage create a dedicated user with fixed ids and switch to it after the
    files are in place:
    `RUN groupadd -g 1000 appuser && useradd -m -u 1000 -g appuser appuser` then
    `USER appuser`.
"""

from __future__ import annotations

from dataclasses import dataclass

from checklists import Evidence, Outcome, Target, check
from checklists.errors import InputError
from checks.common import (
    ParsedDockerfile,
    load_build,
    read_base,
    shell_commands,
    split_options,
    stage_label,
)
from checks.dockerfile._errors import located
from checks.readers.build_model import Build
from checks.readers.dockerfile import Instruction
from checks.readers.dockerfile_model import Stage, shell_script

# Options of useradd, adduser (Debian and BusyBox) and groupadd that take a value.
_USER_OPTIONS_WITH_VALUE = frozenset(
    {
        *("-b", "-c", "-d", "-e", "-f", "-g", "-G", "-h", "-k", "-K", "-p", "-P", "-R"),
        *("-s", "-u", "-Z", "--base-dir", "--comment", "--home-dir", "--expiredate"),
        *("--inactive", "--gid", "--groups", "--skel", "--key", "--password", "--prefix"),
        *("--root", "--shell", "--uid", "--selinux-user", "--home", "--gecos", "--ingroup"),
        *("--firstuid", "--lastuid", "--conf"),
    }
)


@dataclass(frozen=True, slots=True)
class Account:
    """A user or group created by a RUN command."""

    name: str
    id: str | None
    group: str | None  # the primary group (name or id) of a user
    instruction: Instruction


def _accounts(build: Build) -> tuple[dict[str, Account], dict[str, Account]]:
    """Users and groups created in the image's chain of stages, by name."""
    users: dict[str, Account] = {}
    groups: dict[str, Account] = {}
    for _, instruction, _ in build.walk_chain():
        if instruction.keyword != "run":
            continue
        for words in shell_commands(shell_script(instruction)):
            program = words[0].rsplit("/", 1)[-1]
            options, names = split_options(words[1:], _USER_OPTIONS_WITH_VALUE)
            if not names:
                continue
            if program == "useradd":
                uid, group = options.get("-u") or options.get("--uid"), options.get("-g")
                group = group or options.get("--gid")
                users[names[0]] = Account(names[0], uid, group, instruction)
            elif program == "adduser":
                uid = options.get("-u") or options.get("--uid")
                group = options.get("--gid") or options.get("--ingroup") or options.get("-G")
                users[names[0]] = Account(names[0], uid, group, instruction)
            elif program in ("groupadd", "addgroup"):
                gid = options.get("-g") or options.get("--gid")
                groups[names[0]] = Account(names[0], gid, None, instruction)
    return users, groups


def _is_root(user: str) -> bool:
    return user == "root" or (user.isdigit() and int(user) == 0)


@check(
    "dockerfile.non_root_user",
    severity="high",
    related=("hadolint:DL3002", "trivy:DS-0002", "checkov:CKV_DOCKER_3"),
)
def non_root_user(
    repo: Target,
    *,
    dockerfile: str = "Dockerfile",
    target: str | None = None,
    uid: int | None = None,
    gid: int | None = None,
) -> Outcome:
    with located(dockerfile):
        parsed, build = load_build(repo, dockerfile, target)
        return _judge(parsed, build, dockerfile, uid, gid)


def _tag(stage: Stage, dockerfile: str) -> str | None:
    """The tag of the stage's base image; None for scratch, none, or a reference that only a
    build argument makes valid (an empty digest default)."""
    if stage.base == "scratch":
        return None
    try:
        return read_base(stage, dockerfile).tag
    except InputError:
        return None


def _base_user(parsed: ParsedDockerfile, build: Build, dockerfile: str) -> Outcome:
    """No USER in the image's chain: the user is the base image's default."""
    final, root = build.final, build.root
    base = root.base
    elsewhere = [
        parsed.at(dockerfile, i, f"USER in {stage_label(s)}, which the image does not build on")
        for s in parsed.stages
        if not build.in_image(s)
        for i in s.instructions
        if i.keyword == "user"
    ]
    where = parsed.at(dockerfile, final.from_instruction, f"final {stage_label(final)}")
    tag = _tag(root, dockerfile)
    if tag is not None and "nonroot" in tag.lower().split("-"):
        return Outcome.passed(
            f"the image sets no USER and runs as the default user of {base}: the `nonroot` "
            "variant of distroless images runs as uid 65532 (nonroot)",
            where,
            parsed.at(dockerfile, root.from_instruction, f"the image's base: {base}"),
            *elsewhere,
        )
    return Outcome.failed(
        f"the final stage sets no USER, so the container runs as the user of "
        f"{base or 'its base image'}, which is root",
        where,
        *elsewhere,
    )


def _judge(
    parsed: ParsedDockerfile, build: Build, dockerfile: str, uid: int | None, gid: int | None
) -> Outcome:
    setting = build.config.user
    if setting is None:
        return _base_user(parsed, build, dockerfile)
    instruction, value, unresolved = setting.instruction, setting.value, setting.unresolved
    if unresolved:
        names = ", ".join(sorted(unresolved))
        return Outcome.unknown(
            f"USER depends on the build argument(s) {names}, which have no default",
            parsed.at(dockerfile, instruction, "the effective USER of the final stage"),
        )
    user, _, group = value.partition(":")
    where = parsed.at(dockerfile, instruction, f"the final stage runs as {value!r}")
    if not user:
        return Outcome.failed(f"USER {value!r} names no user", where)
    if _is_root(user):
        return Outcome.failed(f"the final stage runs as root ({value!r})", where)
    users, groups = _accounts(build)
    account = users.get(user)
    created = [parsed.at(dockerfile, account.instruction, f"creates {user}")] if account else []
    if account and account.id is not None and account.id.isdigit() and int(account.id) == 0:
        return Outcome.failed(f"{user} is created with uid 0, which is root", where, *created)
    problems: list[str] = []
    evidence: list[Evidence] = [where, *created]
    unknowns: list[str] = []
    if uid is not None:
        actual = user if user.isdigit() else (account.id if account else None)
        if account is None and not user.isdigit():
            unknowns.append(
                f"{user} is not created in {dockerfile}; its uid comes from the base image"
            )
        elif actual is None or not actual.isdigit() or int(actual) != uid:
            problems.append(
                f"{user} has uid {actual or 'unset (assigned by the system)'}, not {uid}"
            )
    if gid is not None:
        primary = group or (account.group if account else None)
        if primary is not None and not primary.isdigit() and primary in groups:
            creation = groups[primary].instruction
            if account is None or creation is not account.instruction:  # one excerpt per RUN
                evidence.append(parsed.at(dockerfile, creation, f"creates group {primary}"))
            primary = groups[primary].id
        if primary is None and account is None and not user.isdigit():
            unknowns.append(f"the primary group of {user} comes from the base image")
        elif primary is None or not primary.isdigit() or int(primary) != gid:
            problems.append(f"the primary group id is {primary or 'unset'}, not {gid}")
    if problems:
        return Outcome.failed("; ".join(problems), *evidence)
    if unknowns:
        return Outcome.unknown("; ".join(unknowns), *evidence)
    ids = f" (uid {uid}, gid {gid})" if uid is not None and gid is not None else ""
    return Outcome.passed(f"the final stage runs as {value}{ids}", *evidence)
