"""Inline numbers about the crime-event data (Part 3 and the appendix About
the data), computed from the released, disclosure-controlled aggregates only:
the public and the restricted edition print the same values.

A claim about a withheld count ("TCOs lead in Veracruz", "the five states
with the most events", "most kidnappings in Tamaulipas") is made only when
the released tables alone prove it: the exact attack of prp.events.audit
gives the highest value each withheld count could hold, and the claim needs
every published rival to be above it. So the text tells an attacker nothing
the tables do not (a complement can hold more than a published count)."""

from collections.abc import Mapping
from typing import Any

import pandas as pd

from prp.artifacts.fmt import english_list, number_word, percent, thousands
from prp.artifacts.numbers import number_file
from prp.artifacts.regions import SOUTHERN_STATES, US_BORDER_STATES
from prp.data.io import write_yaml
from prp.events.audit import IDENTIFIED, Key, public_bounds
from prp.events.disclosure import TOTAL
from prp.events.released import (
    CRIME_LABELS,
    national,
    national_total,
    ranked_states,
    states_only,
    withheld_label,
)

TOP = 5
FROM_PARAMETERS = ("k", "withheld_label", "grid_degrees", "grid_km", "rail_buffer_km")
"""Variables set by the disclosure-control parameters, not computed from the
event data; every other variable rests on the released aggregates."""
LOCATION_PHRASES = {  # as used inside a sentence
    "train_or_tracks": "trains or train tracks",
    "bus": "buses",
    "highway": "highways",
    "car": "cars",
    "rural_path": "rural paths",
    "shelter": "shelters",
    "other": "other places",
}


def month_name(yyyy_mm: str) -> str:
    return pd.Timestamp(f"{yyyy_mm}-01").strftime("%B %Y")


def published(table: pd.DataFrame, state: str, column: str, value: str) -> int | None:
    row = table[(table["state"] == state) & (table[column] == value)]
    if len(row) != 1:
        raise ValueError(f"no single released count for {state}, {column}={value}")
    return None if bool(row["suppressed"].iloc[0]) else int(row["events"].iloc[0])


Bounds = Mapping[Key, tuple[int, int]]
"""Withheld count -> the lowest and highest value the released tables allow."""


def released_bounds(
    totals: pd.DataFrame, location: pd.DataFrame, perpetrator: pd.DataFrame, crime: pd.DataFrame
) -> Bounds:
    """What the released tables prove about each withheld count."""
    return public_bounds(
        {
            "state_totals": totals,
            "state_location": location,
            "state_perpetrator": perpetrator,
            "state_crime": crime,
        }
    )


def leading(
    table: pd.DataFrame, state: str, column: str, candidates: list[str], bounds: Bounds
) -> str:
    """The candidate with the most events in a state's row: a published
    count above every other published one and above the highest value any
    withheld candidate could hold. Refused (ValueError) when the release
    does not prove it."""
    name = {"perpetrator_type": "state_perpetrator", "location_type": "state_location"}[column]
    counts = {c: published(table, state, column, c) for c in candidates}
    shown = {c: n for c, n in counts.items() if n is not None}
    if not shown:
        raise ValueError(f"{state}: every {column} count is withheld")
    best = max(shown.values())
    leaders = sorted(c for c, n in shown.items() if n == best)
    if len(leaders) > 1:
        raise ValueError(f"{state}: tie for the most events between {leaders}")
    for c, n in counts.items():
        if n is None and bounds[(name, state, c)][1] >= best:
            raise ValueError(
                f"{state}: the withheld {column} count of {c} could reach "
                f"{bounds[(name, state, c)][1]} >= {best}: the release does not prove that "
                f"{leaders[0]} leads"
            )
    return leaders[0]


def share_of(part: int | None, whole: int, what: str) -> str:
    if part is None:
        raise ValueError(f"{what} is withheld; its share cannot be printed")
    return percent(part / whole)


