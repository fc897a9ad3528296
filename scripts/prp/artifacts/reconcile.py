"""Reconcile the values printed in 2018 with the values recomputed from data.

``data/published/printed_values.csv`` records every printed number with the
dataset, row selector and derivation that recompute it. This module
recomputes each one, compares it at the precision it was printed with, and
checks the print's internal consistency: row and column totals against the
sum of their cells, shares against counts, and the same value printed in two
cells where it does not belong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

LOWER_BOUND = ("well over", "more than", "over", "at least")
UPPER_BOUND = ("less than", "under", "fewer than")
APPROX = ("approximately", "about", "nearly", "around", "an estimated", "roughly")
TOTAL_ROWS = {"total apprehensions", "total"}
TOTAL_COLS = {"total"}
SHARE_COLS = {"percent by country"}
YEAR_COLUMN = r"(FY)?\d{4}"
"""A year column of a printed table: fiscal (FY2015) or calendar (2015)."""


@dataclass(frozen=True)
class Precision:
    """How a printed number constrains the true value."""

    kind: str  # "round" (within half a unit), "min", "max"
    unit: float


def precision(printed: str, value: float) -> Precision:
    """Infer the precision of a printed number: '20.5 million' -> 0.1 million,
    '43%' -> 1, 'approximately 178,000' -> 1,000, 'more than 600,000' -> bound."""
    text = printed.strip().lower()
    if text.startswith(LOWER_BOUND):
        return Precision("min", 0.0)
    if text.startswith(UPPER_BOUND):
        return Precision("max", 0.0)
    m = re.search(r"(\d[\d,]*)(?:\.(\d+))?", text)
    decimals = len(m.group(2)) if m and m.group(2) else 0
    scale = 1e6 if "million" in text else 1e9 if "billion" in text else 1.0
    unit = scale * 10 ** (-decimals)
    if text.startswith(APPROX) and m and not m.group(2):
        digits = m.group(1).replace(",", "")
        zeros = len(digits) - len(digits.rstrip("0"))
        unit = max(unit, scale * 10**zeros)
    return Precision("round", unit)


def agrees(printed: str, value: float, recomputed: float) -> bool:
    p = precision(printed, value)
    if p.kind == "min":
        return recomputed >= value
    if p.kind == "max":
        return recomputed <= value
    return abs(recomputed - value) <= p.unit / 2 + 1e-9


def parse_selector(selector: str) -> list[tuple[str, list[str] | tuple[int, int]]]:
    """'country=Guatemala|Honduras;fiscal_year=2013..2017' -> [(col, values | (lo, hi))].
    Pairs are ANDed; ``|`` separates alternatives; ``a..b`` is an integer range."""
    pairs: list[tuple[str, list[str] | tuple[int, int]]] = []
    for part in filter(None, (s.strip() for s in selector.split(";"))):
        col, _, val = part.partition("=")
        m = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", val)
        pairs.append((col, (int(m.group(1)), int(m.group(2))) if m else val.split("|")))
    return pairs


def select(df: pd.DataFrame, pairs: list[tuple[str, list[str] | tuple[int, int]]]) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for col, want in pairs:
        if col not in df.columns:
            raise KeyError(f"selector column {col!r} not in dataset (columns: {list(df.columns)})")
        series = df[col]
        if isinstance(want, tuple):
            mask &= pd.to_numeric(series, errors="coerce").between(*want)
        else:
            mask &= series.astype(str).str.lower().isin([w.lower() for w in want])
    return df[mask]


def _scalar(v: object) -> float:
    if isinstance(v, str):
        m = re.match(r"(\d{4})", v)  # a date column such as '2015-12': its year
        if m:
            return float(m.group(1))
    if hasattr(v, "year"):
        return float(v.year)  # type: ignore[attr-defined]
    return float(v)  # type: ignore[arg-type]


def recompute(row: Mapping[str, str], datasets: Mapping[str, pd.DataFrame]) -> float | str | None:
    """The value a printed row should have, from the data (None: not recomputable)."""
    derivation = row["derivation"]
    if derivation in ("none", "") or not row["dataset"]:
        return None
    pairs = parse_selector(row["selector"])
    if derivation in ("revenue_estimate", "victims"):
        rev = select(datasets["revenue_assumptions"], pairs)
        base = datasets["migrant_base"].set_index("scenario")["migrants_per_year"]
        migrants = rev["scenario"].map(base).astype(float)
        victims = migrants * rev["share_affected_percent"].astype(float) / 100
        if derivation == "victims":
            return float(victims.sum())
        return float((victims * rev["revenue_per_migrant_usd"].astype(float)).sum())
    name, _, column = row["dataset"].partition(".")
    rows = select(datasets[name], pairs)
    if derivation == "count":
        return float(len(rows))
    if derivation == "lookup":
        if len(rows) != 1:
            raise ValueError(f"{row['quantity']}: selector matches {len(rows)} rows, expected 1")
        return _scalar(rows[column].iloc[0])
    if derivation == "sum":
        return float(rows[column].astype(float).sum())
    if derivation == "share_percent":
        whole = select(datasets[name], pairs[1:])
        return (
            100 * float(rows[column].astype(float).sum()) / float(whole[column].astype(float).sum())
        )
    if derivation == "text":
        return str(rows[column].iloc[0])
    raise ValueError(f"{row['quantity']}: unknown derivation {derivation!r}")


def _norm_text(s: str) -> str:
    return re.sub(r"/\s+", "/", re.sub(r"\s+", " ", s.strip())).lower()


def recompute_all(printed: pd.DataFrame, datasets: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per printed value: printed, recomputed, difference, status."""
    out = []
    for row in printed.to_dict("records"):
        rec = recompute(row, datasets)
        status, diff = "not recomputed", ""  # type: str, float | str
        if isinstance(rec, str):
            status = "ok" if _norm_text(rec) == _norm_text(row["printed"]) else "differs"
        elif rec is not None:
            value = float(row["value"])
            status = "ok" if agrees(row["printed"], value, rec) else "differs"
            diff = rec - value
        out.append(
            {
                "check": "recompute",
                "location": row["location"],
                "quantity": row["quantity"],
                "printed": row["printed"],
                "recomputed": "" if rec is None else rec,
                "difference": diff,
                "status": status,
            }
        )
    return pd.DataFrame(out)


