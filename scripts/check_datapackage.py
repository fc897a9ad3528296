"""Summary of every validated dataset: rows, columns, sha256 of the raw file,
whether it matches the descriptor, and whether the data are synthetic."""

import logging
from typing import Any

import pandas as pd

from prp.data.datapackage import sha256_file
from prp.data.io import write_csv

log = logging.getLogger(__name__)


def summary(resources: list[dict[str, Any]], raw: list[str], clean: list[str]) -> pd.DataFrame:
    rows = []
    for res, raw_path, clean_path in zip(resources, raw, clean, strict=True):
        df = pd.read_parquet(clean_path)
        digest = sha256_file(raw_path)
        rows.append(
            {
                "dataset": res["name"],
                "path": raw_path,
                "rows": len(df),
                "columns": len(df.columns),
                "sha256": digest,
                "descriptor_hash_matches": res.get("hash") == f"sha256:{digest}",
                "synthetic": bool(res.get("x-synthetic")),
                "source": (res.get("x-citation") or {}).get("key", ""),
            }
        )
    return pd.DataFrame(rows)


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    table = summary(params["resources"], list(inputs["raw"]), list(inputs["clean"]))
    write_csv(outputs["summary"], table)
    for path in table.loc[~table["descriptor_hash_matches"], "path"]:
        log.warning(
            "%s changed since data/datapackage.yaml was updated; check it, "
            "then run `python -m prp.data.datapackage rehash`",
            path,
        )


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
