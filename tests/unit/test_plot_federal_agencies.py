"""Figure 2.1 (federal agencies): tree layout, connectors and the drawing."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from plot_federal_agencies import HIERARCHY_LABEL, box_lines, chart_frame, link_pairs, plot

from prp.artifacts import style
from prp.artifacts.orgchart import (
    BOX_W,
    FONT,
    SLOT_IN,
    forest,
    pack_bands,
    text_width_pt,
    tree_layout,
    wrap_to_width,
)


def agencies(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    """(agency, parent) in chart order."""
    return pd.DataFrame(
        {
            "order": range(1, len(rows) + 1),
            "agency": [a for a, _ in rows],
            "parent": pd.array([p for _, p in rows], dtype="string"),
            "acronym": pd.array([a.upper() for a, _ in rows], dtype="string"),
            "name_en": [f"Agency {a}" for a, _ in rows],
            "type": ["interagency_body" if a.startswith("x") else "ministry" for a, _ in rows],
        }
    )


# m: two children, the first with two children of its own; s: a single root.
TREE = [("m", None), ("a", "m"), ("a1", "a"), ("a2", "a"), ("b", "m"), ("s", None)]


def relations(pairs: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["from_agency", "to_agency", "kind"])


def test_forest_roots_and_children_in_chart_order():
    roots, children = forest(agencies(TREE))
    assert roots == ["m", "s"]
    assert children["m"] == ["a", "b"]
    assert children["a"] == ["a1", "a2"]


def test_unknown_parent_and_cycle_are_errors():
    with pytest.raises(ValueError, match="unknown parent 'zz'"):
        forest(agencies([("m", None), ("a", "zz")]))
    with pytest.raises(ValueError, match="cycle: a, b"):
        forest(agencies([("m", None), ("a", "b"), ("b", "a")]))


def test_layout_levels_slots_and_centred_parents():
    pos = tree_layout(agencies(TREE), max_slots=10)
    assert [pos[a].x for a in ("a1", "a2", "b", "s")] == [0, 1, 2, 3]
    assert pos["a"].x == 0.5  # centred over a1 and a2
    assert pos["m"].x == pytest.approx((0.5 + 2) / 2)  # over its first and last child
    assert [pos[a].row for a in ("m", "a", "a1")] == [0, 1, 2]
    assert pos["s"].row == 0
    # no two boxes in the same place
    assert len({(p.x, p.row) for p in pos.values()}) == len(pos)


def test_bands_hold_at_most_max_slots_leaves():
    _roots, children = forest(agencies(TREE))
    assert pack_bands(["m", "s"], children, max_slots=3) == [["m"], ["s"]]
    assert pack_bands(["m", "s"], children, max_slots=4) == [["m", "s"]]
    assert pack_bands(["m", "s"], children, max_slots=2) == [["m"], ["s"]]  # m is wider: own band
    pos = tree_layout(agencies(TREE), max_slots=3)
    assert pos["s"].band == 1
    assert pos["s"].row > pos["a1"].row  # second band below the whole first one
    assert pos["s"].x == 1.0  # a one-slot band is centred on the three-slot band


def test_links_reorder_a_band_to_shorten_connectors():
    rows = [("m", None), ("a", "m"), ("b", "m"), ("c", "m"), ("x", None), ("y", None), ("z", None)]
    plain = tree_layout(agencies(rows), max_slots=3)
    assert [plain[k].x for k in ("x", "y", "z")] == [0, 1, 2]
    linked = tree_layout(agencies(rows), max_slots=3, links=[("c", "x"), ("a", "z")])
    assert linked["x"].x == 2 and linked["z"].x == 0
    assert linked["y"].x == 1


def test_link_pairs_merge_kinds_of_one_group_and_reject_strangers():
    rel = relations([("a", "m", "supports"), ("a", "m", "refers_to"), ("s", "m", "oversees")])
    out = link_pairs(rel, {"m", "a", "s"})
    assert list(out["link"]) == ["Works with", "Oversees"]
    assert out.loc[0, "kind"] == "supports; refers_to"
    with pytest.raises(ValueError, match="not in the chart: q"):
        link_pairs(relations([("q", "m", "supports")]), {"m"})
    with pytest.raises(ValueError, match="unknown relation kinds: hates"):
        link_pairs(relations([("a", "m", "hates")]), {"m", "a"})


def test_chart_frame_elements():
    rows = TREE + [("x1", None)]
    chart = chart_frame(
        agencies(rows), relations([("a", "x1", "member_of"), ("s", "b", "oversees")])
    )
    counts = chart["element"].value_counts().to_dict()
    assert counts == {"agency": 7, "part_of": 4, "Member or leader of": 1, "Oversees": 1}
    boxes = chart[chart["element"] == "agency"].set_index("from_agency")
    assert boxes.loc["x1", "class"] == "Interagency body"
    assert boxes.loc["m", "class"] == "Federal government body"
    edges = chart[chart["element"] == "part_of"]
    assert set(zip(edges["from_agency"], edges["to_agency"], strict=True)) == {
        ("a", "m"),
        ("a1", "a"),
        ("a2", "a"),
        ("b", "m"),
    }  # roots (m, s, x1) have no edge


def test_wrapping_fits_the_width_and_keeps_words():
    name = "Mexican Mechanism of Support Abroad for Search and Investigation"
    lines = wrap_to_width(name, 60, FONT)
    assert " ".join(lines) == name
    assert len(lines) > 1
    assert all(text_width_pt(line, FONT) <= 60 for line in lines)
    bold, plain = box_lines("MAEMBI", name, 60)
    assert bold == ["MAEMBI"] and plain == lines
    bold, plain = box_lines(None, "Grupos Beta", 60)
    assert bold == ["Grupos Beta"] and plain == []


def test_plot_draws_every_box_connector_and_legend_entry():
    rows = TREE + [("x1", None)]
    chart = chart_frame(agencies(rows), relations([("a", "x1", "member_of")]))
    fig = plot(chart)
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"M", "A1", "X1", "Agency x1"} <= texts
    elbows = [line for line in ax.lines if line.get_gid() != "link"]
    assert len(elbows) == 4  # one elbow per part-of edge
    assert len([line for line in ax.lines if line.get_gid() == "link"]) == 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "Federal government body",
        "Interagency body",
        HIERARCHY_LABEL,
        "Member or leader of",
    ]


def real_chart(root) -> pd.DataFrame:
    from prp.data.datapackage import resource
    from prp.data.validate import read_validated

    def read(name: str) -> pd.DataFrame:
        res = resource(root / "data", name)
        return read_validated(root / "data" / res["path"], res)

    return chart_frame(read("federal_agencies"), read("agency_relations"))


def test_real_chart_boxes_do_not_overlap_and_fit_the_page(root):
    boxes = real_chart(root)
    boxes = boxes[boxes["element"] == "agency"]
    for (_, p), (_, q) in itertools.combinations(boxes.iterrows(), 2):
        assert abs(p["x"] - q["x"]) >= BOX_W or abs(p["row"] - q["row"]) >= 1
    assert boxes["x"].max() + 1 <= 6  # page width: six slots
    assert 6 * SLOT_IN <= style.WIDTH_IN


@pytest.fixture(scope="module")
def drawn():
    from pathlib import Path

    import matplotlib.pyplot as plt

    fig = plot(real_chart(Path(__file__).resolve().parents[2]))
    yield fig
    plt.close(fig)


def box_shapes(fig) -> dict[str, object]:
    from shapely.geometry import box

    from prp.artifacts import layout

    rend = layout.renderer(fig)
    out = {}
    for patch in fig.axes[0].patches:
        gid = patch.get_gid() or ""
        if gid.startswith("box-"):
            e = patch.get_window_extent(rend)
            out[gid.removeprefix("box-")] = box(e.x0, e.y0, e.x1, e.y1)
    return out


def test_every_label_stays_inside_its_box(drawn):
    from shapely.geometry import box

    from prp.artifacts import layout

    rend = layout.renderer(drawn)
    shapes = box_shapes(drawn)
    texts = [t for t in drawn.axes[0].texts if (t.get_gid() or "").startswith("text-")]
    assert {t.get_gid().removeprefix("text-") for t in texts} == set(shapes)
    assert "MAEMBI" in {t.get_text() for t in texts}
    for t in texts:
        e = t.get_window_extent(rend)
        inner = shapes[t.get_gid().removeprefix("text-")].buffer(-1.5)
        assert inner.contains(box(e.x0, e.y0, e.x1, e.y1)), t.get_text()
        assert t.get_fontsize() in style.TYPE_SCALE.values()


def test_no_connector_crosses_a_box_or_its_text(drawn):
    from shapely.geometry import LineString

    shapes = box_shapes(drawn)
    ax = drawn.axes[0]
    links = [line for line in ax.lines if line.get_gid() == "link"]
    from pathlib import Path

    from plot_federal_agencies import LINK_STYLES

    chart = real_chart(Path(__file__).resolve().parents[2])
    assert len(links) == int(chart["element"].isin(list(LINK_STYLES)).sum()) > 5
    for line in links:
        xy = ax.transData.transform(line.get_xydata())
        path = LineString(xy)
        for name, shape in shapes.items():
            inner = shape.buffer(-1.0)  # touching the edge (the arrow's end) is fine
            assert not path.intersects(inner), name
    for line in [line for line in ax.lines if line.get_gid() != "link"]:  # part-of elbows
        path = LineString(ax.transData.transform(line.get_xydata()))
        for name, shape in shapes.items():
            assert not path.intersects(shape.buffer(-1.0)), name


def test_drawn_boxes_keep_apart(drawn):
    shapes = list(box_shapes(drawn).items())
    for (a, sa), (b, sb) in itertools.combinations(shapes, 2):
        assert sa.distance(sb) >= 4, (a, b)  # room for a connector between any two
