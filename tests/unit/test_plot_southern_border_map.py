"""Figure 3.5 (southern-border-map): the southern border region."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_southern_border_map import STATES, map_places, plot, region_counts

from prp.artifacts import maps, regions
from prp.events.disclosure import TOTAL

GEO = Path(__file__).resolve().parents[2] / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


@pytest.fixture(scope="module")
def layers():
    return maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        pd.read_csv(GEO / "places.csv"),
    )


def totals(campeche=10) -> pd.DataFrame:
    values = {
        "Chiapas": 162,
        "Tabasco": 96,
        "Oaxaca": 127,
        "Veracruz": 71,
        "Campeche": campeche,
        "Sonora": 20,
    }
    rows = [(s, v, v is None) for s, v in values.items()] + [(TOTAL, 500, False)]
    df = pd.DataFrame(rows, columns=["state", "events", "suppressed"])
    df["events"] = df["events"].astype("Int64")
    return df


def test_region_is_the_five_southern_states_with_withheld_shown_below_k():
    data = region_counts(totals(campeche=None), 5)
    assert data["state"].tolist() == ["Chiapas", "Tabasco", "Oaxaca", "Veracruz", "Campeche"]
    assert data["shown"].tolist() == ["162", "96", "127", "71", "<5"]


def test_places_are_the_southern_crossings_tapachula_and_la_arrocera(layers):
    places = map_places(layers.places)
    crossings = places[places["kind"] == "border_crossing"]
    assert set(crossings["state"]) <= {"Chiapas", "Tabasco", "Quintana Roo"}
    assert {"Ciudad Hidalgo", "Talismán", "El Ceibo"} <= set(crossings["place"])
    assert {"Tapachula", "La Arrocera"} <= set(places["place"])
    assert places.loc[places["place"] == "La Arrocera", "kind"].item() == "checkpoint"
    assert "Tijuana" not in set(places["place"])


def test_map_frames_the_south_and_draws_only_cells_that_touch_the_region(layers):
    grid = pd.DataFrame(
        {
            "cell_lat": [14.75, 15.25, 31.75],
            "cell_lon": [-92.25, -92.75, -106.25],
            "events": pd.array([44, None, 30], dtype="Int64"),
            "suppressed": [False, True, False],
        }
    )
    fig, ax, drawn = plot(
        region_counts(totals(), 5), grid, map_places(layers.places), layers, 0.5, 5
    )
    assert ax.extent_name == "southern_border"
    assert drawn["cell_lat"].tolist() == [14.75, 15.25]
    texts = [t.get_text() for t in ax.texts]
    assert "Chiapas\n162" in texts and "Tapachula" in texts and "La Arrocera" in texts
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert "Railroad out of service (walked)" in legend and "Checkpoint area" in legend
    assert "<5" in legend
    plt.close(fig)
    assert set(STATES) == set(regions.SOUTHERN_STATES)
