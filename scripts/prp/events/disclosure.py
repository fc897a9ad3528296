"""Counting the restricted event table into the aggregates that may be
released, and the specification of those aggregates.

The public edition never reads event-level records. It reads a few count
tables built here: events by state, by state and location, by state and
perpetrator, by state and crime type, and by grid cell (plus the months the
events cover). Which cells of them are withheld is decided by
:mod:`prp.events.protect`, and checked by :mod:`prp.events.audit`, an
attacker's integer program over everything the release publishes.

:data:`TABLES` and :data:`RELEASED` are the one specification of the
release: the counting here, the protection, the audit of a candidate
release and the attack on the committed files all read it, so a table added
to it is counted, protected and audited without further code. A released
file that it does not describe is refused by the audit
(:func:`prp.events.audit.read_released`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

TOTAL = "All states"
"""Label of the national row (the column margin) in every state table."""

STATE_TOTALS = "state_totals"
"""The table of events per state (with the national total)."""
GRID = "grid"
"""The table of events per grid cell."""
PERIOD = "period"
"""First and last month (no counts)."""


class CountTable(NamedTuple):
    """A state x category table of the release: a count per state and
    category, then a national row (state :data:`TOTAL`) per category."""

    category: str
    """Category column of the released file."""
    column: str
    """Column of the event table that is counted."""
    multi: bool
    """The column lists several categories (``;``-separated) per event."""
    exact_rows: bool
    """A state's counts add up to its total (one category per event)."""
    max_per_event: int = 1
    """Most categories one event may name, as the data package states it: a
    state's row adds up to between its total and this many times it."""


TABLES = {
    "state_location": CountTable("location_type", "location_type", False, True),
    "state_perpetrator": CountTable("perpetrator_type", "perpetrator_type", False, True),
    "state_crime": CountTable("crime_type", "crime_types", True, False, 2),
}
"""The state x category tables. An event has one location and one perpetrator,
so those rows add up to the state's total; it has one or two crime types,
so a state's crime-type counts add up to between its total and twice it."""


class ListTable(NamedTuple):
    """A list of counts of a subset of the events, one per ``key``, then a
    total row: e.g. the events beside each rail segment. Its rows add up to
    its total, and its total is at most the national total; where each row's
    events may lie (states, grid cells) is knowledge of the attacker
    (:attr:`prp.events.audit.Knowledge.splits`)."""

    key: str
    """Key column of the released file."""
    total: str
    """Label of the total row in the key column."""


LISTS = {
    "rail_segments": ListTable("segment", "All segments"),
}
"""The list tables of the release (prp.events.along_track counts the rail one)."""

RELEASED = {
    STATE_TOTALS: "events_by_state",
    "state_location": "events_by_state_location",
    "state_perpetrator": "events_by_state_perpetrator",
    "state_crime": "events_by_state_crime",
    GRID: "events_grid",
    PERIOD: "events_period",
    "rail_segments": "events_rail_segments",
}
"""Table of the release -> released dataset (``data/released/<name>.csv``)."""

SEPARATOR = ";"


# --------------------------------------------------------------------------
# counting


def alternatives(pattern: str) -> list[str]:
    """Words of the first ``(a|b|c)`` group of a regular expression, as used
    by the schema of ``crime_types``: the list of crime types."""
    m = re.search(r"\(([^()]*)\)", pattern)
    if not m:
        raise ValueError(f"no (a|b|...) group in pattern {pattern!r}")
    return m.group(1).split("|")


def cell_centre(values: pd.Series | np.ndarray, degrees: float) -> np.ndarray:
    """Centre of the ``degrees``-wide grid cell holding each coordinate
    (cells are aligned on multiples of ``degrees``)."""
    v = np.asarray(values, dtype="float64")
    return np.round(np.floor(v / degrees) * degrees + degrees / 2, 6)


def state_totals(events: pd.DataFrame, states: Sequence[str]) -> pd.DataFrame:
    """Events per state, every state listed (zeros included), in the order
    given, then the national total."""
    unknown = sorted(set(events["state"].unique()) - set(states))
    if unknown:
        raise ValueError(f"events name states that are not in the state list: {unknown}")
    counts = events["state"].value_counts().reindex(list(states), fill_value=0)
    out = pd.DataFrame({"state": list(states), "events": counts.to_numpy(dtype="int64")})
    total = pd.DataFrame({"state": [TOTAL], "events": [int(len(events))]})
    return pd.concat([out, total], ignore_index=True)


