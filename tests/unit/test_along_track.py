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


def table(events: list[int], k: int = 5) -> pd.DataFrame:
    counts = pd.DataFrame({"segment": [f"{i}.01" for i in range(len(events))], "events": events})
    return at.released_table(counts, k)


def test_small_counts_are_withheld_with_a_complement_and_the_total_published():
    out = table([12, 3, 0, 40])
    assert out["segment"].iloc[-1] == at.ALL_SEGMENTS and out["events"].iloc[-1] == 55
    withheld = out[out["suppressed"]]
    # 3 alone would follow from the total: the smallest other count goes too
    assert withheld["segment"].tolist() == ["0.01", "1.01"]
    assert out.loc[out["segment"] == "2.01", "events"].iloc[0] == 0  # zeros are published
    assert withheld["events"].isna().all()


def test_no_withheld_segment_follows_from_the_published_numbers():
    rng = np.random.default_rng(7)
    for _ in range(25):
        events = rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 20], size=rng.integers(2, 12)).tolist()
        out = table(events)
        seg = out.iloc[:-1]
        assert int(seg["suppressed"].sum()) != 1
        shown = seg.loc[~seg["suppressed"], "events"].astype(int)
        assert ((shown == 0) | (shown >= 5)).all()


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
