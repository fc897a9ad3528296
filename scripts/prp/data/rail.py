"""Mexico's rail network for the maps and for the released counts along it.

The geometry is Natural Earth's 1:10m railroads of Mexico and Guatemala
(``data/geo/ne_10m_railroads_mexico_guatemala.geojson``, public domain): 95
line features, each running between two junctions or a junction and a line
end. :func:`segments` cuts every feature into pieces of at most
:data:`SEGMENT_KM` kilometres (equal pieces per feature, so 10-20 km except
on spurs shorter than that), forcing a cut at the towns in
:data:`CUT_AT`, and flags the pieces of the stretches in
:data:`OUT_OF_SERVICE`. ``derive_geo`` writes them to
``data/geo/rail_segments.geojson``; the maps draw those pieces and
``release_aggregates`` counts the events beside each (:func:`assign`).

Segment ids are ``<Natural Earth uident>.<piece>`` (pieces numbered from the
feature's first vertex), so each id points back to its source feature.

Distances are measured in the maps' Lambert conformal conic projection
(standard parallels 17.5 and 29.5 N), whose scale differs from true by less
than 2 % anywhere in Mexico.
"""

from __future__ import annotations

import heapq
import json
import math
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LineString, Point
from shapely.ops import substring

SEGMENT_KM = 20.0
"""Longest segment along the track."""

SEGMENTED = ("MEX",)
"""Countries (Natural Earth ``sov_a3``) whose lines are cut into counted
segments; lines of other countries are kept whole and never counted."""

CUT_AT = ("Arriaga",)
"""Towns at which the line is always cut (where a stretch changes status)."""

OUT_OF_SERVICE = (("Arriaga", "Ciudad Hidalgo"),)
"""Stretches (between the network points nearest two towns) out of service
in the years the report covers: the Chiapas coast line, broken by Hurricane
Stan in October 2005, whose route migrants walk."""

DECIMALS = 5
"""Coordinates of the written segments, degrees (about 1 m)."""

PROJ = "+proj=lcc +lat_1=17.5 +lat_2=29.5 +lat_0=0 +lon_0=-102 +datum=WGS84 +units=km +no_defs"


@cache
def _transformers() -> tuple[Any, Any]:
    from pyproj import Transformer

    fwd = Transformer.from_crs("EPSG:4326", PROJ, always_xy=True)
    inv = Transformer.from_crs(PROJ, "EPSG:4326", always_xy=True)
    return fwd, inv


