"""Figure 3.6: crimes against migrants along the U.S.-Mexico border — the six
border states with their released event counts and event density, the main
crossings and the rail corridors that reach them."""

from typing import Any

import pandas as pd

from prp.artifacts import maps, region_map, regions

STATES = regions.US_BORDER_STATES
EXTENT = "us_border"
LABELS = [  # places labelled, in placing order (the crowded ones first)
    "Tijuana",
    "Mexicali",
    "Nogales",
    "Ciudad Juárez",
    "Piedras Negras",
    "Nuevo Laredo",
    "Reynosa",
    "Matamoros",
]
REGION = region_map.Region(
    states=STATES,
    extent=EXTENT,
    labels=LABELS,
)


def map_places(places: pd.DataFrame) -> pd.DataFrame:
    """The crossings on the U.S. border (Mexican side)."""
    keep = (places["kind"] == "border_crossing") & places["state"].isin(STATES)
    return places[keep].reset_index(drop=True)


def region_counts(totals: pd.DataFrame, k: int) -> pd.DataFrame:
    return region_map.region_counts(totals, STATES, k)


def plot(
    region: pd.DataFrame,
    grid: pd.DataFrame,
    places: pd.DataFrame,
    layers: maps.Layers,
    degrees: float,
    k: int,
):  # noqa: ANN201
    features = maps.feature_legend_handles(rails=True, kinds=["border_crossing"])
    return region_map.plot_region(REGION, region, grid, places, layers, degrees, k, features)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    layers, counts, grid = region_map.load_region_inputs(REGION, inputs, k)
    fig, _, drawn = plot(counts, grid, map_places(layers.places), layers, degrees, k)
    region_map.write_region_map(fig, drawn, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
