"""Table 3.4 (table_revenue_estimates) from a small in-memory table."""

from __future__ import annotations

import pandas as pd
import pytest
from table_revenue_estimates import TOTAL_LABEL, display, estimates, method_note

from tests.unit.test_revenue import make_assumptions, make_base


def test_total_row_is_the_sum_of_the_crime_rows():
    table = estimates(make_assumptions(), make_base())
    assert list(table["crime"]) == ["Kidnapping", "Robbery", "Piso", TOTAL_LABEL]
    total = table.iloc[-1]["annual_revenue_usd"]
    assert total == pytest.approx(table.iloc[:-1]["annual_revenue_usd"].sum())
    assert total == pytest.approx(117_860_000)
    assert pd.isna(table.iloc[-1]["share_affected_percent"])


def test_display_strings():
    shown = display(estimates(make_assumptions(), make_base()))
    assert list(shown.columns) == [
        "Crime",
        "Common perpetrators",
        "Revenue per migrant (US$)",
        "Share of migrants affected",
        "Migrants affected a year",
        "Annual revenue (US$ millions)",
    ]
    robbery = shown.iloc[1]
    assert robbery["Revenue per migrant (US$)"] == "60"
    assert robbery["Share of migrants affected"] == "5%"
    assert robbery["Migrants affected a year"] == "20,000"
    assert robbery["Annual revenue (US$ millions)"] == "1.2"
    assert shown.iloc[0]["Revenue per migrant (US$)"] == "5,165"
    assert shown.iloc[-1]["Annual revenue (US$ millions)"] == "117.9"
    assert shown.iloc[-1]["Share of migrants affected"] == ""


def test_method_note_names_the_base():
    assert "400,000 migrants" in method_note(estimates(make_assumptions(), make_base()))


def test_other_scenario():
    table = estimates(make_assumptions(), make_base(), "high")
    assert table.iloc[1]["migrants_affected"] == pytest.approx(500_000 * 0.075)
