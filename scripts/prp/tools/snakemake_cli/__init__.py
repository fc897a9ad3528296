"""``python -m prp.tools.snakemake_cli [arguments]`` -- Snakemake's command
line, as ``python -m snakemake``, without the second it spends exiting.

Once Snakemake's ``main`` has returned, every job has finished and every
record is written, yet the process took up to a second more to end:

* Snakemake's scheduler arms a one-second ``threading.Timer`` (the re-check
  of its job rate limiter) on every pass of its loop, and Python waits for
  such threads before it exits. With the scheduler gone, the timers have
  nothing left to wake: they are cancelled.
* The interpreter then tears down its ~1,500 modules and their objects, about
  0.4 s on two cores, which a build of any size pays, a no-op included.
  :func:`exit_now` does what an exit must -- joins the remaining threads
  and runs the exit hooks (``concurrent.futures``' shutdown of the figure
  workers, ``atexit``: logging's flush), flushes standard output and error --
  and ends the process without the teardown.

The exit status and everything Snakemake wrote are its own.

A package run through its ``__main__``, like Snakemake itself: the figure
workers (:mod:`prp.runtime.forked`, forkserver) then do not import it again,
so the project code in a worker is only what its job imports.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def cancel_timers() -> int:
    """Cancel the pending ``threading.Timer`` threads; return how many."""
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    for timer in timers:
        timer.cancel()
    return len(timers)


def exit_status(code: object) -> int:
    """The process exit status for ``SystemExit(code)``, as Python gives it
    (a message is printed to stderr and gives 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    from snakemake.cli import main as snakemake

    try:
        snakemake(argv)
    except SystemExit as done:
        return exit_status(done.code)
    return 0  # pragma: no cover - Snakemake's main always exits


def exit_now(status: int) -> NoReturn:
    """End the process with ``status`` after the threads and exit hooks an
    ordinary exit runs, skipping the interpreter's teardown (where this
    Python has no ``threading._shutdown``, an ordinary exit)."""
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None:  # pragma: no cover - another Python implementation
        sys.exit(status)
    cancel_timers()
    shutdown()  # joins non-daemon threads; runs threading's exit hooks
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed: nothing to flush into
            stream.flush()
    os._exit(status)
