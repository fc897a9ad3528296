"""Figure 3.6: crimes against migrants along the U.S.-Mexico border — the six
border states with their released event counts and event density, the main
crossings and the rail corridors that reach them."""

from typing import Any

import pandas as pd

from prp import maps, style
from prp.events import counts_by_state, shown
from prp.io import write_csv, write_text
from prp.sources import source_line

STATES = maps.US_BORDER_STATES
EXTENT = "us_border"
LABELS = {  # place -> (dx, dy) in points, alignment
    "Tijuana": (0, -9, "center"),
    "Mexicali": (0, 9, "center"),
    "Nogales": (0, 9, "center"),
    "Ciudad Juárez": (0, 9, "center"),
    "Piedras Negras": (-7, 3, "right"),
    "Nuevo Laredo": (7, 3, "left"),
    "Reynosa": (-3, 9, "right"),
    "Matamoros": (5, 8, "left"),
}
STATE_POSITIONS = {  # lon, lat of the state labels: clear of cells, lines and places
    "Baja California": (-115.3, 30.6),
    "Sonora": (-110.0, 29.2),
    "Chihuahua": (-106.3, 28.9),
    "Coahuila": (-102.4, 27.4),
    "Nuevo León": (-100.15, 23.45),
    "Tamaulipas": (-96.7, 24.1),
}


def map_places(places: pd.DataFrame) -> pd.DataFrame:
    """The crossings on the U.S. border (Mexican side)."""
    keep = (places["kind"] == "border_crossing") & places["state"].isin(STATES)
    return places[keep].reset_index(drop=True)


def region_counts(totals: pd.DataFrame, k: int) -> pd.DataFrame:
    counts = counts_by_state(totals)
    missing = [s for s in STATES if s not in counts]
    if missing:
        raise ValueError(f"no released count for {missing}")
    return pd.DataFrame(
        {
            "state": STATES,
            "events": pd.array([counts[s] for s in STATES], dtype="Int64"),
            "shown": [shown(counts[s], counts[s] is None, k) for s in STATES],
        }
    )


def plot(
    region: pd.DataFrame,
    grid: pd.DataFrame,
    places: pd.DataFrame,
    layers: maps.Layers,
    degrees: float,
    k: int,
):  # noqa: ANN201
    fig, ax = maps.new_map(EXTENT)
    maps.draw_base(ax, layers, faded=[s for s in layers.states if s not in STATES])
    cells = grid.assign(suppressed=grid["suppressed"].astype(bool))
    published = cells.loc[~cells["suppressed"], "events"].astype("int64")
    bins = maps.class_bins(int(published.max()) if len(published) else k, k)
    drawn = maps.grid_cells(ax, cells, degrees, bins, within=STATES, layers=layers)
    for name in STATES:
        ax.add_geometries(
            [layers.states[name]],
            crs=maps.lonlat(),
            facecolor="none",
            edgecolor="black",
            linewidth=0.9,
            zorder=5,
        )
    maps.draw_rails(ax, layers)
    maps.draw_places(ax, places, LABELS)
    maps.label_states(
        ax,
        layers,
        {r.state: f"{r.state}\n{r.shown}" for r in region.itertuples()},
        positions=STATE_POSITIONS,
    )
    handles = maps.count_legend_handles(bins, f"<{k}" if drawn["suppressed"].any() else None)
    handles += maps.feature_legend_handles(rails=True, kinds=["border_crossing"])
    maps.legend(ax, handles, title=f"Events per {degrees:g}° cell", loc="lower left")
    return fig, ax, drawn


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    region = region_counts(pd.read_parquet(inputs["totals"]), k)
    fig, _, drawn = plot(
        region, pd.read_parquet(inputs["grid"]), map_places(layers.places), layers, degrees, k
    )
    write_csv(outputs["csv"], drawn)
    style.save(fig, outputs["svg"])
    maps.assert_offline(maps.configure_cartopy())
    note = (params.get("note", "") + f" Counts under {k} are withheld and shown as <{k}.").strip()
    source = source_line(params["data_dir"], params["datasets"], note)
    write_text(
        outputs["md"],
        style.figure_markdown(
            params["id"], params["caption"], params["alt"], source, f"{params['id']}.svg"
        ),
    )


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
