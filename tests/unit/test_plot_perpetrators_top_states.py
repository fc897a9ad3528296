"""Figure 3.7 (perpetrators-top-states): perpetrator shares in the top states."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_perpetrators_top_states import WITHHELD, perpetrator_shares, plot, row_major

from prp.events.disclosure import TOTAL
from prp.events.released import PERPETRATOR_LABELS

TYPES = list(PERPETRATOR_LABELS)


def frames(rows: dict[str, list[int | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    perp, tot = [], []
    for state, values in rows.items():
        for t, v in zip(TYPES, values, strict=True):
            perp.append((state, t, v, v is None))
    true_totals = {"A": 50, "B": 40, "C": 35, "D": 20, "E": 12}
    tot = [(s, n, False) for s, n in true_totals.items()] + [
        (TOTAL, sum(true_totals.values()), False)
    ]
    p = pd.DataFrame(perp, columns=["state", "perpetrator_type", "events", "suppressed"])
    t = pd.DataFrame(tot, columns=["state", "events", "suppressed"])
    p["events"] = p["events"].astype("Int64")
    t["events"] = t["events"].astype("Int64")
    return p, t


ROWS = {
    "A": [20, 5, 10, 5, 5, 5],
    "B": [5, 20, 5, 5, 5, 0],
    "C": [None, 10, None, 10, 5, 5],  # two withheld cells: 3 + 2 = 5 events pooled
    "D": [5, 5, 5, 5, 0, 0],
    "E": [12, 0, 0, 0, 0, 0],
}


def test_shares_add_to_one_per_state_and_withheld_cells_are_pooled():
    p, t = frames(ROWS)
    data = perpetrator_shares(p, t, 5)
    assert list(dict.fromkeys(data["state"])) == ["A", "B", "C", "D", "E"]
    sums = data.groupby("state")["share"].sum()
    assert sums.round(9).eq(1).all()
    pooled = data[(data["state"] == "C") & (data["perpetrator_type"] == WITHHELD)]
    assert pooled["events"].tolist() == [5]
    assert pooled["label"].iloc[0].startswith("Withheld (")
    assert set(data["perpetrator_type"]) <= set(TYPES) | {WITHHELD}


def test_a_single_withheld_cell_in_a_row_is_refused():
    rows = ROWS | {"C": [None, 10, 5, 10, 5, 5]}
    p, t = frames(rows)
    with pytest.raises(ValueError, match="exactly one withheld"):
        perpetrator_shares(p, t, 5)


def test_counts_that_do_not_add_up_are_refused():
    rows = ROWS | {"A": [20, 5, 10, 5, 5, 4]}
    p, t = frames(rows)
    with pytest.raises(ValueError, match="add up"):
        perpetrator_shares(p, t, 5)


def test_legend_reads_row_by_row():
    assert row_major(6, 6) == [0, 1, 2, 3, 4, 5]
    assert row_major(7, 4) == [0, 4, 1, 5, 2, 6, 3]


def test_plot_stacks_to_100_percent_with_a_hatched_withheld_segment():
    p, t = frames(ROWS)
    data = perpetrator_shares(p, t, 5)
    fig = plot(data, 5)
    ax = fig.axes[0]
    ticks = sorted(
        zip(ax.get_yticks(), [x.get_text() for x in ax.get_yticklabels()], strict=True),
        reverse=True,
    )
    assert [label for _, label in ticks] == ["A", "B", "C", "D", "E"]
    assert ax.get_xlim() == (0, 100)
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert legend[0] == "TCO" and "Withheld cells" in legend
    right = {}
    for patch in ax.patches:
        right[round(patch.get_y(), 3)] = max(
            right.get(round(patch.get_y(), 3), 0), patch.get_x() + patch.get_width()
        )
    assert all(abs(v - 100) < 1e-6 for v in right.values())
    assert any(patch.get_hatch() == "////" for patch in ax.patches)
    plt.close(fig)
