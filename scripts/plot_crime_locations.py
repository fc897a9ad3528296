"""Figure 3.1: where crimes against migrants took place — events by location
type across Mexico, from the released (disclosure-controlled) counts, trains
and tracks first."""

from typing import Any

import pandas as pd
from matplotlib.patches import Patch

from prp.artifacts import style
from prp.events.released import LOCATION_LABELS, labelled, national, shown, withheld_note

FIRST = "train_or_tracks"
LAST = "other"
LEGEND = {FIRST: "On trains or train tracks", "": "Elsewhere (hatched)"}
"""What the two bar styles mean (the hatching sets the rail bar apart in grey print)."""


def location_counts(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """National events by location type: trains and tracks first, then by
    count (largest first), 'other' last; with label, share of all events
    placed and the printed value."""
    nat = national(table).copy()
    if nat["location_type"].duplicated().any() or nat.empty:
        raise ValueError("the national row must list each location type once")
    nat["label"] = labelled(nat, "location_type", LOCATION_LABELS)
    nat["suppressed"] = nat["suppressed"].astype(bool)
    known = nat.loc[~nat["suppressed"], "events"].astype("int64")
    nat["rank"] = nat["events"].astype("Float64").fillna(-1)
    nat["order"] = 1
    nat.loc[nat["location_type"] == FIRST, "order"] = 0
    nat.loc[nat["location_type"] == LAST, "order"] = 2
    nat = nat.sort_values(
        ["order", "rank", "location_type"], ascending=[True, False, True], kind="stable"
    )
    total = int(known.sum()) if not nat["suppressed"].any() else None
    nat["share"] = (nat["events"].astype("Float64") / total) if total else pd.NA
    nat["shown"] = [shown(e, s, k) for e, s in zip(nat["events"], nat["suppressed"], strict=True)]
    return nat[["location_type", "label", "events", "suppressed", "share", "shown"]].reset_index(
        drop=True
    )


def plot(data: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=2.9)
    y = list(range(len(data)))[::-1]
    values = data["events"].astype("Float64").fillna(0).astype(float)
    colours = [
        style.SERIES[0] if t == FIRST else style.PALETTE["sky"] for t in data["location_type"]
    ]
    hatches = ["" if t == FIRST else "//" for t in data["location_type"]]
    bars = ax.barh(y, values, color=colours, edgecolor="white", linewidth=0.3, height=0.7)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    ax.set_yticks(y, data["label"])
    top = float(values.max()) if len(values) else 1.0
    for yi, v, text in zip(y, values, data["shown"], strict=True):
        ax.text(v + top * 0.01, yi, text, va="center", ha="left", fontsize=style.SMALL)
    ax.set_xlim(0, top * 1.12)
    ax.xaxis.set_major_formatter(style.thousands_formatter())
    ax.set_xlabel("Crimes against migrants (events)")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.legend(
        handles=[
            Patch(facecolor=style.SERIES[0], edgecolor="white", label=LEGEND[FIRST]),
            Patch(facecolor=style.PALETTE["sky"], edgecolor="white", hatch="//", label=LEGEND[""]),
        ],
        loc="lower right",
        frameon=False,
    )
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k = int(params["k"])
    data = location_counts(pd.read_parquet(inputs["location"]), k)
    style.write_figure(plot(data), data, outputs, params, withheld_note(k, params.get("note", "")))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
