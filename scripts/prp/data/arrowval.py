"""Validation as vectorised Arrow compute over a stream of record batches:
the fast path of ``validate_dataset``.

The raw CSV is read with ``pyarrow.csv.open_csv`` (every column as text),
and every check of :mod:`prp.data.validate` -- header, record widths, line
lengths, types, required values, enums, ranges, patterns, minimum lengths,
uniqueness, the primary key and the row-wise x-checks of
:mod:`prp.data.checks` -- runs as ``pyarrow.compute`` calls on whole columns
of a batch. Valid batches are typed as the precise validator types them and
written as the same parquet file: the same Arrow schema (with the same pandas
metadata), one row group per ``chunk_rows`` rows.

This path only ever answers "valid" or "not proven valid"
(:class:`NotProven`). It names no row: anything it does not accept -- a
failed check, a value Arrow parses differently from pandas (an integer
written ``+5``), a file with quotes whose records the csv module would count
differently, a repeated 64-bit key hash -- makes the caller run the precise
validator (:func:`prp.data.validate.iter_validated`), which reports file,
row, column, value and what was expected exactly as before, or, if the file
is in fact valid, writes it. Every check here is at least as strict as its
precise counterpart, so a file accepted here is one the precise validator
accepts, with the same values:

* types: integers and numbers must match the precise validator's patterns
  with ASCII digits, then Arrow's cast must succeed (it parses floats
  correctly rounded, as pandas does); dates must be ``YYYY-MM-DD`` and a real
  calendar date from year 1 (Arrow's cast refuses 2017-02-30); booleans are
  ``true``/``false`` in any ASCII case;
* patterns run in RE2 (``\\d``, ``\\w`` are ASCII only and ``$`` is the end of
  the text, where Python's ``re`` is more lenient), anchored as pandera
  anchors them;
* uniqueness and the primary key: 64-bit hashes of the keys are spilled to a
  temporary folder in partitions (:class:`prp.data.keys.KeyStore`), so memory
  does not grow with the file; any repeated hash, true duplicate or not, is
  left to the precise validator.

Memory is bounded by the batch size and ``chunk_rows`` (one row group), not
by the length of the file.
"""

from __future__ import annotations

import csv
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from prp.data.keys import KeyStore

BOM = b"\xef\xbb\xbf"
MAX_LINE = 1 << 20
"""As :data:`prp.data.validate.MAX_LINE` (kept equal by a unit test)."""
BLOCK_BYTES = 1 << 20
"""Bytes of CSV text per record batch. Arrow's streaming reader parses up to
some 32 blocks ahead of the consumer, so this bounds memory: with 4 MB
blocks a 10,000,000-event file peaked near 950 MB, with 1 MB near 300 MB."""

