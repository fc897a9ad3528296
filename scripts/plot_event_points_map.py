"""Restricted annex: every crime-event record as a point on the report's map
projection, one symbol per perpetrator type (colour and shape, so the types
stay apart in greyscale). A national frame above, the southern border region
and the U.S. border states below. The events of one municipality share its
seat's neighbourhood, so they are spread on a small spiral around it, one
symbol each: a cluster's size shows its number of events and its rings the
mix of perpetrators. Restricted edition only."""

from typing import Any

import numpy as np
import pandas as pd

from prp import maps, style
from prp.event_records import PERPETRATORS
from prp.events import PERPETRATOR_LABELS
from prp.io import write_csv, write_text
from prp.sources import source_line

# Okabe-Ito colours and six shapes that differ in outline, so each type is
# told apart by shape alone in greyscale print.
SYMBOLS = {
    "transnational_criminal_organisation": (style.PALETTE["vermillion"], "o", 4.2),
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


def plot(pts: pd.DataFrame, layers: maps.Layers):  # noqa: ANN201
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    maps.configure_cartopy()
    style.apply()
    width, height = maps.map_size("national")
    fig = plt.figure(figsize=(width, round(height / 0.60, 2)))
    axes = {}
    for extent, rect, title in PANELS:
        ax = fig.add_axes(rect, projection=maps.projection())
        ax.set_extent(maps.EXTENTS[extent], crs=maps.lonlat())
        ax.set_autoscale_on(False)
        ax.set_facecolor(maps.SEA)
        ax.grid(False)
        ax.spines["geo"].set_edgecolor(maps.EDGE)
        ax.spines["geo"].set_linewidth(0.6)
        ax.extent_name = extent
        maps.draw_base(ax, layers)
        maps.draw_rails(ax, layers, linewidth=0.7)
        draw_points(ax, pts, 1.0 if extent == "national" else 1.25)
        ax.set_title(title, fontsize=8.5, loc="left", pad=3)
        axes[extent] = ax
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
    maps.legend(axes["national"], handles, title="Perpetrator (events)", loc="lower left")
    return fig, axes


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    pts = points(pd.read_parquet(inputs["events"]))
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    write_csv(outputs["csv"], pts)
    fig, _ = plot(pts, layers)
    style.save(fig, outputs["svg"])
    maps.assert_offline(maps.configure_cartopy())
    source = source_line(params["data_dir"], params["datasets"], params.get("note", ""))
    write_text(
        outputs["md"],
        style.figure_markdown(
            params["id"], params["caption"], params["alt"], source, f"{params['id']}.svg"
        ),
    )


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
