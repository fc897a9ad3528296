"""The report's maps: one projection, fixed extents, one way to draw the
layers of ``data/geo`` (states, countries, the Natural Earth rail network, places)
and the released event counts on them.

Everything drawn comes from the project's own files. Cartopy's own Natural
Earth layers (its coastline and feature helpers) are never used, and
:func:`configure_cartopy` points cartopy's data folders at the offline folder
the workflow sets in ``CARTOPY_DATA_DIR`` and removes its downloaders, so a
stray feature request fails instead of fetching; :func:`assert_offline`
checks that nothing was written there.

Greyscale legibility: counts use a sequential single-direction ramp
(ColorBrewer YlGnBu, colour-blind safe, lightness falling with the count);
withheld counts are hatched and labelled "withheld" in the legend.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prp.artifacts import style

CENTRAL_LONGITUDE = -102.0
STANDARD_PARALLELS = (17.5, 29.5)

EXTENTS: dict[str, tuple[float, float, float, float]] = {
    # lon_min, lon_max, lat_min, lat_max (degrees, WGS84)
    "national": (-117.9, -86.3, 13.2, 33.2),
    "southern_border": (-98.9, -88.0, 14.2, 22.6),
    "us_border": (-118.2, -95.9, 21.3, 33.9),
    "isthmus_chiapas": (-96.3, -90.7, 14.25, 18.75),
    "gulf_northeast": (-101.3, -96.7, 22.6, 28.1),
}
"""Map frames: all of Mexico; the southern border region (Chiapas, Tabasco,
Oaxaca, Veracruz, Campeche and the Guatemalan and Belizean borders); the six
states on the U.S. border."""


SEA = "#e6edf2"
NEIGHBOUR = "#d2d2d2"
LAND = "#ffffff"
FADED = "#ececec"
EDGE = "#8c8c8c"
RAIL = "#222222"
RAIL_WIDTH = 0.9
RAIL_PALE = "#a3a3a3"
OUT_OF_SERVICE_DASH = (0, (3, 2))
SUPPRESSED_HATCH = "////"
LEGEND_BAND_IN = 0.95  # height of the band under a map that holds its legend
RAMP = "YlGnBu"


# --------------------------------------------------------------------------
# cartopy, offline


def configure_cartopy(offline: str | Path | None = None) -> Path:
    """Point cartopy at the offline folder (``CARTOPY_DATA_DIR`` unless given)
    and remove its downloaders. Returns the folder."""
    import cartopy

    folder = Path(offline or os.environ.get("CARTOPY_DATA_DIR") or "build/cartopy-offline")
    folder.mkdir(parents=True, exist_ok=True)
    cartopy.config["data_dir"] = folder
    cartopy.config["pre_existing_data_dir"] = folder
    cartopy.config["downloaders"] = {}
    return folder


def assert_offline(folder: str | Path) -> None:
    """Fail if anything was written to the offline cartopy folder."""
    written = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    if written:
        raise RuntimeError(f"cartopy wrote data into {folder}: {[str(p) for p in written[:5]]}")


@cache
def projection() -> Any:
    """Lambert Conformal Conic centred on Mexico: the one projection of every map."""
    import cartopy.crs as ccrs

    return ccrs.LambertConformal(
        central_longitude=CENTRAL_LONGITUDE, standard_parallels=STANDARD_PARALLELS
    )


@cache
def lonlat() -> Any:
    import cartopy.crs as ccrs

    return ccrs.PlateCarree()


# --------------------------------------------------------------------------
# layers


@dataclass
class Layers:
    """The geometry the maps draw: states and countries by name, the rail
    network's segments (properties, line; data/geo/rail_segments.geojson) and
    places (the validated places table)."""

    states: dict[str, Any]
    countries: dict[str, Any]
    rails: list[tuple[dict[str, Any], Any]]
    places: pd.DataFrame


def read_features(path: str | Path) -> list[tuple[dict[str, Any], Any]]:
    """(properties, shapely geometry) for every feature of a GeoJSON file."""
    from shapely.geometry import shape

    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return [(f["properties"], shape(f["geometry"])) for f in features]


def load_layers(
    states: str | Path, countries: str | Path, rails: str | Path, places: pd.DataFrame
) -> Layers:
    return Layers(
        states={p["state"]: g for p, g in read_features(states)},
        countries={p["name"]: g for p, g in read_features(countries)},
        rails=read_features(rails),
        places=places.reset_index(drop=True),
    )


def geo_inputs(data_dir: str | Path) -> dict[str, str]:
    """Paths of the geometry files, from the data package (for rules and tests)."""
    from prp.data.datapackage import resource

    return {
        name: str(Path(data_dir) / resource(data_dir, name)["path"])
        for name in ("mexico_states", "countries", "rail_segments")
    }


# --------------------------------------------------------------------------
# classes and colours


def class_bins(maximum: int, k: int = 5) -> list[int]:
    """Lower bounds of the count classes shown on maps: ``k`` (the smallest
    published count), then 10, 25, 50, 100, 250 ... up to the first bound
    above ``maximum``."""
    bounds = [k]
    for b in (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000):
        if b > bounds[-1]:
            bounds.append(b)
        if b > maximum:
            break
    return bounds


def class_labels(bins: Sequence[int]) -> list[str]:
    """'5–9', '10–24', ..., one per class (the last class is closed by the
    next bound, which lies above every count)."""
    return [f"{lo:,}–{hi - 1:,}" for lo, hi in zip(bins[:-1], bins[1:], strict=True)]


def class_of(count: float, bins: Sequence[int]) -> int:
    """Index of the class holding ``count`` (counts below ``bins[0]`` are not
    published and have no class)."""
    if count < bins[0] or count >= bins[-1]:
        raise ValueError(f"count {count} outside the classes {list(bins)}")
    return int(np.searchsorted(bins, count, side="right") - 1)


def ramp(n: int, start: float = 0.18) -> list[str]:
    """``n`` colours of the sequential ramp, light to dark (from ``start``
    of the colour map: lines need a darker start than filled areas)."""
    import matplotlib
    from matplotlib.colors import to_hex

    cmap = matplotlib.colormaps[RAMP]
    return [to_hex(cmap(x)) for x in np.linspace(start, 0.95, n)]


# --------------------------------------------------------------------------
# drawing


def map_size(extent: str, width_in: float = style.WIDTH_IN) -> tuple[float, float]:
    """Figure size whose height follows the projected frame's aspect ratio."""
    lon0, lon1, lat0, lat1 = EXTENTS[extent]
    proj = projection()
    lons = np.r_[np.linspace(lon0, lon1, 50), np.linspace(lon0, lon1, 50), [lon0] * 50, [lon1] * 50]
    lats = np.r_[[lat0] * 50, [lat1] * 50, np.linspace(lat0, lat1, 50), np.linspace(lat0, lat1, 50)]
    xy = proj.transform_points(lonlat(), lons, lats)
    aspect = (xy[:, 1].max() - xy[:, 1].min()) / (xy[:, 0].max() - xy[:, 0].min())
    return width_in, round(width_in * float(aspect), 2)


