"""Figure 3.3: crimes against migrants by Mexican state — a choropleth of the
released state totals; states whose count is withheld are hatched."""

from typing import Any

import pandas as pd

from prp.artifacts import maps, style
from prp.events.released import (
    counts_by_state,
    ranked_states,
    shown,
    states_only,
    withheld_label,
    withheld_note,
)

LABELLED = 5  # the top states get their name and count written on the map


def state_classes(totals: pd.DataFrame, k: int) -> tuple[pd.DataFrame, list[int]]:
    """One row per state: count (empty where withheld), printed value and map
    class; and the class bounds."""
    data = states_only(totals).copy()
    data["suppressed"] = data["suppressed"].astype(bool)
    published = data.loc[~data["suppressed"], "events"].astype("int64")
    bins = maps.class_bins(int(published.max()) if len(published) else k, k)
    labels = maps.class_labels(bins)

    def klass(events: Any, suppressed: bool) -> str:
        if suppressed:
            return withheld_label(k)
        return "0" if int(events) == 0 else labels[maps.class_of(int(events), bins)]

    data["class"] = [klass(e, s) for e, s in zip(data["events"], data["suppressed"], strict=True)]
    data["shown"] = [
        shown(e, s, k) for e, s in zip(data["events"], data["suppressed"], strict=True)
    ]
    return data[["state", "events", "suppressed", "shown", "class"]], bins


def plot(totals: pd.DataFrame, bins: list[int], layers: maps.Layers, k: int):  # noqa: ANN201
    fig, ax = maps.new_map("national")
    maps.draw_base(ax, layers)
    counts = counts_by_state(totals)
    maps.choropleth(ax, layers, counts, bins)
    top = ranked_states(totals, LABELLED)
    maps.label_states(
        ax,
        layers,
        {s: f"{s}\n{int(n):,}" for s, n in zip(top["state"], top["events"], strict=True)},
    )
    withheld = any(v is None for v in counts.values())
    maps.legend(
        ax,
        maps.count_legend_handles(bins, withheld_label(k) if withheld else None),
        title="Events per state",
    )
    return fig, ax


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k = int(params["k"])
    totals = pd.read_parquet(inputs["totals"])
    data, bins = state_classes(totals, k)
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    fig, _ = plot(totals, bins, layers, k)
    maps.assert_offline(maps.configure_cartopy())
    note = withheld_note(k, params.get("note", ""))
    style.write_figure(fig, data, outputs, params, note)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
