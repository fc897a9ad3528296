"""Cell suppression that survives the attacker of :mod:`prp.events.audit`.

Given the true counts of every table to be released (the frames of
:func:`prp.events.disclosure.true_tables`), choose the counts to withhold so
that the attacker, knowing everything the release publishes, cannot narrow
any withheld count down too far:

* **primary** counts: ``0 < count < k`` (zeros are published: an empty cell
  describes nobody);
* **protection levels** (the standard notion of tau-argus and sdcTable,
  Fischetti & Salazar 2000): the attacker's feasibility interval
  ``[lo, hi]`` of a primary count ``a`` must satisfy

  - ``hi >= upper`` (default ``k``): the release is consistent with the
    count being publishable, so it does not even reveal that it is small;
  - ``hi - lo >= width`` (default ``k - 1``): with the published "at least
    one event" floor, a 1 cannot be told from a ``k``;

  and no withheld count at all (complements included) may be pinned
  (``hi - lo >= 1``);
* **complementary** suppressions are added until the exact audit passes: for
  each count that fails, a linear program (the classical single-cell
  protection problem) finds the cheapest set of published counts whose
  values would have to move to let it reach its target; those are withheld,
  and the whole release is audited again with the exact integer attack.
  Zeros and the national total are never withheld, so "a withheld count
  holds at least one event" stays true and is part of the audit.

Every withheld count is labelled "withheld" (never "<k": a complement holding
6 is not "<5", and labels that tell primary from complementary counts would
tell the attacker ``<= k - 1`` for the one and ``>= k`` for the other).

:attr:`Outcome.audit` holds the true values of the withheld counts: it is for
the release step's checks and must never be written to a public path.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

from prp.events.audit import (
    COUNT_TABLES,
    Knowledge,
    Model,
    build_model,
    intervals,
    keys_of,
    reduce,
    solve,
)
from prp.events.disclosure import GRID, LISTS, STATE_TOTALS, TOTAL

WITHHELD = "withheld"
"""How every withheld count is printed."""


@dataclass(frozen=True)
class Protection:
    """What the audit requires of every withheld count (see module doc)."""

    k: int = 5
    upper: int | None = None  # default k
    width: int | None = None  # default k - 1
    complement_width: int = 1

    def __post_init__(self) -> None:
        if self.k < 2:
            raise ValueError(f"disclosure threshold k must be at least 2, got {self.k}")

    @property
    def hi_target(self) -> int:
        return self.k if self.upper is None else self.upper

    @property
    def min_width(self) -> int:
        return self.k - 1 if self.width is None else self.width


@dataclass
class Outcome:
    """The protected tables (``events`` <NA> where withheld), the pattern,
    the exact audit of it (true values: restricted), and per round the
    number of withheld and failing counts."""

    tables: dict[str, pd.DataFrame]
    withheld: np.ndarray
    primary: np.ndarray
    audit: pd.DataFrame
    model: Model
    rounds: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


class Refused(RuntimeError):
    """The release does not meet its protection level: nothing may be written."""


# --------------------------------------------------------------------------
# checking


def requirements(
    value: float, primary: bool, prot: Protection, floor: float
) -> tuple[float, float]:
    """Targets (U, L) for one count: the attacker's max must reach U and min
    must reach down to L (L = +inf: no lower requirement). They are
    sufficient for :func:`meets`."""
    if primary:
        u = max(prot.hi_target, value + 1)
        lo = max(floor, u - prot.min_width)
        return u, (lo if lo < value else math.inf)
    return value + prot.complement_width, math.inf


def meets(lo: float, hi: float, value: float, primary: bool, prot: Protection) -> bool:
    """Does a withheld count's interval meet its protection level?"""
    if primary:
        return hi >= max(prot.hi_target, value) and hi - lo >= prot.min_width
    return hi - lo >= prot.complement_width


def audit(
    model: Model, withheld: np.ndarray, primary: np.ndarray, prot: Protection
) -> tuple[pd.DataFrame, Any]:
    """Exact attack on a pattern: one row per withheld count with its true
    value, interval, whether it is primary and whether it meets the level."""
    res = intervals(model, withheld)
    f = res.frame.copy()
    items = f["item"].to_numpy()
    f["value"] = model.value[items]
    f["primary"] = primary[items]
    f["ok"] = [
        meets(lo, hi, v, p, prot)
        for lo, hi, v, p in zip(f["lo"], f["hi"], f["value"], f["primary"], strict=True)
    ]
    inside = (f["lo"] <= f["value"] + 1e-9) & (f["value"] <= f["hi"] + 1e-9)
    if not inside.all():
        raise AssertionError(
            "the attack excluded a true value: the published facts the model assumes are false"
        )
    return f, res


