"""Dataset checks that a Table Schema cannot express, declared per resource
under ``x-checks`` in the data package and run by the validate rule after the
schema checks:

``parts_within_total``  {parts: [a, b], total: c}
    on every row, a + b <= c (children and family units within the total).
``sum_matches``         {column, group_by: [..],
                        reference: {resource, column, key: [..], filter: {..}}}
    the column summed per group equals the reference dataset's value for that
    group (months add up to the published yearly total).
``points_in_state``     {latitude, longitude, state, geometry, tolerance_km}
    each point lies inside its state's polygon, within a tolerance for the
    simplified coastline and borders (so a point in Guatemala, or in the sea,
    is caught even inside Mexico's bounding box).

Each failure raises :class:`prp.data.errors.InputError` naming file, row, column,
value and what was expected. Rows are named from the frame's index (row
position in the file), so the row-wise checks run chunk by chunk on a
streamed file (:class:`ChunkedChecks`) and name the same rows.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prp.data.errors import InputError

KM_PER_DEGREE = 111.0


ROW_WISE = frozenset({"parts_within_total", "points_in_state"})
"""Checks that look at one row at a time, and so can run chunk by chunk."""


def _line(pos: int) -> int:
    return int(pos) + 2


def parts_within_total(path: Path, df: pd.DataFrame, spec: Mapping[str, Any]) -> None:
    parts = df[list(spec["parts"])].astype("float64").sum(axis=1)
    total = df[spec["total"]].astype("float64")
    bad = (parts > total).to_numpy()
    if bad.any():
        i = int(bad.nonzero()[0][0])
        names = " + ".join(spec["parts"])
        raise InputError(
            path,
            f"{names} = {parts.iloc[i]:,.0f} exceeds the total",
            row=_line(df.index[i]),
            column=spec["total"],
            value=df[spec["total"]].iloc[i].item(),
            expected=f"{spec['total']} >= {names}",
            more=int(bad.sum()) - 1,
        )


def sum_matches(
    path: Path, df: pd.DataFrame, spec: Mapping[str, Any], reference: pd.DataFrame, ref_path: str
) -> None:
    ref_spec = spec["reference"]
    ref = reference
    for col, want in (ref_spec.get("filter") or {}).items():
        ref = ref[ref[col].astype(str) == str(want)]
    ref_values = ref.set_index(list(ref_spec["key"]))[ref_spec["column"]].astype("float64")
    groups = df.groupby(list(spec["group_by"]), sort=True)
    for key, group in groups:
        key1 = key if len(spec["group_by"]) > 1 else key[0]
        total = float(group[spec["column"]].astype("float64").sum())
        expected = ref_values.get(key1)
        label = ", ".join(f"{c}={k}" for c, k in zip(spec["group_by"], key, strict=True))
        if expected is None:
            raise InputError(
                path,
                f"no published total for {label} in {ref_path}",
                row=_line(group.index[0]),
                column=spec["column"],
                expected=f"a row of {ref_path} for {label}",
            )
        if abs(total - float(expected)) > 1e-6:
            rows = f"rows {_line(group.index.min())}-{_line(group.index.max())}"
            raise InputError(
                path,
                f"{spec['column']} of {label} ({rows}) adds up to {total:,.0f}",
                row=_line(group.index.min()),
                column=spec["column"],
                value=int(total) if total.is_integer() else total,
                expected=f"{float(expected):,.0f}, the total published in {ref_path}",
            )


def load_states(geometry: str | Path) -> dict[str, Any]:
    """State name -> shapely geometry, from a GeoJSON of Mexico's states."""
    from shapely.geometry import shape

    with open(geometry, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {f["properties"]["state"]: shape(f["geometry"]) for f in features}


def points_in_state(
    path: Path, df: pd.DataFrame, spec: Mapping[str, Any], states: Mapping[str, Any]
) -> None:
    import shapely

    tol = float(spec.get("tolerance_km", 10)) / KM_PER_DEGREE
    lat = df[spec["latitude"]].astype("float64").to_numpy()
    lon = df[spec["longitude"]].astype("float64").to_numpy()
    names = df[spec["state"]].astype(str).to_numpy()
    bad = np.zeros(len(df), dtype=bool)
    for name in pd.unique(names):
        idx = np.flatnonzero(names == name)
        geom = states.get(name)
        if geom is None:
            bad[idx] = True
            continue
        area = shapely.buffer(geom, tol)
        shapely.prepare(area)
        bad[idx] = ~shapely.contains_xy(area, lon[idx], lat[idx])
    if bad.any():
        i = int(bad.nonzero()[0][0])
        inside = [
            s for s, g in states.items() if g.buffer(tol).contains(shapely.Point(lon[i], lat[i]))
        ]
        where = f"inside {inside[0]}" if inside else "outside Mexico"
        raise InputError(
            path,
            f"point ({lat[i]}, {lon[i]}) lies {where}, not in {names[i]}",
            row=_line(df.index[i]),
            column=f"{spec['latitude']},{spec['longitude']}",
            expected=f"coordinates within {spec.get('tolerance_km', 10)} km of {names[i]}",
            more=int(bad.sum()) - 1,
        )


def run_checks(
    path: Path,
    df: pd.DataFrame,
    res: Mapping[str, Any],
    load_reference: Callable[[str], tuple[pd.DataFrame, str]],
) -> None:
    """Run the resource's ``x-checks`` on a whole table; ``load_reference(name)``
    returns a validated reference dataset and its path."""
    checks = ChunkedChecks(path, res, load_reference)
    checks.update(df)
    checks.finish()


def references(res: Mapping[str, Any]) -> list[str]:
    """Resource names and geometry paths a resource's checks read."""
    out: list[str] = []
    for check in res.get("x-checks", []):
        kind, spec = next(iter(check.items()))
        if kind == "sum_matches":
            out.append(spec["reference"]["resource"])
    return out


def geometry_files(res: Mapping[str, Any]) -> list[str]:
    return [
        spec["geometry"]
        for check in res.get("x-checks", [])
        for kind, spec in check.items()
        if kind == "points_in_state"
    ]


def row_wise(res: Mapping[str, Any]) -> bool:
    """Whether every x-check of the resource looks at one row at a time."""
    return all(next(iter(c)) in ROW_WISE for c in res.get("x-checks", []))


class ChunkedChecks:
    """The resource's x-checks run on consecutive chunks of a validated file.

    :meth:`update` runs every check on a chunk and remembers, per check, the
    first failure and how many rows failed; :meth:`finish` raises what
    :func:`run_checks` would have raised on the whole file: the first failing
    check in declared order, at its first failing row, counting its failures
    over all chunks. Checks that need the whole table (``sum_matches``) are
    allowed only when the file comes as one chunk."""

    def __init__(
        self,
        path: Path,
        res: Mapping[str, Any],
        load_reference: Callable[[str], tuple[pd.DataFrame, str]],
    ) -> None:
        self.path, self.res, self.load_reference = path, res, load_reference
        self.checks = [next(iter(c.items())) for c in res.get("x-checks", [])]
        for kind, _ in self.checks:
            if kind not in ROW_WISE | {"sum_matches"}:
                raise ValueError(f"{path}: unknown check {kind!r} in the data package")
        self.first: list[InputError | None] = [None] * len(self.checks)
        self.failed = [0] * len(self.checks)
        self.chunks = 0
        self._states: dict[str, dict[str, Any]] = {}

    def _states_of(self, geometry: str) -> dict[str, Any]:
        if geometry not in self._states:
            self._states[geometry] = load_states(geometry)
        return self._states[geometry]

    def update(self, df: pd.DataFrame) -> None:
        self.chunks += 1
        for n, (kind, spec) in enumerate(self.checks):
            try:
                if kind == "parts_within_total":
                    parts_within_total(self.path, df, spec)
                elif kind == "points_in_state":
                    points_in_state(self.path, df, spec, self._states_of(spec["geometry_path"]))
                else:
                    if self.chunks > 1:
                        raise ValueError(f"{self.path}: {kind} needs the whole table at once")
                    ref, ref_path = self.load_reference(spec["reference"]["resource"])
                    sum_matches(self.path, df, spec, ref, ref_path)
            except InputError as err:
                if self.first[n] is None:
                    self.first[n] = err
                self.failed[n] += err.more + 1

    def finish(self) -> None:
        for err, failed in zip(self.first, self.failed, strict=True):
            if err is not None:
                raise dataclasses.replace(err, more=failed - 1)
