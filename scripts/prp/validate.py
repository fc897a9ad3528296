"""Validate a raw CSV against its Table Schema in the data package.

File-level problems (empty file, encoding, byte-order mark, header, ragged
rows) and type parsing are checked here so that the message can name the
exact line; constraints (required, enum, range, pattern, uniqueness, primary
key) are checked by pandera, built from the descriptor's Table Schema. Every
failure raises :class:`prp.errors.InputError` naming file, row, column, value
and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from prp.errors import InputError

BOM = b"\xef\xbb\xbf"
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


def _line(index: int) -> int:
    """1-based file line of a data row (the header is line 1)."""
    return int(index) + 2


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
        raise InputError(
            path,
            "the file is not valid UTF-8 (saved as Latin-1 or Windows-1252?)",
            row=line,
            value=raw[err.start : err.start + 4],
            expected="UTF-8 text",
        ) from None


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


def read_strings(path: Path, text: str, fields: list[str]) -> pd.DataFrame:
    """All cells as strings ('' for empty); a header mismatch or ragged row is an error."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    check_header(path, header, fields)
    for lineno, row in enumerate(reader, start=2):
        if row and len(row) != len(fields):
            raise InputError(
                path,
                f"row has {len(row)} fields",
                row=lineno,
                value=",".join(row),
                expected=f"{len(fields)} fields, as in the header",
            )
    return pd.read_csv(
        io.StringIO(text),
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        index_col=False,
        skip_blank_lines=True,
    )


def check_primary_key(path: Path, df: pd.DataFrame, res: dict[str, Any]) -> None:
    pk = res["schema"].get("primaryKey")
    if not pk:
        return
    pk = [pk] if isinstance(pk, str) else list(pk)
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
        f"first seen on row {_line(first)}",
        row=_line(idx),
        column=",".join(pk),
        expected=f"each ({', '.join(pk)}) to appear once",
        more=int(later.sum()) - 1,
    )


def _parse_column(path: Path, name: str, ftype: str, col: pd.Series) -> pd.Series:
    present = col != ""
    if ftype == "string":
        return col.where(present, pd.NA).astype("string")
    if ftype == "integer":
        bad = present & ~col.str.fullmatch(_INT_RE.pattern)
        expected = "a whole number written with digits only (no thousands separators)"
    elif ftype == "number":
        bad = present & ~col.str.fullmatch(_NUM_RE.pattern)
        expected = "a number with a dot as decimal mark and no thousands separators"
    elif ftype == "date":
        bad = present & ~col.str.fullmatch(_DATE_RE.pattern)
        if not bad.any():
            parsed = pd.to_datetime(col.where(present, None), format="%Y-%m-%d", errors="coerce")
            bad = present & parsed.isna()
        expected = "a calendar date written YYYY-MM-DD"
    elif ftype == "boolean":
        bad = present & ~col.str.lower().isin(list(_BOOL))
        expected = "true or false"
    else:
        raise ValueError(f"{path}: field {name!r} has unsupported type {ftype!r}")
    if bad.any():
        idx = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"value is not of type {ftype}",
            row=_line(idx),
            column=name,
            value=col.iloc[idx],
            expected=expected,
            more=int(bad.sum()) - 1,
        )
    if ftype == "integer":
        return pd.to_numeric(col.where(present, None)).astype("Int64")
    if ftype == "number":
        return pd.to_numeric(col.where(present, None)).astype("Float64")
    if ftype == "date":
        return pd.to_datetime(col.where(present, None), format="%Y-%m-%d").astype("datetime64[s]")
    return col.str.lower().map(_BOOL).astype("boolean")


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


def pandera_schema(res: dict[str, Any]) -> pa.DataFrameSchema:
    """A pandera schema equivalent to the resource's Table Schema constraints."""
    fields = res["schema"]["fields"]
    columns = {
        f["name"]: pa.Column(
            _PANDAS_DTYPE[f.get("type", "string")],
            checks=_checks(f),
            nullable=not f.get("constraints", {}).get("required", False),
            unique=bool(f.get("constraints", {}).get("unique", False)),
        )
        for f in fields
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True)


def _first_failure(path: Path, err: pa.errors.SchemaErrors, res: dict[str, Any]) -> InputError:
    fc = err.failure_cases.copy()
    fc["_row"] = pd.to_numeric(fc["index"], errors="coerce")
    fc = fc.sort_values(["_row"], na_position="last", kind="stable")
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
        return InputError(
            path,
            "value appears more than once",
            row=row,
            column=column,
            value=value,
            expected="unique values in this column",
            more=more,
        )
    return InputError(
        path, "value is not allowed", row=row, column=column, value=value, expected=check, more=more
    )


def validate_frame(path: Path, df: pd.DataFrame, res: dict[str, Any]) -> pd.DataFrame:
    """Typed, constraint-checked frame from a frame of strings."""
    typed = pd.DataFrame(
        {
            f["name"]: _parse_column(path, f["name"], f.get("type", "string"), df[f["name"]])
            for f in res["schema"]["fields"]
        }
    )
    check_primary_key(path, df, res)
    try:
        return pandera_schema(res).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise _first_failure(path, err, res) from None


def read_validated(path: str | Path, res: dict[str, Any]) -> pd.DataFrame:
    """Read and validate one raw CSV described by ``res``; InputError on bad input."""
    path = Path(path)
    fields = [f["name"] for f in res["schema"]["fields"]]
    if not path.exists():
        raise InputError(path, "the file does not exist", expected=f"the data of {res['name']}")
    text = decode(path, path.read_bytes(), ",".join(fields))
    return validate_frame(path, read_strings(path, text, fields), res)
