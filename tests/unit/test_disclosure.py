"""Disclosure control of the released event aggregates (prp.events.disclosure).

Besides the rules themselves, these tests play the attacker: they try to
recompute every withheld count from the published ones, by subtraction along
single lines and by solving all released relations at once, on small tables
and on the committed files in data/released/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from prp.events import disclosure as d

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "data" / "released"
K = 5  # threshold of the small worked examples below

# The committed release is checked against the workflow's own settings.
with open(ROOT / "config" / "config.yaml", encoding="utf-8") as _fh:
    _DISCLOSURE = yaml.safe_load(_fh)["disclosure"]
CONFIG_K = int(_DISCLOSURE["k"])
CONFIG_GRID = float(_DISCLOSURE["grid_degrees"])


# --------------------------------------------------------------------------
# attacks, written independently of the module's own audit


def subtraction_attack(
    counts: np.ndarray, lines: list[d.Line], sup: np.ndarray
) -> dict[int, float]:
    """Values recovered by subtracting along an exact line with one withheld member."""
    found = {}
    for line in lines:
        if not line.exact:
            continue
        hidden = [i for i in line.members if sup[i]]
        if len(hidden) == 1:
            i = hidden[0]
            sign = 1.0 if i in line.plus else -1.0
            rest = sum(counts[j] for j in line.plus if j != i) - sum(
                counts[j] for j in line.minus if j != i
            )
            found[i] = -sign * rest
    return found


def algebra_attack(counts: np.ndarray, lines: list[d.Line], sup: np.ndarray) -> dict[int, float]:
    """Withheld values fixed by the whole system of exact relations: cell i
    is determined iff e_i lies in the row space of the relations restricted
    to the withheld cells (rank test); its value then follows by least squares."""
    n = len(counts)
    rows = []
    for line in lines:
        if line.exact:
            r = np.zeros(n)
            r[list(line.plus)] += 1
            r[list(line.minus)] -= 1
            rows.append(r)
    a = np.array(rows)
    u = np.flatnonzero(sup)
    k = np.flatnonzero(~sup)
    au, b = a[:, u], -a[:, k] @ counts[k].astype(float)
    rank = np.linalg.matrix_rank(au)
    solution = np.linalg.lstsq(au, b, rcond=None)[0]
    found = {}
    for j, i in enumerate(u):
        e = np.zeros(len(u))
        e[j] = 1
        if np.linalg.matrix_rank(np.vstack([au, e])) == rank:
            found[int(i)] = float(solution[j])
    return found


def brute_force(
    counts: np.ndarray, lines: list[d.Line], sup: np.ndarray, bound: int
) -> dict[int, set[int]]:
    """Every non-negative integer value each withheld cell can take, given
    the published values and the exact relations (small tables only)."""
    import itertools

    u = [int(i) for i in np.flatnonzero(sup)]
    options: dict[int, set[int]] = {i: set() for i in u}
    for values in itertools.product(range(bound + 1), repeat=len(u)):
        trial = counts.astype(float).copy()
        trial[u] = values
        if all(
            abs(trial[list(ln.plus)].sum() - trial[list(ln.minus)].sum()) < 1e-9
            for ln in lines
            if ln.exact
        ):
            for i, v in zip(u, values, strict=True):
                options[i].add(v)
    return options


def table_lines(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[d.Line]]:
    """Items and relations of a 2-D table with row, column and grand totals:
    cells first (row-major), then row totals, column totals, grand total."""
    r, c = cells.shape
    counts = np.r_[cells.ravel(), cells.sum(axis=1), cells.sum(axis=0), cells.sum()].astype("int64")
    row_t = r * c + np.arange(r)
    col_t = r * c + r + np.arange(c)
    grand = r * c + r + c
    lines = [d.Line(tuple(i * c + j for j in range(c)), (int(row_t[i]),)) for i in range(r)]
    lines += [d.Line(tuple(i * c + j for i in range(r)), (int(col_t[j]),)) for j in range(c)]
    lines += [
        d.Line(tuple(int(x) for x in row_t), (grand,)),
        d.Line(tuple(int(x) for x in col_t), (grand,)),
    ]
    is_total = np.zeros(len(counts), dtype=bool)
    is_total[r * c :] = True
    return counts, is_total, lines


def assert_protected(counts, lines, sup, k=K):
    assert (sup | ~d.primary(counts, k)).all(), "every count 1..k-1 is withheld"
    for line in lines:
        n = int(sup[list(line.members)].sum())
        assert n != 1, f"line {line.name or line.members} has a single withheld value"
    assert subtraction_attack(counts, lines, sup) == {}
    assert algebra_attack(counts, lines, sup) == {}


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


def test_build_release_relations_hold_on_the_true_counts():
    rel = d.build_release(events_frame(), ["A", "B"], CATS, 0.5)
    counts = rel.items["events"].to_numpy()
    for line in rel.lines:
        if line.exact:
            assert counts[list(line.plus)].sum() == counts[list(line.minus)].sum(), line.name
    assert set(rel.items["table"]) == {
        "state_totals",
        "state_location",
        "state_perpetrator",
        "state_crime",
        "grid",
    }
    crime_rows = [ln for ln in rel.lines if ln.name.startswith("state_crime: A")]
    assert crime_rows and not crime_rows[0].exact  # crime rows have no released margin


# --------------------------------------------------------------------------
# suppression


def test_primary_withholds_one_to_k_minus_one_but_not_zero():
    assert d.primary(np.array([0, 1, 4, 5, 12]), 5).tolist() == [False, True, True, False, False]


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column():
    cells = np.array([[20, 3, 30], [25, 40, 35], [50, 60, 70]])
    counts, is_total, lines = table_lines(cells)
    sup = d.suppress(counts, is_total, lines, K)
    assert sup[1]  # the 3
    assert sup[:9].sum() >= 4  # a rectangle: 3, one in its row, one in its column, one opposite
    assert not sup[9:].any(), "cells are cheaper complements than totals"
    assert_protected(counts, lines, sup)


def test_brute_force_finds_at_least_two_values_for_every_withheld_cell():
    cells = np.array([[2, 6, 9], [7, 3, 8]])
    counts, is_total, lines = table_lines(cells)
    sup = d.suppress(counts, is_total, lines, K)
    assert sup.tolist()[:6] == [True, True, False, True, True, False]  # 2, 3 and complements 6, 7
    assert_protected(counts, lines, sup)
    options = brute_force(counts, lines, sup, bound=int(cells.sum(axis=1).max()))
    for i, values in options.items():
        assert counts[i] in values
        assert len(values) >= 2, f"cell {i} can only be {values}"


def test_the_audit_breaks_a_bridge_that_the_two_per_line_rule_misses():
    # Two 2x2 blocks of small cells joined by one small cell (a bridge): every
    # row and column holds two or more withheld cells, yet the bridge value
    # follows from the totals. The audit must add a complement.
    cells = np.full((4, 5), 50)
    cells[0:2, 0:2] = [[1, 2], [3, 4]]
    cells[2:4, 3:5] = [[2, 3], [4, 1]]
    cells[1, 3] = 2  # row 1 (block 1) to column 3 (block 2)
    counts, is_total, lines = table_lines(cells)
    first = d.enforce_lines(d.primary(counts, K), lines, d.cost(counts, is_total))
    assert all(int(first[list(ln.members)].sum()) != 1 for ln in lines)
    assert 1 * 5 + 3 in algebra_attack(counts, lines, first), (
        "the bridge is exposed before the audit"
    )
    assert 8 in d.determined(len(counts), lines, first)
    sup = d.suppress(counts, is_total, lines, K)
    assert sup.sum() > first.sum()
    assert_protected(counts, lines, sup)


def test_zeros_are_published_and_never_used_as_complements_on_exact_lines():
    cells = np.array([[0, 3, 9], [0, 8, 9]])
    counts, is_total, lines = table_lines(cells)
    sup = d.suppress(counts, is_total, lines, K)
    assert not sup[[0, 3]].any()
    assert_protected(counts, lines, sup)


def test_protect_blanks_withheld_counts_and_split_gives_the_released_tables():
    ev = pd.concat([events_frame()] * 3 + [events_frame().iloc[:1]], ignore_index=True)
    rel = d.build_release(ev, ["A", "B"], CATS, 0.5)
    items = d.protect(rel, K)
    assert items.loc[items["suppressed"], "events"].isna().all()
    assert items.loc[~items["suppressed"], "events"].notna().all()
    tables = d.split(items)
    assert list(tables) == [
        "state_totals",
        "state_location",
        "state_perpetrator",
        "state_crime",
        "grid",
    ]
    assert tables["state_location"].columns.tolist() == [
        "state",
        "location_type",
        "events",
        "suppressed",
    ]
    assert tables["state_totals"].set_index("state").loc[d.TOTAL, "events"] == len(ev)
    assert_protected(rel.items["events"].to_numpy(), rel.lines, items["suppressed"].to_numpy())


def test_period_gives_first_and_last_month():
    ev = pd.DataFrame({"event_date": ["2017-03-04", "2018-01-31", "2017-01-15"]})
    assert d.period(ev).iloc[0].tolist() == ["2017-01", "2018-01"]


# --------------------------------------------------------------------------
# the committed release


def released(name: str) -> pd.DataFrame:
    df = pd.read_csv(
        RELEASED / f"{name}.csv", keep_default_na=False, na_values=[""], dtype={"suppressed": str}
    )
    df["suppressed"] = df["suppressed"].map({"true": True, "false": False}).astype(bool)
    df["events"] = df["events"].astype("Int64")
    return df


@pytest.fixture(scope="module")
def committed() -> dict[str, pd.DataFrame]:
    if not (RELEASED / "events_by_state.csv").exists():
        pytest.fail("data/released/ has no released aggregates (run rule release_aggregates)")
    names = {
        "state_totals": "events_by_state",
        "state_location": "events_by_state_location",
        "state_perpetrator": "events_by_state_perpetrator",
        "state_crime": "events_by_state_crime",
    }
    return {key: released(name) for key, name in names.items()}


def test_committed_files_withhold_in_pairs_and_publish_nothing_under_k(committed):
    for name, df in committed.items():
        shown = df.loc[~df["suppressed"], "events"].astype("int64")
        assert ((shown == 0) | (shown >= CONFIG_K)).all(), (
            f"{name} publishes a count under {CONFIG_K}"
        )
        assert df.loc[df["suppressed"], "events"].isna().all()
    margin = committed["state_totals"].set_index("state")["suppressed"]
    for name in ("state_location", "state_perpetrator", "state_crime"):
        df, col = committed[name], d.TABLES[name][0]
        exact_rows = d.TABLES[name][3]
        for state, row in df.groupby("state"):
            # a row's margin is the state's total where rows add up to it
            withheld = int(row["suppressed"].sum()) + int(exact_rows and margin[state])
            assert withheld != 1, f"{name}: row {state} has one withheld value"
        for key, column in df.groupby(col):  # the national row is the column margin
            assert column["suppressed"].sum() != 1, f"{name}: column {key} has one withheld value"


def test_committed_files_resist_recomputation_from_totals(committed):
    rel = d.lines_for_tables(committed)
    sup = rel.items["suppressed"].to_numpy(dtype=bool)
    shown = rel.items["events"].fillna(0).to_numpy(dtype=float)
    assert sup.any()
    for line in rel.lines:
        assert int(sup[list(line.members)].sum()) != 1, line.name
    # published values satisfy every relation whose members are all published
    for line in rel.lines:
        if line.exact and not sup[list(line.members)].any():
            assert shown[list(line.plus)].sum() == shown[list(line.minus)].sum(), line.name
    assert subtraction_attack(shown, rel.lines, sup) == {}
    assert algebra_attack(shown, rel.lines, sup) == {}


def test_committed_grid_adds_up_to_the_national_total_where_published():
    grid = released("events_grid")
    totals = released("events_by_state")
    national = int(totals.set_index("state").loc[d.TOTAL, "events"])
    assert grid["suppressed"].sum() != 1
    assert grid["events"].fillna(0).sum() < national  # withheld cells hold the rest
    assert (grid.loc[~grid["suppressed"], "events"] >= CONFIG_K).all()
    # cell centres lie half a cell off the grid lines of the configured size
    for col in ("cell_lat", "cell_lon"):
        offset = (grid[col] / CONFIG_GRID) % 1
        assert np.allclose(offset, 0.5), f"{col} not centred on a {CONFIG_GRID}° grid"
