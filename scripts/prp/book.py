"""The Quarto book's configuration as the pipeline sees it.

Quarto merges ``_quarto-<profile>.yml`` over ``_quarto.yml`` (maps merged
recursively, the profile's value winning). The pipeline uses the merged
configuration to know which chapter files an edition renders, and scans those
chapters for the generated artifacts they include, so that Snakemake knows
exactly what each edition depends on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from prp.datapackage import YAML_LOADER

INCLUDE_RE = re.compile(r"\{\{<\s*include\s+(\S+?)\s*>\}\}")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(((?:\.\./)*figures/[^)\s]+)\)")
VAR_RE = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_-]+)(?:\.[A-Za-z0-9_.-]+)?\s*>\}\}")
GENERATED_DIRS = ("tables/", "figures/")
# Files that the render step itself writes into the render tree (the
# provenance appendix); chapters may include them, the pipeline never copies them.
GENERATED_INCLUDE = "_generated"


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Quarto-style profile merge: maps recursively, other values replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config(report_dir: str | Path, profile: str) -> dict[str, Any]:
    report_dir = Path(report_dir)
    with open(report_dir / "_quarto.yml", encoding="utf-8") as fh:
        base = yaml.load(fh, Loader=YAML_LOADER) or {}
    prof = report_dir / f"_quarto-{profile}.yml"
    if not prof.exists():
        raise FileNotFoundError(f"{prof}: no such Quarto profile file for profile {profile!r}")
    with open(prof, encoding="utf-8") as fh:
        return deep_merge(base, yaml.load(fh, Loader=YAML_LOADER) or {})


def chapter_files(config: dict[str, Any]) -> list[str]:
    """Chapter files of the book in order, parts flattened (paths relative to report/)."""
    files: list[str] = []

    def walk(entries: list[Any]) -> None:
        for entry in entries or []:
            if isinstance(entry, str):
                files.append(entry)
            elif isinstance(entry, dict):
                if isinstance(entry.get("part"), str) and entry["part"].endswith(".qmd"):
                    files.append(entry["part"])
                walk(entry.get("chapters", []))

    book = config.get("book", {})
    walk(book.get("chapters", []))
    walk(book.get("appendices", []))
    return files


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


def edition_needs(report_dir: str | Path, profile: str) -> dict[str, list[str]]:
    """What an edition's chapters use: source files (chapters and included
    snippets, relative to report/), generated artifacts (``tables/x.md``,
    ``figures/x.svg``) and variable namespaces (``{{< var ns.key >}}``)."""
    report_dir = Path(report_dir)
    config = load_config(report_dir, profile)
    found: dict[str, set[str]] = {"sources": set(), "artifacts": set(), "variables": set()}
    seen: set[Path] = set()
    for chapter in chapter_files(config):
        found["sources"].add(chapter)
        _scan(report_dir / chapter, report_dir, seen, found)
    return {k: sorted(v) for k, v in found.items()}


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
