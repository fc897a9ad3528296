"""Restricted annex: every crime-event record, one line each, with the label
of its source linked to its address (in the synthetic stand-in both are
fictitious). Restricted edition only.

A listing of a million records would run to tens of thousands of pages, so
above ``max_rows`` records (the artifact catalog) the table lists the
``max_rows`` most recent ones (by date, then identifier), read a batch at a
time so that memory stays bounded, and its source note says how many of how
many are shown; the csv holds the same rows."""

from collections.abc import Iterable
from typing import Any

import pandas as pd

from prp.artifacts.sources import source_line
from prp.artifacts.tables import rows_table
from prp.data.io import write_csv, write_text
from prp.events.records import (
    common_id_prefix,
    count_rows,
    crimes_label,
    location_label,
    read_batches,
)
from prp.events.released import PERPETRATOR_LABELS

COLUMNS = [
    "Event",
    "Date",
    "Municipality",
    "Place",
    "Crimes (victims)",
    "Perpetrator",
    "Source label",
]
ALIGN = ["l", "l", "l", "l", "l", "l", "l"]
WIDTHS = [44, 58, 74, 54, 80, 60, 116]
"""Relative column widths (``tbl-colwidths``): about the points each column
needs for its widest unbreakable word in the PDF, plus its padding."""
REQUIRED = {
    "event_id",
    "event_date",
    "state",
    "municipality",
    "location_type",
    "crime_types",
    "perpetrator_type",
    "victims",
    "outlet",
    "article_url",
}


def ordered(events: pd.DataFrame) -> pd.DataFrame:
    """Records by state (alphabetical), then date, then event id."""
    missing = sorted(REQUIRED - set(events.columns))
    if missing:
        raise ValueError(f"event records lack columns {missing}")
    out = events.sort_values(["state", "event_date", "event_id"], kind="stable")
    return out.reset_index(drop=True)


Cell = str | dict[str, str]


def listing(events: pd.DataFrame) -> tuple[list[list[Cell]], str]:
    """The rows as :func:`prp.artifacts.tables.rows_table` takes them, in
    :func:`ordered` order: before each state's records a row naming the
    state (bold, first cell); event identifiers without the prefix they all
    share, which is returned with the rows; the source label linked to the
    record's address. Texts are data, escaped where they are written."""
    ev = ordered(events)
    unknown = sorted(set(ev["perpetrator_type"]) - set(PERPETRATOR_LABELS))
    if unknown:
        raise ValueError(f"unknown perpetrator types {unknown}")
    prefix = common_id_prefix(ev["event_id"].astype(str).tolist())
    rows: list[list[Cell]] = []
    for state, group in ev.groupby("state", sort=False, observed=True):
        rows.append([{"strong": str(state)}] + [""] * (len(COLUMNS) - 1))
        for r in group.itertuples(index=False):
            rows.append(
                [
                    str(r.event_id)[len(prefix) :],
                    pd.Timestamp(r.event_date).strftime("%Y-%m-%d"),
                    str(r.municipality),
                    location_label(r.location_type),
                    f"{crimes_label(r.crime_types)} ({int(r.victims):,})",
                    PERPETRATOR_LABELS[r.perpetrator_type],
                    {"text": str(r.outlet), "href": str(r.article_url)},
                ]
            )
    return rows, prefix


def most_recent(batches: Iterable[pd.DataFrame], n: int) -> pd.DataFrame:
    """The ``n`` latest records (by event date, then event id) of a table
    read in batches, in that order."""
    keep: pd.DataFrame | None = None
    for batch in batches:
        both = batch if keep is None else pd.concat([keep, batch], ignore_index=True)
        keep = both.sort_values(["event_date", "event_id"], kind="stable").tail(n)
    if keep is None:
        raise ValueError("no event records")
    return keep.reset_index(drop=True)


def read_events(path: str, max_rows: int | None) -> tuple[pd.DataFrame, int]:
    """The records to list and how many there are in all."""
    total = count_rows(path)
    if not max_rows or total <= max_rows:
        return pd.read_parquet(path), total
    return most_recent(read_batches(path), max_rows), total


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    events, total = read_events(inputs["events"], params.get("max_rows"))
    rows = ordered(events)
    write_csv(
        outputs["csv"],
        rows.assign(
            event_date=pd.to_datetime(rows["event_date"]).dt.strftime("%Y-%m-%d"),
            published_date=pd.to_datetime(rows["published_date"]).dt.strftime("%Y-%m-%d"),
        ),
    )
    shown, prefix = listing(events)
    note = params.get("note", "")
    if len(events) < total:
        note += (
            f" Only the {len(events):,} most recent of the {total:,} records are listed;"
            " the rest are in the restricted event table."
        )
    if prefix:
        note += f" Event numbers are the record identifiers without their common prefix {prefix}."
    source = source_line(params["data_dir"], params["datasets"], note.strip())
    md = rows_table(COLUMNS, shown, params["id"], params["caption"], source, ALIGN, WIDTHS)
    write_text(outputs["md"], md)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
