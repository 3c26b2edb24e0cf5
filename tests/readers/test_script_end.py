"""Which command an entrypoint script ends with: case dispatch, functions, heredocs."""

from __future__ import annotations

from checks.readers.shell import script_end, strip_heredocs

DISPATCH = """#!/bin/bash
set -e

server() {
  echo "starting"
  exec gunicorn app:app
}

function worker {
  celery -A app worker
}

case "$1" in
  server)
    shift
    server
    ;;
  worker|celery)
    worker
    ;;
  manage)
    exec ./manage.py "$@" || echo "manage failed"
    ;;
  *)
    exec "$@"
    ;;
esac
"""


def test_the_case_branch_the_first_argument_selects_is_followed_into_functions() -> None:
    end = script_end(DISPATCH, ["server"])
    assert end is not None
    assert end.command.exec and end.command.argv[0] == "gunicorn"
    assert end.route == ("case branch server)", "function server")


def test_alternatives_wildcards_and_a_missing_first_argument() -> None:
    worker = script_end(DISPATCH, ["celery"])
    assert worker is not None and not worker.command.exec
    assert worker.route == ("case branch worker|celery)", "function worker")
    anything = script_end(DISPATCH, ["python", "-m", "app"])
    assert anything is not None and anything.command.argv == ("$@",)
    assert script_end(DISPATCH, None) is None  # the branch cannot be chosen


def test_a_command_after_or_only_runs_on_failure_and_is_skipped() -> None:
    end = script_end(DISPATCH, ["manage"])
    assert end is not None and end.command.exec and end.command.argv[0] == "./manage.py"


def test_heredoc_bodies_are_data_not_commands() -> None:
    script = (
        "#!/bin/bash\n"
        'if [ -z "$X" ]; then\n'
        "\tcat >&2 <<-EOT\n"
        "\t\tWarning: it's not set; \"quotes\" don't matter here\n"
        "\tEOT\n"
        "fi\n"
        'exec "$@"\n'
    )
    assert "Warning" not in strip_heredocs(script)
    end = script_end(script, ["nginx"])
    assert end is not None and end.command.exec and end.command.argv == ("$@",)


def test_a_script_that_does_not_tokenise_has_no_end() -> None:
    assert script_end("echo 'unbalanced\n", []) is None
