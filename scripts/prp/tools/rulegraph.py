"""Draw the workflow's rule graph as an SVG, with no Graphviz binary.

``python -m prp.tools.rulegraph [--out docs/rulegraph.svg] [--check]`` asks
Snakemake for the rule graph of the build targets (``--rulegraph dot``),
lays it out in columns from raw data (left) to the editions (right) and
writes a self-contained SVG. ``--check`` exits non-zero when the file on
disk differs from what the pipeline gives now, so documentation cannot
drift from the Snakefile.

Layout: each rule sits in the column of its longest path from a rule with
no inputs from other rules; tall columns wrap into several sub-columns;
rules are coloured by stage (the prefix of their name).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

TARGETS = ("all", "release_aggregates")
DEFAULT_OUT = Path("docs/rulegraph.svg")

NODE_RE = re.compile(r'^\s*(\d+)\s*\[label\s*=\s*"([^"]+)"')
EDGE_RE = re.compile(r"^\s*(\d+)\s*->\s*(\d+)")

# (name prefix, stage label, fill colour) — Okabe-Ito, light tints.
STAGES = [
    ("validate_", "validate raw data", "#cfe6f5"),
    ("release_", "release aggregates", "#cfe6f5"),
    ("check_", "cross-checks", "#f5e6b8"),
    ("table_", "tables", "#d5eedd"),
    ("plot_", "figures", "#f8d9c4"),
    ("numbers_", "inline numbers", "#e8d5ee"),
    ("render_", "render editions", "#e0e0e0"),
    ("export_", "export provenance", "#e0e0e0"),
    ("", "targets", "#ffffff"),
]

CHAR_W = 6.6  # px per character at FONT_SIZE (DejaVu Sans, generous)
FONT_SIZE = 11
NODE_H = 22
ROW_GAP = 6
COL_GAP = 70
SUB_GAP = 16
MAX_ROWS = 13
MARGIN = 16
LEGEND_H = 30


@dataclass(frozen=True)
class Graph:
    rules: tuple[str, ...]
    edges: frozenset[tuple[str, str]]  # (producer, consumer)


def parse_dot(text: str) -> Graph:
    """Rule names and data-flow edges from Snakemake's ``--rulegraph dot``."""
    names: dict[str, str] = {}
    raw_edges = []
    for line in text.splitlines():
        if m := NODE_RE.match(line):
            names[m.group(1)] = m.group(2)
        elif m := EDGE_RE.match(line):
            raw_edges.append((m.group(1), m.group(2)))
    if not names:
        raise ValueError("no rules found in the rule graph (is this Snakemake's --rulegraph dot?)")
    edges = frozenset((names[a], names[b]) for a, b in raw_edges if a in names and b in names)
    return Graph(tuple(sorted(names.values())), edges)


def stage_of(rule: str) -> int:
    return next(i for i, (prefix, _, _) in enumerate(STAGES) if rule.startswith(prefix))


def layers(graph: Graph) -> dict[str, int]:
    """Column of each rule: length of its longest chain of producers."""
    producers: dict[str, set[str]] = {r: set() for r in graph.rules}
    for a, b in graph.edges:
        producers[b].add(a)
    depth: dict[str, int] = {}

    def visit(rule: str, stack: tuple[str, ...]) -> int:
        if rule in depth:
            return depth[rule]
        if rule in stack:
            raise ValueError(f"cycle in the rule graph through {rule}")
        d = max((visit(p, (*stack, rule)) + 1 for p in producers[rule]), default=0)
        depth[rule] = d
        return d

    for r in graph.rules:
        visit(r, ())
    return depth


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


