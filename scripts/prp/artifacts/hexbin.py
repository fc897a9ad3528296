"""Density of events on the map projection: events counted in the cells of
a regular hexagonal tiling, streamed over batches of records so that memory
does not grow with their number, and the count classes and cell outlines
the maps draw them with."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from prp.artifacts import maps

SQRT3 = float(np.sqrt(3.0))


def use_density(n_events: int, above: int | None) -> bool:
    """Whether ``n_events`` are too many for one symbol each (more than
    ``above``; never if ``above`` is None)."""
    return above is not None and n_events > int(above)


def hex_cells(x: np.ndarray, y: np.ndarray, width: float) -> pd.DataFrame:
    """The hexagon (pointy-top, ``width`` between neighbouring centres) of a
    regular tiling of the plane holding each projected point (``x``, ``y``):
    columns ``hex_x``, ``hex_y`` (its centre). Centres lie on two rectangular
    lattices offset by half a cell; each point goes to the nearer centre."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dy = width * SQRT3
    ax_, ay = np.round(x / width), np.round(y / dy)
    bx, by = np.floor(x / width) + 0.5, np.floor(y / dy) + 0.5
    da = (x - ax_ * width) ** 2 + (y - ay * dy) ** 2
    db = (x - bx * width) ** 2 + (y - by * dy) ** 2
    near_a = da <= db
    return pd.DataFrame(
        {
            "hex_x": np.where(near_a, ax_, bx) * width,
            "hex_y": np.where(near_a, ay, by) * dy,
        }
    )


def density_counts(batches: Iterable[pd.DataFrame], width: float) -> pd.DataFrame:
    """Events per hexagonal cell (projected centre ``hex_x``, ``hex_y``,
    its ``longitude``/``latitude``, and ``events``), over batches of events
    with ``latitude`` and ``longitude``; cells without events are left out."""
    proj, lonlat = maps.projection(), maps.lonlat()
    parts = []
    for batch in batches:
        if batch[["latitude", "longitude"]].isna().any().any():
            raise ValueError("events without coordinates cannot be mapped")
        xy = proj.transform_points(
            lonlat,
            batch["longitude"].to_numpy(dtype=float),
            batch["latitude"].to_numpy(dtype=float),
        )
        cells = hex_cells(xy[:, 0], xy[:, 1], width)
        parts.append(cells.value_counts(["hex_x", "hex_y"]).rename("events").reset_index())
    if not parts:
        return pd.DataFrame(columns=["hex_x", "hex_y", "longitude", "latitude", "events"])
    out = (
        pd.concat(parts, ignore_index=True)
        .groupby(["hex_x", "hex_y"], as_index=False)["events"]
        .sum()
        .sort_values(["hex_y", "hex_x"], kind="stable")
        .reset_index(drop=True)
    )
    back = lonlat.transform_points(proj, out["hex_x"].to_numpy(), out["hex_y"].to_numpy())
    out.insert(2, "longitude", np.round(back[:, 0], 5))
    out.insert(3, "latitude", np.round(back[:, 1], 5))
    out["events"] = out["events"].astype("int64")
    return out


def density_bins(maximum: int) -> list[int]:
    """Lower bounds of the count classes: 1, 10, 100 ... up to the first
    power of ten above ``maximum``."""
    bins = [1]
    while bins[-1] <= maximum:
        bins.append(bins[-1] * 10)
    return bins


def hexagon(cx: float, cy: float, width: float) -> np.ndarray:
    """Corners of the pointy-top hexagon centred on (cx, cy)."""
    r = width / SQRT3
    angles = np.deg2rad(90 + 60 * np.arange(6))
    return np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)])
