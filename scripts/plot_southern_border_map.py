"""Figure 3.5: the southern border region — Chiapas, Tabasco, Oaxaca,
Veracruz and Campeche with their released event counts and event density,
the official crossings into Guatemala and Belize, the rail corridors
(including the out-of-service coastal line migrants walk), Tapachula and the
La Arrocera checkpoint area. Only features with a source in data/geo are
drawn."""

from typing import Any

import pandas as pd

from prp.artifacts import maps, region_map, regions

STATES = regions.SOUTHERN_STATES
EXTENT = "southern_border"
CROSSING_STATES = ["Chiapas", "Tabasco", "Quintana Roo"]  # the Guatemalan and Belizean borders
LABELS = [  # places labelled, in placing order (the crowded ones first)
    "Tapachula",
    "Ciudad Hidalgo",
    "Talismán",
    "La Arrocera",
    "Arriaga",
    "Ixtepec",
    "Coatzacoalcos",
    "Tenosique",
    "El Ceibo",
    "Frontera Corozal",
    "Ciudad Cuauhtémoc",
    "Subteniente López",
]
REGION = region_map.Region(
    states=STATES,
    extent=EXTENT,
    labels=LABELS,
)


def map_places(places: pd.DataFrame) -> pd.DataFrame:
    """Places drawn: the border crossings of the southern border, Tapachula,
    La Arrocera and the corridor towns named in the labels."""
    crossings = (places["kind"] == "border_crossing") & places["state"].isin(CROSSING_STATES)
    named = places["place"].isin(list(LABELS))
    return places[crossings | named].reset_index(drop=True)


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
    features = maps.feature_legend_handles(
        rails=True,
        out_of_service=True,
        kinds=[c for c in maps.MARKERS if (places["kind"] == c).any()],
    )
    return region_map.plot_region(REGION, region, grid, places, layers, degrees, k, features)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    layers, counts, grid = region_map.load_region_inputs(REGION, inputs, k)
    fig, _, drawn = plot(counts, grid, map_places(layers.places), layers, degrees, k)
    region_map.write_region_map(fig, drawn, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
