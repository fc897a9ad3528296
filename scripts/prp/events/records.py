"""The restricted crime-event records themselves (``camrd_events``), for the
restricted edition only: one row per crime type of an event, exact counts by
state, crime type and perpetrator, and the display labels of the annexes.

Nothing here suppresses small counts: its outputs may be shown only in
chapters under ``report/restricted/``. The public edition reads the
disclosure-controlled aggregates of :mod:`prp.events.disclosure` instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from prp.events.released import CRIME_LABELS, LOCATION_LABELS, PERPETRATOR_LABELS

ALL_STATES = "All states"
ALL_EVENTS = "All events"
CRIME_SEPARATOR = ";"

PERPETRATORS = list(PERPETRATOR_LABELS)
"""Perpetrator types in the order of every table and legend (TCOs first)."""

BATCH_ROWS = 250_000
"""Rows read at a time by :func:`read_batches`."""


def read_batches(
    path: str | Path, columns: Sequence[str] | None = None, rows: int = BATCH_ROWS
) -> Iterator[pd.DataFrame]:
    """A parquet file (the clean event table) as frames of at most ``rows``
    rows, with only ``columns`` (all if None), so that a table of any length
    is read in bounded memory. (Arrow's pre-buffering is off: with it, the
    reader keeps each buffered range and memory grows with the file.)"""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path, pre_buffer=False)
    for batch in pf.iter_batches(
        batch_size=rows, columns=None if columns is None else list(columns)
    ):
        yield batch.to_pandas()


def count_rows(path: str | Path) -> int:
    """Number of rows of a parquet file, from its footer."""
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def crime_list(value: str) -> list[str]:
    """'extortion;robbery' -> ['extortion', 'robbery'] (blank items dropped)."""
    return [c.strip() for c in str(value).split(CRIME_SEPARATOR) if c.strip()]


def explode_crimes(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event and crime type (column ``crime_type``). An event
    with two crime types gives two rows; every other column is repeated."""
    out = events.copy()
    out["crime_type"] = [crime_list(v) for v in out["crime_types"]]
    out = out.explode("crime_type", ignore_index=True)
    if out["crime_type"].isna().any():
        bad = out.loc[out["crime_type"].isna(), "event_id"].tolist()[:5]
        raise ValueError(f"events without a crime type: {bad}")
    unknown = sorted(set(out["crime_type"]) - set(CRIME_LABELS))
    if unknown:
        raise ValueError(f"unknown crime types {unknown}")
    return out


def _check_perpetrators(events: pd.DataFrame, perpetrators: Sequence[str]) -> None:
    unknown = sorted(set(events["perpetrator_type"]) - set(perpetrators))
    if unknown:
        raise ValueError(f"unknown perpetrator types {unknown}")


