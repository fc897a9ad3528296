"""Figure 3.6 (us-border-map): the six states on the U.S. border."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_us_border_map import STATES, map_places, plot, region_counts

from prp.artifacts import maps
from prp.events.disclosure import TOTAL

GEO = Path(__file__).resolve().parents[2] / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


def totals() -> pd.DataFrame:
    values = {
        "Baja California": 20,
        "Sonora": 26,
        "Chihuahua": 24,
        "Coahuila": None,
        "Nuevo León": 35,
        "Tamaulipas": 208,
        "Chiapas": 100,
    }
    rows = [(s, v, v is None) for s, v in values.items()] + [(TOTAL, 450, False)]
    df = pd.DataFrame(rows, columns=["state", "events", "suppressed"])
    df["events"] = df["events"].astype("Int64")
    return df


def test_region_is_the_six_border_states_west_to_east():
    data = region_counts(totals(), 5)
    assert data["state"].tolist() == [
        "Baja California",
        "Sonora",
        "Chihuahua",
        "Coahuila",
        "Nuevo León",
        "Tamaulipas",
    ]
    assert data.set_index("state").loc["Coahuila", "shown"] == "withheld"
    with pytest.raises(ValueError, match="no released count"):
        region_counts(totals()[lambda d: d["state"] != "Sonora"], 5)


def test_map_shows_the_northern_crossings_and_state_counts():
    layers = maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        pd.read_csv(GEO / "places.csv"),
    )
    places = map_places(layers.places)
    assert set(places["kind"]) == {"border_crossing"} and set(places["state"]) <= set(STATES)
    assert len(places) == 8
    grid = pd.DataFrame(
        {
            "cell_lat": [26.25, 14.75],
            "cell_lon": [-98.25, -92.25],
            "events": pd.array([50, 40], dtype="Int64"),
            "suppressed": [False, False],
        }
    )
    fig, ax, drawn = plot(region_counts(totals(), 5), grid, places, layers, 0.5, 5)
    assert ax.extent_name == "us_border"
    assert drawn["cell_lat"].tolist() == [26.25]
    texts = [t.get_text() for t in ax.texts]
    assert "Tamaulipas\n208" in texts and "Coahuila\nwithheld" in texts and "Nuevo Laredo" in texts
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert "Border crossing" in legend and "withheld" not in legend  # no withheld cell drawn
    plt.close(fig)
