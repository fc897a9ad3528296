"""The publisher's preflight (``make preflight``, ``prp.tools.preflight``).

Both built editions must pass it. Every check must also fail where it should:
small editions made here with typst (tagged PDFs like the report's) and a
few HTML pages carry one seeded defect each — a running head on the title
page, a four-row table split across pages, a row split across pages, an
outlined figure label, a short page inside a chapter, a hyphenated heading,
a source line that names one work twice, a page wider than a phone, a
missing restricted marking — and a clean edition passes. The seeded cases
take a few seconds and need no build.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typst

from prp.tools import preflight as pf
from prp.tools.pdfread import read_pdf

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MARKING = "RESTRICTED — for the Federal Police"
needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed"
)
needs_chromium = pytest.mark.skipif(
    not pf.CHROMIUM.exists(), reason=f"{pf.CHROMIUM} not found (Debian package chromium)"
)

HEAD = "[Organized Crime #h(1fr) Public edition]"
FOOT = "context align(center, counter(page).display())"
TITLE_PAGE = """#page(header: none, footer: none)[
  #v(2in)
  #text(size: 24pt, weight: "bold")[A Report on Seeded Defects]
  #v(1in)
  A subtitle line \\ by the preflight's tests \\ in one place \\ on the title page
]
"""


def compile_pdf(
    folder: Path, body: str, *, head: str = HEAD, foot: str = FOOT, title_page: str = TITLE_PAGE
) -> Path:
    """A tagged letter-size PDF at ``folder/report.pdf`` with running heads
    and page numbers (``head``/``foot`` are typst expressions)."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "report.typ"
    source.write_text(
        f"""#set document(title: [Seeded])
#set text(font: "Libertinus Serif", size: 11pt, lang: "en")
#set par(justify: true)
#set figure(numbering: none)
#set page(paper: "us-letter", margin: 1in, header: {head}, footer: {foot})
#show figure.where(kind: table): set block(breakable: true)
#show figure.where(kind: table): set figure.caption(position: top)
#show heading: set text(hyphenate: false)
{title_page}
{body}
""",
        encoding="utf-8",
    )
    typst.compile(str(source), output=str(folder / "report.pdf"), root=str(folder))
    source.unlink()
    return folder / "report.pdf"


def paragraphs(n: int, words: int = 60) -> str:
    return "\n\n".join(f"#lorem({words})" for _ in range(n))


def write_html(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / name
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><link rel='icon' href='data:,'></head>"
        f"<body style='margin:0 16px'>{body}</body></html>",
        encoding="utf-8",
    )
    return page


def findings_of(findings: list[pf.Finding], check: str) -> list[str]:
    return [str(f) for f in findings if f.check == check]


# ------------------------------------------------------------------ the built editions


@needs_poppler
@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_built_edition_passes_the_preflight(built_repo, edition):
    folder = built_repo / "build" / edition
    findings = pf.preflight(
        folder,
        marking=pf.edition_marking(built_repo / "report", edition),
        bib=built_repo / "build" / "src" / edition / "references.bib",
        browser=pf.CHROMIUM.exists(),
    )
    assert not findings, f"{len(findings)} preflight finding(s) in the {edition} edition:\n" + (
        pf.render(edition, findings)
    )


@needs_poppler
def test_the_built_pdf_is_read_as_a_reader_reads_it(built_repo):
    """What the checks rest on: every word of the built PDF belongs either to
    tagged content or to page furniture, the running heads are furniture,
    and the tables, headings and figures the edition has are found."""
    doc = read_pdf(built_repo / "build" / "public" / "report.pdf")
    words = [w for p in doc.pages for w in p.words]
    assert words and all(w.key[0] in ("mcid", "artifact") for w in words)
    head = [w.text for w in doc.pages[5].words if w.key[0] == "artifact"]
    assert "Organized" in head
    assert doc.root is not None
    labels = {pf.label_of(doc, t, "Table") for t in doc.root.find("Table")}
    assert {"Table 1.1", "Table 3.4", "Table 4.1"} <= labels
    assert {h.title for h in doc.root.find("H1")} >= {"Executive Summary"}
    assert pf.figure_pages(doc, "Figure 3.2")


# ------------------------------------------------------------------ seeded defects: PDF


