"""Restricted annex: every event as a point (plot_event_points_map)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plot_event_points_map import PANELS, SYMBOLS, plot, points, spiral

from prp.artifacts import maps

GEO = Path(__file__).resolve().parents[2] / "data" / "geo"


@pytest.fixture(autouse=True)
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CARTOPY_DATA_DIR", str(tmp_path))


def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3", "e4"],
            "state": ["Chiapas", "Chiapas", "Chiapas", "Tamaulipas"],
            "municipality": ["Tapachula", "Tapachula", "Tapachula", "Reynosa"],
            "latitude": pd.array([14.90, 14.91, 14.92, 26.09], dtype="Float64"),
            "longitude": pd.array([-92.26, -92.27, -92.25, -98.28], dtype="Float64"),
            "perpetrator_type": [
                "unknown",
                "gang",
                "transnational_criminal_organization",
                "authorities",
            ],
        }
    )


def test_points_rank_each_municipality_by_perpetrator_type():
    p = points(events()).set_index("event_id")
    # TCO at the centre of Tapachula's cluster, then gang, then unknown
    assert p.loc[["e3", "e2", "e1"], "cluster_rank"].tolist() == [0, 1, 2]
    assert p.loc["e4", "cluster_rank"] == 0
    assert p.loc["e1", "cluster_lat"] == pytest.approx(14.91)
    assert p.loc["e2", "perpetrator"] == "Gang"


def test_points_reject_unmapped_types_and_missing_coordinates():
    with pytest.raises(ValueError, match="aliens"):
        points(events().assign(perpetrator_type="aliens"))
    bad = events()
    bad.loc[0, "latitude"] = pd.NA
    with pytest.raises(ValueError, match="coordinates"):
        points(bad)


def test_spiral_starts_at_the_centre_and_keeps_symbols_apart():
    dx, dy = spiral(np.arange(60), 1.0)
    assert (dx[0], dy[0]) == (0.0, 0.0)
    xy = np.c_[dx, dy]
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + np.eye(60) * 99
    assert dist.min() > 0.5


def test_symbols_differ_in_shape_for_greyscale():
    shapes = [m for _, m, _ in SYMBOLS.values()]
    assert len(set(shapes)) == len(shapes) == 6


def test_map_has_three_panels_in_the_report_projection_and_a_legend():
    layers = maps.load_layers(
        GEO / "mexico_states.geojson",
        GEO / "countries.geojson",
        GEO / "rail_segments.geojson",
        pd.read_csv(GEO / "places.csv"),
    )
    fig, axes = plot(points(events()), layers)
    assert list(axes) == [p[0] for p in PANELS]
    for name, ax in axes.items():
        assert ax.projection == maps.projection() and ax.extent_name == name
        drawn = {line.get_gid(): len(line.get_xdata()) for line in ax.lines if line.get_gid()}
        assert drawn == {
            "events-transnational_criminal_organization": 1,
            "events-gang": 1,
            "events-authorities": 1,
            "events-unknown": 1,
        }
    labels = [t.get_text() for t in axes["national"].figure.legends[0].get_texts()]
    assert "TCO (1)" in labels and "Authorities (1)" in labels and "Smuggler (0)" not in labels
