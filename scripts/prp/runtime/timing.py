"""Each job's wall time, CPU time and peak memory, recorded by the job itself.

Snakemake's ``benchmark:`` directive measures a job from Snakemake's own
process: a thread samples the job's process tree every half second with
psutil, reading each process's ``/proc/<pid>/smaps_rollup``. For a ``run:``
job (:mod:`prp.runtime.inproc`, :mod:`prp.runtime.forked`) that tree is
Snakemake itself with its figure workers and every other running job, so the
figures were not the job's, and the sampling was the most expensive thing
Snakemake did: in a cold build of both editions (py-spy, 50 Hz) 9.6 s of
samples in ``smaps_rollup`` alone; without the directives the build's
user + system time went from 46.6 to 39.2 s and its system time from 10.2
to 4.6 s (medians of 3 alternating cold builds).

So no rule has a ``benchmark:`` directive; the runners time the job where it
runs (``getrusage``, two clocks and two small reads of ``/proc/self``) and
write, when the job succeeds, one row to ``build/benchmarks/<the log's
path>.tsv`` (the job's log ``build/logs/render_edition/public.log`` gives
``build/benchmarks/render_edition/public.tsv``) in Snakemake's benchmark
format, so that any tool that reads those files reads these:

* ``s``, ``h:m:s``: wall time -- for a job with a process of its own
  (``script:``, or forked) from the start of that process to the end of the
  job, imports included; for an in-process job, of the job's thread;
* ``max_rss``: peak resident memory of the job's own process in MB, the
  kernel's high-water mark of its memory (``VmHWM``; for a forked job it
  starts with what the worker had resident); ``NA`` for an in-process job,
  which shares Snakemake's;
* ``max_rss_children``: for the processes it ran and waited for (pandoc,
  for a render), the largest ``ru_maxrss``, ``NA`` if none. The kernel
  counts a process started by fork and exec with the peak of its parent at
  that moment, if larger, so this is an upper bound of the largest child's
  own peak;
* ``cpu_time``: user + system time of the job's process and its children
  (of its thread, for an in-process job).
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path

from prp.data.io import write_text

LOGS, BENCHMARKS = "logs", "benchmarks"
COLUMNS = ("s", "h:m:s", "max_rss", "max_rss_children", "cpu_time")


def timing_path(log: str | Path) -> Path | None:
    """Where the timing of the job with log file ``log`` goes: the path with
    its last ``logs`` folder replaced by ``benchmarks``, ending ``.tsv``;
    ``None`` for a log outside any ``logs`` folder."""
    parts = Path(log).parts
    if LOGS not in parts[:-1]:
        return None
    at = len(parts) - 2 - parts[-2::-1].index(LOGS)
    return Path(*parts[:at], BENCHMARKS, *parts[at + 1 :]).with_suffix(".tsv")


def _log_of(log: Sequence[str] | str | None) -> str | None:
    if log is None or isinstance(log, str):
        return log
    return str(log[0]) if len(log) else None


def process_seconds() -> float:
    """Wall time since this process began (a fork: since the fork), to the
    kernel's clock tick (10 ms), from ``/proc/self/stat``."""
    with open("/proc/self/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
    return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)


def _mb(kilobytes: int) -> float:
    return kilobytes / 1024.0  # ru_maxrss and VmHWM are in KiB on Linux


def peak_rss_mb() -> float | None:
    """This process's peak resident memory in MB (``VmHWM``). Not
    ``ru_maxrss``: for a process started by fork and exec it holds the
    parent's peak when that was larger (Snakemake's, for a script job)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return _mb(int(line.split()[1]))
    except (OSError, ValueError, IndexError):
        pass
    return None


def row(wall: float, cpu: float, max_rss: float | None, children_rss: float | None) -> str:
    """The TSV text: the header and one row."""
    whole = int(wall)
    hms = f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    def mb(v: float | None) -> str:
        return "NA" if v is None else f"{v:.2f}"

    values = (f"{wall:.4f}", hms, mb(max_rss), mb(children_rss), f"{cpu:.2f}")
    return "\t".join(COLUMNS) + "\n" + "\t".join(values) + "\n"


def write(
    log: Sequence[str] | str | None,
    wall: float,
    cpu: float,
    max_rss: float | None = None,
    children_rss: float | None = None,
) -> Path | None:
    """Write a job's timing beside its log (:func:`timing_path`); nothing
    for a job without a log."""
    name = _log_of(log)
    path = timing_path(name) if name else None
    if path is None:
        return None
    write_text(path, row(wall, cpu, max_rss, children_rss))
    return path


def write_process(log: Sequence[str] | str | None) -> Path | None:
    """The timing of a job that has this process to itself (``script:`` or
    forked): since the process began, with the children it waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return write(
        log,
        process_seconds(),
        cpu,
        peak_rss_mb(),
        _mb(kids.ru_maxrss) if kids.ru_maxrss else None,
    )


class ThreadTimer:
    """The timing of an in-process job: its thread's wall and CPU time."""

    def __init__(self) -> None:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.thread_time()

    def write(self, log: Sequence[str] | str | None) -> Path | None:
        return write(log, time.perf_counter() - self.wall0, time.thread_time() - self.cpu0)
