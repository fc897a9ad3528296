"""Part 5 (restricted): each state's exact profile in the event records —
events, share, and the perpetrator, place and crime that lead there — as the
basis for setting priorities by state. Restricted edition only."""

from typing import Any

import pandas as pd

from prp.artifacts.fmt import percent
from prp.artifacts.sources import source_line
from prp.artifacts.tables import markdown_table
from prp.artifacts.texttable import with_widths
from prp.data.io import write_csv, write_text
from prp.events.records import state_profile
from prp.events.released import CRIME_LABELS, LOCATION_LABELS, PERPETRATOR_LABELS

WIDTHS = [56, 48, 66, 60, 74, 70, 67]
"""Relative column widths (``tbl-colwidths``)."""


def profile_display(profile: pd.DataFrame, min_events: int) -> pd.DataFrame:
    """Display strings for the states with at least ``min_events`` events
    (the others are summed in a last row), 'Label (n)' for the leaders."""
    if min_events < 1:
        raise ValueError("min_events must be at least 1")
    shown = profile[profile["events"] >= min_events]
    rest = profile[profile["events"] < min_events]
    rows = [
        [
            r.state,
            f"{r.events:,} ({percent(r.share)})",
            f"{PERPETRATOR_LABELS[r.leading_perpetrator]} ({r.leading_perpetrator_events:,})",
            f"{LOCATION_LABELS[r.leading_place]} ({r.leading_place_events:,})",
            f"{CRIME_LABELS[r.leading_crime]} ({r.leading_crime_events:,})",
            f"{r.kidnapping_events:,}",
            f"{r.authorities_events:,}",
        ]
        for r in shown.itertuples(index=False)
    ]
    if len(rest):
        rows.append(
            [
                f"Other states ({len(rest)})",
                f"{int(rest['events'].sum()):,} ({percent(float(rest['share'].sum()))})",
                "",
                "",
                "",
                f"{int(rest['kidnapping_events'].sum()):,}",
                f"{int(rest['authorities_events'].sum()):,}",
            ]
        )
    columns = [
        "State",
        "Events (share)",
        "Leading perpetrator",
        "Leading place",
        "Leading crime",
        "Kidnappings",
        "By authorities",
    ]
    return pd.DataFrame(rows, columns=columns)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    profile = state_profile(pd.read_parquet(inputs["events"]))
    write_csv(outputs["csv"], profile)
    min_events = int(params["min_events"])
    note = (
        params.get("note", "")
        + f" States with fewer than {min_events} events are summed in the last row."
    ).strip()
    source = source_line(params["data_dir"], params["datasets"], note)
    shown = profile_display(profile, min_events)
    align = ["l", "r", "l", "l", "l", "r", "r"]
    md = markdown_table(shown, params["id"], params["caption"], source, align=align)
    write_text(outputs["md"], with_widths(md, WIDTHS, align))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