# --------------------------------------------------------------------------
# the single-cell protection problem


def default_costs(model: Model) -> np.ndarray:
    """Cost per unit of change of a published count, used to choose
    complements: cells before state totals, small counts before large ones,
    national category counts only as a last resort; the national total and
    zeros are never withheld (infinite cost)."""
    c = np.empty(len(model.keys))
    for i, key in enumerate(model.keys):
        if key[0] == "flow":
            c[i] = math.inf  # auxiliary: always unknown
            continue
        v = model.value[i]
        base = 4.0 if key[0] == STATE_TOTALS else 1.5 if key[0] == GRID else 1.0
        if key[0] != GRID and key[1] == TOTAL:
            base *= 25.0
        if key[0] in LISTS and key[1] == LISTS[key[0]].total:
            base *= 25.0
        c[i] = base * (1.0 + math.log10(1.0 + v))
        if key == (STATE_TOTALS, TOTAL) or v == 0:
            c[i] = math.inf
    return c


def _rows_matrix(model: Model) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    data, ri, ci, lo, hi = [], [], [], [], []
    for r, (coef, rlo, rhi, _) in enumerate(model.rows):
        for i, c in coef.items():
            data.append(c)
            ri.append(r)
            ci.append(i)
        lo.append(rlo)
        hi.append(rhi)
    n = len(model.keys)
    return sparse.csr_matrix((data, (ri, ci)), shape=(len(lo), n)), np.array(lo), np.array(hi)


def _protection_lp(
    model: Model,
    withheld: np.ndarray,
    cell: int,
    costs: np.ndarray,
    floor: np.ndarray,
    target: float | None,
    up: bool,
    integer: bool = False,
) -> tuple[float, list[int]] | None:
    """The single-cell protection problem. Variables: every item's value y,
    and for each movable published item j its change y_j - a_j = p_j - q_j.
    Every published relation holds; withheld items keep their a-priori
    bounds; zeros and the national total stay as published. With
    ``target``, the cell must reach it (upwards if ``up``) at the least cost
    sum(cost_j * (p_j + q_j)); without, the cell is pushed as far as it can
    go. Returns (value reached, moved items) or None if infeasible."""
    n = len(model.keys)
    a, lo, hi = _rows_matrix(model)
    pub = np.flatnonzero(~withheld)
    movable = pub[np.isfinite(costs[pub])]
    fixed = pub[~np.isfinite(costs[pub])]
    m = len(movable)
    link = sparse.csr_matrix(
        (
            np.concatenate([np.ones(m), -np.ones(m), np.ones(m)]),
            (
                np.concatenate([np.arange(m)] * 3),
                np.concatenate([movable, n + np.arange(m), n + m + np.arange(m)]),
            ),
        ),
        shape=(m, n + 2 * m),
    )
    big = sparse.hstack([a, sparse.csr_matrix((a.shape[0], 2 * m))]).tocsr()
    cons = [
        LinearConstraint(big, lo, hi),
        LinearConstraint(link, model.value[movable], model.value[movable]),
    ]
    lb = np.zeros(n + 2 * m)
    ub = np.full(n + 2 * m, np.inf)
    w = np.flatnonzero(withheld | model.aux)
    lb[w] = model.lb[w]
    ub[w] = model.ub[w]
    lb[movable] = floor[movable]
    lb[fixed] = ub[fixed] = model.value[fixed]
    if target is not None:
        if up:
            lb[cell] = max(lb[cell], target)
        else:
            ub[cell] = min(ub[cell], target)
        if lb[cell] > ub[cell]:
            return None
        c = np.concatenate([np.zeros(n), costs[movable], costs[movable]])
    else:
        c = np.zeros(n + 2 * m)
        c[cell] = -1.0 if up else 1.0
    res = milp(
        c,
        constraints=cons,
        bounds=(lb, ub),
        integrality=np.concatenate([np.ones(n), np.zeros(2 * m)]) if integer else None,
    )
    if res.status != 0 or res.x is None:
        return None
    moved = res.x[n : n + m] + res.x[n + m :]
    return float(res.x[cell]), [int(movable[j]) for j in np.flatnonzero(moved > 1e-7)]


def protecting_set(
    model: Model,
    withheld: np.ndarray,
    cell: int,
    target: float,
    up: bool,
    costs: np.ndarray,
    floor: np.ndarray,
    integer: bool = False,
) -> list[int] | None:
    """Published items whose values must change for ``cell`` to reach
    ``target``: the cheapest such change (see :func:`_protection_lp`)."""
    out = _protection_lp(model, withheld, cell, costs, floor, target, up, integer)
    return None if out is None else out[1]


