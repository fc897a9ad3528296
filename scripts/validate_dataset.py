"""Validate one raw dataset against its data-package schema into build/clean/.

Bad input stops the rule with one message naming the file, row, column, value
and what was expected; nothing is written (Snakemake has already removed the
previous output, and the parquet file is written atomically).
"""

import logging
from pathlib import Path
from typing import Any

from prp.checks import run_checks
from prp.io import write_parquet
from prp.validate import read_validated

log = logging.getLogger(__name__)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    df = read_validated(inputs["raw"], params["resource"])
    refs = params.get("references") or {}

    def load_reference(name: str) -> tuple[Any, str]:
        ref = refs[name]
        return read_validated(ref["path"], ref["resource"]), ref["path"]

    run_checks(Path(inputs["raw"]), df, params["resource"], load_reference)
    write_parquet(outputs["clean"], df)
    log.info("%s: %d rows valid -> %s", inputs["raw"], len(df), outputs["clean"])


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
