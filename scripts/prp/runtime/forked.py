"""Run a rule's script in a new process forked from a warm one.

A figure's script imports pandas and matplotlib, a map's also cartopy,
shapely and pyproj: 1.4 s of every job before it draws anything, paid once
per figure by a ``script:`` rule. Figure rules therefore use a ``run:`` block
that calls

    run_forked(rule, "plot_top_states", input, output, params, wildcards, log)

which hands the job to one of a few worker processes that imported those
libraries (:data:`PRELOAD`) once for the whole build, and waits for it. The
worker forks, and the job runs in the fork, so each job still gets a process
of its own, as under ``script:``: whatever a script does to matplotlib's
global state stays in its job, matplotlib need not be thread-safe, and two
jobs use two cores. Inside the fork the job runs exactly as a script does
(:func:`prp.runtime.smk.run`: log file and stderr, one clear line and exit
status 1 for bad input, the provenance record), and its record lists the
project modules it imported: a worker imports third-party libraries and
this runner only (a declared input of every rule that uses it), never a
job's own modules, so ``sys.modules`` in the fork holds nothing another job
imported (:func:`prp.runtime.provenance.shared_modules`).

The workers are started with the first job, not forked from Snakemake's
threaded process but from a ``forkserver`` that imported :data:`PRELOAD`
once for all of them, and live as long as the Snakemake process, in its
process group: stopping the build stops them and their jobs.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prp.runtime.inproc import JobFailed
from prp.runtime.smk import _named, run

if TYPE_CHECKING:  # imported when the first job runs: a build with no figure to draw never pays
    from concurrent.futures import ProcessPoolExecutor

# Third-party only: a project module imported by a worker would sit in every
# job's sys.modules, so every record would list it, used or not.
PRELOAD = (
    "pandas",
    "pyarrow.parquet",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_svg",
    "cartopy.crs",
    "cartopy.mpl.geoaxes",
    "shapely.geometry",
    "pyproj",
    "fontTools.subset",
    "yaml",
)

SCRIPTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


@dataclass
class Job:
    """The attributes of Snakemake's ``snakemake`` object that
    :func:`prp.runtime.smk.run` reads, as plain (picklable) values."""

    rule: str
    script: str
    cwd: str
    scripts: str  # the folder the script is imported from
    input: dict[str, Any]
    output: dict[str, Any]
    params: dict[str, Any]
    wildcards: dict[str, Any]
    log: list[str] = field(default_factory=list)


class _LastError(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.message = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.message = record.getMessage()


def _child(job: Job) -> tuple[int, str]:
    """In the job's process: run the job as a script would run; its exit
    status and, when it failed, the message it logged."""
    os.chdir(job.cwd)
    if job.scripts not in sys.path:
        sys.path.insert(0, job.scripts)
    # run() reconfigures the root logger; it reports through the rule's own
    last = _LastError()
    logging.getLogger(job.rule).addHandler(last)
    try:
        run(importlib.import_module(job.script).main, job)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
        return code, last.message or f"rule {job.rule} failed (exit status {code})"
    except BaseException as err:  # noqa: BLE001 - reported to the parent as text
        return 1, "".join(traceback.format_exception(err)).strip()
    finally:
        logging.getLogger(job.rule).removeHandler(last)
    return 0, ""


def _in_fork(job: Job) -> tuple[int, str]:
    """In a worker: fork, run the job in the fork, return what it reported."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the job's process
        os.close(read_end)
        result: tuple[int, str] = (1, f"rule {job.rule}: the job's process failed")
        try:
            result = _child(job)
        finally:
            with os.fdopen(write_end, "wb") as fh:
                pickle.dump(result, fh)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        code = os.waitstatus_to_exitcode(status)
        return 1, f"rule {job.rule}: the job's process ended without a result (status {code})"
    return pickle.loads(data)  # noqa: S301 - written by our own fork just now


def _warm() -> None:
    """A worker's start: import the libraries every job would import."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # the job that needs it reports it
            continue


def _pool_for(workers: int) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # The workers fork from a server process that imported the
            # libraries once ("__main__" first: a worker started otherwise
            # would run Snakemake's own main script again, about 1.7 s of
            # imports each; under ``python -m snakemake`` or prp.tools.build's
            # ``python -m prp.tools.snakemake_cli`` it is skipped).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["__main__", *PRELOAD])
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm)
        return _pool


def run_forked(
    rule: str,
    script: str,
    input: Any,  # noqa: A002 - Snakemake's names
    output: Any,
    params: Any,
    wildcards: Any,
    log: Any,
) -> None:
    """Run ``scripts/<script>.py``'s ``main`` for this job in a forked
    process; raise :class:`~prp.runtime.inproc.JobFailed` with its message
    when it fails."""
    job = Job(
        rule=rule,
        script=script,
        cwd=os.getcwd(),
        scripts=SCRIPTS,
        input=_named(input),
        output=_named(output),
        params=_named(params),
        wildcards=_named(wildcards),
        log=[str(p) for p in log],
    )
    run_job(job)


def run_job(job: Job) -> None:
    """Run ``job`` in a process forked from a warm worker and wait for it;
    raise :class:`~prp.runtime.inproc.JobFailed` with its message when it
    fails (bad input: the one line the script logged; a bug: its traceback)."""
    code, message = _pool_for(os.cpu_count() or 2).submit(_in_fork, job).result()
    if code != 0:
        raise JobFailed(message)
