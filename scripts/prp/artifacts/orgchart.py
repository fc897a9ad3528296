"""Layout of an organization chart: a tidy tree packed into bands.

Trees are taken in chart order and packed into horizontal bands of at most
``max_slots`` leaves; inside a band every leaf gets the next slot and a
parent is centred over its children, one row per level. Among the orders of
the trees in a band, the one with the shortest working-relation connectors
is kept. Also: text widths in the figure font and word wrapping to a width.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from matplotlib.font_manager import FontProperties

from prp.artifacts import style

SLOT_IN = 1.03  # width of one leaf slot, inches (six slots fill the 6.2 in text width)
ROW_IN = 0.84  # height of one level, inches
BOX_W = 0.88  # box width, in slots (the gaps between boxes carry the connectors)
BOX_H = 0.62  # least box height, in rows (a box with a long name is taller)
BAND_GAP = 0.35  # extra rows between bands
FONT = style.SMALL


@dataclass(frozen=True)
class Position:
    x: float  # slot coordinate of the box centre (0 = first slot)
    row: float  # level from the top of the chart (0 = top row)
    band: int


def forest(agencies: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
    """Roots and children of each agency, both in chart order. An unknown
    parent or a cycle is an error."""
    df = agencies.sort_values("order")
    ids = [str(a) for a in df["agency"]]
    known = set(ids)
    children: dict[str, list[str]] = {a: [] for a in ids}
    roots: list[str] = []
    for agency, parent in zip(ids, df["parent"], strict=True):
        if parent is None or pd.isna(parent) or str(parent) == "":
            roots.append(agency)
        elif str(parent) not in known:
            raise ValueError(f"agency {agency!r} names an unknown parent {parent!r}")
        else:
            children[str(parent)].append(agency)
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        seen.add(node)
        stack.extend(children[node])
    if seen != known:
        raise ValueError(f"agencies in a parent cycle: {', '.join(sorted(known - seen))}")
    return roots, children


def leaf_count(node: str, children: dict[str, list[str]]) -> int:
    kids = children[node]
    return 1 if not kids else sum(leaf_count(k, children) for k in kids)


def depth(node: str, children: dict[str, list[str]]) -> int:
    kids = children[node]
    return 1 if not kids else 1 + max(depth(k, children) for k in kids)


def pack_bands(roots: list[str], children: dict[str, list[str]], max_slots: int) -> list[list[str]]:
    """Trees in order, greedily filled into bands of at most ``max_slots``
    leaves (a tree wider than that gets a band of its own)."""
    bands: list[list[str]] = []
    used = 0
    for root in roots:
        width = leaf_count(root, children)
        if not bands or used + width > max_slots:
            bands.append([])
            used = 0
        bands[-1].append(root)
        used += width
    return bands


def _place_band(
    band: list[str], children: dict[str, list[str]], first_slot: float, top: float, b: int
) -> dict[str, Position]:
    """Positions of one band's trees: leaves on consecutive slots from
    ``first_slot``, parents centred over their first and last child."""
    pos: dict[str, Position] = {}
    slot = first_slot

    def place(node: str, level: int) -> float:
        nonlocal slot
        kids = children[node]
        if kids:
            xs = [place(k, level + 1) for k in kids]
            x = (xs[0] + xs[-1]) / 2
        else:
            x = slot
            slot += 1
        pos[node] = Position(x=x, row=top + level, band=b)
        return x

    for root in band:
        place(root, 0)
    return pos


def link_cost(pos: dict[str, Position], links: list[tuple[str, str]]) -> float:
    """Total horizontal length of the links whose two ends are placed."""
    return sum(abs(pos[a].x - pos[b].x) for a, b in links if a in pos and b in pos)


def tree_layout(
    agencies: pd.DataFrame, max_slots: int = 6, links: list[tuple[str, str]] | None = None
) -> dict[str, Position]:
    """Position of every agency (see the module docstring). Each band is
    centred on the widest one. With ``links`` (pairs of agencies joined by a
    connector), the trees of each band are put in the order that makes those
    connectors shortest (ties keep chart order), so few of them cross."""
    roots, children = forest(agencies)
    bands = pack_bands(roots, children, max_slots)
    widths = [sum(leaf_count(r, children) for r in band) for band in bands]
    total_width = max(widths)
    pos: dict[str, Position] = {}
    top = 0.0
    for b, band in enumerate(bands):
        first = (total_width - widths[b]) / 2
        best: dict[str, Position] | None = None
        best_cost = float("inf")
        orders = itertools.permutations(band) if links and len(band) <= 7 else [tuple(band)]
        for order in orders:
            trial = _place_band(list(order), children, first, top, b)
            cost = link_cost({**pos, **trial}, links or [])
            if cost < best_cost - 1e-9:
                best, best_cost = trial, cost
        assert best is not None
        pos.update(best)
        top += max(depth(r, children) for r in band) + BAND_GAP
    return pos


def text_width_pt(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` set in the figure font, in points (as matplotlib
    lays it out)."""

    style.apply()  # registers the figure font
    prop = FontProperties(
        family=style.RC["font.family"], weight="bold" if bold else "normal", size=size
    )
    width, _, _ = _measurer().get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


