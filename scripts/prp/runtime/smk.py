"""The one place that talks to Snakemake's ``snakemake`` object.

Every script ends with::

    if __name__ == "__main__":
        from prp.runtime.smk import run
        run(main, snakemake)  # noqa: F821

``run`` sends logging to the rule's log file and stderr, calls
``main(inputs, outputs, params)`` with plain dicts of strings, and turns a
:class:`~prp.data.errors.UserError` (bad input, a chapter that cannot be
rendered) or a full disk into one clear line and exit status 1 (no traceback;
real bugs keep theirs). A job that succeeds writes its timing beside its log
(:mod:`prp.runtime.timing`).
"""

from __future__ import annotations

import errno
import logging
import sys
from collections.abc import Callable
from typing import Any

from prp.data.errors import UserError
from prp.runtime.timing import write_process


def _named(namedlist: Any) -> dict[str, Any]:
    return {k: v for k, v in namedlist.items()}


def setup_logging(logfile: str | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile:
        handlers.append(logging.FileHandler(logfile, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )


def record_provenance(smk: Any, outputs: dict[str, Any], in_process: bool = False) -> None:
    """Write the job's provenance record (rule, code, params, inputs and
    outputs with hashes and sources) to its ``provenance`` output."""
    from pathlib import Path

    from prp.runtime.provenance import job_record, write_record

    scripts_dir = Path(__file__).resolve().parents[2]
    record = job_record(
        rule=smk.rule,
        wildcards=dict(smk.wildcards.items()),
        script=f"scripts/{smk.rule}.py",
        inputs=_named(smk.input),
        outputs=outputs,
        params=dict(smk.params.items()),
        scripts_dir=scripts_dir,
        in_process=in_process,
    )
    write_record(outputs["provenance"], record)


def run(main: Callable[..., Any], smk: Any) -> None:
    setup_logging(smk.log[0] if len(smk.log) else None)
    log = logging.getLogger(smk.rule)
    outputs = _named(smk.output)
    try:
        extra = main(_named(smk.input), outputs, dict(smk.params.items()))
        if "provenance" in outputs:
            # a main() that writes more files than its declared outputs (the
            # renderer's chapter pages) returns them so they are recorded too
            if extra:
                outputs = {**outputs, "written": [str(p) for p in extra]}
            record_provenance(smk, outputs)
        write_process(smk.log)
    except UserError as err:
        log.error("%s", err)
        sys.exit(1)
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT):
            log.exception("rule %s failed", smk.rule)
            raise
        log.error(
            "could not write %s: %s",
            err.filename or "an output",
            err.strerror,
        )
        sys.exit(1)
    except Exception:
        log.exception("rule %s failed", smk.rule)
        raise
