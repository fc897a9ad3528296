"""Events beside the railroads (prp.events.along_track): counting, the
released table and its disclosure control, and the committed release."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from prp.data import rail
from prp.events import along_track as at

ROOT = Path(__file__).resolve().parents[2]
K = int(yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["disclosure"]["k"])


def test_count_keeps_every_segment_in_order_with_zeros():
    counts = at.count(np.array(["b", None, "b", "a"], dtype=object), ["a", "b", "c"])
    assert counts.to_dict("list") == {"segment": ["a", "b", "c"], "events": [1, 2, 0]}
    with pytest.raises(ValueError, match="unknown segments"):
        at.count(np.array(["z"], dtype=object), ["a"])


def test_chunks_merge_to_the_counts_of_the_whole():
    ids = ["a", "b"]
    whole = at.count(np.array(["a", "b", "b", None], dtype=object), ids)
    parts = at.merge(
        at.count(np.array(["a", "b"], dtype=object), ids),
        at.count(np.array(["b", None], dtype=object), ids),
    )
    pd.testing.assert_frame_equal(whole, parts)
    with pytest.raises(ValueError):
        at.merge(whole, at.count(np.array([], dtype=object), ["a", "c"]))


def table(events: list[int], k: int = 5, splits=()) -> pd.DataFrame:
    """The rail table released jointly with a two-state release whose
    national total holds the segments' events and 100 more."""
    from prp.events import protect as P
    from prp.events.audit import Knowledge
    from prp.events.disclosure import TOTAL

    counts = pd.DataFrame({"segment": [f"{i}.01" for i in range(len(events))], "events": events})
    n = sum(events) + 100
    totals = pd.DataFrame({"state": ["A", "B", TOTAL], "events": [n - 60, 60, n]})
    true = {"state_totals": totals.assign(suppressed=False), at.TABLE: at.released_table(counts)}
    out = P.protect(true, Knowledge(splits=splits), P.Protection(k))
    return out.tables[at.TABLE]


def test_small_counts_are_withheld_with_complements_and_the_total_published():
    out = table([12, 3, 0, 40])
    assert out["segment"].iloc[-1] == at.ALL_SEGMENTS and out["events"].iloc[-1] == 55
    withheld = out[out["suppressed"]]
    # 3 alone would follow from the total: a complement goes too, and the
    # 3 must be able to reach 5 (so a count of at least 2 more is withheld)
    assert "1.01" in withheld["segment"].tolist() and len(withheld) >= 2
    assert out.loc[out["segment"] == "2.01", "events"].iloc[0] == 0  # zeros are published
    assert withheld["events"].isna().all()
    assert not bool(out["suppressed"].iloc[-1])


def test_no_withheld_segment_can_be_narrowed_below_the_protection_level():
    from prp.events import audit as A
    from prp.events.disclosure import TOTAL

    rng = np.random.default_rng(7)
    for _ in range(10):
        events = rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 20], size=rng.integers(2, 10)).tolist()
        out = table(events)
        n = sum(events) + 100
        totals = pd.DataFrame(
            {"state": ["A", "B", TOTAL], "events": [n - 60, 60, n], "suppressed": False}
        )
        res = A.intervals(A.build_model({"state_totals": totals, at.TABLE: out}, A.Knowledge()))
        assert not res.frame["pinned"].any()
        assert (res.frame["hi"] >= 5).all() and ((res.frame["hi"] - res.frame["lo"]) >= 4).all()
        seg = out.iloc[:-1]
        shown = seg.loc[~seg["suppressed"], "events"].astype(int)
        assert ((shown == 0) | (shown >= 5)).all()


def test_where_a_segment_lies_is_used_against_a_withheld_cell():
    # a published segment count of 7 whose events can lie only in grid cell C:
    # the cell holds at least 7, whatever its own row says
    from prp.events import audit as A
    from prp.events.disclosure import GRID, TOTAL

    totals = pd.DataFrame({"state": ["A", TOTAL], "events": [20, 20], "suppressed": False})
    grid = pd.DataFrame(
        {
            "cell_lat": [20.25, 20.75],
            "cell_lon": [-99.25, -99.25],
            "events": pd.array([None, None], dtype="Int64"),
            "suppressed": [True, True],
        }
    )
    rail_t = pd.DataFrame(
        {"segment": ["s", at.ALL_SEGMENTS], "events": [7, 7], "suppressed": [False, False]}
    )
    tables = {"state_totals": totals, GRID: grid, at.TABLE: rail_t}
    cell = (GRID, 20.25, -99.25)
    free = A.public_bounds(tables)[cell]
    tied = A.public_bounds(tables, A.Knowledge(splits=[[((at.TABLE, "s"), cell)]]))[cell]
    assert free == (1, 19) and tied == (7, 19)


# --------------------------------------------------------------------------
# the committed release


def committed() -> pd.DataFrame:
    df = pd.read_csv(
        ROOT / "data" / "released" / "events_rail_segments.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={"suppressed": str, "segment": str},
    )
    df["suppressed"] = df["suppressed"].map({"true": True, "false": False}).astype(bool)
    df["events"] = df["events"].astype("Int64")
    return df


def test_committed_table_lists_every_mexican_segment_then_the_total():
    features = json.loads((ROOT / "data" / "geo" / "rail_segments.geojson").read_text())["features"]
    df = committed()
    assert df["segment"].tolist() == [*at.segment_ids(features), at.ALL_SEGMENTS]
    assert df["segment"].tolist()[:-1] == [
        f["properties"]["segment"] for f in rail.counted(features)
    ]


def test_committed_table_publishes_nothing_under_k_and_adds_up():
    df = committed()
    seg, total = df.iloc[:-1], df.iloc[-1]
    assert not bool(total["suppressed"])
    shown = seg.loc[~seg["suppressed"], "events"].astype(int)
    assert ((shown == 0) | (shown >= K)).all()
    assert int(seg["suppressed"].sum()) != 1
    withheld = int(seg["suppressed"].sum())
    # the withheld segments hold the rest of the total, at least one event each
    rest = int(total["events"]) - int(shown.sum())
    assert rest >= withheld
    assert (withheld == 0) == (rest == 0)
