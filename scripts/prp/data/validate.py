"""Validate a raw CSV against its Table Schema in the data package.

File-level problems (empty file, encoding, byte-order mark, header, ragged
rows) and type parsing are checked here so that the message can name the
exact line; constraints (required, enum, range, pattern, minimum length) are
checked by pandera, built from the descriptor's Table Schema; uniqueness and
the primary key are checked over the whole file. Every failure raises
:class:`prp.data.errors.InputError` naming file, row, column, value and what was
expected.

The file is read as a stream of chunks of ``chunk_rows`` rows
(:func:`iter_validated`), so memory stays bounded whatever the size of the
file; a file no longer than one chunk is read in one go. The error reported
does not depend on the chunk size: problems are ranked as a whole-file
reading would rank them (encoding, then header, then ragged rows, then types
column by column, then duplicate keys, then constraints row by row), the
first of the highest rank is named, and the count of further problems covers
the whole file. Uniqueness is checked through 64-bit hashes of the keys spilled
to a temporary folder in partitions, confirmed on the actual values before a
duplicate is reported.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.csv as pacsv

from prp.data.errors import InputError
from prp.data.keys import KeyStore

BOM = b"\xef\xbb\xbf"
DEFAULT_CHUNK_ROWS = 100_000
"""Rows validated at a time (about 100 MB of working memory for the event table)."""

_PANDAS_DTYPE = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[s]",
}
_INT_RE = re.compile(r"^[+-]?\d+$")
_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOL = {"true": True, "false": False}
_EXPECTED_TYPE = {
    "integer": "a whole number written with digits only (no thousands separators)",
    "number": "a number with a dot as decimal mark and no thousands separators",
    "date": "a calendar date written YYYY-MM-DD",
    "boolean": "true or false",
}


def _line(index: int) -> int:
    """1-based file line of a data row (the header is line 1)."""
    return int(index) + 2


# --------------------------------------------------------------------------
# file level: encoding, header, ragged rows


def decode(path: Path, raw: bytes, expected_header: str) -> str:
    """UTF-8 text of a raw file, or an InputError for empty, BOM or bad bytes."""
    if not raw.strip():
        raise InputError(path, "the file is empty", expected=f"a header row '{expected_header}'")
    if raw.startswith(BOM):
        raise InputError(
            path, "the file starts with a byte-order mark", row=1, expected="UTF-8 without a BOM"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise _decode_error(path, line, raw[err.start : err.start + 4]) from None


def _decode_error(path: Path, line: int, value: bytes) -> InputError:
    return InputError(
        path,
        "the file is not valid UTF-8 (saved as Latin-1 or Windows-1252?)",
        row=line,
        value=value,
        expected="UTF-8 text",
    )


def check_start(path: Path, expected_header: str, block: int = 1 << 20) -> None:
    """:func:`decode`'s first two checks without reading the whole file: an
    InputError for a file that is empty (or only blank) or that starts with a
    byte-order mark."""
    with open(path, "rb") as fh:
        head = fh.read(block)
        blank = not head.strip()
        while blank and (more := fh.read(block)):
            blank = not more.strip()
    if blank or head.startswith(BOM):
        decode(path, b"" if blank else head, expected_header)


def check_utf8(path: Path) -> None:
    """An InputError naming the first line that is not UTF-8 (and the bytes
    at fault, as :func:`decode` shows them), read a line at a time."""
    with open(path, "rb") as fh:
        lines = iter(fh)
        for number, line in enumerate(lines, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                value = line[err.start : err.start + 4]
                if len(value) < 4:  # the bytes shown run on into the next line
                    value += next(lines, b"")[: 4 - len(value)]
                raise _decode_error(path, number, value) from None


def check_header(path: Path, header: list[str], fields: list[str]) -> None:
    if header == fields:
        return
    missing = [f for f in fields if f not in header]
    extra = [h for h in header if h not in fields]
    if extra and missing and len(header) == len(fields):
        col = extra[0]
        raise InputError(
            path,
            "unexpected column name in the header (wrong header?)",
            row=1,
            column=col,
            value=col,
            expected=f"header '{','.join(fields)}'",
        )
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)}",
            row=1,
            expected=f"header '{','.join(fields)}'",
        )
    if extra:
        raise InputError(
            path,
            f"extra column(s) {', '.join(extra)}",
            row=1,
            column=extra[0],
            expected=f"header '{','.join(fields)}'",
        )
    raise InputError(
        path, "columns are in the wrong order", row=1, expected=f"header '{','.join(fields)}'"
    )


MAX_LINE = 1 << 20
"""Longest line (characters) a raw CSV may have: no field of this project's
data comes near it, and a longer one is an error with its line number
rather than a parser failure deep inside pyarrow."""


csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE))


def _too_long(path: Path, lineno: int, line: str) -> InputError:
    return InputError(
        path,
        f"line is {len(line):,} characters long",
        row=lineno,
        expected=f"rows of at most {MAX_LINE:,} characters (a field that long is not data)",
    )


def _parse_strings(text: str, fields: list[str]) -> pd.DataFrame:
    """Cells of CSV text (a header line, then records already checked for
    width) as strings, '' for empty; parsed by pyarrow, which reads quoting
    and line breaks as pandas' ``read_csv(dtype=str, na_filter=False)`` does,
    in a fraction of the time."""
    table = pacsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pacsv.ReadOptions(block_size=max(1 << 20, 8 * MAX_LINE)),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pyarrow.string() for name in fields},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.to_pandas()


_BLANK = frozenset({"\n", "\r\n", "\r"})


def _ragged(path: Path, lineno: int, row: list[str], fields: list[str]) -> InputError:
    return InputError(
        path,
        f"row has {len(row)} fields",
        row=lineno,
        value=",".join(row),
        expected=f"{len(fields)} fields, as in the header",
    )


def _string_chunks(
    path: Path, fh: io.TextIOBase, fields: list[str], chunk_rows: int | None
) -> Iterator[pd.DataFrame]:
    """Frames of strings of about ``chunk_rows`` rows (all rows if None),
    indexed by row position in the file (0 = first data row). A header
    mismatch or a ragged row is an InputError naming its record (blank lines
    count, as the csv module counts them).

    The file is taken ``chunk_rows`` lines at a time. In a block without a
    double quote every line is one record, and its width is its commas plus
    one; otherwise the csv module reads the block's records (and the lines a
    quoted line break carries past the block's end). pandas then parses the
    text of the block, so the cells are exactly those of a whole-file
    ``pd.read_csv``."""

    def bounded() -> Iterator[str]:
        for number, line in enumerate(fh, start=1):
            if len(line) > MAX_LINE:
                raise _too_long(path, number, line)
            yield line

    lines = bounded()
    consumed: list[str] = []

    def tee() -> Iterator[str]:
        for line in lines:
            consumed.append(line)
            yield line

    reader = csv.reader(tee())
    header = next(reader, [])
    check_header(path, header, fields)
    head = "".join(consumed)
    offset, record, produced = 0, 1, False
    commas = len(fields) - 1
    while True:
        block = list(itertools.islice(lines, chunk_rows))
        if not block:
            break
        text = "".join(block)
        if '"' not in text:
            for k, line in enumerate(block):
                if line.count(",") != commas and line not in _BLANK:
                    row = line.rstrip("\r\n").split(",")
                    raise _ragged(path, record + 1 + k, row, fields)
            record += len(block)
        else:
            consumed.clear()
            pending = iter(block)
            reader = csv.reader(tee_block(pending, lines, consumed))
            while len(consumed) < len(block):
                row = next(reader)
                record += 1
                if row and len(row) != len(fields):
                    raise _ragged(path, record, row, fields)
            text = "".join(consumed)
        frame = _parse_strings(head + text, fields)
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
        produced = True
        yield frame
    if not produced:
        frame = _parse_strings(head, fields)
        frame.index = pd.RangeIndex(0, 0)
        yield frame


def tee_block(block: Iterator[str], rest: Iterator[str], consumed: list[str]) -> Iterator[str]:
    """The lines of ``block``, then of ``rest``, each recorded in ``consumed``
    as it is handed out (the csv module asks for lines only as it needs them,
    so ``consumed`` always ends with the last record read)."""
    for line in itertools.chain(block, rest):
        consumed.append(line)
        yield line


# --------------------------------------------------------------------------
# types


def _bad_values(ftype: str, col: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cells that are not of ``ftype``: (badly written, written well but
    impossible — a date such as 2017-02-30). The second kind is reported only
    when a column has none of the first, as a whole-file check would."""
    none = pd.Series(False, index=col.index)
    if ftype == "integer":
        return present & ~col.str.fullmatch(_INT_RE.pattern), none
    if ftype == "number":
        return present & ~col.str.fullmatch(_NUM_RE.pattern), none
    if ftype == "date":
        written = present & ~col.str.fullmatch(_DATE_RE.pattern)
        parsed = pd.to_datetime(
            col.where(present & ~written, None), format="%Y-%m-%d", errors="coerce"
        )
        return written, present & ~written & parsed.isna()
    if ftype == "boolean":
        return present & ~col.str.lower().isin(list(_BOOL)), none
    return none, none