def _table_cells(printed: pd.DataFrame) -> pd.DataFrame:
    parts = printed["location"].str.split(" / ", n=2, expand=True)
    cells = printed.assign(table=parts[0], row=parts[1], col=parts[2])
    cells = cells[cells["table"].str.startswith("Table") & cells["col"].notna()]
    cells = cells[pd.to_numeric(cells["value"], errors="coerce").notna()].copy()
    cells["num"] = cells["value"].astype(float)
    return cells


def _finding(
    check: str, cell: Mapping[str, object], expected: float, note: str
) -> dict[str, object]:
    value = float(cell["num"])  # type: ignore[arg-type]
    ok = agrees(str(cell["printed"]), value, expected)
    return {
        "check": check,
        "location": cell["location"],
        "quantity": cell["quantity"],
        "printed": cell["printed"],
        "recomputed": expected,
        "difference": expected - value,
        "status": "ok" if ok else "differs",
        "detail": note,
    }


def internal_consistency(printed: pd.DataFrame) -> pd.DataFrame:
    """Totals, shares and misplaced duplicates within the print itself."""
    cells = _table_cells(printed)
    found: list[dict[str, object]] = []
    for table, t in cells.groupby("table", sort=True):
        is_total_row = t["row"].str.lower().isin(TOTAL_ROWS)
        is_total_col = t["col"].str.lower().isin(TOTAL_COLS)
        is_share = t["col"].str.lower().isin(SHARE_COLS)
        # row totals: FY cells of a row against its Total cell
        for row, r in t[~is_share].groupby("row", sort=False):
            total = r[r["col"].str.lower().isin(TOTAL_COLS)]
            parts = r[r["col"].str.fullmatch(YEAR_COLUMN)]
            if len(total) == 1 and len(parts):
                found.append(
                    _finding(
                        "row total",
                        total.iloc[0],
                        parts["num"].sum(),
                        f"sum of the printed {table} cells of {row}",
                    )
                )
        # column totals: country cells against the total row
        for col, c in t[~is_share].groupby("col", sort=False):
            total = c[c["row"].str.lower().isin(TOTAL_ROWS)]
            parts = c[~c["row"].str.lower().isin(TOTAL_ROWS)]
            if len(total) == 1:
                parts = parts[parts["unit"] == total["unit"].iloc[0]]
            if len(total) == 1 and len(parts) > 1:
                found.append(
                    _finding(
                        "column total",
                        total.iloc[0],
                        parts["num"].sum(),
                        f"sum of the printed {table} cells of column {col}",
                    )
                )
        # shares against the printed counts
        grand = t[is_total_row & is_total_col]
        if len(grand) == 1:
            for _, s in t[is_share & ~is_total_row].iterrows():
                row_total = t[(t["row"] == s["row"]) & is_total_col]
                if len(row_total) == 1:
                    share = 100 * row_total["num"].iloc[0] / grand["num"].iloc[0]
                    found.append(
                        _finding(
                            "share", s, share, f"printed {s['row']} total / printed grand total"
                        )
                    )
    # the same large number printed in two cells (a value copied into the wrong cell)
    big = cells[cells["num"] >= 1000]
    for _num, group in big.groupby("num"):
        if len(group) > 1:
            where = "; ".join(group["location"])
            for _, cell in group.iloc[1:].iterrows():
                found.append(
                    {
                        "check": "duplicate value",
                        "location": cell["location"],
                        "quantity": cell["quantity"],
                        "printed": cell["printed"],
                        "recomputed": "",
                        "difference": "",
                        "status": "differs",
                        "detail": f"{cell['printed']} is printed in: {where}",
                    }
                )
    return pd.DataFrame(found)


def explain(
    findings: pd.DataFrame,
    explanations: pd.DataFrame,
    fields: tuple[str, ...] = ("explanation", "source"),
) -> pd.DataFrame:
    """Attach the curated explanation of each discrepancy (keyed by check and
    quantity): by default its ``explanation`` and ``source``, or the columns
    named in ``fields``; discrepancies without one keep empty fields."""
    keyed = explanations.set_index(["check", "quantity"])

    def lookup(field: str) -> Callable[[pd.Series], str]:
        def f(r: pd.Series) -> str:
            key = (r["check"], r["quantity"])
            return str(keyed.loc[key, field]) if key in keyed.index else ""

        return f

    out = findings.copy()
    for field in fields:
        out[field] = out.apply(lookup(field), axis=1) if len(out) else pd.Series(dtype=str)
    return out


def rounded(x: object) -> object:
    if isinstance(x, float) and not math.isnan(x):
        return round(x, 4)
    return x
