"""Reconcile the 2018 print with the data: build/checks/errata.csv lists every
discrepancy with its explanation; reconciliation.csv holds every comparison."""

from typing import Any

import pandas as pd

from prp.artifacts.reconcile import explain, internal_consistency, recompute_all, rounded
from prp.data.io import write_csv

COLUMNS = [
    "check",
    "location",
    "quantity",
    "printed",
    "recomputed",
    "difference",
    "status",
    "detail",
    "explanation",
    "source",
]


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Typed parquet back to the plain strings the reconciliation reads."""
    out = df.copy()
    for col in out.columns:
        if col != "value":
            out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    out["value"] = out["value"].astype(object).where(out["value"].notna(), "")
    return out


def reconcile(
    printed: pd.DataFrame, datasets: dict[str, pd.DataFrame], explanations: pd.DataFrame
) -> pd.DataFrame:
    findings = pd.concat(
        [recompute_all(printed, datasets), internal_consistency(printed)], ignore_index=True
    )
    findings = explain(findings, explanations).reindex(columns=COLUMNS).fillna("")
    for col in ("recomputed", "difference"):
        findings[col] = findings[col].map(rounded)
    return findings


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    printed = as_text(pd.read_parquet(inputs["printed"]))
    datasets = {
        path.rsplit("/", 1)[1].removesuffix(".parquet"): pd.read_parquet(path)
        for path in inputs["datasets"]
    }
    findings = reconcile(printed, datasets, pd.read_parquet(inputs["explanations"]))
    write_csv(outputs["all"], findings)
    write_csv(outputs["errata"], findings[findings["status"] == "differs"])


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
