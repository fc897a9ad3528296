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


class Assigner:
    """Nearest counted segment within ``buffer_km`` of each point."""

    def __init__(self, features: Sequence[Mapping[str, Any]], buffer_km: float) -> None:
        from shapely import STRtree

        self.features = counted(features)
        self.ids = [str(f["properties"]["segment"]) for f in self.features]
        self.lines = [projected(LineString(f["geometry"]["coordinates"])) for f in self.features]
        self.tree = STRtree(self.lines)
        self.buffer_km = float(buffer_km)

    def __call__(self, lon: Any, lat: Any) -> np.ndarray:
        """Segment id of each point, or None beyond the buffer."""
        import shapely

        x, y = to_km(lon, lat)
        out = np.full(len(x), None, dtype=object)
        if len(x) == 0:
            return out
        points = shapely.points(x, y)
        (where, which), dist = self.tree.query_nearest(
            points, max_distance=self.buffer_km, return_distance=True, all_matches=False
        )
        ids = np.asarray(self.ids, dtype=object)
        out[where] = ids[which]
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
