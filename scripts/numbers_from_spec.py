"""Inline numbers of one namespace, declared in config/numbers/<namespace>.yaml."""

from pathlib import Path
from typing import Any

import pandas as pd

from prp.artifacts.numbers import derived_from, load_spec, number_file, numbers
from prp.data.io import write_yaml


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    spec = load_spec(inputs["spec"])
    frames = {Path(p).stem: pd.read_parquet(p) for p in inputs["clean"]}
    values = numbers(spec, frames, inputs["spec"])
    write_yaml(outputs["numbers"], number_file(params["namespace"], values, derived_from(spec)))


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
