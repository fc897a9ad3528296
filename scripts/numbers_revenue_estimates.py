"""Inline numbers about Table 3.4 and its sensitivity analysis (namespace
``revenue``): the migrant base, each crime's inputs and revenue, the total,
the comparison with the Mérida Initiative and the low/high bounds."""

import math
from typing import Any

import pandas as pd

from prp.artifacts.fmt import percent, thousands
from prp.artifacts.revenue import (
    BASE_PARAMETER,
    migrants,
    millions,
    revenue_table,
    scenario_totals,
    share_label,
    tornado,
    total_revenue,
)
from prp.data.io import write_yaml


def driver_phrase(row: pd.Series) -> str:
    """A tornado row as a noun phrase for the prose."""
    if row["parameter"] == BASE_PARAMETER:
        return "the number of migrants entering Mexico each year"
    crime = str(row["crime"]).lower()
    if row["kind"] == "share":
        return f"the share of migrants affected by {crime}"
    return f"the revenue per victim of {crime}"


def share_factors(assumptions: pd.DataFrame) -> dict[str, str]:
    """The one factor by which every low (high) share differs from the
    central share, e.g. {'low': '0.5', 'high': '1.5'}; an error if the
    factors differ between crimes (the prose states a single factor)."""
    wide = assumptions.pivot(
        index="crime_id", columns="scenario", values="share_affected_percent"
    ).astype(float)
    out = {}
    for scenario in ("low", "high"):
        ratios = (wide[scenario] / wide["central"]).round(6).unique()
        if len(ratios) != 1:
            raise ValueError(
                f"{scenario} shares do not differ from the central ones by one factor: {ratios}"
            )
        out[scenario] = f"{ratios[0]:g}"
    return out


def revenue_numbers(
    assumptions: pd.DataFrame, base: pd.DataFrame, merida: pd.DataFrame
) -> dict[str, str]:
    table = revenue_table(assumptions, base)
    total = total_revenue(table)
    out: dict[str, str] = {
        "base": thousands(migrants(base, "central")),
        "total_millions": millions(total),
        "total_floor_millions": thousands(math.floor(total / 1e6)),
    }
    for row in table.itertuples():
        c = row.crime_id
        out[f"{c}_per_migrant"] = thousands(row.revenue_per_migrant_usd)
        out[f"{c}_share"] = share_label(row.share_affected_percent)
        out[f"{c}_affected"] = thousands(round(row.migrants_affected))
        out[f"{c}_millions"] = millions(row.annual_revenue_usd)
        out[f"{c}_share_of_total"] = percent(row.annual_revenue_usd / total)
    largest = table.loc[table["annual_revenue_usd"].idxmax()]
    out["largest_crime"] = str(largest["crime"]).lower()
    out["largest_crime_share_of_total"] = percent(largest["annual_revenue_usd"] / total)

    fy2017 = merida[merida["fiscal_year"] == 2017]
    if len(fy2017) != 1:
        raise ValueError("expected one Mérida Initiative amount for FY2017")
    merida_usd = float(fy2017["amount_usd"].iloc[0])
    out["merida_fy2017_millions"] = millions(merida_usd, 0)
    out["total_vs_merida"] = percent(total / merida_usd)

    scenarios = scenario_totals(assumptions, base).set_index("scenario")
    for s in ("low", "high"):
        out[f"{s}_total_millions"] = millions(scenarios.loc[s, "total_usd"])
        out[f"{s}_base"] = thousands(int(scenarios.loc[s, "migrants_per_year"]))
    factors = share_factors(assumptions)
    out["share_low_factor"], out["share_high_factor"] = factors["low"], factors["high"]

    bars = tornado(assumptions, base)
    moving = bars[bars["swing_usd"] > 0].reset_index(drop=True)
    if len(moving) < 2:
        raise ValueError("the sensitivity analysis needs at least two inputs that move the total")
    for rank, name in (
        (0, "top_driver"),
        (1, "second_driver"),
        (len(moving) - 1, "smallest_driver"),
    ):
        row = moving.loc[rank]
        out[name] = driver_phrase(row)
        out[f"{name}_low_millions"] = millions(row["low_total_usd"])
        out[f"{name}_high_millions"] = millions(row["high_total_usd"])
        out[f"{name}_swing_millions"] = millions(row["swing_usd"])
    out["n_varied"] = str(len(moving))
    out["n_fixed"] = str(len(bars) - len(moving))
    return out


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    numbers = revenue_numbers(
        pd.read_parquet(inputs["assumptions"]),
        pd.read_parquet(inputs["base"]),
        pd.read_parquet(inputs["merida"]),
    )
    write_yaml(outputs["numbers"], {params["namespace"]: numbers})


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
