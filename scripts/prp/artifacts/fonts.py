"""The figures' typeface: Libertinus Serif, the text face that typst embeds.

Figures are SVG with real text (``svg.fonttype: none``). The PDF edition is
compiled by the ``typst`` package with its embedded fonts only, and typst
sets an SVG's text in its own fonts, so a figure keeps its layout in the
PDF only if matplotlib measured the text with a font typst has. typst embeds
Libertinus Serif, New Computer Modern and DejaVu Sans Mono, and no sans-serif
face; Libertinus Serif is also the report's body face.

No registry package ships Libertinus as files, so the fonts are taken from
the pinned typst package itself: its compiled module holds each embedded
OpenType file as one contiguous block. :func:`ensure` finds the blocks of
:data:`FILES` (OpenType table directory, ``name`` table), checks each
against its pinned SHA-256 (a different typst release stops the build with
a clear message instead of silently changing the figures), writes them to a
cache folder and registers them with matplotlib. The fonts are under the SIL
Open Font License 1.1.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
from functools import cache
from pathlib import Path

FAMILY = "Libertinus Serif"
"""Family name the SVGs give (typst and matplotlib both know it)."""

FILES = {
    "Libertinus Serif Regular": (
        "LibertinusSerif-Regular.otf",
        "4458388c56db5e9b2316b65b90b6cb6969df32a43846e25b8a349500b4ac3848",
    ),
    "Libertinus Serif Bold": (
        "LibertinusSerif-Bold.otf",
        "3f6a6220f5b2f487f0d62935c786d83d2f997d96d7bf5b7ba3fdfc83ca630fef",
    ),
    "Libertinus Serif Italic": (
        "LibertinusSerif-Italic.otf",
        "315c880e0ddc004d47ee50146162ad1b684b0bd4b687c1dfc44775338d6b39b1",
    ),
}
"""Full font name -> (file name, sha256 of the font as typst embeds it)."""

ROOT = Path(__file__).resolve().parents[3]


class FontError(RuntimeError):
    pass


def typst_module() -> Path:
    """The compiled module of the installed typst package."""
    import importlib.util

    spec = importlib.util.find_spec("typst")
    if spec is None or not spec.submodule_search_locations:
        raise FontError("the typst package is not installed: it provides the figures' fonts")
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.glob("_typst*.so")) + sorted(folder.glob("_typst*.pyd"))
    if not found:
        raise FontError(f"no compiled typst module in {folder}")
    return found[0]


def opentype_blocks(data: bytes) -> dict[str, bytes]:
    """Every CFF-flavoured OpenType font stored whole in ``data``, by full
    name (the first occurrence of each name)."""
    from fontTools.ttLib import TTFont

    out: dict[str, bytes] = {}
    start = data.find(b"OTTO")
    while start != -1:
        try:
            (n,) = struct.unpack(">H", data[start + 4 : start + 6])
            if 4 <= n <= 64:
                end, tags = 0, set()
                for i in range(n):
                    rec = data[start + 12 + 16 * i : start + 28 + 16 * i]
                    tag, _checksum, offset, length = struct.unpack(">4sIII", rec)
                    tags.add(tag)
                    end = max(end, offset + length)
                if {b"name", b"CFF ", b"cmap"} <= tags and end < 8_000_000:
                    blob = data[start : start + end]
                    name = str(TTFont(io.BytesIO(blob), lazy=True)["name"].getDebugName(4))
                    out.setdefault(name, blob)
        except Exception:  # noqa: BLE001,S110 - not a font: keep scanning
            pass
        start = data.find(b"OTTO", start + 4)
    return out


def cache_dir() -> Path:
    return Path(os.environ.get("PRP_FONT_DIR") or ROOT / "build" / "fonts")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def ensure() -> list[Path]:
    """The font files (extracted once into :func:`cache_dir`), registered
    with matplotlib."""
    from matplotlib import font_manager

    folder = cache_dir()
    paths = [folder / file for file, _ in FILES.values()]
    current = [
        p.exists() and sha256(p.read_bytes()) == digest
        for p, (_, digest) in zip(paths, FILES.values(), strict=True)
    ]
    if not all(current):
        blocks = opentype_blocks(typst_module().read_bytes())
        folder.mkdir(parents=True, exist_ok=True)
        for name, (file, digest) in FILES.items():
            if name not in blocks:
                raise FontError(f"typst embeds no font named {name!r}: the figures need it")
            if sha256(blocks[name]) != digest:
                raise FontError(
                    f"{name} embedded in {typst_module().name} has sha256 "
                    f"{sha256(blocks[name])}, pinned {digest}: typst changed its fonts; "
                    "check the figures and update prp.artifacts.fonts.FILES"
                )
            tmp = folder / f".{file}.{os.getpid()}"
            tmp.write_bytes(blocks[name])
            tmp.replace(folder / file)
    for p in paths:
        font_manager.fontManager.addfont(str(p))
    return paths


WEIGHTS = {"400": "Libertinus Serif Regular", "700": "Libertinus Serif Bold"}
"""CSS font-weight -> the font that sets it."""


def used_characters(svg: str) -> dict[str, str]:
    """CSS weight -> every character the SVG's <text> elements set in it."""
    import re
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.encode("utf-8"))
    out: dict[str, set[str]] = {}
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        style = el.get("style", "")
        m = re.search(r"font-weight:\s*(\w+)", style)
        weight = "700" if m and m.group(1) in {"700", "bold"} else "400"
        out.setdefault(weight, set()).update("".join(el.itertext()))
    return {w: "".join(sorted(chars)) for w, chars in out.items()}


def face_rules(svg: str) -> str:
    """@font-face rules embedding, as WOFF subsets, exactly the glyphs the
    SVG's text uses: a browser showing the SVG as an image cannot load the
    page's fonts, so the figure carries its own (typst ignores the rules and
    sets the text in its embedded copy of the same face)."""
    import base64

    from fontTools import subset

    files = dict(zip(FILES, ensure(), strict=True))
    rules = []
    for weight, chars in sorted(used_characters(svg).items()):
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["kern", "liga"]
        options.name_IDs = [1, 2]  # family and style only
        options.notdef_outline = True
        font = subset.load_font(str(files[WEIGHTS[weight]]), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, options)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        rules.append(
            f"@font-face{{font-family:'{FAMILY}';font-weight:{weight};"
            f"src:url(data:font/woff;base64,{data}) format('woff')}}"
        )
    return "".join(rules)


def embed(svg: str) -> str:
    """``svg`` with :func:`face_rules` in a <style> of its first <defs>."""
    rules = face_rules(svg)
    if not rules:
        return svg
    marker = "<defs>"
    at = svg.find(marker)
    if at < 0:
        raise ValueError("no <defs> in the SVG to hold the font")
    at += len(marker)
    return f'{svg[:at]}\n  <style type="text/css">{rules}</style>{svg[at:]}'
