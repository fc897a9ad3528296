"""Disclosure control for the aggregates released from the restricted event
table (the CAMRD stand-in).

The public edition never reads event-level records. It reads a few count
tables built here: events by state, by state and location, by state and
perpetrator, by state and crime type, and by grid cell. Before release every
count goes through cell suppression:

* **primary suppression** — a count of 1 to ``k - 1`` is withheld (zeros are
  published: an empty cell identifies nobody);
* **complementary suppression** — every published total ties a set of counts
  together (a row, a column, the state totals, the grid cells of a group of
  states). When such a relation holds exactly one withheld value, that value
  could be recomputed by subtraction, so a second one is withheld, the
  cheapest available (the smallest positive count, cells before totals);
* **audit** — the relations are solved as a linear system in the withheld
  values; any withheld value the system pins down (for example a "bridge"
  between two otherwise protected blocks) gets another complement, until no
  withheld value follows from the published ones.

All released values and the relations between them live in one flat
:class:`Release` (an ``items`` frame and a list of :class:`Line`), so the
tables are protected jointly: a state total withheld in one table is
withheld everywhere, and a value cannot be recovered by combining files.

Why not a library: ``acro`` (PyPI, AI-SDC) applies primary suppression only,
inside an output-checking session, and brings statsmodels, scipy and rdflib;
``pytauargus`` (PyPI, beta) bundles the Tau-Argus engine and HiGHS and does
secondary suppression for one (hierarchical) table at a time, whereas these
five files are linked through shared state totals and through the grid. The
rule here is small, exact for frequency tables and fully tested
(tests/unit/test_disclosure.py tries to recover every withheld value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TOTAL = "All states"
"""Label of the national row (the column margin) in every state table."""

TABLES = {
    # name: (category column of the release, column of the events, multi-valued, exact row sums)
    "state_location": ("location_type", "location_type", False, True),
    "state_perpetrator": ("perpetrator_type", "perpetrator_type", False, True),
    "state_crime": ("crime_type", "crime_types", True, False),
}
"""The state x category tables. An event has one location and one perpetrator,
so those rows add up to the state's total; it has one or more crime types,
so a state's crime-type counts add up to no released number."""

SEPARATOR = ";"


@dataclass(frozen=True)
class Line:
    """A relation among released values: ``sum(plus) == sum(minus)`` when
    ``exact``; a line that is not exact (a row whose margin is not a released
    number) is only held to the at-least-two rule."""

    plus: tuple[int, ...]
    minus: tuple[int, ...] = ()
    exact: bool = True
    name: str = ""

    @property
    def members(self) -> tuple[int, ...]:
        return self.plus + self.minus


@dataclass
class Release:
    """Every value to be released (``items``: one row per value, with columns
    ``table``, ``state``, ``category``, ``cell_lat``, ``cell_lon``,
    ``events``, ``total``) and the relations between them."""

    items: pd.DataFrame
    lines: list[Line] = field(default_factory=list)


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
            name: crosstab(events, column, categories[name], states, multi)
            for name, (_, column, multi, _) in TABLES.items()
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
# the release: items and lines


def build_release(
    events: pd.DataFrame,
    states: Sequence[str],
    categories: Mapping[str, Sequence[str]],
    degrees: float,
) -> Release:
    """All values to release and their relations. ``categories`` maps each
    table of :data:`TABLES` to its category list."""
    return release_from_tally(tally(events, states, categories, degrees), states, categories)