def event_numbers(
    totals: pd.DataFrame,
    location: pd.DataFrame,
    perpetrator: pd.DataFrame,
    crime: pd.DataFrame,
    period: pd.DataFrame,
    k: int,
    grid_degrees: float,
    grid: pd.DataFrame | None = None,
    top_n: int = TOP,
    rail: pd.DataFrame | None = None,
    rail_buffer_km: float | None = None,
) -> dict[str, str]:
    """Display strings for the prose (keys as requested in the Part 3 text).
    Every released table counts toward the values released and withheld,
    the counts beside the railroads (``rail``) too."""
    tables = [totals, location, perpetrator, crime] + [t for t in (grid, rail) if t is not None]
    bounds = released_bounds(totals, location, perpetrator, crime)
    top = top_states(totals, top_n, bounds)
    extra = {"rail_buffer_km": f"{rail_buffer_km:g}"} if rail_buffer_km is not None else {}
    return {
        **extra,
        **release_numbers(totals, period, tables, k, grid_degrees),
        **location_numbers(location, national_total(totals)),
        **state_numbers(totals, top),
        **perpetrator_numbers(perpetrator, totals, top, bounds),
        **crime_numbers(crime, k, bounds),
    }


def release_numbers(
    totals: pd.DataFrame,
    period: pd.DataFrame,
    tables: list[pd.DataFrame],
    k: int,
    grid_degrees: float,
) -> dict[str, str]:
    """The release as a whole: events, period, disclosure settings, withheld values."""
    released = sum(len(t) for t in tables)
    withheld = sum(int(t["suppressed"].astype(bool).sum()) for t in tables)
    return {
        "n_events": thousands(national_total(totals)),
        "period_start": month_name(str(period["first_month"].iloc[0])),
        "period_end": month_name(str(period["last_month"].iloc[0])),
        "k": str(k),
        "withheld_label": withheld_label(k),
        "grid_degrees": f"{grid_degrees:g}",
        "grid_km": thousands(round(grid_degrees * 111)),
        "n_values_released": thousands(released),
        "n_values_withheld": thousands(withheld),
        "share_values_withheld": percent(withheld / released),
        "n_states_withheld": str(int(states_only(totals)["suppressed"].astype(bool).sum())),
    }


def location_numbers(location: pd.DataFrame, n: int) -> dict[str, str]:
    """Where events happened (Figure 3.1)."""
    loc = national(location)
    if loc["suppressed"].astype(bool).any():
        raise ValueError("a national location count is withheld")
    loc = loc.assign(events=loc["events"].astype("int64")).sort_values(
        ["events", "location_type"], ascending=[False, True], kind="stable"
    )
    first, second = loc.iloc[0], loc.iloc[1]
    train = int(loc.loc[loc["location_type"] == "train_or_tracks", "events"].iloc[0])
    return {
        "top_location": LOCATION_PHRASES[first["location_type"]],
        "share_top_location": percent(int(first["events"]) / n),
        "share_train": percent(train / n),
        "n_train": thousands(train),
        "second_location": LOCATION_PHRASES[second["location_type"]],
        "share_second_location": percent(int(second["events"]) / n),
    }


def top_states(totals: pd.DataFrame, top_n: int, bounds: Bounds) -> pd.DataFrame:
    """The states with the most events: published, and proven to lead every
    withheld state (whose highest possible count lies below the last one)."""
    top = ranked_states(totals).head(top_n)
    if len(top) < top_n:
        raise ValueError(f"only {len(top)} states have a published count")
    last = int(top["events"].iloc[-1])
    for key, (_, hi) in bounds.items():
        if key[0] == "state_totals" and hi >= last:
            raise ValueError(
                f"the withheld total of {key[1]} could reach {hi} >= {last}: the release does "
                f"not prove which {top_n} states have the most events"
            )
    return top


def state_numbers(totals: pd.DataFrame, top: pd.DataFrame) -> dict[str, str]:
    """The states with the most events (Figures 3.3, 3.4, 3.6)."""
    n = national_total(totals)
    ranked = ranked_states(totals)
    names = top["state"].tolist()
    southern = [s for s in names if s in SOUTHERN_STATES]
    st = states_only(totals)
    present = st[st["suppressed"].astype(bool) | (st["events"].fillna(0).astype("int64") > 0)]
    border = ranked[ranked["state"].isin(US_BORDER_STATES)]
    numbers = {
        "top_n": str(len(top)),
        "top_n_word": number_word(len(top)),
        "top_state": names[0],
        "top_state_count": thousands(int(top["events"].iloc[0])),
        "top_state_share": percent(int(top["events"].iloc[0]) / n),
        "top_states": english_list(names),
        "top_states_share": percent(int(top["events"].sum()) / n),
        "top_southern_count_word": number_word(len(southern)).capitalize(),
        "top_southern_states": english_list(southern),
        "n_states": str(len(present)),
        "top_border_state": border["state"].iloc[0],
    }
    for i, (state, count) in enumerate(zip(names, top["events"], strict=True), start=1):
        numbers[f"rank{i}_state"] = state
        numbers[f"rank{i}_count"] = thousands(int(count))
        numbers[f"rank{i}_share"] = percent(int(count) / n)
    return numbers


