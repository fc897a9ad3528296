"""Figure 3.2: crimes against migrants beside Mexico's railroads — the
released number of events within a few kilometres of each segment (at most
20 km long) of the Natural Earth 1:10m network, drawn on the segment itself."""

from typing import Any

import pandas as pd

from prp.artifacts import maps, style
from prp.events.along_track import ALL_SEGMENTS
from prp.events.released import national_total, withheld_label, withheld_note

PANELS = {  # extent -> (title, places labelled in placing order)
    "national": (
        "Mexico",
        ["Mexicali", "Nogales", "Ciudad Juárez", "Guadalajara", "Mexico City"],
    ),
    "isthmus_chiapas": (
        "Isthmus of Tehuantepec and Chiapas",
        ["Tapachula", "Ciudad Hidalgo", "Arriaga", "Ixtepec", "Coatzacoalcos", "Tenosique"],
    ),
    "gulf_northeast": (
        "Nuevo León and Tamaulipas",
        ["Monterrey", "Nuevo Laredo", "Reynosa", "Matamoros"],
    ),
}
"""The three maps: all of Mexico above, two enlargements below."""
LABELS = [name for _, names in PANELS.values() for name in names]
PANEL_TITLE_IN = 0.22
NATIONAL_W_IN = 5.0  # the overview, centred; the figure stays at the text width
ZOOM_H_IN = 2.45
LEGEND_IN = 0.72
ZOOMS = ("isthmus_chiapas", "gulf_northeast")
LINE_RAMP_START = 0.4  # thin coloured lines need the darker part of the ramp
ZERO = "#8c8c8c"  # segments beside which no event lies (darker than state borders)
WITHHELD = "#5a5a5a"
NO_EVENTS = "No events"


def segment_classes(along: pd.DataFrame, k: int) -> tuple[pd.DataFrame, list[int], int]:
    """One row per segment with its class ('withheld' where withheld, 'No events'
    for zero), the class bounds, and the released number of events beside
    any segment (the total row)."""
    total_row = along[along["segment"] == ALL_SEGMENTS]
    if len(total_row) != 1 or bool(total_row["suppressed"].iloc[0]):
        raise ValueError("the released rail-segment table has no published total row")
    near = int(total_row["events"].iloc[0])
    seg = along[along["segment"] != ALL_SEGMENTS].copy()
    seg["suppressed"] = seg["suppressed"].astype(bool)
    published = seg.loc[~seg["suppressed"], "events"].astype("int64")
    bins = maps.class_bins(int(published.max()) if (published > 0).any() else k, k)
    labels = maps.class_labels(bins)

    def klass(events: Any, suppressed: bool) -> str:
        if suppressed:
            return withheld_label(k)
        return NO_EVENTS if int(events) == 0 else labels[maps.class_of(int(events), bins)]

    seg["class"] = [klass(e, s) for e, s in zip(seg["events"], seg["suppressed"], strict=True)]
    return seg.reset_index(drop=True), bins, near


def share_sentence(near: int, total: int, buffer_km: float) -> str:
    """'802 of the 1,000 events (80%) lie within 10 km of a railroad.'"""
    return (
        f"{near:,} of the {total:,} events ({near / total:.0%}) lie within "
        f"{buffer_km:g} km of a railroad."
    )


