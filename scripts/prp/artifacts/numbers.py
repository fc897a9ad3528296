"""Inline numbers declared in ``config/numbers/<namespace>.yaml``.

A spec names the datasets and, for each variable, which rows to take, which
column, how to aggregate and how to print it::

    dataset: homicide_rates            # default dataset of every value
    values:
      el_salvador_2015:
        where: {country: El Salvador, year: 2015}
        column: rate_per_100k
        format: "{:.1f}"               # Python format spec applied to the value,
                                       # or `fraction`: a share in words ("two-thirds")
      ntca_total:
        dataset: apprehensions_mexico  # a value may use another dataset
        where: {fiscal_year: [2013, 2017]}   # a two-item list of numbers = range
        column: apprehensions
        aggregate: sum                 # one (default: exactly one row) | sum | count
                                       # | mean | min | max
        format: "{:,.0f}"
        scale: 1                       # multiply before formatting (e.g. 1e-6 for millions,
                                       # 0.01 for a percentage shown as a fraction)

Chapters then write ``{{< var homicide.el_salvador_2015 >}}``. A selector that
matches no row (or, for ``one``, more than one) is an error naming the spec,
the variable and the selector, so a changed dataset never prints a stale or
ambiguous number.

Every number file (``build/numbers/<namespace>.yml``, written by any
``numbers_*`` rule) holds ``{namespace: {variable: display string}}`` and may
add, under the reserved top-level key ``x-derived-from``, the datasets each
variable was computed from (``{namespace: {variable: [dataset, ...]}}``; an
empty list for a value that comes from parameters, not data). A variable it
does not list rests on every data input of its rule. The renderer uses this
to mark numbers computed from synthetic data (see render_edition).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from prp.artifacts.fmt import word_fraction
from prp.data.datapackage import YAML_LOADER

AGGREGATES = {"one", "sum", "count", "mean", "min", "max"}
FRACTION = "fraction"
"""The ``format`` of a share printed as a word fraction (after ``scale``: 0-1)."""
DERIVED_FROM = "x-derived-from"
"""Reserved top-level key of a number file: the datasets behind each variable."""


class SpecError(ValueError):
    pass


def load_spec(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        spec = yaml.load(fh, Loader=YAML_LOADER) or {}
    if not isinstance(spec.get("values"), dict) or not spec["values"]:
        raise SpecError(f"{path}: needs a non-empty 'values' mapping")
    for name, value in spec["values"].items():
        if "dataset" not in value and "dataset" not in spec:
            raise SpecError(
                f"{path}: value {name!r} names no dataset (and the spec has no default)"
            )
        if value.get("aggregate", "one") not in AGGREGATES:
            raise SpecError(
                f"{path}: value {name!r}: aggregate must be one of {sorted(AGGREGATES)}"
            )
        if value.get("aggregate", "one") != "count" and "column" not in value:
            raise SpecError(f"{path}: value {name!r} names no column")
    return spec


def datasets_of(spec: Mapping[str, Any]) -> list[str]:
    names = {v.get("dataset", spec.get("dataset")) for v in spec["values"].values()}
    return sorted(n for n in names if n)


def _match(series: pd.Series, want: Any) -> pd.Series:
    if isinstance(want, list) and len(want) == 2 and all(isinstance(w, int | float) for w in want):
        return pd.to_numeric(series, errors="coerce").between(want[0], want[1])
    if isinstance(want, list):
        return series.astype(str).isin([str(w) for w in want])
    if isinstance(want, bool):
        return series.astype("boolean") == want
    if isinstance(want, int | float):
        return pd.to_numeric(series, errors="coerce") == want
    return series.astype(str) == str(want)


def compute(name: str, value: Mapping[str, Any], df: pd.DataFrame, where_from: str) -> Any:
    rows = df
    for col, want in (value.get("where") or {}).items():
        if col not in df.columns:
            raise SpecError(f"{where_from}: value {name!r}: no column {col!r} in the dataset")
        rows = rows[_match(rows[col], want)]
    agg = value.get("aggregate", "one")
    if agg == "count":
        return len(rows)
    if rows.empty:
        raise SpecError(f"{where_from}: value {name!r}: no row matches {value.get('where')}")
    column = value["column"]
    if agg == "one":
        if len(rows) != 1:
            raise SpecError(
                f"{where_from}: value {name!r}: {len(rows)} rows match {value.get('where')}, "
                "expected exactly one (add a selector or an aggregate)"
            )
        result = rows[column].iloc[0]
    else:
        result = getattr(pd.to_numeric(rows[column]), agg)()
    return result.item() if hasattr(result, "item") else result


def render(value: Any, spec: Mapping[str, Any]) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        raise SpecError("missing value")
    if hasattr(value, "strftime"):
        return value.strftime(spec.get("date_format", "%Y-%m-%d"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = value * spec.get("scale", 1)
        if spec.get("format") == FRACTION:
            return word_fraction(float(value))
        fmt = spec.get("format", "{:,}" if float(value).is_integer() else "{:,.1f}")
        if float(value).is_integer() and "f}" not in fmt and "%" not in fmt:
            value = int(value)
        return fmt.format(value)
    return spec.get("format", "{}").format(value)


def numbers(
    spec: Mapping[str, Any], frames: Mapping[str, pd.DataFrame], where_from: str
) -> dict[str, str]:
    """Display strings for every variable of a spec."""
    out: dict[str, str] = {}
    for name, value in spec["values"].items():
        dataset = value.get("dataset", spec.get("dataset"))
        raw = compute(name, value, frames[dataset], where_from)
        try:
            out[name] = render(raw, value)
        except (SpecError, ValueError) as err:
            raise SpecError(f"{where_from}: value {name!r}: cannot format {raw!r}: {err}") from None
    return out


def derived_from(spec: Mapping[str, Any]) -> dict[str, list[str]]:
    """The dataset behind every variable of a spec."""
    return {
        name: [str(value.get("dataset", spec.get("dataset")))]
        for name, value in spec["values"].items()
    }


def number_file(
    namespace: str,
    values: Mapping[str, str],
    derived: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The content of ``build/numbers/<namespace>.yml``: the display strings,
    and where given the datasets behind each variable (see the module
    docstring). ``derived`` may name only variables that exist."""
    out: dict[str, Any] = {namespace: dict(values)}
    if derived:
        unknown = sorted(set(derived) - set(values))
        if unknown:
            raise SpecError(f"{namespace}: datasets given for unknown variables {unknown}")
        out[DERIVED_FROM] = {namespace: {k: sorted(v) for k, v in derived.items()}}
    return out


def split_number_file(
    data: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, dict[str, list[str]]]]:
    """(namespaces with their values, datasets behind listed variables)."""
    values = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    return values, dict(data.get(DERIVED_FROM) or {})
