"""Where text goes on a figure: measured, not guessed.

Everything here works in display space (pixels of the figure as matplotlib
lays it out, 100 per inch at the style's ``figure.dpi``) with the real text
extents of the figure's font. Maps register what they draw as data
(:func:`add_data`: the geometry, in longitude/latitude, and the line width);
:func:`place_labels` puts each place label at the first of a few positions
around its marker that covers no data, marker, label or legend and stays
inside the axes; :func:`problems` lists every label or legend that still
covers data or another text, or leaves its axes, and is what the tests
assert on for every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CANDIDATES: tuple[tuple[float, float, str, str], ...] = (
    # dx, dy (points from the marker), horizontal and vertical alignment
    (6, 0, "left", "center"),
    (-6, 0, "right", "center"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
    (5, 4, "left", "bottom"),
    (5, -4, "left", "top"),
    (-5, 4, "right", "bottom"),
    (-5, -4, "right", "top"),
    (12, 0, "left", "center"),
    (-12, 0, "right", "center"),
    (0, 12, "center", "bottom"),
    (0, -12, "center", "top"),
    (10, 9, "left", "bottom"),
    (10, -9, "left", "top"),
    (-10, 9, "right", "bottom"),
    (-10, -9, "right", "top"),
    *(
        (round(r * dx), round(r * dy), ha, va)
        for r in (20, 30, 42)
        for dx, dy, ha, va in (
            (1, 0, "left", "center"),
            (-1, 0, "right", "center"),
            (0, 1, "center", "bottom"),
            (0, -1, "center", "top"),
            (0.7, 0.7, "left", "bottom"),
            (0.7, -0.7, "left", "top"),
            (-0.7, 0.7, "right", "bottom"),
            (-0.7, -0.7, "right", "top"),
        )
    ),
)
"""Label positions tried in order; the first that covers nothing wins. A
label set farther than :data:`LEADER_FROM` points from its marker gets a thin
leader line to it."""
LEADER_FROM = 15
OUTSIDE_IN = 0.5
"""How far (inches) outside its region a region's label may go when the
inside is taken by data."""


LABEL_GIDS = ("label", "state-label")
"""Map texts that must clear the data and each other: place labels and
state labels."""


LEADER = {"arrowstyle": "-", "linewidth": 0.5, "color": "#4d4d4d", "shrinkA": 0, "shrinkB": 2}


def renderer(fig: Any) -> Any:
    """The figure's renderer, with every axes at its final position (what
    drawing would do first, without drawing)."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    for ax in fig.axes:
        ax.apply_aspect()
    return fig.canvas.get_renderer()


def add_data(ax: Any, geom: Any, width_pt: float = 0.0) -> None:
    """Register ``geom`` (shapely, lon/lat) as data drawn on map ``ax``:
    polygons as they are, lines widened to ``width_pt``."""
    if not hasattr(ax, "prp_data"):
        ax.prp_data = []
    ax.prp_data.append((geom, float(width_pt)))


def add_marks(ax: Any, lonlat_points: Iterable[tuple[float, float]], size_pt: float) -> None:
    """Register point markers of ``size_pt`` drawn on map ``ax``."""
    if not hasattr(ax, "prp_marks"):
        ax.prp_marks = []
    ax.prp_marks.extend((float(x), float(y), float(size_pt)) for x, y in lonlat_points)


def _to_display(ax: Any, geom: Any) -> Any:
    """A lon/lat shapely geometry in display coordinates of map ``ax``."""
    import numpy as np
    import shapely

    proj = ax.projection
    from cartopy import crs as ccrs

    src = ccrs.PlateCarree()

    def move(coords: Any) -> Any:
        xy = proj.transform_points(src, coords[:, 0], coords[:, 1])[:, :2]
        return ax.transData.transform(xy)

    return shapely.transform(geom, lambda c: move(np.asarray(c)))


def data_area(ax: Any) -> Any:
    """Union, in display pixels, of everything registered as data or marks
    on ``ax``, clipped to the axes."""
    import shapely
    from shapely.geometry import Point, box

    px = ax.figure.dpi / 72
    parts = []
    for geom, width in getattr(ax, "prp_data", []):
        g = _to_display(ax, geom)
        parts.append(g.buffer(max(width, 0.5) * px / 2, cap_style="flat") if width else g)
    import numpy as np
    from cartopy import crs as ccrs

    for x, y, size in getattr(ax, "prp_marks", []):
        xy = ax.projection.transform_points(ccrs.PlateCarree(), np.array([x]), np.array([y]))
        dx, dy = ax.transData.transform(xy[0, :2])
        parts.append(Point(dx, dy).buffer(size * px / 2))
    if not parts:
        return shapely.GeometryCollection()
    return shapely.union_all(parts).intersection(box(*ax.bbox.extents))


