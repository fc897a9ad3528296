"""Figure 1.2: homicide rates of the three Northern Triangle countries next to
the World Bank rates for Mexico and the United States that the 2018 text
compares them with. Each bar carries the year its rate refers to, as printed:
the comparison rates are dated 2005 in the 2018 text although it sets them
beside 2015 rates, so the figure keeps the printed year visible instead of
silently relabelling it."""

from typing import Any

import pandas as pd

from prp.artifacts import style

NTCA = ("El Salvador", "Guatemala", "Honduras")
NTCA_GROUP = "Northern Triangle"
COMPARISON_GROUP = "Comparison"
COLUMNS = ["country", "year", "rate_per_100k", "group", "label"]
X_LABEL = "Homicides per 100,000 people"


def comparison_frame(rates: pd.DataFrame, ntca: tuple[str, ...] = NTCA) -> pd.DataFrame:
    """One row per country, the Northern Triangle first, each group sorted by
    rate from highest to lowest. ``label`` is 'Country (year)'. Every NTCA
    country must be present and each country may appear only once."""
    df = rates[["country", "year", "rate_per_100k"]].copy()
    missing = sorted(set(ntca) - set(df["country"].astype(str)))
    if missing:
        raise ValueError(f"homicide rates lack {', '.join(missing)}")
    dup = df["country"][df["country"].duplicated()]
    if not dup.empty:
        raise ValueError(f"more than one homicide rate for {dup.iloc[0]}")
    df["country"] = df["country"].astype(str)
    df["year"] = df["year"].astype("int64")
    df["rate_per_100k"] = df["rate_per_100k"].astype("float64")
    df["group"] = df["country"].map(lambda c: NTCA_GROUP if c in ntca else COMPARISON_GROUP)
    df["label"] = df["country"] + " (" + df["year"].astype(str) + ")"
    df["_g"] = (df["group"] != NTCA_GROUP).astype(int)
    df = df.sort_values(["_g", "rate_per_100k", "country"], ascending=[True, False, True])
    return df[COLUMNS].reset_index(drop=True)


def years_text(years: pd.Series) -> str:
    """'2015' or '2005, 2015' (distinct years, ascending)."""
    return ", ".join(str(y) for y in sorted(set(int(y) for y in years)))


def legend_labels(data: pd.DataFrame) -> dict[str, str]:
    """Legend text per group; the comparison group's entry says when its year
    differs from the Northern Triangle's, so the mismatch is not hidden."""
    ntca_years = years_text(data.loc[data["group"] == NTCA_GROUP, "year"])
    labels = {NTCA_GROUP: f"Northern Triangle, {ntca_years}"}
    comp = data.loc[data["group"] == COMPARISON_GROUP, "year"]
    if not comp.empty:
        comp_years = years_text(comp)
        text = f"Mexico and United States (World Bank), {comp_years}"
        if comp_years != ntca_years:
            text += " as printed in 2018"
        labels[COMPARISON_GROUP] = text
    return labels


def plot(data: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=2.6)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    labels = legend_labels(data)
    y = list(range(len(data)))[::-1]  # first row on top
    for i, group in enumerate([NTCA_GROUP, COMPARISON_GROUP]):
        rows = data.index[data["group"] == group]
        if len(rows) == 0:
            continue
        ax.barh(
            [y[r] for r in rows],
            data.loc[rows, "rate_per_100k"],
            height=0.65,
            color=style.SERIES[i],
            hatch=style.HATCHES[i],
            edgecolor="white",
            linewidth=0.3,
            label=labels[group],
        )
    top = float(data["rate_per_100k"].max())
    for r, rate in enumerate(data["rate_per_100k"]):
        ax.text(rate + top * 0.01, y[r], f"{rate:g}", va="center", ha="left", fontsize=style.SMALL)
    ax.set_yticks(y, data["label"])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, top * 1.12)
    ax.set_xlabel(X_LABEL)
    ax.legend(loc="lower right", frameon=False)
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    data = comparison_frame(pd.read_parquet(inputs["clean"]))
    style.write_figure(plot(data), data, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
