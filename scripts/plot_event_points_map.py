"""Restricted annex: every crime-event record as a point on the report's map
projection, one symbol per perpetrator type (colour and shape, so the types
stay apart in greyscale). A national frame above, the southern border region
and the U.S. border states below. The events of one municipality share its
seat's neighbourhood, so they are spread on a small spiral around it, one
symbol each: a cluster's size shows its number of events and its rings the
mix of perpetrators. Restricted edition only.

Above ``density_above`` events (``density`` in the artifact catalog) one
symbol per event would merge into solid blots, so the same three panels show
the density instead: the events counted in hexagonal cells
``density_cell_km`` wide on the map projection, shaded by count class. The
events are then read a batch of rows at a time (coordinates only), so memory
does not grow with their number, and the csv holds the cells drawn rather
than the events."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from prp.artifacts import maps, style
from prp.artifacts.hexbin import density_bins, density_counts, hexagon, use_density
from prp.events.records import PERPETRATORS, count_rows, read_batches
from prp.events.released import PERPETRATOR_LABELS

# Okabe-Ito colours and six shapes that differ in outline, so each type is
# told apart by shape alone in greyscale print.
SYMBOLS = {
    "transnational_criminal_organization": (style.PALETTE["vermillion"], "o", 4.2),
    "gang": (style.PALETTE["blue"], "s", 3.8),
    "smuggler": (style.PALETTE["orange"], "^", 4.6),
    "local_actors": (style.PALETTE["green"], "D", 3.6),
    "authorities": (style.PALETTE["black"], "X", 4.8),
    "unknown": ("#bdbdbd", "v", 4.0),
}
PANELS = [  # extent, axes rectangle (left, bottom, width, height as figure fractions), title
    ("national", (0.0, 0.40, 1.0, 0.60), "Mexico"),
    ("southern_border", (0.0, 0.0, 0.49, 0.38), "Southern border region"),
    ("us_border", (0.51, 0.0, 0.49, 0.38), "U.S. border states"),
]
GOLDEN_ANGLE = np.pi * (3 - np.sqrt(5))
SPACING_PT = 2.6
"""Distance, in points on the page, between neighbouring symbols of one
municipality's cluster."""


def points(events: pd.DataFrame) -> pd.DataFrame:
    """The plotted data: one row per event with its coordinates, perpetrator
    type (and label) and its rank within its municipality's cluster (events of
    one municipality ordered by perpetrator type, then event id, so the
    types form rings around the seat)."""
    unknown = sorted(set(events["perpetrator_type"]) - set(SYMBOLS))
    if unknown:
        raise ValueError(f"no map symbol for perpetrator types {unknown}")
    out = events[
        ["event_id", "state", "municipality", "latitude", "longitude", "perpetrator_type"]
    ].copy()
    out["latitude"] = out["latitude"].astype(float)
    out["longitude"] = out["longitude"].astype(float)
    if out[["latitude", "longitude"]].isna().any().any():
        raise ValueError("events without coordinates cannot be mapped")
    out["perpetrator"] = out["perpetrator_type"].map(PERPETRATOR_LABELS)
    order = {p: i for i, p in enumerate(PERPETRATORS)}
    out["_p"] = out["perpetrator_type"].map(order)
    out = out.sort_values(["state", "municipality", "_p", "event_id"], kind="stable")
    out["cluster_rank"] = out.groupby(["state", "municipality"], observed=True).cumcount()
    centre = out.groupby(["state", "municipality"], observed=True)[
        ["latitude", "longitude"]
    ].transform("mean")
    out["cluster_lat"], out["cluster_lon"] = centre["latitude"], centre["longitude"]
    out = out.drop(columns="_p").sort_values("event_id", kind="stable")
    return out.reset_index(drop=True)


