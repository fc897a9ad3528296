"""Figure 2.1: organisation chart of the federal agencies involved in
migration policy in Mexico, drawn with matplotlib from the agencies (boxes,
placed under the body they belong to) and their working relations (dashed
connectors).

The layout is a tidy tree computed by :func:`prp.artifacts.orgchart.tree_layout`."""

from typing import Any

import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from prp.artifacts import style
from prp.artifacts.orgchart import (
    BOX_H,
    BOX_W,
    FONT,
    ROW_IN,
    SLOT_IN,
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


def plot(chart: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    boxes = chart[chart["element"] == "agency"].set_index("from_agency")
    n_slots = int(boxes["x"].max() + 1)
    n_rows = float(boxes["row"].max() + 1)
    fig, ax = style.new_figure(width_in=SLOT_IN * n_slots, height_in=ROW_IN * n_rows)
    ax.set_position((0.0, 0.0, 1.0, 1.0))  # data units: one slot = SLOT_IN, one row = ROW_IN
    ax.set_axis_off()
    ax.set_xlim(-0.5, n_slots - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    patches = draw_boxes(ax, boxes)
    draw_hierarchy(ax, chart, boxes)
    draw_relations(ax, chart, boxes, patches)
    draw_legend(ax, chart, boxes)
    return fig


def draw_boxes(ax: Any, boxes: pd.DataFrame) -> dict[str, Any]:
    """One rounded box per agency, coloured by class, with its acronym over
    its English name; returns the patches by agency."""
    max_pt = BOX_W * SLOT_IN * 72 - 6  # 3 pt of padding on each side
    line_h = FONT * 1.22 / 72 / ROW_IN  # in rows
    patches = {}
    for agency, b in boxes.iterrows():
        colour = CLASS_COLOURS[b["class"]]
        patch = FancyBboxPatch(
            (b["x"] - BOX_W / 2, b["row"] - BOX_H / 2),
            BOX_W,
            BOX_H,
            boxstyle="round,pad=0,rounding_size=0.06",
            linewidth=0.9,
            edgecolor=colour,
            facecolor=colour + "22",
            zorder=3,
        )
        ax.add_patch(patch)
        patches[agency] = patch
        bold, plain = box_lines(b["acronym"] or None, b["name_en"], max_pt)
        lines = [(t, "bold") for t in bold] + [(t, "normal") for t in plain]
        y0 = b["row"] - (len(lines) - 1) * line_h / 2
        for i, (text, weight) in enumerate(lines):
            ax.text(
                b["x"],
                y0 + i * line_h,
                text,
                ha="center",
                va="center",
                zorder=4,
                fontsize=FONT + (0.6 if weight == "bold" and plain else 0),
                fontweight=weight,
            )
    return patches


def draw_hierarchy(ax: Any, chart: pd.DataFrame, boxes: pd.DataFrame) -> None:
    """Elbow connectors from the bottom of the parent to the top of each
    child, meeting on a bus halfway between the rows."""
    for _, e in chart[chart["element"] == "part_of"].iterrows():
        child, parent = boxes.loc[e["from_agency"]], boxes.loc[e["to_agency"]]
        y_bus = (parent["row"] + BOX_H / 2 + child["row"] - BOX_H / 2) / 2
        ax.plot(
            [parent["x"], parent["x"], child["x"], child["x"]],
            [parent["row"] + BOX_H / 2, y_bus, y_bus, child["row"] - BOX_H / 2],
            color=style.GREY,
            linewidth=0.9,
            zorder=2,
            solid_capstyle="butt",
        )


def draw_relations(
    ax: Any, chart: pd.DataFrame, boxes: pd.DataFrame, patches: dict[str, Any]
) -> None:
    """Working relations: dashed arcs between the boxes."""
    for _, e in chart[chart["element"].isin(list(LINK_STYLES))].iterrows():
        a, b = boxes.loc[e["from_agency"]], boxes.loc[e["to_agency"]]
        rad = 0.12 if a["x"] <= b["x"] else -0.12
        arrow = FancyArrowPatch(
            (a["x"], a["row"]),
            (b["x"], b["row"]),
            patchA=patches[e["from_agency"]],
            patchB=patches[e["to_agency"]],
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-|>",
            mutation_scale=7,
            linewidth=0.9,
            zorder=1,
            shrinkA=1,
            shrinkB=1,
            **LINK_STYLES[e["element"]],
        )
        ax.add_patch(arrow)


def draw_legend(ax: Any, chart: pd.DataFrame, boxes: pd.DataFrame) -> None:
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
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
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
