"""Inline numbers for the appendix on differences from the 2018 print: how
many printed values were compared, how many agree, how many differ, the
printed and recomputed value of each difference, and how many findings the
register holds in each class (namespace ``errata``)."""

from typing import Any

import pandas as pd
from table_errata import display_value

from prp.artifacts.fmt import number_word
from prp.data.io import write_yaml

CLASS_KEYS = {
    "print error": "class_print_error",
    "ambiguity": "class_ambiguity",
    "silent correction made here": "class_silent_correction",
    "update beyond June 2018": "class_update",
    "not yet reviewed": "class_unreviewed",
}


def errata_numbers(reconciliation: pd.DataFrame, errata: pd.DataFrame) -> dict[str, str]:
    """Display strings. ``reconciliation`` holds every comparison made by
    check_errata, ``errata`` every finding of the register (the comparisons
    that differ and the findings made by reading)."""
    recompute = reconciliation[reconciliation["check"] == "recompute"]
    internal = reconciliation[reconciliation["check"] != "recompute"]
    status = recompute["status"]
    compared = errata[errata["check"] != "reading"]
    unknown = sorted(set(errata["class"]) - set(CLASS_KEYS))
    if unknown:
        raise ValueError(f"unknown classes of findings: {unknown}")
    numbers = {
        "printed_values": f"{recompute['quantity'].nunique():,}",
        "recomputed": f"{int(status.isin(['ok', 'differs']).sum()):,}",
        "agree": f"{int((status == 'ok').sum()):,}",
        "differ": f"{int((status == 'differs').sum()):,}",
        "not_recomputed": f"{int((status == 'not recomputed').sum()):,}",
        "internal_checks": f"{len(internal):,}",
        "internal_differ": f"{int((internal['status'] == 'differs').sum()):,}",
        "entries": f"{len(compared):,}",
        "quantities": f"{compared['quantity'].nunique():,}",
        "findings": f"{len(errata):,}",
        "findings_read": f"{int((errata['check'] == 'reading').sum()):,}",
        "findings_firm": f"{int((errata['confidence'] == 'firm').sum()):,}",
        **{key: f"{int((errata['class'] == cls).sum()):,}" for cls, key in CLASS_KEYS.items()},
    }
    for prefix, group in compared.groupby(compared["quantity"].str.split("_").str[0]):
        numbers[f"{prefix}_quantities"] = f"{group['quantity'].nunique():,}"
        numbers[f"{prefix}_quantities_word"] = number_word(group["quantity"].nunique())
    for row in errata[errata["check"] == "recompute"].itertuples(index=False):
        numbers[f"{row.quantity}_printed"] = str(row.printed)
        numbers[f"{row.quantity}_recomputed"] = display_value(str(row.printed), row.recomputed)
    return numbers


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    read = {"dtype": str, "keep_default_na": False}
    numbers = errata_numbers(
        pd.read_csv(inputs["reconciliation"], **read), pd.read_csv(inputs["errata"], **read)
    )
    write_yaml(outputs["numbers"], {params["namespace"]: numbers})


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
