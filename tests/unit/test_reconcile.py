"""Reconciliation of the 2018 print with the data."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pytest
from check_errata import UNREVIEWED, RegisterError, as_text, reconcile
from numbers_errata import CLASS_KEYS, errata_numbers

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


@functools.cache
def _printed_and_datasets() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    printed = pd.read_csv(
        DATA / "published" / "printed_values.csv", dtype=str, keep_default_na=False
    )
    names = {p.split(".")[0] for d in printed["dataset"] for p in d.split("+") if p}
    return printed, {n: load(n) for n in names}


def printed_and_datasets() -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The printed values and the validated datasets they name: read and
    validated once per test process (30 datasets), a fresh copy per test."""
    printed, datasets = _printed_and_datasets()
    return printed.copy(), {n: df.copy() for n, df in datasets.items()}


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return as_text(load("reconciliation_findings"))


@pytest.fixture(scope="module")
def reconciled(register) -> tuple[pd.DataFrame, pd.DataFrame]:
    printed, datasets = printed_and_datasets()
    return reconcile(printed, datasets, as_text(load("errata_explanations")), register)


def test_row_totals_of_calendar_year_columns_are_checked():
    rows = [
        ("T / A / 2013", "10"),
        ("T / A / 2014", "20"),
        ("T / A / Total", "40"),
    ]
    printed = pd.DataFrame(
        [
            {
                "location": f"Table 9.9{loc[1:]}",
                "quantity": f"q{i}",
                "printed": v,
                "value": v,
                "unit": "persons",
            }
            for i, (loc, v) in enumerate(rows)
        ]
    )
    found = internal_consistency(printed)
    total = found[found["check"] == "row total"]
    assert list(total["status"]) == ["differs"] and list(total["recomputed"]) == [30.0]


def test_every_discrepancy_with_the_print_is_explained(reconciled):
    comparisons, _ = reconciled
    differs = comparisons[comparisons["status"] == "differs"]
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


def test_every_finding_of_the_register_is_in_errata_once(reconciled, register):
    comparisons, errata = reconciled
    assert sorted(errata["finding"]) == sorted(register["id"])
    assert errata["finding"].is_unique
    assert (errata["status"] == "differs").all()
    # a comparison with a check names a difference, and nothing else does
    differs = comparisons[comparisons["status"] == "differs"]
    compared = errata[errata["check"] != "reading"]
    assert len(compared) == len(differs)
    linked = register[register["check"] != ""]
    assert set(zip(linked["check"], linked["errata_quantity"], strict=True)) == set(
        zip(differs["check"], differs["quantity"], strict=True)
    )
    # the class, confidence and evidence come from the register
    by_id = register.set_index("id")
    for row in errata.to_dict("records"):
        for col in ("class", "confidence", "evidence", "location"):
            assert row[col] == by_id.loc[row["finding"], col], (row["finding"], col)


def test_a_finding_naming_an_agreeing_comparison_is_left_out_with_a_warning(register, caplog):
    printed, datasets = printed_and_datasets()
    explanations = as_text(load("errata_explanations"))
    stale = register.copy()
    row = stale.index[stale["check"] == ""][0]
    stale.loc[row, ["check", "errata_quantity"]] = ["recompute", "t11_guatemala_fy2013"]
    with caplog.at_level("WARNING"):
        _, errata = reconcile(printed, datasets, explanations, stale)
    assert stale.loc[row, "id"] not in set(errata["finding"])
    assert f"{stale.loc[row, 'id']}: no differing comparison" in caplog.text


def test_a_difference_without_a_finding_is_listed_as_not_yet_reviewed(register, caplog):
    """New data (or a changed assumption) must not stop an author's build:
    the difference is listed, flagged, with a warning naming it."""
    printed, datasets = printed_and_datasets()
    explanations = as_text(load("errata_explanations"))
    quantity = explanations.loc[0, "quantity"]
    explanations.loc[0, "finding"] = ""
    with caplog.at_level("WARNING"):
        _, errata = reconcile(printed, datasets, explanations, register)
    row = errata[errata["quantity"] == quantity]
    assert list(row["class"]) == [UNREVIEWED] and list(row["finding"]) == [""]
    assert f"{quantity}: differs from the 2018 print" in caplog.text


def test_a_finding_named_for_another_difference_stops_the_build(register):
    printed, datasets = printed_and_datasets()
    explanations = as_text(load("errata_explanations"))
    explanations.loc[0, "finding"] = explanations.loc[1, "finding"]
    with pytest.raises(RegisterError, match="named by more than one difference|names"):
        reconcile(printed, datasets, explanations, register)


def test_the_committed_report_leaves_no_difference_unreviewed(register, caplog):
    """The gate for the committed report: every difference has its finding
    and every finding its difference (a build goes on with warnings)."""
    printed, datasets = printed_and_datasets()
    with caplog.at_level("WARNING"):
        _, errata = reconcile(printed, datasets, as_text(load("errata_explanations")), register)
    assert not (errata["class"] == UNREVIEWED).any(), errata[errata["class"] == UNREVIEWED]
    assert caplog.text == ""


def test_every_source_of_a_finding_is_in_the_bibliography(register):
    bib = (ROOT / "report" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", bib, re.MULTILINE))
    cited = {k.strip() for s in register["source"] for k in s.split(";") if k.strip()}
    assert cited - keys == set()
    expl = load("errata_explanations")
    assert set(expl["source"]) - keys == set()


def test_class_counts_in_the_numbers_equal_the_register(reconciled, register):
    comparisons, errata = reconciled
    numbers = errata_numbers(comparisons, errata)
    for cls, key in CLASS_KEYS.items():
        assert numbers[key] == str(int((register["class"] == cls).sum())), cls
    assert numbers["findings"] == str(len(register))
    assert int(numbers["findings"]) == sum(int(numbers[k]) for k in CLASS_KEYS.values())
    assert numbers["findings_firm"] == str(int((register["confidence"] == "firm").sum()))
