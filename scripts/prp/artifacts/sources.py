"""Source lines for tables and figures, generated from the data package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prp.data.datapackage import resource

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


def merge_citations(cites: list[str]) -> str:
    """One bracket for several citations of one source: '[@k]' and
    '[@k, Table 3.4]' -> '[@k, Table 3.4]'; distinct locators are joined
    ('[@k, p. 2; @k, p. 5]'); '' when there is none."""
    items: list[str] = []
    for cite in cites:
        for item in cite.strip("[]").split("; "):
            if item and item not in items:
                items.append(item)
    keys_with_locator = {i.split(",", 1)[0] for i in items if "," in i}
    items = [i for i in items if "," in i or i not in keys_with_locator]
    return f"[{'; '.join(items)}]" if items else ""


def source_line(data_dir: str | Path, datasets: list[str], note: str = "") -> str:
    """'Source: <title> [@key]; <title> [@key]. <note> <synthetic notice>'.
    Datasets from one source (same title) are named once, with their
    citations merged."""
    cites: dict[str, list[str]] = {}
    synthetic = False
    for name in datasets:
        res = resource(data_dir, name)
        title = res.get("x-source-line") or res["sources"][0]["title"]
        cites.setdefault(title, []).append(citation(res))
        synthetic = synthetic or bool(res.get("x-synthetic"))
    parts = [f"{title} {merge_citations(c)}".strip() for title, c in cites.items()]
    line = "Source: " + "; ".join(parts) + "."
    if note:
        line += " " + note
    if synthetic:
        line += " " + SYNTHETIC_NOTICE
    return line