def _convert(ftype: str, col: pd.Series, present: pd.Series) -> pd.Series:
    if ftype == "string":
        return col.where(present, pd.NA).astype("string")
    if ftype == "integer":
        return pd.to_numeric(col.where(present, None)).astype("Int64")
    if ftype == "number":
        return pd.to_numeric(col.where(present, None)).astype("Float64")
    if ftype == "date":
        return pd.to_datetime(col.where(present, None), format="%Y-%m-%d").astype("datetime64[s]")
    return col.str.lower().map(_BOOL).astype("boolean")


def _check_type(ftype: str, path: Path, name: str) -> None:
    if ftype not in _PANDAS_DTYPE:
        raise ValueError(f"{path}: field {name!r} has unsupported type {ftype!r}")


@dataclasses.dataclass
class _First:
    """The first problem of one kind seen so far and how many there are."""

    error: InputError | None = None
    key: tuple[float, ...] = (math.inf,)
    count: int = 0

    def add(self, error: InputError, key: tuple[float, ...], count: int) -> None:
        if self.error is None or key < self.key:
            self.error, self.key = error, key
        self.count += count

    def result(self) -> InputError | None:
        if self.error is None:
            return None
        return dataclasses.replace(self.error, more=self.count - 1)


# --------------------------------------------------------------------------
# constraints (pandera) and keys


