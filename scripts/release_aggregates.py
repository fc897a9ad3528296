"""Release the crime-event aggregates that the public edition may show.

Reads the validated restricted event table and writes, into data/released/,
count tables with small-cell and complementary suppression (see
prp.disclosure): events by state, by state and location type, by state and
perpetrator type, by state and crime type, and by grid cell, and the months
the events cover. Withheld counts are empty with ``suppressed = true``.
"""

import logging
from typing import Any

import pandas as pd

from prp import disclosure
from prp.io import write_csv

log = logging.getLogger(__name__)

OUTPUTS = {
    "state_totals": "totals",
    "state_location": "location",
    "state_perpetrator": "perpetrator",
    "state_crime": "crime",
    "grid": "grid",
    "period": "period",
}
"""Table of prp.disclosure -> name of the rule output it is written to."""


def released_tables(
    events: pd.DataFrame,
    states: list[str],
    categories: dict[str, list[str]],
    k: int,
    degrees: float,
) -> dict[str, pd.DataFrame]:
    """The protected tables, keyed like :data:`OUTPUTS`, ready to write."""
    if k < 2:
        raise ValueError(f"disclosure threshold k must be at least 2, got {k}")
    release = disclosure.build_release(events, states, categories, degrees)
    tables = disclosure.split(disclosure.protect(release, k))
    for frame in tables.values():
        frame["suppressed"] = frame["suppressed"].map({True: "true", False: "false"})
    tables["period"] = disclosure.period(events)
    return tables


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    events = pd.read_parquet(inputs["events"])
    states = (
        pd.read_parquet(inputs["states"]).sort_values("state_code")["state"].astype(str).tolist()
    )
    categories = {name: list(values) for name, values in params["categories"].items()}
    k, degrees = int(params["k"]), float(params["grid_degrees"])
    tables = released_tables(events, states, categories, k, degrees)
    for table, output in OUTPUTS.items():
        frame = tables[table]
        write_csv(outputs[output], frame)
        if "suppressed" in frame:
            log.info(
                "%s: %d values, %d withheld (k=%d)",
                outputs[output],
                len(frame),
                int((frame["suppressed"] == "true").sum()),
                k,
            )


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
