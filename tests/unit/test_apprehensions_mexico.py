"""Table 1.1 and its inline numbers, from tiny in-memory frames."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from numbers_apprehensions_mexico import apprehension_numbers
from table_apprehensions_mexico import apprehensions_table

from prp.artifacts.tables import TOTAL_LABEL
from prp.artifacts.tables import display_country_year as display


@pytest.fixture
def long() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["Guatemala", "Guatemala", "Honduras", "Honduras"],
            "fiscal_year": [2013, 2014, 2013, 2014],
            "apprehensions": [300, 100, 50, 50],
        }
    )


def test_totals_rows_and_columns(long):
    t = apprehensions_table(long)
    assert list(t.index) == ["Guatemala", "Honduras", TOTAL_LABEL]
    assert list(t.columns) == ["FY2013", "FY2014", "Total", "Share"]
    assert t.loc["Guatemala", "Total"] == 400
    assert t.loc[TOTAL_LABEL, "FY2013"] == 350
    assert t.loc[TOTAL_LABEL, "Total"] == 500
    assert t.loc["Guatemala", "Share"] == pytest.approx(0.8)
    assert pd.isna(t.loc[TOTAL_LABEL, "Share"])


def test_year_headings_follow_the_catalog_prefix(long):
    t = apprehensions_table(long, year_prefix="")
    assert list(t.columns) == ["2013", "2014", "Total", "Share"]
    assert list(t.loc[TOTAL_LABEL, ["2013", "2014"]]) == [350, 150]


def test_catalog_sets_the_year_prefix_of_both_country_year_tables(root):
    from prp.artifacts.catalog import load_catalog

    tables = load_catalog(root / "config" / "artifacts")["tables"]
    assert tables["apprehensions-mexico"]["year_prefix"] in ("FY", "")
    assert tables["border-apprehensions"]["year_prefix"] == "FY"  # U.S. fiscal years
    common = (root / "rules" / "common.smk").read_text(encoding="utf-8")
    assert re.search(r"TABLE_OPTIONS = \([^)]*\"year_prefix\"", common)


def test_display_strings(long):
    shown = display(apprehensions_table(long))
    assert shown.columns[0] == "Country of origin"
    assert shown.iloc[0]["Percent by country"] == "80%"
    assert shown.iloc[-1]["Percent by country"] == "–"
    assert shown.iloc[-1]["Total"] == "500"


def test_numbers(long):
    n = apprehension_numbers(long)
    assert n["total"] == "500"
    assert (n["first_year"], n["last_year"]) == ("2013", "2014")
    assert (n["peak_year"], n["peak_count"]) == ("2013", "350")
    assert n["share_guatemala"] == "80%"
    assert n["share_honduras"] == "20%"


def test_2018_values_recomputed(root):
    from prp.data.datapackage import resource
    from prp.data.validate import read_validated

    res = resource(root / "data", "apprehensions_mexico")
    df = read_validated(root / "data" / res["path"], res)
    n = apprehension_numbers(df)
    assert n["total"] == "607,474"
    assert (n["share_el_salvador"], n["share_guatemala"], n["share_honduras"]) == (
        "20%",
        "43%",
        "37%",
    )
    t = apprehensions_table(df)
    assert t.loc[TOTAL_LABEL, "FY2015"] == 177949
