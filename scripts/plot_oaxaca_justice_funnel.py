"""Figure: the justice funnel of Oaxaca's special prosecutor for crimes
against migrants — complaints received, preliminary investigations opened
and sentences obtained over the same years."""

from typing import Any

import pandas as pd

from prp.artifacts import style
from prp.artifacts.fmt import percent, thousands

STAGE_LABELS = {
    "complaints": "Complaints received",
    "preliminary_investigations": "Preliminary investigations opened",
    "sentences": "Sentences handed down",
}
X_LABEL = "Cases"


def funnel_stages(funnel: pd.DataFrame) -> pd.DataFrame:
    """Stages in order with their counts, each stage's share of the one
    before and of the first. Every stage must cover the same period and no
    stage may exceed the one before it."""
    df = funnel.sort_values("stage_order").reset_index(drop=True)
    if df["stage_order"].duplicated().any():
        raise ValueError("two stages share a position in the funnel")
    if df["period_years"].nunique() != 1:
        raise ValueError("the stages of the funnel cover different periods")
    counts = df["count"].astype("int64")
    if (counts.diff().dropna() > 0).any():
        raise ValueError("a later stage of the funnel counts more cases than the one before")
    if counts.iloc[0] <= 0:
        raise ValueError("the first stage of the funnel has no cases")
    return pd.DataFrame(
        {
            "stage": df["stage"].astype(str),
            "label": [
                STAGE_LABELS.get(s, str(s).replace("_", " ").capitalize()) for s in df["stage"]
            ],
            "count": counts,
            "share_of_previous": counts / counts.shift(1),
            "share_of_first": counts / counts.iloc[0],
            "period_years": df["period_years"].astype("int64"),
        }
    )


def annotation(row: pd.Series, previous_label: str | None, first_label: str | None = None) -> str:
    """'96 (25% of complaints received)'; the first stage shows its count
    only; stages after the second also give their share of the first."""
    text = thousands(int(row["count"]))
    if previous_label is None or pd.isna(row["share_of_previous"]):
        return text
    shares = [f"{percent(row['share_of_previous'])} of {previous_label.lower()}"]
    if first_label is not None and first_label != previous_label:
        shares.append(f"{percent(row['share_of_first'])} of {first_label.lower()}")
    return f"{text} ({'; '.join(shares)})"


def plot(stages: pd.DataFrame):  # noqa: ANN201 - returns a matplotlib Figure
    fig, ax = style.new_figure(height_in=0.6 * len(stages) + 1.0)
    y = list(range(len(stages)))[::-1]
    colours = [style.SERIES[i % len(style.SERIES)] for i in range(len(stages))]
    hatches = [style.HATCHES[i % len(style.HATCHES)] for i in range(len(stages))]
    ax.barh(
        y,
        stages["count"],
        height=0.6,
        color=colours,
        hatch=hatches,
        edgecolor="white",
        linewidth=0.3,
    )
    top = float(stages["count"].max())
    previous = None
    for yi, (_, row) in zip(y, stages.iterrows(), strict=True):
        text = annotation(row, previous, stages["label"].iloc[0])
        ax.text(
            float(row["count"]) + 0.01 * top, yi, text, va="center", ha="left", fontsize=style.SMALL
        )
        previous = row["label"]
    ax.set_yticks(y, stages["label"])
    ax.set_xlim(0, top * 1.6)
    ax.set_ylim(-0.6, len(stages) - 0.4)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(style.thousands_formatter())
    ax.set_xlabel(X_LABEL)
    return fig


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    stages = funnel_stages(pd.read_parquet(inputs["clean"]))
    style.write_figure(plot(stages), stages, outputs, params)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
