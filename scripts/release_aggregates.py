"""Release the crime-event aggregates that the public edition may show.

Reads the validated restricted event table and writes count tables into
build/released/ (``make release`` then swaps them into data/released/):
events by state, by state and location type, by state and perpetrator
type, by state and crime type, and by grid cell, the months the events
cover, and the events beside each segment of the railroads
(prp.events.along_track). Withheld counts are empty with ``suppressed = true``.

The events are read in record batches and counted batch by batch in Arrow
and numpy (prp.events.counting: the tally prp.events.disclosure.tally_chunks
computes with pandas, and the events beside each rail segment), so memory
does not grow with the number of events (:func:`count`). Which counts are
withheld is decided jointly for all tables by prp.events.protect: counts
under k, and complements added until the exact integer-programming attack of
prp.events.audit, given everything the release publishes, cannot narrow any
withheld count below its protection level. A final, independent attack on
the tables about to be written must pass, or nothing is written and the
release is refused (:func:`release`; its cost depends on the tables, not on
the number of events). Only counts are logged (never a withheld value).
"""

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from prp.data import rail
from prp.data.errors import InputError
from prp.data.io import write_csv
from prp.events import along_track, disclosure
from prp.events.counting import BatchTally, RailCounts, batches

if TYPE_CHECKING:
    # imported where used: counting the events needs neither (nor scipy)
    from prp.events.audit import Knowledge
    from prp.events.protect import Protection

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