@cache
def _measurer() -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(10, 10, 72)  # 72 dpi: pixels are points


def wrap_to_width(text: str, max_pt: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap so that every line fits in ``max_pt`` points (a single
    word wider than that gets a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width_pt(f"{lines[-1]} {word}", size, bold) <= max_pt:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


# --------------------------------------------------------------------------
# connectors that go round the boxes


@dataclass(frozen=True)
class Grid:
    """A routing grid over the chart: ``step`` slots by ``step`` rows per
    cell, from (x0, y0) (slot and row coordinates of the first cell)."""

    x0: float
    y0: float
    nx: int
    ny: int
    step: float

    def cell(self, x: float, y: float) -> tuple[int, int]:
        return int(round((x - self.x0) / self.step)), int(round((y - self.y0) / self.step))

    def point(self, i: int, j: int) -> tuple[float, float]:
        return self.x0 + i * self.step, self.y0 + j * self.step


def route(
    grid: Grid,
    blocked: Any,
    cost: Any,
    starts: list[tuple[int, int]],
    goals: set[tuple[int, int]],
    bend: float = 6.0,
) -> list[tuple[int, int]]:
    """Cheapest orthogonal path (A*, cells and bends) from any start cell to
    any goal cell that enters no blocked cell; ``cost`` adds to each cell
    entered (other connectors, lines). Raises if there is none."""
    import heapq

    gx = [g[0] for g in goals]
    gy = [g[1] for g in goals]
    lo_x, hi_x, lo_y, hi_y = min(gx), max(gx), min(gy), max(gy)

    def h(i: int, j: int) -> float:  # a little greedy: fast, and paths stay short
        return 1.2 * (max(lo_x - i, 0, i - hi_x) + max(lo_y - j, 0, j - hi_y))

    moves = ((1, 0), (-1, 0), (0, 1), (0, -1))
    best: dict[tuple[int, int, int], float] = {}
    back: dict[tuple[int, int, int], tuple[int, int, int] | None] = {}
    heap: list[tuple[float, float, tuple[int, int, int]]] = []
    for i, j in starts:
        for d in range(4):
            state = (i, j, d)
            best[state] = 0.0
            back[state] = None
            heapq.heappush(heap, (h(i, j), 0.0, state))
    while heap:
        _, g, state = heapq.heappop(heap)
        if g > best.get(state, float("inf")):
            continue
        i, j, d = state
        if (i, j) in goals:
            path = []
            node: tuple[int, int, int] | None = state
            while node is not None:
                path.append((node[0], node[1]))
                node = back[node]
            return path[::-1]
        for nd, (di, dj) in enumerate(moves):
            ni, nj = i + di, j + dj
            if not (0 <= ni < grid.nx and 0 <= nj < grid.ny) or blocked[nj, ni]:
                continue
            ng = g + 1.0 + float(cost[nj, ni]) + (bend if nd != d and back[state] else 0.0)
            nstate = (ni, nj, nd)
            if ng < best.get(nstate, float("inf")):
                best[nstate] = ng
                back[nstate] = state
                heapq.heappush(heap, (ng + h(ni, nj), ng, nstate))
    raise ValueError("no route between the boxes: widen the gaps between them")


def corners(path: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The path's end points and the cells where it turns."""
    if len(path) < 3:
        return list(path)
    out = [path[0]]
    for a, b, c in zip(path, path[1:], path[2:], strict=False):
        if (b[0] - a[0], b[1] - a[1]) != (c[0] - b[0], c[1] - b[1]):
            out.append(b)
    out.append(path[-1])
    return out
