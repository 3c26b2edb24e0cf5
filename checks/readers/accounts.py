"""The users and groups a shell command creates: `useradd`, `adduser` (Debian and BusyBox),
`groupadd` and `addgroup`, read from their options as the programs read them. No judgement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checks.readers.shell import split_options

__all__ = ["CreatedAccount", "created_account"]

# Options of useradd, adduser (Debian and BusyBox) and groupadd that take a value.
_OPTIONS_WITH_VALUE = frozenset(
    {
        *("-b", "-c", "-d", "-e", "-f", "-g", "-G", "-h", "-k", "-K", "-p", "-P", "-R"),
        *("-s", "-u", "-Z", "--base-dir", "--comment", "--home-dir", "--expiredate"),
        *("--inactive", "--gid", "--groups", "--skel", "--key", "--password", "--prefix"),
        *("--root", "--shell", "--uid", "--selinux-user", "--home", "--gecos", "--ingroup"),
        *("--firstuid", "--lastuid", "--conf"),
    }
)


@dataclass(frozen=True, slots=True)
class CreatedAccount:
    """A user or a group one command creates, with the ids it asks for (as written)."""

    kind: str  # "user" or "group"
    name: str
    id: str | None  # the uid or gid asked for; None leaves it to the system
    group: str | None  # a user's primary group (name or id); None for a group


def created_account(words: Sequence[str]) -> CreatedAccount | None:
    """The account a simple command (its words) creates; None for any other command."""
    program = words[0].rsplit("/", 1)[-1] if words else ""
    options, names = split_options(list(words[1:]), _OPTIONS_WITH_VALUE)
    if not names:
        return None
    if program == "useradd":
        uid = options.get("-u") or options.get("--uid")
        group = options.get("-g") or options.get("--gid")
        return CreatedAccount("user", names[0], uid, group)
    if program == "adduser":
        uid = options.get("-u") or options.get("--uid")
        group = options.get("--gid") or options.get("--ingroup") or options.get("-G")
        return CreatedAccount("user", names[0], uid, group)
    if program in ("groupadd", "addgroup"):
        gid = options.get("-g") or options.get("--gid")
        return CreatedAccount("group", names[0], gid, None)
    return None
