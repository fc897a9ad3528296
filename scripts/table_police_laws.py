"""Table 4.1: the laws and policies that set the Federal Police's role toward
migrants, one row per article, program section or agreement clause."""

from typing import Any

import pandas as pd

from prp.artifacts.fmt import number_word
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.artifacts.texttable import citation, endnote_numbers, escape_dollars, keys_for, with_widths
from prp.data.io import write_csv, write_text

UNIT_LABELS = {"article": "Article", "section": "Section", "clause": "Clause"}
NO_UNIT = "–"
COLUMNS = [
    "Law or policy",
    "Year",
    "Provision",
    "Text or summary",
    "What it means for the Federal Police",
]
WEIGHTS = [17, 6, 10, 37, 30]
ALIGN = ["l", "r", "l", "l", "l"]


def unit_label(kind: object, designation: object) -> str:
    """('article', '11') -> 'Article 11'; a blank cell (as in the 2018 print) -> '–'."""
    if not isinstance(kind, str) or not kind or not isinstance(designation, str) or not designation:
        return NO_UNIT
    return f"{UNIT_LABELS[kind]} {designation}"


def text_cell(provision: str, quotation: object) -> str:
    """The statute in its own words where the 2018 table quotes a full
    sentence; otherwise our summary, followed by any quoted fragment."""
    if not isinstance(quotation, str) or not quotation:
        return provision
    if quotation[1:2].isupper():
        return quotation
    return f"{provision} In the text: {quotation}"


def police_laws_table(laws: pd.DataFrame, endnotes: pd.DataFrame) -> pd.DataFrame:
    """One row per provision in the 2018 order: instrument (English and
    Spanish name), year, provision label, text or summary, what it means for
    the Federal Police, whether the text is a quotation, and the keys of the
    works the row's endnotes cite."""
    rows = []
    for row in laws.sort_values("order").itertuples(index=False):
        rows.append(
            {
                "order": int(row.order),
                "instrument": row.instrument,
                "law": row.instrument_en,
                "law_es": row.instrument_es,
                "year": int(row.year),
                "provision": unit_label(row.article_type, row.article),
                "text": text_cell(row.provision, row.quotation),
                "quoted": isinstance(row.quotation, str) and bool(row.quotation),
                "analysis": row.implication,
                "keys": ";".join(keys_for(endnotes, endnote_numbers(row.endnote))),
            }
        )
    return pd.DataFrame(rows)


def display_police_laws(table: pd.DataFrame) -> pd.DataFrame:
    """Display cells: the law's name (with its Spanish name and citation) and
    year only on the first row of each law, as in the 2018 table."""
    shown = []
    previous = None
    for row in table.itertuples(index=False):
        first = row.instrument != previous
        previous = row.instrument
        name = f"{row.law} (*{row.law_es}*) {citation(row.keys.split(';'))}" if first else ""
        shown.append([name, str(row.year) if first else "", row.provision, row.text, row.analysis])
    return pd.DataFrame(shown, columns=COLUMNS).map(escape_dollars)


def blank_unit_note(table: pd.DataFrame) -> str:
    """Sentence explaining the dashes in the provision column (one per row
    whose article the 2018 table leaves blank); '' when there are none."""
    blank = table[table["provision"] == NO_UNIT]
    if blank.empty:
        return ""
    laws = " and ".join(f"the {law}" for law in dict.fromkeys(blank["law"]))
    what = "the one provision" if len(blank) == 1 else f"{number_word(len(blank))} provisions"
    return f"A dash marks {what} of {laws} for which the 2018 table names no article."


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = police_laws_table(pd.read_parquet(inputs["clean"]), pd.read_parquet(inputs["endnotes"]))
    write_csv(outputs["csv"], table)
    note = " ".join(n for n in (params.get("note", ""), blank_unit_note(table)) if n)
    source = source_line(params["data_dir"], params["datasets"], note)
    md = markdown_table(
        display_police_laws(table), params["id"], params["caption"], source, align=ALIGN
    )
    write_text(outputs["md"], with_widths(md, WEIGHTS, ALIGN))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
