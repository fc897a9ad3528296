"""Source lines for tables and figures, generated from the data package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prp.datapackage import resource

SYNTHETIC_NOTICE = (
    "Synthetic data: generated stand-in for a database that was never published; "
    "see the appendix About the data."
)


def citation(res: dict[str, Any]) -> str:
    """Pandoc citation for a resource, e.g. '[@key, Table 1.1]' ('' if none)."""
    cit = res.get("x-citation") or {}
    key = cit.get("key")
    if not key:
        return ""
    locator = cit.get("locator")
    return f"[@{key}, {locator}]" if locator else f"[@{key}]"


def source_line(data_dir: str | Path, datasets: list[str], note: str = "") -> str:
    """'Source: <title> [@key]; <title> [@key]. <note> <synthetic notice>'"""
    parts: list[str] = []
    synthetic = False
    for name in datasets:
        res = resource(data_dir, name)
        title = res.get("x-source-line") or res["sources"][0]["title"]
        cite = citation(res)
        part = f"{title} {cite}".strip()
        if part not in parts:  # two datasets from one source: name it once
            parts.append(part)
        synthetic = synthetic or bool(res.get("x-synthetic"))
    line = "Source: " + "; ".join(parts) + "."
    if note:
        line += " " + note
    if synthetic:
        line += " " + SYNTHETIC_NOTICE
    return line


def is_synthetic(data_dir: str | Path, datasets: list[str]) -> bool:
    return any(resource(data_dir, d).get("x-synthetic") for d in datasets)