def sub_columns(rules: list[str]) -> list[list[str]]:
    """Split one column's rules into sub-columns: one per stage, small stages
    sharing a sub-column, big ones split evenly into at most MAX_ROWS rows."""
    groups: dict[int, list[str]] = {}
    for r in sorted(rules):
        groups.setdefault(stage_of(r), []).append(r)
    subs: list[list[str]] = []
    for stage in sorted(groups):
        members = groups[stage]
        n = -(-len(members) // MAX_ROWS)
        size = -(-len(members) // n)
        parts = [members[i : i + size] for i in range(0, len(members), size)]
        if subs and len(parts) == 1 and len(subs[-1]) + len(parts[0]) <= MAX_ROWS // 2:
            subs[-1].extend(parts[0])
        else:
            subs.extend(parts)
    return subs


def layout(graph: Graph) -> tuple[dict[str, Box], float, float]:
    """Positions of every rule box, and the drawing's width and height."""
    depth = layers(graph)
    columns: dict[int, list[str]] = {}
    for r in graph.rules:
        columns.setdefault(depth[r], []).append(r)
    subs = [(col, sub) for col in sorted(columns) for sub in sub_columns(columns[col])]
    rows = max(len(sub) for _, sub in subs)
    top = MARGIN + LEGEND_H
    height = top + rows * (NODE_H + ROW_GAP) - ROW_GAP
    boxes: dict[str, Box] = {}
    x = float(MARGIN)
    for i, (col, sub) in enumerate(subs):
        w = max(len(r) for r in sub) * CHAR_W + 16
        used = len(sub) * (NODE_H + ROW_GAP) - ROW_GAP
        y0 = top + (height - top - used) / 2
        for j, r in enumerate(sub):
            boxes[r] = Box(x, y0 + j * (NODE_H + ROW_GAP), w, NODE_H)
        last = i == len(subs) - 1
        x += w + (0 if last else SUB_GAP if subs[i + 1][0] == col else COL_GAP)
    return boxes, x + MARGIN, height + MARGIN


def svg(graph: Graph) -> str:
    """The rule graph as a standalone SVG document (deterministic)."""
    boxes, width, height = layout(graph)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, sans-serif" '
        f'font-size="{FONT_SIZE}" role="img" aria-labelledby="title">',
        '<title id="title">Rule graph of the report\'s Snakemake workflow: '
        f"{len(graph.rules)} rules, data flowing left to right</title>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    # legend: the stages present
    lx = float(MARGIN)
    seen = sorted({stage_of(r) for r in graph.rules})
    for i in seen:
        _, label, fill = STAGES[i]
        out.append(
            f'<rect x="{lx:.1f}" y="{MARGIN}" width="12" height="12" rx="2" fill="{fill}" '
            'stroke="#555" stroke-width="0.8"/>'
        )
        out.append(f'<text x="{lx + 17:.1f}" y="{MARGIN + 10}">{escape(label)}</text>')
        lx += 17 + len(label) * CHAR_W + 18
    out.append('<g fill="none" stroke="#7a7a7a" stroke-width="0.9" stroke-opacity="0.45">')
    for src, dst in sorted(graph.edges):
        pa, pb = boxes[src], boxes[dst]
        x1, y1 = pa.x + pa.w, pa.y + pa.h / 2
        x2, y2 = pb.x, pb.y + pb.h / 2
        if x2 <= x1:  # same column (wrapped): route around the right side
            x2, y2 = pb.x + pb.w, pb.y + pb.h / 2
        mid = (x1 + x2) / 2
        out.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} '
            f'{x2 - 4:.1f},{y2:.1f}"/>'
        )
    out.append("</g>")
    for r in graph.rules:
        b = boxes[r]
        fill = STAGES[stage_of(r)][2]
        out.append(
            f'<g><title>{escape(r)}</title><rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" '
            f'height="{b.h}" rx="5" fill="{fill}" stroke="#444" stroke-width="1"/>'
            f'<text x="{b.x + 8:.1f}" y="{b.y + b.h / 2 + 4:.1f}">{escape(r)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def rulegraph_dot(workdir: Path, targets: tuple[str, ...] = TARGETS) -> str:
    """Snakemake's rule graph (DOT) of the given targets, from the workflow in workdir."""
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe) if exe.exists() else "snakemake", "--rulegraph", "dot", "--", *targets]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"snakemake --rulegraph failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="fail if --out is not up to date")
    args = ap.parse_args(argv)
    from prp.data import crypt

    if not crypt.unsealed(crypt.PLAIN):
        # the picture includes the rules that exist only with the restricted sources
        print(
            f"{args.out} shows the rules of the restricted edition too: it can be drawn or "
            "checked only with the restricted sources decrypted (`make unseal`, needs a key); "
            "skipped",
            file=sys.stderr,
        )
        return 0 if args.check else 2
    graph = parse_dot(rulegraph_dot(Path.cwd()))
    drawing = svg(graph)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != drawing:
            print(f"{args.out} is out of date with the workflow: run `make graph`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".svg.tmp")
    tmp.write_text(drawing, encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(graph.rules)} rules, {len(graph.edges)} edges)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