def crosstab(
    events: pd.DataFrame,
    column: str,
    categories: Sequence[str],
    states: Sequence[str],
    multi: bool = False,
) -> pd.DataFrame:
    """Events per state and category, long format (``state``, ``category``,
    ``events``): every state x category pair in the given orders, zeros
    included, then the national row per category. With ``multi`` the column
    holds ``;``-separated lists and an event counts once for each category it
    names."""
    values = events[column].astype(str)
    frame = pd.DataFrame({"state": events["state"].astype(str), "category": values})
    if multi:
        frame["category"] = values.str.split(SEPARATOR)
        frame = frame.explode("category")
    unknown = sorted(set(frame["category"].unique()) - set(categories))
    if unknown:
        raise ValueError(f"{column}: values outside the categories {list(categories)}: {unknown}")
    table = (
        frame.groupby(["state", "category"])
        .size()
        .reindex(
            pd.MultiIndex.from_product(
                [list(states), list(categories)], names=["state", "category"]
            ),
            fill_value=0,
        )
        .rename("events")
        .reset_index()
    )
    national = table.groupby("category", sort=False)["events"].sum().reindex(list(categories))
    national = national.rename("events").reset_index().assign(state=TOTAL)
    out = pd.concat([table, national[["state", "category", "events"]]], ignore_index=True)
    out["events"] = out["events"].astype("int64")
    return out


