"""Appendix table: the whole register of findings about the 2018 print
(build/checks/errata.csv, written by check_errata) — the differences the
build's comparison finds and those found by reading the text against its
sources — grouped by class, each with what the evidence gives, the
explanation, the confidence when it is not firm, and the evidence."""

import re
from typing import Any

import pandas as pd

from prp.artifacts.fmt import thousands
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.artifacts.texttable import citation, escape_dollars, with_widths
from prp.data.io import write_csv, write_text

CHECKS = {
    "recompute": "Against the data",
    "row total": "Row total",
    "column total": "Column total",
    "share": "Share",
    "duplicate value": "Repeated value",
    "reading": "Read against the sources",
}
CLASSES = {
    "print error": "Print errors",
    "ambiguity": "Ambiguities",
    "silent correction made here": "Silent corrections made here",
    "update beyond June 2018": "Updates beyond June 2018",
    # the data changed after the register was written (check_errata.UNREVIEWED)
    "not yet reviewed": "Differences not yet reviewed",
}
"""The classes of findings, in the order the table shows them, with the
heading of each group."""
COLUMNS = [
    "Where in the 2018 edition",
    "Printed",
    "Evidence gives",
    "Explanation",
    "Evidence",
]
WEIGHTS = [17, 13, 14, 33, 23]
ALIGN = ["l", "l", "l", "l", "l"]
NOT_APPLICABLE = "–"
ALREADY_HERE = re.compile(r";?\s*(and )?listed in Appendix A\b\.?", re.IGNORECASE)
ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#@$~^|])")
LONG_TOKEN = 16
"""Characters after which a longer word (a web address, a file path) may
break: the HTML table would otherwise grow wider than the page."""
BREAK_AFTER = re.compile(r"(?<=[/?&=_.])(?=[^/?&=_.\s])")
WORD_BREAK = "<wbr>"


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


def roman_value(text: str) -> int:
    """'xi' -> 11."""
    values = [ROMAN[c] for c in text.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def reading_order(location: str) -> tuple[int, int]:
    """Where a location falls in the 2018 book: front matter (roman page
    numbers), then the Parts (arabic page numbers), then the endnotes."""
    page = re.search(r"\bp\. ?([ivxlc]+|\d+)\b", location)
    if page and page.group(1).isdigit():
        return (1, int(page.group(1)))
    if page:
        return (0, roman_value(page.group(1)))
    note = re.match(r"endnotes? (\d+)", location.strip().lower())
    if note:
        return (2, int(note.group(1)))
    return (3, 0)


def errata_table(errata: pd.DataFrame) -> pd.DataFrame:
    """Findings grouped by class (in :data:`CLASSES` order), then in the
    order of the 2018 book, then by finding id. Unknown comparison kinds or
    classes are an error."""
    unknown = set(errata["check"]) - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown comparison kinds in errata: {sorted(unknown)}")
    bad = set(errata["class"]) - set(CLASSES)
    if bad:
        raise ValueError(f"unknown classes of findings in errata: {sorted(bad)}")
    rank = {name: i for i, name in enumerate(CLASSES)}
    order = errata["location"].map(reading_order)
    out = errata.assign(
        _class=errata["class"].map(rank),
        _part=order.str[0],
        _page=order.str[1],
    )
    out = out.sort_values(["_class", "_part", "_page", "finding"], kind="stable")
    return out.drop(columns=["_class", "_part", "_page"]).reset_index(drop=True)


def breakable(text: str) -> str:
    """Long words get break opportunities (``<wbr>``, shown only in HTML)
    after slashes, dots and the punctuation of a query string."""
    return " ".join(
        BREAK_AFTER.sub(WORD_BREAK, word) if len(word) > LONG_TOKEN else word
        for word in text.split(" ")
    )


def plain(text: object) -> str:
    """Register text shown as it is: markdown's special characters escaped,
    long words made breakable."""
    return breakable(MARKDOWN_SPECIAL.sub(r"\\\1", str(text).strip()))


def sentence(text: str) -> str:
    """'a value copied' -> 'A value copied.' ('' stays '')."""
    text = text.strip().rstrip(";,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def confidence_note(confidence: str) -> str:
    """'' when firm, else 'Confidence: likely — <reason>.'"""
    level, _, reason = str(confidence).partition(":")
    level, reason = level.strip(), reason.strip()
    if level in ("", "firm"):
        return ""
    return f"*Confidence: {level}*" + (f" — {sentence(plain(reason))}" if reason else ".")


def explanation_cell(row: Any) -> str:
    """The explanation (curated for a comparison, the register's note for a
    reading), what this edition does, and the confidence when not firm."""
    if row.check == "reading":
        told = sentence(plain(row.explanation))
    else:
        told = escape_dollars(row.explanation)
    treatment = sentence(plain(ALREADY_HERE.sub("", str(row.treatment))))
    parts = [told, f"This edition: {treatment[0].lower()}{treatment[1:]}" if treatment else ""]
    parts.append(confidence_note(row.confidence))
    return " ".join(p for p in parts if p)


def evidence_gives(row: Any) -> str:
    if row.check != "reading" and str(row.recomputed).strip():
        return display_value(str(row.printed), row.recomputed)
    return plain(row.evidence_value) or NOT_APPLICABLE


def display_errata(table: pd.DataFrame) -> pd.DataFrame:
    """Display cells, with a heading row (bold, first cell) before each class."""
    rows: list[list[str]] = []
    for cls, group in table.groupby("class", sort=False):
        n = len(group)
        rows.append([f"**{CLASSES[cls]}: {n} finding{'s' if n != 1 else ''}**"] + [""] * 4)
        for row in group.itertuples(index=False):
            keys = [k.strip() for k in str(row.source).split(";") if k.strip()]
            rows.append(
                [
                    f"{plain(row.location)} ({row.finding}; {CHECKS[row.check].lower()})",
                    plain(row.printed),
                    evidence_gives(row),
                    explanation_cell(row),
                    f"{sentence(plain(row.evidence))} {citation(keys)}".strip(),
                ]
            )
    return pd.DataFrame(rows, columns=COLUMNS)


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
