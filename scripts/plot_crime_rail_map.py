"""Figure 3.2: crimes against migrants and Mexico's freight-rail corridors —
released event counts on a coarse grid over the schematic corridors."""

from typing import Any

import pandas as pd

from prp.artifacts import maps, style
from prp.events.released import withheld_label, withheld_note

LABELS = {  # place -> (dx, dy) in points, alignment
    "Tapachula": (6, -5, "left"),
    "Tenosique": (6, 4, "left"),
    "Coatzacoalcos": (4, 7, "left"),
    "Mexico City": (-7, -4, "right"),
    "Guadalajara": (-7, 0, "right"),
    "Monterrey": (-7, -3, "right"),
    "Nuevo Laredo": (-7, 3, "right"),
    "Ciudad Juárez": (-7, 0, "right"),
    "Nogales": (-7, 0, "right"),
    "Mexicali": (0, 8, "center"),
}


def grid_classes(grid: pd.DataFrame, k: int) -> tuple[pd.DataFrame, list[int]]:
    """The released cells with their map class ('withheld' where withheld) and
    the class bounds."""
    cells = grid.copy()
    cells["suppressed"] = cells["suppressed"].astype(bool)
    published = cells.loc[~cells["suppressed"], "events"].astype("int64")
    bins = maps.class_bins(int(published.max()) if len(published) else k, k)
    labels = maps.class_labels(bins)
    cells["class"] = [
        withheld_label(k) if s else labels[maps.class_of(int(e), bins)]
        for e, s in zip(cells["events"], cells["suppressed"], strict=True)
    ]
    return cells.reset_index(drop=True), bins


def plot(cells: pd.DataFrame, bins: list[int], layers: maps.Layers, degrees: float, k: int):  # noqa: ANN201
    fig, ax = maps.new_map("national")
    maps.draw_base(ax, layers)
    maps.grid_cells(ax, cells, degrees, bins)
    maps.draw_rails(ax, layers)
    towns = layers.places[layers.places["place"].isin(list(LABELS))]
    maps.draw_places(ax, towns.assign(kind="city"), LABELS)
    handles = maps.count_legend_handles(
        bins, withheld_label(k) if cells["suppressed"].any() else None
    )
    handles += maps.feature_legend_handles(rails=True, out_of_service=True, kinds=["city"])
    maps.legend(ax, handles, title=f"Events per {degrees:g}° cell", loc="lower left")
    return fig, ax


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    cells, bins = grid_classes(pd.read_parquet(inputs["grid"]), k)
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    fig, _ = plot(cells, bins, layers, degrees, k)
    maps.assert_offline(maps.configure_cartopy())
    note = withheld_note(k, params.get("note", ""))
    style.write_figure(fig, cells, outputs, params, note)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
