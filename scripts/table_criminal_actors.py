"""Table 3.1: the three kinds of criminal actor that deal with migrants
(local actors, gangs, transnational criminal organizations)."""

from typing import Any

import pandas as pd

from prp.artifacts.crimes import citation, endnote_keys, set_widths, with_citation
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.data.io import write_csv, write_text

COLUMNS = ["Actor", "Organization and territory", "Interaction with migrants"]
WIDTHS = [20, 36, 44]


def actors_table(actors: pd.DataFrame, endnotes: pd.DataFrame) -> pd.DataFrame:
    """The rows of the 2018 Table 3.1 in its order: actor (with examples),
    scale and territory, and the description with the citations of the row's
    endnotes."""
    keys = endnote_keys(endnotes)
    rows = actors[actors["in_table_3_1"].astype(bool)].sort_values("order")
    if rows.empty:
        raise ValueError("no actor is marked as a row of Table 3.1")
    actor = [
        f"**{name}** — e.g., {str(ex).replace(';', ',')}"
        if isinstance(ex, str) and ex.strip()
        else f"**{name}**"
        for name, ex in zip(rows["name"], rows["examples"].astype(object), strict=True)
    ]
    return pd.DataFrame(
        {
            "actor": rows["actor"].to_numpy(),
            COLUMNS[0]: actor,
            COLUMNS[1]: [
                f"{s.strip()} {t.strip()}"
                for s, t in zip(rows["scale"], rows["territory"], strict=True)
            ],
            COLUMNS[2]: [
                with_citation(str(d), citation(e, keys))
                for d, e in zip(rows["description"], rows["endnote"].astype(object), strict=True)
            ],
        }
    )


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = actors_table(pd.read_parquet(inputs["clean"]), pd.read_parquet(inputs["endnotes"]))
    write_csv(outputs["csv"], table)
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    md = markdown_table(
        table[COLUMNS], params["id"], params["caption"], source, align=["l", "l", "l"]
    )
    write_text(outputs["md"], set_widths(md, WIDTHS))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
