"""Reading the released event aggregates (data/released/, validated into
build/clean/): category labels, the national row, the states ranked by
events, and how a withheld count is shown."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from prp.events.disclosure import TOTAL

LOCATION_LABELS = {
    "train_or_tracks": "Train or tracks",
    "bus": "Bus",
    "highway": "Highway",
    "car": "Car",
    "rural_path": "Rural path",
    "shelter": "Shelter",
    "other": "Other",
}
PERPETRATOR_LABELS = {
    "transnational_criminal_organization": "TCO",
    "gang": "Gang",
    "smuggler": "Smuggler",
    "local_actors": "Local actors",
    "authorities": "Authorities",
    "unknown": "Unknown",
}
CRIME_LABELS = {
    "assault": "Assault",
    "disappearance": "Disappearance",
    "extortion": "Extortion",
    "human_trafficking": "Human trafficking",
    "kidnapping": "Kidnapping",
    "murder": "Murder",
    "other": "Other",
    "robbery": "Robbery",
    "sexual_assault": "Sexual assault",
}


WITHHELD = "withheld"


def withheld_label(k: int | None = None) -> str:
    """How a withheld count is printed: "withheld", whatever it holds. Not
    "<k": a complementary suppression holds k or more, and labels that told
    counts under k from complements would tell the attacker which is which
    (see prp.events.protect)."""
    return WITHHELD


def withheld_note(k: int, note: str = "") -> str:
    """A figure's note followed by the sentence on withheld counts."""
    return (
        note + f" Counts under {k}, and some larger ones that would reveal them, are withheld."
    ).strip()


def shown(events: object, suppressed: object, k: int) -> str:
    """A released count as printed: '1,234', or 'withheld'."""
    if bool(suppressed) or events is None or pd.isna(events):
        return withheld_label(k)
    return f"{int(events):,}"  # type: ignore[call-overload]  # a count, checked above


def national(table: pd.DataFrame) -> pd.DataFrame:
    """The "All states" rows of a state x category table."""
    return table[table["state"] == TOTAL].reset_index(drop=True)


def states_only(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["state"] != TOTAL].reset_index(drop=True)


def national_total(totals: pd.DataFrame) -> int:
    row = totals[totals["state"] == TOTAL]
    if len(row) != 1 or bool(row["suppressed"].iloc[0]):
        raise ValueError("the released state totals have no published national total")
    return int(row["events"].iloc[0])


def ranked_states(totals: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """Published state totals, most events first (ties by name); withheld
    states and the national row are left out. ``n`` keeps the first n."""
    pub = states_only(totals)
    pub = pub[~pub["suppressed"].astype(bool)].copy()
    pub["events"] = pub["events"].astype("int64")
    pub = pub.sort_values(["events", "state"], ascending=[False, True], kind="stable")
    return (pub.head(n) if n else pub).reset_index(drop=True)


def counts_by_state(totals: pd.DataFrame) -> dict[str, int | None]:
    """State -> published count, None where withheld."""
    out: dict[str, int | None] = {}
    for row in states_only(totals).itertuples(index=False):
        out[row.state] = None if bool(row.suppressed) else int(row.events)
    return out


def labelled(table: pd.DataFrame, column: str, labels: Mapping[str, str]) -> pd.Series:
    unknown = sorted(set(table[column]) - set(labels))
    if unknown:
        raise ValueError(f"no label for {column} values {unknown}")
    return table[column].map(labels)