def to_km(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Projected coordinates in kilometres."""
    x, y = _transformers()[0].transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def to_lonlat(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformers()[1].transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon, float), np.asarray(lat, float)


def projected(line: LineString) -> LineString:
    xs, ys = to_km(*np.asarray(line.coords).T)
    return LineString(np.c_[xs, ys])


def projected_lines(lines: Sequence[Sequence[Sequence[float]]]) -> list[LineString]:
    """:func:`projected` of many lines (lon, lat vertices) in one call of
    the projection (it works point by point: the same coordinates)."""
    import shapely

    if not lines:
        return []
    coords = [np.asarray(LineString(line).coords, dtype=float) for line in lines]
    x, y = to_km(*np.concatenate(coords).T)
    which = np.repeat(np.arange(len(coords)), [len(c) for c in coords])
    return list(shapely.linestrings(np.c_[x, y], indices=which))


def read_features(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return list(json.load(fh)["features"])


def piece_bounds(length: float, forced: Sequence[float], segment_km: float) -> list[float]:
    """Cut positions along a line of ``length`` km: its ends, the ``forced``
    positions, and equal pieces of at most ``segment_km`` between them."""
    stops = sorted({0.0, length, *(f for f in forced if 0.0 < f < length)})
    out = [0.0]
    for a, b in zip(stops[:-1], stops[1:], strict=True):
        n = max(1, math.ceil((b - a) / segment_km - 1e-9))
        out += [a + (b - a) * i / n for i in range(1, n + 1)]
    return out


def _lonlat_line(line_km: LineString) -> list[list[float]]:
    lon, lat = to_lonlat(*np.asarray(line_km.coords).T)
    coords = [
        [round(float(a), DECIMALS), round(float(b), DECIMALS)]
        for a, b in zip(lon, lat, strict=True)
    ]
    dedup = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
    return dedup if len(dedup) > 1 else [coords[0], coords[-1]]


def _shortest_path(edges: Sequence[tuple[tuple, tuple, float]], a: tuple, b: tuple) -> set[int]:
    """Indices of the edges on the shortest path from node ``a`` to ``b``."""
    adj: dict[tuple, list[tuple[tuple, float, int]]] = {}
    for i, (u, v, w) in enumerate(edges):
        adj.setdefault(u, []).append((v, w, i))
        adj.setdefault(v, []).append((u, w, i))
    dist, back = {a: 0.0}, {}
    heap = [(0.0, a)]
    while heap:
        d, u = heapq.heappop(heap)
        if u == b:
            break
        if d > dist.get(u, math.inf):
            continue
        for v, w, i in adj.get(u, []):
            if d + w < dist.get(v, math.inf):
                dist[v], back[v] = d + w, (u, i)
                heapq.heappush(heap, (d + w, v))
    if b not in dist:
        raise ValueError(f"no path along the network between {a} and {b}")
    path, node = set(), b
    while node != a:
        node, i = back[node]
        path.add(i)
    return path


def segments(
    features: Sequence[Mapping[str, Any]],
    towns: Mapping[str, tuple[float, float]],
    segment_km: float = SEGMENT_KM,
    cut_at: Sequence[str] = CUT_AT,
    out_of_service: Sequence[tuple[str, str]] = OUT_OF_SERVICE,
) -> list[dict[str, Any]]:
    """GeoJSON features of the network's segments (properties ``segment``,
    ``feature``, ``country``, ``length_km``, ``status``), sorted by id.
    ``towns`` gives (lon, lat) of the towns named in ``cut_at`` and
    ``out_of_service``."""
    cut_points = [Point(*to_km(*towns[t])) for t in cut_at]
    pieces: list[dict[str, Any]] = []
    for f in sorted(features, key=lambda f: int(f["properties"]["uident"])):
        props = f["properties"]
        line = projected(LineString(f["geometry"]["coordinates"]))
        country = str(props["sov_a3"])
        if country in SEGMENTED:
            forced = [line.project(p) for p in cut_points if line.distance(p) < 5.0]
            bounds = piece_bounds(line.length, forced, segment_km)
        else:
            bounds = [0.0, line.length]
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True), start=1):
            part = substring(line, a, b)
            pieces.append(
                {
                    "id": f"{int(props['uident'])}.{i:02d}",
                    "feature": int(props["uident"]),
                    "country": country,
                    "km": part,
                }
            )
    status = ["in_service"] * len(pieces)
    ends = [(p["km"].coords[0], p["km"].coords[-1]) for p in pieces]
    nodes = sorted({tuple(np.round(e, 3)) for pair in ends for e in pair})
    node_xy = np.array(nodes)

    def nearest_node(town: str) -> tuple:
        x, y = to_km(*towns[town])
        d = np.hypot(node_xy[:, 0] - x, node_xy[:, 1] - y)
        return nodes[int(np.argmin(d))]

    graph = [
        (tuple(np.round(s, 3)), tuple(np.round(e, 3)), p["km"].length)
        for (s, e), p in zip(ends, pieces, strict=True)
    ]
    for town_a, town_b in out_of_service:
        for i in _shortest_path(graph, nearest_node(town_a), nearest_node(town_b)):
            status[i] = "out_of_service"
    out = []
    for p, s in zip(pieces, status, strict=True):
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "segment": p["id"],
                    "feature": p["feature"],
                    "country": p["country"],
                    "length_km": round(float(p["km"].length), 2),
                    "status": s,
                },
                "geometry": {"type": "LineString", "coordinates": _lonlat_line(p["km"])},
            }
        )
    return out


# --------------------------------------------------------------------------
# events beside the track


def counted(features: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The segments events are counted on (those of :data:`SEGMENTED`), by id."""
    keep = [f for f in features if f["properties"]["country"] in SEGMENTED]
    return sorted(keep, key=lambda f: f["properties"]["segment"])