def grid(events: pd.DataFrame, degrees: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events per non-empty grid cell (``cell_lat``, ``cell_lon``,
    ``events``, sorted south to north, west to east) and which states' events
    fall in each cell (``cell_lat``, ``cell_lon``, ``state``)."""
    cells = pd.DataFrame(
        {
            "cell_lat": cell_centre(events["latitude"], degrees),
            "cell_lon": cell_centre(events["longitude"], degrees),
            "state": events["state"].astype(str).to_numpy(),
        }
    )
    counts = (
        cells.groupby(["cell_lat", "cell_lon"])
        .size()
        .rename("events")
        .reset_index()
        .sort_values(["cell_lat", "cell_lon"], kind="stable")
        .reset_index(drop=True)
    )
    counts["events"] = counts["events"].astype("int64")
    members = (
        cells.drop_duplicates()
        .sort_values(["cell_lat", "cell_lon", "state"])
        .reset_index(drop=True)
    )
    return counts, members


def state_groups(members: pd.DataFrame) -> list[tuple[list[str], list[tuple[float, float]]]]:
    """Groups of states whose events share grid cells (connected components):
    for each, its states and its cells. The cells of a group hold exactly the
    group's events, so the group's cell counts add up to its state totals —
    a relation anyone who knows where the states lie can use."""
    parent: dict[str, str] = {}

    def find(s: str) -> str:
        while parent.setdefault(s, s) != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for _, sub in members.groupby(["cell_lat", "cell_lon"], sort=True):
        names = sorted(sub["state"])
        for other in names[1:]:
            parent[find(other)] = find(names[0])
        find(names[0])
    groups: dict[str, tuple[set[str], set[tuple[float, float]]]] = {}
    for row in members.itertuples(index=False):
        states, cells = groups.setdefault(find(row.state), (set(), set()))
        states.add(row.state)
        cells.add((float(row.cell_lat), float(row.cell_lon)))
    return sorted(((sorted(s), sorted(c)) for s, c in groups.values()), key=lambda g: g[0])


def period(events: pd.DataFrame, column: str = "event_date") -> pd.DataFrame:
    """First and last month with an event (``YYYY-MM``), one row."""
    dates = pd.to_datetime(events[column])
    if dates.empty:
        raise ValueError("no events: the period is undefined")
    return pd.DataFrame(
        {
            "first_month": [dates.min().strftime("%Y-%m")],
            "last_month": [dates.max().strftime("%Y-%m")],
        }
    )


@dataclass
class Tally:
    """The counts a release is built from: the outputs of :func:`state_totals`,
    :func:`crosstab` (per table of :data:`TABLES`) and :func:`grid`, and the
    first and last event date. Counts add up, so a table too large for
    memory is tallied chunk by chunk and the tallies merged
    (:meth:`merge`); the result equals the tally of the whole table."""

    totals: pd.DataFrame
    crosstabs: dict[str, pd.DataFrame]
    cells: pd.DataFrame
    members: pd.DataFrame
    first: pd.Timestamp | None
    last: pd.Timestamp | None

    def merge(self, other: Tally) -> Tally:
        def add(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
            out = a.copy()
            out["events"] = a["events"].to_numpy() + b["events"].to_numpy()
            return out

        cells = (
            pd.concat([self.cells, other.cells], ignore_index=True)
            .groupby(["cell_lat", "cell_lon"])["events"]
            .sum()
            .reset_index()
            .sort_values(["cell_lat", "cell_lon"], kind="stable")
            .reset_index(drop=True)
        )
        cells["events"] = cells["events"].astype("int64")
        members = (
            pd.concat([self.members, other.members], ignore_index=True)
            .drop_duplicates()
            .sort_values(["cell_lat", "cell_lon", "state"])
            .reset_index(drop=True)
        )
        dates = [d for d in (self.first, self.last, other.first, other.last) if d is not None]
        return Tally(
            totals=add(self.totals, other.totals),
            crosstabs={k: add(v, other.crosstabs[k]) for k, v in self.crosstabs.items()},
            cells=cells,
            members=members,
            first=min(dates) if dates else None,
            last=max(dates) if dates else None,
        )


def tally(
    events: pd.DataFrame,
    states: Sequence[str],
    categories: Mapping[str, Sequence[str]],
    degrees: float,
    date_column: str = "event_date",
) -> Tally:
    """The counts of one table (or one chunk of it); without a date column,
    no period."""
    dates = pd.to_datetime(events[date_column]) if date_column in events else pd.Series([])
    cells, members = grid(events, degrees)
    return Tally(
        totals=state_totals(events, states),
        crosstabs={
            name: crosstab(events, spec.column, categories[name], states, spec.multi)
            for name, spec in TABLES.items()
        },
        cells=cells,
        members=members,
        first=None if dates.empty else dates.min(),
        last=None if dates.empty else dates.max(),
    )


def tally_chunks(
    chunks: Iterable[pd.DataFrame],
    states: Sequence[str],
    categories: Mapping[str, Sequence[str]],
    degrees: float,
) -> Tally:
    """The merged tally of consecutive chunks of one table (at least one)."""
    total: Tally | None = None
    for chunk in chunks:
        part = tally(chunk, states, categories, degrees)
        total = part if total is None else total.merge(part)
    if total is None:
        raise ValueError("no chunks to tally")
    return total


def period_of(t: Tally) -> pd.DataFrame:
    """:func:`period` from a tally."""
    if t.first is None or t.last is None:
        raise ValueError("no events: the period is undefined")
    return pd.DataFrame(
        {"first_month": [t.first.strftime("%Y-%m")], "last_month": [t.last.strftime("%Y-%m")]}
    )


# --------------------------------------------------------------------------
# the counts as released tables


def true_tables(
    counts: Tally, lists: Mapping[str, pd.DataFrame] | None = None
) -> dict[str, pd.DataFrame]:
    """The count tables of a release with every true count and nothing
    withheld yet (``suppressed`` false), keyed like :data:`RELEASED`, in the
    columns of the released files: what :func:`prp.events.protect.protect`
    starts from. ``lists`` holds the counts of the :data:`LISTS` tables
    (key column and ``events``; their total rows are added here). ``period``
    is not a count table and is left out."""
    out = {STATE_TOTALS: counts.totals.assign(suppressed=False)}
    for name, spec in TABLES.items():
        out[name] = (
            counts.crosstabs[name]
            .rename(columns={"category": spec.category})
            .assign(suppressed=False)
        )
    out[GRID] = counts.cells.assign(suppressed=False)
    for name, rows in (lists or {}).items():
        out[name] = list_table(name, rows)
    return {k: v.reset_index(drop=True) for k, v in out.items()}


def list_table(name: str, rows: pd.DataFrame) -> pd.DataFrame:
    """A :data:`LISTS` table in the released format: its rows, then the total row."""
    spec = LISTS[name]
    body = pd.DataFrame(
        {spec.key: rows[spec.key].astype(str), "events": rows["events"].astype("int64")}
    )
    total = pd.DataFrame({spec.key: [spec.total], "events": [int(body["events"].sum())]})
    return pd.concat([body, total], ignore_index=True).assign(suppressed=False)


def members_of(counts: Tally) -> list[tuple[str, float, float]]:
    """(state, cell_lat, cell_lon) for every grid cell holding events of a
    state: which states' events each cell holds (see
    :class:`prp.events.audit.Knowledge`)."""
    return [
        (str(r.state), float(r.cell_lat), float(r.cell_lon)) for r in counts.members.itertuples()
    ]
