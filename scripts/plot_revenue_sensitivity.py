"""Appendix figure: tornado chart of Table 3.4's total. Each bar moves one
input from its low to its high value with every other input central; bars
are sorted by swing, the largest on top. Inputs the data hold fixed (no
range) have no bar."""

import textwrap
from typing import Any

import pandas as pd

from prp.artifacts import style
from prp.artifacts.fmt import thousands
from prp.artifacts.revenue import BASE_PARAMETER, share_label, tornado

LOW_LABEL = "Input at its low value"
HIGH_LABEL = "Input at its high value"
X_LABEL = "Total annual revenue (US$ millions)"


def bar_label(row: pd.Series, width: int = 34) -> str:
    """'Share affected: Robbery (2.5%–7.5%)', wrapped to ``width``."""
    lo, hi = row["low_value"], row["high_value"]
    if row["parameter"] == BASE_PARAMETER:
        text = f"Migrants entering Mexico a year ({thousands(round(lo))}–{thousands(round(hi))})"
    elif row["kind"] == "share":
        text = f"Share affected: {row['crime']} ({share_label(lo)}–{share_label(hi)})"
    else:
        lo_usd, hi_usd = thousands(round(lo)), thousands(round(hi))
        text = f"Revenue per migrant: {row['crime']} (US${lo_usd}–US${hi_usd})"
    return "\n".join(textwrap.wrap(text, width))


def tornado_bars(assumptions: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Plotted data: the inputs that move the total, largest swing first,
    with totals in US$ millions and a display label."""
    bars = tornado(assumptions, base)
    bars = bars[bars["swing_usd"] > 0].reset_index(drop=True)
    if bars.empty:
        raise ValueError("no input has a range: nothing to plot")
    out = bars[["parameter", "kind", "crime", "low_value", "central_value", "high_value"]].copy()
    for col in ("low", "central", "high"):
        out[f"{col}_total_millions"] = bars[f"{col}_total_usd"] / 1e6
    out["swing_millions"] = bars["swing_usd"] / 1e6
    out["label"] = [bar_label(r) for _, r in bars.iterrows()]
    return out


def plot(bars: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=0.55 * len(bars) + 1.3)
    central = float(bars["central_total_millions"].iloc[0])
    y = list(range(len(bars)))[::-1]  # largest swing on top
    lows = bars["low_total_millions"] - central
    highs = bars["high_total_millions"] - central
    ax.barh(
        y,
        lows,
        left=central,
        height=0.6,
        color=style.SERIES[0],
        hatch=style.HATCHES[0],
        edgecolor="white",
        linewidth=0.3,
        label=LOW_LABEL,
    )
    ax.barh(
        y,
        highs,
        left=central,
        height=0.6,
        color=style.SERIES[1],
        hatch=style.HATCHES[1],
        edgecolor="white",
        linewidth=0.3,
        label=HIGH_LABEL,
    )
    values = bars[["low_total_millions", "high_total_millions"]].to_numpy()
    span = float(values.max() - values.min())
    pad = 0.015 * span
    for yi, (_, row) in zip(y, bars.iterrows(), strict=True):
        for value in (row["low_total_millions"], row["high_total_millions"]):
            right = value >= central
            ax.text(
                value + (pad if right else -pad),
                yi,
                f"{value:,.1f}",
                va="center",
                ha="left" if right else "right",
                fontsize=style.SMALL,
            )
    ax.axvline(central, color=style.GREY, linewidth=1.0, gid="central-line")
    # the label sits above the plot area, where the line (inside it) cannot cross it
    ax.annotate(
        f"Central estimate: {central:,.1f}",
        xy=(central, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=style.SMALL,
        color=style.GREY,
        gid="central-label",
    )
    ax.set_yticks(y, bars["label"])
    lo = float(bars["low_total_millions"].min())
    hi = float(bars["high_total_millions"].max())
    ax.set_xlim(lo - 0.12 * span, hi + 0.12 * span)
    ax.set_ylim(-0.6, len(bars) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(style.thousands_formatter())
    ax.set_xlabel(X_LABEL)
    ax.legend(loc="lower right", frameon=False)
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    bars = tornado_bars(pd.read_parquet(inputs["assumptions"]), pd.read_parquet(inputs["base"]))
    style.write_figure(plot(bars), bars, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