def new_map(
    extent: str, width_in: float = style.WIDTH_IN, legend_in: float | None = None
) -> tuple[Any, Any]:
    """A figure with one map axis in :func:`projection`, framed on
    ``extent``, over a band ``legend_in`` high (default
    :data:`LEGEND_BAND_IN`) for the legend (:func:`legend`), so that the
    legend never covers the map."""
    import matplotlib.pyplot as plt

    configure_cartopy()
    style.apply()
    band = LEGEND_BAND_IN if legend_in is None else legend_in
    width, height = map_size(extent, width_in)
    total = round(height + band, 2)
    fig = plt.figure(figsize=(width, total))
    ax = add_map_axes(fig, (0, band / total, 1, height / total), extent)
    fig.prp_legend_top = band / total  # type: ignore[attr-defined]  # read by legend()
    return fig, ax


def add_map_axes(fig: Any, rect: Sequence[float], extent: str) -> Any:
    """A map axis in :func:`projection` at ``rect`` (figure fractions),
    framed on ``extent``."""
    ax: Any = fig.add_axes(tuple(rect), projection=projection())
    ax.set_extent(EXTENTS[extent], crs=lonlat())
    ax.set_autoscale_on(False)
    ax.set_facecolor(SEA)
    ax.grid(False)
    ax.spines["geo"].set_edgecolor(EDGE)
    ax.spines["geo"].set_linewidth(0.6)
    ax.extent_name = extent  # read by tests
    return ax


