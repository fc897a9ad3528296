"""Quarto-flavoured markdown for generated tables."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from prp.artifacts.texttable import with_widths


def _cell(value: object) -> str:
    """A cell's markdown: pipes and (unescaped) dollar signs escaped, so that
    'US$60 ... US$5' is not read as TeX math; angle brackets escaped, so that
    '<img onerror=...>' or '<script>' in a data value is text, never HTML (the
    renderer also reads generated tables with raw HTML off); newlines
    flattened. Cells may carry deliberate markdown (bold, citations, links)."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = re.sub(r"(?<!\\)\$", r"\\$", text)
    text = re.sub(r"(?<!\\)([<>])", r"\\\1", text)
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown_table(
    df: pd.DataFrame,
    table_id: str,
    caption: str,
    source: str,
    align: Sequence[str] | None = None,
    bold_last_row: bool = False,
) -> str:
    """A pipe table with a Quarto caption line ``: caption {#tbl-id}`` and a
    source note below. ``df`` holds display strings; ``align`` is 'l'/'r'/'c'
    per column (default: first column left, others right)."""
    cols = [str(c) for c in df.columns]
    align = list(align or ["l"] + ["r"] * (len(cols) - 1))
    rule = {"l": ":---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(_cell(c) for c in cols) + " |"]
    lines.append("|" + "|".join(rule[a] for a in align) + "|")
    rows = df.astype(object).values.tolist()
    for i, row in enumerate(rows):
        cells = [_cell(v) for v in row]
        if bold_last_row and i == len(rows) - 1:
            cells = [f"**{c}**" if c and c != "–" else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return (
        "\n".join(lines)
        + f"\n\n: {caption} {{#tbl-{table_id}}}\n\n"
        + f"::: {{.source-note}}\n{source}\n:::\n"
    )


ROWS_ATTR = "prp-rows"
"""Caption attribute of a table whose rows follow it as data (:func:`rows_table`)."""


def rows_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    table_id: str,
    caption: str,
    source: str,
    align: Sequence[str],
    widths: Sequence[float] | None = None,
) -> str:
    """A long listing: a pipe table with the header and caption only, then
    its source note (which the filters expect right after a table), then its
    rows as data in a ``{.prp-rows}`` code block (JSON, one row a line). The
    prp extension's ``prp-rows.lua`` writes them into the table as HTML or
    typst once it is numbered, every text escaped for the output; the
    filters before it see one code block, not thousands of cells (the
    restricted event listing). A cell is a string, ``{"strong": text}`` or
    ``{"text": text, "href": url}``. ``widths``: relative column widths
    (:func:`prp.artifacts.texttable.with_widths`)."""
    for n, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            raise ValueError(f"row {n} has {len(row)} cells, the table {len(columns)} columns")
    head = markdown_table(pd.DataFrame(columns=list(columns)), table_id, caption, source, align)
    if widths is not None:
        head = with_widths(head, widths, align)
    head = head.replace(f"{{#tbl-{table_id}", f'{{#tbl-{table_id} {ROWS_ATTR}="{table_id}"', 1)
    # JSON escapes any backtick, so no data can close the fence
    data = ",\n".join(json.dumps(list(row), ensure_ascii=False) for row in rows)
    data = data.replace("`", "\\u0060")
    block = f'``` {{.{ROWS_ATTR} for="{table_id}"}}\n[\n{data}\n]\n```'
    return f"{head}\n{block}\n"


TOTAL_LABEL = "Total apprehensions"


YEAR_PREFIX = "FY"
"""Default heading prefix of a year column (fiscal years: ``FY2015``)."""


def country_year_table(
    long: pd.DataFrame,
    country: str,
    year: str,
    value: str,
    years: Sequence[int] | None = None,
    year_prefix: str = YEAR_PREFIX,
) -> pd.DataFrame:
    """Countries × years (columns ``<year_prefix><year>``: ``FY2015`` for
    fiscal years, ``2015`` with an empty prefix for calendar years) with a
    Total column, a Total row and each country's share of the grand total
    (column ``Share``, a fraction; NaN on the Total row). ``years``
    restricts the columns."""
    if years is not None:
        long = long[long[year].isin(list(years))]
    wide = long.pivot(index=country, columns=year, values=value).sort_index().astype("int64")
    wide.columns = [f"{year_prefix}{y}" for y in wide.columns]
    wide["Total"] = wide.sum(axis=1)
    totals = wide.sum(axis=0).rename(TOTAL_LABEL)
    share = wide["Total"] / totals["Total"]
    out = pd.concat([wide, totals.to_frame().T])
    out["Share"] = pd.concat([share, pd.Series({TOTAL_LABEL: float("nan")})])
    out.index.name = "Country of origin"
    return out


def display_country_year(table: pd.DataFrame) -> pd.DataFrame:
    """Display strings: thousands separators, whole percentages, '–' for n/a."""
    from prp.artifacts.fmt import percent, thousands

    shown = table.drop(columns="Share").map(thousands)
    shown["Percent by country"] = ["–" if pd.isna(s) else percent(s) for s in table["Share"]]
    return shown.reset_index()
