"""Restricted annex: exact state x crime x perpetrator counts (table_event_counts)."""

from __future__ import annotations

import pandas as pd
from table_event_counts import counts_table

from prp.events.records import ALL_EVENTS, ALL_STATES, PERPETRATORS

CRIMES = [
    "assault",
    "disappearance",
    "extortion",
    "human_trafficking",
    "kidnapping",
    "murder",
    "other",
    "robbery",
    "sexual_assault",
]


def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "state": ["Sonora", "Sonora", "Chiapas"],
            "crime_types": ["robbery;sexual_assault", "robbery", "murder"],
            "perpetrator_type": ["smuggler", "unknown", "gang"],
        }
    )


def test_counts_are_exact_and_ordered():
    t = counts_table(events(), PERPETRATORS, CRIMES)
    assert t.columns.tolist() == ["state", "crime_type", *PERPETRATORS, "total"]
    assert t["state"].drop_duplicates().tolist() == [ALL_STATES, "Sonora", "Chiapas"]
    son = t[t["state"] == "Sonora"].set_index("crime_type")
    assert son.index.tolist() == [ALL_EVENTS, "robbery", "sexual_assault"]
    assert son.loc["robbery", ["smuggler", "unknown", "total"]].tolist() == [1, 1, 2]
    assert son.loc["sexual_assault", "total"] == 1  # a single event: not withheld
    nat = t[t["state"] == ALL_STATES].set_index("crime_type")
    assert nat.loc[ALL_EVENTS, "total"] == 3
    assert nat.loc["robbery", "total"] == 2 and "kidnapping" not in nat.index


def test_crime_order_follows_the_given_list():
    t = counts_table(events(), PERPETRATORS, list(reversed(CRIMES)))
    son = t[t["state"] == "Sonora"]["crime_type"].tolist()
    assert son == [ALL_EVENTS, "sexual_assault", "robbery"]