def draw_base(ax: Any, layers: Layers, faded: Iterable[str] = ()) -> None:
    """Neighbouring countries grey, Mexico white, state borders thin grey;
    ``faded`` states get a pale fill (outside a map's region of interest)."""
    for name, geom in sorted(layers.countries.items()):
        ax.add_geometries(
            [geom],
            crs=lonlat(),
            facecolor=LAND if name == "Mexico" else NEIGHBOUR,
            edgecolor=EDGE,
            linewidth=0.5,
            zorder=1,
        )
    faded = set(faded)
    for name, geom in sorted(layers.states.items()):
        ax.add_geometries(
            [geom],
            crs=lonlat(),
            facecolor=FADED if name in faded else "none",
            edgecolor="#b3b3b3",
            linewidth=0.35,
            zorder=2,
        )


def choropleth(
    ax: Any,
    layers: Layers,
    counts: Mapping[str, float | None],
    bins: Sequence[int],
    states: Iterable[str] | None = None,
) -> None:
    """Fill ``states`` (default: every key of ``counts``) by count class;
    ``None`` (withheld) is hatched."""
    colours = ramp(len(bins) - 1)
    for name in sorted(states if states is not None else counts):
        geom = layers.states[name]
        value = counts.get(name)
        if value is None or pd.isna(value):
            ax.add_geometries(
                [geom],
                crs=lonlat(),
                facecolor="white",
                edgecolor=style.GREY,
                hatch=SUPPRESSED_HATCH,
                linewidth=0.4,
                zorder=3,
            )
        elif value == 0:
            ax.add_geometries(
                [geom], crs=lonlat(), facecolor=LAND, edgecolor=EDGE, linewidth=0.4, zorder=3
            )
        else:
            ax.add_geometries(
                [geom],
                crs=lonlat(),
                facecolor=colours[class_of(value, bins)],
                edgecolor="#5f5f5f",
                linewidth=0.4,
                zorder=3,
            )


def grid_cells(
    ax: Any,
    cells: pd.DataFrame,
    degrees: float,
    bins: Sequence[int],
    within: Iterable[str] | None = None,
    layers: Layers | None = None,
) -> pd.DataFrame:
    """Draw released grid cells as squares coloured by class (withheld ones
    hatched). With ``within`` (state names) and ``layers``, only cells that
    touch those states. Returns the cells drawn."""
    from shapely.geometry import box

    drawn = cells
    if within is not None and layers is not None:
        from shapely.ops import unary_union

        region = unary_union([layers.states[s] for s in within])
        keep = [
            region.intersects(_cell_box(r.cell_lat, r.cell_lon, degrees))
            for r in cells.itertuples(index=False)
        ]
        drawn = cells[np.array(keep, dtype=bool)] if len(cells) else cells
    from prp.artifacts import layout

    colours = ramp(len(bins) - 1)
    half = degrees / 2
    for r in drawn.itertuples(index=False):
        cell = box(r.cell_lon - half, r.cell_lat - half, r.cell_lon + half, r.cell_lat + half)
        layout.add_data(ax, cell)
        if bool(r.suppressed):
            ax.add_geometries(
                [cell],
                crs=lonlat(),
                facecolor="white",
                edgecolor="#4d4d4d",
                hatch=SUPPRESSED_HATCH,
                linewidth=0.4,
                zorder=4,
            )
        else:
            ax.add_geometries(
                [cell],
                crs=lonlat(),
                facecolor=colours[class_of(r.events, bins)],
                edgecolor="#4d4d4d",
                linewidth=0.4,
                zorder=4,
            )
    return drawn.reset_index(drop=True)


