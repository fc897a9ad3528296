"""Figure 3.2 (crime-rail-map): released grid cells over the schematic rails."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_crime_rail_map import LABELS, grid_classes, plot

from prp.artifacts import maps

GEO = Path(__file__).resolve().parents[2] / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


def grid() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cell_lat": [14.75, 15.25, 26.25, 19.75],
            "cell_lon": [-92.25, -92.75, -98.25, -99.25],
            "events": pd.array([44, None, 60, 7], dtype="Int64"),
            "suppressed": [False, True, False, False],
        }
    )


def test_classes_from_k_and_withheld_cells_shown_below_k():
    cells, bins = grid_classes(grid(), 5)
    assert bins == [5, 10, 25, 50, 100]
    assert cells["class"].tolist() == ["25–49", "withheld", "50–99", "5–9"]


def test_map_draws_every_cell_the_rails_and_a_legend():
    cells, bins = grid_classes(grid(), 5)
    layers = maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_corridors.geojson",
        pd.read_csv(GEO / "places.csv"),
    )
    fig, ax = plot(cells, bins, layers, 0.5, 5)
    assert ax.projection == maps.projection() and ax.extent_name == "national"
    hatched = [c for c in ax.collections if c.get_hatch() == maps.SUPPRESSED_HATCH]
    assert len(hatched) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:1] == ["withheld"] and "Rail corridor (schematic)" in legend
    assert ax.get_legend().get_title().get_text() == "Events per 0.5° cell"
    assert {t.get_text() for t in ax.texts} <= set(LABELS)
    plt.close(fig)