def _crosstab(rows: pd.DataFrame, index: list[str], perpetrators: Sequence[str]) -> pd.DataFrame:
    table = (
        rows.groupby([*index, "perpetrator_type"], observed=True)
        .size()
        .unstack("perpetrator_type", fill_value=0)
        .reindex(columns=list(perpetrators), fill_value=0)
        .astype("int64")
    )
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def exact_counts(
    events: pd.DataFrame,
    perpetrators: Sequence[str] = PERPETRATORS,
    crimes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Exact counts of events by state × crime type × perpetrator type.

    Columns: ``state``, ``crime_type``, one per perpetrator type, ``total``.
    For each state (most events first, ties by name) the first row is
    ``crime_type == "All events"``, counting every event once; then one row
    per crime type with at least one event, in ``crimes`` order (default: the
    labels' order). An event of two crime types counts in both rows, so the
    crime rows of a state may add up to more than its ``All events`` row.
    The national block (``state == "All states"``) comes first."""
    _check_perpetrators(events, perpetrators)
    crimes = list(crimes or CRIME_LABELS)
    exploded = explode_crimes(events)
    whole = events.assign(crime_type=ALL_EVENTS)
    national = pd.concat(
        [
            _crosstab(whole.assign(state=ALL_STATES), ["state", "crime_type"], perpetrators),
            _crosstab(exploded.assign(state=ALL_STATES), ["state", "crime_type"], perpetrators),
        ]
    )
    by_state = pd.concat(
        [
            _crosstab(whole, ["state", "crime_type"], perpetrators),
            _crosstab(exploded, ["state", "crime_type"], perpetrators),
        ]
    )
    totals = by_state[by_state["crime_type"] == ALL_EVENTS].set_index("state")["total"]
    state_order = sorted(totals.index, key=lambda s: (-int(totals[s]), s))
    crime_order = {c: i for i, c in enumerate([ALL_EVENTS, *crimes])}
    out = pd.concat([national, by_state], ignore_index=True)
    out["_s"] = out["state"].map({ALL_STATES: -1, **{s: i for i, s in enumerate(state_order)}})
    out["_c"] = out["crime_type"].map(crime_order)
    out = out.sort_values(["_s", "_c"], kind="stable").drop(columns=["_s", "_c"])
    return out.reset_index(drop=True)


def counts_display(
    counts: pd.DataFrame, perpetrators: Sequence[str] = PERPETRATORS
) -> pd.DataFrame:
    """Display strings of :func:`exact_counts`: each state's ``All events``
    row becomes a bold row named after the state, followed by its crime
    rows; labels and thousands separators."""
    rows = []
    for r in counts.itertuples(index=False):
        values = [f"{int(getattr(r, p)):,}" for p in perpetrators] + [f"{int(r.total):,}"]
        if r.crime_type == ALL_EVENTS:
            rows.append([f"**{r.state}**", *[f"**{v}**" for v in values]])
        else:
            rows.append([CRIME_LABELS[r.crime_type], *values])
    columns = ["State and crime type", *[PERPETRATOR_LABELS[p] for p in perpetrators], "Total"]
    return pd.DataFrame(rows, columns=columns)


def location_label(value: str) -> str:
    return LOCATION_LABELS[value]


def crimes_label(value: str) -> str:
    """'extortion;robbery' -> 'Extortion, robbery'."""
    labels = [CRIME_LABELS[c] for c in crime_list(value)]
    text = ", ".join(labels)
    return text[:1].upper() + text[1:].lower() if text else text


def ranked_states(events: pd.DataFrame) -> pd.DataFrame:
    """States with their event counts and shares, most events first (ties by
    name), with the running share (``cumulative_share``)."""
    counts = events.groupby("state", observed=True).size().rename("events").reset_index()
    counts = counts.sort_values(["events", "state"], ascending=[False, True], kind="stable")
    total = int(counts["events"].sum())
    counts["share"] = counts["events"] / total
    counts["cumulative_share"] = counts["events"].cumsum() / total
    return counts.reset_index(drop=True)


def states_covering(events: pd.DataFrame, share: float) -> pd.DataFrame:
    """The fewest leading states whose events reach ``share`` of the total."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], not {share}")
    ranked = ranked_states(events)
    n = int((ranked["cumulative_share"] < share - 1e-12).sum()) + 1
    return ranked.head(n)


def leading(values: pd.Series, order: Sequence[str]) -> tuple[str, int]:
    """The most frequent value and its count; a tie goes to the value that
    comes first in ``order``."""
    counts = values.value_counts()
    if counts.empty:
        raise ValueError("no values to rank")
    best = int(counts.max())
    tied = [v for v in order if int(counts.get(v, 0)) == best]
    if not tied:
        raise ValueError(f"values {sorted(counts.index)} are not in the order given")
    return tied[0], best


def state_profile(events: pd.DataFrame) -> pd.DataFrame:
    """One row per state with events, most events first: events, share of
    all events, the leading perpetrator type, place and crime type (each
    with its count), kidnapping events and events attributed to the
    authorities."""
    total = len(events)
    exploded = explode_crimes(events)
    rows = []
    for r in ranked_states(events).itertuples(index=False):
        ev = events[events["state"] == r.state]
        crimes = exploded[exploded["state"] == r.state]["crime_type"]
        perp, perp_n = leading(ev["perpetrator_type"], PERPETRATORS)
        place, place_n = leading(ev["location_type"], list(LOCATION_LABELS))
        crime, crime_n = leading(crimes, list(CRIME_LABELS))
        rows.append(
            {
                "state": r.state,
                "events": int(r.events),
                "share": int(r.events) / total,
                "leading_perpetrator": perp,
                "leading_perpetrator_events": perp_n,
                "leading_place": place,
                "leading_place_events": place_n,
                "leading_crime": crime,
                "leading_crime_events": crime_n,
                "kidnapping_events": int((crimes == "kidnapping").sum()),
                "authorities_events": int((ev["perpetrator_type"] == "authorities").sum()),
            }
        )
    return pd.DataFrame(rows)


def common_id_prefix(ids: Sequence[str]) -> str:
    """The prefix all identifiers share, cut after its last '-' (so that
    'CAMRD-S-000001', 'CAMRD-S-000002' give 'CAMRD-S-'); '' if none."""
    import os

    prefix = os.path.commonprefix([str(i) for i in ids])
    cut = prefix.rfind("-")
    return prefix[: cut + 1] if cut >= 0 else ""
