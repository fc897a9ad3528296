"""Restricted numbers (numbers_restricted_events): exact values from the records."""

from __future__ import annotations

import pandas as pd
from numbers_restricted_events import compute, hotspots


def events() -> pd.DataFrame:
    rows = (
        [
            (
                "Tamaulipas",
                "Nuevo Laredo",
                "highway",
                "kidnapping",
                "transnational_criminal_organization",
            )
        ]
        * 5
        + [("Tamaulipas", "Reynosa", "bus", "extortion", "authorities")] * 2
        + [("Chiapas", "Tapachula", "train_or_tracks", "robbery", "gang")] * 2
        + [("Chiapas", "Arriaga", "rural_path", "assault;kidnapping", "unknown")]
    )
    df = pd.DataFrame(
        rows, columns=["state", "municipality", "location_type", "crime_types", "perpetrator_type"]
    )
    df["event_id"] = [f"e{i:02d}" for i in range(len(df))]
    df["event_date"] = pd.date_range("2017-01-01", periods=len(df), freq="7D")
    df["victims"] = pd.array([1, 2] * 5, dtype="Int64")
    df["outlet"] = ["A", "B"] * 5
    return df


def test_exact_values():
    v = compute(events())
    assert v["n_events"] == "10" and v["n_victims"] == "15"
    assert v["n_municipalities"] == "4" and v["n_outlets"] == "2"
    assert v["first_date"] == "1 January 2017"
    assert v["states_half"] == "Tamaulipas" and v["n_states_half"] == "1"
    assert v["states_half_share"] == "70%"
    assert v["kidnapping_events"] == "6" and v["kidnapping_top_state"] == "Tamaulipas"
    assert v["kidnapping_top_state_events"] == "5" and v["kidnapping_tco_share"] == "83%"
    assert v["authorities_events"] == "2" and v["authorities_share"] == "20%"
    assert v["unknown_share"] == "10%" and v["train_events"] == "2"
    assert v["road_events"] == "7" and v["rural_path_events"] == "1"
    assert v["tco_share_tamaulipas"] == "71%" and v["gang_share_chiapas"] == "67%"
    assert v["tamaulipas_leading_place"] == "highways"
    assert v["top_hotspot"] == "Nuevo Laredo, Tamaulipas" and v["top_hotspot_events"] == "5"
    assert v["southern_events"] == "3" and v["us_border_events"] == "7"


def test_hotspots_ranked_by_events_then_name():
    h = hotspots(events(), 3)
    assert h["municipality"].tolist() == ["Nuevo Laredo", "Tapachula", "Reynosa"]  # ties: by state
    assert h["events"].tolist() == [5, 2, 2]
