"""The inline numbers of Parts 1 and 2 (config/numbers/part1_*.yaml,
part2_*.yaml) recomputed from the raw data: they must give the values the
2018 edition printed wherever the data agree with the print, and the CBP
figures, not the print, where they do not (Table 1.2)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from prp.artifacts.fmt import word_fraction
from prp.artifacts.numbers import FRACTION, compute, datasets_of, load_spec, numbers
from prp.data.datapackage import resource
from prp.data.validate import read_validated

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "config" / "numbers").glob("part[12]_*.yaml"))

# variable (namespace.key) -> quantity id in data/published/printed_values.csv
PRINTED = {
    "part1_trends.inm_central_americans_2015": "p1_inm_apprehensions_2015",
    "part1_trends.uam_deported_change_pct": "p1_pct_change_uam_deported_mexico",
    "part1_trends.iom_transit_low": "p1_iom_transit_low",
    "part1_trends.iom_transit_high": "p1_iom_transit_high",
    "part1_trends.iom_share_central_america": "p1_iom_share_central_america",
    "part1_trends.authors_departures_low": "p1_authors_ntca_departures_low",
    "part1_trends.authors_departures_high": "p1_authors_ntca_departures_high",
    "part1_trends.authors_departures_since_2014_millions": "p1_ntca_departures_since_2014",
    "part1_trends.border_ntca_fy2013": "t12_total_fy2013",
    "part1_trends.border_ntca_fy2014": "t12_total_fy2014",
    "part1_trends.border_ntca_fy2015": "t12_total_fy2015",
    "part1_trends.border_guatemala_fy2013_2016": "t12_guatemala_total",
    "part1_causes.civil_war_start": "p1_el_salvador_civil_war_start",
    "part1_causes.civil_war_end": "p1_el_salvador_civil_war_end",
    "part1_causes.asylum_approved_max_pct": "p1_asylum_approval_early_1980s",
    "part1_causes.gang_truce_years": "p1_gang_truce_years",
    "part1_causes.homicide_el_salvador": "p1_homicide_el_salvador_2015",
    "part1_causes.homicide_honduras": "p1_homicide_honduras_2015",
    "part1_causes.homicide_guatemala": "p1_homicide_guatemala_2015",
    "part1_causes.homicide_mexico": "p1_homicide_mexico",
    "part1_causes.homicide_united_states": "p1_homicide_united_states",
    "part1_causes.poverty_el_salvador": "p1_poverty_el_salvador",
    "part1_causes.poverty_guatemala": "p1_poverty_guatemala",
    "part1_causes.poverty_honduras": "p1_poverty_honduras",
    "part1_causes.poverty_rural_ntca": "p1_poverty_ntca_rural",
    "part1_causes.poverty_line_usd": "p1_poverty_line_usd",
    "part1_causes.poverty_year_guatemala": "p1_poverty_year_guatemala",
    "part1_causes.fdi_latin_america": "p1_fdi_latin_america_2016",
    "part1_causes.fdi_guatemala": "p1_fdi_guatemala",
    "part1_causes.fdi_el_salvador": "p1_fdi_el_salvador",
    "part1_causes.fdi_honduras": "p1_fdi_honduras",
    "part1_causes.neet_el_salvador": "p1_neet_el_salvador_honduras",
    "part1_causes.neet_honduras": "p1_neet_el_salvador_honduras",
    "part1_causes.hs_graduation_guatemala": "p1_hs_graduation_guatemala",
    "part1_causes.min_wage_low": "p1_min_wage_georgia_wyoming",
    "part1_causes.min_wage_high": "p1_min_wage_dc",
    "part1_causes.daily_earnings_low": "p1_daily_earnings_low",
    "part1_causes.daily_earnings_high": "p1_daily_earnings_high",
    "part1_causes.coffee_wage_el_salvador": "p1_coffee_wage_el_salvador",
    "part1_risk.uam_us_border_change_pct": "p1_pct_change_uam_apprehended_us_border",
    "part1_risk.uam_deported_mexico_change_pct": "p1_pct_change_uam_deported_mexico_repeat",
    "part1_risk.unhcr_children_interviewed": "p1_unhcr_children_interviewed",
    "part1_risk.unhcr_violence_el_salvador": "p1_unhcr_violence_el_salvador",
    "part1_risk.unhcr_violence_guatemala": "p1_unhcr_violence_guatemala",
    "part1_risk.unhcr_violence_honduras": "p1_unhcr_violence_honduras",
    "part1_risk.uam_apprehensions_per_homicide": "p1_uam_apprehensions_per_homicide",
    "part1_risk.uam_share_girls_deported": "p1_uam_share_girls_deported",
    "part1_risk.lgbtqi_killed_honduras": "p1_lgbtqi_killed_honduras",
    "part1_risk.lgbtqi_sgbv_share": "p1_lgbtqi_sgbv_share",
    "part2_law.decriminalization_year": "p2_decriminalization_year",
    "part2_law.humanitarian_visa_years": "p2_humanitarian_visa_validity",
}


def frame(name: str) -> pd.DataFrame:
    res = resource(ROOT / "data", name)
    return read_validated(ROOT / "data" / res["path"], res)


@pytest.fixture(scope="module")
def computed() -> dict[str, tuple[object, str, dict]]:
    """namespace.key -> (raw value, display string, value spec)."""
    out = {}
    for path in SPECS:
        spec = load_spec(path)
        frames = {d: frame(d) for d in datasets_of(spec)}
        shown = numbers(spec, frames, str(path))
        for key, value in spec["values"].items():
            data = frames[value.get("dataset", spec.get("dataset"))]
            out[f"{path.stem}.{key}"] = (compute(key, value, data, str(path)), shown[key], value)
    return out


@pytest.fixture(scope="module")
def printed() -> dict[str, float]:
    with open(ROOT / "data" / "published" / "printed_values.csv", encoding="utf-8") as fh:
        return {r["quantity"]: float(r["value"]) for r in csv.DictReader(fh) if r["value"]}


def test_every_namespace_is_present():
    assert {p.stem for p in SPECS} >= {"part1_trends", "part1_causes", "part1_risk", "part2_law"}


def test_mapped_variables_exist(computed):
    assert set(PRINTED) <= set(computed)


@pytest.mark.parametrize("var", sorted(PRINTED))
def test_value_as_printed_in_2018(var, computed, printed):
    raw, shown, spec = computed[var]
    assert float(raw) == pytest.approx(printed[PRINTED[var]], abs=1e-6)
    # the display string shows that value at its own precision
    if spec.get("format") == FRACTION:  # a word fraction, as printed ("two-thirds")
        assert shown == word_fraction(printed[PRINTED[var]] * spec.get("scale", 1))
        return
    digits = re.sub(r"[^0-9.]", "", shown.removesuffix(" million"))
    number = float(digits)
    expected = printed[PRINTED[var]] * spec.get("scale", 1)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    assert number == pytest.approx(expected, abs=0.5 * 10**-decimals + 1e-9)


def test_table_1_2_numbers_follow_cbp_not_the_print(computed, printed):
    """The print's FY2016 column total carries a repeated Honduras cell; the
    prose uses CBP's figures."""
    _raw, shown, _ = computed["part1_trends.border_ntca_fy2016"]
    assert shown == "199,401"
    assert printed["t12_total_fy2016"] == 237417
    assert computed["part1_trends.border_honduras_fy2015"][1] == "33,445"
    assert computed["part1_trends.border_honduras_fy2016"][1] == "52,952"


def test_prose_claims_about_the_monthly_series(computed):
    """The text calls May 2014 the busiest and April 2017 the quietest month
    of Figure 1.1."""
    assert computed["part1_trends.monthly_may_2014"][1] == computed["part1_trends.monthly_max"][1]
    assert computed["part1_trends.monthly_apr_2017"][1] == computed["part1_trends.monthly_min"][1]


def test_homicide_years_corrected(computed, printed):
    """The 2018 text dates the World Bank rates for Mexico and the United
    States 2005 (a misprint); the data and the prose give 2015."""
    assert computed["part1_causes.homicide_el_salvador_year"][1] == "2015"
    assert computed["part1_causes.homicide_mexico_us_year"][1] == "2015"
    assert printed["p1_homicide_year_mexico_us"] == 2005
