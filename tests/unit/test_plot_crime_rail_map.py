"""Figure 3.2 (crime-rail-map): released counts per rail segment, drawn on
the Natural Earth network, with two enlargements."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_crime_rail_map import NO_EVENTS, PANELS, plot, segment_classes, share_sentence

from prp.artifacts import layout, maps
from prp.events.along_track import ALL_SEGMENTS

GEO = Path(__file__).resolve().parents[2] / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


def layers() -> maps.Layers:
    return maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        pd.read_csv(GEO / "places.csv"),
    )


def along() -> pd.DataFrame:
    """Every Mexican segment: a few with events (one withheld), the rest 0."""
    ids = [
        f["properties"]["segment"]
        for f in json.loads((GEO / "rail_segments.geojson").read_text())["features"]
        if f["properties"]["country"] == "MEX"
    ]
    events = {"83606.24": 44, "83606.10": None, "83606.11": None, "72706.01": 60, "73406.05": 7}
    rows = [(s, events.get(s, 0)) for s in ids] + [(ALL_SEGMENTS, 120)]
    df = pd.DataFrame(rows, columns=["segment", "events"])
    df["events"] = df["events"].astype("Int64")
    df["suppressed"] = df["events"].isna()
    return df


def test_classes_from_k_withheld_below_k_and_zero_segments_apart():
    seg, bins, near = segment_classes(along(), 5)
    assert bins == [5, 10, 25, 50, 100] and near == 120
    by = seg.set_index("segment")["class"]
    assert by["83606.24"] == "25–49" and by["83606.10"] == "withheld" and by["73406.05"] == "5–9"
    assert (seg["class"] == NO_EVENTS).sum() == len(seg) - 5
    assert ALL_SEGMENTS not in set(seg["segment"])


def test_a_withheld_total_row_is_refused():
    df = along()
    df.loc[df["segment"] == ALL_SEGMENTS, ["events", "suppressed"]] = [pd.NA, True]
    with pytest.raises(ValueError, match="total"):
        segment_classes(df, 5)


def test_share_sentence_reads_the_released_numbers():
    assert share_sentence(802, 1000, 10) == (
        "802 of the 1,000 events (80%) lie within 10 km of a railroad."
    )


def test_three_maps_draw_the_network_counts_and_a_legend_clear_of_the_maps():
    seg, bins, _ = segment_classes(along(), 5)
    fig, axes = plot(seg, bins, layers(), 5, 10)
    assert set(axes) == set(PANELS)
    for name, ax in axes.items():
        assert ax.projection == maps.projection() and ax.extent_name == name
        data = [a for a in ax.artists + ax.collections if a.get_gid() == "data"]
        assert data, name  # the coloured and withheld segments
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["withheld", "5–9"] and NO_EVENTS in legend
    assert "10 km of the track" in fig.legends[0].get_title().get_text()
    assert layout.problems(fig, list(axes.values())) == []
    plt.close(fig)


def test_every_labelled_place_lies_inside_its_map_with_a_margin():
    seg, bins, _ = segment_classes(along(), 5)
    lay = layers()
    fig, axes = plot(seg, bins, lay, 5, 10)
    from shapely.geometry import Point

    places = lay.places.set_index("place")
    for extent, (_, names) in PANELS.items():
        labelled = {t.get_text() for t in axes[extent].texts if t.get_gid() == "label"}
        assert labelled == set(names), extent
        for n in names:
            where = Point(float(places.at[n, "lon"]), float(places.at[n, "lat"]))
            assert layout.margin_in(axes[extent], where) >= 0.1, (extent, n)
    plt.close(fig)
