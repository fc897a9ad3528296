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
    assert along.loc["2.01", "events"] == 0  # zeros are published
    # A's 12 events all lie beside 1.01 (B's 3 lie 400 km away): published
    # as 12, or withheld jointly with A's total (which B's 3 need withheld)
    for seg in ("1.01", "All segments"):
        assert along.loc[seg, "suppressed"] == "true" or along.loc[seg, "events"] == 12
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


def test_the_final_attack_refuses_a_pattern_that_pins_a_count():
    from prp.events import disclosure
    from prp.events.audit import Knowledge
    from prp.events.protect import Protection, Refused, verify

    counts = disclosure.tally(events(), ["A", "B", "C"], CATS, 0.5)
    true = disclosure.true_tables(counts)
    # withhold only B's total and one other total: "at least one event" and
    # the national total pin both
    naive = {n: f.copy() for n, f in true.items()}
    t = naive["state_totals"]
    t["suppressed"] = t["state"].isin(["B", "A"])
    t["events"] = t["events"].astype("Int64").mask(t["suppressed"])
    for name in ("state_location", "state_perpetrator", "state_crime"):
        f = naive[name]
        f["suppressed"] = (f["events"] > 0) & (f["events"] < 5)
        f["events"] = f["events"].astype("Int64").mask(f["suppressed"])
    g = naive["grid"]
    g["suppressed"] = g["events"] < 5
    g["events"] = g["events"].astype("Int64").mask(g["suppressed"])
    verdict = verify(true, naive, Knowledge(members=disclosure.members_of(counts)), Protection(5))
    assert not verdict.ok and verdict.failing > 0
    # and a published count under k is refused outright
    leak = {n: f.copy() for n, f in naive.items()}
    leak["state_totals"].loc[leak["state_totals"]["state"] == "B", "suppressed"] = False
    leak["state_totals"].loc[leak["state_totals"]["state"] == "B", "events"] = 3
    with pytest.raises(Refused, match="under k would be published"):
        verify(true, leak, Knowledge(), Protection(5))


def test_the_released_tables_pass_the_final_attack():
    from release_aggregates import protected_tables, protection

    from prp.events import disclosure

    counts = disclosure.tally(events(), ["A", "B", "C"], CATS, 0.5)
    _, verdict = protected_tables(counts, protection(5))
    assert verdict.ok and verdict.pinned == 0 and verdict.min_hi_primary >= 5
    assert verdict.min_width_primary >= 4