def reachable(
    model: Model, withheld: np.ndarray, cell: int, up: bool, costs: np.ndarray, floor: np.ndarray
) -> float:
    """How far the cell could go if every movable published value were withheld."""
    out = _protection_lp(model, withheld, cell, costs, floor, None, up)
    if out is None:  # pragma: no cover - the true values are feasible
        raise RuntimeError("infeasible model")
    return out[0]


def _interval_lp(model: Model, withheld: np.ndarray, i: int) -> tuple[float, float]:
    """LP bounds of one item under a pattern (a quick check between audits)."""
    sys_ = reduce(model, withheld)
    j = int(np.searchsorted(sys_.var, i))
    out = []
    for sense in (1.0, -1.0):
        c = np.zeros(len(sys_.var))
        c[j] = sense
        x = solve(c, sys_.a, sys_.lo, sys_.hi, sys_.lb, sys_.ub, integer=False)
        out.append(float(x[j]))
    return out[0], out[1]


# --------------------------------------------------------------------------
# the whole procedure


def protect(
    tables: Mapping[str, pd.DataFrame],
    knowledge: Knowledge,
    prot: Protection = Protection(),
    start: np.ndarray | None = None,
    costs: np.ndarray | None = None,
    max_rounds: int = 30,
) -> Outcome:
    """Withhold primary counts and complements until the exact audit passes.
    ``tables`` hold the true counts (their ``suppressed`` column is ignored);
    ``start`` is an optional initial pattern."""
    t0 = time.perf_counter()
    tabs = {name: frame.assign(suppressed=False) for name, frame in tables.items()}
    model = build_model(tabs, knowledge)
    if np.isnan(model.value[~model.aux]).any():
        raise ValueError("protect needs the true counts")
    v = model.value
    primary = (v > 0) & (v < prot.k) & ~model.aux
    withheld = primary | model.aux
    if start is not None:
        withheld |= np.asarray(start, bool)
    if costs is None:
        costs = default_costs(model)
    floor = np.where(model.lb > 0, model.lb, 0.0)  # what a newly withheld cell is known to hold
    rounds: list[dict[str, Any]] = []
    integer_for: set[int] = set()
    for rnd in range(max_rounds):
        f, res = audit(model, withheld, primary, prot)
        failing = f[~f["ok"]]
        rounds.append(
            {
                "round": rnd,
                "withheld": int((withheld & ~model.aux).sum()),
                "failing": len(failing),
                "pinned": int(f["pinned"].sum()),
                "audit_seconds": round(res.seconds, 2),
            }
        )
        if failing.empty:
            out = {
                name: released_frame(frame, model, withheld, name) for name, frame in tabs.items()
            }
            return Outcome(
                out,
                withheld & ~model.aux,
                primary,
                f,
                model,
                rounds,
                time.perf_counter() - t0,
            )
        for row in failing.itertuples():
            i = int(row.item)
            if i in integer_for:  # failed before although its LP bounds were met
                lo_now, hi_now = float(row.lo), float(row.hi)
            else:  # a cheap re-check: earlier additions this round may have fixed it
                lo_now, hi_now = _interval_lp(model, withheld, i)
                if meets(lo_now, hi_now, v[i], bool(primary[i]), prot):
                    continue
            u, lo_t = requirements(v[i], bool(primary[i]), prot, floor[i])
            integer = i in integer_for
            if not primary[i]:
                cells = protecting_set(model, withheld, i, u, True, costs, floor, integer)
                if cells is None:  # a complement that cannot go up: let it go down
                    cells = protecting_set(
                        model, withheld, i, v[i] - 1, False, costs, floor, integer
                    )
                if cells is None:
                    raise Refused(f"cannot unpin the withheld count {model.keys[i]}")
                withheld[cells] = True
                integer_for.add(i)
                continue
            if math.isfinite(lo_t) and lo_now > lo_t:
                cells = protecting_set(model, withheld, i, lo_t, False, costs, floor, integer)
                if cells is None:
                    # the floor of its rows keeps it higher: get the width upwards
                    lo_t = math.ceil(reachable(model, withheld, i, False, costs, floor) - 1e-7)
                    u = max(u, lo_t + prot.min_width)
                    if lo_now > lo_t:
                        cells = protecting_set(
                            model, withheld, i, lo_t, False, costs, floor, integer
                        )
                if cells:
                    withheld[cells] = True
            if hi_now < u:
                cells = protecting_set(model, withheld, i, u, True, costs, floor, integer)
                if cells is None:
                    raise Refused(f"cannot protect the withheld count {model.keys[i]} up to {u}")
                withheld[cells] = True
            integer_for.add(i)  # if it fails again, use the integer version
    raise Refused(f"no protected pattern after {max_rounds} rounds")