def _cell_box(lat: float, lon: float, degrees: float) -> Any:
    from shapely.geometry import box

    half = degrees / 2
    return box(lon - half, lat - half, lon + half, lat + half)


def draw_rails(
    ax: Any,
    layers: Layers,
    linewidth: float = RAIL_WIDTH,
    colour: str = RAIL,
    within: Iterable[str] | None = None,
) -> None:
    """The rail network (Natural Earth 1:10m): solid in service, dashed out
    of service; with ``within`` (state names), lines outside those states
    are drawn pale. One artist per kind, so the SVG holds few paths."""
    from shapely.ops import unary_union

    region = unary_union([layers.states[s] for s in within]) if within is not None else None
    for status, dash in (("in_service", "-"), ("out_of_service", OUT_OF_SERVICE_DASH)):
        lines = [g for p, g in layers.rails if p["status"] == status]
        inside = [g for g in lines if region is None or region.intersects(g)]
        outside = [g for g in lines if region is not None and not region.intersects(g)]
        draw_lines(ax, inside, colour, linewidth, zorder=6, linestyle=dash)
        draw_lines(ax, outside, RAIL_PALE, linewidth * 0.8, zorder=6, linestyle=dash)


def draw_lines(
    ax: Any,
    lines: Sequence[Any],
    colour: str,
    linewidth: float,
    zorder: float = 6,
    gid: str | None = None,
    linestyle: Any = "-",
) -> Any:
    """Draw ``lines`` (shapely lines, lon/lat) as one artist; ``gid`` names
    it in the SVG ("data" for lines that carry counts). None if empty."""
    from shapely.geometry import MultiLineString

    if not lines:
        return None
    parts = [p for g in lines for p in getattr(g, "geoms", [g])]
    shown = within_frame(ax, MultiLineString(parts))
    if shown.is_empty:
        return None
    artist = ax.add_geometries(
        [shown],
        crs=lonlat(),
        facecolor="none",
        edgecolor=colour,
        linewidth=linewidth,
        linestyle=linestyle,
        zorder=zorder,
    )
    if gid:
        artist.set_gid(gid)
    if gid == "data":
        from prp.artifacts import layout

        layout.add_data(ax, MultiLineString(parts), linewidth)
    return artist


FRAME_MARGIN_DEG = 1.0
"""How far beyond a map's frame (in degrees) :func:`within_frame` keeps lines."""


def within_frame(ax: Any, geom: Any) -> Any:
    """The part of the lines ``geom`` (lon/lat) within ``ax``'s frame, widened by
    :data:`FRAME_MARGIN_DEG`: cartopy projects every vertex it is given,
    and on an enlargement most of the rail network lies outside the frame,
    where nothing is drawn."""
    import shapely

    lon0, lon1, lat0, lat1 = ax.get_extent(crs=lonlat())
    m = FRAME_MARGIN_DEG
    return shapely.clip_by_rect(geom, lon0 - m, lat0 - m, lon1 + m, lat1 + m)


LABEL_BOX = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
"""Behind every map label: keeps it legible over lines and fills while it
stays text (a stroked halo would turn the glyphs into outlines)."""

MARKERS = {"city": ("o", 3.2), "border_crossing": ("^", 5.0), "checkpoint": ("X", 6.0)}


def draw_places(ax: Any, places: pd.DataFrame) -> pd.DataFrame:
    """Mark ``places`` (rows of the places table) by kind (label them with
    :func:`label_places` once everything else is drawn). Returns the rows
    drawn."""
    from prp.artifacts import layout

    for kind, (marker, size) in MARKERS.items():
        sub = places[places["kind"] == kind]
        if sub.empty:
            continue
        ax.plot(
            sub["lon"].astype(float),
            sub["lat"].astype(float),
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor="white" if kind == "city" else "black",
            markeredgecolor="black",
            markeredgewidth=0.7,
            transform=lonlat(),
            zorder=8,
            gid="places",
        )
        lons, lats = sub["lon"].astype(float), sub["lat"].astype(float)
        layout.add_marks(ax, zip(lons, lats, strict=True), size)
    return places.reset_index(drop=True)


