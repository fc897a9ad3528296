"""Run a rule's script inside Snakemake's own process.

Starting a Python interpreter and importing pandas costs about a second per
job, while validating a table of a few dozen rows takes a few milliseconds.
Rules with many small jobs therefore use a ``run:`` block that calls

    run_in_process(rule, "validate_dataset", input, output, params, wildcards, log)

with Snakemake's ``force-use-threads`` setting (profiles/default), so the job
runs in a thread of the Snakemake process: the script's module is imported
once, its ``main(inputs, outputs, params)`` is called exactly as
:func:`prp.runtime.smk.run` calls it in a separate process, the job's log goes
to its log file, and its provenance record is written the same way. Each job
still has its own outputs, log and record, so editing one input reruns one
job.

Two differences from a separate process, both handled here:

* logging: a handler on the job's log file that takes only the records of
  this thread (jobs run side by side);
* provenance: the imported modules cannot be read from ``sys.modules`` (the
  process holds the whole workflow's imports), so the record lists the code
  the rule declares -- the script's import closure, derived by
  :mod:`prp.runtime.deps` -- and ``tests/unit/test_inproc.py`` checks in a
  fresh process that running the script imports nothing else.

Only scripts that keep no global state may run this way (no matplotlib).
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from prp.data.errors import InputError
from prp.runtime.timing import ThreadTimer

FORMAT = "%(levelname)s %(name)s: %(message)s"


class _ThisThread(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.ident = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread == self.ident


class _Job:
    """The attributes of Snakemake's ``snakemake`` object that the provenance
    record reads."""

    def __init__(self, rule: str, wildcards: Any, input: Any, params: Any) -> None:  # noqa: A002
        self.rule, self.wildcards, self.input, self.params = rule, wildcards, input, params


class JobFailed(RuntimeError):
    """Bad input (one line, as a separate process would print it)."""


def run_in_process(
    rule: str,
    script: str,
    input: Any,  # noqa: A002 - Snakemake's names
    output: Any,
    params: Any,
    wildcards: Any,
    log: Any,
) -> None:
    from prp.runtime.smk import _named, record_provenance

    root = logging.getLogger()
    handler: logging.Handler | None = None
    if len(log):
        handler = logging.FileHandler(log[0], mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(_ThisThread())
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    job_log = logging.getLogger(rule)
    outputs = _named(output)
    timer = ThreadTimer()
    try:
        module = importlib.import_module(script)
        module.main(_named(input), outputs, dict(params.items()))
        if "provenance" in outputs:
            record_provenance(_Job(rule, wildcards, input, params), outputs, in_process=True)
        timer.write(log)
    except InputError as err:
        job_log.error("%s", err)
        raise JobFailed(str(err)) from None
    except Exception:
        job_log.exception("rule %s failed", rule)
        raise
    finally:
        if handler is not None:
            root.removeHandler(handler)
            handler.close()
