"""The shared map module (prp.artifacts.maps): one projection, fixed extents, offline
cartopy, classes and the greyscale-legible ramp."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from prp.artifacts import maps, regions, style

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path / "cartopy"))
    return tmp_path / "cartopy"


@pytest.fixture(scope="module")
def layers() -> maps.Layers:
    places = pd.read_csv(GEO / "places.csv")
    return maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        places,
    )


def test_one_lambert_conformal_projection_centred_on_mexico():
    import cartopy.crs as ccrs

    p = maps.projection()
    assert isinstance(p, ccrs.LambertConformal)
    params = p.proj4_params
    assert params["lon_0"] == -102.0
    assert (params["lat_1"], params["lat_2"]) == (17.5, 29.5)
    assert maps.projection() is p


def test_geo_inputs_come_from_the_data_package():
    paths = maps.geo_inputs(ROOT / "data")
    assert Path(paths["mexico_states"]).name == "mexico_states.geojson"
    assert all(Path(p).exists() for p in paths.values())


def test_layers_hold_32_states_the_neighbours_and_the_rail_network(layers):
    assert len(layers.states) == 32
    assert {"Mexico", "United States", "Guatemala", "Belize"} <= set(layers.countries)
    assert len(layers.rails) > 700  # Natural Earth's lines in segments of at most 20 km
    assert {props["status"] for props, _ in layers.rails} == {"in_service", "out_of_service"}


@pytest.mark.parametrize(
    "extent,states",
    [
        ("national", None),
        ("southern_border", regions.SOUTHERN_STATES),
        ("us_border", regions.US_BORDER_STATES),
    ],
)
def test_each_extent_frames_its_states(layers, extent, states):
    import matplotlib.pyplot as plt
    from shapely.ops import unary_union

    region = unary_union([g for s, g in layers.states.items() if states is None or s in states])
    fig, ax = maps.new_map(extent)
    lon0, lon1, lat0, lat1 = maps.frame_extent(ax)
    plt.close(fig)
    minx, miny, maxx, maxy = region.bounds
    assert lon0 <= minx and maxx <= lon1 and lat0 <= miny and maxy <= lat1
    # and the frame is not much larger than the region (no wasted page)
    assert (lon1 - lon0) < (maxx - minx) + 8 and (lat1 - lat0) < (maxy - miny) + 4


def test_new_map_uses_the_projection_and_keeps_its_frame(offline):
    import matplotlib.pyplot as plt

    fig, ax = maps.new_map("southern_border")
    assert ax.projection == maps.projection()
    assert ax.extent_name == "southern_border"
    before = maps.frame_extent(ax)
    lon0, lon1, lat0, lat1 = maps.EXTENTS["southern_border"]
    assert before[0] <= lon0 and before[1] >= lon1 and before[2] <= lat0 and before[3] >= lat1
    ax.plot([-110.0], [30.0], "o", transform=maps.lonlat())  # far outside the frame
    assert maps.frame_extent(ax) == before
    plt.close(fig)
    maps.assert_offline(offline)


def test_map_size_follows_the_aspect_of_the_frame():
    w, h = maps.map_size("us_border")
    w2, h2 = maps.map_size("southern_border")
    assert w == w2 == style.WIDTH_IN == 6.2  # the PDF's text width: drawn at print size
    assert h < h2  # the border strip is wider than tall; the south is squarer


def test_cartopy_is_offline_and_any_write_is_caught(offline):
    import cartopy

    folder = maps.configure_cartopy()
    assert folder == offline
    assert Path(cartopy.config["data_dir"]) == offline
    assert cartopy.config["downloaders"] == {}
    maps.assert_offline(folder)
    (folder / "shapefiles").mkdir()
    (folder / "shapefiles" / "ne.shp").write_text("x")
    with pytest.raises(RuntimeError, match="cartopy wrote data"):
        maps.assert_offline(folder)


def test_no_natural_earth_features_in_map_code():
    sources = [
        ROOT / "scripts" / "prp" / "artifacts" / "maps.py",
        *(ROOT / "scripts").glob("plot_*map*.py"),
    ]
    assert len(sources) >= 5
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"\.coastlines\(|cartopy\.feature|cfeature|NaturalEarthFeature|stock_img", text
        ), path


def test_classes_start_at_k_and_close_above_the_maximum():
    assert maps.class_bins(208) == [5, 10, 25, 50, 100, 250]
    assert maps.class_bins(9) == [5, 10]
    assert maps.class_labels([5, 10, 25]) == ["5–9", "10–24"]
    assert [maps.class_of(v, [5, 10, 25]) for v in (5, 9, 10, 24)] == [0, 0, 1, 1]
    with pytest.raises(ValueError):
        maps.class_of(4, [5, 10, 25])
    with pytest.raises(ValueError):
        maps.class_of(25, [5, 10, 25])


def test_ramp_darkens_monotonically_so_greyscale_keeps_the_order():
    from matplotlib.colors import to_rgb

    def luminance(hex_colour):
        r, g, b = to_rgb(hex_colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lum = [luminance(c) for c in maps.ramp(6)]
    assert all(a > b for a, b in zip(lum, lum[1:], strict=False))
    assert lum[0] - lum[-1] > 0.5


def test_withheld_states_are_hatched_and_labelled_in_the_legend(layers):
    import matplotlib.pyplot as plt

    fig, ax = maps.new_map("national")
    maps.choropleth(
        ax,
        layers,
        {"Chiapas": 162, "Colima": None, "Tabasco": 0},
        [5, 10, 25, 50, 100, 250],
        states=["Chiapas", "Colima", "Tabasco"],
    )
    hatches = [c.get_hatch() for c in ax.collections]
    assert hatches.count(maps.SUPPRESSED_HATCH) == 1
    handles = maps.count_legend_handles([5, 10, 25], "<5")
    assert [h.get_label() for h in handles] == ["<5", "5–9", "10–24"]
    assert handles[0].get_hatch() == maps.SUPPRESSED_HATCH
    assert [h.get_label() for h in maps.count_legend_handles([5, 10], None)] == ["5–9"]
    plt.close(fig)


def test_grid_cells_within_a_region_keep_only_touching_cells(layers):
    import matplotlib.pyplot as plt

    cells = pd.DataFrame(
        {
            "cell_lat": [14.75, 31.75],
            "cell_lon": [-92.25, -106.25],
            "events": pd.array([12, pd.NA], dtype="Int64"),
            "suppressed": [False, True],
        }
    )
    fig, ax = maps.new_map("southern_border")
    drawn = maps.grid_cells(ax, cells, 0.5, [5, 10, 25], within=["Chiapas"], layers=layers)
    assert drawn["cell_lat"].tolist() == [14.75]
    fig2, ax2 = maps.new_map("national")
    drawn2 = maps.grid_cells(ax2, cells, 0.5, [5, 10, 25])
    assert len(drawn2) == 2
    assert [c.get_hatch() for c in ax2.collections].count(maps.SUPPRESSED_HATCH) == 1
    plt.close(fig)
    plt.close(fig2)


def test_places_markers_by_kind_and_labels_only_where_asked(layers):
    import matplotlib.pyplot as plt

    fig, ax = maps.new_map("southern_border")
    sub = layers.places[layers.places["place"].isin(["Tapachula", "La Arrocera", "Talismán"])]
    maps.draw_places(ax, sub)
    assert len(ax.texts) == 0
    maps.label_places(ax, sub, ["Tapachula"])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["Tapachula"] and ax.texts[0].get_gid() == "label"
    markers = sorted(line.get_marker() for line in ax.lines)
    assert markers == sorted(["o", "^", "X"])
    plt.close(fig)
    assert np.isfinite(maps.map_size("national")[1])
