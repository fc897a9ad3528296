"""Table 4.2: human rights-based police practices in selected countries."""

from typing import Any

import pandas as pd

from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.artifacts.texttable import citation, endnote_numbers, escape_dollars, keys_for, with_widths
from prp.data.io import write_csv, write_text

COLUMNS = ["Country", "Practice"]
WEIGHTS = [18, 82]
ALIGN = ["l", "l"]


def practices_table(practices: pd.DataFrame, endnotes: pd.DataFrame) -> pd.DataFrame:
    """One row per country in the 2018 order, with the keys of the works its
    endnotes cite and how the attribution was made (``basis``)."""
    out = practices.sort_values("order").reset_index(drop=True)
    return pd.DataFrame(
        {
            "order": out["order"].astype(int),
            "country": out["country"],
            "locality": out["locality"].fillna(""),
            "practice": out["practice"],
            "description": out["description"],
            "keys": [";".join(keys_for(endnotes, endnote_numbers(e))) for e in out["endnote"]],
            "basis": out["endnote_basis"],
        }
    )


def display_practices(table: pd.DataFrame) -> pd.DataFrame:
    """Country (with the city, if the practice is local) and the practice:
    its label in bold, then what the police do."""
    country = [
        f"{c} ({loc})" if loc else c
        for c, loc in zip(table["country"], table["locality"], strict=True)
    ]
    practice = [
        f"**{p}.** {d}" for p, d in zip(table["practice"], table["description"], strict=True)
    ]
    return pd.DataFrame({"Country": country, "Practice": practice}).map(escape_dollars)


def attribution_note(table: pd.DataFrame) -> str:
    """Sentence naming the works the rows draw on, and saying so when the
    2018 table printed no source and the attribution was inferred."""
    keys: list[str] = []
    for cell in table["keys"]:
        keys += [k for k in cell.split(";") if k and k not in keys]
    if not keys:
        return ""
    note = f"The practices are those reported in {citation(keys)}"
    if (table["basis"] == "inferred").all():
        note += (
            "; the 2018 table names no source, so the attribution follows the paragraph before it"
        )
    return note + "."


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = practices_table(pd.read_parquet(inputs["clean"]), pd.read_parquet(inputs["endnotes"]))
    write_csv(outputs["csv"], table)
    note = " ".join(n for n in (params.get("note", ""), attribution_note(table)) if n)
    source = source_line(params["data_dir"], params["datasets"], note)
    md = markdown_table(
        display_practices(table), params["id"], params["caption"], source, align=ALIGN
    )
    write_text(outputs["md"], with_widths(md, WEIGHTS, ALIGN))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
