"""Appendix table: Table 3.4's total under low, central and high
assumptions, with the value and the basis of every input in each scenario."""

from typing import Any

import pandas as pd

from prp.artifacts.crimes import set_widths
from prp.artifacts.fmt import thousands
from prp.artifacts.revenue import (
    BASE_PARAMETER,
    crime_names,
    escape_dollars,
    millions,
    parameters,
    scenario_totals,
    share_label,
    tornado,
)
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.data.io import write_csv, write_text

# What a basis code of the data package means, in the table's words.
BASIS = {
    "printed": "as printed in the 2018 report",
    "printed_held_fixed": "printed value held fixed: the 2018 report gives no range",
    "project_assumption": "this project's assumption",
    "text_range": "stated elsewhere in the 2018 report",
}
TOTAL_LABEL = "Total annual revenue (US$ millions)"
WIDTHS = [30, 10, 10, 10, 40]


def input_label(parameter: str, names: dict[str, str]) -> str:
    if parameter == BASE_PARAMETER:
        return "Migrants entering Mexico a year"
    kind, crime = parameter.split(":", 1)
    what = "Share affected" if kind == "share" else "Revenue per migrant (US$)"
    return f"{what}: {names[crime]}"


def basis_text(row: pd.Series, base_notes: dict[str, str]) -> str:
    """Where the low and high values come from, from the basis codes (and,
    for the migrant base, the notes of the data)."""
    low, high = row["low_basis"], row["high_basis"]
    for code in (low, high):
        if code not in BASIS:
            raise ValueError(f"unknown basis {code!r} for {row['parameter']}")
    if row["parameter"] == BASE_PARAMETER:
        if low == high:
            return f"Low: {base_notes['low']}; high: {base_notes['high']} (both {BASIS[low]})"
        return (
            f"Low: {base_notes['low']} ({BASIS[low]}); high: {base_notes['high']} ({BASIS[high]})"
        )
    text = BASIS[low] if low == high else f"low: {BASIS[low]}; high: {BASIS[high]}"
    if low == high == "project_assumption" and row["central_value"]:
        lo = row["low_value"] / row["central_value"]
        hi = row["high_value"] / row["central_value"]
        text += f": central × {lo:g} and × {hi:g}"
    return text[0].upper() + text[1:]


def scenarios_table(assumptions: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """One row per input (migrant base, each share, each revenue per
    migrant, in that order) with its low/central/high values and bases, and
    a last row with the total in each scenario. The central scenario must be
    the printed one."""
    bars = tornado(assumptions, base).set_index("parameter")
    order = parameters(assumptions)
    rows = bars.loc[order].reset_index()
    not_printed = rows[rows["central_basis"] != "printed"]
    if not not_printed.empty:
        raise ValueError(
            f"central inputs must be as printed; not so for {list(not_printed['parameter'])}"
        )
    names = crime_names(assumptions)
    notes = dict(zip(base["scenario"].astype(str), base["note"].astype(str), strict=True))
    out = pd.DataFrame(
        {
            "parameter": rows["parameter"],
            "input": [input_label(p, names) for p in rows["parameter"]],
            "low": rows["low_value"],
            "central": rows["central_value"],
            "high": rows["high_value"],
            "low_basis": rows["low_basis"],
            "high_basis": rows["high_basis"],
            "basis": [basis_text(r, notes) for _, r in rows.iterrows()],
        }
    )
    totals = scenario_totals(assumptions, base).set_index("scenario")["total_usd"]
    total_row = {
        "parameter": "total",
        "input": TOTAL_LABEL,
        "low": totals["low"],
        "central": totals["central"],
        "high": totals["high"],
        "low_basis": "",
        "high_basis": "",
        "basis": "Computed with every input at the scenario's value",
    }
    return pd.concat([out, pd.DataFrame([total_row])], ignore_index=True)


def display(table: pd.DataFrame) -> pd.DataFrame:
    def cell(parameter: str, value: float) -> str:
        if parameter == "total":
            return millions(value)
        if parameter.startswith("share:"):
            return share_label(value)
        return thousands(round(value))

    shown = {"Input": table["input"]}
    for scenario, header in (("low", "Low"), ("central", "Central"), ("high", "High")):
        shown[header] = [
            cell(p, v) for p, v in zip(table["parameter"], table[scenario], strict=True)
        ]
    shown["Basis of the low and high values"] = table["basis"]
    return pd.DataFrame(shown)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = scenarios_table(pd.read_parquet(inputs["assumptions"]), pd.read_parquet(inputs["base"]))
    write_csv(outputs["csv"], table)
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    md = markdown_table(
        escape_dollars(display(table)),
        params["id"],
        params["caption"],
        source,
        align=["l", "r", "r", "r", "l"],
        bold_last_row=True,
    )
    write_text(outputs["md"], set_widths(md, WIDTHS))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
