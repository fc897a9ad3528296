"""The List of Acronyms: an unnumbered table of acronym, English name and
Spanish name, alphabetical, with the acronyms the 2018 list left out marked."""

from typing import Any

import pandas as pd

from prp.artifacts.sources import source_line
from prp.artifacts.texttable import plain_table, with_widths
from prp.data.io import write_csv, write_text

UNLISTED_MARK = "†"
UNLISTED_NOTE = f"{UNLISTED_MARK} Used in the report but missing from the 2018 list."
COLUMNS = ["Acronym", "English name", "Spanish name"]
WEIGHTS = [14, 46, 40]
ALIGN = ["l", "l", "l"]


def acronym_table(acronyms: pd.DataFrame) -> pd.DataFrame:
    """Acronyms in alphabetical order (case-insensitive), with English and
    Spanish names ('' where there is no Spanish name) and whether the 2018
    list had them."""
    out = pd.DataFrame(
        {
            "acronym": acronyms["acronym"].astype(str),
            "name_en": acronyms["name_en"].astype(str),
            "name_es": acronyms["name_es"].astype(object).where(acronyms["name_es"].notna(), ""),
            "listed_2018": acronyms["listed_2018"].astype(bool),
        }
    )
    if out["acronym"].duplicated().any():
        raise ValueError(
            f"acronyms listed twice: {sorted(out.loc[out['acronym'].duplicated(), 'acronym'])}"
        )
    return out.sort_values("acronym", key=lambda s: s.str.casefold()).reset_index(drop=True)


def display_acronyms(table: pd.DataFrame) -> pd.DataFrame:
    """Acronym in bold (marked when the 2018 list lacked it), names; Spanish names in italics."""
    acronym = [
        f"**{a}**" + ("" if listed else UNLISTED_MARK)
        for a, listed in zip(table["acronym"], table["listed_2018"], strict=True)
    ]
    spanish = [f"*{s}*" if s else "" for s in table["name_es"]]
    return pd.DataFrame(dict(zip(COLUMNS, [acronym, list(table["name_en"]), spanish], strict=True)))


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = acronym_table(pd.read_parquet(inputs["clean"]))
    write_csv(outputs["csv"], table)
    note = params.get("note", "")
    if not table["listed_2018"].all():
        note = f"{note} {UNLISTED_NOTE}".strip()
    source = source_line(params["data_dir"], params["datasets"], note)
    md = plain_table(display_acronyms(table), source, ALIGN)
    write_text(outputs["md"], with_widths(md, WEIGHTS, ALIGN))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