class NearestGrid:
    """Which segment is nearest to a point, decided in numpy where the answer
    is certain, so that GEOS (:meth:`Assigner.indices`) is asked only about
    the few points where it is not.

    The plane is cut into square cells of ``cell_km``. For each cell met,
    the pieces of track (consecutive vertices of the segments) that can be
    nearest to a point of the cell, or within the buffer of one, are found
    once: those within ``dmin + 2h`` of the cell's centre, where ``dmin`` is
    the distance from the centre to the nearest piece and ``h`` the cell's
    half-diagonal (a point of the cell is within ``h`` of the centre). A
    point's distance to each of its cell's pieces is then computed exactly,
    as GEOS computes a point's distance to a line (the least distance to its
    pieces). The point is decided here only when the answer holds by more
    than :attr:`EPS` (1 mm): its nearest segment is nearer than any other
    segment by more than EPS and lies within the buffer by more than EPS, or
    no segment comes within the buffer plus EPS. Ties (a point nearest to a
    vertex two segments share) and points on the buffer's edge are left to
    GEOS, whose choice among tied segments is its own. Rounding differs from
    GEOS's by about 1e-12 km, so a decision made here is GEOS's decision.

    A cell whose pieces all belong to one segment, with the farthest point
    of the cell within the buffer of it (``dmin + h`` less than the buffer
    by more than MARGIN), decides all its points at once: every other
    segment is farther than ``dmin + 2h + MARGIN`` from the centre, so from
    any of its points more than MARGIN farther than this one.
    """

    EPS = 1e-6
    """km: answers closer than this are left to GEOS."""
    MARGIN = 1e-3
    """km: slack of the pruning of pieces (far above any rounding)."""

    def __init__(self, lines: Sequence[LineString], buffer_km: float, cell_km: float = 1.0):
        import shapely

        coords = [np.asarray(line.coords, dtype=float) for line in lines]
        self.owner = np.concatenate(
            [np.full(len(c) - 1, i, dtype=np.int64) for i, c in enumerate(coords)]
        )
        start = np.concatenate([c[:-1] for c in coords])
        end = np.concatenate([c[1:] for c in coords])
        self.ax, self.ay = start[:, 0], start[:, 1]
        self.dx, self.dy = end[:, 0] - start[:, 0], end[:, 1] - start[:, 1]
        self.len2 = self.dx * self.dx + self.dy * self.dy
        self.pieces = shapely.STRtree(shapely.linestrings(np.stack([start, end], axis=1)))
        self.buffer_km = float(buffer_km)
        self.cell_km = float(cell_km)
        self.half = self.cell_km * math.sqrt(2) / 2
        # cells met so far (sorted keys) -> their pieces, flat
        self.keys = np.empty(0, dtype=np.int64)
        self.first = np.empty(0, dtype=np.int64)
        self.count = np.empty(0, dtype=np.int64)
        self.sole = np.empty(0, dtype=np.int64)
        self.flat = np.empty(0, dtype=np.int64)
        self.lock = threading.Lock()

    def distance(self, x: np.ndarray, y: np.ndarray, piece: np.ndarray) -> np.ndarray:
        """Distance from each point to a piece of track (km)."""
        rx, ry = x - self.ax[piece], y - self.ay[piece]
        dx, dy, len2 = self.dx[piece], self.dy[piece], self.len2[piece]
        along = np.divide(rx * dx + ry * dy, len2, out=np.zeros_like(len2), where=len2 > 0)
        t = np.clip(along, 0.0, 1.0)
        return np.hypot(rx - t * dx, ry - t * dy)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ix = np.floor(x / self.cell_km).astype(np.int64)
        iy = np.floor(y / self.cell_km).astype(np.int64)
        return (ix + (1 << 24)) * (1 << 25) + (iy + (1 << 24)), ix, iy

    def _learn(self, keys: np.ndarray) -> None:
        """The pieces of the cells ``keys`` (sorted, not yet known)."""
        import shapely

        ix = keys // (1 << 25) - (1 << 24)
        iy = keys % (1 << 25) - (1 << 24)
        cx, cy = (ix + 0.5) * self.cell_km, (iy + 0.5) * self.cell_km
        reach = self.buffer_km + self.half + self.MARGIN
        cell, piece = self.pieces.query(shapely.points(cx, cy), predicate="dwithin", distance=reach)
        d = self.distance(cx[cell], cy[cell], piece)
        dmin = np.full(len(keys), np.inf)
        np.minimum.at(dmin, cell, d)
        bound = np.minimum(dmin[cell] + 2 * self.half, self.buffer_km + self.half)
        keep = d <= bound + self.MARGIN
        cell, piece = cell[keep], piece[keep]
        order = np.argsort(cell, kind="stable")
        count = np.bincount(cell, minlength=len(keys))
        first = len(self.flat) + np.cumsum(count) - count
        # cells decided whole: one segment, within the buffer from every point
        owner = self.owner[piece]
        low = np.full(len(keys), np.iinfo(np.int64).max)
        high = np.full(len(keys), -1)
        np.minimum.at(low, cell, owner)
        np.maximum.at(high, cell, owner)
        whole = (count > 0) & (low == high) & (dmin + self.half < self.buffer_km - self.MARGIN)
        sole = np.where(whole, high, -1)
        self.flat = np.concatenate([self.flat, piece[order]])
        keys = np.concatenate([self.keys, keys])
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.first = np.concatenate([self.first, first])[order]
        self.count = np.concatenate([self.count, count])[order]
        self.sole = np.concatenate([self.sole, sole])[order]

    def decide(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(segment of each point, -1 beside none; whether it is left open).
        Safe to call from several threads: the cells are learnt under a
        lock, and learning replaces the arrays rather than changing them."""
        keys = self._cells(x, y)[0]
        with self.lock:
            new = np.setdiff1d(np.unique(keys), self.keys, assume_unique=True)
            if new.size:
                self._learn(new)
            known, firsts, counts, soles = self.keys, self.first, self.count, self.sole
            flat = self.flat
        where = np.searchsorted(known, keys)
        first, count, sole = firsts[where], counts[where], soles[where]
        segment = sole.copy()  # -1 where the cell is not decided whole
        open_ = np.zeros(len(x), dtype=bool)
        # the points left: no track within the buffer (count 0), or decided whole
        points = np.flatnonzero((count > 0) & (sole < 0))
        if not points.size:
            return segment, open_
        n = count[points]
        starts = np.cumsum(n) - n
        point = np.repeat(points, n)
        piece = flat[np.repeat(first[points] - starts, n) + np.arange(int(n.sum()))]
        d = self.distance(x[point], y[point], piece)
        owner = self.owner[piece]
        d1 = np.minimum.reduceat(d, starts)
        nearest = np.where(d == np.repeat(d1, n), owner, np.iinfo(np.int64).max)
        seg1 = np.minimum.reduceat(nearest, starts)
        others = np.where(owner != np.repeat(seg1, n), d, np.inf)
        d2 = np.minimum.reduceat(others, starts)
        sure = (d1 < self.buffer_km - self.EPS) & (d2 - d1 > self.EPS)
        far = d1 > self.buffer_km + self.EPS
        segment[points[sure]] = seg1[sure]
        open_[points[~sure & ~far]] = True
        return segment, open_


class Assigner:
    """Nearest counted segment within ``buffer_km`` of each point."""

    def __init__(self, features: Sequence[Mapping[str, Any]], buffer_km: float) -> None:
        from shapely import STRtree

        self.features = counted(features)
        self.ids = [str(f["properties"]["segment"]) for f in self.features]
        self.lines = projected_lines([f["geometry"]["coordinates"] for f in self.features])
        self.tree = STRtree(self.lines)
        self.buffer_km = float(buffer_km)
        self.grid = NearestGrid(self.lines, self.buffer_km) if self.lines else None

    def __call__(self, lon: Any, lat: Any) -> np.ndarray:
        """Segment id of each point, or None beyond the buffer."""
        index = self.indices(lon, lat)
        out = np.full(len(index), None, dtype=object)
        beside = index >= 0
        out[beside] = np.asarray(self.ids, dtype=object)[index[beside]]
        return out

    def indices(self, lon: Any, lat: Any) -> np.ndarray:
        """Position in :attr:`ids` of each point's segment, -1 beyond the
        buffer: GEOS's nearest segment (``STRtree.query_nearest``), asked
        only about the points :class:`NearestGrid` leaves open."""
        x, y = to_km(lon, lat)
        if len(x) == 0 or self.grid is None:
            return self.nearest(x, y)
        out, open_ = self.grid.decide(x, y)
        if open_.any():
            out[open_] = self.nearest(x[open_], y[open_])
        return out

    def nearest(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """GEOS's answer for projected points: every point asked."""
        import shapely

        out = np.full(len(x), -1, dtype=np.int64)
        if len(x) == 0:
            return out
        points = shapely.points(x, y)
        (where, which), dist = self.tree.query_nearest(
            points, max_distance=self.buffer_km, return_distance=True, all_matches=False
        )
        out[where] = which
        return out


def assign(
    features: Sequence[Mapping[str, Any]], lon: Any, lat: Any, buffer_km: float
) -> np.ndarray:
    """Segment id of the nearest counted segment within ``buffer_km`` of each
    (lon, lat), None for points farther from the track."""
    return Assigner(features, buffer_km)(lon, lat)


def distance_km(features: Sequence[Mapping[str, Any]], lon: Any, lat: Any) -> np.ndarray:
    """Distance of each point to the nearest counted segment, km."""
    import shapely
    from shapely import STRtree

    lines = [projected(LineString(f["geometry"]["coordinates"])) for f in counted(features)]
    x, y = to_km(lon, lat)
    points = shapely.points(x, y)
    _, dist = STRtree(lines).query_nearest(points, return_distance=True, all_matches=False)
    return np.asarray(dist, float)
