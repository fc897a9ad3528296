"""Figure 3.5: the southern border region — Chiapas, Tabasco, Oaxaca,
Veracruz and Campeche with their released event counts and event density,
the official crossings into Guatemala and Belize, the rail corridors
(including the out-of-service coastal line migrants walk), Tapachula and the
La Arrocera checkpoint area. Only features with a source in data/geo are
drawn."""

from typing import Any

import pandas as pd

from prp import maps, style
from prp.events import counts_by_state, shown
from prp.io import write_csv, write_text
from prp.sources import source_line

STATES = maps.SOUTHERN_STATES
EXTENT = "southern_border"
CROSSING_STATES = ["Chiapas", "Tabasco", "Quintana Roo"]  # the Guatemalan and Belizean borders
LABELS = {  # place -> (dx, dy) in points, alignment
    "Tapachula": (-7, 0, "right"),
    "La Arrocera": (-7, 3, "right"),
    "Ciudad Hidalgo": (-7, -4, "right"),
    "Talismán": (7, -1, "left"),
    "Ciudad Cuauhtémoc": (7, 0, "left"),
    "Frontera Corozal": (7, 0, "left"),
    "El Ceibo": (7, 0, "left"),
    "Subteniente López": (0, -9, "center"),
    "Arriaga": (0, 9, "center"),
    "Ixtepec": (-7, -3, "right"),
    "Tenosique": (-3, 9, "right"),
    "Coatzacoalcos": (-6, 6, "right"),
}
STATE_POSITIONS = {  # lon, lat of the state labels: clear of cells, lines and places
    "Veracruz": (-95.9, 19.9),
    "Tabasco": (-92.5, 19.05),
    "Campeche": (-90.3, 19.3),
    "Oaxaca": (-97.0, 16.4),
    "Chiapas": (-91.55, 16.35),
}


def map_places(places: pd.DataFrame) -> pd.DataFrame:
    """Places drawn: the border crossings of the southern border, Tapachula,
    La Arrocera and the corridor towns named in the labels."""
    crossings = (places["kind"] == "border_crossing") & places["state"].isin(CROSSING_STATES)
    named = places["place"].isin(list(LABELS))
    return places[crossings | named].reset_index(drop=True)


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
    handles += maps.feature_legend_handles(
        rails=True,
        out_of_service=True,
        kinds=[c for c in maps.MARKERS if (places["kind"] == c).any()],
    )
    maps.legend(ax, handles, title=f"Events per {degrees:g}° cell", loc="lower left", ncol=2)
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
