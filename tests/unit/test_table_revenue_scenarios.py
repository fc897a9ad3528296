"""Appendix table of low/central/high scenarios (table_revenue_scenarios)."""

from __future__ import annotations

import pytest
from table_revenue_scenarios import TOTAL_LABEL, display, scenarios_table

from tests.unit.test_revenue import make_assumptions, make_base


def test_rows_values_and_total():
    table = scenarios_table(make_assumptions(), make_base())
    assert list(table["parameter"]) == [
        "migrants_per_year",
        "share:kidnapping",
        "share:robbery",
        "share:piso",
        "revenue:kidnapping",
        "revenue:robbery",
        "revenue:piso",
        "total",
    ]
    base = table.iloc[0]
    assert (base["low"], base["central"], base["high"]) == (300_000, 400_000, 500_000)
    total = table.iloc[-1]
    assert total["input"] == TOTAL_LABEL
    assert total["central"] == pytest.approx(117_860_000)
    assert total["low"] < total["central"] < total["high"]


def test_basis_marks_printed_and_assumed_inputs():
    table = scenarios_table(make_assumptions(), make_base()).set_index("parameter")
    assert "this project's assumption" in table.loc["share:robbery", "basis"].lower()
    assert "× 0.5 and × 1.5" in table.loc["share:robbery", "basis"]
    assert "held fixed" in table.loc["revenue:piso", "basis"]
    assert "stated elsewhere in the 2018 report" in table.loc["migrants_per_year", "basis"]
    assert table.loc["migrants_per_year", "basis"].startswith("Low: bottom; high: top")


def test_central_inputs_must_be_printed():
    a = make_assumptions()
    a.loc[(a["crime_id"] == "piso") & (a["scenario"] == "central"), "share_basis"] = (
        "project_assumption"
    )
    with pytest.raises(ValueError, match="as printed"):
        scenarios_table(a, make_base())


def test_display():
    shown = display(scenarios_table(make_assumptions(), make_base()))
    assert list(shown.columns) == [
        "Input",
        "Low",
        "Central",
        "High",
        "Basis of the low and high values",
    ]
    assert list(shown.iloc[0][["Low", "Central", "High"]]) == ["300,000", "400,000", "500,000"]
    assert list(shown.iloc[2][["Low", "Central", "High"]]) == ["2.5%", "5%", "7.5%"]
    assert shown.iloc[-1]["Central"] == "117.9"
