"""Inline numbers about Mexican apprehensions of NTCA migrants (Table 1.1)."""

from typing import Any

import pandas as pd

from prp.artifacts.fmt import percent, thousands
from prp.data.io import write_yaml


def apprehension_numbers(long: pd.DataFrame) -> dict[str, str]:
    """Display strings for the prose: total, range of years, peak year and
    each country's share (keys share_<country in snake case>)."""
    by_year = long.groupby("fiscal_year")["apprehensions"].sum()
    by_country = long.groupby("country")["apprehensions"].sum()
    total = int(by_country.sum())
    numbers = {
        "total": thousands(total),
        "first_year": str(int(by_year.index.min())),
        "last_year": str(int(by_year.index.max())),
        "peak_year": str(int(by_year.idxmax())),
        "peak_count": thousands(int(by_year.max())),
    }
    for country, count in by_country.items():
        key = "share_" + str(country).lower().replace(" ", "_")
        numbers[key] = percent(count / total)
    return numbers


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    numbers = apprehension_numbers(pd.read_parquet(inputs["clean"]))
    write_yaml(outputs["numbers"], {params["namespace"]: numbers})


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