def _checks(field: dict[str, Any]) -> list[pa.Check]:
    c = field.get("constraints", {})
    checks: list[pa.Check] = []
    if "enum" in c:
        allowed = c["enum"]
        shown = ", ".join(map(str, allowed[:12])) + (" ..." if len(allowed) > 12 else "")
        checks.append(pa.Check.isin(allowed, error=f"one of: {shown}"))
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"], error=f"a value >= {c['minimum']}"))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"], error=f"a value <= {c['maximum']}"))
    if "pattern" in c:
        checks.append(
            pa.Check.str_matches(f"^(?:{c['pattern']})$", error=f"text matching {c['pattern']}")
        )
    if "minLength" in c:
        checks.append(
            pa.Check.str_length(min_value=c["minLength"], error=f"at least {c['minLength']} chars")
        )
    return checks


def pandera_schema(res: dict[str, Any], unique: bool = True) -> pa.DataFrameSchema:
    """A pandera schema equivalent to the resource's Table Schema constraints
    (without the ``unique`` constraints if ``unique`` is false: the streaming
    validator checks those over the whole file itself)."""
    fields = res["schema"]["fields"]
    columns = {
        f["name"]: pa.Column(
            _PANDAS_DTYPE[f.get("type", "string")],
            checks=_checks(f),
            nullable=not f.get("constraints", {}).get("required", False),
            unique=unique and bool(f.get("constraints", {}).get("unique", False)),
        )
        for f in fields
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def _sorted_failures(err: pa.errors.SchemaErrors) -> pd.DataFrame:
    fc = err.failure_cases.copy()
    fc["_row"] = pd.to_numeric(fc["index"], errors="coerce")
    return fc.sort_values(["_row"], na_position="last", kind="stable")


def _first_failure(path: Path, err: pa.errors.SchemaErrors, res: dict[str, Any]) -> InputError:
    fc = _sorted_failures(err)
    first = fc.iloc[0]
    check = str(first["check"])
    column = first["column"] if isinstance(first["column"], str) else None
    row = None if pd.isna(first["_row"]) else _line(int(first["_row"]))
    more = len(fc) - 1
    if check == "not_nullable":
        return InputError(
            path,
            "required value is missing",
            row=row,
            column=column,
            expected="a value (the column is required)",
            more=more,
        )
    value = first["failure_case"]
    value = value.item() if hasattr(value, "item") else value
    if "unique" in check:
        return _unique_error(path, row, column, value, more)
    return InputError(
        path, "value is not allowed", row=row, column=column, value=value, expected=check, more=more
    )


def _unique_error(
    path: Path, row: int | None, column: str | None, value: Any, more: int
) -> InputError:
    return InputError(
        path,
        "value appears more than once",
        row=row,
        column=column,
        value=value,
        expected="unique values in this column",
        more=more,
    )


def _failure_key(res: dict[str, Any], err: pa.errors.SchemaErrors) -> tuple[float, ...]:
    """Where pandera's first failure would sort in a whole-file run: by row,
    then column, then (within a column) missing values before duplicates
    before the other checks."""
    first = _sorted_failures(err).iloc[0]
    order = [f["name"] for f in res["schema"]["fields"]]
    row = math.inf if pd.isna(first["_row"]) else float(first["_row"])
    col = order.index(first["column"]) if first["column"] in order else len(order)
    return (row, float(col), 0.0 if str(first["check"]) == "not_nullable" else 2.0)


def _primary_key(res: dict[str, Any]) -> list[str]:
    pk = res["schema"].get("primaryKey")
    if not pk:
        return []
    return [pk] if isinstance(pk, str) else list(pk)


def _unique_fields(res: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in res["schema"]["fields"] if f.get("constraints", {}).get("unique")]


def check_primary_key(path: Path, df: pd.DataFrame, res: dict[str, Any]) -> None:
    """Duplicate primary keys among the rows of ``df`` (indexed by row
    position in the file): the first repeat, where its key was first seen,
    and how many repeats there are."""
    pk = _primary_key(res)
    if not pk:
        return
    dup = df.duplicated(pk, keep=False)
    if not dup.any():
        return
    later = df.duplicated(pk, keep="first")
    idx = int(later.to_numpy().nonzero()[0][0])
    key = tuple(df.iloc[idx][pk])
    first = int((dup & (df[pk] == df.iloc[idx][pk]).all(axis=1)).to_numpy().nonzero()[0][0])
    raise InputError(
        path,
        f"duplicate primary key {dict(zip(pk, key, strict=True))}, "
        f"first seen on row {_line(df.index[first])}",
        row=_line(df.index[idx]),
        column=",".join(pk),
        expected=f"each ({', '.join(pk)}) to appear once",
        more=int(later.sum()) - 1,
    )


def _hash(frame: pd.DataFrame | pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


# --------------------------------------------------------------------------
# the streaming validator


class _Validation:
    """Problems found so far, by rank, while chunks stream past."""

    def __init__(self, path: Path, res: dict[str, Any], folder: Path) -> None:
        self.path, self.res = path, res
        self.fields = res["schema"]["fields"]
        for f in self.fields:
            _check_type(f.get("type", "string"), path, f["name"])
        self.schema = pandera_schema(res, unique=False)
        self.pk = _primary_key(res)
        # a string column that is the whole primary key needs no check of its
        # own: the key check sees the same values first and stops at a repeat
        self.unique = [
            f
            for f in _unique_fields(res)
            if not (self.pk == [f["name"]] and f.get("type", "string") == "string")
        ]
        self.written = [_First() for _ in self.fields]
        self.impossible = [_First() for _ in self.fields]
        self.constraint = _First()
        self.keys = {
            name: KeyStore(folder / str(i))
            for i, name in enumerate((["pk"] if self.pk else []) + [f["name"] for f in self.unique])
        }

    def typed_ok(self) -> bool:
        return not any(
            w.count or i.count for w, i in zip(self.written, self.impossible, strict=True)
        )

    def chunk(self, df: pd.DataFrame) -> pd.DataFrame | None:
        """The typed chunk, or None once the file is known to be invalid."""
        typed = {}
        for f, written, impossible in zip(self.fields, self.written, self.impossible, strict=True):
            name, ftype = f["name"], f.get("type", "string")
            col = df[name]
            present = col != ""
            w, i = _bad_values(ftype, col, present)
            for tracker, bad in ((written, w), (impossible, i)):
                if bad.any():
                    pos = int(bad.to_numpy().nonzero()[0][0])
                    err = InputError(
                        self.path,
                        f"value is not of type {ftype}",
                        row=_line(col.index[pos]),
                        column=name,
                        value=col.iloc[pos],
                        expected=_EXPECTED_TYPE[ftype],
                    )
                    tracker.add(err, (float(col.index[pos]),), int(bad.sum()))
            if self.typed_ok():
                typed[name] = _convert(ftype, col, present)
        if not self.typed_ok():
            return None
        frame = pd.DataFrame(typed, index=df.index)
        if self.pk:
            self.keys["pk"].add(_hash(df[self.pk]), df.index.to_numpy())
        for f in self.unique:
            values = frame[f["name"]].dropna()
            self.keys[f["name"]].add(_hash(values), values.index.to_numpy())
        if self.constraint.error is not None:
            self._constraints(frame)
            return None
        return self._constraints(frame)

    def _constraints(self, frame: pd.DataFrame) -> pd.DataFrame | None:
        try:
            return self.schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as err:
            first = _first_failure(self.path, err, self.res)
            self.constraint.add(first, _failure_key(self.res, err), first.more + 1)
            return None

    def finish(self, rescan: Callable[[], Iterable[pd.DataFrame]]) -> None:
        """Raise the highest-ranked problem; ``rescan()`` streams the string
        chunks again (to confirm hashed duplicates on the actual values)."""
        for trackers in zip(self.written, self.impossible, strict=True):
            written, impossible = trackers
            err = written.result() or impossible.result()
            if err is not None:
                raise err
        candidates = {name: store.candidates() for name, store in self.keys.items()}
        if any(c.size for c in candidates.values()):
            rows = {name: self._rows(rescan, c, name) for name, c in candidates.items() if c.size}
            if "pk" in rows:
                check_primary_key(self.path, rows["pk"], self.res)
            for f in self.unique:
                if f["name"] in rows:
                    self._unique(rows[f["name"]], f)
        err = self.constraint.result()
        if err is not None:
            raise err

    def _rows(
        self, rescan: Callable[[], Iterable[pd.DataFrame]], rows: np.ndarray, name: str
    ) -> pd.DataFrame:
        parts = []
        for df in rescan():
            sub = df[df.index.isin(rows)]
            if len(sub):
                if name == "pk":
                    parts.append(sub[self.pk])
                else:
                    f = next(f for f in self.fields if f["name"] == name)
                    col = sub[name]
                    parts.append(_convert(f.get("type", "string"), col, col != "").to_frame(name))
        return pd.concat(parts)

    def _unique(self, frame: pd.DataFrame, field: dict[str, Any]) -> None:
        name = field["name"]
        values = frame[name].dropna()
        dup = values.duplicated(keep=False)
        if dup.any():
            pos = int(dup.to_numpy().nonzero()[0][0])
            value = values.iloc[pos]
            value = value.item() if hasattr(value, "item") else value
            row = int(values.index[pos])
            col = [f["name"] for f in self.fields].index(name)
            err = _unique_error(self.path, _line(row), name, value, 0)
            self.constraint.add(err, (float(row), float(col), 1.0), int(dup.sum()))


def validate_frame(path: Path, df: pd.DataFrame, res: dict[str, Any]) -> pd.DataFrame:
    """Typed, constraint-checked frame from a frame of strings held in memory
    (indexed by row position in the file), checked as one chunk."""
    with tempfile.TemporaryDirectory(prefix="prp-keys-") as tmp:
        state = _Validation(Path(path), res, Path(tmp))
        typed = state.chunk(df)
        state.finish(lambda: [df])
    assert typed is not None  # finish() raised otherwise
    return typed


def iter_validated(
    path: str | Path, res: dict[str, Any], chunk_rows: int | None = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Typed, constraint-checked chunks of a raw CSV described by ``res``
    (``chunk_rows`` rows each, all rows at once if None; indexed by row
    position in the file). Chunks are yielded as long as no problem has been
    found; the InputError, if any, is raised after the whole file has been
    read, so a consumer must not treat what it received as valid until the
    iterator is exhausted."""
    path = Path(path)
    fields = [f["name"] for f in res["schema"]["fields"]]
    if not path.exists():
        raise InputError(path, "the file does not exist", expected=f"the data of {res['name']}")
    check_start(path, ",".join(fields))

    def strings() -> Iterator[pd.DataFrame]:
        # bytes that are not UTF-8 outrank every other problem, wherever
        # they are: look for them before reporting a bad header or row
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                yield from _string_chunks(path, fh, fields, chunk_rows)
        except UnicodeDecodeError:
            check_utf8(path)
            raise
        except InputError:
            check_utf8(path)
            raise
        except (csv.Error, pyarrow.ArrowInvalid) as err:
            check_utf8(path)
            raise InputError(path, f"not readable as CSV ({str(err).splitlines()[0]})") from None

    with tempfile.TemporaryDirectory(prefix="prp-keys-") as tmp:
        state = _Validation(path, res, Path(tmp))
        for df in strings():
            typed = state.chunk(df)
            if typed is not None:
                yield typed
        state.finish(strings)


def read_validated(
    path: str | Path, res: dict[str, Any], chunk_rows: int | None = DEFAULT_CHUNK_ROWS
) -> pd.DataFrame:
    """Read and validate one raw CSV described by ``res``; InputError on bad input."""
    frames = list(iter_validated(path, res, chunk_rows))
    return frames[0] if len(frames) == 1 else pd.concat(frames)
