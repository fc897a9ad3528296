"""Every map of the report, drawn from the committed released data: no label
or legend covers data or another text, and every place a map labels and
every state its caption or alt text names lies inside the drawn frame with a
margin (issue 15: Tapachula and the Chiapas coast were cut off, the legend
covered Oaxaca's coast, labels collided)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point

from prp.artifacts import layout, maps

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"
RELEASED = ROOT / "data" / "released"
K = 5
MARGIN_IN = 0.1
STATES = [s for s in pd.read_csv(ROOT / "data" / "raw" / "states.csv")["state"]]


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


def released(name: str) -> pd.DataFrame:
    df = pd.read_csv(
        RELEASED / f"{name}.csv", keep_default_na=False, na_values=[""], dtype={"suppressed": str}
    )
    df["suppressed"] = df["suppressed"].map({"true": True, "false": False}).astype(bool)
    df["events"] = df["events"].astype("Int64")
    if "segment" in df:
        df["segment"] = df["segment"].astype(str)
    return df


def layers() -> maps.Layers:
    return maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        pd.read_csv(GEO / "places.csv"),
    )


def figure(name: str):
    """(figure, map axes, the axes that frames the whole map)."""
    lay = layers()
    if name == "crime-rail-map":
        import plot_crime_rail_map as m

        seg, bins, _ = m.segment_classes(released("events_rail_segments"), K)
        fig, axes = m.plot(seg, bins, lay, K, 10)
        return fig, list(axes.values()), axes["national"]
    if name == "crime-states-map":
        import plot_crime_states_map as m

        totals = released("events_by_state")
        _, bins = m.state_classes(totals, K)
        fig, ax = m.plot(totals, bins, lay, K)
        return fig, [ax], ax
    import plot_southern_border_map as south
    import plot_us_border_map as north

    m = south if name == "southern-border-map" else north
    counts = m.region_counts(released("events_by_state"), K)
    fig, ax, _ = m.plot(counts, released("events_grid"), m.map_places(lay.places), lay, 0.5, K)
    return fig, [ax], ax


MAPS = ["crime-rail-map", "crime-states-map", "southern-border-map", "us-border-map"]


def catalog_text(fig_id: str) -> str:
    for path in (ROOT / "config" / "artifacts").glob("*.yaml"):
        entry = (yaml.safe_load(path.read_text(encoding="utf-8")).get("figures") or {}).get(fig_id)
        if entry:
            return f"{entry['caption']} {entry['alt']}"
    raise KeyError(fig_id)


@pytest.mark.parametrize("name", MAPS)
def test_labels_and_legends_cover_no_data_and_no_other_text(name):
    fig, axes, _ = figure(name)
    assert layout.problems(fig, axes) == []
    plt.close(fig)


@pytest.mark.parametrize("name", MAPS)
def test_every_state_the_caption_names_lies_inside_the_frame(name):
    fig, _, main = figure(name)
    text = catalog_text(name)
    named = [s for s in STATES if re.search(rf"(?<!Ciudad )\b{re.escape(s)}\b", text)]
    if name in ("southern-border-map", "us-border-map"):
        assert named, "the alt text names the region's states"
    states = layers().states
    for s in named:
        assert layout.margin_in(main, states[s]) >= MARGIN_IN, s
    plt.close(fig)


@pytest.mark.parametrize("name", MAPS)
def test_every_labelled_place_and_its_label_lie_inside_the_frame(name):
    fig, axes, _ = figure(name)
    places = layers().places.set_index("place")
    for ax in axes:
        for t in ax.texts:
            if t.get_gid() != "label":
                continue
            p = places.loc[t.get_text()]
            assert layout.margin_in(ax, Point(float(p["lon"]), float(p["lat"]))) >= MARGIN_IN
    assert layout.problems(fig, axes) == []  # includes: no label leaves its map
    plt.close(fig)


def test_the_checks_can_fail():
    """A legend put back on the map and a label pushed onto another one are
    reported, and a state outside the frame has a negative margin."""
    fig, axes, ax = figure("southern-border-map")
    labels = [t for t in ax.texts if t.get_gid() == "label"]
    labels[1].set_position(labels[0].get_position())
    labels[1].xyann = labels[0].xyann
    ax.legend(handles=fig.legends[0].legend_handles, loc="lower left")
    found = layout.problems(fig, axes)
    assert any("overlap" in f for f in found)
    assert any("legend covers data" in f for f in found)
    assert layout.margin_in(ax, layers().states["Sonora"]) < 0
    plt.close(fig)
