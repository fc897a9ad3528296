"""Inline numbers about the event data (namespace events) from released tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from numbers_events import event_numbers, month_name

from prp.artifacts.fmt import english_list

RELEASED = Path(__file__).resolve().parents[2] / "data" / "released"


def read(name: str) -> pd.DataFrame:
    df = pd.read_csv(
        RELEASED / f"{name}.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"suppressed": str, "first_month": str, "last_month": str},
    )
    if "suppressed" in df:
        df["suppressed"] = df["suppressed"].eq("true")
        df["events"] = df["events"].astype("Int64")
    return df


@pytest.fixture(scope="module")
def frames():
    return {
        "totals": read("events_by_state"),
        "location": read("events_by_state_location"),
        "perpetrator": read("events_by_state_perpetrator"),
        "crime": read("events_by_state_crime"),
        "period": read("events_period"),
        "grid": read("events_grid"),
        "rail": read("events_rail_segments"),
    }


def test_helpers():
    assert month_name("2018-03") == "March 2018"


def test_numbers_follow_the_released_tables(frames):
    n = event_numbers(**frames, k=5, grid_degrees=0.5)
    totals = frames["totals"]
    national = int(totals.loc[totals["state"] == "All states", "events"].item())
    assert n["n_events"] == f"{national:,}"
    top = (
        totals[(totals["state"] != "All states") & ~totals["suppressed"]]
        .sort_values("events", ascending=False)
        .head(5)
    )
    assert n["top_states"] == english_list(top["state"].tolist())
    assert n["top_state"] == top["state"].iloc[0] == n["rank1_state"]
    assert n["top_states_share"] == f"{top['events'].sum() / national * 100:.0f}%"
    loc = frames["location"].query("state == 'All states'").set_index("location_type")["events"]
    assert n["share_train"] == f"{loc['train_or_tracks'] / national * 100:.0f}%"
    assert n["k"] == "5" and n["withheld_label"] == "withheld"
    n_withheld = sum(int(f["suppressed"].sum()) for k, f in frames.items() if k != "period")
    assert n["n_values_withheld"] == f"{n_withheld:,}"
    n_released = sum(len(f) for k, f in frames.items() if k != "period")
    assert n["n_values_released"] == f"{n_released:,}"  # the rail segments count too
    assert "rail_buffer_km" not in n
    assert (
        event_numbers(**frames, k=5, grid_degrees=0.5, rail_buffer_km=10)["rail_buffer_km"] == "10"
    )
    for key in (
        "period_start",
        "period_end",
        "second_location",
        "top_southern_states",
        "tco_main_states",
        "gang_main_states",
        "smuggler_states",
        "smuggler_share_us_border",
        "kidnapping_top_state",
        "n_states",
        "top_n_word",
        "top_southern_count_word",
    ):
        assert n[key], key


def test_the_synthetic_calibration_shows_through(frames):
    # what the 2018 text says of the CAMRD, which the stand-in reproduces
    n = event_numbers(**frames, k=5, grid_degrees=0.5)
    assert n["top_location"] == "trains or train tracks"
    assert n["top_state"] == "Tamaulipas"
    assert n["top_southern_states"] == "Chiapas, Oaxaca, Tabasco and Veracruz"
    assert n["tco_main_states"] == "Tamaulipas and Veracruz"
    assert n["gang_main_states"] == "Chiapas and Tabasco"


def test_withheld_values_cannot_be_printed(frames):
    perp = frames["perpetrator"].copy()
    hit = (perp["state"] == "Tamaulipas") & (perp["perpetrator_type"] == "smuggler")
    perp.loc[hit, "suppressed"] = True
    perp.loc[hit, "events"] = pd.NA
    with pytest.raises(ValueError, match="withheld"):
        event_numbers(**(frames | {"perpetrator": perp}), k=5, grid_degrees=0.5)


def test_a_lead_the_release_does_not_prove_is_refused():
    from numbers_events import leading

    row = pd.DataFrame(
        {
            "state": ["X", "X", "X"],
            "perpetrator_type": ["transnational_criminal_organization", "gang", "smuggler"],
            "events": pd.array([30, pd.NA, pd.NA], dtype="Int64"),
            "suppressed": [False, True, True],
        }
    )
    cands = ["transnational_criminal_organization", "gang", "smuggler"]
    safe = {
        ("state_perpetrator", "X", "gang"): (1, 12),
        ("state_perpetrator", "X", "smuggler"): (1, 9),
    }
    assert leading(row, "X", "perpetrator_type", cands, safe) == cands[0]
    # a withheld complement could hold more than the published leader
    unsafe = {**safe, ("state_perpetrator", "X", "gang"): (1, 31)}
    with pytest.raises(ValueError, match="does not prove"):
        leading(row, "X", "perpetrator_type", cands, unsafe)


def test_claims_in_the_text_follow_from_the_public_intervals(frames):
    # every claim the text makes holds for every value the release allows
    from numbers_events import released_bounds

    bounds = released_bounds(
        frames["totals"], frames["location"], frames["perpetrator"], frames["crime"]
    )
    n = event_numbers(**frames, k=5, grid_degrees=0.5)
    rank5 = int(n["rank5_count"].replace(",", ""))
    assert all(hi < rank5 for key, (_, hi) in bounds.items() if key[0] == "state_totals")
