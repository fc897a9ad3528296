"""Counting the clean event table batch by batch in Arrow and numpy: the
:class:`~prp.events.disclosure.Tally` that :func:`prp.events.disclosure.tally_chunks`
computes with pandas, and the events beside each rail segment that
``release_aggregates.Along`` collects, equal to theirs (``tests/unit/test_counting.py``
compares both on the same events).

A record batch of the parquet file is counted without going through pandas:
states and categories are dictionary-encoded and counted with
``numpy.bincount`` into a state x category matrix, the ``;``-separated crime
types are split and flattened in Arrow, and grid cells (and the states in
each cell) are counted as integer keys (row and column of the cell) with
``numpy.unique``. Counts add up, so memory
holds the matrices, the non-empty cells and the pairs the audit needs, never
the events. A batch with a missing value in a counted column is counted by
pandas (:func:`prp.events.disclosure.tally`), so the error it raises is the
same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from prp.events import disclosure
from prp.events.disclosure import GRID, SEPARATOR, STATE_TOTALS, TABLES, TOTAL, Tally

_HALF = 1 << 24
"""Grid rows and columns are offset by this (cells of any size on Earth fit)."""
BATCH_ROWS = 100_000
"""Rows read at a time. Two batches are counted side by side
(``release_aggregates.count``), and the rail assignment's temporaries are a
few times a batch, so this, not the file, sets the memory."""


def batches(
    path: str | Path, columns: Sequence[str], rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """The parquet file as record batches of at most ``rows`` rows, with
    only ``columns`` (pre-buffering off, as in prp.events.records.read_batches:
    memory stays bounded)."""
    pf = pq.ParquetFile(path, pre_buffer=False)
    yield from pf.iter_batches(batch_size=rows, columns=list(columns))


def _positions(codes: pa.DictionaryArray, order: Sequence[str], what: str) -> np.ndarray:
    """Position in ``order`` of each value; ValueError naming values that are
    not in it (as disclosure.crosstab names them)."""
    where = {v: i for i, v in enumerate(order)}
    words = [str(v) for v in codes.dictionary.to_pylist()]
    unknown = sorted({w for w in words if w not in where})
    if unknown:
        raise ValueError(f"{what}: {unknown}")
    lookup = np.array([where[w] for w in words], dtype=np.int64)
    return lookup[codes.indices.to_numpy(zero_copy_only=False)]


class BatchTally:
    """The tally of consecutive record batches of one event table."""

    def __init__(
        self,
        states: Sequence[str],
        categories: Mapping[str, Sequence[str]],
        degrees: float,
        date_column: str = "event_date",
    ) -> None:
        self.states = list(states)
        self.categories = {name: list(categories[name]) for name in TABLES}
        self.degrees = degrees
        self.date_column = date_column
        self.events = 0
        self.by_state = np.zeros(len(self.states), dtype=np.int64)
        self.tables = {
            name: np.zeros((len(self.states), len(self.categories[name])), dtype=np.int64)
            for name in TABLES
        }
        self.cells: list[tuple[np.ndarray, np.ndarray]] = []
        self.members: list[np.ndarray] = []
        self.first: pd.Timestamp | None = None
        self.last: pd.Timestamp | None = None
        self.fallback: Tally | None = None

    def add(self, batch: pa.RecordBatch) -> None:
        self.merge(self.count(batch))

    def count(self, batch: pa.RecordBatch) -> dict[str, Any]:
        """The counts of one batch, apart (so that batches can be counted
        side by side, then merged in order with :meth:`merge`)."""
        counted = ["state", "latitude", "longitude", *(spec.column for spec in TABLES.values())]
        if self.date_column in batch.schema.names:
            counted.append(self.date_column)
        if any(batch.column(c).null_count for c in counted):
            # a missing value: counted by pandas, which raises its own error
            part = disclosure.tally(batch.to_pandas(), self.states, self.categories, self.degrees)
            return {"pandas": part}
        states = pc.dictionary_encode(batch.column("state"))
        known = set(self.states)
        unknown = sorted({str(s) for s in states.dictionary.to_pylist()} - known)
        if unknown:
            raise ValueError(f"events name states that are not in the state list: {unknown}")
        pos = _positions(states, self.states, "states")
        out: dict[str, Any] = {
            "events": batch.num_rows,
            "by_state": np.bincount(pos, minlength=len(self.states)),
            "tables": {},
        }
        for name, spec in TABLES.items():
            cats = self.categories[name]
            col = batch.column(spec.column)
            rows = pos
            if spec.multi:
                lists = pc.split_pattern(col, SEPARATOR)
                col = pc.list_flatten(lists)
                rows = pos[pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)]
            which = _positions(
                pc.dictionary_encode(col),
                cats,
                f"{spec.column}: values outside the categories {list(cats)}",
            )
            flat = np.bincount(rows * len(cats) + which, minlength=len(self.states) * len(cats))
            out["tables"][name] = flat.reshape(len(self.states), len(cats))
        cell = self._cell(batch.column("latitude"), batch.column("longitude"))
        out["cells"] = np.unique(cell, return_counts=True)
        out["members"] = np.unique(cell * len(self.states) + pos)
        out["dates"] = None
        if self.date_column in batch.schema.names and batch.num_rows:
            dates = batch.column(self.date_column)
            unit = dates.type.unit if pa.types.is_timestamp(dates.type) else None
            if unit is None:
                raise ValueError(f"{self.date_column}: dates expected, not {dates.type}")
            out["dates"] = tuple(
                pd.Timestamp(np.datetime64(v.value, unit)) for v in pc.min_max(dates).values()
            )
        return out

    def merge(self, part: dict[str, Any]) -> None:
        """Add the counts of a batch (:meth:`count`)."""
        if "pandas" in part:
            self.fallback = (
                part["pandas"] if self.fallback is None else self.fallback.merge(part["pandas"])
            )
            return
        self.by_state += part["by_state"]
        for name, table in part["tables"].items():
            self.tables[name] += table
        self.cells.append(part["cells"])
        self.members.append(part["members"])
        if part["dates"] is not None:
            low, high = part["dates"]
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)
        self.events += part["events"]

    def _cell(self, lat: pa.Array, lon: pa.Array) -> np.ndarray:
        """A grid cell's key: its row and column (``floor(v / degrees)``, of
        which :func:`disclosure.cell_centre` is a function) in one integer
        that sorts as the centres sort."""
        rows = np.floor(lat.to_numpy() / self.degrees).astype(np.int64) + _HALF
        cols = np.floor(lon.to_numpy() / self.degrees).astype(np.int64) + _HALF
        if rows.size:
            low, high = min(rows.min(), cols.min()), max(rows.max(), cols.max())
            if low < 0 or high >= 2 * _HALF:
                raise ValueError("coordinates outside the grid")
        return rows * (2 * _HALF) + cols

    def _centres(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centres (``cell_lat``, ``cell_lon``) of cells: the numbers
        :func:`disclosure.cell_centre` gives for any point in them."""
        rows = (keys // (2 * _HALF) - _HALF).astype("float64")
        cols = (keys % (2 * _HALF) - _HALF).astype("float64")
        d = self.degrees
        return np.round(rows * d + d / 2, 6), np.round(cols * d + d / 2, 6)

    def result(self) -> Tally:
        """The :class:`Tally` :func:`prp.events.disclosure.tally_chunks` gives."""
        n_states = len(self.states)
        totals = pd.DataFrame(
            {
                "state": [*self.states, TOTAL],
                "events": np.append(self.by_state, self.events).astype("int64"),
            }
        )
        crosstabs = {}
        for name in TABLES:
            cats = self.categories[name]
            counts = self.tables[name]
            crosstabs[name] = pd.DataFrame(
                {
                    "state": [s for s in self.states for _ in cats] + [TOTAL] * len(cats),
                    "category": cats * n_states + cats,
                    "events": np.concatenate([counts.ravel(), counts.sum(axis=0)]).astype("int64"),
                }
            )
        if self.cells:
            keys, where = np.unique(np.concatenate([k for k, _ in self.cells]), return_inverse=True)
            counts = np.bincount(where, weights=np.concatenate([c for _, c in self.cells]))
            lat, lon = self._centres(keys)
            cells = pd.DataFrame(
                {"cell_lat": lat, "cell_lon": lon, "events": counts.astype("int64")}
            )
            pairs = np.unique(np.concatenate(self.members))
            cell, state = pairs // n_states, pairs % n_states
            rank = np.argsort(np.argsort(np.array(self.states, dtype=object), kind="stable"))
            order = np.lexsort((rank[state], cell))
            lat, lon = self._centres(cell[order])
            members = pd.DataFrame(
                {
                    "cell_lat": lat,
                    "cell_lon": lon,
                    "state": np.array(self.states, dtype=object)[state[order]],
                }
            )
        else:
            cells = pd.DataFrame(
                {
                    "cell_lat": np.empty(0),
                    "cell_lon": np.empty(0),
                    "events": np.empty(0, dtype="int64"),
                }
            )
            members = pd.DataFrame(
                {"cell_lat": np.empty(0), "cell_lon": np.empty(0), "state": np.empty(0, object)}
            )
        out = Tally(
            totals=totals,
            crosstabs=crosstabs,
            cells=cells,
            members=members,
            first=self.first,
            last=self.last,
        )
        if self.fallback is not None:
            out = out.merge(self.fallback) if self.events else self.fallback
        return out


class RailCounts:
    """The events beside each rail segment and the (segment, state) and
    (segment, grid cell) pairs they make, as ``release_aggregates.Along``
    collects them: the same nearest-segment assignment
    (:class:`prp.data.rail.Assigner`), counted with numpy."""

    def __init__(self, assigner: Any, degrees: float) -> None:
        self.assigner = assigner
        self.degrees = degrees
        self.counts = np.zeros(len(assigner.ids), dtype=np.int64)
        self.pairs_state: set[tuple[int, str]] = set()
        self.pairs_cell: set[tuple[int, float, float]] = set()

    def add(self, batch: pa.RecordBatch) -> None:
        self.merge(self.count(batch))

    def count(self, batch: pa.RecordBatch) -> tuple[np.ndarray, list[Any], list[Any]]:
        """The counts and pairs of one batch, apart (see :meth:`merge`)."""
        lon = batch.column("longitude").to_numpy(zero_copy_only=False)
        lat = batch.column("latitude").to_numpy(zero_copy_only=False)
        seg = self.assigner.indices(lon, lat)
        beside = seg >= 0
        counts = np.bincount(seg[beside], minlength=len(self.counts))
        if not beside.any():
            return counts, [], []
        rows = np.flatnonzero(beside)
        near = pa.table(
            {
                "segment": seg[rows],
                "state": batch.column("state").take(pa.array(rows)),
                "cell_lat": disclosure.cell_centre(lat[rows], self.degrees),
                "cell_lon": disclosure.cell_centre(lon[rows], self.degrees),
            }
        )
        by_state = near.group_by(["segment", "state"]).aggregate([])
        by_cell = near.group_by(["segment", "cell_lat", "cell_lon"]).aggregate([])
        return (
            counts,
            list(zip(by_state["segment"].to_pylist(), by_state["state"].to_pylist(), strict=True)),
            list(
                zip(
                    by_cell["segment"].to_pylist(),
                    by_cell["cell_lat"].to_pylist(),
                    by_cell["cell_lon"].to_pylist(),
                    strict=True,
                )
            ),
        )

    def merge(self, part: tuple[np.ndarray, list[Any], list[Any]]) -> None:
        counts, pairs_state, pairs_cell = part
        self.counts += counts
        self.pairs_state.update(pairs_state)
        self.pairs_cell.update(pairs_cell)

    def table(self) -> pd.DataFrame:
        """Events per segment (``segment``, ``events``), as along_track.count."""
        return pd.DataFrame({"segment": list(self.assigner.ids), "events": self.counts})

    def splits(self) -> tuple[set[tuple[Any, Any]], set[tuple[Any, Any]]]:
        """The audit keys of along_track.splits."""
        from prp.events.along_track import TABLE

        ids = self.assigner.ids
        by_state = {
            ((TABLE, str(ids[s])), (STATE_TOTALS, str(state))) for s, state in self.pairs_state
        }
        by_cell = {
            ((TABLE, str(ids[s])), (GRID, round(float(lat), 6), round(float(lon), 6)))
            for s, lat, lon in self.pairs_cell
        }
        return by_state, by_cell
