"""Regional maps of released crime-event data (Figures 3.5 and 3.6): each
state of the region with its released count, event density per grid cell,
rail corridors and the places a region names. A script describes its region
(``Region``) and which places and legend entries it shows; drawing and
writing are shared here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from prp.artifacts import maps, style
from prp.events.released import counts_by_state, shown, withheld_label, withheld_note


@dataclass(frozen=True)
class Region:
    states: list[str]
    extent: str  # key of maps' extents
    labels: list[str] = field(default_factory=list)  # places labelled, in placing order
    legend_columns: int = 4


def region_counts(totals: pd.DataFrame, states: list[str], k: int) -> pd.DataFrame:
    """Released event count of each state of the region, in the region's
    order, with the text the map prints ('withheld' for a withheld count)."""
    counts = counts_by_state(totals)
    missing = [s for s in states if s not in counts]
    if missing:
        raise ValueError(f"no released count for {missing}")
    return pd.DataFrame(
        {
            "state": states,
            "events": pd.array([counts[s] for s in states], dtype="Int64"),
            "shown": [shown(counts[s], counts[s] is None, k) for s in states],
        }
    )


def plot_region(
    region: Region,
    counts: pd.DataFrame,
    grid: pd.DataFrame,
    places: pd.DataFrame,
    layers: maps.Layers,
    degrees: float,
    k: int,
    features: list[Any],
) -> tuple[Any, Any, pd.DataFrame]:
    """The map, its axes and the grid cells drawn. ``features`` are the
    legend entries for rails and places (maps.feature_legend_handles)."""
    fig, ax = maps.new_map(region.extent)
    maps.draw_base(ax, layers, faded=[s for s in layers.states if s not in region.states])
    cells = grid.assign(suppressed=grid["suppressed"].astype(bool))
    published = cells.loc[~cells["suppressed"], "events"].astype("int64")
    bins = maps.class_bins(int(published.max()) if len(published) else k, k)
    drawn = maps.grid_cells(ax, cells, degrees, bins, within=region.states, layers=layers)
    for name in region.states:
        ax.add_geometries(
            [layers.states[name]],
            crs=maps.lonlat(),
            facecolor="none",
            edgecolor="black",
            linewidth=0.9,
            zorder=5,
        )
    maps.draw_rails(ax, layers, within=region.states)
    maps.draw_places(ax, places)
    handles = maps.count_legend_handles(
        bins, withheld_label(k) if drawn["suppressed"].any() else None
    )
    handles += features
    maps.legend(ax, handles, title=f"Events per {degrees:g}° cell", ncol=region.legend_columns)
    maps.label_places(ax, places, region.labels)
    # state labels last: they may go anywhere in (or just off) their state
    maps.label_states(ax, layers, {r.state: f"{r.state}\n{r.shown}" for r in counts.itertuples()})
    return fig, ax, drawn


def load_region_inputs(
    region: Region, inputs: dict[str, Any], k: int
) -> tuple[maps.Layers, pd.DataFrame, pd.DataFrame]:
    """Map layers, the region's counts and the released grid, from a rule's inputs."""
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    counts = region_counts(pd.read_parquet(inputs["totals"]), region.states, k)
    return layers, counts, pd.read_parquet(inputs["grid"])


def write_region_map(fig: Any, drawn: pd.DataFrame, outputs: dict[str, Any], params: dict) -> None:
    """The map's csv (cells drawn), svg and snippet, noting the withheld counts."""
    k = int(params["k"])
    maps.assert_offline(maps.configure_cartopy())
    note = withheld_note(k, params.get("note", ""))
    style.write_figure(fig, drawn, outputs, params, note)