def spiral(rank: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of the ``rank``-th symbols of a cluster on a sunflower
    (Vogel) spiral: symbol 0 at the centre, equal spacing, no overlap."""
    rank = np.asarray(rank, dtype=float)
    radius = spacing * np.sqrt(rank) * 0.62
    angle = rank * GOLDEN_ANGLE
    return radius * np.cos(angle), radius * np.sin(angle)


def metres_per_point(ax: Any) -> float:
    """Map units (projected metres) per typographic point on ``ax``."""
    ax.apply_aspect()
    x0, x1 = ax.get_xlim()
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    return (x1 - x0) / width_pt


def legend_label(perpetrator: str, n: int) -> str:
    return f"{PERPETRATOR_LABELS[perpetrator]} ({n:,})"


def draw_points(ax: Any, pts: pd.DataFrame, size_scale: float = 1.0) -> dict[str, int]:
    """Plot one symbol per event, spread on a spiral around its
    municipality's seat; returns the number drawn per perpetrator type."""
    proj = maps.projection()
    xy = proj.transform_points(
        maps.lonlat(), pts["cluster_lon"].to_numpy(), pts["cluster_lat"].to_numpy()
    )
    dx, dy = spiral(pts["cluster_rank"].to_numpy(), SPACING_PT * size_scale * metres_per_point(ax))
    x, y = xy[:, 0] + dx, xy[:, 1] + dy
    drawn: dict[str, int] = {}
    for z, kind in enumerate(PERPETRATORS):
        mask = (pts["perpetrator_type"] == kind).to_numpy()
        if not mask.any():
            continue
        colour, marker, size = SYMBOLS[kind]
        ax.plot(
            x[mask],
            y[mask],
            linestyle="none",
            marker=marker,
            markersize=size * size_scale * 0.62,
            markerfacecolor=colour,
            markeredgecolor="black" if kind == "unknown" else "white",
            markeredgewidth=0.25,
            transform=proj,
            zorder=10 + z,
            gid=f"events-{kind}",
        )
        drawn[kind] = int(mask.sum())
    return drawn


def three_panels(layers: maps.Layers, content: Callable[[Any, str], None]) -> tuple[Any, dict]:
    """The figure's three map panels (PANELS), each with the base map, then
    ``content(ax, extent)``, then its title; axes by extent name."""
    import matplotlib.pyplot as plt

    maps.configure_cartopy()
    style.apply()
    width, height = maps.map_size("national")
    panels = round(height / 0.60, 2)
    band = maps.LEGEND_BAND_IN
    total = panels + band
    fig = plt.figure(figsize=(width, total))
    fig.prp_legend_top = band / total
    axes = {}
    for extent, (x, y, w, h), title in PANELS:
        rect = (x, (y * panels + band) / total, w, h * panels / total)
        ax = maps.add_map_axes(fig, rect, extent)
        maps.draw_base(ax, layers)
        content(ax, extent)
        ax.set_title(title, fontsize=style.BODY, loc="left", pad=3)
        axes[extent] = ax
    return fig, axes


def plot(pts: pd.DataFrame, layers: maps.Layers):  # noqa: ANN201
    from matplotlib.lines import Line2D

    def content(ax: Any, extent: str) -> None:
        maps.draw_rails(ax, layers, linewidth=0.7)
        draw_points(ax, pts, 1.0 if extent == "national" else 1.25)

    fig, axes = three_panels(layers, content)
    counts = pts["perpetrator_type"].value_counts()
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=SYMBOLS[k][1],
            markersize=SYMBOLS[k][2] + 1,
            markerfacecolor=SYMBOLS[k][0],
            markeredgecolor="white" if k != "unknown" else "#4d4d4d",
            markeredgewidth=0.35,
            label=legend_label(k, int(counts.get(k, 0))),
        )
        for k in PERPETRATORS
        if int(counts.get(k, 0))
    ]
    handles += maps.feature_legend_handles(rails=True)
    maps.legend(axes["national"], handles, title="Perpetrator (events)")
    return fig, axes


# --------------------------------------------------------------------------
# density rendering, for more events than symbols can show (cells counted by
# prp.artifacts.hexbin)


def draw_density(ax: Any, cells: pd.DataFrame, width: float, bins: list[int]) -> None:
    from matplotlib.collections import PolyCollection

    colours = maps.ramp(len(bins) - 1)
    classes = np.searchsorted(bins, cells["events"].to_numpy(), side="right") - 1
    polys = [hexagon(x, y, width) for x, y in zip(cells["hex_x"], cells["hex_y"], strict=True)]
    ax.add_collection(
        PolyCollection(
            polys,
            facecolors=[colours[c] for c in classes],
            edgecolors="white",
            linewidths=0.15,
            zorder=1.5,  # over the land, under borders, rails and labels
            gid="events-density",
        )
    )


def plot_density(cells: pd.DataFrame, layers: maps.Layers, cell_km: float):  # noqa: ANN201
    width_m = cell_km * 1000.0
    bins = density_bins(int(cells["events"].max()) if len(cells) else 1)

    def content(ax: Any, extent: str) -> None:
        draw_density(ax, cells, width_m, bins)
        maps.draw_rails(ax, layers, linewidth=0.7)

    fig, axes = three_panels(layers, content)
    handles = maps.count_legend_handles(bins, suppressed_label=None)
    handles += maps.feature_legend_handles(rails=True)
    maps.legend(
        axes["national"],
        handles,
        title=f"Events per {cell_km:g} km cell ({int(cells['events'].sum()):,} in all)",
    )
    return fig, axes


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    n_events = count_rows(inputs["events"])
    alt, note = params["alt"], params.get("note", "")
    if use_density(n_events, params.get("density_above")):
        cell_km = float(params["density_cell_km"])
        data = density_counts(
            read_batches(inputs["events"], ["latitude", "longitude"]), cell_km * 1000.0
        )
        fig, _ = plot_density(data, layers, cell_km)
        alt = " ".join(str(params["density_alt"]).split()).format(cell_km=cell_km)
        note = " ".join(str(params["density_note"]).split())
        note = note.format(events=n_events, cell_km=cell_km)
    else:
        data = points(pd.read_parquet(inputs["events"]))
        fig, _ = plot(data, layers)
    style.write_figure(fig, data, outputs, params, note, alt)
    maps.assert_offline(maps.configure_cartopy())


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
