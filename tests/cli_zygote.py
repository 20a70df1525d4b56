"""Run many command lines as separate processes without paying torch's import for each one.

``python tests/cli_zygote.py`` reads a JSON list of cases from stdin, imports the command
modules once, then forks one process per case (a few at a time). Each child points its
stdin, stdout and stderr at the case's files and runs the module exactly as ``python -m
MODULE ARGS`` does (``runpy``, ``__main__``): an uncaught exception prints its traceback
and exits 1, and the exit flushes stdout and reports a failure there as the interpreter does
(status 120). The exit statuses come back as JSON on stdout, with the seconds each took.

A case: ``{"module", "argv", "stdout", "stderr", "stdin" (a file, default /dev/null),
"env" (extra variables), "setup" (Python run in the child first, e.g. to make a disk full)}``.
"""

from __future__ import annotations

import atexit
import importlib
import io
import json
import os
import runpy
import sys
import time

PRELOAD = ("labeling.__main__", "inference.__main__", "inference.evaluate", "inference.render", "training.train")
PARALLEL = 3


def child(case: dict) -> None:
    """Become the command of ``case``; never returns."""
    os.dup2(os.open(case.get("stdin") or os.devnull, os.O_RDONLY), 0)
    device = case["stdout"].startswith("/dev/")  # /dev/full: never made or truncated as a file
    os.dup2(os.open(case["stdout"], os.O_WRONLY | (0 if device else os.O_CREAT | os.O_TRUNC), 0o644), 1)
    os.dup2(os.open(case["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    os.environ.update(case.get("env") or {})
    sys.argv = [case["module"], *case["argv"]]
    sys.modules.pop(case["module"], None)  # python -m has not imported it yet either
    try:
        if case.get("setup"):
            exec(case["setup"], {})
        runpy.run_module(case["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exit_status(exc.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    os._exit(finish_like_python(code))


def exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` gives, as the interpreter reads it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def finish_like_python(code: int) -> int:
    """What the interpreter's exit does that a command can notice: atexit functions, then flushing stdout,
    whose failure it reports (``Exception ignored``) with status 120. The rest of its clean-up (seconds, with
    torch loaded) only frees memory, so the child leaves with ``os._exit`` instead."""
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except Exception as exc:  # noqa: BLE001 - reported as the interpreter reports it
        print(f"Exception ignored in: {sys.stdout!r}\n{type(exc).__name__}: {exc}", file=sys.stderr)
        code = 120
    sys.stderr.flush()
    return code


def main() -> None:
    cases = json.load(sys.stdin)
    sys.path[0] = os.getcwd()  # as python -m has it: the packages of the working directory, not of tests/
    for module in PRELOAD:
        importlib.import_module(module)
    codes: list[int | None] = [None] * len(cases)
    seconds: list[float] = [0.0] * len(cases)
    running: dict[int, int] = {}
    started: dict[int, float] = {}

    def finish(pid: int, status: int) -> None:
        k = running.pop(pid)
        codes[k], seconds[k] = os.waitstatus_to_exitcode(status), round(time.monotonic() - started.pop(pid), 2)

    for k, case in enumerate(cases):
        while len(running) >= PARALLEL:
            finish(*os.wait())
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(case)
        running[pid], started[pid] = k, time.monotonic()
    while running:
        finish(*os.wait())
    json.dump({"codes": codes, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