_ARROW = {
    "string": pa.large_string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.timestamp("s"),
}
_PANDAS_DTYPE = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[s]",
}
# the precise validator's type patterns, with ASCII digits (RE2's \d is ASCII anyway)
_TYPE_RE = {
    "integer": r"^[+-]?[0-9]+$",
    "number": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
_YEAR_ONE = -62135596800
"""0001-01-01T00:00:00 in seconds since the epoch: pandas parses no earlier date."""


class NotProven(Exception):
    """The fast path could not show the file valid; the precise validator
    decides (and names the problem, if there is one)."""


# --------------------------------------------------------------------------
# the schema written


def arrow_schema(fields: list[dict[str, Any]]) -> pa.Schema:
    """The Arrow schema ``pa.Table.from_pandas`` gives the precise
    validator's typed frame (pandas metadata included), from an empty frame
    of the same dtypes."""
    import pandas as pd

    empty = pd.DataFrame(
        {f["name"]: pd.Series([], dtype=_PANDAS_DTYPE[f.get("type", "string")]) for f in fields}
    )
    schema = pa.Schema.from_pandas(empty, preserve_index=False)
    for f in fields:
        want = _ARROW[f.get("type", "string")]
        if schema.field(f["name"]).type != want:
            raise NotProven(f"pandas writes {f['name']} as {schema.field(f['name']).type}")
    return schema


# --------------------------------------------------------------------------
# the file: start, header, record widths


def _check_text(path: Path, names: list[str]) -> bool:
    """Start and header as the precise validator reads them; whether the
    file holds a double quote (then record widths and line lengths are
    checked here with the csv module, as the precise validator checks them)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip() or head.startswith(BOM):
        raise NotProven("empty, blank at the start, or a byte-order mark")
    quoted = False
    with open(path, "rb") as fh:
        while not quoted and (block := fh.read(1 << 20)):
            quoted = block.find(b'"') >= 0
    # (bytes that are not UTF-8 are left to Arrow, which refuses them)
    with open(path, encoding="utf-8", newline="", errors="replace") as fh:
        header = next(csv.reader(iter(fh)), [])
        if header != names:
            raise NotProven("header")
        if quoted:
            # what the precise validator checks in a block with quotes: the
            # length of each line and the width of each record
            fh.seek(0)
            if any(len(line) > MAX_LINE for line in fh):
                raise NotProven("a line too long")
            fh.seek(0)
            records = csv.reader(iter(fh))
            next(records)
            try:
                if any(row and len(row) != len(names) for row in records):
                    raise NotProven("a record of another width")
            except csv.Error as err:  # e.g. a quoted field past the field limit
                raise NotProven(f"not readable as CSV ({err})") from None
    return quoted


def _batches(path: Path, names: list[str], quoted: bool) -> Iterator[pa.RecordBatch]:
    """The file's cells as text ('' for empty), as the precise validator
    parses them (pyarrow, quoted line breaks allowed). Without quotes every
    line is one record and Arrow refuses a line of another width."""
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        if reader.schema.names != names:
            raise NotProven("header as Arrow reads it")
        yield from reader
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise NotProven(f"not read by Arrow: {str(err).splitlines()[0]}") from None


# --------------------------------------------------------------------------
# types and constraints of one batch


def _lines_fit(text: pa.RecordBatch) -> bool:
    """Whether no line of an unquoted batch (each line one record, its cells
    and their separators) can be longer than :data:`MAX_LINE`: a line is at
    most the batch's widest cell of each column (bytes, at least as many as
    characters) with the commas and a line end of up to two characters. The
    bytes a column's cells hold in all bound their widest cell: checked
    first, that costs nothing (the data buffers' sizes) and settles every
    batch of the reader's 1 MiB blocks; the widest cells are measured only
    where it does not."""
    spare = MAX_LINE - text.num_columns - 1
    held = 0
    for col in text.columns:
        data = col.buffers()[2]
        held += data.size if data is not None else 0
    if held <= spare:
        return True
    return sum(int(pc.max(pc.binary_length(col)).as_py() or 0) for col in text.columns) <= spare


def _fails(mask: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a boolean mask (nulls: passes) holds a True."""
    return bool(pc.any(pc.fill_null(mask, False)).as_py())


def _limit(value: Any, ftype: str, typ: pa.DataType) -> pa.Scalar:
    if ftype == "date":
        return pa.scalar(str(value), pa.string()).cast(typ)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NotProven(f"limit {value!r} of a {ftype} field")
    if ftype == "integer" and isinstance(value, float):
        return pa.scalar(value, pa.float64())
    return pa.scalar(value, typ)


class _Field:
    """One field's checks, with its constants built once."""

    def __init__(self, field: dict[str, Any]) -> None:
        self.name = field["name"]
        self.type = field.get("type", "string")
        if self.type not in _ARROW:
            raise NotProven(f"type {self.type}")
        self.arrow = _ARROW[self.type]
        c = field.get("constraints", {})
        self.required = bool(c.get("required", False))
        self.unique = bool(c.get("unique", False))
        self.enum = None
        if "enum" in c:
            values = c["enum"]
            if self.type != "string" or not all(isinstance(v, str) for v in values):
                raise NotProven("an enum that is not of strings")
            self.enum = pa.array(np.array(values, dtype=object), pa.large_string())
        self.minimum = _limit(c["minimum"], self.type, self.arrow) if "minimum" in c else None
        self.maximum = _limit(c["maximum"], self.type, self.arrow) if "maximum" in c else None
        self.pattern = f"^(?:{c['pattern']})$" if "pattern" in c else None
        self.min_length = int(c["minLength"]) if "minLength" in c else None
        if (self.pattern or self.min_length is not None) and self.type != "string":
            raise NotProven("a text constraint on a field that is not text")

    def typed(self, text: pa.Array) -> pa.Array:
        """The typed column (nulls where empty), or NotProven."""
        # a cell is empty when its length is 0 (read from the offsets alone)
        length = pc.binary_length(text)
        empty = int(pc.sum(pc.equal(length, 0)).as_py() or 0) if len(text) else 0
        if self.required and empty:
            raise NotProven(f"{self.name}: a required value is missing")
        present = pc.greater(length, 0) if empty else None

        def where_present(values: pa.Array) -> pa.Array:
            return values if present is None else pc.if_else(present, values, None)

        def fails(ok: pa.Array) -> bool:
            bad = pc.invert(ok)
            return _fails(bad if present is None else pc.and_(present, bad))

        if self.type == "string":
            return where_present(text).cast(pa.large_string())
        if self.type == "boolean":
            lower = pc.ascii_lower(text)
            if fails(pc.or_(pc.equal(lower, "true"), pc.equal(lower, "false"))):
                raise NotProven(f"{self.name}: not a boolean")
            return where_present(pc.equal(lower, "true"))
        if fails(pc.match_substring_regex(text, _TYPE_RE[self.type])):
            raise NotProven(f"{self.name}: not of type {self.type}")
        try:
            out = where_present(text).cast(self.arrow)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise NotProven(f"{self.name}: Arrow parses it differently") from None
        if self.type == "date" and _fails(pc.less(out.cast(pa.int64()), _YEAR_ONE)):
            raise NotProven(f"{self.name}: a date before year 1")
        return out

    def check(self, value: pa.Array) -> None:
        """The constraints (pandera's: a missing value passes them)."""
        bad: list[pa.Array] = []
        if self.enum is not None:
            outside = pc.invert(pc.is_in(value, value_set=self.enum))
            bad.append(pc.and_(pc.is_valid(value), outside) if value.null_count else outside)
        if self.minimum is not None:
            col = value.cast(pa.float64()) if self.minimum.type == pa.float64() else value
            bad.append(pc.less(col, self.minimum))
        if self.maximum is not None:
            col = value.cast(pa.float64()) if self.maximum.type == pa.float64() else value
            bad.append(pc.greater(col, self.maximum))
        if self.min_length is not None:
            bad.append(pc.less(pc.utf8_length(value), self.min_length))
        if self.pattern is not None:
            try:
                bad.append(pc.invert(pc.match_substring_regex(value, self.pattern)))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise NotProven(f"{self.name}: pattern not in RE2's syntax") from None
        for mask in bad:
            if _fails(mask):
                raise NotProven(f"{self.name}: a constraint fails")


# --------------------------------------------------------------------------
# x-checks that look at one row at a time


class _RowChecks:
    """``parts_within_total`` and ``points_in_state`` of prp.data.checks on
    typed batches; ``sum_matches`` needs the whole table (:meth:`whole`)."""

    def __init__(self, res: Mapping[str, Any], names: list[str]) -> None:
        self.checks = [next(iter(c.items())) for c in res.get("x-checks", [])]
        self.names = names
        self.areas: dict[str, dict[str, Any]] = {}
        # GEOS prepares a geometry's index lazily, on first use: one thread
        # at a time asks it
        self.lock = threading.Lock()
        for kind, _ in self.checks:
            if kind not in ("parts_within_total", "points_in_state", "sum_matches"):
                raise NotProven(f"unknown check {kind}")

    def _areas(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """State -> its polygon buffered by the tolerance, prepared: built once
        (the precise check builds the same buffers, chunk by chunk)."""
        key = f"{spec['geometry_path']}|{spec.get('tolerance_km', 10)}"
        if key not in self.areas:
            import shapely

            from prp.data.checks import KM_PER_DEGREE, load_states

            tol = float(spec.get("tolerance_km", 10)) / KM_PER_DEGREE
            areas = {}
            for name, geom in load_states(spec["geometry_path"]).items():
                area = shapely.buffer(geom, tol)
                shapely.prepare(area)
                areas[name] = area
            self.areas[key] = areas
        return self.areas[key]

    def batch(self, batch: pa.RecordBatch) -> None:
        for kind, spec in self.checks:
            if kind == "parts_within_total":
                cols = [batch.column(p) for p in spec["parts"]] + [batch.column(spec["total"])]
                if any(c.null_count for c in cols):
                    raise NotProven("parts_within_total with missing values")
                parts = cols[0].cast(pa.float64())
                for c in cols[1:-1]:
                    parts = pc.add(parts, c.cast(pa.float64()))
                if _fails(pc.greater(parts, cols[-1].cast(pa.float64()))):
                    raise NotProven("parts_within_total fails")
            elif kind == "points_in_state":
                with self.lock:
                    self._points(batch, spec)

    def _points(self, batch: pa.RecordBatch, spec: Mapping[str, Any]) -> None:
        import shapely

        areas = self._areas(spec)
        lat, lon = batch.column(spec["latitude"]), batch.column(spec["longitude"])
        state = batch.column(spec["state"])
        if lat.null_count or lon.null_count or state.null_count:
            raise NotProven("points_in_state with missing values")
        lat_np = lat.to_numpy(zero_copy_only=False)
        lon_np = lon.to_numpy(zero_copy_only=False)
        codes = pc.dictionary_encode(state)
        index = codes.indices.to_numpy(zero_copy_only=False)
        for i, name in enumerate(codes.dictionary.to_pylist()):
            area = areas.get(str(name))
            if area is None:
                raise NotProven("points_in_state: a state without geometry")
            rows = np.flatnonzero(index == i)
            if not shapely.contains_xy(area, lon_np[rows], lat_np[rows]).all():
                raise NotProven("points_in_state fails")

    def whole(
        self,
        path: Path,
        table: pa.Table,
        load_reference: Callable[[str], tuple[Any, str]] | None,
    ) -> None:
        """``sum_matches``, on the whole (small) table as pandas, as the
        precise validator runs it."""
        specs = [spec for kind, spec in self.checks if kind == "sum_matches"]
        if not specs:
            return
        if load_reference is None:
            raise NotProven("sum_matches without its reference")
        from prp.data.checks import sum_matches
        from prp.data.errors import InputError

        frame = table.to_pandas()
        for spec in specs:
            try:
                ref, ref_path = load_reference(spec["reference"]["resource"])
                sum_matches(path, frame, spec, ref, ref_path)
            except InputError:
                # (a bad reference too: the precise validator says which)
                raise NotProven("sum_matches fails") from None


# --------------------------------------------------------------------------
# keys


def _hashes(columns: list[pa.Array]) -> np.ndarray:
    """64-bit hashes of the keys (Python's hash of each value or tuple:
    equal keys, equal hashes; the spill is per run, so a per-process seed is
    fine)."""
    n = len(columns[0])
    if len(columns) == 1:
        values: Any = columns[0].to_pylist()
    else:
        values = zip(*(c.to_pylist() for c in columns), strict=True)
    return np.fromiter(map(hash, values), dtype=np.int64, count=n).view(np.uint64)


WORKERS = 2
"""Batches examined at a time."""
SPILL_ROWS = 1 << 20
"""Key hashes held in memory before they are spilled to disk (8 MB a key)."""


class _Keys:
    """The primary key (as written: text) and every unique field (typed,
    missing values left out), hashed; up to :data:`SPILL_ROWS` hashes a key
    are held in memory, more are spilled (:class:`KeyStore`), so memory
    stays bounded whatever the length of the file. As in the precise
    validator, a text field that is the whole primary key is checked once,
    as the key."""

    def __init__(self, res: Mapping[str, Any], folder: Path) -> None:
        pk = res["schema"].get("primaryKey") or []
        self.pk = [pk] if isinstance(pk, str) else list(pk)
        self.unique = [
            f["name"]
            for f in res["schema"]["fields"]
            if f.get("constraints", {}).get("unique")
            and not (self.pk == [f["name"]] and f.get("type", "string") == "string")
        ]
        names = (["pk"] if self.pk else []) + self.unique
        self.folder = folder
        self.held: dict[str, list[np.ndarray]] = {name: [] for name in names}
        self.rows: dict[str, list[np.ndarray]] = {name: [] for name in names}
        self.count = dict.fromkeys(names, 0)
        self.stores: dict[str, KeyStore] = {}
        self.offset = 0

    def _hold(self, name: str, hashes: np.ndarray, rows: np.ndarray) -> None:
        self.held[name].append(hashes)
        self.rows[name].append(rows)
        self.count[name] += len(hashes)
        if self.count[name] >= SPILL_ROWS:
            self._spill(name)

    def _spill(self, name: str) -> None:
        if not self.held[name]:
            return
        if name not in self.stores:
            self.stores[name] = KeyStore(self.folder / str(len(self.stores)))
        self.stores[name].add(np.concatenate(self.held[name]), np.concatenate(self.rows[name]))
        self.held[name], self.rows[name], self.count[name] = [], [], 0

    def hashes(
        self, text: pa.RecordBatch, typed: pa.RecordBatch
    ) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
        """The keys of a batch hashed: (key, hashes, which rows have one,
        None for all); independent of other batches (run in a worker)."""
        out: list[tuple[str, np.ndarray, np.ndarray | None]] = []
        if self.pk:
            out.append(("pk", _hashes([text.column(k) for k in self.pk]), None))
        for name in self.unique:
            col = typed.column(name)
            kept = None
            if col.null_count:
                valid = pc.is_valid(col)
                col, kept = col.filter(valid), valid.to_numpy(zero_copy_only=False)
            out.append((name, _hashes([col]), kept))
        return out

    def add(self, rows: int, hashed: list[tuple[str, np.ndarray, np.ndarray | None]]) -> None:
        """The hashes of the next ``rows`` rows of the file."""
        positions = np.arange(self.offset, self.offset + rows, dtype=np.int64)
        for name, hashes, kept in hashed:
            self._hold(name, hashes, positions if kept is None else positions[kept])
        self.offset += rows

    def check(self) -> None:
        for name in self.held:
            if name in self.stores:
                self._spill(name)
                repeated = self.stores[name].candidates().size > 0
            else:
                held = self.held[name]
                h = np.sort(np.concatenate(held)) if held else np.empty(0, np.uint64)
                repeated = bool((h[1:] == h[:-1]).any())
            if repeated:
                raise NotProven(f"{name}: a repeated key (hash)")


# --------------------------------------------------------------------------
# the whole file


def write_valid(
    path: str | Path,
    out: str | Path,
    res: Mapping[str, Any],
    chunk_rows: int,
    load_reference: Callable[[str], tuple[Any, str]] | None = None,
) -> int:
    """Validate ``path`` against ``res`` and write the typed table to ``out``
    (parquet, zstd, a row group per ``chunk_rows`` rows); the number of
    rows. :class:`NotProven` if any check does not pass (``out`` may then
    hold a partial file: write to a temporary path)."""
    path = Path(path)
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    if not path.exists():
        raise NotProven("no file")
    checks = [_Field(f) for f in fields]
    rowwise = _RowChecks(res, names)
    whole = any(kind == "sum_matches" for kind, _ in rowwise.checks)
    schema = arrow_schema(fields)
    quoted = _check_text(path, names)
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    groups: list[pa.Table] = []
    writer = pq.ParquetWriter(out, schema, compression="zstd")
    # row groups are compressed and written in a thread (Arrow releases the
    # GIL) while the next batches are parsed and checked; at most one waits
    background = ThreadPoolExecutor(max_workers=1)
    written: Future[None] | None = None
    # batches are examined WORKERS at a time (Arrow compute and GEOS release
    # the GIL); their results are taken in the file's order
    workers = ThreadPoolExecutor(max_workers=WORKERS)

    def write(group: pa.Table) -> None:
        nonlocal written
        if written is not None:
            written.result()
        written = background.submit(writer.write_table, group)

    def flush(final: bool) -> None:
        nonlocal pending, pending_rows
        while pending_rows >= chunk_rows or (final and pending_rows):
            table = pa.Table.from_batches(pending, schema=schema)
            n = min(chunk_rows, table.num_rows)
            group = table.slice(0, n).combine_chunks()
            if whole:
                groups.append(group)
            else:
                write(group)
            rest = table.slice(n)
            pending, pending_rows = rest.to_batches(), rest.num_rows

    try:
        with tempfile.TemporaryDirectory(prefix="prp-keys-") as tmp:
            keys = _Keys(res, Path(tmp))

            def examine(text: pa.RecordBatch) -> tuple[pa.RecordBatch, list[Any]]:
                """Everything about one batch that does not depend on the
                others: in a worker thread, beside the next batch's."""
                if not quoted and not _lines_fit(text):
                    raise NotProven("a line may be too long")
                columns = [check.typed(text.column(i)) for i, check in enumerate(checks)]
                for check, col in zip(checks, columns, strict=True):
                    check.check(col)
                typed = pa.RecordBatch.from_arrays(columns, schema=schema)
                rowwise.batch(typed)
                return typed, keys.hashes(text, typed)

            in_flight: deque[Future[tuple[pa.RecordBatch, list[Any]]]] = deque()

            def take() -> None:
                nonlocal pending_rows, rows
                typed, hashed = in_flight.popleft().result()
                keys.add(typed.num_rows, hashed)
                pending.append(typed)
                pending_rows += typed.num_rows
                rows += typed.num_rows
                flush(final=False)

            try:
                for text in _batches(path, names, quoted):
                    in_flight.append(workers.submit(examine, text))
                    if len(in_flight) > WORKERS:
                        take()
                while in_flight:
                    take()
            finally:
                for future in in_flight:
                    future.cancel()
            if rows == 0:
                raise NotProven("no rows")
            flush(final=True)
            keys.check()
        if whole:
            # the precise validator reads such a file as one chunk and writes
            # it as one table: so does this path
            table = pa.concat_tables(groups).combine_chunks()
            rowwise.whole(path, table, load_reference)
            write(table)
        if written is not None:
            written.result()
    finally:
        workers.shutdown(wait=True, cancel_futures=True)
        background.shutdown(wait=True)
        writer.close()
    return rows