def perpetrator_numbers(
    perpetrator: pd.DataFrame, totals: pd.DataFrame, top: pd.DataFrame, bounds: Bounds
) -> dict[str, str]:
    """Who the perpetrators were, in the top states and on the U.S. border (Figure 3.7)."""
    col = "perpetrator_type"
    ranked = ranked_states(totals)
    names = top["state"].tolist()
    lead = {s: leading(perpetrator, s, col, IDENTIFIED, bounds) for s in names}
    smuggler_rows = states_only(perpetrator)[states_only(perpetrator)[col] == "smuggler"]
    smuggler_states = smuggler_rows[
        smuggler_rows["suppressed"].astype(bool)
        | (smuggler_rows["events"].fillna(0).astype("int64") > 0)
    ]
    smug_total = published(perpetrator, national(perpetrator)["state"].iloc[0], col, "smuggler")
    border_smug = [published(perpetrator, s, col, "smuggler") for s in US_BORDER_STATES]
    if smug_total is None or any(v is None for v in border_smug):
        raise ValueError("smuggler counts on the U.S. border are withheld; no share can be printed")
    tam_total = int(ranked.loc[ranked["state"] == "Tamaulipas", "events"].iloc[0])
    chi_total = int(ranked.loc[ranked["state"] == "Chiapas", "events"].iloc[0])
    return {
        "tco_main_states": english_list([s for s in names if lead[s] == IDENTIFIED[0]]),
        "gang_main_states": english_list([s for s in names if lead[s] == "gang"]),
        "smuggler_states": str(len(smuggler_states)),
        "smuggler_share_us_border": percent(sum(border_smug) / smug_total),  # type: ignore[arg-type]
        "tco_share_tamaulipas": share_of(
            published(perpetrator, "Tamaulipas", col, IDENTIFIED[0]),
            tam_total,
            "TCO events in Tamaulipas",
        ),
        "gang_share_chiapas": share_of(
            published(perpetrator, "Chiapas", col, "gang"), chi_total, "gang events in Chiapas"
        ),
    }


def crime_numbers(crime: pd.DataFrame, k: int, bounds: Bounds) -> dict[str, str]:
    """Kidnapping, the crime the 2018 text singles out."""
    crimes = national(crime)
    kid = published(crime, crimes["state"].iloc[0], "crime_type", "kidnapping")
    return {
        "kidnapping_events": thousands(kid) if kid is not None else withheld_label(k),
        "kidnapping_top_state": _max_state(crime, "kidnapping", bounds),
        "n_crime_types": str(len(CRIME_LABELS)),
    }


def _max_state(crime: pd.DataFrame, crime_type: str, bounds: Bounds) -> str:
    """State with the most events of a crime type: a unique published
    maximum that no withheld count of that crime could reach."""
    rows = states_only(crime)
    rows = rows[(rows["crime_type"] == crime_type) & ~rows["suppressed"].astype(bool)]
    if rows.empty:
        raise ValueError(f"every state count of {crime_type} is withheld")
    rows = rows.assign(events=rows["events"].astype("int64"))
    best = rows["events"].max()
    leaders = sorted(rows.loc[rows["events"] == best, "state"])
    if len(leaders) > 1:
        raise ValueError(f"tie for the most {crime_type} events between {leaders}")
    for key, (_, hi) in bounds.items():
        if key[0] == "state_crime" and key[2] == crime_type and key[1] != TOTAL and hi >= best:
            raise ValueError(
                f"the withheld {crime_type} count of {key[1]} could reach {hi} >= {best}: the "
                f"release does not prove that {leaders[0]} has the most"
            )
    return leaders[0]


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    frames = {
        name: pd.read_parquet(inputs[name])
        for name in ("totals", "location", "perpetrator", "crime", "period", "grid", "rail")
    }
    numbers = event_numbers(
        **frames,
        k=int(params["k"]),
        grid_degrees=float(params["grid_degrees"]),
        rail_buffer_km=float(params["rail_buffer_km"]),
    )
    derived = {key: [] for key in FROM_PARAMETERS}
    write_yaml(outputs["numbers"], number_file(params["namespace"], numbers, derived))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
