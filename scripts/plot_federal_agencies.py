"""Figure 2.1: organisation chart of the federal agencies involved in
migration policy in Mexico, drawn with matplotlib from the agencies (boxes,
placed under the body they belong to) and their working relations (dashed
connectors).

The layout is a tidy tree computed by :func:`prp.artifacts.orgchart.tree_layout`."""

from typing import Any

import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch

from prp.artifacts import style
from prp.artifacts.orgchart import (
    BOX_H,
    BOX_W,
    FONT,
    ROW_IN,
    SLOT_IN,
    Grid,
    corners,
    route,
    tree_layout,
    wrap_to_width,
)

# Broad classes of body, by the `type` column, for the box fill.
CLASSES = {
    "autonomous_body": "Autonomous body",
    "interagency_body": "Interagency body",
}
DEFAULT_CLASS = "Federal government body"
CLASS_ORDER = [DEFAULT_CLASS, "Autonomous body", "Interagency body"]
CLASS_COLOURS = {
    DEFAULT_CLASS: style.PALETTE["blue"],
    "Autonomous body": style.PALETTE["green"],
    "Interagency body": style.PALETTE["orange"],
}

# Relation kinds of agency_relations.csv, grouped for the connector style.
LINKS = {
    "supports": "Works with",
    "refers_to": "Works with",
    "coordinates_with": "Works with",
    "member_of": "Member or leader of",
    "leads": "Member or leader of",
    "oversees": "Oversees",
}
LINK_STYLES = {
    "Works with": {"color": style.PALETTE["vermillion"], "linestyle": (0, (4, 2))},
    "Member or leader of": {"color": style.PALETTE["orange"], "linestyle": (0, (1.5, 1.5))},
    "Oversees": {"color": style.PALETTE["green"], "linestyle": (0, (6, 2, 1.5, 2))},
}
HIERARCHY_LABEL = "Part of"
PAD_PT = 3.0  # inner padding of a box
LINE_PT = FONT * 1.2  # line pitch in a box
LEGEND_IN = 0.5  # band under the chart for the legend
STEP = 0.04  # routing grid, in slots and rows
CLEAR = 0.035  # connectors keep this far (slots, rows) from any box
HIERARCHY_COST = 2.0  # running along or across a "part of" line
LINK_COST = 3.0  # running along or across another connector


def agency_class(kind: str) -> str:
    return CLASSES.get(kind, DEFAULT_CLASS)


def box_lines(
    acronym: Any, name_en: str, max_pt: float, size: float = FONT
) -> tuple[list[str], list[str]]:
    """Bold lines and plain lines of a box: the acronym over the English name
    wrapped to ``max_pt``, or, for a body without an acronym, its English name
    in bold."""
    if acronym is not None and not pd.isna(acronym) and str(acronym):
        return [str(acronym)], wrap_to_width(name_en, max_pt, size)
    return wrap_to_width(name_en, max_pt, size, bold=True), []


