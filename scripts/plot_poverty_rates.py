"""Figure (poverty-rates): the share of each Northern Triangle country's
people living below the international poverty line of US$5.50 a day, as the
2018 text cites it (poverty_rates; the rural row, measured against national
lines, is left out). The pure functions below are
tested in tests/unit/test_plot_poverty_rates.py; main() only reads and writes files."""

from typing import Any

import pandas as pd

from prp.artifacts import style


def figure_data(clean: pd.DataFrame) -> pd.DataFrame:
    """The numbers the figure draws, one row per bar: a label column and a
    value column (written next to the image as the figure's .csv)."""
    national = clean[clean["population"] == "total"]
    data = pd.DataFrame(
        {
            "country": national["geography"] + " (" + national["year"].astype(str) + ")",
            "percent_poor": national["rate_percent"].astype(float),
            "year": national["year"].astype(int),
            "poverty_line_usd": national["poverty_line_usd_per_day"].astype(float),
        }
    )
    return data.sort_values("percent_poor", ascending=False).reset_index(drop=True)


def line_text(data: pd.DataFrame) -> str:
    """The poverty line all bars share, e.g. 'US$5.50'; an error if they differ."""
    lines = sorted(set(data["poverty_line_usd"]))
    if len(lines) != 1:
        raise ValueError(f"the shares use different poverty lines: {lines}")
    return f"US${lines[0]:.2f}"


def plot(data: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    """Horizontal bars of the share by country, each labelled with its value."""
    label, value = data.columns[:2]
    fig, ax = style.new_figure(height_in=0.35 * len(data) + 1.0)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    y = list(range(len(data)))[::-1]  # first row on top
    ax.barh(y, data[value], height=0.65, color=style.SERIES[0])
    ax.set_yticks(y, data[label].astype(str))
    ax.tick_params(axis="y", length=0)
    for row, share in zip(y, data[value], strict=True):
        ax.text(share + 1, row, f"{share:g}%", va="center", ha="left", fontsize=style.SMALL)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"Share of the population living on less than {line_text(data)} a day (%)")
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    data = figure_data(pd.read_parquet(inputs["clean"]))
    style.write_figure(plot(data), data, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
