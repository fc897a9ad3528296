"""Figures as text in both editions (issue 15): every figure SVG is drawn at
the PDF's text width with real <text> in the face typst embeds and sizes of
one type scale, and its labels can be extracted from the PDF with pdftotext
and found as text in the HTML edition's copy of the SVG."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from prp.artifacts import fonts, style

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {  # figure -> labels that must be text in the SVG, the HTML copy and the PDF
    "federal-agencies": ["SEGOB", "MAEMBI", "Grupos Beta", "Works with"],
    "crime-locations": ["Train or tracks", "On trains or train tracks"],
    "crime-rail-map": ["Tapachula", "Arriaga", "Isthmus of Tehuantepec and Chiapas"],
    "crime-states-map": ["Tamaulipas", "Events per state"],
    "southern-border-map": ["Tapachula", "La Arrocera", "Ciudad Hidalgo", "Chiapas"],
    "us-border-map": ["Nuevo Laredo", "Matamoros", "Tamaulipas"],
    "revenue-sensitivity": ["Central estimate"],
    "oaxaca-justice-funnel": ["Complaints received"],
}


def texts(svg: Path) -> list[ET.Element]:
    return list(ET.parse(svg).getroot().iter(f"{SVG}text"))


def css(el: ET.Element) -> dict[str, str]:
    parts = (p.split(":", 1) for p in el.get("style", "").split(";") if ":" in p)
    return {k.strip(): v.strip() for k, v in parts}


def test_every_figure_is_text_at_print_width_in_the_type_scale(built_repo):
    svgs = sorted((built_repo / "build" / "figures").glob("*.svg"))
    assert len(svgs) >= 14
    for svg in svgs:
        root = ET.parse(svg).getroot()
        assert root.get("width") == f"{style.WIDTH_IN * 72:g}pt", svg.name
        elements = texts(svg)
        assert elements, f"{svg.name} has no text"
        for el in elements:
            c = css(el)
            assert float(c["font-size"].removesuffix("px")) in style.TYPE_SCALE.values(), (
                svg.name,
                "".join(el.itertext()),
            )
            assert c["font-family"].startswith(f"'{fonts.FAMILY}'"), svg.name
        # glyph outlines would be <path id="<Font>-<glyph>"> definitions
        assert not [e for e in root.iter() if "Serif-" in (e.get("id") or "")], svg.name


@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_labels_are_text_in_the_html_copies(built_repo, edition):
    folder = built_repo / "build" / edition / "figures"
    for fig, labels in LABELS.items():
        words = " ".join("".join(t.itertext()) for t in texts(folder / f"{fig}.svg"))
        for label in labels:
            assert label in words, (edition, fig, label)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_labels_are_extractable_from_the_pdf_in_the_embedded_face(built_repo, edition):
    pdf = built_repo / "build" / edition / "report.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for fig, labels in LABELS.items():
        for label in labels:
            assert label in flat, (edition, fig, label)
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "LibertinusSerif" in listing
    assert "Type 3" not in listing  # no outlined or bitmap glyph fonts
