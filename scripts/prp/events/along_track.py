"""Events beside Mexico's railroads: the released table behind Figure 3.2.

Every event within ``buffer_km`` of a Mexican railroad (Natural Earth 1:10m,
``data/geo/rail_segments.geojson``) is counted on the nearest segment of at
most 20 km; events farther away are counted on no segment. The table holds
one row per Mexican segment, zeros included (the geometry is public, so an
empty segment identifies nobody), then a row with the number of events
within ``buffer_km`` of any segment.

Disclosure control is the same as for the state tables
(:func:`prp.events.disclosure.protect`): counts from 1 to k - 1 are withheld,
and complements keep every relation with at least two withheld values and no
withheld value determined by the published ones. The table is self-contained:
its only exact relation is that the segments add up to its own total row
(:func:`release`). No released number is a sum of segments, so the table is
protected on its own, not jointly with the state tables and the grid.

Relations a reader could still use across tables are inequalities from
geography, not equalities: the events beside the segments that lie wholly
inside one 0.5 degree grid cell, or inside one state, are at most that cell's
or state's count; and this table's total is at most the national total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from prp.data import rail
from prp.events import disclosure

TABLE = "rail_segments"
ALL_SEGMENTS = "All segments"
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


def release(counts: pd.DataFrame) -> disclosure.Release:
    """The table as a :class:`~prp.events.disclosure.Release`: one item per
    segment, then the total row, and the line "segments add up to the total"."""
    total = int(counts["events"].sum())
    items = pd.DataFrame(
        {
            "table": TABLE,
            "state": [pd.NA] * len(counts) + [disclosure.TOTAL],
            "category": [*counts["segment"].astype(str), ALL_SEGMENTS],
            "cell_lat": np.nan,
            "cell_lon": np.nan,
            "events": np.r_[counts["events"].to_numpy(dtype="int64"), total],
        }
    )
    items["total"] = items["category"].eq(ALL_SEGMENTS)
    line = disclosure.Line(
        tuple(range(len(counts))), (len(counts),), name=f"{TABLE}: {ALL_SEGMENTS}"
    )
    return disclosure.Release(items, [line])


def released_table(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """The protected table as written: ``segment``, ``events`` (empty where
    withheld), ``suppressed``; the last row is the total."""
    items = disclosure.protect(release(counts), k)
    out = items[["category", "events", "suppressed"]].rename(columns={"category": "segment"})
    return out.reset_index(drop=True)


def counts_from_events(events: pd.DataFrame, assigner: rail.Assigner) -> pd.DataFrame:
    """Per-segment counts of a table (or chunk) of events with ``longitude``
    and ``latitude``."""
    return count(assigner(events["longitude"], events["latitude"]), assigner.ids)