@needs_poppler
def test_running_head_and_page_number_on_the_title_page(tmp_path):
    seeded = read_pdf(compile_pdf(tmp_path / "a", paragraphs(4), title_page="= Title\n\n"))
    found = findings_of(pf.check_title_page(seeded), "title-page")
    assert any("running head on the title page" in f and "Organized Crime" in f for f in found)
    assert any("page number on the title page" in f for f in found)
    assert all(f.startswith("report.pdf p. 1:") for f in found)
    clean = read_pdf(compile_pdf(tmp_path / "b", paragraphs(4)))
    assert pf.check_title_page(clean) == []


@needs_poppler
def test_a_four_row_table_split_across_pages(tmp_path):
    table = (
        "#figure(table(columns: 2, table.header[*Name*][*Value*], "
        "[Alpha], [1], [Beta], [2], [Gamma], [3], [Delta], [4]), "
        "caption: [Table 1.1: Four Rows])"
    )
    seeded = read_pdf(compile_pdf(tmp_path / "a", f"= One\n#v(7.95in)\n{table}\n{paragraphs(2)}"))
    found = findings_of(pf.check_tables(seeded), "table")
    assert any("Table 1.1 has 4 rows and is split across pp. 2–3 (1 + 3 rows)" in f for f in found)
    assert any("Table 1.1: the first row starts in the last 15%" in f for f in found)
    clean = read_pdf(compile_pdf(tmp_path / "b", f"= One\n{table}\n{paragraphs(2)}"))
    assert pf.check_tables(clean) == []


@needs_poppler
def test_a_row_split_across_pages(tmp_path):
    tall = " ".join(f"line {i} of a long cell" for i in range(120))
    table = (
        "#figure(table(columns: 2, table.header[*Name*][*Text*], "
        + "".join(f"[Row {i}], [short {i}], " for i in range(1, 9))
        + f"[Tall], [{tall}]), caption: [Table 2.1: A Tall Last Row])"
    )
    seeded = read_pdf(compile_pdf(tmp_path / "a", f"= One\n#v(4in)\n{table}\n{paragraphs(1)}"))
    found = findings_of(pf.check_tables(seeded), "row-split")
    assert found == [
        "report.pdf p. 2: Table 2.1: row 9 (“Tall line 0 of a”) is split across pp. 2–3 [row-split]"
    ]


@needs_poppler
def test_a_short_page_inside_a_chapter_but_not_at_its_end(tmp_path):
    body = (
        f"= One\n{paragraphs(6)}\n#pagebreak()\nTwo lines only, in the middle of a chapter, "
        f"which a publisher would send back. {'#lorem(10)'}\n#pagebreak()\n{paragraphs(6)}\n"
        "#pagebreak()\nThe last lines of chapter one.\n= Two\n" + paragraphs(6)
    )
    doc = read_pdf(compile_pdf(tmp_path / "a", body))
    found = pf.check_short_pages(doc)
    assert len(found) == 1, found
    assert "2 lines of text" in str(found[0]) or "1 line of text" in str(found[0])
    mid = found[0].page
    assert "Two lines only" in " ".join(w.text for w in doc.pages[mid - 1].words)


@needs_poppler
def test_a_hyphenated_heading(tmp_path):
    body = (
        "#show heading: set text(hyphenate: true)\n"
        "#block(width: 1.3in)[= Incomprehensibilities Notwithstanding]\n" + paragraphs(3)
    )
    found = pf.check_hyphenation(read_pdf(compile_pdf(tmp_path / "a", body)))
    assert found and all(f.check == "hyphenation" for f in found)
    assert "heading “Incomprehensibilities Notwithstanding”" in str(found[0])
    clean = pf.check_hyphenation(
        read_pdf(compile_pdf(tmp_path / "b", "= Plain Words\n" + paragraphs(3)))
    )
    assert clean == []


