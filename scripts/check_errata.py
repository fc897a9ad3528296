"""Reconcile the 2018 print with the data: build/checks/errata.csv lists every
finding of the register (data/published/findings.csv) — the discrepancies
the comparison finds, with their explanation, and those found by reading the
text against its sources — each with its class, confidence and evidence;
reconciliation.csv holds every comparison."""

import logging
from typing import Any

import pandas as pd

from prp.artifacts.reconcile import explain, internal_consistency, recompute_all, rounded
from prp.data.io import write_csv

COMPARISON_COLUMNS = [
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
FINDING_COLUMNS = ["finding", "class", "confidence", "evidence", "evidence_value", "treatment"]
"""Columns of the register carried into errata.csv (``finding`` is its id)."""
COLUMNS = COMPARISON_COLUMNS + FINDING_COLUMNS
log = logging.getLogger(__name__)
READING = "reading"
"""The check of a finding that no comparison makes: read against the sources."""


class RegisterError(ValueError):
    """The register of findings and the comparisons do not match one to one."""


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Typed parquet back to the plain strings the reconciliation reads."""
    out = df.copy()
    for col in out.columns:
        if col != "value":
            out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    if "value" in out.columns:
        out["value"] = out["value"].astype(object).where(out["value"].notna(), "")
    return out


def compare(
    printed: pd.DataFrame, datasets: dict[str, pd.DataFrame], explanations: pd.DataFrame
) -> pd.DataFrame:
    """Every comparison: each printed value recomputed, and the print's
    internal checks, with the curated explanation of each difference."""
    found = pd.concat(
        [recompute_all(printed, datasets), internal_consistency(printed)], ignore_index=True
    )
    found = explain(found, explanations, fields=("explanation", "source", "finding"))
    found = found.reindex(columns=[*COMPARISON_COLUMNS, "finding"]).fillna("")
    for col in ("recomputed", "difference"):
        found[col] = found[col].map(rounded)
    return found


UNREVIEWED = "not yet reviewed"
"""The class of a difference that no finding explains yet: the data changed
after the register was written (new data, a changed assumption). It is
listed, flagged, in Appendix A, and the build goes on, so that authors see the
consequences of new data at once; the test suite fails while the committed
report has any (tests/unit/test_reconcile.py)."""


def check_register(differs: pd.DataFrame, register: pd.DataFrame) -> list[str]:
    """Raise unless every finding a difference names exists and names it
    back, and no finding is named twice. Return the warnings: differences
    that no finding explains yet, and findings whose difference is gone (the
    data now agree with the print)."""
    problems: list[str] = []
    warnings: list[str] = []
    ids = set(register["id"])
    by_id = register.set_index("id")
    for row in differs.itertuples(index=False):
        if not row.finding:
            warnings.append(
                f"{row.check} {row.quantity}: differs from the 2018 print "
                f"({row.printed} printed, {row.recomputed} recomputed) and no finding of "
                "data/published/findings.csv explains it yet: listed as not yet reviewed"
            )
        elif row.finding not in ids:
            problems.append(f"{row.check} {row.quantity}: finding {row.finding} not in register")
        else:
            reg = by_id.loc[row.finding]
            if (reg["check"], reg["errata_quantity"]) != (row.check, row.quantity):
                problems.append(
                    f"{row.finding} names {reg['check']!r} {reg['errata_quantity']!r}, "
                    f"but the difference {row.check!r} {row.quantity!r} names it"
                )
    shown = set(zip(differs["check"], differs["quantity"], strict=True))
    for reg in register[register["check"] != ""].itertuples(index=False):
        if (reg.check, reg.errata_quantity) not in shown:
            warnings.append(
                f"{reg.id}: no differing comparison {reg.check!r} {reg.errata_quantity!r} "
                "(the data now agree with the print, or the comparison was removed): "
                "left out of Appendix A"
            )
    dup = differs["finding"][differs["finding"].duplicated() & (differs["finding"] != "")]
    problems += [f"{f}: named by more than one difference" for f in sorted(set(dup))]
    if problems:
        raise RegisterError("register of findings out of step:\n  " + "\n  ".join(problems))
    return warnings


def reading_rows(register: pd.DataFrame) -> pd.DataFrame:
    """Findings that no comparison makes, as rows of errata.csv."""
    rows = register[register["check"] == ""]
    return pd.DataFrame(
        {
            "check": READING,
            "location": rows["location"],
            "quantity": rows["quantity"],
            "printed": rows["printed"],
            "recomputed": "",
            "difference": "",
            "status": "differs",
            "detail": "",
            "explanation": rows["note"],
            "source": rows["source"],
            "finding": rows["id"],
            "class": rows["class"],
            "confidence": rows["confidence"],
            "evidence": rows["evidence"],
            "evidence_value": rows["evidence_value"],
            "treatment": rows["treatment"],
        }
    )


def errata_rows(comparisons: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """The differing comparisons with their finding's class, confidence and
    evidence, then the findings made by reading: one row per finding."""
    differs = comparisons[comparisons["status"] == "differs"]
    for warning in check_register(differs, register):
        log.warning("%s", warning)
    meta = register.set_index("id")[["location", *FINDING_COLUMNS[1:]]]
    reviewed = differs[differs["finding"] != ""]
    # the register's location names the page of the 2018 print
    joined = reviewed.drop(columns="location").join(meta, on="finding")
    unreviewed = differs[differs["finding"] == ""].assign(
        **{"class": UNREVIEWED, "treatment": "listed here until a finding explains it"}
    )
    out = pd.concat([joined, unreviewed, reading_rows(register)], ignore_index=True)
    return out.reindex(columns=COLUMNS).fillna("")


def reconcile(
    printed: pd.DataFrame,
    datasets: dict[str, pd.DataFrame],
    explanations: pd.DataFrame,
    register: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every comparison, every finding)."""
    comparisons = compare(printed, datasets, explanations)
    return comparisons.drop(columns="finding"), errata_rows(comparisons, register)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    printed = as_text(pd.read_parquet(inputs["printed"]))
    datasets = {
        path.rsplit("/", 1)[1].removesuffix(".parquet"): pd.read_parquet(path)
        for path in inputs["datasets"]
    }
    comparisons, errata = reconcile(
        printed,
        datasets,
        as_text(pd.read_parquet(inputs["explanations"])),
        as_text(pd.read_parquet(inputs["findings"])),
    )
    write_csv(outputs["all"], comparisons)
    write_csv(outputs["errata"], errata)


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
