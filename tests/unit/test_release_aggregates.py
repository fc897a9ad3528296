"""Rule release_aggregates: the released tables as written to data/released/."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from release_aggregates import OUTPUTS, released_tables

from prp.events.disclosure import TOTAL

CATS = {
    "state_location": ["train_or_tracks", "bus"],
    "state_perpetrator": ["gang", "smuggler"],
    "state_crime": ["extortion", "robbery"],
}


def events(n_a: int = 12, n_b: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for state, n, lat, lon in (("A", n_a, 14.9, -92.3), ("B", n_b, 18.1, -94.4)):
        for i in range(n):
            rows.append(
                (
                    state,
                    lat,
                    lon,
                    CATS["state_location"][i % 2],
                    CATS["state_perpetrator"][i % 2],
                    "extortion;robbery" if i % 3 == 0 else "robbery",
                    f"2017-0{1 + i % 9}-01",
                )
            )
    df = pd.DataFrame(
        rows,
        columns=[
            "state",
            "latitude",
            "longitude",
            "location_type",
            "perpetrator_type",
            "crime_types",
            "event_date",
        ],
    )
    return df.sample(frac=1, random_state=int(rng.integers(100))).reset_index(drop=True)


def segments() -> list[dict]:
    """Two Mexican segments: one through A's events, one far from every event."""

    def feature(seg: str, coords: list[list[float]]) -> dict:
        return {
            "type": "Feature",
            "properties": {"segment": seg, "country": "MEX"},
            "geometry": {"type": "LineString", "coordinates": coords},
        }

    return [
        feature("1.01", [[-92.3, 14.8], [-92.3, 15.0]]),
        feature("2.01", [[-100, 25], [-100, 25.1]]),
    ]


def test_every_output_is_written_with_flags_as_true_false():
    tables = released_tables(events(), ["A", "B", "C"], CATS, 5, 0.5, segments())
    assert set(tables) == set(OUTPUTS)
    along = tables["rail_segments"].set_index("segment")
    assert along.loc["1.01", "events"] == 12 and along.loc["2.01", "events"] == 0
    assert along.loc["All segments", "events"] == 12  # B's 3 events lie 400 km away
    for name, frame in tables.items():
        if name != "period":
            assert set(frame["suppressed"]) <= {"true", "false"}
            assert frame.loc[frame["suppressed"] == "true", "events"].isna().all()
    totals = tables["state_totals"].set_index("state")
    assert totals.loc["C", "events"] == 0 and totals.loc["C", "suppressed"] == "false"
    assert totals.loc[TOTAL, "events"] == 15
    assert totals.loc["B", "suppressed"] == "true"  # 3 events
    assert tables["period"].iloc[0].tolist() == ["2017-01", "2017-09"]


def test_a_state_under_k_is_withheld_with_a_complement():
    tables = released_tables(events(), ["A", "B", "C"], CATS, 5, 0.5)
    withheld = tables["state_totals"].query("suppressed == 'true'")["state"].tolist()
    assert "B" in withheld and len(withheld) >= 2


def test_threshold_below_two_is_refused():
    with pytest.raises(ValueError, match="at least 2"):
        released_tables(events(), ["A", "B"], CATS, 1, 0.5)


def test_a_larger_threshold_withholds_more():
    few = released_tables(events(), ["A", "B"], CATS, 3, 0.5)
    many = released_tables(events(), ["A", "B"], CATS, 10, 0.5)
    count = lambda t: sum((f["suppressed"] == "true").sum() for n, f in t.items() if n != "period")  # noqa: E731
    assert count(many) > count(few)