def release_from_tally(
    counts: Tally, states: Sequence[str], categories: Mapping[str, Sequence[str]]
) -> Release:
    """:func:`build_release` from the (merged) tally of the events."""
    frames = [counts.totals.assign(table="state_totals", category=pd.NA)]
    for name in TABLES:
        frames.append(counts.crosstabs[name].assign(table=name))
    cells, members = counts.cells, counts.members
    frames.append(cells.assign(table="grid", state=pd.NA, category=pd.NA))
    items = pd.concat(frames, ignore_index=True)
    items = items[["table", "state", "category", "cell_lat", "cell_lon", "events"]]
    items["total"] = items["state"].eq(TOTAL).fillna(False).astype(bool)
    items["events"] = items["events"].astype("int64")

    def idx(mask: pd.Series) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(mask.to_numpy()))

    table = items["table"]
    state_item = {
        s: idx((table == "state_totals") & (items["state"] == s))[0] for s in [*states, TOTAL]
    }
    lines = [Line(tuple(state_item[s] for s in states), (state_item[TOTAL],), name="states")]
    for name, (_, _, _, exact_rows) in TABLES.items():
        in_table = table == name
        for s in states:
            cells_s = idx(in_table & (items["state"] == s))
            lines.append(
                Line(cells_s, (state_item[s],) if exact_rows else (), exact_rows, f"{name}: {s}")
            )
        for c in categories[name]:
            col = in_table & (items["category"] == c)
            lines.append(
                Line(
                    idx(col & (items["state"] != TOTAL)),
                    idx(col & (items["state"] == TOTAL)),
                    name=f"{name}: {c}",
                )
            )
        national = idx(in_table & (items["state"] == TOTAL))
        lines.append(
            Line(
                national, (state_item[TOTAL],) if exact_rows else (), exact_rows, f"{name}: {TOTAL}"
            )
        )
    in_grid = table == "grid"
    position = {
        (float(r.cell_lat), float(r.cell_lon)): i
        for i, r in zip(
            np.flatnonzero(in_grid.to_numpy()), items[in_grid].itertuples(), strict=True
        )
    }
    for group_states, group_cells in state_groups(members):
        lines.append(
            Line(
                tuple(sorted(int(position[c]) for c in group_cells)),
                tuple(state_item[s] for s in group_states),
                name="grid: " + ", ".join(group_states),
            )
        )
    lines.append(
        Line(
            tuple(sorted(int(v) for v in position.values())), (state_item[TOTAL],), name="grid: all"
        )
    )
    return Release(items.reset_index(drop=True), lines)


# --------------------------------------------------------------------------
# suppression


def primary(counts: np.ndarray, k: int) -> np.ndarray:
    """Counts from 1 to k - 1: too few events to publish."""
    counts = np.asarray(counts)
    return (counts > 0) & (counts < k)


def cost(counts: np.ndarray, is_total: np.ndarray) -> np.ndarray:
    """Order of preference for complements: the smallest positive count
    first, cells before totals, zeros last (withholding a zero hides
    little). Ties go to the earlier item."""
    counts = np.asarray(counts, dtype="float64")
    big = counts.sum() + 1.0
    return np.where(counts > 0, counts, 4 * big) + np.where(is_total, 2 * big, 0.0)


def _cheapest(candidates: Iterable[int], costs: np.ndarray) -> int | None:
    best = sorted(candidates, key=lambda i: (costs[i], i))
    return best[0] if best else None


def enforce_lines(suppressed: np.ndarray, lines: Sequence[Line], costs: np.ndarray) -> np.ndarray:
    """Until no line holds exactly one withheld value, withhold the cheapest
    other member of such a line."""
    sup = np.array(suppressed, dtype=bool)
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = line.members
            if int(sup[list(members)].sum()) == 1:
                pick = _cheapest((i for i in members if not sup[i]), costs)
                if pick is not None:
                    sup[pick] = True
                    changed = True
    return sup


def constraint_matrix(n_items: int, lines: Sequence[Line]) -> np.ndarray:
    """One row per exact line: +1 on ``plus`` items, -1 on ``minus`` items."""
    exact = [line for line in lines if line.exact]
    a = np.zeros((len(exact), n_items))
    for r, line in enumerate(exact):
        a[r, list(line.plus)] += 1.0
        a[r, list(line.minus)] -= 1.0
    return a


def determined(
    n_items: int, lines: Sequence[Line], suppressed: np.ndarray, tol: float = 1e-9
) -> list[int]:
    """Withheld items whose value follows from the published ones through the
    exact lines: those on which every solution of the homogeneous system
    agrees (a zero row in a basis of its null space)."""
    unknown = np.flatnonzero(np.asarray(suppressed, dtype=bool))
    if unknown.size == 0:
        return []
    a = constraint_matrix(n_items, lines)[:, unknown]
    a = a[np.abs(a).sum(axis=1) > 0]
    if a.shape[0] == 0:
        return []
    _, s, vt = np.linalg.svd(a, full_matrices=True)
    rank = int((s > tol * max(1.0, s.max(initial=0.0))).sum())
    null = vt[rank:].T  # columns span the null space
    if null.shape[1] == 0:
        return [int(i) for i in unknown]
    norms = np.linalg.norm(null, axis=1)
    return [int(i) for i, n in zip(unknown, norms, strict=True) if n < 1e-7]


