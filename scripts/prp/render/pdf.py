"""PDF edition: pandoc's typst writer with Quarto's template skeleton and the
report's typst partials from the prp extension, compiled by the typst Python
package with its embedded fonts only."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from prp.render.config import RenderError
from prp.render.pandoc import FILTERS, TEMPLATES, Pass, filter_output

log = logging.getLogger(__name__)


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


IMAGES_FILTER = FILTERS / "images.lua"
"""Last filter of the PDF pass: lists the local images the document shows."""


def typst_source(run_pass: Pass, *, template: Path, images_out: Path) -> tuple[str, list[str]]:
    """The book as typst source (pandoc's typst writer with the template;
    citations from citeproc, not typst's), and the root-relative paths of
    the local images it shows."""
    writer = [
        "--lua-filter",
        str(IMAGES_FILTER),
        "-t",
        "typst-citations",
        "--template",
        str(template),
        "--wrap=none",
    ]
    out = run_pass(writer, {"PRP_IMAGES_OUT": str(images_out)})
    images = filter_output(images_out, IMAGES_FILTER)
    return out.decode("utf-8"), [str(p) for p in images]


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


def write_pdf(run_pass: Pass, *, src: Path, work: Path, dest: Path, timestamp: int) -> Path:
    """Write ``dest/report.pdf``; the typst project (source + images) lives in
    ``work/pdf`` so that no path outside it can reach the PDF."""
    project = work / "pdf"
    project.mkdir(parents=True, exist_ok=True)
    template = assemble_template(src, work)
    text, images = typst_source(run_pass, template=template, images_out=work / "pdf-images.json")
    for rel in images:
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)
    typ = project / "report.typ"
    typ.write_text(text, encoding="utf-8")
    pdf = compile_typst(typ, project, timestamp)
    out = dest / "report.pdf"
    out.write_bytes(pdf)
    return out
