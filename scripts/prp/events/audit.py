"""The attacker: what everything the public edition publishes reveals about
each withheld count of the released event aggregates.

An attacker holds the released count tables (:data:`prp.events.disclosure.
RELEASED`) with their totals and published zeros, the data package's
statements about them (a withheld count holds at least one event; an event
has one location, one perpetrator and one or two crime types), the grid and
which states' events each grid cell can hold (the state borders are
public), and whatever figures and text print. Every withheld count is an
unknown integer; the published facts are linear equalities and inequalities
between the unknowns. Minimising and maximising every unknown over that
integer polyhedron (:func:`scipy.optimize.milp`, HiGHS) gives the exact
*feasibility interval* of every withheld count: the attacker can rule out
every value outside it, and its end points are attained.

The module reads only released tables (``events`` empty where withheld,
``suppressed`` true/false), so the same code attacks the committed files of
``data/released/`` (the tests) and audits a candidate release inside the
release step (:mod:`prp.events.protect`, where the model also carries the
true values, never used as constraints).

Speed: the unknowns split into independent blocks (connected components of
the relations); in each block every bound is first solved as a linear
program, exact whenever HiGHS returns an integral vertex (the usual case:
the relations are sums with coefficients +-1), and as an integer program
otherwise; every integral solution found on the way is a witness that can
settle other bounds without a solve. A block's linear programs share one
HiGHS model and differ only in the objective, so each starts from the
last one's basis (:class:`Relaxation`, through ``highspy``); the integer
programs go through :func:`scipy.optimize.milp`.

Not modelled (standard practice): an attacker who re-runs the suppression
algorithm itself. Earlier releases are public too: a re-release must treat
their published cells as known (``Knowledge.lower``/``upper``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from prp.events.disclosure import GRID, LISTS, PERIOD, RELEASED, STATE_TOTALS, TABLES, TOTAL

Key = tuple[Any, ...]
"""An item of the release: (STATE_TOTALS, state), (table, state, category),
(GRID, lat, lon) or (list table, key); auxiliary unknowns ("flow", ...)."""

COUNT_TABLES = [t for t in RELEASED if t != PERIOD]
"""The released tables that hold counts, in the order of :data:`RELEASED`."""


class UnknownTable(ValueError):
    """A released file that the audit does not model: nothing may be
    released that the attacker's model does not cover."""


class Inconsistent(ValueError):
    """The published facts contradict each other (e.g. a label "<5" on a
    withheld count that the totals force to be 6)."""


# --------------------------------------------------------------------------
# what the attacker knows


@dataclass(frozen=True)
class Knowledge:
    """The published facts beyond the tables themselves.

    * ``at_least_one`` -- the data package says a withheld count holds at
      least one event (only positive counts are withheld, which anyone who
      reads the method knows);
    * ``zero_tables`` -- tables whose withheld counts may be 0 even so;
    * ``multi_rows`` -- in a table whose events name one to ``max_per_event``
      categories, a state's counts add up to between its total and that many
      times it, and none exceeds the total;
    * ``grid_nonempty`` -- the grid lists only cells holding an event;
    * ``groups`` -- groups of states and the grid cells holding exactly their
      events (``[(states, [(lat, lon), ...]), ...]``);
    * ``members`` -- which states may have events in which grid cells
      (``[(state, lat, lon), ...]``): every grid cell is split into unknown
      non-negative per-state parts that add up to the cell and, per state,
      to the state's total (a transportation model). It implies the group
      sums and adds what geography tells on top of them (the cells a state
      touches hold at least its total). From the state borders an attacker
      knows a superset of the true pairs; the audit uses the true pairs,
      which is at least as strong;
    * ``splits`` -- for a list table (the events beside each rail segment):
      families of (row, whole) pairs, e.g. (segment, state) and (segment,
      grid cell): each row's events are split among its wholes (they lie in
      exactly one state and one cell), and no whole holds fewer events than
      the row parts it receives;
    * ``upper`` / ``lower`` -- bounds printed elsewhere (a label "<5" is
      ``upper = 4``; a claim "X leads" bounds the others by X's count);
    * ``sums`` -- further published sums ``(coefficients by key, lo, hi)``.
    """

    at_least_one: bool = True
    zero_tables: frozenset[str] = frozenset()
    multi_rows: bool = True
    grid_nonempty: bool = True
    groups: Sequence[tuple[Sequence[str], Sequence[tuple[float, float]]]] | None = None
    members: Sequence[tuple[str, float, float]] | None = None
    splits: Sequence[Sequence[tuple[Key, Key]]] = ()
    upper: Mapping[Key, float] = field(default_factory=dict)
    lower: Mapping[Key, float] = field(default_factory=dict)
    sums: Sequence[tuple[Mapping[Key, float], float, float]] = ()


