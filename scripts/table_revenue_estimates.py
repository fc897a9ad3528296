"""Table 3.4: estimated yearly revenue of criminal groups from crimes against
migrants (central scenario: the inputs as printed in 2018)."""

from typing import Any

import pandas as pd

from prp.artifacts.crimes import set_widths
from prp.artifacts.fmt import thousands
from prp.artifacts.revenue import (
    CENTRAL,
    escape_dollars,
    millions,
    revenue_table,
    share_label,
    total_revenue,
)
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.data.io import write_csv, write_text

TOTAL_LABEL = "Total"
WIDTHS = [24, 20, 14, 14, 14, 14]


def estimates(
    assumptions: pd.DataFrame, base: pd.DataFrame, scenario: str = CENTRAL
) -> pd.DataFrame:
    """The crime rows of ``revenue_table`` plus a Total row whose annual
    revenue is the sum of the rows (other numeric cells left empty)."""
    table = revenue_table(assumptions, base, scenario)
    total = {col: pd.NA for col in table.columns}
    total.update(
        crime_id="total",
        crime=TOTAL_LABEL,
        common_perpetrators="",
        annual_revenue_usd=total_revenue(table),
    )
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Display strings: dollars and counts with thousands separators,
    shares as percentages, annual revenue in US$ millions (one decimal)."""

    def fmt(value: Any, how) -> str:  # noqa: ANN001
        return "" if pd.isna(value) else how(value)

    return pd.DataFrame(
        {
            "Crime": table["crime"],
            "Common perpetrators": table["common_perpetrators"],
            "Revenue per migrant (US$)": [
                fmt(v, thousands) for v in table["revenue_per_migrant_usd"]
            ],
            "Share of migrants affected": [
                fmt(v, share_label) for v in table["share_affected_percent"]
            ],
            "Migrants affected a year": [
                fmt(v, lambda x: thousands(round(x))) for v in table["migrants_affected"]
            ],
            "Annual revenue (US$ millions)": [
                fmt(v, millions) for v in table["annual_revenue_usd"]
            ],
        }
    )


def method_note(table: pd.DataFrame) -> str:
    """How the columns were computed, with the base taken from the data."""
    base = table["migrants_per_year"].dropna().unique()
    if len(base) != 1:
        raise ValueError("the crime rows must share one migrant base")
    return (
        f"Migrants affected = {thousands(int(base[0]))} migrants entering Mexico a year × share "
        "affected; annual revenue = migrants affected × revenue per migrant; "
        "the total is the sum of the rows."
    )


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = estimates(pd.read_parquet(inputs["assumptions"]), pd.read_parquet(inputs["base"]))
    write_csv(outputs["csv"], table)
    note = " ".join(n for n in (method_note(table), params.get("note", "")) if n)
    source = source_line(params["data_dir"], params["datasets"], note)
    md = markdown_table(
        escape_dollars(display(table)),
        params["id"],
        params["caption"],
        source,
        align=["l", "l", "r", "r", "r", "r"],
        bold_last_row=True,
    )
    write_text(outputs["md"], set_widths(md, WIDTHS))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
