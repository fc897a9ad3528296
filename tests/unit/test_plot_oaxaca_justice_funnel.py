"""The Oaxaca justice funnel (plot_oaxaca_justice_funnel)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from plot_oaxaca_justice_funnel import X_LABEL, annotation, funnel_stages, plot  # noqa: E402


def funnel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage_order": [3, 1, 2],
            "stage": ["sentences", "complaints", "preliminary_investigations"],
            "count": [5, 400, 100],
            "period_years": [4, 4, 4],
        }
    )


def test_stages_in_order_with_shares():
    s = funnel_stages(funnel())
    assert list(s["stage"]) == ["complaints", "preliminary_investigations", "sentences"]
    assert list(s["label"]) == [
        "Complaints received",
        "Preliminary investigations opened",
        "Sentences handed down",
    ]
    assert s.loc[1, "share_of_previous"] == pytest.approx(0.25)
    assert s.loc[2, "share_of_previous"] == pytest.approx(0.05)
    assert s.loc[2, "share_of_first"] == pytest.approx(5 / 400)
    assert pd.isna(s.loc[0, "share_of_previous"])


def test_annotations():
    s = funnel_stages(funnel())
    assert annotation(s.loc[0], None, "Complaints received") == "400"
    assert (
        annotation(s.loc[1], "Complaints received", "Complaints received")
        == "100 (25% of complaints received)"
    )
    assert annotation(s.loc[2], "Preliminary investigations opened", "Complaints received") == (
        "5 (5% of preliminary investigations opened; 1% of complaints received)"
    )


def test_growing_funnel_or_mixed_periods_are_errors():
    bad = funnel()
    bad.loc[bad["stage"] == "sentences", "count"] = 150
    with pytest.raises(ValueError, match="more cases"):
        funnel_stages(bad)
    mixed = funnel()
    mixed.loc[0, "period_years"] = 3
    with pytest.raises(ValueError, match="different periods"):
        funnel_stages(mixed)


def test_plot_structure():
    s = funnel_stages(funnel())
    fig = plot(s)
    ax = fig.axes[0]
    assert ax.get_xlabel() == X_LABEL
    ticks = sorted(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True),
        reverse=True,
    )
    assert [label for _, label in ticks] == list(s["label"])  # first stage on top
    widths = [p.get_width() for p in ax.patches]
    assert sorted(widths, reverse=True) == [400, 100, 5]
    plt.close(fig)
