"""Bad input gets one clear error naming file, row, column, value and expectation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from prp.data.datapackage import resource
from prp.data.errors import InputError
from prp.data.validate import read_validated

ROOT = Path(__file__).resolve().parents[2]
RES = resource(ROOT / "data", "apprehensions_mexico")
HEADER = "country,fiscal_year,apprehensions\n"
GOOD = HEADER + "El Salvador,2013,14610\nGuatemala,2013,31188\n"


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "apprehensions_mexico.csv"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_good_file_is_typed(tmp_path):
    df = read_validated(write(tmp_path, GOOD), RES)
    assert list(df.columns) == ["country", "fiscal_year", "apprehensions"]
    assert df["apprehensions"].tolist() == [14610, 31188]
    assert str(df["apprehensions"].dtype) == "Int64"


def test_committed_file_is_valid():
    df = read_validated(ROOT / "data" / RES["path"], RES)
    assert len(df) == 15
    assert int(df["apprehensions"].sum()) == 607474


BAD = {
    # case: (content, row, column, words expected in the message)
    "empty file": (b"", None, None, ["empty"]),
    "only whitespace": (b"\n\n", None, None, ["empty"]),
    "byte-order mark": (b"\xef\xbb\xbf" + GOOD.encode(), 1, None, ["byte-order mark"]),
    "latin-1 encoding": (
        (HEADER + "El Salvador,2013,1\nGuatemala,2014,2\nHonduras,2015,3 \xe9\n").encode("latin-1"),
        4,
        None,
        ["UTF-8"],
    ),
    "missing header": ("El Salvador,2013,14610\n", 1, None, ["header"]),
    "wrong header name": (
        "country,year,apprehensions\nEl Salvador,2013,1\n",
        1,
        "year",
        ["header", "fiscal_year"],
    ),
    "missing column": (
        "country,fiscal_year\nEl Salvador,2013\n",
        1,
        None,
        ["missing", "apprehensions"],
    ),
    "extra column": (
        HEADER.strip() + ",note\nEl Salvador,2013,1,x\n",
        1,
        "note",
        ["extra column"],
    ),
    "columns out of order": (
        "fiscal_year,country,apprehensions\n2013,El Salvador,1\n",
        1,
        None,
        ["order"],
    ),
    "ragged row (too many)": (HEADER + "El Salvador,2013,1,2\n", 2, None, ["4 fields", "3 fields"]),
    "ragged row (too few)": (HEADER + "El Salvador,2013,1\nHonduras,2013\n", 3, None, ["2 fields"]),
    "thousands separator": (
        HEADER + 'El Salvador,2013,"14,610"\n',
        2,
        "apprehensions",
        ["14,610", "no thousands separators"],
    ),
    "non-numeric count": (
        HEADER + "El Salvador,2013,many\n",
        2,
        "apprehensions",
        ["many", "integer"],
    ),
    "decimal count": (HEADER + "El Salvador,2013,12.5\n", 2, "apprehensions", ["12.5"]),
    "negative count": (HEADER + "El Salvador,2013,-5\n", 2, "apprehensions", ["-5", ">= 0"]),
    "unknown country": (
        HEADER + "El Salvador,2013,1\nMars,2013,1\n",
        3,
        "country",
        ["Mars", "one of"],
    ),
    "year out of range": (HEADER + "El Salvador,2031,1\n", 2, "fiscal_year", ["2031", "<= 2017"]),
    "duplicate key": (
        HEADER + "El Salvador,2013,1\nGuatemala,2013,2\nEl Salvador,2013,3\n",
        4,
        "country,fiscal_year",
        ["duplicate", "row 2"],
    ),
    "missing required value": (HEADER + "El Salvador,2013,\n", 2, "apprehensions", ["missing"]),
    "lowercase country": (HEADER + "el salvador,2013,1\n", 2, "country", ["el salvador"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_named_precisely(tmp_path, case):
    content, row, column, words = BAD[case]
    path = write(tmp_path, content)
    with pytest.raises(InputError) as info:
        read_validated(path, RES)
    err = info.value
    message = str(err)
    assert str(path) in message
    assert err.row == row, message
    if column is not None:
        assert err.column == column, message
    for word in words:
        assert word in message, message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_validated(tmp_path / "nope.csv", RES)


def test_error_counts_further_problems(tmp_path):
    path = write(tmp_path, HEADER + "El Salvador,2013,x\nGuatemala,2013,y\nHonduras,2013,z\n")
    with pytest.raises(InputError) as info:
        read_validated(path, RES)
    assert info.value.more == 2
    assert "2 more" in str(info.value)


def test_typed_frame_roundtrips_parquet(tmp_path):
    df = read_validated(write(tmp_path, GOOD), RES)
    df.to_parquet(tmp_path / "x.parquet")
    back = pd.read_parquet(tmp_path / "x.parquet")
    assert back.equals(df)
