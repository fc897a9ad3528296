"""Bad input beyond one file's schema: states, coordinates, percentages, dates,
totals that must add up. Each error names file, row, column and expectation."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from prp.data.checks import run_checks
from prp.data.datapackage import resource
from prp.data.errors import InputError
from prp.data.validate import read_validated
from tests.keys import raw_file

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def res(name: str) -> dict:
    r = copy.deepcopy(resource(DATA, name))
    for check in r.get("x-checks", []):
        for spec in check.values():
            if "geometry" in spec:
                spec["geometry_path"] = str(DATA / spec["geometry"])
    return r


def load_reference(name: str):
    r = res(name)
    return read_validated(raw_file(r), r), str(raw_file(r))


def validate(path: Path, name: str):
    r = res(name)
    df = read_validated(path, r)
    run_checks(path, df, r, load_reference)
    return df


def edited(tmp_path: Path, name: str, line: int, column: str, value: str) -> Path:
    """Copy of a committed dataset with one cell changed (line 1 = header)."""
    import csv
    import io

    src = raw_file(resource(DATA, name))
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / src.name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["cbp_sw_border_monthly", "camrd_events"])
def test_committed_files_pass_their_checks(name):
    assert len(validate(raw_file(resource(DATA, name)), name)) > 0


CASES = {
    # case: (dataset, line, column, new value, expected row, expected column, words)
    "unknown state": ("camrd_events", 3, "state", "Texas", 3, "state", ["Texas", "one of"]),
    "state misspelt": ("camrd_events", 4, "state", "Veracruz de Ignacio", 4, "state", ["one of"]),
    "latitude outside Mexico's box": (
        "camrd_events",
        5,
        "latitude",
        "40.1",
        5,
        "latitude",
        ["<= 32.75"],
    ),
    "point in Guatemala": (
        "camrd_events",
        2,
        "longitude",
        "-90.2",
        2,
        "latitude,longitude",
        ["outside Mexico"],
    ),
    "unknown location type": (
        "camrd_events",
        6,
        "location_type",
        "boat",
        6,
        "location_type",
        ["boat"],
    ),
    "event date out of range": (
        "camrd_events",
        7,
        "event_date",
        "2019-05-01",
        7,
        "event_date",
        ["2019"],
    ),
    "impossible date": (
        "camrd_events",
        8,
        "event_date",
        "2017-02-30",
        8,
        "event_date",
        ["YYYY-MM-DD"],
    ),
    "zero victims": ("camrd_events", 9, "victims", "0", 9, "victims", [">= 1"]),
    "duplicate event id": (
        "camrd_events",
        10,
        "event_id",
        "CAMRD-S-000001",
        10,
        "event_id",
        ["duplicate"],
    ),
    "percentage over 100": (
        "poverty_rates",
        2,
        "rate_percent",
        "135",
        2,
        "rate_percent",
        ["<= 100"],
    ),
    "percent sign in number": (
        "poverty_rates",
        3,
        "rate_percent",
        "59%",
        3,
        "rate_percent",
        ["59%"],
    ),
    "months do not add up to the year": (
        "cbp_sw_border_monthly",
        14,
        "total",
        "35313",
        14,
        "total",
        ["479,372", "479,371"],
    ),
    "children exceed the monthly total": (
        "cbp_sw_border_monthly",
        20,
        "unaccompanied_children",
        "99999",
        20,
        "total",
        ["exceeds"],
    ),
    "unknown month": ("cbp_sw_border_monthly", 2, "month", "Oct.", 2, "month", ["Oct."]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(tmp_path, case):
    name, line, column, value, row, col, words = CASES[case]
    path = edited(tmp_path, name, line, column, value)
    with pytest.raises(InputError) as info:
        validate(path, name)
    err, msg = info.value, str(info.value)
    assert str(path) in msg
    assert (err.row, err.column) == (row, col), msg
    for word in words:
        assert word in msg, msg
