"""Inline numbers of the restricted edition (Part 5 and its annexes),
computed from the crime-event records themselves with no cell withheld.
Only chapters under report/restricted/ may cite this namespace."""

from typing import Any

import pandas as pd

from prp.artifacts.fmt import english_list, number_word, percent, thousands
from prp.artifacts.regions import SOUTHERN_STATES, US_BORDER_STATES
from prp.data.io import write_yaml
from prp.events.records import (
    explode_crimes,
    leading,
    ranked_states,
    state_profile,
    states_covering,
)
from prp.events.released import CRIME_LABELS, PERPETRATOR_LABELS

HOTSPOTS = 10  # municipalities named as hotspots
LOCATION_PHRASES = {  # as used inside a sentence
    "train_or_tracks": "trains or train tracks",
    "bus": "buses",
    "highway": "highways",
    "car": "cars",
    "rural_path": "rural paths",
    "shelter": "shelters",
    "other": "other places",
}


def hotspots(events: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` municipalities with the most events (ties by state, name)."""
    counts = (
        events.groupby(["state", "municipality"], observed=True)
        .size()
        .rename("events")
        .reset_index()
    )
    counts = counts.sort_values(
        ["events", "state", "municipality"], ascending=[False, True, True], kind="stable"
    )
    return counts.head(n).reset_index(drop=True)


def compute(events: pd.DataFrame) -> dict[str, str]:
    n = len(events)
    if n == 0:
        raise ValueError("no events")
    share = lambda part: percent(part / n)  # noqa: E731
    exploded = explode_crimes(events)
    ranked = ranked_states(events)
    half = states_covering(events, 0.5)
    three_q = states_covering(events, 0.75)
    spots = hotspots(events, HOTSPOTS)
    perp = events["perpetrator_type"]
    loc = events["location_type"]
    kidnap = events[[("kidnapping" in str(c).split(";")) for c in events["crime_types"]]]
    k_top_state, k_top_n = leading(kidnap["state"], sorted(kidnap["state"].unique()))
    auth = events[perp == "authorities"]
    auth_state, auth_state_n = leading(auth["state"], sorted(auth["state"].unique()))
    profile = state_profile(events).set_index("state")
    tam, chi = events[events["state"] == "Tamaulipas"], events[events["state"] == "Chiapas"]
    south = events["state"].isin(SOUTHERN_STATES)
    north = events["state"].isin(US_BORDER_STATES)
    top_crime, top_crime_n = leading(exploded["crime_type"], list(CRIME_LABELS))
    identified = perp != "unknown"
    values = {
        "n_events": thousands(n),
        "n_victims": thousands(int(events["victims"].sum())),
        "n_states": str(events["state"].nunique()),
        "n_municipalities": thousands(events[["state", "municipality"]].drop_duplicates().shape[0]),
        "n_outlets": thousands(events["outlet"].nunique()),
        "first_date": pd.Timestamp(events["event_date"].min()).strftime("%-d %B %Y"),
        "last_date": pd.Timestamp(events["event_date"].max()).strftime("%-d %B %Y"),
        "n_states_half": str(len(half)),
        "n_states_half_word": number_word(len(half)),
        "states_half": english_list(half["state"].tolist()),
        "states_half_share": percent(float(half["cumulative_share"].iloc[-1])),
        "n_states_three_quarters": str(len(three_q)),
        "n_states_three_quarters_word": number_word(len(three_q)),
        "states_three_quarters_share": percent(float(three_q["cumulative_share"].iloc[-1])),
        "top_state": str(ranked["state"].iloc[0]),
        "top_state_events": thousands(int(ranked["events"].iloc[0])),
        "n_hotspots": str(HOTSPOTS),
        "n_hotspots_word": number_word(HOTSPOTS),
        "hotspots": english_list([f"{r.municipality} ({r.state})" for r in spots.itertuples()]),
        "hotspots_events": thousands(int(spots["events"].sum())),
        "hotspots_share": share(int(spots["events"].sum())),
        "top_hotspot": f"{spots['municipality'].iloc[0]}, {spots['state'].iloc[0]}",
        "top_hotspot_events": thousands(int(spots["events"].iloc[0])),
        "train_events": thousands(int((loc == "train_or_tracks").sum())),
        "train_share": share(int((loc == "train_or_tracks").sum())),
        "rural_path_events": thousands(int((loc == "rural_path").sum())),
        "road_events": thousands(int(loc.isin(["highway", "bus", "car"]).sum())),
        "road_share": share(int(loc.isin(["highway", "bus", "car"]).sum())),
        "shelter_events": thousands(int((loc == "shelter").sum())),
        "top_crime": CRIME_LABELS[top_crime].lower(),
        "top_crime_events": thousands(top_crime_n),
        "kidnapping_events": thousands(len(kidnap)),
        "kidnapping_tco_share": percent(
            float((kidnap["perpetrator_type"] == "transnational_criminal_organisation").mean())
        ),
        "kidnapping_top_state": k_top_state,
        "kidnapping_top_state_events": thousands(k_top_n),
        "authorities_events": thousands(len(auth)),
        "authorities_share": share(len(auth)),
        "authorities_n_states": str(auth["state"].nunique()),
        "authorities_top_state": auth_state,
        "authorities_top_state_events": thousands(auth_state_n),
        "unknown_events": thousands(int((~identified).sum())),
        "unknown_share": share(int((~identified).sum())),
        "tco_events": thousands(int((perp == "transnational_criminal_organisation").sum())),
        "tco_share_tamaulipas": percent(
            float((tam["perpetrator_type"] == "transnational_criminal_organisation").mean())
        ),
        "gang_share_chiapas": percent(float((chi["perpetrator_type"] == "gang").mean())),
        "tamaulipas_leading_place": LOCATION_PHRASES[profile.loc["Tamaulipas", "leading_place"]],
        "chiapas_leading_perpetrator": PERPETRATOR_LABELS[
            profile.loc["Chiapas", "leading_perpetrator"]
        ],
        "southern_events": thousands(int(south.sum())),
        "southern_share": share(int(south.sum())),
        "us_border_events": thousands(int(north.sum())),
        "us_border_share": share(int(north.sum())),
        "smuggler_events": thousands(int((perp == "smuggler").sum())),
        "smuggler_states": str(events.loc[perp == "smuggler", "state"].nunique()),
    }
    return values


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    values = compute(pd.read_parquet(inputs["events"]))
    write_yaml(outputs["numbers"], {params["namespace"]: values})


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
