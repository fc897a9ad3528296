"""Chunked validation, aggregation, map and listing give what the whole-table
computation gives (validate_dataset, release_aggregates, plot_event_points_map,
table_event_listing at scale)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import release_aggregates as ra
import table_event_listing as tel
import validate_dataset
from plot_event_points_map import plot_density

from prp.artifacts import maps
from prp.artifacts.hexbin import density_bins, density_counts, hex_cells, use_density
from prp.data.datapackage import resource
from prp.data.errors import InputError
from prp.events import disclosure
from prp.events.records import read_batches

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def events_file() -> Path:
    """The committed event table, decrypted (skips without a key)."""
    from tests.keys import raw_file

    return raw_file(resource(DATA, "camrd_events"))


def events_res() -> dict:
    r = copy.deepcopy(resource(DATA, "camrd_events"))
    for check in r.get("x-checks", []):
        for spec in check.values():
            if "geometry" in spec:
                spec["geometry_path"] = str(DATA / spec["geometry"])
    return r


def validate(raw: Path, out: Path, chunk_rows: int) -> None:
    validate_dataset.main(
        {"raw": str(raw)}, {"clean": str(out)}, {"resource": events_res()}, chunk_rows=chunk_rows
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "camrd_events.parquet"
    validate(events_file(), out, 10**9)
    return out


def test_chunked_parquet_holds_the_same_table(clean, tmp_path):
    validate(events_file(), tmp_path / "c.parquet", 97)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "c.parquet"), pd.read_parquet(clean))


def test_x_check_failures_are_counted_over_all_chunks(tmp_path):
    lines = events_file().read_text(encoding="utf-8").splitlines(keepends=True)
    for line_no in (150, 420, 600):  # rows of different chunks: points moved into the sea
        cells = lines[line_no - 1].split(",")
        cells[4], cells[5] = "20.0", "-110.0"
        lines[line_no - 1] = ",".join(cells)
    raw = tmp_path / "events.csv"
    raw.write_text("".join(lines), encoding="utf-8")
    found = []
    for size in (10**9, 300, 250):
        with pytest.raises(InputError) as info:
            validate(raw, tmp_path / "out.parquet", size)
        found.append(info.value)
        assert not (tmp_path / "out.parquet").exists()
    assert found[0] == found[1] == found[2]
    assert (found[0].row, found[0].more) == (150, 2) and "outside Mexico" in str(found[0])


def test_tallies_of_chunks_add_up_to_the_whole(clean):
    events = pd.read_parquet(clean)
    states = sorted(set(events["state"]))
    cats = {
        "state_location": sorted(set(events["location_type"])),
        "state_perpetrator": sorted(set(events["perpetrator_type"])),
        "state_crime": sorted({c for v in events["crime_types"] for c in v.split(";")}),
    }
    # the counts the protection starts from (protect() is a function of
    # them alone, so equal counts give equal releases; running it twice here
    # would only time the integer programs)
    whole = disclosure.tally(events, states, cats, 0.5)
    chunks = (events.iloc[i : i + 137] for i in range(0, len(events), 137))
    merged = disclosure.tally_chunks(chunks, states, cats, 0.5)
    assert (merged.first, merged.last) == (whole.first, whole.last)
    pd.testing.assert_frame_equal(merged.members, whole.members)
    tables, by_chunks = disclosure.true_tables(whole), disclosure.true_tables(merged)
    assert tables.keys() == by_chunks.keys()
    for name in tables:
        pd.testing.assert_frame_equal(by_chunks[name], tables[name])
    batches = list(read_batches(clean, ra.COLUMNS, rows=300))
    assert [len(b) for b in batches] == [300, 300, 300, 100]


def test_the_map_turns_to_density_above_the_threshold(clean):
    assert not use_density(10**7, None)
    assert not use_density(1000, 1000)
    assert use_density(1001, 1000)
    events = pd.read_parquet(clean, columns=["latitude", "longitude"])
    width = 40_000.0
    cells = density_counts([events.iloc[:333], events.iloc[333:]], width)
    assert cells["events"].sum() == len(events)
    pd.testing.assert_frame_equal(cells, density_counts([events], width))
    assert density_bins(int(cells["events"].max()))[-1] > cells["events"].max()
    layers = maps.load_layers(
        DATA / "geo" / "mexico_states.geojson",
        DATA / "geo" / "countries.geojson",
        DATA / "geo" / "rail_segments.geojson",
        pd.read_csv(DATA / "geo" / "places.csv"),
    )
    fig, axes = plot_density(cells, layers, 40)
    for ax in axes.values():
        (hexes,) = [c for c in ax.collections if c.get_gid() == "events-density"]
        assert len(hexes.get_paths()) == len(cells)
    assert not [line for ax in axes.values() for line in ax.lines if line.get_marker() != "None"]


def test_hexagons_hold_their_nearest_points():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1e5, 1e5, 2000), rng.uniform(-1e5, 1e5, 2000)
    cells = hex_cells(x, y, 10_000.0)
    d = np.hypot(cells["hex_x"] - x, cells["hex_y"] - y)
    assert (d <= 10_000.0 / np.sqrt(3) + 1e-6).all()  # within the circumradius
    centres = cells.drop_duplicates().to_numpy()
    nearest = np.hypot(centres[None, :, 0] - x[:, None], centres[None, :, 1] - y[:, None]).min(1)
    assert np.allclose(d, nearest)


def test_listing_keeps_the_most_recent_records(clean):
    events = pd.read_parquet(clean)
    batches = (events.iloc[i : i + 128] for i in range(0, len(events), 128))
    got = tel.most_recent(batches, 50)
    want = events.sort_values(["event_date", "event_id"]).tail(50).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    shown, total = tel.read_events(str(clean), 50)
    assert (len(shown), total) == (50, len(events))
    assert len(tel.read_events(str(clean), None)[0]) == len(events)


def test_main_draws_density_and_says_so_above_the_threshold(clean, tmp_path):
    import plot_event_points_map as pm

    places = tmp_path / "places.parquet"
    pd.read_csv(DATA / "geo" / "places.csv").to_parquet(places)
    geo = maps.geo_inputs(DATA)
    inputs = {
        "events": str(clean),
        "states": geo["mexico_states"],
        "countries": geo["countries"],
        "rails": geo["rail_segments"],
        "places": str(places),
    }
    params = {
        "id": "event-points-map",
        "caption": "Events",
        "alt": "One symbol per event.",
        "note": "Each symbol is one event.",
        "datasets": ["camrd_events"],
        "data_dir": str(DATA),
        "density_above": 999,
        "density_cell_km": 40,
        "density_alt": "Hexagons {cell_km:g} km across.",
        "density_note": "With {events:,} events, cells {cell_km:g} km across.",
    }
    out = {k: str(tmp_path / f"map.{k}") for k in ("svg", "csv", "md")}
    pm.main(inputs, out, params)
    cells = pd.read_csv(out["csv"])
    assert list(cells.columns) == ["hex_x", "hex_y", "longitude", "latitude", "events"]
    assert cells["events"].sum() == 1000
    md = Path(out["md"]).read_text(encoding="utf-8")
    assert "With 1,000 events, cells 40 km across." in md and "Hexagons 40 km across." in md
    assert "events-density" in Path(out["svg"]).read_text(encoding="utf-8")
    pm.main(inputs, out, {**params, "density_above": 1000})
    assert len(pd.read_csv(out["csv"])) == 1000  # one row per event again
    assert "Each symbol is one event." in Path(out["md"]).read_text(encoding="utf-8")
