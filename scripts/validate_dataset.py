"""Validate one raw dataset against its data-package schema into build/clean/.

Bad input stops the rule with one message naming the file, row, column, value
and what was expected; nothing is written (the outputs are update() outputs,
restored on failure, and the parquet file is written atomically). A file whose
sha256 is not the one data/datapackage.yaml records is refused before it is
read (`make rehash` records an intended change).

Two validators, one result. The fast one (prp.data.arrowval) streams the file
as Arrow record batches and runs every check as vectorised Arrow compute; it
only tells "valid" (and then writes the parquet file) from "not proven
valid". Anything it does not accept goes to the precise one
(prp.data.validate.iter_validated), which names the problem (file, row,
column, value, what was expected) or, if the file is valid after all, writes
the same file. Both stream: the file is read in chunks and each valid chunk
is appended to the parquet file as it comes, so a large event table is
validated in bounded memory; the x-checks that look at one row at a time run
on each chunk, the others need the whole table and get it as one chunk.
"""

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from prp.data.arrowval import NotProven, write_valid
from prp.data.datapackage import sha256_file
from prp.data.errors import InputError
from prp.data.io import atomic_path

log = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 100_000
"""Rows per chunk (and parquet row group): prp.data.validate.DEFAULT_CHUNK_ROWS."""


def write_parquet_chunks(path: str | Path, frames: Iterable[pd.DataFrame]) -> int:
    """Write frames of the same columns as one parquet file (a row group per
    frame, zstd, no index), atomically; the number of rows. One frame gives
    the same bytes as ``prp.data.io.write_parquet``."""
    rows = 0
    with atomic_path(path) as tmp:
        writer = None
        try:
            for df in frames:
                if writer is None:
                    table = pa.Table.from_pandas(df, preserve_index=False)
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                else:
                    table = pa.Table.from_pandas(df, schema=writer.schema, preserve_index=False)
                writer.write_table(table)
                rows += len(df)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError(f"{path}: no data to write")
    return rows


def check_hash(raw: Path, expected: str | None, descriptor: str) -> None:
    """The file must be the one the data package describes: its sha256 as
    recorded there (a file without a recorded hash is restricted: its
    integrity is that of its ciphertext)."""
    if not expected:
        return
    actual = sha256_file(raw)
    if actual != expected:
        raise InputError(
            raw,
            f"its sha256 ({actual[:12]}...) is not the one {descriptor} records "
            f"({expected[:12]}...): the file changed after its description",
            expected="the described file; if the change is intended, run `make rehash`",
        )


def main(
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    params: dict[str, Any],
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> None:
    res = params["resource"]
    refs = params.get("references") or {}
    check_hash(
        Path(inputs["raw"]), params.get("sha256"), params.get("descriptor", "the data package")
    )

    def load_reference(name: str) -> tuple[Any, str]:
        from prp.data.validate import read_validated

        ref = refs[name]
        return read_validated(ref["path"], ref["resource"]), ref["path"]

    raw = Path(inputs["raw"])
    try:
        with atomic_path(outputs["clean"]) as tmp:
            rows = write_valid(raw, tmp, res, chunk_rows, load_reference)
    except NotProven as why:
        log.info("%s: not proven valid by the fast path (%s); checking row by row", raw, why)
        rows = write_checked(raw, outputs["clean"], res, load_reference, chunk_rows)
    log.info("%s: %d rows valid -> %s", inputs["raw"], rows, outputs["clean"])


def write_checked(
    raw: Path,
    clean: str | Path,
    res: dict[str, Any],
    load_reference: Any,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> int:
    """The precise validator: bad input raises the InputError naming file,
    row, column, value and what was expected; a valid file is written."""
    from prp.data.checks import ChunkedChecks, row_wise
    from prp.data.validate import iter_validated

    checks = ChunkedChecks(raw, res, load_reference)

    def checked() -> Iterable[pd.DataFrame]:
        for chunk in iter_validated(raw, res, chunk_rows if row_wise(res) else None):
            checks.update(chunk)
            yield chunk
        checks.finish()  # raising here leaves no output: the write is atomic

    return write_parquet_chunks(clean, checked())


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
