"""Source lines for tables and figures, generated from the data package.

A source line names each work once, in short form (the title the data
package gives it, with one citation: the full entry lives in the
references). Data that are synthetic (``x-synthetic: true``) are named
first, by their synthetic stand-in, and never cited to a real work: a
synthetic resource must cite a work whose key starts with ``synthetic_``
(an entry of references.bib that describes this project's generator), and
its short title must say that it is synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prp.data.datapackage import resource

SYNTHETIC_KEY_PREFIX = "synthetic_"
"""Citation keys of synthetic works (this project's generated stand-ins)."""
SYNTHETIC_POINTER = "The appendix About the data describes how the stand-in was generated."
"""Said once at the end of a source line that names synthetic data."""
SYNTHETIC_MARK_NOTE = (
    "Computed from the synthetic stand-in (this project's generator, calibrated to the "
    "2018 text), not from the unpublished Central American Migrant Risk Database; "
    "see the appendix About the data."
)
"""Tooltip (HTML) and footnote (PDF) of the marker on a number computed from
synthetic data (render_edition, filters/synthetic.lua)."""


class SourceError(ValueError):
    """A resource's source metadata would attribute data to the wrong work."""


def citation(res: dict[str, Any]) -> str:
    """Pandoc citation for a resource, e.g. '[@key, Table 1.1]' ('' if none)."""
    cit = res.get("x-citation") or {}
    key = cit.get("key")
    if not key:
        return ""
    locator = cit.get("locator")
    return f"[@{key}, {locator}]" if locator else f"[@{key}]"


def citation_key(res: dict[str, Any]) -> str:
    return str((res.get("x-citation") or {}).get("key") or "")


def is_synthetic_work(key: str) -> bool:
    return key.startswith(SYNTHETIC_KEY_PREFIX)


def short_title(res: dict[str, Any]) -> str:
    """The name a source line gives a resource's source."""
    return str(res.get("x-source-line") or res["sources"][0]["title"])


def check_attribution(name: str, res: dict[str, Any]) -> None:
    """Refuse a synthetic resource cited to a real work (or to none), one
    whose short title does not open with "Synthetic", and a real resource
    cited to a synthetic work."""
    key = citation_key(res)
    if res.get("x-synthetic"):
        if not is_synthetic_work(key):
            raise SourceError(
                f"{name}: synthetic data cited to {key or 'no work'!r}; a synthetic resource "
                f"must cite its stand-in (a key starting {SYNTHETIC_KEY_PREFIX!r}), never the "
                "real work it stands in for"
            )
        if not short_title(res).lower().startswith("synthetic"):
            raise SourceError(
                f"{name}: synthetic data need an x-source-line that starts with 'Synthetic' "
                f"(found {short_title(res)!r})"
            )
    elif is_synthetic_work(key):
        raise SourceError(f"{name}: real data cited to the synthetic work {key!r}")


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


def cite_once(key: str, locators: list[str], narrative: bool) -> str:
    """One citation of a work with all its locators: narrative
    ('@k [Table 3.2 and Table 3.1]', rendered 'Author (2018, Table 3.2 and
    Table 3.1)') when the line gives no title of its own, else bracketed."""
    loc = english_list(locators)
    if narrative:
        return f"@{key} [{loc}]" if loc else f"@{key}"
    return f"[@{key}, {loc}]" if loc else f"[@{key}]"


def english_list(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def source_line(data_dir: str | Path, datasets: list[str], note: str = "") -> str:
    """'Source: <short form>; <short form>. <note>'.

    Each work is named once, in short form: datasets that cite the same work
    are merged into one citation with all their locators. A dataset with an
    ``x-source-line`` is named by it, followed by the citation in brackets;
    one without is named by the citation alone, in narrative form (the
    rendered citation, "Author (year, locator)", is the short form; the
    full entry is in the references). An uncited dataset is named by its
    source's title. Synthetic sources come first, and then the line ends
    with a pointer to the appendix that describes the generator.
    """
    groups: dict[str, dict[str, Any]] = {}
    for name in datasets:
        res = resource(data_dir, name)
        check_attribution(name, res)
        key = citation_key(res)
        title = str(res.get("x-source-line") or ("" if key else res["sources"][0]["title"]))
        group = groups.setdefault(
            key or title,
            {"key": key, "title": title, "locators": [], "synthetic": bool(res.get("x-synthetic"))},
        )
        group["title"] = group["title"] or title
        locator = str((res.get("x-citation") or {}).get("locator") or "")
        if locator and locator not in group["locators"]:
            group["locators"].append(locator)
    ordered = sorted(groups.values(), key=lambda g: not g["synthetic"])  # stable: synthetic first
    parts = []
    for g in ordered:
        if not g["key"]:
            parts.append(g["title"])
        elif g["title"]:
            parts.append(f"{g['title']} {cite_once(g['key'], g['locators'], narrative=False)}")
        else:
            parts.append(cite_once(g["key"], g["locators"], narrative=True))
    line = "Source: " + "; ".join(parts) + "."
    if note:
        line += " " + note
    if any(g["synthetic"] for g in ordered):
        line += " " + SYNTHETIC_POINTER
    return line
