"""The one place that talks to Snakemake's ``snakemake`` object.

Every script ends with::

    if __name__ == "__main__":
        from prp.smk import run
        run(main, snakemake)  # noqa: F821

``run`` sends logging to the rule's log file and stderr, calls
``main(inputs, outputs, params)`` with plain dicts of strings, and turns an
:class:`~prp.errors.InputError` into one clear line and exit status 1 (no
traceback for bad input; real bugs keep theirs).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from prp.errors import InputError


def _named(namedlist: Any) -> dict[str, Any]:
    return {k: v for k, v in namedlist.items()}


def setup_logging(logfile: str | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if logfile:
        handlers.append(logging.FileHandler(logfile, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", handlers=handlers, force=True
    )


def run(main: Callable[..., Any], smk: Any) -> None:
    setup_logging(smk.log[0] if len(smk.log) else None)
    log = logging.getLogger(smk.rule)
    try:
        main(_named(smk.input), _named(smk.output), dict(smk.params.items()))
    except InputError as err:
        log.error("%s", err)
        sys.exit(1)
    except Exception:
        log.exception("rule %s failed", smk.rule)
        raise
