"""Counting in Arrow (prp.events.counting) gives what counting in pandas gives
(prp.events.disclosure.tally_chunks, release_aggregates.Along), and the
nearest rail segment decided in numpy (prp.data.rail.NearestGrid) is GEOS's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import release_aggregates as ra
import validate_dataset

from prp.data import rail
from prp.data.datapackage import resource, schema_only
from prp.events import counting, disclosure
from prp.events.records import read_batches

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SEGMENTS = DATA / "geo" / "rail_segments.geojson"


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> Path:
    """3,000 generated events, validated into parquet."""
    tmp = tmp_path_factory.mktemp("events")
    raw = tmp / "events.csv"
    subprocess.run(
        [sys.executable, "-m", "prp.data.generate_events", "--n", "3000", "--out", str(raw)],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"},
    )
    res = schema_only(resource(DATA, "camrd_events"))
    for check in res.get("x-checks", []):
        for spec in check.values():
            if "geometry" in spec:
                spec["geometry_path"] = str(DATA / spec["geometry"])
    clean = tmp / "events.parquet"
    validate_dataset.main({"raw": str(raw)}, {"clean": str(clean)}, {"resource": res})
    return clean


def categories(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {
        "state_location": sorted(set(frame["location_type"])),
        "state_perpetrator": sorted(set(frame["perpetrator_type"])),
        "state_crime": sorted({c for v in frame["crime_types"] for c in v.split(";")}),
    }


def test_the_arrow_tally_is_the_pandas_tally(events):
    frame = pd.read_parquet(events)
    # not in alphabetical order, and a state without events
    states = ["Zacatecas", *sorted(set(frame["state"]) - {"Zacatecas"}), "Atlantis"]
    cats = categories(frame)
    want = disclosure.tally_chunks(read_batches(events, ra.COLUMNS, 700), states, cats, 0.5)
    tally = counting.BatchTally(states, cats, 0.5)
    for batch in counting.batches(events, ra.COLUMNS, 700):
        tally.add(batch)
    got = tally.result()
    pd.testing.assert_frame_equal(got.totals, want.totals)
    for name in want.crosstabs:
        pd.testing.assert_frame_equal(got.crosstabs[name], want.crosstabs[name])
    pd.testing.assert_frame_equal(got.cells, want.cells)
    pd.testing.assert_frame_equal(got.members, want.members)
    assert (got.first, got.last) == (want.first, want.last)


def test_unknown_states_and_categories_are_refused_as_pandas_refuses_them(events):
    frame = pd.read_parquet(events)
    cats = categories(frame)
    batch = next(counting.batches(events, ra.COLUMNS))
    with pytest.raises(ValueError, match="not in the state list"):
        counting.BatchTally(["Chiapas"], cats, 0.5).add(batch)
    fewer = {**cats, "state_crime": ["murder"]}
    with pytest.raises(ValueError, match="values outside the categories"):
        counting.BatchTally(sorted(set(frame["state"])), fewer, 0.5).add(batch)


def test_a_batch_with_a_missing_value_is_counted_by_pandas(events):
    frame = pd.read_parquet(events, columns=ra.COLUMNS).head(50)
    states, cats = sorted(set(frame["state"])), categories(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    holed = table.set_column(
        table.schema.get_field_index("location_type"),
        "location_type",
        pa.array([None, *frame["location_type"].iloc[1:]], pa.large_string()),
    )
    tally = counting.BatchTally(states, cats, 0.5)
    with pytest.raises(ValueError) as arrow_error:
        tally.add(holed.to_batches()[0])
    with pytest.raises(ValueError) as pandas_error:
        disclosure.tally(holed.to_pandas(), states, cats, 0.5)
    assert str(arrow_error.value) == str(pandas_error.value)


def test_rail_counts_are_alongs(events):
    assigner = rail.Assigner(rail.read_features(SEGMENTS), 10.0)
    along = ra.Along(assigner, 0.5)
    for chunk in read_batches(events, ra.COLUMNS, 700):
        along.add(chunk)
    beside = counting.RailCounts(rail.Assigner(rail.read_features(SEGMENTS), 10.0), 0.5)
    for batch in counting.batches(events, ra.COLUMNS, 700):
        beside.add(batch)
    pd.testing.assert_frame_equal(beside.table(), along.counts)
    assert beside.splits() == (along.by_state, along.by_cell)


def test_the_nearest_segment_is_geoss_even_at_ties_and_on_the_buffers_edge():
    assigner = rail.Assigner(rail.read_features(SEGMENTS), 10.0)
    rng = np.random.default_rng(7)
    vertices = np.concatenate([np.asarray(line.coords) for line in assigner.lines])
    # points scattered around the track, points on its vertices (shared by
    # two segments: ties), and points exactly 10 km off a vertex
    near = vertices[rng.integers(0, len(vertices), 20_000)] + rng.normal(0, 6, (20_000, 2))
    on = vertices[rng.integers(0, len(vertices), 2_000)]
    angle = rng.uniform(0, 2 * np.pi, 2_000)
    edge = (
        vertices[rng.integers(0, len(vertices), 2_000)] + 10.0 * np.c_[np.cos(angle), np.sin(angle)]
    )
    x, y = np.concatenate([near, on, edge]).T
    decided, open_ = assigner.grid.decide(x, y)
    geos = assigner.nearest(x, y)
    assert (decided[~open_] == geos[~open_]).all()
    assert open_[20_000:22_000].mean() > 0.05  # the shared vertices are left to GEOS
    assert open_.mean() < 0.2
    lon, lat = rail.to_lonlat(x, y)
    xx, yy = rail.to_km(lon, lat)
    assert (assigner.indices(lon, lat) == assigner.nearest(xx, yy)).all()
