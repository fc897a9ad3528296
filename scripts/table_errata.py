"""Appendix table: every value printed in 2018 that differs from the rebuilt
report or from the rest of the print, with its explanation and source
(from build/checks/errata.csv, written by check_errata)."""

from typing import Any

import pandas as pd

from prp.artifacts.fmt import thousands
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.artifacts.texttable import escape_dollars, with_widths
from prp.data.io import write_csv, write_text

CHECKS = {
    "recompute": "Against the data",
    "row total": "Row total",
    "column total": "Column total",
    "share": "Share",
    "duplicate value": "Repeated value",
}
COLUMNS = ["Where in the 2018 edition", "Check", "Printed", "Recomputed", "Explanation", "Source"]
WEIGHTS = [17, 10, 11, 12, 36, 14]
ALIGN = ["l", "l", "r", "r", "l", "l"]
NOT_APPLICABLE = "–"


def display_value(printed: str, value: object) -> str:
    """A recomputed value written like the printed one: '35%' -> '34.5%',
    '20.5 million' -> '20.66 million', '58,814' -> '33,445'; a missing
    value (nothing to recompute) -> '–'."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return NOT_APPLICABLE
    number = float(value)
    text = printed.strip().lower()
    if len(text) == 4 and text.isdigit():  # a year: '2005' -> '2015', not '2,015'
        return f"{number:.0f}"
    if text.endswith("%"):
        return f"{number:.1f}%"
    if text.endswith("million"):
        return f"{number / 1e6:.2f}".rstrip("0").rstrip(".") + " million"
    return thousands(round(number, 2))


def errata_table(errata: pd.DataFrame) -> pd.DataFrame:
    """Errata in reading order: by location, then by kind of comparison
    (recomputation first). Unknown comparison kinds are an error."""
    unknown = set(errata["check"]) - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown comparison kinds in errata: {sorted(unknown)}")
    rank = {check: i for i, check in enumerate(CHECKS)}
    out = errata.assign(_rank=errata["check"].map(rank))
    out = out.sort_values(["location", "_rank"], kind="stable").drop(columns="_rank")
    return out.reset_index(drop=True)


def display_errata(table: pd.DataFrame) -> pd.DataFrame:
    """Display cells; dollar signs escaped (they would open TeX math)."""
    rows = [
        [
            row.location,
            CHECKS[row.check],
            row.printed,
            display_value(str(row.printed), row.recomputed),
            row.explanation,
            f"[@{row.source}]",
        ]
        for row in table.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=COLUMNS).map(escape_dollars)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    errata = pd.read_csv(inputs["errata"], dtype=str, keep_default_na=False)
    table = errata_table(errata)
    write_csv(outputs["csv"], table)
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    md = markdown_table(display_errata(table), params["id"], params["caption"], source, align=ALIGN)
    write_text(outputs["md"], with_widths(md, WEIGHTS, ALIGN))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
