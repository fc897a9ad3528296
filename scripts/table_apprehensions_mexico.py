"""Table 1.1: apprehensions of NTCA migrants by Mexican authorities, by year."""

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


def apprehensions_table(long: pd.DataFrame, year_prefix: str = YEAR_PREFIX) -> pd.DataFrame:
    """Countries × years with totals and each country's share; the year
    headings carry ``year_prefix`` (the catalog's ``year_prefix``)."""
    return country_year_table(
        long, "country", "fiscal_year", "apprehensions", year_prefix=year_prefix
    )


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = apprehensions_table(
        pd.read_parquet(inputs["clean"]), params.get("year_prefix", YEAR_PREFIX)
    )
    write_csv(outputs["csv"], table.reset_index())
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    shown = display_country_year(table)
    write_text(
        outputs["md"],
        markdown_table(shown, params["id"], params["caption"], source, bold_last_row=True),
    )


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
