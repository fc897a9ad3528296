"""Table 3.4's arithmetic: what criminal groups earn a year from crimes
against migrants, and how the estimate moves with its assumptions.

For each crime, annual revenue = revenue per victimised migrant × share of
migrants affected × migrants entering Mexico a year. The inputs come in three
scenarios (``low``, ``central``, ``high``): ``central`` is what the 2018 report
printed, the others bracket it (see the data package entries of
``revenue_assumptions`` and ``migrant_base`` for what each scenario assumes).

Inputs are the clean frames of those two datasets:

* assumptions: crime_id, crime, common_perpetrators, scenario,
  revenue_per_migrant_usd, revenue_basis, share_affected_percent, share_basis
* base: scenario, migrants_per_year, basis, note

A *parameter* is one input that the sensitivity analysis moves on its own:
``migrants_per_year``, ``share:<crime_id>`` or ``revenue:<crime_id>``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

SCENARIOS = ("low", "central", "high")
CENTRAL = "central"
BASE_PARAMETER = "migrants_per_year"

TABLE_COLUMNS = [
    "crime_id",
    "crime",
    "common_perpetrators",
    "revenue_per_migrant_usd",
    "share_affected_percent",
    "migrants_per_year",
    "migrants_affected",
    "annual_revenue_usd",
]


def crimes(assumptions: pd.DataFrame) -> list[str]:
    """Crime ids in the order of first appearance (the 2018 row order)."""
    return list(dict.fromkeys(assumptions["crime_id"].astype(str)))


def _scenario_rows(assumptions: pd.DataFrame, scenario: str) -> pd.DataFrame:
    rows = assumptions[assumptions["scenario"].astype(str) == scenario]
    if rows.empty:
        raise ValueError(f"no revenue assumptions for scenario {scenario!r}")
    dup = rows["crime_id"][rows["crime_id"].duplicated()]
    if not dup.empty:
        raise ValueError(f"crime {dup.iloc[0]!r} appears twice in scenario {scenario!r}")
    missing = set(crimes(assumptions)) - set(rows["crime_id"].astype(str))
    if missing:
        raise ValueError(f"scenario {scenario!r} lacks crimes {sorted(missing)}")
    return rows.set_index(rows["crime_id"].astype(str))


class _Rows(dict):  # type: ignore[type-arg]
    """Each scenario's rows (:func:`_scenario_rows`), selected and checked
    once, on first use: the sensitivity analysis asks for them hundreds of
    times. The same errors, at the same first use, as without it."""

    def __init__(self, assumptions: pd.DataFrame) -> None:
        super().__init__()
        self.assumptions = assumptions

    def __missing__(self, scenario: str) -> pd.DataFrame:
        rows = self[scenario] = _scenario_rows(self.assumptions, scenario)
        return rows


def migrants(base: pd.DataFrame, scenario: str) -> int:
    """Migrants entering Mexico a year under ``scenario`` (exactly one row)."""
    rows = base[base["scenario"].astype(str) == scenario]
    if len(rows) != 1:
        raise ValueError(f"expected one migrant base for scenario {scenario!r}, found {len(rows)}")
    value = int(rows["migrants_per_year"].iloc[0])
    if value <= 0:
        raise ValueError(f"migrant base for scenario {scenario!r} must be positive")
    return value


def revenue_table(
    assumptions: pd.DataFrame, base: pd.DataFrame, scenario: str = CENTRAL
) -> pd.DataFrame:
    """One row per crime (2018 order): inputs, migrants affected a year
    (base × share) and annual revenue (migrants affected × revenue per
    migrant), all inputs taken from ``scenario``."""
    rows = _scenario_rows(assumptions, scenario).loc[crimes(assumptions)]
    n = migrants(base, scenario)
    share = rows["share_affected_percent"].astype(float)
    if ((share < 0) | (share > 100)).any():
        raise ValueError("shares affected must lie between 0 and 100 percent")
    out = pd.DataFrame(
        {
            "crime_id": rows.index,
            "crime": rows["crime"].astype(str).to_numpy(),
            "common_perpetrators": rows["common_perpetrators"].astype(str).to_numpy(),
            "revenue_per_migrant_usd": rows["revenue_per_migrant_usd"].astype(float).to_numpy(),
            "share_affected_percent": share.to_numpy(),
            "migrants_per_year": n,
        }
    )
    out["migrants_affected"] = out["migrants_per_year"] * out["share_affected_percent"] / 100
    out["annual_revenue_usd"] = out["migrants_affected"] * out["revenue_per_migrant_usd"]
    return out[TABLE_COLUMNS].reset_index(drop=True)


def total_revenue(table: pd.DataFrame) -> float:
    return float(table["annual_revenue_usd"].sum())


def parameters(assumptions: pd.DataFrame) -> list[str]:
    """Every input the sensitivity analysis can move, in a stable order."""
    ids = crimes(assumptions)
    return [BASE_PARAMETER] + [f"share:{c}" for c in ids] + [f"revenue:{c}" for c in ids]


def total_for(
    assumptions: pd.DataFrame,
    base: pd.DataFrame,
    choice: Mapping[str, str],
    rows: Mapping[str, pd.DataFrame] | None = None,
) -> float:
    """Total annual revenue when each parameter named in ``choice`` takes the
    value of the scenario it maps to, and every other one its central value.
    ``rows``: the scenarios' rows, kept by a caller that asks many times."""
    unknown = set(choice) - set(parameters(assumptions))
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    rows = _Rows(assumptions) if rows is None else rows
    n = migrants(base, choice.get(BASE_PARAMETER, CENTRAL))
    total = 0.0
    for crime in crimes(assumptions):
        share_rows = rows[choice.get(f"share:{crime}", CENTRAL)]
        revenue_rows = rows[choice.get(f"revenue:{crime}", CENTRAL)]
        share = float(share_rows.loc[crime, "share_affected_percent"]) / 100
        total += n * share * float(revenue_rows.loc[crime, "revenue_per_migrant_usd"])
    return total