def suppress(counts: np.ndarray, is_total: np.ndarray, lines: Sequence[Line], k: int) -> np.ndarray:
    """Withheld items: primary suppression, the at-least-two rule on every
    line, then more complements until no withheld value is determined."""
    counts = np.asarray(counts)
    costs = cost(counts, np.asarray(is_total, dtype=bool))
    sup = primary(counts, k)
    n = len(counts)
    while True:
        sup = enforce_lines(sup, lines, costs)
        pinned = determined(n, lines, sup)
        if not pinned:
            return sup
        added = False
        for i in pinned:
            for line in lines:
                if line.exact and i in line.members:
                    pick = _cheapest((j for j in line.members if not sup[j]), costs)
                    if pick is not None:
                        sup[pick] = True
                        added = True
                        break
        if not added:  # pragma: no cover - a line's members are all withheld yet pinned: impossible
            raise RuntimeError(f"cannot protect items {pinned}")


def protect(release: Release, k: int) -> pd.DataFrame:
    """The release's items with a ``suppressed`` flag and ``events`` blanked
    (<NA>) where withheld.

    Every withheld count is at least 1 wherever a complement could be chosen
    among positive counts, which holds on every exact line (its other side
    is a positive total); a zero is withheld only as the last resort on a
    crime-type row. The released files can therefore say "withheld = 1 or
    more events" for every table but the crime types, and this is checked."""
    items = release.items.copy()
    sup = suppress(items["events"].to_numpy(), items["total"].to_numpy(), release.lines, k)
    zero = sup & (items["events"].to_numpy() == 0) & (items["table"] != "state_crime").to_numpy()
    if zero.any():  # pragma: no cover - guarded by the complement order
        raise RuntimeError(
            f"withheld zero counts outside the crime-type table: {np.flatnonzero(zero)}"
        )
    items["suppressed"] = sup
    items["events"] = items["events"].astype("Int64").mask(sup)
    return items


def split(
    items: pd.DataFrame, category_columns: Mapping[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """Protected items as the released tables: ``state_totals`` (state,
    events, suppressed), one frame per :data:`TABLES` entry (state, <category
    column>, events, suppressed) and ``grid`` (cell_lat, cell_lon, events,
    suppressed)."""
    names = category_columns or {name: spec[0] for name, spec in TABLES.items()}
    out = {
        "state_totals": items.loc[
            items["table"] == "state_totals", ["state", "events", "suppressed"]
        ]
    }
    for name, column in names.items():
        sub = items.loc[items["table"] == name, ["state", "category", "events", "suppressed"]]
        out[name] = sub.rename(columns={"category": column})
    out["grid"] = items.loc[
        items["table"] == "grid", ["cell_lat", "cell_lon", "events", "suppressed"]
    ]
    return {k: v.reset_index(drop=True) for k, v in out.items()}


def lines_for_tables(tables: Mapping[str, pd.DataFrame]) -> Release:
    """Rebuild items and exact relations from *released* state tables (what a
    reader of the public files sees): state totals, and the exact-row tables
    with their national rows. Used to audit released files; the grid lines
    need the restricted events and are not rebuilt here."""
    totals = tables["state_totals"]
    states = [s for s in totals["state"] if s != TOTAL]
    frames = [totals.assign(table="state_totals", category=pd.NA)]
    for name, (column, _, _, _) in TABLES.items():
        if name in tables:
            frames.append(tables[name].rename(columns={column: "category"}).assign(table=name))
    items = pd.concat(frames, ignore_index=True)
    items["total"] = items["state"].eq(TOTAL)
    lines: list[Line] = []

    def one(mask: pd.Series) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(mask.to_numpy()))

    t = items["table"]
    st = {s: one((t == "state_totals") & (items["state"] == s))[0] for s in [*states, TOTAL]}
    lines.append(Line(tuple(st[s] for s in states), (st[TOTAL],), name="states"))
    for name, (_, _, _, exact_rows) in TABLES.items():
        if name not in tables:
            continue
        in_t = t == name
        for s in [*states, TOTAL]:
            lines.append(
                Line(
                    one(in_t & (items["state"] == s)),
                    (st[s],) if exact_rows else (),
                    exact_rows,
                    f"{name}: {s}",
                )
            )
        for c in pd.unique(items.loc[in_t, "category"]):
            col = in_t & (items["category"] == c)
            lines.append(
                Line(
                    one(col & (items["state"] != TOTAL)),
                    one(col & (items["state"] == TOTAL)),
                    name=f"{name}: {c}",
                )
            )
    return Release(items, lines)
