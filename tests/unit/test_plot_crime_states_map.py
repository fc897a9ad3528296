"""Figure 3.3 (crime-states-map): choropleth of released state totals."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_crime_states_map import plot, state_classes

from prp.artifacts import maps
from prp.events.disclosure import TOTAL

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


def totals() -> pd.DataFrame:
    states = pd.read_csv(ROOT / "data" / "raw" / "states.csv", dtype=str)["state"].tolist()
    values = {s: 6 for s in states} | {
        "Tamaulipas": 208,
        "Chiapas": 162,
        "Oaxaca": 127,
        "Tabasco": 96,
        "Veracruz": 71,
        "Colima": None,
        "Nayarit": None,
        "Morelos": 0,
    }
    rows = [(s, values[s], values[s] is None) for s in states]
    rows.append((TOTAL, sum(v or 3 for v in values.values()), False))
    df = pd.DataFrame(rows, columns=["state", "events", "suppressed"])
    df["events"] = df["events"].astype("Int64")
    return df


def test_every_state_gets_a_class_and_withheld_ones_print_below_k():
    data, bins = state_classes(totals(), 5)
    assert len(data) == 32 and TOTAL not in data["state"].tolist()
    by = data.set_index("state")
    assert by.loc["Colima", "class"] == "withheld" and by.loc["Colima", "shown"] == "withheld"
    assert by.loc["Morelos", "class"] == "0"
    assert by.loc["Tamaulipas", "class"] == "100–249" and by.loc["Tamaulipas", "shown"] == "208"
    assert bins[0] == 5 and bins[-1] > 208


def test_map_hatches_withheld_states_and_labels_the_top_five():
    t = totals()
    _, bins = state_classes(t, 5)
    layers = maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        pd.read_csv(GEO / "places.csv"),
    )
    fig, ax = plot(t, bins, layers, 5)
    assert [c.get_hatch() for c in ax.collections].count(maps.SUPPRESSED_HATCH) == 2
    labels = [x.get_text() for x in ax.texts]
    assert labels == [
        "Tamaulipas\n208",
        "Chiapas\n162",
        "Oaxaca\n127",
        "Tabasco\n96",
        "Veracruz\n71",
    ]
    legend = [x.get_text() for x in ax.figure.legends[0].get_texts()]
    assert legend[0] == "withheld" and legend[1] == "5–9"
    plt.close(fig)