def scenario_totals(assumptions: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Total annual revenue with every input at the low, central or high value."""
    rows = []
    for scenario in SCENARIOS:
        table = revenue_table(assumptions, base, scenario)
        rows.append(
            {
                "scenario": scenario,
                "migrants_per_year": migrants(base, scenario),
                "total_usd": total_revenue(table),
            }
        )
    return pd.DataFrame(rows)


def _value(
    assumptions: pd.DataFrame,
    base: pd.DataFrame,
    parameter: str,
    scenario: str,
    rows: Mapping[str, pd.DataFrame] | None = None,
) -> float:
    if parameter == BASE_PARAMETER:
        return float(migrants(base, scenario))
    kind, crime = parameter.split(":", 1)
    column = "share_affected_percent" if kind == "share" else "revenue_per_migrant_usd"
    rows = _Rows(assumptions) if rows is None else rows
    return float(rows[scenario].loc[crime, column])


def _basis(
    assumptions: pd.DataFrame,
    base: pd.DataFrame,
    parameter: str,
    scenario: str,
    kept: Mapping[str, pd.DataFrame] | None = None,
) -> str:
    if parameter == BASE_PARAMETER:
        rows = base[base["scenario"].astype(str) == scenario]
        return str(rows["basis"].iloc[0])
    kind, crime = parameter.split(":", 1)
    column = "share_basis" if kind == "share" else "revenue_basis"
    kept = _Rows(assumptions) if kept is None else kept
    return str(kept[scenario].loc[crime, column])


def crime_names(assumptions: pd.DataFrame) -> dict[str, str]:
    first = assumptions.drop_duplicates("crime_id")
    return dict(zip(first["crime_id"].astype(str), first["crime"].astype(str), strict=True))


def tornado(assumptions: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: its low/central/high values and bases, the
    total with it at low and at high (all others central) and the swing
    |high total − low total|; sorted by swing, largest first (ties in
    parameter order)."""
    kept = _Rows(assumptions)
    central_total = total_for(assumptions, base, {}, kept)
    names = crime_names(assumptions)
    rows = []
    for order, parameter in enumerate(parameters(assumptions)):
        low_total = total_for(assumptions, base, {parameter: "low"}, kept)
        high_total = total_for(assumptions, base, {parameter: "high"}, kept)
        kind, _, crime = parameter.partition(":")
        rows.append(
            {
                "parameter": parameter,
                "kind": "migrants" if parameter == BASE_PARAMETER else kind,
                "crime": names.get(crime, ""),
                "low_value": _value(assumptions, base, parameter, "low", kept),
                "central_value": _value(assumptions, base, parameter, CENTRAL, kept),
                "high_value": _value(assumptions, base, parameter, "high", kept),
                "low_basis": _basis(assumptions, base, parameter, "low", kept),
                "central_basis": _basis(assumptions, base, parameter, CENTRAL, kept),
                "high_basis": _basis(assumptions, base, parameter, "high", kept),
                "low_total_usd": low_total,
                "central_total_usd": central_total,
                "high_total_usd": high_total,
                "swing_usd": abs(high_total - low_total),
                "order": order,
            }
        )
    out = pd.DataFrame(rows).sort_values(
        ["swing_usd", "order"], ascending=[False, True], kind="stable"
    )
    return out.drop(columns="order").reset_index(drop=True)


def share_label(percent: float) -> str:
    """1.0 -> '1%', 0.5 -> '0.5%', 60 -> '60%'."""
    return f"{float(percent):g}%"


def millions(usd: float, digits: int = 1) -> str:
    """134_940_000 -> '134.9' (US$ millions)."""
    return f"{usd / 1e6:,.{digits}f}"


def escape_dollars(df: pd.DataFrame) -> pd.DataFrame:
    """Display frame with every '$' in headers and text cells escaped, so
    that pandoc does not read 'US$ ... US$' as inline TeX math."""

    def esc(value: object) -> object:
        return value.replace("$", "\\$") if isinstance(value, str) else value

    out = df.map(esc)
    out.columns = [esc(str(c)) for c in df.columns]
    return out