@needs_poppler
def test_a_source_line_naming_one_work_twice(tmp_path):
    body = (
        "= One\n"
        + paragraphs(2)
        + "\n\nSource: Leutert, S. (dir.), Organized Crime and Central American Migration in "
        "Mexico, Table 3.1 (Leutert 2018b, Table 3.1); Natural Earth, Railroads (Natural Earth, "
        "n.d., railroads); Natural Earth, Countries (Natural Earth, n.d., countries).\n\n"
        "Source: GeoNames gazetteer (GeoNames, n.d.).\n"
    )
    cites = pf.Citations(
        short={
            "lbj": {"Leutert 2018b", "2018b"},
            "ne": {"Natural Earth, n.d."},
            "gn": {"GeoNames, n.d."},
        },
        titles={
            "lbj": "Organized Crime and Central American Migration in Mexico",
            "ne": "Natural Earth: Free vector and raster map data",
            "gn": "GeoNames geographical database",
        },
    )
    found = [
        str(f)
        for f in pf.check_source_lines_pdf(read_pdf(compile_pdf(tmp_path / "a", body)), cites)
    ]
    assert len(found) == 1, found  # one finding per source line, the GeoNames line is fine
    assert "writes out the title “Organized Crime and Central American" in found[0]
    assert "and also cites “Leutert 2018b”" in found[0]
    assert "cites “Natural Earth, n.d.” 2 times" in found[0]


OUTLINED_SVG = """<?xml version="1.0" encoding="utf-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="288pt" height="144pt" viewBox="0 0 288 144" version="1.1">
 <rect x="0" y="0" width="288" height="144" fill="#eef"/>
 <g id="text_1">
  <text x="20" y="40" style="font-family:'Libertinus Serif';font-size:12px">Tapachula</text>
 </g>
 <g id="text_2">
  <!-- Arriaga -->
  <g transform="translate(20 100) scale(0.012 -0.012)">
   <defs><path id="LibertinusSerif-Regular-41" d="M 0 0 L 600 0 L 600 700 L 0 700 z"/></defs>
   <use xlink:href="#LibertinusSerif-Regular-41"/>
   <use xlink:href="#LibertinusSerif-Regular-41" x="700"/>
  </g>
 </g>
</svg>
"""


def figure_edition(folder: Path, svg: str) -> Path:
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    (folder / "figures" / "map.svg").write_text(svg, encoding="utf-8")
    write_html(
        folder,
        "index.html",
        "Seeded",
        '<figure id="fig-map"><img src="figures/map.svg" alt="A map">'
        '<figcaption><span class="prp-caption-label">Figure 1.1:</span> A Map</figcaption>'
        "</figure>",
    )
    compile_pdf(
        folder,
        "= One\n" + paragraphs(2) + '\n#figure(image("figures/map.svg", width: 4in), '
        "caption: [Figure 1.1: A Map])\n" + paragraphs(2),
    )
    return folder


@needs_poppler
def test_an_outlined_figure_label(tmp_path):
    folder = figure_edition(tmp_path / "a", OUTLINED_SVG)
    found = [str(f) for f in pf.check_figures(read_pdf(folder / "report.pdf"), folder)]
    assert (
        "figures/map.svg: Figure 1.1: label “Arriaga” is drawn as outlines, not text [figure-text]"
        in found
    )
    assert any(
        f.startswith("report.pdf p. 2: Figure 1.1: label “Arriaga” cannot be extracted")
        for f in found
    )
    assert not [f for f in found if "Tapachula" in f]
    clean_svg = OUTLINED_SVG.replace(
        OUTLINED_SVG[OUTLINED_SVG.index(' <g id="text_2">') : OUTLINED_SVG.index("</svg>")],
        ' <g id="text_2"><text x="20" y="100" style="font-family:\'Libertinus Serif\';'
        'font-size:12px">Arriaga</text></g>\n',
    )
    clean = figure_edition(tmp_path / "b", clean_svg)
    assert pf.check_figures(read_pdf(clean / "report.pdf"), clean) == []


