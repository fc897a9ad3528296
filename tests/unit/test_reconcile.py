"""Reconciliation of the 2018 print with the data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from check_errata import reconcile

from prp.artifacts.reconcile import (
    agrees,
    internal_consistency,
    parse_selector,
    precision,
    recompute,
)
from prp.data.datapackage import resource
from prp.data.validate import read_validated

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def load(name: str) -> pd.DataFrame:
    res = resource(DATA, name)
    return read_validated(DATA / res["path"], res)


@pytest.mark.parametrize(
    ("printed", "value", "kind", "unit"),
    [
        ("20.5 million", 20.5e6, "round", 1e5),
        ("96 million", 96e6, "round", 1e6),
        ("43%", 43, "round", 1),
        ("0.6 percent", 0.6, "round", 0.1),
        ("14,610", 14610, "round", 1),
        ("approximately 178,000", 178000, "round", 1000),
        ("more than 600,000", 600000, "min", 0),
        ("less than 3 percent", 3, "max", 0),
    ],
)
def test_precision_of_printed_numbers(printed, value, kind, unit):
    p = precision(printed, value)
    assert (p.kind, p.unit) == (kind, unit)


def test_agreement_at_printed_precision():
    assert agrees("43%", 43, 43.08)
    assert not agrees("35%", 35, 34.46)
    assert agrees("approximately 178,000", 178000, 177949)
    assert agrees("more than 600,000", 600000, 607474)
    assert not agrees("more than 600,000", 600000, 599999)
    assert not agrees("20.5 million", 20.5e6, 20.66e6)


def test_selector_alternatives_and_ranges():
    assert parse_selector("citizenship=El Salvador|Honduras;fiscal_year=2013..2016") == [
        ("citizenship", ["El Salvador", "Honduras"]),
        ("fiscal_year", (2013, 2016)),
    ]


def test_recompute_share_and_sum():
    data = {"t": pd.DataFrame({"c": ["a", "a", "b"], "y": [1, 2, 1], "n": [1, 2, 7]})}
    row = {"quantity": "q", "dataset": "t.n", "selector": "c=a;y=1..2", "derivation": "sum"}
    assert recompute(row, data) == 3
    row["derivation"] = "share_percent"
    assert recompute(row, data) == pytest.approx(30)


def test_internal_consistency_finds_bad_total_and_duplicate():
    printed = pd.DataFrame(
        [
            ("Table 9 / A / FY2013", "a13", "10", 10, "persons"),
            ("Table 9 / A / FY2014", "a14", "20", 20, "persons"),
            ("Table 9 / A / Total", "at", "30", 30, "persons"),
            ("Table 9 / B / FY2013", "b13", "1,500", 1500, "persons"),
            ("Table 9 / B / FY2014", "b14", "1,500", 1500, "persons"),
            ("Table 9 / B / Total", "bt", "3,000", 3000, "persons"),
            ("Table 9 / Total Apprehensions / FY2013", "t13", "1,510", 1510, "persons"),
            ("Table 9 / Total Apprehensions / FY2014", "t14", "1,600", 1600, "persons"),
            ("Table 9 / Total Apprehensions / Total", "tt", "3,030", 3030, "persons"),
        ],
        columns=["location", "quantity", "printed", "value", "unit"],
    )
    found = internal_consistency(printed)
    bad = found[found["status"] == "differs"]
    assert set(zip(bad["check"], bad["quantity"], strict=True)) == {
        ("column total", "t14"),  # 20 + 1,500 = 1,520, printed 1,600
        ("row total", "tt"),  # 1,510 + 1,600 = 3,110, printed 3,030
        ("duplicate value", "b14"),
    }


def test_every_discrepancy_with_the_print_is_explained():
    printed = pd.read_csv(
        DATA / "published" / "printed_values.csv", dtype=str, keep_default_na=False
    )
    names = {p.split(".")[0] for d in printed["dataset"] for p in d.split("+") if p}
    findings = reconcile(printed, {n: load(n) for n in names}, load("errata_explanations"))
    differs = findings[findings["status"] == "differs"]
    unexplained = differs[differs["explanation"] == ""]
    assert unexplained.empty, unexplained[["check", "quantity", "printed", "recomputed"]]
    # the known print errors are found, not silently matched
    assert {"t12_honduras_fy2015", "t12_honduras_fy2016", "t34_total_annual_revenue"} <= set(
        differs["quantity"]
    )
    # and every explanation is used (no stale explanations)
    used = set(zip(differs["check"], differs["quantity"], strict=True))
    expl = load("errata_explanations")
    assert set(zip(expl["check"], expl["quantity"], strict=True)) == used
