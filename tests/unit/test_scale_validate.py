"""Streaming validation: the error named, and the rows it names, do not depend
on how the file is cut into chunks (prp.data.validate.iter_validated)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from prp.data.errors import InputError
from prp.data.validate import _first_failure, pandera_schema, read_validated, validate_frame

RES = {
    "name": "toy",
    "schema": {
        "fields": [
            {
                "name": "id",
                "type": "string",
                "constraints": {"required": True, "pattern": "E[0-9]+"},
            },
            {"name": "day", "type": "date", "constraints": {"required": True}},
            {"name": "n", "type": "integer", "constraints": {"required": True, "minimum": 0}},
            {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
            {"name": "code", "type": "integer", "constraints": {"unique": True}},
        ],
        "primaryKey": ["id"],
    },
}
HEADER = "id,day,n,kind,code\n"


def good(i: int) -> str:
    return f"E{i},2017-01-{1 + i % 28:02d},{i},{'ab'[i % 2]},{i}\n"


def rows(n: int, **bad: str) -> str:
    """``n`` good rows with some replaced: key = 'r<line>' (file line)."""
    lines = [good(i) for i in range(n)]
    for key, text in bad.items():
        lines[int(key[1:]) - 2] = text
    return HEADER + "".join(lines)


CASES = {
    "duplicate key across chunks": rows(9, r8="E1,2017-01-05,3,a,\n", r10="E1,2017-01-05,3,a,\n"),
    "type errors: the first column wins over the first row": rows(
        9, r3="E1,2017-01-02,x,a,1\n", r9="E7,17-1-1,7,b,7\n"
    ),
    "impossible date early, badly written date late": rows(
        9, r3="E1,2017-02-30,1,b,1\n", r9="E7,2017-1-1,7,b,7\n"
    ),
    "only impossible dates": rows(9, r4="E2,2017-02-30,2,a,2\n", r8="E6,2017-13-01,6,a,6\n"),
    "constraint early, type error late": rows(9, r2="E0,2017-01-01,-1,a,0\n", r10="E8,x,8,a,8\n"),
    "constraints in several chunks": rows(
        9, r4="E2,2017-01-03,2,c,2\n", r7="E5,2017-01-06,-5,b,5\n", r9="X7,2017-01-08,7,b,7\n"
    ),
    "missing values": rows(9, r5="E3,2017-01-04,,b,3\n", r6="E4,2017-01-05,4,,4\n"),
    "unique column across chunks": rows(9, r3="E1,2017-01-02,1,b,5\n", r9="E7,2017-01-08,7,b,5\n"),
    "unique and enum on one row": rows(9, r3="E1,2017-01-02,1,z,8\n"),
    "ragged row late outranks types early": rows(9, r2="E0,x,0,a,0\n", r10="E8,2017-01-09\n"),
    "blank lines shift nothing": HEADER
    + good(0)
    + "\n"
    + good(1)
    + good(2)
    + "\n\n"
    + "E3,2017-01-04,-3,b,3\n",
    "ragged row in a block with quotes": HEADER
    + 'E0,2017-01-01,0,"a",0\n'
    + good(1)
    + "\n"
    + "E2,2017-01-03\n"
    + good(3),
    "ragged row after a quoted line break": HEADER
    + 'E0,2017-01-01,0,"a\nb",0\n'
    + good(1)
    + "E2,2017-01-03,2,a,2,9\n",
    "quoted line break": HEADER + good(0) + 'E1,2017-01-02,1,"a\nb",1\n' + good(2) + good(3),
}
SIZES = [1, 2, 3, 4, None]


def error(path: Path, chunk_rows: int | None) -> InputError:
    with pytest.raises(InputError) as info:
        read_validated(path, RES, chunk_rows)
    return info.value


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_error_does_not_depend_on_the_chunk_size(tmp_path, case):
    path = tmp_path / "toy.csv"
    path.write_text(CASES[case], encoding="utf-8")
    errors = {size: dataclasses.asdict(error(path, size)) for size in SIZES}
    assert all(e == errors[None] for e in errors.values()), errors


def test_rows_are_named_across_chunk_boundaries(tmp_path):
    path = tmp_path / "toy.csv"
    path.write_text(CASES["duplicate key across chunks"], encoding="utf-8")
    err = error(path, 2)
    assert (err.row, err.column, err.more) == (8, "id", 1)
    assert "first seen on row 3" in str(err)
    path.write_text(CASES["type errors: the first column wins over the first row"])
    err = error(path, 2)
    assert (err.row, err.column, err.value) == (9, "day", "17-1-1")
    path.write_text(CASES["impossible date early, badly written date late"])
    assert (error(path, 3).row, error(path, 3).value, error(path, 3).more) == (9, "2017-1-1", 0)
    path.write_text(CASES["constraints in several chunks"])
    err = error(path, 2)
    assert (err.row, err.column, err.more) == (4, "kind", 2)
    path.write_text(CASES["blank lines shift nothing"])
    assert error(path, 1).row == 5  # pandas' row numbering, as before: blank lines skipped
    path.write_text(CASES["ragged row in a block with quotes"])
    assert (error(path, 2).row, error(path, 2).value) == (5, "E2,2017-01-03")  # blank line counts
    path.write_text(CASES["ragged row after a quoted line break"])
    assert error(path, 1).row == 4  # the record number: a quoted line break is not a new record


def test_late_bytes_that_are_not_utf8_outrank_an_early_ragged_row(tmp_path):
    path = tmp_path / "toy.csv"
    text = rows(9, r3="E1,2017-01-02\n").encode() + "E9,2017-01-10,9,a,9 \xe9\n".encode("latin-1")
    path.write_bytes(text)
    for size in SIZES:
        err = error(path, size)
        assert err.row == 11 and "UTF-8" in str(err)


def test_uniqueness_is_reported_as_pandera_reports_it(tmp_path):
    text = CASES["unique column across chunks"]
    path = tmp_path / "toy.csv"
    path.write_text(text)
    frame = read_validated(
        path,
        {
            **RES,
            "schema": {
                **RES["schema"],
                "fields": [
                    {
                        **f,
                        "constraints": {
                            k: v for k, v in f.get("constraints", {}).items() if k != "unique"
                        },
                    }
                    for f in RES["schema"]["fields"]
                ],
            },
        },
        None,
    )
    with pytest.raises(pa.errors.SchemaErrors) as info:
        pandera_schema(RES, unique=True).validate(frame, lazy=True)
    expected = _first_failure(path, info.value, RES)
    assert dataclasses.asdict(error(path, 2)) == dataclasses.asdict(expected)


def test_valid_chunks_add_up_to_the_whole_file(tmp_path):
    path = tmp_path / "toy.csv"
    path.write_text(rows(11))
    whole = read_validated(path, RES, None)
    for size in (1, 4, 10):
        pd.testing.assert_frame_equal(read_validated(path, RES, size), whole)
    assert list(whole.index) == list(range(11))
    strings = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(validate_frame(path, strings, RES), whole)


def test_header_only_file_gives_an_empty_typed_frame(tmp_path):
    path = tmp_path / "toy.csv"
    path.write_text(HEADER)
    df = read_validated(path, RES, 2)
    assert len(df) == 0 and str(df["n"].dtype) == "Int64"
