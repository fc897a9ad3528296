"""Table 1.2: U.S. Border Patrol apprehensions of NTCA citizens at the
Southwest border, FY2013-FY2016, from CBP's official figures."""

from typing import Any

import pandas as pd

from prp.artifacts.sources import source_line
from prp.artifacts.tables import (
    YEAR_PREFIX,
    country_year_table,
    display_country_year,
    markdown_table,
)
from prp.data.io import write_csv, write_text

NTCA = ["El Salvador", "Guatemala", "Honduras"]


def border_table(
    long: pd.DataFrame, first_year: int, last_year: int, year_prefix: str = YEAR_PREFIX
) -> pd.DataFrame:
    """NTCA countries × fiscal years, totals recomputed from the country rows
    (CBP's all-citizenship total is not part of this table)."""
    ntca = long[long["citizenship"].isin(NTCA)]
    return country_year_table(
        ntca,
        "citizenship",
        "fiscal_year",
        "apprehensions",
        range(first_year, last_year + 1),
        year_prefix=year_prefix,
    )


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = border_table(
        pd.read_parquet(inputs["clean"]),
        params["first_year"],
        params["last_year"],
        params.get("year_prefix", YEAR_PREFIX),
    )
    write_csv(outputs["csv"], table.reset_index())
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    write_text(
        outputs["md"],
        markdown_table(
            display_country_year(table), params["id"], params["caption"], source, bold_last_row=True
        ),
    )


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
