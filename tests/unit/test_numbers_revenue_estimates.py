"""Inline numbers of namespace `revenue` (numbers_revenue_estimates)."""

from __future__ import annotations

import pandas as pd
import pytest
from numbers_revenue_estimates import revenue_numbers, share_factors

from tests.unit.test_revenue import make_assumptions, make_base

MERIDA = pd.DataFrame({"fiscal_year": [2016, 2017], "amount_usd": [100_000_000, 139_000_000]})


@pytest.fixture
def numbers() -> dict[str, str]:
    return revenue_numbers(make_assumptions(), make_base(), MERIDA)


def test_robbery_example_and_base(numbers):
    assert numbers["base"] == "400,000"
    assert numbers["robbery_per_migrant"] == "60"
    assert numbers["robbery_share"] == "5%"
    assert numbers["robbery_affected"] == "20,000"
    assert numbers["robbery_millions"] == "1.2"


def test_total_and_comparisons(numbers):
    assert numbers["total_millions"] == "117.9"
    assert numbers["total_floor_millions"] == "117"
    assert numbers["merida_fy2017_millions"] == "139"
    assert numbers["total_vs_merida"] == "85%"
    assert numbers["largest_crime"] == "piso"
    assert numbers["piso_share_of_total"] == "81%"


def test_sensitivity_numbers(numbers):
    assert numbers["share_low_factor"] == "0.5"
    assert numbers["share_high_factor"] == "1.5"
    assert numbers["top_driver"] == "the share of migrants affected by piso"
    assert numbers["top_driver_swing_millions"] == "96.0"
    assert numbers["smallest_driver"] == "the share of migrants affected by robbery"
    assert numbers["n_varied"] == "4"
    assert numbers["n_fixed"] == "3"
    assert float(numbers["low_total_millions"]) < 117.9 < float(numbers["high_total_millions"])


def test_uneven_share_factors_are_an_error():
    a = make_assumptions()
    a.loc[(a["crime_id"] == "robbery") & (a["scenario"] == "low"), "share_affected_percent"] = 1.0
    with pytest.raises(ValueError, match="one factor"):
        share_factors(a)


def test_missing_merida_year_is_an_error():
    with pytest.raises(ValueError, match="Mérida"):
        revenue_numbers(make_assumptions(), make_base(), MERIDA.iloc[[0]])
