"""prp.events.records: exact counts of the restricted event records."""

from __future__ import annotations

import pandas as pd
import pytest

from prp.events.records import (
    ALL_EVENTS,
    ALL_STATES,
    common_id_prefix,
    counts_display,
    crimes_label,
    exact_counts,
    explode_crimes,
    leading,
    ranked_states,
    state_profile,
    states_covering,
)


def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [f"CAMRD-S-00000{i}" for i in range(1, 7)],
            "state": ["Chiapas", "Chiapas", "Tamaulipas", "Tamaulipas", "Tamaulipas", "Oaxaca"],
            "location_type": [
                "train_or_tracks",
                "train_or_tracks",
                "highway",
                "bus",
                "highway",
                "shelter",
            ],
            "crime_types": [
                "robbery",
                "assault;robbery",
                "kidnapping",
                "extortion;kidnapping",
                "kidnapping",
                "robbery",
            ],
            "perpetrator_type": [
                "gang",
                "gang",
                "transnational_criminal_organization",
                "transnational_criminal_organization",
                "authorities",
                "local_actors",
            ],
        }
    )


def test_explode_gives_one_row_per_crime_type():
    out = explode_crimes(events())
    assert len(out) == 8
    assert out[out["event_id"] == "CAMRD-S-000002"]["crime_type"].tolist() == ["assault", "robbery"]


def test_explode_rejects_unknown_crime_types():
    bad = events().assign(
        crime_types=["robbery", "arson", "robbery", "robbery", "robbery", "robbery"]
    )
    with pytest.raises(ValueError, match="arson"):
        explode_crimes(bad)


def test_exact_counts_national_block_first_then_states_by_events():
    c = exact_counts(events())
    assert c["state"].drop_duplicates().tolist() == [ALL_STATES, "Tamaulipas", "Chiapas", "Oaxaca"]
    first = c.iloc[0]
    assert (first["state"], first["crime_type"], first["total"]) == (ALL_STATES, ALL_EVENTS, 6)
    assert first["transnational_criminal_organization"] == 2 and first["authorities"] == 1
    tam = c[c["state"] == "Tamaulipas"].set_index("crime_type")
    assert tam.index.tolist() == [ALL_EVENTS, "extortion", "kidnapping"]
    assert tam.loc["kidnapping", "total"] == 3
    assert tam.loc["kidnapping", "transnational_criminal_organization"] == 2
    assert tam.loc[ALL_EVENTS, "total"] == 3  # each event once
    # crime rows add up to more than the events where an event has two crimes
    chi = c[c["state"] == "Chiapas"].set_index("crime_type")
    assert chi.drop(ALL_EVENTS)["total"].sum() == 3 > chi.loc[ALL_EVENTS, "total"] == 2
    # no cell is withheld: a count of one is printed
    assert (c["total"] >= 1).all() and 1 in c["total"].tolist()


def test_exact_counts_rejects_unknown_perpetrators():
    with pytest.raises(ValueError, match="aliens"):
        exact_counts(events().assign(perpetrator_type="aliens"))


def test_counts_display_heads_each_state_with_its_bold_total_row():
    shown = counts_display(exact_counts(events()))
    assert shown.columns.tolist()[:2] == ["State and crime type", "TCO"]
    assert shown.columns[-1] == "Total"
    first = shown.columns[0]
    assert shown[first].iloc[0] == "**All states**" and shown["Total"].iloc[0] == "**6**"
    chi = shown.index[shown[first] == "**Chiapas**"][0]
    assert shown.loc[chi, "Total"] == "**2**" and shown.loc[chi, "Gang"] == "**2**"
    assert shown.loc[chi + 1, first] == "Assault" and shown.loc[chi + 1, "Total"] == "1"


def test_ranking_coverage_and_leaders():
    ranked = ranked_states(events())
    assert ranked["state"].tolist() == ["Tamaulipas", "Chiapas", "Oaxaca"]
    assert ranked["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert states_covering(events(), 0.5)["state"].tolist() == ["Tamaulipas"]
    assert states_covering(events(), 0.51)["state"].tolist() == ["Tamaulipas", "Chiapas"]
    assert leading(pd.Series(["b", "a", "a", "b"]), ["b", "a"]) == ("b", 2)  # tie: first in order
    with pytest.raises(ValueError):
        states_covering(events(), 0)


def test_state_profile():
    p = state_profile(events()).set_index("state")
    assert p.loc["Tamaulipas", "leading_perpetrator"] == "transnational_criminal_organization"
    assert p.loc["Tamaulipas", "kidnapping_events"] == 3
    assert p.loc["Tamaulipas", "authorities_events"] == 1
    assert (
        p.loc["Chiapas", "leading_crime"] == "robbery"
        and p.loc["Chiapas", "leading_crime_events"] == 2
    )
    assert p["share"].sum() == pytest.approx(1.0)


def test_labels_and_prefix():
    assert crimes_label("human_trafficking;sexual_assault") == "Human trafficking, sexual assault"
    assert common_id_prefix(["CAMRD-S-000001", "CAMRD-S-000012"]) == "CAMRD-S-"
    assert common_id_prefix(["A1", "B2"]) == ""
