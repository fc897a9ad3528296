"""Figures as text (issue 15): every figure is drawn at the PDF's text width
with its labels as SVG <text> in the face typst embeds, at the sizes of one
type scale, so that typst and browsers set them as selectable text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import pytest

from prp.artifacts import fonts, style

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(fig, tmp_path) -> ET.Element:
    path = tmp_path / "f.svg"
    style.save(fig, path)
    return ET.parse(path).getroot()


def text_elements(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}text"))


def font_of(el: ET.Element) -> tuple[float, str]:
    """(size in points, family list) of a matplotlib SVG text element."""
    css = dict(
        (k.strip(), v.strip())
        for k, v in (part.split(":", 1) for part in el.get("style", "").split(";") if ":" in part)
    )
    return float(css["font-size"].removesuffix("px")), css["font-family"]


def test_the_figure_font_is_the_one_typst_embeds():
    paths = fonts.ensure()
    assert [p.name for p in paths] == [f for f, _ in fonts.FILES.values()]
    data = fonts.typst_module().read_bytes()
    blocks = fonts.opentype_blocks(data)
    for name, (_file, digest) in fonts.FILES.items():
        assert fonts.sha256(blocks[name]) == digest
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=fonts.FAMILY))
    assert found.endswith("LibertinusSerif-Regular.otf")


def test_a_changed_font_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "FILES", {"Libertinus Serif Regular": ("x.otf", "0" * 64)})
    monkeypatch.setenv("PRP_FONT_DIR", str(tmp_path))
    fonts.ensure.cache_clear()
    try:
        with pytest.raises(fonts.FontError, match="typst changed its fonts"):
            fonts.ensure()
    finally:
        fonts.ensure.cache_clear()


def test_labels_are_text_in_the_scale_at_print_width(tmp_path):
    fig, ax = style.new_figure(height_in=2.0)
    ax.barh([0, 1], [3, 5])
    ax.set_yticks([0, 1], ["Tapachula", "MAEMBI"])
    ax.set_xlabel("Events")
    ax.set_title("A title")
    ax.text(5, 1, "5 (62%)", fontsize=style.SMALL)
    root = svg_of(fig, tmp_path)
    assert root.get("width") == f"{style.WIDTH_IN * 72:g}pt"
    texts = text_elements(root)
    words = " ".join("".join(t.itertext()) for t in texts)
    for label in ("Tapachula", "MAEMBI", "Events", "A title", "5 (62%)"):
        assert label in words
    for t in texts:
        size, family = font_of(t)
        assert size in style.TYPE_SCALE.values(), (size, "".join(t.itertext()))
        assert family.startswith(f"'{fonts.FAMILY}'")
    # no glyph outlines: text groups hold text, not <use>/<path> of glyphs
    assert not any(el.get("id", "").startswith("LibertinusSerif") for el in root.iter())


def test_glyph_outlines_would_be_caught(tmp_path):
    plt.rcParams["svg.fonttype"] = "path"
    try:
        fig, ax = plt.subplots()
        ax.set_title("Outlined")
        path = tmp_path / "o.svg"
        fig.savefig(path)
        plt.close(fig)
        root = ET.parse(path).getroot()
        assert text_elements(root) == []
    finally:
        style.apply()


def test_the_svg_carries_the_glyphs_it_uses_for_browsers(tmp_path):
    import base64
    import io

    from fontTools.ttLib import TTFont

    fig, ax = style.new_figure(height_in=1.5)
    ax.set_title("Tapachula", fontweight="bold")
    ax.set_xlabel("Ciudad Juárez")
    path = tmp_path / "f.svg"
    style.save(fig, path)
    text = path.read_text(encoding="utf-8")
    assert fonts.used_characters(text)["700"] == "".join(sorted(set("Tapachula")))
    faces = re.findall(
        r"font-weight:(\d+);src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", text
    )
    assert {w for w, _ in faces} == {"400", "700"}
    for weight, data in faces:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        cmap = set(map(chr, font.getBestCmap()))
        assert set(fonts.used_characters(text)[weight]) <= cmap
        assert len(cmap) < 120  # a subset, not the whole face
    fig, ax = style.new_figure(height_in=1.5)
    ax.set_title("Tapachula", fontweight="bold")
    ax.set_xlabel("Ciudad Juárez")
    style.save(fig, tmp_path / "h.svg")
    assert (tmp_path / "h.svg").read_bytes() == path.read_bytes()
