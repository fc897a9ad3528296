"""The report's format as a Quarto extension (``report/_extensions/prp``), read
the way Quarto reads it, so that the fallback renderer runs the same filters at
the same entry points and assembles the same typst template partials.

Only what the prp extension uses is supported: ``contributes.formats`` with
``common``/``html``/``typst`` entries, ``filters`` (strings or ``{path, at}``),
``template-partials`` (typst) and ``css`` (html).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from prp.render.config import RenderError

EXTENSION = Path("_extensions") / "prp"
# Quarto's filter entry points, in the order its main filter runs them
# (resources/filters/main.lua). A filter without `at` runs at pre-quarto.
ENTRY_POINTS = (
    "pre-ast",
    "post-ast",
    "pre-quarto",
    "post-quarto",
    "pre-render",
    "post-render",
    "pre-finalize",
    "post-finalize",
)
FORMAT_KEYS = {"html": "html", "pdf": "typst"}


@dataclass(frozen=True)
class Format:
    """One format of the extension, as the fallback needs it."""

    root: Path
    filters: dict[str, list[Path]] = field(default_factory=dict)  # entry point -> files
    partials: list[Path] = field(default_factory=list)
    css: list[Path] = field(default_factory=list)

    def at(self, *points: str) -> list[Path]:
        return [f for p in points for f in self.filters.get(p, [])]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def load_format(src: Path, fmt: str) -> Format | None:
    """The extension's format for ``fmt`` ("html" or "pdf"); None when the
    book has no prp extension (then the fallback renders without it)."""
    root = Path(src) / EXTENSION
    spec_file = root / "_extension.yml"
    if not spec_file.exists():
        return None
    try:
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"{spec_file}: invalid YAML: {exc}") from exc
    formats = (spec.get("contributes") or {}).get("formats") or {}
    entries = [formats.get("common") or {}, formats.get(FORMAT_KEYS[fmt]) or {}]
    filters: dict[str, list[Path]] = {}
    partials: list[Path] = []
    css: list[Path] = []
    for entry in entries:
        for item in _as_list(entry.get("filters")):
            path, at = (
                (item, "pre-quarto")
                if isinstance(item, str)
                else (item.get("path"), item.get("at", "pre-quarto"))
            )
            if at not in ENTRY_POINTS:
                raise RenderError(f"{spec_file}: filter {path}: unknown entry point {at!r}")
            file = root / str(path)
            if not file.exists():
                raise RenderError(f"{spec_file}: filter {path} not found")
            filters.setdefault(at, []).append(file)
        partials += [root / str(p) for p in _as_list(entry.get("template-partials"))]
        css += [root / str(p) for p in _as_list(entry.get("css"))]
    for p in partials + css:
        if not p.exists():
            raise RenderError(f"{spec_file}: {p.relative_to(root)} not found")
    return Format(root=root, filters=filters, partials=partials, css=css)
