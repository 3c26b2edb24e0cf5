"""Shell scripts split into simple commands: comments, assignments and wrappers."""

from __future__ import annotations

from checks.readers.shell import command, commands, strip_comments


def test_comment_lines_do_not_swallow_later_commands() -> None:
    script = "set -e\n# install\napt-get update\napt-get install -y curl # why\nrm -rf /x\n"
    assert [c.argv for c in commands(script)] == [
        ("set", "-e"),
        ("apt-get", "update"),
        ("apt-get", "install", "-y", "curl"),
        ("rm", "-rf", "/x"),
    ]


def test_hash_inside_a_word_or_quotes_is_literal() -> None:
    assert strip_comments("echo a#b '# not' \"#no\" # yes") == "echo a\\#b '# not' \"#no\" "
    assert commands("curl http://x/#frag")[0].argv == ("curl", "http://x/#frag")
    assert commands("echo $# ${#x}")[0].argv == ("echo", "$#", "${#x}")


def test_assignments_reserved_words_and_wrappers() -> None:
    found = commands(
        "DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata && "
        "if [ -f r.txt ]; then sudo -u app env -i PATH=/bin pip install -r r.txt; fi"
    )
    first, test, install = found[0], found[1], found[2]
    assert first.assignments == {"DEBIAN_FRONTEND": "noninteractive"}
    assert first.program == "apt-get"
    assert test.program == "["
    assert install.argv == ("pip", "install", "-r", "r.txt")
    assert all(c.program != "fi" for c in found)


def test_exec_is_recorded() -> None:
    last = commands("alembic upgrade head && exec uvicorn app:app")[-1]
    assert last.exec and last.argv == ("uvicorn", "app:app")
    assert not commands("uvicorn app:app")[0].exec
    assert command(["gosu", "app", "/opt/venv/bin/python", "-m", "app"]).program == "python"


def test_unbalanced_quote_yields_nothing() -> None:
    assert commands("echo 'unterminated") == ()
