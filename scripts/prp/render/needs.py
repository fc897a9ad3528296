"""What an edition's chapters use, as the workflow and the renderer see it.

The chapter list comes from :func:`prp.render.config.load_config` and
:func:`prp.render.config.book_chapters` -- the same functions the renderer
uses -- so the workflow's idea of what an edition contains cannot drift from
what is rendered. The chapters are then scanned for the generated artifacts
they include and the variable namespaces they cite, so that Snakemake knows
exactly what each edition depends on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from prp.render.config import book_chapters, load_config

INCLUDE_RE = re.compile(r"\{\{<\s*include\s+(\S+?)\s*>\}\}")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(((?:\.\./)*figures/[^)\s]+)\)")
VAR_RE = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_-]+)(?:\.[A-Za-z0-9_.-]+)?\s*>\}\}")
GENERATED_DIRS = ("tables/", "figures/")
# The report's format (a Quarto extension): both engines render with it, so
# its files are code of every edition (prp.render.extension).
EXTENSIONS = "_extensions"
# Files that the render step itself writes into the render tree (the
# provenance appendix); chapters may include them, the pipeline never copies them.
GENERATED_INCLUDE = "_generated"


def artifact_files(rel: str) -> list[str]:
    """Files behind an included generated snippet: a figure's snippet
    ``figures/<id>.md`` comes with its image ``figures/<id>.svg``."""
    if rel.startswith("figures/") and rel.endswith(".md"):
        return [rel, rel[: -len(".md")] + ".svg"]
    return [rel]


def _scan(path: Path, report_dir: Path, seen: set[Path], found: dict[str, set[str]]) -> None:
    if path in seen:
        return
    seen.add(path)
    text = path.read_text(encoding="utf-8")
    for target in INCLUDE_RE.findall(text):
        rel = (path.parent / target).resolve().relative_to(report_dir.resolve()).as_posix()
        if rel.startswith(GENERATED_INCLUDE + "/"):
            continue
        if rel.startswith(GENERATED_DIRS):
            found["artifacts"].update(artifact_files(rel))
        else:
            found["sources"].add(rel)
            _scan(report_dir / rel, report_dir, seen, found)
    for target in IMAGE_RE.findall(text):
        rel = os.path.normpath((path.parent / target).resolve().relative_to(report_dir.resolve()))
        found["artifacts"].add(Path(rel).as_posix())
    for ns in VAR_RE.findall(text):
        found["variables"].add(ns)


def extension_files(report_dir: str | Path) -> list[str]:
    """Every file of the book's Quarto extensions (``_extensions/``), relative
    to report/: the report's format, rendered by both engines."""
    root = Path(report_dir) / EXTENSIONS
    if not root.is_dir():
        return []
    return sorted(
        p.relative_to(report_dir).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def edition_needs(report_dir: str | Path, profile: str) -> dict[str, list[str]]:
    """What an edition's chapters use: source files (chapters and included
    snippets, relative to report/), generated artifacts (``tables/x.md``,
    ``figures/x.svg``), variable namespaces (``{{< var ns.key >}}``) and the
    files of the report's format (``_extensions/``, the same for every
    edition)."""
    report_dir = Path(report_dir)
    found: dict[str, set[str]] = {"sources": set(), "artifacts": set(), "variables": set()}
    seen: set[Path] = set()
    for chapter in book_chapters(load_config(report_dir, profile)):
        found["sources"].add(chapter.file)
        _scan(report_dir / chapter.file, report_dir, seen, found)
    out = {k: sorted(v) for k, v in found.items()}
    out["extension"] = extension_files(report_dir)
    return out
