"""Part 5 (restricted): the state priorities table (table_state_priorities)."""

from __future__ import annotations

import pandas as pd
import pytest
from table_state_priorities import profile_display

from prp.events.records import state_profile


def events() -> pd.DataFrame:
    n = {"Tamaulipas": 4, "Chiapas": 3, "Sonora": 1, "Colima": 1}
    states = [s for s, k in n.items() for _ in range(k)]
    return pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(len(states))],
            "state": states,
            "location_type": ["highway"] * 4 + ["train_or_tracks"] * 3 + ["car", "bus"],
            "crime_types": ["kidnapping"] * 3
            + ["extortion"]
            + ["robbery"] * 3
            + ["assault", "kidnapping"],
            "perpetrator_type": ["transnational_criminal_organization"] * 3
            + ["authorities"]
            + ["gang"] * 3
            + ["smuggler", "local_actors"],
        }
    )


def test_states_above_the_threshold_then_the_rest_summed():
    shown = profile_display(state_profile(events()), min_events=3)
    assert shown["State"].tolist() == ["Tamaulipas", "Chiapas", "Other states (2)"]
    tam = shown.iloc[0]
    assert tam["Events (share)"] == "4 (44%)"
    assert tam["Leading perpetrator"] == "TCO (3)" and tam["Leading place"] == "Highway (4)"
    assert tam["Leading crime"] == "Kidnapping (3)"
    assert tam["Kidnappings"] == "3" and tam["By authorities"] == "1"
    other = shown.iloc[-1]
    assert (
        other["Events (share)"] == "2 (22%)"
        and other["Kidnappings"] == "1"
        and other["Leading place"] == ""
    )


def test_no_rest_row_when_every_state_is_shown():
    shown = profile_display(state_profile(events()), min_events=1)
    assert len(shown) == 4 and not shown["State"].str.startswith("Other").any()
    with pytest.raises(ValueError):
        profile_display(state_profile(events()), min_events=0)
