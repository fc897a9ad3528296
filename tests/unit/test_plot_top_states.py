"""Figure 3.4 (top-states): the five states with the most events."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_top_states import plot, top_states

from prp.events.disclosure import TOTAL


def totals(values: dict[str, int | None], national: int) -> pd.DataFrame:
    rows = [(s, v, v is None) for s, v in values.items()] + [(TOTAL, national, False)]
    df = pd.DataFrame(rows, columns=["state", "events", "suppressed"])
    df["events"] = df["events"].astype("Int64")
    return df


VALUES = {
    "Tamaulipas": 40,
    "Chiapas": 30,
    "Oaxaca": 20,
    "Tabasco": 10,
    "Veracruz": 10,
    "Sonora": 6,
    "Colima": None,
    "Nayarit": None,
}


def test_top_five_in_order_with_shares_of_the_national_total():
    data = top_states(totals(VALUES, 120))
    assert data["state"].tolist() == ["Tamaulipas", "Chiapas", "Oaxaca", "Tabasco", "Veracruz"]
    assert data["rank"].tolist() == [1, 2, 3, 4, 5]
    assert data["share"].iloc[0] == pytest.approx(40 / 120)
    assert "Colima" not in data["state"].tolist()


def test_too_few_published_states_is_an_error():
    with pytest.raises(ValueError, match="need 5"):
        top_states(totals({"A": 10, "B": 9, "C": None, "D": None}, 25))


def test_withheld_national_total_is_an_error():
    t = totals(VALUES, 120)
    t.loc[t["state"] == TOTAL, "suppressed"] = True
    with pytest.raises(ValueError, match="national total"):
        top_states(t)


def test_plot_has_five_bars_labelled_with_count_and_share():
    data = top_states(totals(VALUES, 120))
    fig = plot(data)
    ax = fig.axes[0]
    ticks = sorted(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True),
        reverse=True,
    )
    assert [label for _, label in ticks] == data["state"].tolist()  # largest on top
    assert len(ax.patches) == 5
    assert "40 (33%)" in [t.get_text() for t in ax.texts]
    plt.close(fig)


def test_caption_says_what_the_bars_count():
    """Issue 15: the caption said "High Impact Crimes" while the bars count
    every event; the bars are all events, so the caption names no subset."""
    from pathlib import Path

    import yaml

    catalog = Path(__file__).resolve().parents[2] / "config" / "artifacts" / "part3_events.yaml"
    entry = yaml.safe_load(catalog.read_text(encoding="utf-8"))["figures"]["top-states"]
    assert "high impact" not in entry["caption"].lower()
    assert "high-impact" not in entry["caption"].lower()
    assert "every crime type" in entry["note"]
