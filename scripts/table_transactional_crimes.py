"""Table 3.2: interactions in which migrants agree to deal with criminal actors
to move ahead on their journey (transactional crimes)."""

from typing import Any

import pandas as pd

from prp.crimes import INTERACTION_COLUMNS, INTERACTION_WIDTHS, interactions_table, set_widths
from prp.io import write_csv, write_text
from prp.sources import source_line
from prp.tables import markdown_table


def transactional_table(
    crimes: pd.DataFrame, actors: pd.DataFrame, endnotes: pd.DataFrame
) -> pd.DataFrame:
    return interactions_table(crimes, actors, endnotes)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = transactional_table(
        pd.read_parquet(inputs["clean"]),
        pd.read_parquet(inputs["actors"]),
        pd.read_parquet(inputs["endnotes"]),
    )
    write_csv(outputs["csv"], table)
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    md = markdown_table(
        table[INTERACTION_COLUMNS], params["id"], params["caption"], source, align=["l", "l", "l"]
    )
    write_text(outputs["md"], set_widths(md, INTERACTION_WIDTHS))


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
