"""Table 1.1: apprehensions of NTCA migrants by Mexican authorities, by year."""


from typing import Any

import pandas as pd

from prp.fmt import percent, thousands
from prp.io import write_csv, write_text
from prp.sources import source_line
from prp.tables import markdown_table

TOTAL_LABEL = "Total apprehensions"


def apprehensions_table(long: pd.DataFrame) -> pd.DataFrame:
    """Countries × fiscal years with a Total column, a Total row and each
    country's share of the grand total (a fraction; NaN on the Total row)."""
    wide = long.pivot(index="country", columns="fiscal_year", values="apprehensions")
    wide = wide.sort_index().astype("int64")
    wide.columns = [f"FY{y}" for y in wide.columns]
    wide["Total"] = wide.sum(axis=1)
    totals = wide.sum(axis=0).rename(TOTAL_LABEL)
    share = wide["Total"] / totals["Total"]
    out = pd.concat([wide, totals.to_frame().T])
    out["Share"] = pd.concat([share, pd.Series({TOTAL_LABEL: float("nan")})])
    out.index.name = "Country of origin"
    return out


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Display strings: thousands separators, whole percentages, '–' for n/a."""
    shown = table.drop(columns="Share").map(thousands)
    shown["Percent by country"] = [
        "–" if pd.isna(s) else percent(s) for s in table["Share"]
    ]
    return shown.reset_index()


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = apprehensions_table(pd.read_parquet(inputs["clean"]))
    write_csv(outputs["csv"], table.reset_index())
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    write_text(
        outputs["md"],
        markdown_table(display(table), params["id"], params["caption"], source, bold_last_row=True),
    )


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
