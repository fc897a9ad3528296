"""Figure 1.1: U.S. Border Patrol Southwest-border apprehensions by month,
FY2013-FY2018, stacked by single adults, individuals in family units and
unaccompanied children, with fiscal-year boundaries marked."""

from typing import Any

import pandas as pd

from prp.artifacts import style

FY_MONTHS = ["Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
GROUPS = ["single_adults", "family_unit_individuals", "unaccompanied_children"]
LABELS = {
    "single_adults": "Single adults",
    "family_unit_individuals": "Individuals in family units",
    "unaccompanied_children": "Unaccompanied children",
}


def monthly_groups(monthly: pd.DataFrame) -> pd.DataFrame:
    """One row per calendar month in order, with single adults derived as
    total − unaccompanied children − family-unit individuals. A fiscal year's
    Oct–Dec fall in the previous calendar year."""
    df = monthly.copy()
    for col in ["fiscal_year", "total", "unaccompanied_children", "family_unit_individuals"]:
        df[col] = df[col].astype("int64")
    pos = df["month"].astype(str).map({m: i for i, m in enumerate(FY_MONTHS)}).astype("int64")
    year = df["fiscal_year"] - (pos < 3).astype("int64")
    month_num = (pos + 9) % 12 + 1
    df["month_start"] = pd.to_datetime({"year": year, "month": month_num, "day": 1}).astype(
        "datetime64[s]"
    )
    df["single_adults"] = df["total"] - df["unaccompanied_children"] - df["family_unit_individuals"]
    if (df["single_adults"] < 0).any():
        bad = df.loc[df["single_adults"] < 0, ["fiscal_year", "month"]].iloc[0].tolist()
        raise ValueError(f"children and family units exceed the total in FY{bad[0]} {bad[1]}")
    cols = ["fiscal_year", "month", "month_start", *GROUPS, "total"]
    return df.sort_values("month_start")[cols].reset_index(drop=True)


def plot(data: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=3.4)
    x = range(len(data))
    bottom = pd.Series(0, index=data.index)
    for i, group in enumerate(GROUPS):
        ax.bar(
            x,
            data[group],
            bottom=bottom,
            width=0.85,
            label=LABELS[group],
            color=style.SERIES[i],
            hatch=style.HATCHES[i],
            edgecolor="white",
            linewidth=0.2,
        )
        bottom = bottom + data[group]
    starts = [i for i, m in enumerate(data["month"]) if m == "Oct"]
    for i in starts[1:]:
        ax.axvline(i - 0.5, color=style.GREY, linewidth=0.8, linestyle="--")
    for i in starts:
        fy = int(data.loc[i, "fiscal_year"])
        ax.text(
            i + 5.5,
            1.0,
            f"FY{fy}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=style.SMALL,
            color=style.GREY,
        )
    ax.set_xticks(starts, [f"Oct\n{data.loc[i, 'month_start'].year}" for i in starts])
    ax.set_xlim(-0.6, len(data) - 0.4)
    ax.yaxis.set_major_formatter(style.thousands_formatter())
    ax.set_ylabel("Apprehensions per month")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    data = monthly_groups(pd.read_parquet(inputs["clean"]))
    style.write_figure(plot(data), data, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