def plot(  # noqa: ANN201
    segments: pd.DataFrame, bins: list[int], layers: maps.Layers, k: int, buffer_km: float
):
    """The figure and its map axes by extent."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from shapely.geometry import box

    maps.configure_cartopy()
    style.apply()
    width = style.WIDTH_IN
    national_h = maps.map_size("national", NATIONAL_W_IN)[1]
    # the enlargements share one height; each is as wide as its frame needs
    zoom_w = {e: ZOOM_H_IN * width / maps.map_size(e, width)[1] for e in ZOOMS}
    gap = (width - sum(zoom_w.values())) / 3
    if gap < 0.1:
        raise ValueError("the enlargements do not fit side by side")
    height = round(PANEL_TITLE_IN + national_h + PANEL_TITLE_IN + ZOOM_H_IN + LEGEND_IN, 2)
    fig = plt.figure(figsize=(width, height))
    rects = {
        "national": (
            (width - NATIONAL_W_IN) / 2 / width,
            (height - PANEL_TITLE_IN - national_h) / height,
            NATIONAL_W_IN / width,
            national_h / height,
        )
    }
    left = gap
    for e in ZOOMS:
        rects[e] = (left / width, LEGEND_IN / height, zoom_w[e] / width, ZOOM_H_IN / height)
        left += zoom_w[e] + gap
    fig.prp_legend_top = LEGEND_IN / height
    geoms = {p["segment"]: g for p, g in layers.rails}
    guatemala = [g for p, g in layers.rails if p["country"] != "MEX"]
    zero = [geoms[s] for s in segments.loc[segments["class"] == NO_EVENTS, "segment"]]
    colours = maps.ramp(len(bins) - 1, start=LINE_RAMP_START)
    axes = {}
    for extent, (title, _) in PANELS.items():
        ax = maps.add_map_axes(fig, rects[extent], extent)
        maps.draw_base(ax, layers)
        wide = 1.0 if extent == "national" else 1.6
        maps.draw_lines(ax, zero + guatemala, ZERO, 0.6 * wide, zorder=6)
        withheld = [geoms[s] for s in segments.loc[segments["suppressed"], "segment"]]
        maps.draw_lines(ax, withheld, WITHHELD, 1.3 * wide, zorder=7, gid="data")
        for i, label in enumerate(maps.class_labels(bins)):
            chosen = segments.loc[segments["class"] == label, "segment"]
            lines = [geoms[s] for s in chosen]
            maps.draw_lines(ax, lines, colours[i], 2.4 * wide, zorder=8 + i / 10, gid="data")
        towns = layers.places[layers.places["place"].isin(PANELS[extent][1])]
        maps.draw_places(ax, towns.assign(kind="city"))
        ax.set_title(title, fontsize=style.BODY, loc="left", pad=3)
        axes[extent] = ax
    for extent in ZOOMS:  # where the enlargements lie
        lon0, lon1, lat0, lat1 = maps.EXTENTS[extent]
        axes["national"].add_geometries(
            [box(lon0, lat0, lon1, lat1).segmentize(0.25)],
            crs=maps.lonlat(),
            facecolor="none",
            edgecolor="black",
            linewidth=0.6,
            zorder=12,
        )
    handles = [
        Line2D([], [], color=c, linewidth=2.6, solid_capstyle="butt", label=lab)
        for c, lab in zip(colours, maps.class_labels(bins), strict=True)
    ]
    if segments["suppressed"].any():
        handles.insert(0, Line2D([], [], color=WITHHELD, linewidth=1.3, label=withheld_label(k)))
    handles.append(Line2D([], [], color=ZERO, linewidth=0.6, label=NO_EVENTS))
    handles += maps.feature_legend_handles(rails=False, kinds=["city"])
    maps.legend(
        axes["isthmus_chiapas"],
        handles,
        title=f"Events within {buffer_km:g} km of the track, per segment of up to 20 km",
        ncol=5,
    )
    for extent, (_, names) in PANELS.items():
        towns = layers.places[layers.places["place"].isin(names)]
        maps.label_places(axes[extent], towns, names)
    return fig, axes


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    k, buffer_km = int(params["k"]), float(params["rail_buffer_km"])
    segments, bins, near = segment_classes(pd.read_parquet(inputs["along"]), k)
    total = national_total(pd.read_parquet(inputs["totals"]))
    layers = maps.load_layers(
        inputs["states"], inputs["countries"], inputs["rails"], pd.read_parquet(inputs["places"])
    )
    fig, _ = plot(segments, bins, layers, k, buffer_km)
    maps.assert_offline(maps.configure_cartopy())
    note = withheld_note(k, f"{share_sentence(near, total, buffer_km)} {params.get('note', '')}")
    style.write_figure(fig, segments, outputs, params, note)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