# --------------------------------------------------------------------------
# reading released tables


def read_released(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The released count tables of a folder (``data/released/``), keyed
    like :data:`RELEASED`. Every file of the folder must be one that the
    specification names: a released table the audit does not model is
    refused (:class:`UnknownTable`), never silently skipped."""
    folder = Path(folder)
    known = {f"{name}.csv" for name in RELEASED.values()}
    unknown = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    unknown = [n for n in unknown if n not in known]
    if unknown:
        raise UnknownTable(
            f"{folder}: released file(s) {', '.join(unknown)} are not described in "
            "prp.events.disclosure.RELEASED/TABLES, so the disclosure audit cannot model "
            "them; describe each there (or remove it) before releasing"
        )
    out = {}
    for table in COUNT_TABLES:
        path = folder / f"{RELEASED[table]}.csv"
        if not path.exists():
            continue
        dtype = {LISTS[table].key: str} if table in LISTS else None
        out[table] = normalise(
            pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=dtype)
        )
    return out


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """``suppressed`` as booleans (the files say true/false), ``events`` as
    nullable integers."""
    out = frame.copy()
    flags = out["suppressed"]
    if flags.dtype != bool:
        flags = flags.astype(str).str.lower().map({"true": True, "false": False})
        if flags.isna().any():
            raise ValueError("suppressed must be true or false")
    out["suppressed"] = flags.astype(bool)
    out["events"] = pd.to_numeric(out["events"]).astype("Int64")
    return out


def key_of(table: str, row: Mapping[str, Any]) -> Key:
    """The item a released row holds."""
    if table == STATE_TOTALS:
        return (STATE_TOTALS, row["state"])
    if table == GRID:
        return (GRID, round(float(row["cell_lat"]), 6), round(float(row["cell_lon"]), 6))
    if table in LISTS:
        return (table, str(row[LISTS[table].key]))
    return (table, row["state"], row[TABLES[table].category])


def keys_of(table: str, frame: pd.DataFrame) -> list[Key]:
    return [key_of(table, row) for row in frame.to_dict("records")]


# --------------------------------------------------------------------------
# the model: items, values, relations


Row = tuple[dict[int, float], float, float, str]
"""A relation ``lo <= sum(coef[i] * item_i) <= hi`` with its name."""


@dataclass
class Model:
    """Items with their value (NaN where unknown to whoever built the model),
    a ``withheld`` mask, per-item bounds for withheld items, linear
    relations, and which items are auxiliary (never published nor reported)."""

    keys: list[Key]
    value: np.ndarray
    withheld: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    rows: list[Row]
    aux: np.ndarray

    @property
    def index(self) -> dict[Key, int]:
        return {k: i for i, k in enumerate(self.keys)}


def build_model(tables: Mapping[str, pd.DataFrame], knowledge: Knowledge = Knowledge()) -> Model:
    """The attacker's model of a release. ``tables`` as from
    :func:`read_released` (or frames in that format); the ``events`` of
    withheld rows are kept as values (the defender's model holds the true
    counts there) but never used as constraints."""
    unknown = sorted(set(tables) - set(COUNT_TABLES))
    if unknown:
        raise UnknownTable(f"tables {unknown} are not in prp.events.disclosure.RELEASED")
    if STATE_TOTALS not in tables:
        raise ValueError("the state totals are needed to audit a release")
    keys: list[Key] = []
    value: list[float] = []
    withheld: list[bool] = []
    for table in COUNT_TABLES:
        if table not in tables:
            continue
        frame = normalise(tables[table])
        keys += keys_of(table, frame)
        value += [math.nan if pd.isna(v) else float(v) for v in frame["events"]]
        withheld += [bool(s) for s in frame["suppressed"]]
    idx = {k: i for i, k in enumerate(keys)}
    if len(idx) != len(keys):
        raise ValueError("duplicate items in the released tables")
    w = np.array(withheld, dtype=bool)
    val = np.array(value, dtype=float)
    if np.isnan(val[~w]).any():
        raise ValueError("a published count is empty")

    totals = normalise(tables[STATE_TOTALS])
    states = [s for s in totals["state"] if s != TOTAL]
    national = idx[(STATE_TOTALS, TOTAL)]
    grand = math.inf if w[national] else float(val[national])
    rows: list[Row] = []

    def eq(plus: Iterable[Key], minus: Iterable[Key], name: str) -> None:
        coef: dict[int, float] = {}
        for k in plus:
            coef[idx[k]] = coef.get(idx[k], 0.0) + 1.0
        for k in minus:
            coef[idx[k]] = coef.get(idx[k], 0.0) - 1.0
        rows.append((coef, 0.0, 0.0, name))

    eq([(STATE_TOTALS, s) for s in states], [(STATE_TOTALS, TOTAL)], "states")
    for table, spec in TABLES.items():
        if table not in tables:
            continue
        cats = list(pd.unique(tables[table][spec.category]))
        for s in [*states, TOTAL]:
            members = [(table, s, c) for c in cats]
            total = idx[(STATE_TOTALS, s)]
            if spec.exact_rows:
                eq(members, [(STATE_TOTALS, s)], f"{table}: {s}")
            elif knowledge.multi_rows:
                coef = {idx[m]: 1.0 for m in members}
                rows.append(({**coef, total: -1.0}, 0.0, math.inf, f"{table}: {s} >= total"))
                rows.append(
                    (
                        {**coef, total: -float(spec.max_per_event)},
                        -math.inf,
                        0.0,
                        f"{table}: {s} <= {spec.max_per_event} x total",
                    )
                )
                for m in members:
                    rows.append(({idx[m]: 1.0, total: -1.0}, -math.inf, 0.0, f"{m} <= total"))
        for c in cats:
            eq([(table, s, c) for s in states], [(table, TOTAL, c)], f"{table}: {c}")
    if GRID in tables:
        cells = [k for k in keys if k[0] == GRID]
        eq(cells, [(STATE_TOTALS, TOTAL)], "grid: all")
        for group_states, group_cells in knowledge.groups or ():
            eq(
                [(GRID, round(float(a), 6), round(float(b), 6)) for a, b in group_cells],
                [(STATE_TOTALS, s) for s in group_states],
                "grid: " + ", ".join(group_states),
            )
    for table, lspec in LISTS.items():
        if table not in tables:
            continue
        ltotal: Key = (table, lspec.total)
        eq([k for k in keys if k[0] == table and k != ltotal], [ltotal], f"{table}: total")
        rows.append(
            ({idx[ltotal]: 1.0, national: -1.0}, -math.inf, 0.0, f"{table}: within all events")
        )
    for coef_k, lo, hi in knowledge.sums:
        rows.append(({idx[k]: float(c) for k, c in coef_k.items()}, lo, hi, "published sum"))
    n_items = len(keys)
    for f, family in enumerate(knowledge.splits):
        by_part: dict[int, dict[int, float]] = {}
        by_whole: dict[int, dict[int, float]] = {}
        for part_key, whole_key in family:
            if part_key not in idx or whole_key not in idx:
                continue
            j = len(keys)
            keys.append(("flow", f, part_key, whole_key))
            by_part.setdefault(idx[part_key], {})[j] = 1.0
            by_whole.setdefault(idx[whole_key], {})[j] = 1.0
        for pi, coef in by_part.items():
            rows.append(({**coef, pi: -1.0}, 0.0, 0.0, f"split of {keys[pi]}"))
        for wi, coef in by_whole.items():
            rows.append(({**coef, wi: -1.0}, -math.inf, 0.0, f"parts within {keys[wi]}"))
    if knowledge.members and GRID in tables:
        by_state: dict[str, dict[int, float]] = {}
        by_cell: dict[int, dict[int, float]] = {}
        for s, a, b in knowledge.members:
            cell = idx[(GRID, round(float(a), 6), round(float(b), 6))]
            j = len(keys)
            keys.append(("flow", s, round(float(a), 6), round(float(b), 6)))
            by_state.setdefault(s, {})[j] = 1.0
            by_cell.setdefault(cell, {})[j] = 1.0
        for s, coef in by_state.items():
            rows.append(({**coef, idx[(STATE_TOTALS, s)]: -1.0}, 0.0, 0.0, f"flows of {s}"))
        for cell, coef in by_cell.items():
            rows.append(({**coef, cell: -1.0}, 0.0, 0.0, f"flows into {keys[cell]}"))
    n_aux = len(keys) - n_items
    w = np.concatenate([w, np.ones(n_aux, dtype=bool)])
    val = np.concatenate([val, np.full(n_aux, math.nan)])
    n = len(keys)
    lb = np.zeros(n)
    ub = np.full(n, grand if math.isfinite(grand) else 1e9)
    for i, k in enumerate(keys[:n_items]):
        if knowledge.at_least_one and k[0] not in knowledge.zero_tables:
            lb[i] = 1.0
        if k[0] == GRID and knowledge.grid_nonempty:
            lb[i] = max(lb[i], 1.0)
    for k, u in knowledge.upper.items():
        ub[idx[k]] = min(ub[idx[k]], float(u))
    for k, lo in knowledge.lower.items():
        lb[idx[k]] = max(lb[idx[k]], float(lo))
    aux = np.zeros(n, dtype=bool)
    aux[n_items:] = True
    return Model(keys, val, w, lb, ub, rows, aux)


# --------------------------------------------------------------------------
# the reduced system over the withheld items


@dataclass
class System:
    """``lo <= A x <= hi`` over the withheld items ``var`` (model indices),
    with bounds ``lb <= x <= ub``; rows without unknowns are checked and dropped."""

    var: np.ndarray
    a: sparse.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    lb: np.ndarray
    ub: np.ndarray


def reduce(model: Model, withheld: np.ndarray | None = None) -> System:
    """Substitute the published values (``withheld`` overrides the model's
    mask: the defender trying a pattern)."""
    w = model.withheld if withheld is None else np.asarray(withheld, dtype=bool) | model.aux
    var = np.flatnonzero(w)
    col = -np.ones(len(model.keys), dtype=int)
    col[var] = np.arange(len(var))
    data: list[float] = []
    ri: list[int] = []
    ci: list[int] = []
    lo: list[float] = []
    hi: list[float] = []
    for coef, rlo, rhi, name in model.rows:
        known = 0.0
        r = len(lo)
        has = False
        for i, c in coef.items():
            if w[i]:
                data.append(c)
                ri.append(r)
                ci.append(int(col[i]))
                has = True
            else:
                known += c * model.value[i]
        if not has:
            if known < rlo - 1e-9 or known > rhi + 1e-9:
                raise Inconsistent(f"published values break {name}: {known} not in [{rlo}, {rhi}]")
            continue
        lo.append(rlo - known)
        hi.append(rhi - known)
    a = sparse.csr_matrix((data, (ri, ci)), shape=(len(lo), len(var)))
    return System(var, a, np.array(lo), np.array(hi), model.lb[var].copy(), model.ub[var].copy())


# --------------------------------------------------------------------------
# solving


@dataclass
class Result:
    """Feasibility interval of every withheld item: ``frame`` with ``key``,
    ``item`` (model index), ``lo``, ``hi`` and ``pinned`` (lo == hi), and
    solver statistics."""

    frame: pd.DataFrame
    seconds: float
    cpu_seconds: float
    lp_solves: int
    ip_solves: int
    skipped: int

    @property
    def pinned(self) -> pd.DataFrame:
        return self.frame[self.frame["pinned"]]


def solve(
    c: np.ndarray,
    a: sparse.csr_matrix,
    lo: np.ndarray,
    hi: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    integer: bool,
) -> np.ndarray:
    """One HiGHS solve of ``min c x`` subject to ``lo <= A x <= hi``, ``lb <= x <= ub``.
    HiGHS presolves the integer programs only: on the linear ones, a few
    hundred variables each, presolving cost more than it saved (the 372 LPs
    of the public bounds of the release, solved one by one: 1.79 s with it,
    0.94 s without, the same optima; :func:`intervals` now solves its linear
    programs through :class:`Relaxation`)."""
    cons = [LinearConstraint(a, lo, hi)] if a.shape[0] else []
    res = milp(
        c,
        constraints=cons,
        integrality=np.ones(len(c)) if integer else np.zeros(len(c)),
        bounds=(lb, ub),
        options={"presolve": integer},
    )
    if res.status != 0 or res.x is None:
        raise Inconsistent(f"no release is consistent with the published facts ({res.message})")
    return np.asarray(res.x)


def _integral(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x - np.round(x)) < 1e-6))


_DUAL_SIMPLEX, _PRIMAL_SIMPLEX = 1, 4
"""Values of HiGHS's ``simplex_strategy`` option."""


class Relaxation:
    """The linear relaxation of one block, ``lo <= A x <= hi``, ``lb <= x <= ub``,
    kept in one HiGHS instance (``highspy``) whose objective changes from one
    solve to the next: each solve starts from the last optimal basis, which
    stays feasible when only the objective changes, so the primal simplex
    needs a few pivots where a fresh solve needs hundreds. The 862 linear
    programs of the unit tests' attack on the committed release: 7.0 s
    through :func:`solve` (scipy's wrapper, a fresh model each), 0.9 s here,
    the same optima.

    A warm start ends at an integral vertex less often (50 of those 862,
    against 2 for fresh solves), and only an integral vertex makes the
    bound exact; so a fractional one is solved again from scratch with the
    dual simplex, as :func:`solve` would, before the caller falls back to
    an integer program."""

    def __init__(
        self,
        a: sparse.csr_matrix,
        lo: np.ndarray,
        hi: np.ndarray,
        lb: np.ndarray,
        ub: np.ndarray,
    ) -> None:
        import highspy

        # the core class (listed in highspy.__all__, untyped): highspy.Highs
        # adds Python callbacks and prints HiGHS's banner on stdout when made
        self._highs = h = highspy._Highs()  # type: ignore[attr-defined]
        for name, value in (("output_flag", False), ("presolve", "off"), ("threads", 1)):
            h.setOptionValue(name, value)
        m = a.shape[1]
        csc = sparse.csc_matrix(a)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = m, a.shape[0]
        lp.col_cost_ = np.zeros(m)
        lp.col_lower_, lp.col_upper_ = np.asarray(lb, float), np.asarray(ub, float)
        lp.row_lower_, lp.row_upper_ = np.asarray(lo, float), np.asarray(hi, float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m, a.shape[0]
        lp.a_matrix_.start_ = csc.indptr
        lp.a_matrix_.index_ = csc.indices
        lp.a_matrix_.value_ = csc.data.astype(float)
        h.passModel(lp)
        self._optimal = highspy.HighsModelStatus.kOptimal
        self._cols = np.arange(m, dtype=np.int32)

    def _run(self, strategy: int) -> np.ndarray:
        h = self._highs
        h.setOptionValue("simplex_strategy", strategy)
        h.run()
        if h.getModelStatus() != self._optimal:
            raise Inconsistent(
                "no release is consistent with the published facts "
                f"({h.modelStatusToString(h.getModelStatus())})"
            )
        return np.array(h.getSolution().col_value)

    def minimise(self, c: np.ndarray, integral: bool = True) -> np.ndarray:
        """A vertex minimising ``c x``; ``integral``: an integral one if a
        fresh solve finds one where the warm-started one did not."""
        self._highs.changeColsCost(len(self._cols), self._cols, np.asarray(c, float))
        x = self._run(_PRIMAL_SIMPLEX)  # from the last basis
        if integral and not _integral(x):
            self._highs.clearSolver()
            x = self._run(_DUAL_SIMPLEX)  # from scratch
        return x


def intervals(model: Model, withheld: np.ndarray | None = None, integer: bool = True) -> Result:
    """Minimise and maximise every withheld item. ``integer=False`` gives the
    linear relaxation (what a continuous attack, e.g. sdcTable's, sees)."""
    t0, c0 = time.perf_counter(), time.process_time()
    sys_ = reduce(model, withheld)
    nvar = len(sys_.var)
    lo_out = np.full(nvar, np.nan)
    hi_out = np.full(nvar, np.nan)
    lp = ip = skipped = 0
    if nvar and sys_.a.shape[0]:
        # items sharing a relation (absolute values: +1 and -1 must not cancel)
        pattern = abs(sys_.a).tocsr()
        ncomp, label = connected_components((pattern.T @ pattern).tocsr(), directed=False)
    else:
        ncomp, label = nvar, np.arange(nvar)
    for comp in range(ncomp):
        cols = np.flatnonzero(label == comp)
        sub = sys_.a[:, cols]
        rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        sub = sub[rows]
        lo_r, hi_r = sys_.lo[rows], sys_.hi[rows]
        lb, ub = sys_.lb[cols], sys_.ub[cols]
        m = len(cols)
        seen_min = np.full(m, np.inf)
        seen_max = np.full(m, -np.inf)
        relaxation: Relaxation | None = None
        for j in range(m):
            if model.aux[sys_.var[cols[j]]]:
                continue
            for sense in (1.0, -1.0):
                bound = lb[j] if sense > 0 else ub[j]
                seen = seen_min[j] if sense > 0 else seen_max[j]
                if seen == bound:  # a feasible integer point attains the a-priori bound
                    skipped += 1
                    best = seen
                else:
                    c = np.zeros(m)
                    c[j] = sense
                    if relaxation is None:
                        relaxation = Relaxation(sub, lo_r, hi_r, lb, ub)
                    x = relaxation.minimise(c, integral=integer)
                    lp += 1
                    if integer and not _integral(x):
                        x = solve(c, sub, lo_r, hi_r, lb, ub, integer=True)
                        ip += 1
                    if _integral(x):
                        xr = np.round(x)
                        np.minimum(seen_min, xr, out=seen_min)
                        np.maximum(seen_max, xr, out=seen_max)
                    best = round(x[j]) if integer else x[j]
                if sense > 0:
                    lo_out[cols[j]] = best
                else:
                    hi_out[cols[j]] = best
    frame = pd.DataFrame(
        {"key": [model.keys[i] for i in sys_.var], "item": sys_.var, "lo": lo_out, "hi": hi_out}
    )
    frame["lo"] = frame["lo"].fillna(pd.Series(sys_.lb))
    frame["hi"] = frame["hi"].fillna(pd.Series(sys_.ub))
    frame["pinned"] = (frame["hi"] - frame["lo"]).abs() < 1e-6
    frame = frame[~model.aux[sys_.var]].reset_index(drop=True)
    return Result(frame, time.perf_counter() - t0, time.process_time() - c0, lp, ip, skipped)


def public_bounds(
    tables: Mapping[str, pd.DataFrame], knowledge: Knowledge = Knowledge()
) -> dict[Key, tuple[int, int]]:
    """What anyone can prove about each withheld count from the released
    tables alone: key -> (lowest, highest) value it can hold."""
    res = intervals(build_model(tables, knowledge))
    return {
        k: (int(lo), int(hi))
        for k, lo, hi in zip(res.frame["key"], res.frame["lo"], res.frame["hi"], strict=True)
    }


def members_from_geometry(
    grid: pd.DataFrame, states: Mapping[str, Any], degrees: float, tolerance_km: float = 10.0
) -> list[tuple[str, float, float]]:
    """Which states' events each released grid cell may hold, from public
    geometry alone: the states whose border, widened by the tolerance the
    data package allows an event's coordinates (``points_in_state``), meets
    the cell. A superset of the true pairs: what an attacker can derive."""
    import shapely
    from shapely.geometry import box

    from prp.data.checks import KM_PER_DEGREE

    tol = tolerance_km / KM_PER_DEGREE
    areas = {name: shapely.buffer(geom, tol) for name, geom in states.items()}
    for geom in areas.values():
        shapely.prepare(geom)
    out = []
    half = degrees / 2
    for lat, lon in zip(grid["cell_lat"], grid["cell_lon"], strict=True):
        cell = box(lon - half, lat - half, lon + half, lat + half)
        for name, geom in areas.items():
            if geom.intersects(cell):
                out.append((name, float(lat), float(lon)))
    return out


def splits_from_geometry(
    table: str,
    segments: Sequence[Mapping[str, Any]],
    states: Mapping[str, Any],
    grid: pd.DataFrame,
    degrees: float,
    buffer_km: float,
    tolerance_km: float = 10.0,
) -> list[list[tuple[Key, Key]]]:
    """For a list table of events beside line features (the rail segments):
    the states and grid cells each feature's events may lie in, from public
    geometry alone (the feature widened by the buffer, and by the tolerance
    the data package allows an event's coordinates). Supersets of the true
    pairs; distances in degrees are taken at Mexico's northern edge, so the
    widening is never too small."""
    import shapely
    from shapely.geometry import LineString, box

    from prp.data.checks import KM_PER_DEGREE

    per_degree = KM_PER_DEGREE * math.cos(math.radians(33.0))
    by_state: list[tuple[Key, Key]] = []
    by_cell: list[tuple[Key, Key]] = []
    areas = {name: shapely.buffer(g, tolerance_km / per_degree) for name, g in states.items()}
    half = degrees / 2
    cells = [
        (round(float(a), 6), round(float(b), 6), box(b - half, a - half, b + half, a + half))
        for a, b in zip(grid["cell_lat"], grid["cell_lon"], strict=True)
    ]
    for feature in segments:
        part: Key = (table, str(feature["properties"]["segment"]))
        reach = LineString(feature["geometry"]["coordinates"]).buffer(buffer_km / per_degree)
        for name, area in areas.items():
            if area.intersects(reach):
                by_state.append((part, (STATE_TOTALS, name)))
        for a, b, cell in cells:
            if cell.intersects(reach):
                by_cell.append((part, (GRID, a, b)))
    return [by_state, by_cell]


def summary(result: Result) -> dict[str, Any]:
    """Counts and timings of an attack (no value of any withheld count)."""
    f = result.frame
    tables = [k[0] for k in f["key"]]
    pinned = [t for t, p in zip(tables, f["pinned"], strict=True) if p]
    return {
        "withheld": len(f),
        "pinned": len(pinned),
        "pinned_by_table": {t: pinned.count(t) for t in sorted(set(pinned))},
        "seconds": round(result.seconds, 3),
        "cpu_seconds": round(result.cpu_seconds, 3),
        "lp_solves": result.lp_solves,
        "ip_solves": result.ip_solves,
        "skipped": result.skipped,
    }


# --------------------------------------------------------------------------
# what the figures and the text state


def label_bounds(tables: Mapping[str, pd.DataFrame], k: int, which: Iterable[str]) -> dict:
    """Upper bound k - 1 on every withheld count of the given tables: what a
    label "<k" on them would state (the labels of the 2018 figures)."""
    out: dict[Key, float] = {}
    for table in which:
        frame = normalise(tables[table])
        for key, s in zip(keys_of(table, frame), frame["suppressed"], strict=True):
            if s:
                out[key] = k - 1
    return out


IDENTIFIED = [  # the identified kinds of perpetrator; the text's leads are among them
    "transnational_criminal_organization",
    "gang",
    "smuggler",
    "local_actors",
    "authorities",
]


def text_facts(
    tables: Mapping[str, pd.DataFrame], numbers: Mapping[str, str]
) -> tuple[dict[Key, float], dict[Key, float]]:
    """Bounds on withheld counts that the prose states (the values of
    ``build/numbers/events.yml``): (upper, lower) by key.

    * "the N states with the most events are ..." -- every other state holds
      at most the N-th count;
    * "TCOs / gangs lead in ..." -- in each of those states every other
      identified perpetrator count is at most the leader's;
    * "most kidnappings in <state>" -- every other state's kidnapping count
      is at most that state's;
    * "events in <n> states", "smugglers in <n> states" -- when n equals the
      published positive counts plus the withheld ones, each withheld one is
      at least 1.
    """
    upper: dict[Key, float] = {}
    lower: dict[Key, float] = {}

    def cap(key: Key, u: float) -> None:
        upper[key] = min(upper.get(key, math.inf), u)

    def count(text: object) -> float:
        return float(str(text).replace(",", ""))

    totals = normalise(tables[STATE_TOTALS]).set_index("state")
    states = [s for s in totals.index if s != TOTAL]
    top_n = int(numbers.get("top_n", 0))
    if top_n:
        named = [numbers[f"rank{i}_state"] for i in range(1, top_n + 1)]
        last = count(numbers[f"rank{top_n}_count"])
        for s in states:
            if s not in named and totals.loc[s, "suppressed"]:
                cap((STATE_TOTALS, s), last)
    perp = normalise(tables["state_perpetrator"])
    for field_, lead in (("tco_main_states", IDENTIFIED[0]), ("gang_main_states", "gang")):
        text = str(numbers.get(field_, ""))
        for s in [x.strip() for x in text.replace(" and ", ", ").split(",") if x.strip()]:
            row = perp[perp["state"] == s].set_index("perpetrator_type")
            if row.loc[lead, "suppressed"]:
                continue
            for t in IDENTIFIED:
                if t != lead and row.loc[t, "suppressed"]:
                    cap(("state_perpetrator", s, t), float(row.loc[lead, "events"]))
    kid_state = numbers.get("kidnapping_top_state")
    if kid_state:
        crime = normalise(tables["state_crime"])
        col = crime[(crime["crime_type"] == "kidnapping") & (crime["state"] != TOTAL)]
        top = col[col["state"] == kid_state]
        if not top["suppressed"].iloc[0]:
            for r in col[col["suppressed"]].itertuples():
                cap(("state_crime", r.state, "kidnapping"), float(top["events"].iloc[0]))
    for field_, table, cond in (
        ("n_states", STATE_TOTALS, None),
        ("smuggler_states", "state_perpetrator", "smuggler"),
    ):
        if field_ not in numbers:
            continue
        frame = normalise(tables[table])
        frame = frame[frame["state"] != TOTAL]
        if cond:
            frame = frame[frame["perpetrator_type"] == cond]
        positive = int((~frame["suppressed"] & (frame["events"].fillna(0) > 0)).sum())
        hidden = frame[frame["suppressed"]]
        if int(numbers[field_]) == positive + len(hidden):
            for r in hidden.itertuples():
                key = (STATE_TOTALS, r.state) if cond is None else (table, r.state, cond)
                lower[key] = max(lower.get(key, 0.0), 1.0)
    return upper, lower
