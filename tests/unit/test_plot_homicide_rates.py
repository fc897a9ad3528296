"""Figure 1.2 (homicide rates): plotted data, labels and legend."""

from __future__ import annotations

import pandas as pd
import pytest
from plot_homicide_rates import (
    COMPARISON_GROUP,
    NTCA_GROUP,
    X_LABEL,
    comparison_frame,
    legend_labels,
    plot,
)


def rates(mexico_year: int = 2005) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["Mexico", "Honduras", "El Salvador", "United States", "Guatemala"],
            "year": [mexico_year, 2015, 2015, mexico_year, 2015],
            "rate_per_100k": [16.3, 57.0, 103.0, 4.9, 29.5],
        }
    )


def test_ntca_first_then_comparison_each_by_rate():
    d = comparison_frame(rates())
    assert list(d["country"]) == ["El Salvador", "Honduras", "Guatemala", "Mexico", "United States"]
    assert list(d["group"]) == [NTCA_GROUP] * 3 + [COMPARISON_GROUP] * 2
    assert list(d["rate_per_100k"]) == [103.0, 57.0, 29.5, 16.3, 4.9]


def test_labels_carry_the_year_of_each_rate():
    d = comparison_frame(rates())
    assert d.loc[0, "label"] == "El Salvador (2015)"
    assert d.loc[3, "label"] == "Mexico (2005)"


def test_legend_flags_a_year_that_differs_from_the_ntca_year():
    assert legend_labels(comparison_frame(rates(2005))) == {
        NTCA_GROUP: "Northern Triangle, 2015",
        COMPARISON_GROUP: "Mexico and United States (World Bank), 2005 as printed in 2018",
    }
    same = legend_labels(comparison_frame(rates(2015)))
    assert same[COMPARISON_GROUP] == "Mexico and United States (World Bank), 2015"


def test_missing_or_duplicated_country_is_an_error():
    with pytest.raises(ValueError, match="lack Guatemala"):
        comparison_frame(rates()[rates()["country"] != "Guatemala"])
    doubled = pd.concat([rates(), rates().iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one homicide rate for Honduras"):
        comparison_frame(doubled)


def test_plot_bars_ticks_axis_and_legend():
    d = comparison_frame(rates())
    fig = plot(d)
    ax = fig.axes[0]
    bars = [p for c in ax.containers for p in c]
    assert sorted(round(b.get_width(), 1) for b in bars) == [4.9, 16.3, 29.5, 57.0, 103.0]
    # The first row of the data is drawn on top.
    ticks = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert ticks["El Salvador (2015)"] > ticks["United States (2005)"]
    assert ax.get_xlabel() == X_LABEL
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == list(legend_labels(d).values())
    values = {t.get_text() for t in ax.texts}
    assert {"103", "29.5", "4.9"} <= values
