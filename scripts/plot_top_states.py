"""Figure 3.4: the five Mexican states with the most crimes against migrants,
from the released state totals."""

from typing import Any

import pandas as pd

from prp.artifacts import style
from prp.events.released import national_total, ranked_states

TOP = 5


def top_states(totals: pd.DataFrame, n: int = TOP) -> pd.DataFrame:
    """The ``n`` states with the most published events, most first, with
    their share of all events and rank."""
    top = ranked_states(totals, n)
    if len(top) < n:
        raise ValueError(f"only {len(top)} states have a published count; need {n}")
    top["share"] = top["events"] / national_total(totals)
    top["rank"] = range(1, len(top) + 1)
    return top[["rank", "state", "events", "share"]]


def plot(data: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=2.5)
    y = list(range(len(data)))[::-1]
    ax.barh(y, data["events"], color=style.SERIES[0], height=0.65)
    ax.set_yticks(y, data["state"])
    top = float(data["events"].max())
    for yi, v, s in zip(y, data["events"], data["share"], strict=True):
        ax.text(
            v + top * 0.01,
            yi,
            f"{int(v):,} ({s * 100:.0f}%)",
            va="center",
            ha="left",
            fontsize=style.SMALL,
        )
    ax.set_xlim(0, top * 1.2)
    ax.xaxis.set_major_formatter(style.thousands_formatter())
    ax.set_xlabel("Crimes against migrants (events; share of all events in Mexico)")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    data = top_states(pd.read_parquet(inputs["totals"]))
    style.write_figure(plot(data), data, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
