"""Release the crime-event aggregates that the public edition may show.

Reads the validated restricted event table and writes, into data/released/,
count tables with small-cell and complementary suppression (see
prp.events.disclosure): events by state, by state and location type, by state and
perpetrator type, by state and crime type, and by grid cell, the months the
events cover, and the events beside each segment of the railroads
(prp.events.along_track). Withheld counts are empty with ``suppressed = true``.

The events are read in batches of rows and counted batch by batch
(prp.events.disclosure.tally), so memory does not grow with the number of events;
suppression then works on the counts, whose number is bounded by the states,
categories and grid cells.
"""

import logging
from typing import Any

import pandas as pd

from prp.data import rail
from prp.data.io import write_csv
from prp.events import along_track, disclosure
from prp.events.records import read_batches

log = logging.getLogger(__name__)

OUTPUTS = {
    "state_totals": "totals",
    "state_location": "location",
    "state_perpetrator": "perpetrator",
    "state_crime": "crime",
    "grid": "grid",
    "period": "period",
    "rail_segments": "rail",
}
"""Table of prp.events.disclosure -> name of the rule output it is written to."""

COLUMNS = [
    "event_date",
    "state",
    "latitude",
    "longitude",
    "location_type",
    "perpetrator_type",
    "crime_types",
]
"""Columns of the event table that the counts read."""


def released_tables(
    events: pd.DataFrame,
    states: list[str],
    categories: dict[str, list[str]],
    k: int,
    degrees: float,
    segments: list[dict[str, Any]] | None = None,
    buffer_km: float = 10.0,
) -> dict[str, pd.DataFrame]:
    """The protected tables, keyed like :data:`OUTPUTS`, ready to write (the
    table of events beside the railroads only with ``segments``, the
    features of data/geo/rail_segments.geojson)."""
    check_k(k)
    along = None
    if segments is not None:
        along = along_track.counts_from_events(events, rail.Assigner(segments, buffer_km))
    return tables_from_tally(
        disclosure.tally(events, states, categories, degrees), states, categories, k, along
    )


def check_k(k: int) -> None:
    if k < 2:
        raise ValueError(f"disclosure threshold k must be at least 2, got {k}")


def tables_from_tally(
    counts: disclosure.Tally,
    states: list[str],
    categories: dict[str, list[str]],
    k: int,
    along: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`released_tables` from the counts of the events; with ``along``
    (events per rail segment, prp.events.along_track.count), also the table
    of events beside the railroads, protected on its own."""
    check_k(k)
    release = disclosure.release_from_tally(counts, states, categories)
    tables = disclosure.split(disclosure.protect(release, k))
    if along is not None:
        tables["rail_segments"] = along_track.released_table(along, k)
    for frame in tables.values():
        frame["suppressed"] = frame["suppressed"].map({True: "true", False: "false"})
    tables["period"] = disclosure.period_of(counts)
    return tables


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    states = (
        pd.read_parquet(inputs["states"]).sort_values("state_code")["state"].astype(str).tolist()
    )
    categories = {name: list(values) for name, values in params["categories"].items()}
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    check_k(k)
    assigner = rail.Assigner(
        rail.read_features(inputs["segments"]), float(params["rail_buffer_km"])
    )
    along: list[pd.DataFrame] = []

    def batches() -> Any:  # counts the events beside the track on the way
        for chunk in read_batches(inputs["events"], COLUMNS):
            part = along_track.counts_from_events(chunk, assigner)
            along[:] = [part if not along else along_track.merge(along[0], part)]
            yield chunk

    counts = disclosure.tally_chunks(batches(), states, categories, degrees)
    tables = tables_from_tally(counts, states, categories, k, along[0])
    for table, output in OUTPUTS.items():
        frame = tables[table]
        write_csv(outputs[output], frame)
        if "suppressed" in frame:
            log.info(
                "%s: %d values, %d withheld (k=%d)",
                outputs[output],
                len(frame),
                int((frame["suppressed"] == "true").sum()),
                k,
            )


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
