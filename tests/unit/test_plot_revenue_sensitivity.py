"""Tornado chart of Table 3.4's total (plot_revenue_sensitivity)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from plot_revenue_sensitivity import HIGH_LABEL, LOW_LABEL, X_LABEL, plot, tornado_bars  # noqa: E402

from tests.unit.test_revenue import make_assumptions, make_base  # noqa: E402


def test_bars_sorted_by_swing_without_fixed_inputs():
    bars = tornado_bars(make_assumptions(), make_base())
    assert list(bars["parameter"]) == [
        "share:piso",
        "migrants_per_year",
        "share:kidnapping",
        "share:robbery",
    ]
    assert bars["swing_millions"].is_monotonic_decreasing
    assert bars.iloc[0]["label"].replace("\n", " ") == "Share affected: Piso (30%–90%)"
    assert (
        bars.iloc[1]["label"].replace("\n", " ")
        == "Migrants entering Mexico a year (300,000–500,000)"
    )
    assert (bars["low_total_millions"] < bars["central_total_millions"]).all()


def test_plot_structure():
    bars = tornado_bars(make_assumptions(), make_base())
    fig = plot(bars)
    ax = fig.axes[0]
    assert ax.get_xlabel() == X_LABEL
    # largest swing on top: labels read from the highest tick down
    ticks = sorted(
        zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True),
        reverse=True,
    )
    assert [label for _, label in ticks] == list(bars["label"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [LOW_LABEL, HIGH_LABEL]
    assert len(ax.patches) == 2 * len(bars)
    plt.close(fig)


def test_central_line_does_not_strike_through_its_label():
    from shapely.geometry import LineString, box

    from prp.artifacts import layout

    fig = plot(tornado_bars(make_assumptions(), make_base()))
    ax = fig.axes[0]
    rend = layout.renderer(fig)
    (line,) = [x for x in ax.lines if x.get_gid() == "central-line"]
    (label,) = [t for t in ax.texts if t.get_gid() == "central-label"]
    assert label.get_text().startswith("Central estimate: ")
    e = label.get_window_extent(rend)
    xy = line.get_transform().transform(line.get_xydata())
    assert not LineString(xy).intersects(box(e.x0, e.y0, e.x1, e.y1))
    # and no bar value label, tick label or legend overlaps another text
    assert layout.problems(fig) == []
    plt.close(fig)
