"""Helpers shared by the text tables of Part 3 (criminal actors,
transactional and predatory crimes): citations from 2018 endnote numbers,
short names of the actors, and pipe tables with chosen column widths."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd


def endnote_keys(endnotes: pd.DataFrame) -> dict[int, list[tuple[str, str]]]:
    """Endnote number -> [(BibTeX key, locator or '')] in file order."""
    out: dict[int, list[tuple[str, str]]] = {}
    for row in endnotes.itertuples():
        locator = "" if pd.isna(row.locator) else str(row.locator)
        out.setdefault(int(row.endnote), []).append((str(row.key), locator))
    return out


def citation(endnote_field: object, keys: Mapping[int, list[tuple[str, str]]]) -> str:
    """'60;61;62' -> '[@a; @b]' (each work once, in order); '' when the
    field is empty. An endnote missing from ``keys`` is an error."""
    if endnote_field is None or (not isinstance(endnote_field, str) and pd.isna(endnote_field)):
        return ""
    text = str(endnote_field).strip()
    if not text:
        return ""
    cites: list[str] = []
    for part in re.split(r"\s*;\s*", text):
        number = int(part)
        if number not in keys:
            raise ValueError(f"endnote {number} is not in the endnotes table")
        for key, locator in keys[number]:
            cite = f"@{key}, {locator}" if locator else f"@{key}"
            if cite not in cites:
                cites.append(cite)
    return "[" + "; ".join(cites) + "]"


def short_name(name: str) -> str:
    """'Transnational criminal organizations (TCOs)' -> 'TCOs'; other names unchanged."""
    match = re.search(r"\(([^)]+)\)\s*$", name)
    return match.group(1) if match else name


def actor_names(actors: pd.DataFrame) -> dict[str, str]:
    return {
        str(a): short_name(str(n)) for a, n in zip(actors["actor"], actors["name"], strict=True)
    }


def perpetrators(field: object, names: Mapping[str, str]) -> str:
    """'tcos;gangs;local_actors' -> 'TCOs, gangs and local actors'."""
    if field is None or (not isinstance(field, str) and pd.isna(field)) or not str(field).strip():
        return ""
    labels = []
    for i, actor in enumerate(re.split(r"\s*;\s*", str(field).strip())):
        if actor not in names:
            raise ValueError(f"unknown actor {actor!r}")
        label = names[actor]
        if i and not label[:2].isupper():
            label = label[0].lower() + label[1:]
        labels.append(label)
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def with_citation(text: str, cite: str) -> str:
    """Append a citation before the final full stop: 'Text [@k].'"""
    text = text.strip()
    if not cite:
        return text
    if text.endswith("."):
        return f"{text[:-1]} {cite}."
    return f"{text} {cite}"


def set_widths(markdown: str, widths: Sequence[int]) -> str:
    """Give a pipe table relative column widths by the number of dashes in
    its separator line (pandoc's rule for tables with long cells); keeps
    the alignment colons."""
    lines = markdown.split("\n")
    cells = lines[1].strip("|").split("|")
    if len(cells) != len(widths):
        raise ValueError(f"{len(widths)} widths for {len(cells)} columns")
    rule = []
    for cell, width in zip(cells, widths, strict=True):
        left, right = cell.startswith(":"), cell.endswith(":")
        dashes = "-" * max(3, width - left - right)
        rule.append((":" if left else "") + dashes + (":" if right else ""))
    lines[1] = "|" + "|".join(rule) + "|"
    return "\n".join(lines)


INTERACTION_COLUMNS = ["Interaction", "Usual perpetrators", "What happens"]
INTERACTION_WIDTHS = [17, 18, 65]


def interactions_table(
    crimes: pd.DataFrame, actors: pd.DataFrame, endnotes: pd.DataFrame
) -> pd.DataFrame:
    """Rows of Table 3.2 or 3.3 in the 2018 order: the interaction, its usual
    perpetrators (short actor names) and the description with the citations
    of the row's endnotes (none when the 2018 table gave none)."""
    keys = endnote_keys(endnotes)
    names = actor_names(actors)
    rows = crimes.sort_values("order")
    if rows["order"].duplicated().any():
        raise ValueError("two interactions share a position")
    return pd.DataFrame(
        {
            "crime": rows["crime"].to_numpy(),
            INTERACTION_COLUMNS[0]: [f"**{n}**" for n in rows["name"]],
            INTERACTION_COLUMNS[1]: [
                perpetrators(p, names) for p in rows["typical_perpetrators"].astype(object)
            ],
            INTERACTION_COLUMNS[2]: [
                with_citation(str(d), citation(e, keys))
                for d, e in zip(rows["description"], rows["endnote"].astype(object), strict=True)
            ],
        }
    )


def write_interactions_table(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], params: Mapping[str, Any]
) -> None:
    """Main of the Table 3.2 and 3.3 rules: the interactions of one kind
    (``clean``) with their perpetrators (``actors``) and citations
    (``endnotes``) as csv and as a Quarto table with its source line."""
    from prp.artifacts.sources import source_line
    from prp.artifacts.tables import markdown_table
    from prp.data.io import write_csv, write_text

    table = interactions_table(
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