def released_frame(
    frame: pd.DataFrame, model: Model, withheld: np.ndarray, table: str
) -> pd.DataFrame:
    """A table as released: ``suppressed`` set, ``events`` <NA> where withheld."""
    idx = model.index
    out = frame.copy()
    out["suppressed"] = [bool(withheld[idx[k]]) for k in keys_of(table, out)]
    out["events"] = out["events"].astype("Int64").mask(out["suppressed"])
    return out


# --------------------------------------------------------------------------
# the final check and what may be said about it


@dataclass
class Verdict:
    """The exact attack on the tables about to be written: counts only (no
    value of any withheld count), safe to log."""

    withheld: int
    primary: int
    complements: int
    failing: int
    pinned: int
    min_width_primary: float
    min_width_complement: float
    min_hi_primary: float
    seconds: float
    by_table: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.failing == 0 and self.pinned == 0

    def line(self) -> str:
        return (
            f"{self.withheld} withheld ({self.primary} under k, {self.complements} complements); "
            f"attack: {self.pinned} pinned, {self.failing} under the protection level, "
            f"narrowest interval {self.min_width_primary:g} (under k) / "
            f"{self.min_width_complement:g} (complements), in {self.seconds:.1f} s"
        )


def verify(
    true: Mapping[str, pd.DataFrame],
    released: Mapping[str, pd.DataFrame],
    knowledge: Knowledge,
    prot: Protection,
) -> Verdict:
    """An independent exact attack on the frames about to be written,
    checked against the true counts: every withheld count meets its level,
    none is pinned, every published count is true and not under k, no zero is
    withheld and the national total is published."""
    model = build_model({n: f.assign(suppressed=False) for n, f in true.items()}, knowledge)
    mask = np.zeros(len(model.keys), dtype=bool)
    idx = model.index
    for table in COUNT_TABLES:
        if table not in released:
            continue
        frame = released[table]
        keys = keys_of(table, frame)
        flags = frame["suppressed"].astype(str).str.lower().isin(["true", "1"])
        for key, flag, shown in zip(keys, flags, frame["events"], strict=True):
            i = idx[key]
            mask[i] = bool(flag)
            if flag and pd.notna(shown):
                raise Refused(f"{key}: a withheld count is printed")
            if not flag and (pd.isna(shown) or float(shown) != model.value[i]):
                raise Refused(f"{key}: a published count differs from the true count")
    v = model.value
    primary = (v > 0) & (v < prot.k) & ~model.aux
    if (primary & ~mask).any():
        raise Refused(f"{int((primary & ~mask).sum())} counts under k would be published")
    if (mask & (v == 0)).any():
        raise Refused("a zero would be withheld, which the data package says never happens")
    if mask[idx[(STATE_TOTALS, TOTAL)]]:
        raise Refused("the national total would be withheld")
    f, res = audit(model, mask, primary, prot)
    prim = f[f["primary"]]
    comp = f[~f["primary"]]
    tables = [k[0] for k in f["key"]]
    return Verdict(
        withheld=len(f),
        primary=len(prim),
        complements=len(comp),
        failing=int((~f["ok"]).sum()),
        pinned=int(f["pinned"].sum()),
        min_width_primary=float((prim["hi"] - prim["lo"]).min()) if len(prim) else math.inf,
        min_width_complement=float((comp["hi"] - comp["lo"]).min()) if len(comp) else math.inf,
        min_hi_primary=float(prim["hi"].min()) if len(prim) else math.inf,
        seconds=res.seconds,
        by_table={t: tables.count(t) for t in COUNT_TABLES if t in tables},
    )


def label(suppressed: bool, events: object) -> str:
    """How a released count is printed: "withheld" for every withheld count."""
    if suppressed or events is None or pd.isna(events):  # type: ignore[arg-type]
        return WITHHELD
    return f"{int(events):,}"  # type: ignore[call-overload]


def distinguishing_labels(
    model: Model, withheld: np.ndarray, k: int
) -> tuple[dict[Any, float], dict[Any, float]]:
    """What an attacker would learn if labels said "<k" on the counts under k
    and "withheld" on the complements: (upper, lower) bounds. For measuring
    why every withheld count is labelled alike."""
    upper: dict[Any, float] = {}
    lower: dict[Any, float] = {}
    for i in np.flatnonzero(withheld & ~model.aux):
        if model.value[i] < k:
            upper[model.keys[i]] = k - 1
        else:
            lower[model.keys[i]] = k
    return upper, lower
