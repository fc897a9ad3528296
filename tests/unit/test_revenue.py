"""The arithmetic of Table 3.4 and its sensitivity analysis (prp.artifacts.revenue)."""

from __future__ import annotations

import pandas as pd
import pytest

from prp.artifacts.revenue import (
    crimes,
    millions,
    parameters,
    revenue_table,
    scenario_totals,
    share_label,
    tornado,
    total_for,
    total_revenue,
)


def make_assumptions() -> pd.DataFrame:
    rows = []
    # crime, revenue per migrant, central share (percent)
    for crime, revenue, share in (("kidnapping", 5165, 1), ("robbery", 60, 5), ("piso", 400, 60)):
        for scenario, factor, basis in (
            ("low", 0.5, "project_assumption"),
            ("central", 1, "printed"),
            ("high", 1.5, "project_assumption"),
        ):
            rows.append(
                {
                    "crime_id": crime,
                    "crime": crime.title(),
                    "common_perpetrators": "TCOs",
                    "scenario": scenario,
                    "revenue_per_migrant_usd": float(revenue),
                    "revenue_basis": "printed" if scenario == "central" else "printed_held_fixed",
                    "share_affected_percent": share * factor,
                    "share_basis": basis,
                }
            )
    return pd.DataFrame(rows)


def make_base() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["low", "central", "high"],
            "migrants_per_year": [300_000, 400_000, 500_000],
            "basis": ["text_range", "printed", "text_range"],
            "note": ["bottom", "printed base", "top"],
        }
    )


def test_central_robbery_reproduces_twenty_thousand_victims():
    table = revenue_table(make_assumptions(), make_base()).set_index("crime_id")
    assert table.loc["robbery", "migrants_affected"] == 20_000
    assert table.loc["robbery", "annual_revenue_usd"] == 1_200_000
    assert table.loc["kidnapping", "annual_revenue_usd"] == pytest.approx(20_660_000)
    assert table.loc["piso", "annual_revenue_usd"] == pytest.approx(96_000_000)


def test_rows_keep_the_order_of_the_data():
    assert list(revenue_table(make_assumptions(), make_base())["crime_id"]) == [
        "kidnapping",
        "robbery",
        "piso",
    ]
    assert crimes(make_assumptions()) == ["kidnapping", "robbery", "piso"]


def test_total_is_the_sum_of_rows():
    table = revenue_table(make_assumptions(), make_base())
    assert total_revenue(table) == pytest.approx(20_660_000 + 1_200_000 + 96_000_000)


def test_scenario_totals_bracket_the_central_total():
    totals = scenario_totals(make_assumptions(), make_base()).set_index("scenario")["total_usd"]
    assert totals["low"] < totals["central"] < totals["high"]
    # low: 300,000 migrants and every share halved
    assert totals["low"] == pytest.approx(300_000 * (0.005 * 5165 + 0.025 * 60 + 0.30 * 400))


def test_total_for_moves_only_the_named_parameter():
    a, b = make_assumptions(), make_base()
    central = total_for(a, b, {})
    assert central == pytest.approx(total_revenue(revenue_table(a, b)))
    assert total_for(a, b, {"share:robbery": "high"}) - central == pytest.approx(
        400_000 * 0.025 * 60
    )
    assert total_for(a, b, {"migrants_per_year": "high"}) == pytest.approx(
        central * 500_000 / 400_000
    )
    with pytest.raises(ValueError, match="unknown parameters"):
        total_for(a, b, {"share:nothing": "high"})


def test_tornado_is_sorted_by_swing_and_has_one_row_per_parameter():
    bars = tornado(make_assumptions(), make_base())
    assert sorted(bars["parameter"]) == sorted(parameters(make_assumptions()))
    assert bars["swing_usd"].is_monotonic_decreasing
    assert bars.iloc[0]["parameter"] == "share:piso"  # 400,000 × 60% × 400 swing
    assert bars.iloc[0]["swing_usd"] == pytest.approx(96_000_000)
    fixed = bars[bars["parameter"].str.startswith("revenue:")]
    assert (fixed["swing_usd"] == 0).all()
    assert (bars["low_total_usd"] <= bars["central_total_usd"]).all()


def test_missing_or_duplicated_inputs_are_errors():
    a = make_assumptions()
    with pytest.raises(ValueError, match="lacks crimes"):
        revenue_table(
            a[~((a["crime_id"] == "robbery") & (a["scenario"] == "high"))], make_base(), "high"
        )
    with pytest.raises(ValueError, match="appears twice"):
        revenue_table(pd.concat([a, a.iloc[[1]]]), make_base())
    with pytest.raises(ValueError, match="one migrant base"):
        revenue_table(a, make_base().iloc[[0, 2]])


def test_labels():
    assert share_label(1.0) == "1%"
    assert share_label(0.5) == "0.5%"
    assert share_label(60) == "60%"
    assert millions(134_940_000) == "134.9"
    assert millions(139_000_000, 0) == "139"


def test_escape_dollars():
    from prp.artifacts.revenue import escape_dollars

    df = pd.DataFrame({"Revenue (US$)": ["US$5", 3]})
    out = escape_dollars(df)
    assert list(out.columns) == ["Revenue (US\\$)"]
    assert list(out.iloc[:, 0]) == ["US\\$5", 3]
