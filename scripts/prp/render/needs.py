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
from collections.abc import Mapping
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


def relative(target: str, including: str) -> str:
    """A path written in ``including`` (relative to report/), as a path
    relative to report/ ('..' segments resolved; may start with '../' when
    it points outside report/)."""
    return Path(os.path.normpath(Path(including).parent / target)).as_posix()


def source_file(report_dir: Path, rel: str, overlay: Mapping[str, str | Path] | None) -> Path:
    """Where a source of the book is read from: ``report/<rel>``, or, for a
    path under a prefix of ``overlay`` (``{"restricted/": <decrypted
    chapters>}``), the overlay folder."""
    for prefix, folder in (overlay or {}).items():
        if rel.startswith(prefix):
            return Path(folder) / rel[len(prefix) :]
    return report_dir / rel


def _scan(
    rel_file: str,
    report_dir: Path,
    seen: set[str],
    found: dict[str, set[str]],
    overlay: Mapping[str, str | Path] | None,
) -> None:
    if rel_file in seen:
        return
    seen.add(rel_file)
    path = source_file(report_dir, rel_file, overlay)
    if not path.is_file():  # a missing include: the workflow reports the missing input
        return
    text = path.read_text(encoding="utf-8")
    for target in INCLUDE_RE.findall(text):
        rel = relative(target.strip("\"'"), rel_file)
        if rel.startswith(GENERATED_INCLUDE + "/"):
            continue
        if rel.startswith(GENERATED_DIRS):
            found["artifacts"].update(artifact_files(rel))
        else:
            found["sources"].add(rel)
            if not rel.startswith("../"):  # outside report/: refused by the renderer
                _scan(rel, report_dir, seen, found, overlay)
    for target in IMAGE_RE.findall(text):
        found["artifacts"].add(relative(target, rel_file))
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


def edition_needs(
    report_dir: str | Path, profile: str, overlay: Mapping[str, str | Path] | None = None
) -> dict[str, list[str]]:
    """What an edition's chapters use: source files (chapters and included
    snippets, relative to report/), generated artifacts (``tables/x.md``,
    ``figures/x.svg``), variable namespaces (``{{< var ns.key >}}``) and the
    files of the report's format (``_extensions/``, the same for every
    edition). Sources under a prefix of ``overlay`` are read from its folder
    (the decrypted restricted chapters)."""
    report_dir = Path(report_dir)
    found: dict[str, set[str]] = {"sources": set(), "artifacts": set(), "variables": set()}
    seen: set[str] = set()
    for chapter in book_chapters(load_config(report_dir, profile)):
        found["sources"].add(chapter.file)
        _scan(chapter.file, report_dir, seen, found, overlay)
    out = {k: sorted(v) for k, v in found.items()}
    out["extension"] = extension_files(report_dir)
    return out