@needs_poppler
def test_a_missing_restricted_marking(tmp_path):
    marked = f"[#align(center)[{MARKING}] #h(1fr)]"
    seeded = read_pdf(
        compile_pdf(
            tmp_path / "a",
            "= One\n" + paragraphs(8),
            head=marked,
            title_page=f"#page(header: [#align(center)[{MARKING}]], footer: none)[= A Title]\n",
        )
    )
    found = [str(f) for f in pf.check_marking_pdf(seeded, MARKING)]
    assert len(found) == 1 and "missing from the foot of pages 1–" in found[0], found
    both = f"context [#align(center)[{MARKING}] #align(center, counter(page).display())]"
    clean = read_pdf(
        compile_pdf(
            tmp_path / "b",
            "= One\n" + paragraphs(8),
            head=marked,
            foot=both,
            title_page=f"#page(header: [#align(center)[{MARKING}]], "
            f"footer: [#align(center)[{MARKING}]])[= A Title]\n",
        )
    )
    assert pf.check_marking_pdf(clean, MARKING) == []
    # a title page without running heads may carry the marking as a banner
    banner = read_pdf(
        compile_pdf(
            tmp_path / "c",
            "= One\n" + paragraphs(8),
            head=marked,
            foot=both,
            title_page=f"#page(header: none, footer: none)[#align(center)[{MARKING}] "
            f"#v(1fr) = A Title #v(1fr) #align(center)[{MARKING}]]\n",
        )
    )
    assert pf.check_marking_pdf(banner, MARKING) == []
    assert pf.check_title_page(banner, MARKING) == []
    # the marking alone in the head of the title page is no running head
    assert pf.check_title_page(clean, MARKING) == []
    write_html(tmp_path / "web", "index.html", f"Seeded – {MARKING}", "<p>ok</p>")
    write_html(tmp_path / "web", "part.html", "Seeded part", "<p>no marking</p>")
    found = [str(f) for f in pf.check_marking_html(tmp_path / "web", MARKING)]
    assert found == [
        f"part.html: <title> “Seeded part” lacks the marking “{pf.norm(MARKING)}” [marking]"
    ]


# ------------------------------------------------------------------ seeded defects: HTML


@needs_chromium
def test_an_overflowing_page_and_a_heading_set_to_hyphenate(tmp_path):
    write_html(tmp_path, "index.html", "ok", "<p>Short text that wraps as it should.</p>")
    write_html(
        tmp_path,
        "wide.html",
        "wide",
        "<p>Text</p><pre id='listing'>" + "x" * 400 + "</pre>",
    )
    write_html(
        tmp_path,
        "phone.html",
        "phone",
        "<table id='grid'><tr>" + "<td>cell&nbsp;with&nbsp;text</td>" * 6 + "</tr></table>",
    )
    write_html(
        tmp_path,
        "hyphens.html",
        "hyphens",
        "<h2 lang='en' style='hyphens:auto'>Incomprehensibilities</h2><h3>Plain</h3>",
    )
    write_html(
        tmp_path,
        "scroll.html",
        "scroll",
        "<div style='overflow-x:auto'><pre>" + "x" * 400 + "</pre></div>",
    )
    found = [str(f) for f in pf.check_widths(tmp_path)]
    assert any(f.startswith("wide.html: at 390 px") and "pre#listing" in f for f in found), found
    assert any(f.startswith("wide.html: at 1280 px") for f in found), found
    assert any(f.startswith("phone.html: at 390 px") and "table#grid" in f for f in found), found
    assert not any(f.startswith("phone.html: at 1280 px") for f in found), found
    assert (
        'hyphens.html: h2 "Incomprehensibilities" may hyphenate (hyphens: auto) [hyphenation]'
        in found
    )
    assert not any(f.startswith(("index.html", "scroll.html")) for f in found), found


# ------------------------------------------------------------------ the command


@needs_poppler
def test_command_lists_findings_and_fails_then_passes_when_clean(tmp_path, capsys):
    report = tmp_path / "report"
    report.mkdir()
    (report / "_quarto-restricted.yml").write_text(
        f'edition:\n  marking: "{MARKING}"\n', encoding="utf-8"
    )
    build = tmp_path / "build"
    # restricted edition: marking in the head only, a title page with a running head
    marked = f"[#align(center)[{MARKING}] Organized Crime #h(1fr) Restricted edition]"
    compile_pdf(build / "restricted", "= One\n" + paragraphs(8), head=marked, title_page="")
    write_html(build / "restricted", "index.html", "Report", "<p>ok</p>")
    code = pf.main(["--edition", "restricted", "--build", str(build), "--report", str(report),
                    "--no-browser"])  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert any("running head on the title page" in line for line in out), out
    assert any("missing from the foot" in line for line in out), out
    assert any(line.startswith("restricted: index.html: <title>") for line in out), out
    # public edition, clean
    compile_pdf(build / "public", "= One\n" + paragraphs(8))
    write_html(build / "public", "index.html", "Report", "<p>ok</p>")
    code = pf.main(["--edition", "public", "--build", str(build), "--report", str(report),
                    "--no-browser"])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out == ""