def label_places(
    ax: Any, places: pd.DataFrame, names: Iterable[str], fontsize: float = style.SMALL
) -> list[Any]:
    """Label the places named in ``names`` (in that order) where each covers
    no data, marker or other label (:func:`prp.artifacts.layout.place_labels`).
    Call it last, once the data, the markers and the state labels are drawn."""
    from prp.artifacts import layout

    rows = places.set_index("place")
    wanted = [n for n in names if n in rows.index]
    rend = layout.renderer(ax.figure)
    avoid = [layout._box(t, rend) for t in ax.texts if t.get_gid() in layout.LABEL_GIDS]
    return layout.place_labels(
        ax,
        [layout.Label(n, float(rows.at[n, "lon"]), float(rows.at[n, "lat"])) for n in wanted],
        fontsize,
        bbox=LABEL_BOX,
        avoid=avoid,
    )


def label_states(
    ax: Any, layers: Layers, texts: Mapping[str, str], fontsize: float = style.SMALL
) -> list[Any]:
    """Write ``texts[state]`` inside each state, as near its middle as the
    data and the other labels allow (:func:`prp.artifacts.layout.place_in_regions`)."""
    from prp.artifacts import layout

    return layout.place_in_regions(
        ax, [(text, layers.states[name]) for name, text in texts.items()], fontsize, LABEL_BOX
    )


def count_legend_handles(bins: Sequence[int], suppressed_label: str | None) -> list[Any]:
    """Legend entries of the count classes, with the withheld class first
    (labelled ``suppressed_label``; none if that is None)."""
    from matplotlib.patches import Patch

    handles = []
    if suppressed_label:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor="#4d4d4d",
                hatch=SUPPRESSED_HATCH,
                label=suppressed_label,
            )
        )
    for colour, label in zip(ramp(len(bins) - 1), class_labels(bins), strict=True):
        handles.append(Patch(facecolor=colour, edgecolor="#4d4d4d", label=label))
    return handles


def feature_legend_handles(
    rails: bool = True, out_of_service: bool = False, kinds: Iterable[str] = ()
) -> list[Any]:
    """Legend entries for the rail corridors and the place markers drawn."""
    from matplotlib.lines import Line2D

    names = {"city": "Town", "border_crossing": "Border crossing", "checkpoint": "Checkpoint area"}
    handles: list[Any] = []
    if rails:
        handles.append(Line2D([], [], color=RAIL, linewidth=RAIL_WIDTH, label="Railroad"))
    if out_of_service:
        handles.append(
            Line2D(
                [],
                [],
                color=RAIL,
                linewidth=RAIL_WIDTH,
                linestyle=OUT_OF_SERVICE_DASH,
                label="Railroad out of service (walked)",
            )
        )
    for kind in kinds:
        marker, size = MARKERS[kind]
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=marker,
                markersize=size,
                markerfacecolor="white" if kind == "city" else "black",
                markeredgecolor="black",
                label=names[kind],
            )
        )
    return handles


def legend(ax: Any, handles: list[Any], title: str | None = None, ncol: int = 4, **kw: Any) -> Any:
    """The map's legend, in the band under the map axis ``ax`` (see
    :func:`new_map`): it never covers the map."""
    fig = ax.figure
    bottom = getattr(fig, "prp_legend_top", ax.get_position(original=True).y0)
    leg = fig.legend(
        handles=handles,
        title=title,
        loc="upper center",
        bbox_to_anchor=(0.5, bottom - 0.04 / fig.get_figheight()),
        ncol=ncol,
        frameon=False,
        fontsize=style.SMALL,
        title_fontsize=style.SMALL,
        columnspacing=1.4,
        handlelength=2.2,
        **kw,
    )
    return leg


def frame_extent(ax: Any) -> tuple[float, float, float, float]:
    """The extent a map axis shows, in degrees (lon0, lon1, lat0, lat1)."""
    return tuple(float(v) for v in ax.get_extent(crs=lonlat()))  # type: ignore[return-value]
