"""The artifact catalog: captions, alt texts, notes and datasets of every
generated table and figure, one YAML file per part under config/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from prp.data.datapackage import YAML_LOADER


def load_catalog(folder: str | Path) -> dict[str, dict[str, Any]]:
    """The artifact catalog: ``tables`` and ``figures`` merged from every
    ``*.yaml`` in ``folder`` (one file per part). An id defined twice is an error."""
    merged: dict[str, dict[str, Any]] = {"tables": {}, "figures": {}}
    for path in sorted(Path(folder).glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=YAML_LOADER) or {}
        for kind in ("tables", "figures"):
            for key, meta in (data.get(kind) or {}).items():
                if key in merged["tables"] or key in merged["figures"]:
                    raise ValueError(f"{path}: artifact id {key!r} is already defined")
                merged[kind][key] = meta
    return merged
