"""Figure 3.1 (crime-locations): national events by location type."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from plot_crime_locations import location_counts, plot

from prp.events.disclosure import TOTAL


def table(national: dict[str, int | None]) -> pd.DataFrame:
    rows = [("Chiapas", t, 1, False) for t in national]
    rows += [(TOTAL, t, v, v is None) for t, v in national.items()]
    df = pd.DataFrame(rows, columns=["state", "location_type", "events", "suppressed"])
    df["events"] = df["events"].astype("Int64")
    return df


NATIONAL = {
    "train_or_tracks": 30,
    "bus": 12,
    "highway": 20,
    "car": 8,
    "rural_path": 12,
    "shelter": 5,
    "other": 13,
}


def test_trains_first_then_by_count_and_other_last():
    data = location_counts(table(NATIONAL), 5)
    assert data["location_type"].tolist() == [
        "train_or_tracks",
        "highway",
        "bus",
        "rural_path",
        "car",
        "shelter",
        "other",
    ]
    assert data["label"].iloc[0] == "Train or tracks"
    assert data["events"].sum() == 100
    assert data["share"].iloc[0] == pytest.approx(0.30)


def test_trains_lead_even_when_not_the_largest():
    data = location_counts(table(NATIONAL | {"highway": 40}), 5)
    assert data["location_type"].iloc[0] == "train_or_tracks"
    assert data["location_type"].iloc[1] == "highway"


def test_withheld_national_counts_print_as_below_k():
    data = location_counts(table(NATIONAL | {"shelter": None, "car": None}), 5)
    assert data.set_index("location_type").loc[["shelter", "car"], "shown"].tolist() == [
        "withheld",
        "withheld",
    ]
    assert data["share"].isna().all()


def test_unknown_location_type_is_an_error():
    bad = table(NATIONAL)
    bad.loc[bad["location_type"] == "car", "location_type"] = "boat"
    with pytest.raises(ValueError, match="no label"):
        location_counts(bad, 5)


def test_plot_bars_in_order_with_value_labels():
    data = location_counts(table(NATIONAL | {"shelter": None}), 5)
    fig = plot(data)
    ax = fig.axes[0]
    ticks = sorted(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True),
        reverse=True,
    )
    assert [label for _, label in ticks] == data["label"].tolist()  # top bar first
    widths = [p.get_width() for p in ax.patches]
    assert widths == data["events"].astype("Float64").fillna(0).astype(float).tolist()
    assert "withheld" in [t.get_text() for t in ax.texts]
    assert ax.get_xlabel() == "Crimes against migrants (events)"
    plt.close(fig)


def test_the_hatching_has_a_legend_that_matches_the_bars():
    data = location_counts(table(NATIONAL), 5)
    fig = plot(data)
    ax = fig.axes[0]
    legend = ax.get_legend()
    entries = dict(
        zip([t.get_text() for t in legend.get_texts()], legend.legend_handles, strict=True)
    )
    assert set(entries) == {"On trains or train tracks", "Elsewhere (hatched)"}
    bars = ax.patches[: len(data)]
    rail = [b for b, t in zip(bars, data["location_type"], strict=True) if t == "train_or_tracks"]
    rest = [b for b, t in zip(bars, data["location_type"], strict=True) if t != "train_or_tracks"]
    assert entries["Elsewhere (hatched)"].get_hatch() == rest[0].get_hatch() == "//"
    assert not entries["On trains or train tracks"].get_hatch() and not rail[0].get_hatch()
    plt.close(fig)
