"""Events beside Mexico's railroads: the released table behind Figure 3.2.

Every event within ``buffer_km`` of a Mexican railroad (Natural Earth 1:10m,
``data/geo/rail_segments.geojson``) is counted on the nearest segment of at
most 20 km; events farther away are counted on no segment. The table holds
one row per Mexican segment, zeros included (the geometry is public, so an
empty segment identifies nobody), then a row with the number of events
within ``buffer_km`` of any segment.

Disclosure control is joint with the other released tables: the table is
the list table ``rail_segments`` of :data:`prp.events.disclosure.LISTS`, so
:mod:`prp.events.protect` withholds its small counts and complements, and
:mod:`prp.events.audit` attacks it together with the state tables and the
grid. Its segments add up to its total row, its total is at most the national
total, and the events beside a segment lie in the states and grid cells its
buffer reaches: :func:`splits` gives those (segment, state) and (segment,
cell) pairs, from the events themselves at release time (at least as strong
as what an attacker derives from the public geometry,
:func:`prp.events.audit.splits_from_geometry`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from prp.data import rail
from prp.events import disclosure

TABLE = "rail_segments"
ALL_SEGMENTS = disclosure.LISTS[TABLE].total
"""Label of the total row (events within the buffer of any segment)."""


def segment_ids(features: Sequence[Mapping[str, Any]]) -> list[str]:
    """Ids of the counted segments, in the order of the released table."""
    return [str(f["properties"]["segment"]) for f in rail.counted(features)]


def count(assigned: np.ndarray, ids: Sequence[str]) -> pd.DataFrame:
    """Events per segment (``segment``, ``events``; every id, zeros included)
    from the segment id of each event (None: beside no segment)."""
    known = pd.Series(assigned, dtype=object).dropna()
    unknown = sorted(set(known) - set(ids))
    if unknown:
        raise ValueError(f"events assigned to unknown segments: {unknown[:5]}")
    counts = known.value_counts().reindex(list(ids), fill_value=0)
    return pd.DataFrame(
        {"segment": list(ids), "events": counts.to_numpy(dtype="int64")}
    ).reset_index(drop=True)


def merge(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The counts of two chunks of one event table (same segment order)."""
    if list(a["segment"]) != list(b["segment"]):
        raise ValueError("segment counts of different networks cannot be merged")
    out = a.copy()
    out["events"] = a["events"].to_numpy() + b["events"].to_numpy()
    return out


def released_table(counts: pd.DataFrame) -> pd.DataFrame:
    """The table with every true count (``segment``, ``events``,
    ``suppressed`` false) and its total row, as :mod:`prp.events.protect`
    takes it."""
    return disclosure.list_table(TABLE, counts)


def splits(
    assigned: np.ndarray, states: Sequence[str], cells: np.ndarray
) -> tuple[set[tuple[Any, Any]], set[tuple[Any, Any]]]:
    """(segment, state) and (segment, grid cell) pairs of the events beside a
    segment, as audit keys (``Knowledge.splits``): ``assigned`` is each
    event's segment (None: beside none), ``states`` its state, ``cells`` its
    (lat, lon) cell centre."""
    by_state: set[tuple[Any, Any]] = set()
    by_cell: set[tuple[Any, Any]] = set()
    for seg, state, (lat, lon) in zip(assigned, states, cells, strict=True):
        if seg is None:
            continue
        part = (TABLE, str(seg))
        by_state.add((part, (disclosure.STATE_TOTALS, str(state))))
        by_cell.add((part, (disclosure.GRID, round(float(lat), 6), round(float(lon), 6))))
    return by_state, by_cell


def counts_from_events(events: pd.DataFrame, assigner: rail.Assigner) -> pd.DataFrame:
    """Per-segment counts of a table (or chunk) of events with ``longitude``
    and ``latitude``."""
    return count(assigner(events["longitude"], events["latitude"]), assigner.ids)