class Along:
    """Events beside each rail segment, and the states and grid cells they
    lie in, accumulated batch by batch."""

    def __init__(self, assigner: rail.Assigner, degrees: float) -> None:
        self.assigner = assigner
        self.degrees = degrees
        self.counts: pd.DataFrame | None = None
        self.by_state: set[tuple[Any, Any]] = set()
        self.by_cell: set[tuple[Any, Any]] = set()

    def add(self, events: pd.DataFrame) -> None:
        assigned = self.assigner(events["longitude"], events["latitude"])
        part = along_track.count(assigned, self.assigner.ids)
        self.counts = part if self.counts is None else along_track.merge(self.counts, part)
        cells = np.column_stack(
            [
                disclosure.cell_centre(events["latitude"], self.degrees),
                disclosure.cell_centre(events["longitude"], self.degrees),
            ]
        )
        states, cell = along_track.splits(assigned, events["state"].astype(str).tolist(), cells)
        self.by_state |= states
        self.by_cell |= cell

    def watch(self, batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for chunk in batches:
            self.add(chunk)
            yield chunk


@dataclass
class Beside:
    """The events beside the railroads as :class:`Along` holds them, from
    :class:`prp.events.counting.RailCounts`: counts per segment and the
    (segment, state) and (segment, grid cell) pairs."""

    counts: pd.DataFrame | None
    by_state: set[tuple[Any, Any]] = field(default_factory=set)
    by_cell: set[tuple[Any, Any]] = field(default_factory=set)


def protection(k: int, settings: dict[str, Any] | None = None) -> "Protection":
    """The protection level from the configuration (``disclosure.protection``):
    ``upper`` defaults to k, ``width`` to k - 1."""
    from prp.events.protect import Protection

    settings = settings or {}
    return Protection(k=int(k), upper=settings.get("upper"), width=settings.get("width"))


def knowledge(counts: disclosure.Tally, along: Along | Beside | None = None) -> "Knowledge":
    """What the audit assumes the attacker knows beyond the tables: that a
    withheld count holds at least one event (zeros are never withheld), the
    one-or-two crime types per event, which states' events each grid cell
    holds, and which states and cells the events beside each rail segment
    lie in (the exact pairs: at least as much as the public geometry tells)."""
    from prp.events.audit import Knowledge

    splits = [] if along is None else [sorted(along.by_state), sorted(along.by_cell)]
    return Knowledge(members=disclosure.members_of(counts), splits=splits)


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
        along = Along(rail.Assigner(segments, buffer_km), degrees)
        along.add(events)
    counts = disclosure.tally(events, states, categories, degrees)
    return protected_tables(counts, protection(k), along)[0]


def check_k(k: int) -> None:
    if k < 2:
        raise ValueError(f"disclosure threshold k must be at least 2, got {k}")


def tables_from_tally(
    counts: disclosure.Tally,
    states: list[str],
    categories: dict[str, list[str]],
    k: int,
    settings: dict[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`released_tables` from the counts of the events (no rail table)."""
    return protected_tables(counts, protection(k, settings))[0]


def protected_tables(
    counts: disclosure.Tally, prot: "Protection", along: Along | Beside | None = None
) -> tuple[dict[str, pd.DataFrame], Any]:
    """The protected tables (flags as "true"/"false") from the counts of the
    events (and, with ``along``, of the events beside the railroads), all
    protected jointly, and the verdict of the final attack on them; raises
    :class:`~prp.events.protect.Refused` if that attack breaks them."""
    from prp.events.protect import Refused, protect, verify

    check_k(prot.k)
    lists = {} if along is None or along.counts is None else {along_track.TABLE: along.counts}
    true = disclosure.true_tables(counts, lists)
    kn = knowledge(counts, along)
    outcome = protect(true, kn, prot)
    for r in outcome.rounds:
        log.info(
            "protection round %d: %d withheld, %d under the protection level (%.1f s)",
            r["round"],
            r["withheld"],
            r["failing"],
            r["audit_seconds"],
        )
    verdict = verify(true, outcome.tables, kn, prot)
    if not verdict.ok:
        raise Refused(
            f"release refused: {verdict.failing} withheld counts fail the protection level "
            f"and {verdict.pinned} are pinned by the attack"
        )
    tables = {}
    for name, frame in outcome.tables.items():
        out = frame.copy()
        out["suppressed"] = out["suppressed"].map({True: "true", False: "false"})
        tables[name] = out
    tables["period"] = disclosure.period_of(counts)
    return tables, verdict


def count(inputs: dict[str, Any], params: dict[str, Any]) -> tuple[disclosure.Tally, Beside]:
    """The counts of the clean events (``inputs["events"]``), read batch by
    batch: the tally and the events beside the railroads."""
    states = (
        pd.read_parquet(inputs["states"]).sort_values("state_code")["state"].astype(str).tolist()
    )
    categories = {name: list(values) for name, values in params["categories"].items()}
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    check_k(k)
    assigner = rail.Assigner(
        rail.read_features(inputs["segments"]), float(params["rail_buffer_km"])
    )
    tally = BatchTally(states, categories, degrees)
    beside = RailCounts(assigner, degrees)

    def count_batch(batch: Any) -> tuple[Any, Any]:
        return tally.count(batch), beside.count(batch)

    # two batches counted side by side (numpy, Arrow and most of the rail
    # assignment release the GIL), merged in the file's order
    with ThreadPoolExecutor(max_workers=2) as pool:
        in_flight: deque[Future[tuple[Any, Any]]] = deque()

        def take() -> None:
            counted, near = in_flight.popleft().result()
            tally.merge(counted)
            beside.merge(near)

        for batch in batches(inputs["events"], COLUMNS):
            in_flight.append(pool.submit(count_batch, batch))
            if len(in_flight) >= 2:
                take()
        while in_flight:
            take()
    return tally.result(), Beside(beside.table(), *beside.splits())


def release(
    counts: disclosure.Tally,
    beside: Beside,
    events: str,
    outputs: dict[str, Any],
    params: dict[str, Any],
) -> None:
    """Protect the counts jointly, attack the result, write the tables (an
    InputError naming ``events`` if the release is refused)."""
    from prp.events.protect import Refused

    k = int(params["k"])
    try:
        tables, verdict = protected_tables(counts, protection(k, params.get("protection")), beside)
    except Refused as err:
        raise InputError(events, str(err)) from None
    log.info("release audit: %s", verdict.line())
    log.info("withheld by table: %s", verdict.by_table)
    for table, output in OUTPUTS.items():
        write_csv(outputs[output], tables[table])


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    counts, beside = count(inputs, params)
    release(counts, beside, inputs["events"], outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
