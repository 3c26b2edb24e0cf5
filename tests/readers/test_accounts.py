"""The users and groups that useradd, adduser, groupadd and addgroup create."""

from __future__ import annotations

from checks.readers.accounts import CreatedAccount, created_account
from checks.readers.shell import shell_commands


def test_useradd_reads_uid_and_primary_group_around_valued_options() -> None:
    words = shell_commands("useradd -m -s /bin/sh -u 10001 -g app app")[0]
    assert created_account(words) == CreatedAccount("user", "app", "10001", "app")
    long_form = shell_commands("/usr/sbin/useradd --uid=1000 --gid 1000 web")[0]
    assert created_account(long_form) == CreatedAccount("user", "web", "1000", "1000")


def test_busybox_adduser_takes_its_group_from_g_and_debian_from_ingroup() -> None:
    busybox = created_account(shell_commands("adduser -D -u 1001 -G app app")[0])
    assert busybox == CreatedAccount("user", "app", "1001", "app")
    debian = created_account(shell_commands("adduser --system --ingroup web web")[0])
    assert debian == CreatedAccount("user", "web", None, "web")


def test_groups_and_other_commands() -> None:
    assert created_account(["groupadd", "-g", "2000", "app"]) == CreatedAccount(
        "group", "app", "2000", None
    )
    assert created_account(["addgroup", "-S", "app"]) == CreatedAccount("group", "app", None, None)
    assert created_account(["useradd", "-u", "1000"]) is None  # no name: nothing is created
    assert created_account(["chown", "-R", "app", "/app"]) is None
    assert created_account([]) is None
