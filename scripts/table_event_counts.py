"""Restricted annex: exact counts of crime events by state, crime type and
perpetrator type, with no cell withheld. Restricted edition only."""

from typing import Any

import pandas as pd

from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.artifacts.texttable import with_widths
from prp.data.io import write_csv, write_text
from prp.events.records import PERPETRATORS, counts_display, exact_counts

WIDTHS = {
    "TCO": 30,
    "Gang": 32,
    "Smuggler": 52,
    "Local actors": 44,
    "Authorities": 64,
    "Unknown": 50,
    "Total": 36,
}
"""Relative column widths (``tbl-colwidths``), from the widest header word;
the first column (states and crime types) gets 80."""


def counts_table(events: pd.DataFrame, perpetrators: list[str], crimes: list[str]) -> pd.DataFrame:
    """State × crime type rows, perpetrator columns (see
    :func:`prp.events.records.exact_counts`)."""
    return exact_counts(events, perpetrators, crimes)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    perpetrators = list(params.get("perpetrators") or PERPETRATORS)
    table = counts_table(pd.read_parquet(inputs["events"]), perpetrators, list(params["crimes"]))
    write_csv(outputs["csv"], table)
    shown = counts_display(table, perpetrators)
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    align = ["l"] + ["r"] * (len(shown.columns) - 1)
    widths = [80] + [WIDTHS.get(c, 40) for c in shown.columns[1:]]
    md = markdown_table(shown, params["id"], params["caption"], source, align=align)
    write_text(outputs["md"], with_widths(md, widths, align))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
