"""PDF edition: pandoc's typst writer with Quarto's template skeleton and the
report's typst partials from the prp extension, compiled by the typst Python
package with its embedded fonts only."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from prp.render.config import RenderError
from prp.render.pandoc import TEMPLATES, run_pandoc

log = logging.getLogger(__name__)


def local_images(node: Any) -> list[str]:
    """Root-relative paths of the local images an AST fragment shows."""
    found: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for item in n:
                walk(item)
        elif isinstance(n, dict):
            if n.get("t") == "Image":
                target = n["c"][2][0]
                if "://" not in target and not target.startswith(("data:", "#")):
                    found.append(target)
            walk(n.get("c"))
            if "blocks" in n:
                walk(n["blocks"])

    walk(node)
    return sorted(set(found))


def assemble_template(src: Path, work: Path) -> Path:
    """Quarto's typst template layout: the skeleton and stand-in partials of
    templates/typst/, overlaid with the extension's template-partials."""
    from prp.render.extension import load_format

    ext = load_format(src, "pdf")
    if ext is None or not ext.partials:
        raise RenderError(
            f"{src}: the report format (_extensions/prp) with its typst partials is missing"
        )
    dest = work / "typst-template"
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted((TEMPLATES / "typst").glob("*.typ")):
        shutil.copyfile(path, dest / path.name)
    for path in ext.partials:
        shutil.copyfile(path, dest / path.name)
    return dest / "template.typ"


def typst_source(ast: dict[str, Any], *, src: Path, env: dict[str, str], template: Path) -> str:
    out = run_pandoc(
        [
            "-f",
            "json",
            "-t",
            "typst-citations",
            "--template",
            str(template),
            "--wrap=none",
        ],
        cwd=src,
        env=env,
        stdin=json.dumps(ast).encode("utf-8"),
    )
    return out.decode("utf-8")


def compile_typst(typ: Path, root: Path, timestamp: int) -> bytes:
    import typst

    try:
        pdf, warnings = typst.compile_with_warnings(
            str(typ), root=str(root), ignore_system_fonts=True, timestamp=timestamp
        )
    except typst.TypstError as exc:
        raise RenderError(f"typst: {exc}") from exc
    for w in warnings:
        log.warning("typst: %s", w)
    return pdf


def write_pdf(
    ast: dict[str, Any], *, src: Path, work: Path, dest: Path, env: dict[str, str], timestamp: int
) -> Path:
    """Write ``dest/report.pdf``; the typst project (source + images) lives in
    ``work/pdf`` so that no path outside it can reach the PDF."""
    project = work / "pdf"
    project.mkdir(parents=True, exist_ok=True)
    for rel in local_images(ast):
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
    typ = project / "report.typ"
    template = assemble_template(src, work)
    typ.write_text(typst_source(ast, src=src, env=env, template=template), encoding="utf-8")
    pdf = compile_typst(typ, project, timestamp)
    out = dest / "report.pdf"
    out.write_bytes(pdf)
    return out
