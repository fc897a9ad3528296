"""The released event aggregates: counting (prp.events.disclosure) and the
committed release attacked as a reader of the public edition would.

The attack on the committed files in data/released/ uses everything the
public edition publishes: the tables with their totals and zeros, the data
package's statements (a withheld count holds at least one event; one or two
crime types per event), which states' events each grid cell can hold (from
the public state borders), and the claims of the text (computed from the
same files by numbers_events). It must pin no withheld count, and every
interval must meet the protection level: up to at least k, and at least
k - 1 wide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from prp.events import audit as A
from prp.events import disclosure as d

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "data" / "released"

# The committed release is checked against the workflow's own settings.
with open(ROOT / "config" / "config.yaml", encoding="utf-8") as _fh:
    _DISCLOSURE = yaml.safe_load(_fh)["disclosure"]
CONFIG_K = int(_DISCLOSURE["k"])
CONFIG_GRID = float(_DISCLOSURE["grid_degrees"])
RAIL_BUFFER_KM = float(_DISCLOSURE["rail_buffer_km"])
PROTECTION = _DISCLOSURE.get("protection") or {}
UPPER = int(PROTECTION.get("upper") or CONFIG_K)
WIDTH = int(PROTECTION.get("width") or CONFIG_K - 1)


# --------------------------------------------------------------------------
# counting


def events_frame() -> pd.DataFrame:
    rows = [
        # state, lat, lon, location, perpetrator, crime_types
        ("A", 14.9, -92.3, "train_or_tracks", "gang", "robbery"),
        ("A", 14.9, -92.3, "train_or_tracks", "gang", "assault;robbery"),
        ("A", 14.8, -92.4, "bus", "smuggler", "extortion"),
        ("A", 16.2, -93.9, "train_or_tracks", "gang", "robbery"),
        ("B", 16.4, -93.3, "bus", "tco", "kidnapping"),
        ("B", 18.1, -94.4, "train_or_tracks", "tco", "extortion;kidnapping"),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "state",
            "latitude",
            "longitude",
            "location_type",
            "perpetrator_type",
            "crime_types",
        ],
    )


CATS = {
    "state_location": ["train_or_tracks", "bus", "car"],
    "state_perpetrator": ["tco", "gang", "smuggler"],
    "state_crime": ["assault", "extortion", "kidnapping", "robbery"],
}


def test_alternatives_reads_the_crime_types_of_the_schema_pattern():
    assert d.alternatives("(a|b_c|d)(;(a|b_c|d))*") == ["a", "b_c", "d"]
    with pytest.raises(ValueError):
        d.alternatives("no group")


def test_cell_centre_aligns_cells_on_multiples_of_the_size():
    assert d.cell_centre(np.array([14.9, 15.0, 15.49, -92.3, -92.5]), 0.5).tolist() == [
        14.75,
        15.25,
        15.25,
        -92.25,
        -92.25,
    ]


def test_state_totals_list_every_state_with_zeros_then_the_national_total():
    t = d.state_totals(events_frame(), ["A", "B", "C"])
    assert t["state"].tolist() == ["A", "B", "C", d.TOTAL]
    assert t["events"].tolist() == [4, 2, 0, 6]
    with pytest.raises(ValueError, match="not in the state list"):
        d.state_totals(events_frame(), ["A"])


def test_crosstab_counts_each_listed_crime_type_once_and_adds_a_national_row():
    t = d.crosstab(events_frame(), "crime_types", CATS["state_crime"], ["A", "B"], multi=True)
    got = t.set_index(["state", "category"])["events"]
    assert got[("A", "robbery")] == 3 and got[("A", "assault")] == 1
    assert got[("B", "kidnapping")] == 2 and got[("B", "robbery")] == 0
    assert got[(d.TOTAL, "extortion")] == 2
    assert len(t) == 3 * 4
    with pytest.raises(ValueError, match="outside the categories"):
        d.crosstab(events_frame(), "crime_types", ["robbery"], ["A", "B"], multi=True)


def test_grid_counts_and_state_groups_join_states_that_share_a_cell():
    ev = events_frame()
    cells, members = d.grid(ev, 0.5)
    assert cells["events"].sum() == len(ev)
    assert cells.iloc[0][["cell_lat", "cell_lon", "events"]].tolist() == [14.75, -92.25, 3]
    groups = d.state_groups(members)
    assert [g[0] for g in groups] == [["A"], ["B"]]
    shared = pd.concat(
        [members, pd.DataFrame({"cell_lat": [14.75], "cell_lon": [-92.25], "state": ["B"]})]
    )
    assert [g[0] for g in d.state_groups(shared)] == [["A", "B"]]


def test_true_tables_are_the_released_format_with_every_count():
    t = d.tally(events_frame(), ["A", "B"], CATS, 0.5)
    tables = d.true_tables(t)
    assert list(tables) == [k for k in d.RELEASED if k != d.PERIOD and k not in d.LISTS]
    assert tables["state_location"].columns.tolist() == [
        "state",
        "location_type",
        "events",
        "suppressed",
    ]
    assert not any(f["suppressed"].any() for f in tables.values())
    assert tables[d.STATE_TOTALS].set_index("state").loc[d.TOTAL, "events"] == 6
    assert sorted(d.members_of(t)) == sorted(
        (r.state, r.cell_lat, r.cell_lon) for r in t.members.itertuples()
    )


def test_every_released_table_is_specified_once():
    assert set(d.TABLES) < set(d.RELEASED)
    assert len(set(d.RELEASED.values())) == len(d.RELEASED)
    assert d.TABLES["state_crime"].max_per_event == 2  # as the data package states


def test_period_gives_first_and_last_month():
    ev = pd.DataFrame({"event_date": ["2017-03-04", "2018-01-31", "2017-01-15"]})
    assert d.period(ev).iloc[0].tolist() == ["2017-01", "2018-01"]


# --------------------------------------------------------------------------
# the committed release, attacked


@pytest.fixture(scope="module")
def committed() -> dict[str, pd.DataFrame]:
    if not (RELEASED / "events_by_state.csv").exists():
        pytest.fail("data/released/ has no released aggregates (run make release)")
    return A.read_released(RELEASED)


@pytest.fixture(scope="module")
def public_knowledge(committed) -> A.Knowledge:
    """Everything the public edition states beyond the tables."""
    from numbers_events import event_numbers

    from prp.data.checks import load_states

    frames = {
        name: committed[table]
        for name, table in (
            ("totals", d.STATE_TOTALS),
            ("location", "state_location"),
            ("perpetrator", "state_perpetrator"),
            ("crime", "state_crime"),
            ("grid", d.GRID),
        )
    }
    period = pd.read_csv(RELEASED / "events_period.csv", dtype=str)
    numbers = event_numbers(**frames, period=period, k=CONFIG_K, grid_degrees=CONFIG_GRID)
    upper, lower = A.text_facts(committed, numbers)
    states = load_states(ROOT / "data" / "geo" / "mexico_states.geojson")
    members = A.members_from_geometry(committed[d.GRID], states, CONFIG_GRID)
    from prp.data import rail

    segments = rail.counted(rail.read_features(ROOT / "data" / "geo" / "rail_segments.geojson"))
    splits = A.splits_from_geometry(
        "rail_segments", segments, states, committed[d.GRID], CONFIG_GRID, RAIL_BUFFER_KM
    )
    return A.Knowledge(members=members, splits=splits, upper=upper, lower=lower)


@pytest.fixture(scope="module")
def attack(committed, public_knowledge) -> A.Result:
    return A.intervals(A.build_model(committed, public_knowledge))


def test_the_attack_pins_no_withheld_count_of_the_committed_release(attack):
    assert len(attack.frame) > 0
    pinned = attack.pinned
    assert pinned.empty, f"{len(pinned)} withheld counts pinned: {list(pinned['key'])[:5]}"


def test_every_withheld_interval_meets_the_protection_level(attack):
    # the reader cannot tell counts under k from complements, so every
    # interval must meet the level that counts under k need
    f = attack.frame
    assert (f["hi"] >= UPPER).all(), f[f["hi"] < UPPER]
    assert (f["hi"] - f["lo"] >= WIDTH).all(), f[f["hi"] - f["lo"] < WIDTH]


def test_the_attack_uses_geography_and_text(public_knowledge, committed):
    # the knowledge is not vacuous: the borders tie cells to states, the
    # railroads tie segments to states and cells, the text bounds some counts
    assert len(public_knowledge.members) > len(committed[d.GRID])
    by_state, by_cell = public_knowledge.splits
    segments = {k for k in A.keys_of("rail_segments", committed["rail_segments"])}
    assert {part for part, _ in by_state} == segments - {("rail_segments", "All segments")}
    assert by_cell
    assert public_knowledge.upper or public_knowledge.lower


def test_committed_files_publish_nothing_under_k_and_no_withheld_zero(committed):
    for name, df in committed.items():
        shown = df.loc[~df["suppressed"], "events"].astype("int64")
        assert ((shown == 0) | (shown >= CONFIG_K)).all(), f"{name} publishes a count under k"
        assert df.loc[df["suppressed"], "events"].isna().all()
    totals = committed[d.STATE_TOTALS].set_index("state")
    assert not totals.loc[d.TOTAL, "suppressed"], "the national total is published"


def test_published_values_satisfy_every_relation(committed):
    # a relation among published values only must hold (no published value
    # contradicts another); reduce() raises Inconsistent otherwise
    model = A.build_model(committed, A.Knowledge())
    A.reduce(model)


def test_committed_grid_cells_lie_on_the_configured_grid(committed):
    grid = committed[d.GRID]
    for col in ("cell_lat", "cell_lon"):
        offset = (grid[col] / CONFIG_GRID) % 1
        assert np.allclose(offset, 0.5), f"{col} not centred on a {CONFIG_GRID}° grid"


def test_a_released_file_the_audit_does_not_model_is_refused(tmp_path, committed):
    for name in d.RELEASED.values():
        (tmp_path / f"{name}.csv").write_bytes((RELEASED / f"{name}.csv").read_bytes())
    (tmp_path / "events_by_rail_distance.csv").write_text("band,events,suppressed\n")
    with pytest.raises(A.UnknownTable, match="events_by_rail_distance.csv"):
        A.read_released(tmp_path)