@dataclass(frozen=True)
class Label:
    text: str
    lon: float
    lat: float


def _box(text_artist: Any, rend: Any) -> Any:
    from shapely.geometry import box

    if hasattr(text_artist, "update_positions"):
        text_artist.update_positions(rend)  # an annotation not yet drawn
    patch = text_artist.get_bbox_patch()
    if patch is not None:
        text_artist.update_bbox_position_size(rend)
    ext = (patch or text_artist).get_window_extent(rend)
    return box(ext.x0, ext.y0, ext.x1, ext.y1)


def place_labels(
    ax: Any,
    labels: Sequence[Label],
    fontsize: float,
    bbox: dict[str, Any] | None = None,
    avoid: Iterable[Any] = (),
    candidates: Sequence[tuple[float, float, str, str]] = CANDIDATES,
) -> list[Any]:
    """Annotate each label at the first candidate position whose box covers
    no data, mark, earlier label or ``avoid`` box (shapely, display) and lies
    inside the axes; where none is free, the one covering least. Returns the
    annotations."""
    from cartopy import crs as ccrs
    from shapely.geometry import box

    rend = renderer(ax.figure)
    blocked = data_area(ax)
    frame = box(*ax.bbox.extents).intersection(box(*ax.figure.bbox.extents)).buffer(-2)
    taken = list(avoid)
    out = []
    for lab in labels:
        best, best_cost = None, None
        for dx, dy, ha, va in candidates:
            t = ax.annotate(
                lab.text,
                (lab.lon, lab.lat),
                xycoords=ccrs.PlateCarree()._as_mpl_transform(ax),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                zorder=9,
                bbox=bbox,
                gid="label",
                arrowprops=LEADER if max(abs(dx), abs(dy)) > LEADER_FROM else None,
            )
            shape = _box(t, rend)
            cost = shape.intersection(blocked).area + 10 * sum(
                shape.intersection(o).area for o in taken
            )
            cost += 10 * shape.difference(frame).area
            if best_cost is None or cost < best_cost - 1e-6:
                if best is not None:
                    best.remove()
                best, best_cost = t, cost
            else:
                t.remove()
            if best_cost == 0:
                break
        assert best is not None
        taken.append(_box(best, rend))
        out.append(best)
    return out


def problems(fig: Any, map_axes: Sequence[Any] = ()) -> list[str]:
    """What a reader would call a layout fault: a map label or legend that
    covers data (:func:`data_area`) or a marker; two labels or a label and a
    legend that overlap; a text that leaves the figure or its map axes."""
    from shapely.geometry import box

    rend = renderer(fig)
    found: list[str] = []
    page = box(0, 0, fig.bbox.width, fig.bbox.height).buffer(0.5)
    legends = [leg for ax in fig.axes if (leg := ax.get_legend()) is not None]
    legends += list(fig.legends)
    legend_boxes = []
    for leg in legends:
        e = leg.get_window_extent(rend)
        legend_boxes.append(box(e.x0, e.y0, e.x1, e.y1))
        if not page.contains(legend_boxes[-1]):
            found.append("a legend leaves the figure")
    for ax in map_axes:
        area = data_area(ax)
        for b in legend_boxes:
            if b.intersection(area).area > 0.5:
                found.append(f"the legend covers data on the map {ax.extent_name}")
        labels = [t for t in ax.texts if t.get_gid() in LABEL_GIDS and t.get_visible()]
        boxes = [(t.get_text(), _box(t, rend)) for t in labels]
        frame = box(*ax.bbox.extents).intersection(page)
        for (name, b), _t in zip(boxes, labels, strict=True):
            if b.intersection(area).area > 0.5:
                found.append(f"label {name!r} covers data on the map {ax.extent_name}")
            if not frame.contains(b):
                found.append(f"label {name!r} leaves the map {ax.extent_name}")
            for lb in legend_boxes:
                if b.intersects(lb):
                    found.append(f"label {name!r} overlaps the legend")
        for i, (a, ba) in enumerate(boxes):
            for c, bc in boxes[i + 1 :]:
                if ba.intersection(bc).area > 0.5:
                    found.append(f"labels {a!r} and {c!r} overlap on the map {ax.extent_name}")
    skip = {id(t) for leg in legends for t in [*leg.get_texts(), leg.get_title()]}
    for ax in fig.axes:  # tick labels are drawn only for ticks in view: check them as drawn
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                skip |= {id(tick.label1), id(tick.label2)}
        tight = ax.get_tightbbox(rend)
        if tight is not None and not page.contains(box(tight.x0, tight.y0, tight.x1, tight.y1)):
            found.append("an axis (its tick labels or title) leaves the figure")
    for t in fig.findobj(lambda a: type(a).__name__ in {"Text", "Annotation"}):
        if not t.get_visible() or not str(t.get_text()).strip() or id(t) in skip:
            continue
        e = t.get_window_extent(rend)
        if not page.contains(box(e.x0, e.y0, e.x1, e.y1)):
            found.append(f"text {t.get_text()!r} leaves the figure")
    return found


