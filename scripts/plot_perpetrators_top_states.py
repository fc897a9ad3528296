"""Figure 3.7: who the reported perpetrators were in the five states with the
most crimes against migrants — stacked shares of each state's events by
perpetrator type, from the released counts. Withheld cells are pooled into
one hatched segment labelled "Withheld" (their sum is the state's published
total minus its published cells, so the segment reveals nothing more)."""

from typing import Any

import pandas as pd

from prp.artifacts import style
from prp.events.released import PERPETRATOR_LABELS, ranked_states, withheld_note

TOP = 5
WITHHELD = "withheld"


def perpetrator_shares(
    perpetrators: pd.DataFrame, totals: pd.DataFrame, k: int, n: int = TOP
) -> pd.DataFrame:
    """For the ``n`` states with most events: one row per perpetrator type
    (published counts) plus one 'withheld' row holding the events of the
    withheld cells together (the state's total minus its published cells,
    never a single withheld cell); with each row's share of the state's
    events. States in rank order, types in the order of the labels."""
    top = ranked_states(totals, n)
    rows = []
    for state, total in zip(top["state"], top["events"], strict=True):
        sub = perpetrators[perpetrators["state"] == state].set_index("perpetrator_type")
        missing = sorted(set(PERPETRATOR_LABELS) - set(sub.index))
        if missing:
            raise ValueError(f"{state}: no released count for {missing}")
        published = 0
        n_withheld = 0
        for ptype in PERPETRATOR_LABELS:
            if bool(sub.loc[ptype, "suppressed"]):
                n_withheld += 1
                continue
            events = int(sub.loc[ptype, "events"])
            published += events
            rows.append((state, ptype, PERPETRATOR_LABELS[ptype], events, events / total))
        rest = int(total) - published
        if n_withheld == 1:
            raise ValueError(f"{state}: exactly one withheld cell; the release is not protected")
        if n_withheld:
            rows.append(
                (
                    state,
                    WITHHELD,
                    f"Withheld ({n_withheld} types)",
                    rest,
                    rest / total,
                )
            )
        elif rest:
            raise ValueError(f"{state}: perpetrator counts add up to {published}, not {total}")
    out = pd.DataFrame(rows, columns=["state", "perpetrator_type", "label", "events", "share"])
    return out


def row_major(n: int, ncol: int) -> list[int]:
    """Order in which to hand ``n`` legend entries to matplotlib (which fills
    columns first) so that they read left to right, row by row."""
    rows = -(-n // ncol)
    return [r * ncol + c for c in range(ncol) for r in range(rows) if r * ncol + c < n]


def plot(data: pd.DataFrame, k: int):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=2.9)
    states = list(dict.fromkeys(data["state"]))
    y = {s: i for i, s in enumerate(reversed(states))}
    left = {s: 0.0 for s in states}
    colours = dict(zip(PERPETRATOR_LABELS, style.SERIES, strict=True))
    hatches = dict(zip(PERPETRATOR_LABELS, style.HATCHES, strict=True))
    seen = set()
    for ptype in [*PERPETRATOR_LABELS, WITHHELD]:
        sub = data[data["perpetrator_type"] == ptype]
        for row in sub.itertuples(index=False):
            share = float(row.share) * 100
            label = None
            if ptype not in seen:
                label = PERPETRATOR_LABELS[ptype] if ptype != WITHHELD else "Withheld cells"
                seen.add(ptype)
            if ptype == WITHHELD:
                ax.barh(
                    y[row.state],
                    share,
                    left=left[row.state],
                    color="white",
                    hatch="////",
                    edgecolor=style.GREY,
                    linewidth=0.3,
                    height=0.7,
                    label=label,
                )
            else:
                ax.barh(
                    y[row.state],
                    share,
                    left=left[row.state],
                    color=colours[ptype],
                    hatch=hatches[ptype],
                    edgecolor="white",
                    linewidth=0.3,
                    height=0.7,
                    label=label,
                )
            if share >= 7:  # narrower segments stay unlabelled; the CSV has every value
                ax.text(
                    left[row.state] + share / 2,
                    y[row.state],
                    f"{share:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=style.SMALL,
                    color="black",
                    bbox={
                        "boxstyle": "round,pad=0.15",
                        "facecolor": "white",
                        "edgecolor": "none",
                        "alpha": 0.9,
                    },
                )
            left[row.state] += share
    ax.set_yticks([y[s] for s in states], states)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of the state's crimes against migrants, by reported perpetrator (%)")
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    handles, labels = ax.get_legend_handles_labels()
    ncol = len(labels) if len(labels) <= 6 else 4
    order = row_major(len(labels), ncol)
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=ncol,
        frameon=False,
        columnspacing=1.2,
        handlelength=1.6,
    )
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k = int(params["k"])
    data = perpetrator_shares(
        pd.read_parquet(inputs["perpetrator"]), pd.read_parquet(inputs["totals"]), k
    )
    note = withheld_note(k, params.get("note", ""))
    style.write_figure(plot(data, k), data, outputs, params, note)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
