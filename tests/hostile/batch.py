"""Run many `checklists check` and `mkdocs build` invocations fast, each in a process of its
own with a hard wall-clock limit.

One Python process imports the command line, MkDocs and the check library once, then forks
a child per job: the child changes into the job's folder, sends stdout and stderr to files
and calls the real entry point (`checklists.cli.main`, MkDocs' click command) as the
installed scripts do; an exception that escapes is printed as the interpreter would print
it (a traceback). The parent kills a child that outlives its limit, with every process it
started (by session: the engine's worker makes a process group of its own), and records
it as hung. Two jobs run at a time.

    python -m tests.hostile.batch PLAN.json RESULTS.json

PLAN is a list of {"name", "kind": "cli"|"build", "cwd", "args", "env", "limit"}; RESULTS
maps "name:kind" to {"exit", "hung", "leftover" (processes the job left running),
"seconds", "stdout", "stderr"}.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

PARALLEL = 2
KEEP = 20_000  # characters of stdout and stderr kept from each end


def _child(job: dict[str, Any], out: str, err: str) -> int:
    os.setsid()  # its own session: every process it starts can be found and ended
    os.chdir(job["cwd"])
    for key, value in job.get("env", {}).items():
        os.environ[key] = value
        if key == "PYTHONPATH":  # the interpreter read it at start: apply it as it would
            sys.path[:0] = [str(Path(part).resolve()) for part in value.split(os.pathsep)]
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    for fd, name in ((1, out), (2, err)):
        handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(handle, fd)
        os.close(handle)
    try:
        if job["kind"] == "cli":
            from checklists.cli.main import main

            return int(main(job["args"]) or 0)
        from mkdocs.__main__ import cli

        cli.main(args=job["args"], prog_name="mkdocs", standalone_mode=True)
    except SystemExit as stop:
        code = stop.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
            return 1
        return int(code or 0)
    except BaseException:  # noqa: BLE001 - what the interpreter would print: a traceback
        traceback.print_exc()
        return 1
    return 0


def _start(job: dict[str, Any], folder: Path) -> tuple[int, float, str, str]:
    out = str(folder / f"{job['name']}.{job['kind']}.out")
    err = str(folder / f"{job['name']}.{job['kind']}.err")
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit only
        code = 70
        try:
            code = _child(job, out, err)
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
    return pid, time.monotonic(), out, err


def _session_members(session: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):  # noqa: PTH208 - names only, thousands of them
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stream:  # noqa: PTH123
                fields = stream.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # after the name: state, ppid, pgrp, session
            found.append(int(entry))
    return found


def _end_session(session: int) -> None:
    """Kill every process of the job's session (the job, the engine's worker, programs)."""
    for _ in range(5):
        members = _session_members(session)
        if not members:
            return
        for pid in members:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _read(path: str) -> str:
    try:
        text = Path(path).read_bytes().decode("utf-8", "backslashreplace")
    except OSError:
        return ""
    if len(text) > 2 * KEEP:
        text = text[:KEEP] + "\n[...]\n" + text[-KEEP:]
    return text


def run(plan: list[dict[str, Any]], folder: Path) -> dict[str, dict[str, Any]]:
    waiting = list(plan)
    running: dict[int, tuple[dict[str, Any], float, str, str]] = {}
    results: dict[str, dict[str, Any]] = {}
    while waiting or running:
        while waiting and len(running) < PARALLEL:
            job = waiting.pop(0)
            pid, started, out, err = _start(job, folder)
            running[pid] = (job, started, out, err)
        time.sleep(0.005)
        for pid, (job, started, out, err) in list(running.items()):
            done, code = os.waitpid(pid, os.WNOHANG)
            hung = not done and time.monotonic() - started > job["limit"]
            if hung:
                _end_session(pid)
                done, code = os.waitpid(pid, 0)
            if not done:
                continue
            leftover = len(_session_members(pid))  # what it left running: nothing, or a bug
            _end_session(pid)
            del running[pid]
            exit_code = os.waitstatus_to_exitcode(code)
            key = f"{job['name']}:{job['kind']}"
            results[key] = {
                "exit": exit_code,
                "hung": hung,
                "leftover": 0 if hung else leftover,
                "seconds": round(time.monotonic() - started, 3),
                "stdout": _read(out),
                "stderr": _read(err),
            }
    return results


def warm_up() -> None:
    """Import what every job needs once, so each child starts with it loaded."""
    import mkdocs.__main__
    import mkdocs.commands.build
    import mkdocs.themes  # noqa: F401

    import checklists.cli.main
    import checklists.site.plugin  # noqa: F401
    from checklists.core.registry import load_packages

    load_packages(["checks"])


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text("utf-8"))
    output = Path(argv[1])
    folder = output.parent / "logs"
    folder.mkdir(exist_ok=True)
    warm_up()
    results = run(plan, folder)
    output.write_text(json.dumps(results, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
