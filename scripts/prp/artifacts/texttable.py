"""Helpers for tables made of text rather than numbers (Tables 4.1 and 4.2,
the List of Acronyms, the list of differences from the 2018 print).

* Citations from 2018 endnote numbers: data rows carry the endnote that
  sources them (``"124"`` or ``"124;125"``); ``data/raw/endnotes.csv`` maps
  each endnote to BibTeX keys, so a cell or note can cite ``[@key]`` without
  typing the key by hand.
* Column widths: :func:`with_widths` gives long text columns the room, the
  Quarto way (``tbl-colwidths`` in the caption's attributes, which the
  renderer honours) and the pandoc way (dashes of the header rule).
* :func:`plain_table`: a pipe table with no caption and no ``tbl-`` id, i.e.
  an unnumbered table (the List of Acronyms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

RULE_WIDTH = 60  # total dashes over all columns; > pandoc's 72-column limit with the pipes
CAPTION_ID = re.compile(r"^(: .*)\{(#tbl-[^\s{}]+)\}\s*$")


ANGLE = re.compile(r"(?<!\\)([<>])")


CITATION = re.compile(r"\[@[^\[\]]*\]")
BARE_AT = re.compile(r"(?<!\\)@")


def _escape_at(text: str) -> str:
    """An '@' outside a bracketed citation (``[@key]``, as :func:`cite` writes
    them) is escaped: '@SUM(...)' in data is text, not a citation."""
    out, last = [], 0
    for m in CITATION.finditer(text):
        out += [BARE_AT.sub(r"\\@", text[last : m.start()]), m.group(0)]
        last = m.end()
    out.append(BARE_AT.sub(r"\\@", text[last:]))
    return "".join(out)


def cell_text(value: object) -> str:
    """Text of a pipe-table cell: missing -> '', pipes, angle brackets and
    an '@' outside a citation escaped (a '<script>' in data stays text, never
    HTML; '@SUM' never a citation), one line."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = _escape_at(ANGLE.sub(r"\\\1", str(value)))
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def escape_dollars(text: str) -> str:
    """'US$5 and US$20' -> 'US\\$5 and US\\$20': a bare dollar sign would open
    TeX math in pandoc's markdown. Idempotent (escaped signs stay as they are)."""
    return UNESCAPED_DOLLAR.sub(r"\\$", text)


def endnote_numbers(cell: object) -> list[int]:
    """'124;125' -> [124, 125]; blank -> []."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [int(part) for part in str(cell).split(";") if part.strip()]


def keys_for(endnotes: pd.DataFrame, numbers: Iterable[int]) -> list[str]:
    """BibTeX keys of the given endnotes, in endnote order, without repeats.
    An endnote missing from the map is an error (a citation would be lost)."""
    keys: list[str] = []
    for number in numbers:
        rows = endnotes[endnotes["endnote"] == number]
        if rows.empty:
            raise KeyError(f"endnote {number} is not in the endnote map")
        for key in rows["key"]:
            if key not in keys:
                keys.append(str(key))
    return keys


def citation(keys: Sequence[str]) -> str:
    """['a', 'b'] -> '[@a; @b]'; [] -> ''."""
    return "[" + "; ".join(f"@{k}" for k in keys) + "]" if keys else ""


def with_widths(markdown: str, weights: Sequence[float], align: Sequence[str]) -> str:
    """Give the first pipe table in ``markdown`` relative column widths.

    Quarto reads them from ``tbl-colwidths="[..]"`` in the caption's
    attributes (added when the table has a ``{#tbl-...}`` caption); pandoc
    reads them from the dashes of the rule under the header, which are made
    proportional to ``weights`` as well (alignment set from ``align``: 'l',
    'r' or 'c' per column)."""
    if len(weights) != len(align):
        raise ValueError("one weight and one alignment per column")
    total = float(sum(weights))
    percents = [round(100 * w / total) for w in weights]
    dashes = [max(3, round(RULE_WIDTH * w / total)) for w in weights]
    cells = []
    for n, a in zip(dashes, align, strict=True):
        cells.append({"l": ":" + "-" * n, "r": "-" * n + ":", "c": ":" + "-" * n + ":"}[a])
    rule = "|" + "|".join(cells) + "|"
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("|") and set(line) <= set("|:- "):
            if line.count("|") - 1 != len(weights):
                raise ValueError(
                    f"table has {line.count('|') - 1} columns, {len(weights)} weights given"
                )
            lines[i] = rule
            break
    else:
        raise ValueError("no pipe table header rule found")
    colwidths = f'tbl-colwidths="[{",".join(str(p) for p in percents)}]"'
    for i, line in enumerate(lines):
        m = CAPTION_ID.match(line)
        if m:
            lines[i] = f"{m.group(1)}{{{m.group(2)} {colwidths}}}"
            break
    return "\n".join(lines)


def plain_table(df: pd.DataFrame, source: str, align: Sequence[str] | None = None) -> str:
    """An unnumbered pipe table (no caption line, no id) with a source note."""
    cols = [str(c) for c in df.columns]
    align = list(align or ["l"] * len(cols))
    rule = {"l": ":---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(cell_text(c) for c in cols) + " |"]
    lines.append("|" + "|".join(rule[a] for a in align) + "|")
    for row in df.astype(object).values.tolist():
        lines.append("| " + " | ".join(cell_text(v) for v in row) + " |")
    return "\n".join(lines) + f"\n\n::: {{.source-note}}\n{source}\n:::\n"