def margin_in(ax: Any, geom: Any) -> float:
    """How far (inches) the lon/lat geometry ``geom`` stays inside the part of
    map ``ax`` that is on the figure; negative where it is cut off."""
    from shapely.geometry import box

    renderer(ax.figure)
    frame = box(*ax.bbox.extents).intersection(box(*ax.figure.bbox.extents))
    g = _to_display(ax, geom)
    x0, y0, x1, y1 = g.bounds
    fx0, fy0, fx1, fy1 = frame.bounds
    return min(x0 - fx0, y0 - fy0, fx1 - x1, fy1 - y1) / ax.figure.dpi


def place_in_regions(
    ax: Any,
    items: Sequence[tuple[str, Any]],
    fontsize: float,
    bbox: dict[str, Any] | None = None,
    weight: str = "bold",
    spacing_in: float = 0.06,
) -> list[Any]:
    """Write each ``(text, region)`` (region: a lon/lat polygon) at the point
    of the region, nearest its representative point, where the text covers
    no data and no other label, and stays inside the region as far as it
    can. Returns the texts (gid "state-label")."""
    import numpy as np
    import shapely
    import shapely.affinity
    from cartopy import crs as ccrs
    from shapely.geometry import box

    rend = renderer(ax.figure)
    blocked = data_area(ax)
    frame = box(*ax.bbox.extents).intersection(box(*ax.figure.bbox.extents)).buffer(-2)
    taken = [_box(t, rend) for t in ax.texts if t.get_gid() in LABEL_GIDS]
    step = spacing_in * ax.figure.dpi
    out = []
    for text, region in items:
        shape = _to_display(ax, region).intersection(frame)
        if shape.is_empty:
            continue
        start = shape.representative_point()
        near = shape.buffer(OUTSIDE_IN * ax.figure.dpi).intersection(frame)
        x0, y0, x1, y1 = near.bounds
        xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
        grid = [p for p in shapely.points(xs.ravel(), ys.ravel()) if near.contains(p)]
        # inside the region first, nearest its middle; then just outside it
        pts = [start, *sorted(grid, key=lambda p: (not shape.contains(p), p.distance(start)))]

        def write(p: Any, text: str = text) -> Any:
            x, y = ax.transData.inverted().transform((p.x, p.y))
            lon, lat = ccrs.PlateCarree().transform_point(x, y, ax.projection)
            return ax.text(
                lon,
                lat,
                text,
                transform=ccrs.PlateCarree(),
                ha="center",
                va="center",
                fontsize=fontsize,
                fontweight=weight,
                zorder=9,
                bbox=bbox,
                gid="state-label",
            )

        # the text is centred on its point: its box at any other point is the
        # box at the first one, moved (measured once, not once per point)
        first = write(start)
        box0 = _box(first, rend)
        first.remove()
        best, best_cost = None, None
        for p in pts:
            b = shapely.affinity.translate(box0, p.x - start.x, p.y - start.y)
            cost = b.intersection(blocked).area + 10 * sum(b.intersection(o).area for o in taken)
            cost += 10 * b.difference(frame).area
            if best_cost is None or cost < best_cost - 1e-6:
                best, best_cost = p, cost
            if best_cost == 0:
                break
        if best is not None:
            label = write(best)
            taken.append(_box(label, rend))
            out.append(label)
    return out
