"""One visual style for every figure: fonts, sizes, palette, number format,
and deterministic saving (same inputs -> byte-identical SVG and PNG).

Print size is the size drawn: every figure is :data:`WIDTH_IN` wide, the text
width of the PDF page, and is saved at exactly its figure size (no tight
bounding box), so the PDF and the HTML show it at 100 % and every label at
one of the sizes of :data:`TYPE_SCALE`. Text stays text (``svg.fonttype:
none``) in the face typst embeds (:mod:`prp.artifacts.fonts`), so every label
can be selected, searched and read aloud in both editions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from prp.data.io import atomic_path  # noqa: E402

# Okabe & Ito's colour-blind-safe palette, ordered so that neighbours also
# differ in lightness (legible in greyscale print).
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
SERIES = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple")]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo"]
GREY = "#6b6b6b"
WIDTH_IN = 6.2  # text width of the PDF page (8.5 in letter paper, 1.15 in margins)
TYPE_SCALE = {"small": 8.0, "body": 9.0, "title": 10.0}
"""The only font sizes (points) any figure uses: ticks, legends and map
labels; axis labels and annotations; titles."""
SMALL, BODY, TITLE = TYPE_SCALE["small"], TYPE_SCALE["body"], TYPE_SCALE["title"]
DPI = 200

RC: dict[str, Any] = {
    "font.family": ["Libertinus Serif", "serif"],  # embedded by typst (prp.artifacts.fonts)
    "font.size": BODY,
    "axes.titlesize": TITLE,
    "axes.labelsize": BODY,
    "xtick.labelsize": SMALL,
    "ytick.labelsize": SMALL,
    "legend.fontsize": SMALL,
    "legend.title_fontsize": SMALL,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=SERIES),
    "svg.fonttype": "none",  # real <text>, set by typst / the browser in the same face
    "svg.hashsalt": "prp198",  # stable element ids in SVG output
    "hatch.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
}


def apply() -> None:
    from prp.artifacts import fonts

    fonts.ensure()
    plt.rcParams.update(RC)  # type: ignore[arg-type]


def thousands_formatter() -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: f"{x:,.0f}")


def new_figure(height_in: float = 3.6, width_in: float = WIDTH_IN, **kw: Any) -> tuple[Figure, Any]:
    apply()
    kw.setdefault("layout", "constrained")
    fig, ax = plt.subplots(figsize=(width_in, height_in), **kw)
    return fig, ax


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` atomically as SVG or PNG with no time stamp or software
    version in the metadata, then close it."""
    path = Path(path)
    fmt = path.suffix.lstrip(".")
    metadata: dict[str, Any] = (
        {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    )
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, metadata=metadata, dpi=DPI)
        if fmt == "svg":  # the SVG carries the subset of its font that it uses
            from prp.artifacts import fonts

            text = Path(tmp).read_text(encoding="utf-8")
            Path(tmp).write_text(fonts.embed(text), encoding="utf-8")
    plt.close(fig)


def figure_markdown(fig_id: str, caption: str, alt: str, source: str, image: str) -> str:
    """Quarto figure with id, alt text and the generated source note. The
    image path is relative to the chapters (report/chapters/, report/restricted/)
    that include the snippet, as Quarto resolves it."""
    alt = alt.replace('"', "'")
    return (
        f'![{caption}](../figures/{image}){{#fig-{fig_id} fig-alt="{alt}"}}\n\n'
        f"::: {{.source-note}}\n{source}\n:::\n"
    )


def write_figure(
    fig: Figure,
    data: Any,
    outputs: dict[str, Any],
    params: dict[str, Any],
    note: str | None = None,
    alt: str | None = None,
) -> None:
    """Write a figure rule's three outputs: the plotted data (``csv``), the
    image (``svg``) and the Quarto snippet (``md``) with caption, alt text and
    the source line generated from the data package. ``note`` and ``alt``
    replace the catalog's when given."""
    from prp.artifacts.sources import source_line
    from prp.data.io import write_csv, write_text

    write_csv(outputs["csv"], data)
    save(fig, outputs["svg"])
    note = params.get("note", "") if note is None else note
    source = source_line(params["data_dir"], params["datasets"], note)
    alt = params["alt"] if alt is None else alt
    snippet = figure_markdown(params["id"], params["caption"], alt, source, f"{params['id']}.svg")
    write_text(outputs["md"], snippet)