def link_pairs(relations: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """One connector per pair of agencies and link group (two kinds of the
    same group between the same pair merge), in file order. Relations naming
    an agency that is not in the chart are an error."""
    unknown = (set(relations["from_agency"]) | set(relations["to_agency"])) - known
    if unknown:
        raise ValueError(f"relations name agencies not in the chart: {', '.join(sorted(unknown))}")
    bad = set(relations["kind"]) - set(LINKS)
    if bad:
        raise ValueError(f"unknown relation kinds: {', '.join(sorted(bad))}")
    df = relations[["from_agency", "to_agency", "kind"]].astype(str).copy()
    df["link"] = df["kind"].map(LINKS)
    out = (
        df.groupby(["from_agency", "to_agency", "link"], sort=False)["kind"]
        .agg(lambda k: "; ".join(k))
        .reset_index()
    )
    return out


def chart_frame(
    agencies: pd.DataFrame, relations: pd.DataFrame, max_slots: int = 6
) -> pd.DataFrame:
    """The plotted data: one row per box (element 'agency', with position)
    then one per connector (element 'part_of' for the hierarchy, or the link
    group of a relation)."""
    links = link_pairs(relations, set(agencies["agency"].astype(str)))
    pairs = list(zip(links["from_agency"], links["to_agency"], strict=True))
    pos = tree_layout(agencies, max_slots, pairs)
    df = agencies.sort_values("order")
    boxes = pd.DataFrame(
        {
            "element": "agency",
            "from_agency": df["agency"].astype(str).to_numpy(),
            "to_agency": df["parent"].astype("string").fillna("").to_numpy(),
            "kind": df["type"].astype(str).to_numpy(),
            "acronym": df["acronym"].astype("string").fillna("").to_numpy(),
            "name_en": df["name_en"].astype(str).to_numpy(),
            "class": [agency_class(t) for t in df["type"].astype(str)],
        }
    )
    boxes["x"] = [pos[a].x for a in boxes["from_agency"]]
    boxes["row"] = [pos[a].row for a in boxes["from_agency"]]
    hierarchy = boxes.loc[boxes["to_agency"] != "", ["from_agency", "to_agency"]].assign(
        element="part_of", kind="part_of"
    )
    links = links.rename(columns={"link": "element"})
    cols = [
        "element",
        "from_agency",
        "to_agency",
        "kind",
        "acronym",
        "name_en",
        "class",
        "x",
        "row",
    ]
    return pd.concat([boxes, hierarchy, links], ignore_index=True).reindex(columns=cols)


def box_sizes(boxes: pd.DataFrame) -> dict[str, tuple[list[tuple[str, str]], float]]:
    """Lines (text, weight) and height (rows) of every box: at least BOX_H,
    taller where its name needs more lines (so no text leaves its box)."""
    max_pt = BOX_W * SLOT_IN * 72 - 2 * PAD_PT
    out = {}
    for agency, b in boxes.iterrows():
        bold, plain = box_lines(b["acronym"] or None, b["name_en"], max_pt)
        lines = [(t, "bold") for t in bold] + [(t, "normal") for t in plain]
        need = (len(lines) * LINE_PT + 2 * PAD_PT) / 72 / ROW_IN
        out[str(agency)] = (lines, max(BOX_H, need))
    return out


def plot(chart: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    style.apply()
    boxes = chart[chart["element"] == "agency"].set_index("from_agency")
    sizes = box_sizes(boxes)
    n_slots = int(boxes["x"].max() + 1)
    bottom = max(float(b["row"]) + sizes[a][1] / 2 for a, b in boxes.iterrows())
    top = -0.5
    height_rows = bottom + 0.12 - top
    width_in = SLOT_IN * n_slots
    if width_in > style.WIDTH_IN + 1e-9:
        raise ValueError(f"{n_slots} slots need {width_in:.2f} in, wider than the text width")
    chart_in = height_rows * ROW_IN
    fig_h = round(chart_in + LEGEND_IN, 2)
    style.apply()
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(style.WIDTH_IN, fig_h))
    margin = (style.WIDTH_IN - width_in) / 2 / style.WIDTH_IN
    ax = fig.add_axes((margin, LEGEND_IN / fig_h, width_in / style.WIDTH_IN, chart_in / fig_h))
    ax.set_axis_off()
    ax.set_xlim(-0.5, n_slots - 0.5)
    ax.set_ylim(top + height_rows, top)
    rects = draw_boxes(ax, boxes, sizes)
    hierarchy = draw_hierarchy(ax, chart, boxes, rects)
    draw_relations(ax, chart, rects, hierarchy, (-0.5, n_slots - 0.5, top, top + height_rows))
    draw_legend(fig, chart, boxes)
    return fig


Rect = tuple[float, float, float, float]  # x0, x1, y0 (top), y1 (bottom), in slots and rows


def draw_boxes(
    ax: Any, boxes: pd.DataFrame, sizes: dict[str, tuple[list[tuple[str, str]], float]]
) -> dict[str, Rect]:
    """One rounded box per agency, coloured by class, with its acronym over
    its English name; returns each box's rectangle."""
    line_h = LINE_PT / 72 / ROW_IN  # in rows
    rects: dict[str, Rect] = {}
    for agency, b in boxes.iterrows():
        lines, h = sizes[str(agency)]
        colour = CLASS_COLOURS[b["class"]]
        x0, y0 = b["x"] - BOX_W / 2, b["row"] - h / 2
        ax.add_patch(
            FancyBboxPatch(
                (x0, y0),
                BOX_W,
                h,
                boxstyle="round,pad=0,rounding_size=0.06",
                linewidth=0.9,
                edgecolor=colour,
                facecolor=colour + "22",
                zorder=3,
                gid=f"box-{agency}",
            )
        )
        rects[str(agency)] = (x0, x0 + BOX_W, y0, y0 + h)
        first = b["row"] - (len(lines) - 1) * line_h / 2
        for i, (text, weight) in enumerate(lines):
            ax.text(
                b["x"],
                first + i * line_h,
                text,
                ha="center",
                va="center_baseline",
                zorder=4,
                fontsize=FONT,
                fontweight=weight,
                gid=f"text-{agency}",
            )
    return rects


def draw_hierarchy(
    ax: Any, chart: pd.DataFrame, boxes: pd.DataFrame, rects: dict[str, Rect]
) -> list[list[tuple[float, float]]]:
    """Elbow connectors from the bottom of the parent to the top of each
    child, meeting on a bus halfway between them; returns the polylines."""
    lines = []
    for _, e in chart[chart["element"] == "part_of"].iterrows():
        child, parent = boxes.loc[e["from_agency"]], boxes.loc[e["to_agency"]]
        p_bottom = rects[e["to_agency"]][3]
        c_top = rects[e["from_agency"]][2]
        y_bus = (p_bottom + c_top) / 2
        xs = [parent["x"], parent["x"], child["x"], child["x"]]
        ys = [p_bottom, y_bus, y_bus, c_top]
        ax.plot(xs, ys, color=style.GREY, linewidth=0.9, zorder=2, solid_capstyle="butt")
        lines.append(list(zip(xs, ys, strict=True)))
    return lines


def draw_relations(
    ax: Any,
    chart: pd.DataFrame,
    rects: dict[str, Rect],
    hierarchy: list[list[tuple[float, float]]],
    frame: tuple[float, float, float, float],
) -> None:
    """Working relations: orthogonal connectors routed round every box
    (prp.artifacts.orgchart.route), each avoiding the others where it can."""
    import numpy as np

    x0, x1, y0, y1 = frame
    grid = Grid(x0, y0, int((x1 - x0) / STEP) + 1, int((y1 - y0) / STEP) + 1, STEP)
    blocked = np.zeros((grid.ny, grid.nx), dtype=bool)
    cost = np.zeros((grid.ny, grid.nx))
    rings: dict[str, set[tuple[int, int]]] = {}
    for agency, (rx0, rx1, ry0, ry1) in rects.items():
        i0, j0 = grid.cell(rx0 - CLEAR, ry0 - CLEAR)
        i1, j1 = grid.cell(rx1 + CLEAR, ry1 + CLEAR)
        blocked[j0 : j1 + 1, i0 : i1 + 1] = True
        ring = {(i, j0 - 1) for i in range(i0 + 3, i1 - 2)} | {
            (i, j1 + 1) for i in range(i0 + 3, i1 - 2)
        }
        ring |= {(i0 - 1, j) for j in range(j0 + 2, j1 - 1)} | {
            (i1 + 1, j) for j in range(j0 + 2, j1 - 1)
        }
        rings[agency] = {c for c in ring if 0 <= c[0] < grid.nx and 0 <= c[1] < grid.ny}
    for line in hierarchy:
        for (ax_, ay), (bx, by) in zip(line, line[1:], strict=False):
            for t in np.linspace(0, 1, 60):
                i, j = grid.cell(ax_ + (bx - ax_) * t, ay + (by - ay) * t)
                if 0 <= i < grid.nx and 0 <= j < grid.ny:
                    cost[max(j - 1, 0) : j + 2, max(i - 1, 0) : i + 2] += HIERARCHY_COST
    links = chart[chart["element"].isin(list(LINK_STYLES))]
    # longest links first: they have the fewest ways round
    order = sorted(
        links.itertuples(index=False),
        key=lambda e: (
            -abs(rects[e.from_agency][0] - rects[e.to_agency][0])
            - abs(rects[e.from_agency][2] - rects[e.to_agency][2])
        ),
    )
    for e in order:
        path = route(grid, blocked, cost, sorted(rings[e.from_agency]), rings[e.to_agency])
        for i, j in path:
            cost[max(j - 1, 0) : j + 2, max(i - 1, 0) : i + 2] += LINK_COST
        pts = [grid.point(i, j) for i, j in corners(path)]
        pts = (
            [edge_point(rects[e.from_agency], pts[0])]
            + pts
            + [edge_point(rects[e.to_agency], pts[-1])]
        )
        xs, ys = zip(*pts, strict=True)
        kw = LINK_STYLES[e.element]
        ax.plot(xs[:-1], ys[:-1], linewidth=0.9, zorder=1, gid="link", **kw)
        ax.annotate(
            "",
            xy=pts[-1],
            xytext=pts[-2],
            arrowprops={
                "arrowstyle": "-|>",
                "color": kw["color"],
                "linewidth": 0.9,
                "mutation_scale": 7,
                "shrinkA": 0,
                "shrinkB": 0,
            },
            zorder=1,
        )


def edge_point(rect: Rect, near: tuple[float, float]) -> tuple[float, float]:
    """The point of the box edge facing ``near`` (a cell just outside it)."""
    x0, x1, y0, y1 = rect
    x, y = near
    if x0 <= x <= x1:
        return (x, y0 if y < y0 else y1)
    return (x0 if x < x0 else x1, y)


def draw_legend(fig: Any, chart: pd.DataFrame, boxes: pd.DataFrame) -> None:
    """The legend, in the band under the chart."""
    handles = [
        Patch(facecolor=CLASS_COLOURS[c] + "22", edgecolor=CLASS_COLOURS[c], label=c)
        for c in CLASS_ORDER
        if c in set(boxes["class"])
    ]
    handles.append(Line2D([], [], color=style.GREY, linewidth=0.9, label=HIERARCHY_LABEL))
    handles += [
        Line2D([], [], linewidth=0.9, label=name, **kw)
        for name, kw in LINK_STYLES.items()
        if name in set(chart["element"])
    ]
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, (LEGEND_IN - 0.05) / fig.get_figheight()),
        ncol=4,
        frameon=False,
        fontsize=style.SMALL,
        handlelength=2.6,
    )


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    chart = chart_frame(
        pd.read_parquet(inputs["agencies"]),
        pd.read_parquet(inputs["relations"]),
        params.get("max_slots", 6),
    )
    style.write_figure(plot(chart), chart, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
