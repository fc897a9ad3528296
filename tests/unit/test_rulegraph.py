"""The data-flow picture in CONTRIBUTING.md is drawn from the workflow itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prp.tools.rulegraph import Graph, layers, layout, parse_dot, rulegraph_dot, sub_columns, svg

ROOT = Path(__file__).resolve().parents[2]

DOT = """digraph snakemake_dag {
    graph[bgcolor=white, margin=0];
\t0[label = "all", color = "0.00 0.6 0.85", style="rounded"];
\t1[label = "render_edition", color = "0.40 0.6 0.85", style="rounded"];
\t2[label = "validate_dataset", color = "0.65 0.6 0.85", style="rounded"];
\t3[label = "table_a", color = "0.43 0.6 0.85", style="rounded"];
\t4[label = "plot_b", color = "0.43 0.6 0.85", style="rounded"];
\t1 -> 0
\t2 -> 3
\t2 -> 4
\t3 -> 1
\t4 -> 1
\t2 -> 1
}
"""


def test_parse_dot_reads_rules_and_data_flow():
    g = parse_dot(DOT)
    assert g.rules == ("all", "plot_b", "render_edition", "table_a", "validate_dataset")
    assert ("validate_dataset", "table_a") in g.edges and ("render_edition", "all") in g.edges
    assert len(g.edges) == 6


def test_parse_dot_rejects_other_text():
    with pytest.raises(ValueError, match="no rules"):
        parse_dot("hello")


def test_columns_follow_the_longest_chain():
    depth = layers(parse_dot(DOT))
    assert depth == {
        "validate_dataset": 0,
        "table_a": 1,
        "plot_b": 1,
        "render_edition": 2,
        "all": 3,
    }


def test_cycle_is_an_error():
    with pytest.raises(ValueError, match="cycle"):
        layers(Graph(("a", "b"), frozenset({("a", "b"), ("b", "a")})))


def test_tall_stage_is_split_evenly_and_small_stages_share():
    rules = [f"table_{i:02}" for i in range(20)] + ["check_a", "check_b"]
    subs = sub_columns(rules)
    assert [len(s) for s in subs] == [2, 10, 10]
    assert subs[0] == ["check_a", "check_b"]


def test_boxes_do_not_overlap_and_flow_left_to_right():
    g = parse_dot(DOT)
    boxes, width, height = layout(g)
    for a, b in g.edges:
        assert boxes[a].x + boxes[a].w < boxes[b].x
    for r in g.rules:
        assert boxes[r].x > 0 and boxes[r].x + boxes[r].w < width
        assert boxes[r].y > 0 and boxes[r].y + boxes[r].h < height


def test_svg_names_every_rule_and_draws_every_edge():
    g = parse_dot(DOT)
    drawing = svg(g)
    assert drawing.startswith("<svg") and drawing.rstrip().endswith("</svg>")
    for r in g.rules:
        assert f">{r}</text>" in drawing
    assert len(re.findall(r"<path ", drawing)) == len(g.edges)
    assert svg(g) == drawing  # deterministic


def test_committed_picture_matches_the_workflow():
    from tests.keys import ensure_unsealed

    if not ensure_unsealed(ROOT):
        pytest.skip("the picture includes the restricted rules: needs the demonstration identity")
    current = (ROOT / "docs" / "rulegraph.svg").read_text(encoding="utf-8")
    assert current == svg(parse_dot(rulegraph_dot(ROOT))), "run `make graph`"
