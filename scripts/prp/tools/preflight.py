"""``make preflight``: a publisher's preflight of the built editions.

Reads what a reader gets — ``build/<edition>/report.pdf`` and the HTML pages
next to it — and lists every problem a publisher would send back, with the
page or file and the reason. The list is empty when the edition passes; the
exit status is 1 when it is not.

PDF checks (pages are counted as a PDF viewer counts them, from 1):

* ``title-page``: a running head or a page number on the title page (text
  the PDF marks as page furniture, ``/Artifact /Pagination``, other than the
  restricted marking);
* ``short-page``: a page with fewer than six lines of text (not counting
  running heads, page numbers and the text inside figures) that neither ends
  a chapter (the next page opens a level-1 heading, or it is the last page)
  nor is given to a full-page figure;
* ``table``: a table whose first body row starts in the last 15% of the text
  block, whose caption and first row fall on different pages, or that has at
  most six body rows and still splits across pages; ``row-split``: a row of
  any table split across pages. Tables, rows and cells are read from the
  PDF's tags (``Table``/``TR``/``TH``/``TD``), the structure screen readers
  follow, and placed by the words that poppler extracts from them;
* ``hyphenation``: a word broken by a hyphen at the end of a line in a
  heading (``H1``–``H6``), a table or figure caption, or on the title page;
* ``source-line``: a source line that names one work twice — the same
  citation twice, or a work's title written out next to its citation;
* ``figure-text``: a figure label that ``pdftotext`` cannot extract from the
  figure's page;
* ``marking`` (editions with a marking): the marking missing from the head
  or the foot of a page.

HTML checks:

* ``figure-text``: a figure that is a raster image, or an SVG label drawn as
  outlines instead of ``<text>``;
* ``width``: a page wider than the viewport at 390 px (a phone) or 1280 px
  (a laptop) in headless Chromium (Debian's ``/usr/bin/chromium`` driven by
  Playwright), with the elements that stick out (a box, or content spilling
  out of a box that does not scroll); ``hyphenation``: a heading or caption
  styled ``hyphens: auto``;
* ``source-line``: as in the PDF, from the citation keys of each source note;
* ``marking``: a page whose ``<title>`` lacks the marking.

    python -m prp.tools.preflight [--edition public|restricted|all] [--build build]

How the PDF is read, and the limits that follow (see ``prp.tools.pdfread``):

* tables, rows, cells, headings, captions and figures are the PDF's tags;
  typst tags every PDF it writes, and an untagged PDF is itself a finding
  (nothing in it could then be located, by this check or a screen reader);
* each word poppler extracts is given to the tagged element or the page
  furniture whose text run starts at or before it on its baseline;
* "the last 15% of a page" is measured on the text block: from the highest
  to the lowest tagged text anywhere in the document;
* a page ends a chapter when the next page opens a level-1 heading; a
  figure is full-page when its drawing (clipped as printed) is at least
  half as tall as the text block; the title page is not counted;
* source lines are the paragraphs that start "Source:" or "Sources:"; the
  short form of each citation is learned from the HTML edition's citation
  links and each work's title from the bibliography (titles of at least
  three words); two citations of one work, or its title written out beside
  its citation, name it twice;
* a figure's labels are the ``<text>`` strings of the SVG the HTML edition
  shows; each must occur, spaces aside, in the text poppler extracts from
  the page(s) holding the figure in the PDF.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import http.server
import re
import sys
import threading
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from prp.tools.pdfread import Document, Element, Line, Word, read_pdf

EDITIONS = ("public", "restricted")
WIDTHS = (390, 1280)
MIN_LINES = 6
TABLE_FOOT = 0.85  # a table's first body row must start above this share of the text block
SHORT_TABLE = 6  # tables of at most this many body rows must not split
FULL_PAGE_FIGURE = 0.5  # a figure this tall (share of the text block) may stand alone on a page
HYPHENS = ("\u00ad", "-", "\u2010", "\u2011")
HEADINGS = ("H", "H1", "H2", "H3", "H4", "H5", "H6", "Title")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SVG = "{http://www.w3.org/2000/svg}"
CITE_YEAR = re.compile(r"(.+?(?:\b\d{4}[a-z]?|\bn\.d\.(?:-[a-z])?))(?=$|[,;\s)])")
XLINK = "{http://www.w3.org/1999/xlink}"


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the edition's folder
    page: int  # PDF page (1-based); 0 for a whole file
    check: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} p. {self.page}" if self.page else self.file
        return f"{where}: {self.reason} [{self.check}]"


# ------------------------------------------------------------------ text helpers


def norm(text: str) -> str:
    """Text as a reader compares it: compatibility forms, words joined
    across a soft line-break hyphen, one space, one kind of dash and quote."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("\u00ad\\s*", "", text)
    text = re.sub("[\u2010\u2011\u2012\u2013\u2014\u2212]", "-", text)
    text = re.sub("[\u2018\u2019\u201b]", "'", text)
    text = re.sub("[\u201c\u201d]", '"', text)
    return " ".join(text.split())


def bare(text: str) -> str:
    """Letters and digits only, lower case, single spaces (for titles)."""
    return " ".join(re.sub(r"[^\w]+", " ", norm(text).casefold()).split())


def quote(text: str, limit: int = 70) -> str:
    text = norm(text)
    return "“" + (text if len(text) <= limit else text[: limit - 1].rstrip() + "…") + "”"


def page_span(pages: Iterable[int]) -> str:
    ps = sorted(set(pages))
    return f"p. {ps[0]}" if len(ps) == 1 else f"pp. {ps[0]}–{ps[-1]}"


def ranges(pages: Iterable[int]) -> str:
    """'1–3, 7, 9–10' for pages 1, 2, 3, 7, 9, 10."""
    out: list[str] = []
    ps = sorted(set(pages))
    start = prev = ps[0] if ps else 0
    for p in [*ps[1:], None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        out.append(f"{start}" if start == prev else f"{start}–{prev}")
        if p is not None:
            start = prev = p
    return ", ".join(out)


# ------------------------------------------------------------------ PDF geometry


def is_furniture(word: Word) -> bool:
    return word.key[0] == "artifact"


def text_block(doc: Document) -> tuple[float, float]:
    """Top and bottom of the text block: the extremes of tagged content over
    the whole document (page furniture lies outside it)."""
    tops = [w.y0 for p in doc.pages for w in p.words if w.key[0] == "mcid"]
    bottoms = [w.y1 for p in doc.pages for w in p.words if w.key[0] == "mcid"]
    if not tops:
        return 0.0, max((p.height for p in doc.pages), default=792.0)
    return min(tops), max(bottoms)


def in_figure(doc: Document, word: Word) -> bool:
    return doc.owned_by(word, "Figure") is not None


def chapter_starts(doc: Document) -> set[int]:
    if doc.root is None:
        return set()
    return {pages[0] for h in doc.root.find("H1") if (pages := doc.pages_of(h))}


def caption_of(el: Element) -> Element | None:
    """The caption of a table or figure: its own Caption child, or the
    Caption of the nearest group (``Div``) that holds it."""
    own = [c for c in el.children if c.role == "Caption"]
    if own:
        return own[0]
    node = el.parent
    while node is not None and node.role not in ("Document", "Part", "Sect", "StructTreeRoot"):
        caps = [c for c in node.children if c.role == "Caption"]
        if caps:
            return caps[0]
        node = node.parent
    return None


def label_of(doc: Document, el: Element, kind: str) -> str:
    """'Table 3.4' from the caption, or a description of the element."""
    cap = caption_of(el)
    if cap is not None:
        m = re.match(rf"\s*({kind}\s+[A-Z0-9]+(?:\.\d+)*)", norm(doc.text_of(cap)))
        if m:
            return m.group(1)
    first = doc.words_of(el)[:6]
    return f"untitled {kind.lower()} starting {quote(' '.join(w.text for w in first), 40)}"


# ------------------------------------------------------------------ PDF checks


def check_tagged(doc: Document) -> list[Finding]:
    if doc.root is None:
        return [
            Finding(
                doc.path.name,
                0,
                "tags",
                "the PDF is not tagged (no structure tree): headings, tables and figures "
                "cannot be located, and screen readers cannot follow it",
            )
        ]
    return []


def without_marking(words: list[Word], marking: str | None) -> list[Word]:
    """The words that remain once every occurrence of the marking is removed."""
    if not marking:
        return words
    target = norm(marking).split()
    out: list[Word] = []
    i = 0
    while i < len(words):
        if [norm(w.text) for w in words[i : i + len(target)]] == target:
            i += len(target)
        else:
            out.append(words[i])
            i += 1
    return out


def check_title_page(doc: Document, marking: str | None = None) -> list[Finding]:
    if not doc.pages:
        return []
    page = doc.pages[0]
    furniture = without_marking([w for w in page.words if is_furniture(w)], marking)
    if not furniture:
        return []
    numbers = [w for w in furniture if re.fullmatch(r"\d+|[ivxlcdm]+", w.text.strip(), re.I)]
    rest = [w for w in furniture if w not in numbers]
    findings = []
    if rest:
        findings.append(
            Finding(
                doc.path.name,
                1,
                "title-page",
                f"running head on the title page: {quote(' '.join(w.text for w in rest))}",
            )
        )
    if numbers:
        findings.append(
            Finding(
                doc.path.name,
                1,
                "title-page",
                f"page number on the title page: {quote(' '.join(w.text for w in numbers))}",
            )
        )
    return findings


def figure_share(doc: Document, page: int, block: tuple[float, float]) -> float:
    """Height of the tallest figure on ``page`` as a share of the text block."""
    if doc.root is None:
        return 0.0
    best = 0.0
    for fig in doc.root.find("Figure"):
        box = doc.box_of(fig, page)
        if box is not None:
            best = max(best, (box[3] - box[1]) / max(block[1] - block[0], 1.0))
    return best


def body_lines(doc: Document, page_no: int) -> list[Line]:
    """Lines of running text: tagged, not page furniture, not inside a figure."""
    page = doc.pages[page_no - 1]
    return [
        line
        for line in page.lines
        if any(w.key[0] == "mcid" and not in_figure(doc, w) for w in line.words)
    ]


def check_short_pages(doc: Document) -> list[Finding]:
    starts = chapter_starts(doc)
    block = text_block(doc)
    findings = []
    last = len(doc.pages)
    for page in doc.pages[1:]:  # the title page is a page of display type
        n = page.number
        lines = body_lines(doc, n)
        if len(lines) >= MIN_LINES or n == last or (n + 1) in starts:
            continue
        if figure_share(doc, n, block) >= FULL_PAGE_FIGURE:
            continue
        what = "no line" if not lines else f"{len(lines)} line{'s' * (len(lines) != 1)}"
        shown = f" ({quote(' / '.join(line.text for line in lines), 60)})" if lines else ""
        findings.append(
            Finding(
                doc.path.name,
                n,
                "short-page",
                f"{what} of text{shown}; not the last page of a chapter nor a full-page figure",
            )
        )
    return findings


def table_rows(table: Element) -> tuple[list[Element], list[Element]]:
    """Header rows (in ``THead``, or leading rows of ``TH`` cells only) and
    body rows of a tagged table."""
    head: list[Element] = []
    body: list[Element] = []
    for tr in table.find("TR"):
        cells = [c for c in tr.children if c.role in ("TH", "TD")]
        group = tr.ancestor("THead", "TBody", "TFoot", "Table")
        in_head = group is not None and group.role == "THead"
        all_th = bool(cells) and all(c.role == "TH" for c in cells)
        (head if in_head or (all_th and not body) else body).append(tr)
    return head, body


def check_tables(doc: Document) -> list[Finding]:
    if doc.root is None:
        return []
    block = text_block(doc)
    height = max(block[1] - block[0], 1.0)
    name = doc.path.name
    findings = []
    for table in doc.root.find("Table"):
        label = label_of(doc, table, "Table")
        head, body = table_rows(table)
        row_pages: list[list[int]] = []
        for i, tr in enumerate(body, start=1):
            pages = sorted({w.page for w in doc.words_of(tr)})
            row_pages.append(pages)
            if len(pages) > 1:
                first = " ".join(w.text for w in doc.words_of(tr)[:5])
                findings.append(
                    Finding(
                        name,
                        pages[0],
                        "row-split",
                        f"{label}: row {i} ({quote(first, 40)}) is split across {page_span(pages)}",
                    )
                )
        if not body:
            continue
        first_words = doc.words_of(body[0])
        if first_words:
            page = first_words[0].page
            top = min(w.y0 for w in first_words if w.page == page)
            share = (top - block[0]) / height
            if share > TABLE_FOOT:
                findings.append(
                    Finding(
                        name,
                        page,
                        "table",
                        f"{label}: the first row starts in the last "
                        f"{round((1 - TABLE_FOOT) * 100)}% of the page "
                        f"(at {share:.0%} of the text block)",
                    )
                )
            cap = caption_of(table)
            cap_pages = doc.pages_of(cap) if cap is not None else []
            if cap_pages and cap_pages[-1] != page:
                findings.append(
                    Finding(
                        name,
                        cap_pages[-1],
                        "table",
                        f"{label}: the caption is on p. {cap_pages[-1]}, the table on p. {page}",
                    )
                )
        pages_all = sorted({p for ps in row_pages for p in ps})
        if len(body) <= SHORT_TABLE and len(pages_all) > 1:
            counts = Counter(ps[0] for ps in row_pages if ps)
            split = " + ".join(str(counts[p]) for p in sorted(counts))
            findings.append(
                Finding(
                    name,
                    pages_all[0],
                    "table",
                    f"{label} has {len(body)} rows and is split across {page_span(pages_all)} "
                    f"({split} rows)",
                )
            )
    return findings


def hyphenated_breaks(lines: list[Line]) -> list[tuple[int, str]]:
    """(page, 'Ameri-can') for every line that ends in a hyphen and is
    followed by another line of the same element."""
    out = []
    for a, b in zip(lines, lines[1:], strict=False):
        last = a.words[-1].text
        if last.endswith(HYPHENS) and len(last.rstrip("".join(HYPHENS))) > 0:
            out.append((a.page, f"{last.rstrip(''.join(HYPHENS))}-{b.words[0].text}"))
    return out


def check_hyphenation(doc: Document) -> list[Finding]:
    name = doc.path.name
    findings = []
    if doc.pages:
        title_lines = [
            Line(1, [w for w in line.words if w.key[0] == "mcid"]) for line in doc.pages[0].lines
        ]
        title_lines = [line for line in title_lines if line.words]
        for page, word in hyphenated_breaks(title_lines):
            findings.append(
                Finding(name, page, "hyphenation", f"title page: {quote(word)} is hyphenated")
            )
    if doc.root is None:
        return findings
    for el in doc.root.walk():
        if el.role not in (*HEADINGS, "Caption"):
            continue
        lines = doc.lines_of(el)
        if lines and lines[0].page == 1:
            continue  # reported with the title page
        kind = "caption" if el.role == "Caption" else "heading"
        for page, word in hyphenated_breaks(lines):
            findings.append(
                Finding(
                    name,
                    page,
                    "hyphenation",
                    f"{kind} {quote(el.title or doc.text_of(el), 60)}: {quote(word)} is hyphenated",
                )
            )
    return findings


@dataclass
class Citations:
    """How the edition cites works: the short form of each citation key as
    the HTML prints it, and each work's title (from the bibliography)."""

    short: dict[str, set[str]]
    titles: dict[str, str]

    def name(self, key: str) -> str:
        """The fullest short form of ``key`` ('Leutert 2018b', not '2018b')."""
        return max(self.short.get(key, {key}), key=len)

    def forms(self) -> list[tuple[str, str]]:
        """(short form, key), longest first (so '2018b' wins over '2018')."""
        pairs = [(s, k) for k, ss in self.short.items() for s in ss]
        return sorted(pairs, key=lambda p: -len(p[0]))


def cited(text: str, cites: Citations) -> list[tuple[str, str]]:
    """(key, short form) of each citation in ``text``, in order."""
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for short, key in cites.forms():
        for m in re.finditer(r"(?<![\w])" + re.escape(norm(short)) + r"(?![\w])", text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), key, short))
    return [(k, s) for _, k, s in sorted(found)]


def source_problems(text: str, keys: list[str], cites: Citations) -> list[str]:
    """What in one source line names a work twice."""
    problems = []
    counts = Counter(keys)
    for key, n in counts.items():
        if n > 1:
            problems.append(f"cites {quote(cites.name(key))} {n} times")
    flat = bare(text)
    for key in counts:
        title = bare(cites.titles.get(key, ""))
        if len(title.split()) >= 3 and title in flat:
            problems.append(
                f"writes out the title {quote(cites.titles[key], 50)} "
                f"and also cites {quote(cites.name(key))}"
            )
    return problems


def artifact_before(doc: Document, el: Element) -> str:
    """'Table 3.1' or 'Figure 2.1': the nearest table or figure before ``el``
    among its siblings (a source line follows what it describes)."""
    node: Element | None = el
    while node is not None and node.parent is not None:
        sibs = node.parent.children
        for prev in reversed(sibs[: sibs.index(node)]):
            for kind, roles in (("Table", ("Table",)), ("Figure", ("Figure",))):
                found = prev.find(*roles)
                if found:
                    label = label_of(doc, found[0], kind)
                    return label if not label.startswith("untitled") else f"a {kind.lower()}"
            if prev.find("P", "H1", "H2", "H3", "H4", "H5", "H6"):
                return ""
        node = node.parent
    return ""


def check_source_lines_pdf(doc: Document, cites: Citations) -> list[Finding]:
    if doc.root is None:
        return []
    findings = []
    for el in doc.root.find("P"):
        text = norm(doc.text_of(el))
        if not re.match(r"Sources?:", text):
            continue
        keys = [k for k, _ in cited(text, cites)]
        problems = source_problems(text, keys, cites)
        if problems:
            of = artifact_before(doc, el)
            what = f"the source line of {of}" if of else f"source line {quote(text, 50)}"
            findings.append(
                Finding(
                    doc.path.name,
                    doc.pages_of(el)[0],
                    "source-line",
                    f"{what} {'; '.join(problems)}",
                )  # fmt: skip
            )
    return findings


@dataclass
class HtmlFigure:
    page: str  # the HTML file
    ident: str
    label: str  # 'Figure 3.2'
    src: str


def html_figures(edition_dir: Path) -> list[HtmlFigure]:
    """Every numbered figure of the HTML edition, with its image."""
    out = []
    for page in html_pages(edition_dir):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"<figure\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</figure>", text, re.S):
            img = re.search(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", m.group(2))
            cap = re.search(r"prp-caption-label\">\s*([^<:]+?)\s*:?\s*</span>", m.group(2))
            if cap is None:
                cap = re.search(r"<figcaption[^>]*>\s*(Figure\s+[A-Z0-9.]+)", m.group(2))
            if img is None:
                continue
            out.append(
                HtmlFigure(
                    page.relative_to(edition_dir).as_posix(),
                    m.group(1),
                    norm(cap.group(1)) if cap else m.group(1),
                    html.unescape(img.group(1)),
                )
            )
    return out


def svg_labels(svg: Path) -> tuple[list[str], list[str]]:
    """(labels set as <text>, labels drawn as outlines) of an SVG. Outlined
    text is recognized as matplotlib writes it (a ``text_N`` group of glyph
    ``<use>`` references, the string in a comment) or as any ``<use>`` of a
    glyph outline."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.parse(svg, parser).getroot()
    texts = []
    for el in root.iter(f"{SVG}text"):
        t = norm("".join(el.itertext()))
        if t:
            texts.append(t)
    outlined = []
    for g in root.iter(f"{SVG}g"):
        if not re.fullmatch(r"text_\d+", g.get("id") or ""):
            continue
        if any(True for _ in g.iter(f"{SVG}text")):
            continue
        uses = [u for u in g.iter(f"{SVG}use")]
        paths = [p for p in g.iter(f"{SVG}path")]
        if not uses and not paths:
            continue
        comments = [c.text for c in g.iter() if c.tag is ET.Comment and c.text]
        outlined.append(norm(comments[0]) if comments else f"group {g.get('id')}")
    return texts, outlined


def figure_pages(doc: Document, label: str) -> list[int]:
    """Pages that hold the figure whose caption starts with ``label``."""
    if doc.root is not None:
        for fig in doc.root.find("Figure"):
            cap = caption_of(fig)
            if cap is not None and re.match(re.escape(label) + r"\b", norm(doc.text_of(cap))):
                return doc.pages_of(fig) or doc.pages_of(cap)
    pages = []
    for page in doc.pages:
        if any(norm(line.text).startswith(label + ":") for line in page.lines):
            pages.append(page.number)
    return pages[-1:]


def check_figures(doc: Document, edition_dir: Path) -> list[Finding]:
    findings = []
    for fig in html_figures(edition_dir):
        src = edition_dir / fig.src
        if not fig.src.endswith(".svg"):
            findings.append(
                Finding(
                    fig.page,
                    0,
                    "figure-text",
                    f"{fig.label} ({fig.src}) is a raster image: its labels are not text",
                )
            )
            continue
        if not src.exists():
            findings.append(Finding(fig.page, 0, "figure-text", f"{fig.label}: {fig.src} missing"))
            continue
        labels, outlined = svg_labels(src)
        for label in outlined:
            findings.append(
                Finding(
                    fig.src,
                    0,
                    "figure-text",
                    f"{fig.label}: label {quote(label, 40)} is drawn as outlines, not text",
                )
            )
        pages = figure_pages(doc, fig.label)
        if not pages:
            findings.append(
                Finding(doc.path.name, 0, "figure-text", f"{fig.label} not found in the PDF")
            )
            continue
        words = [w.text for p in pages for line in doc.pages[p - 1].lines for w in line.words]
        flat = norm(" ".join(words))
        squeezed = flat.replace(" ", "")
        for label in [*labels, *outlined]:
            if norm(label) in flat or norm(label).replace(" ", "") in squeezed:
                continue
            findings.append(
                Finding(
                    doc.path.name,
                    pages[0],
                    "figure-text",
                    f"{fig.label}: label {quote(label, 40)} cannot be extracted as text",
                )
            )
    return findings


MARGIN_ZONE = 0.15  # the top and bottom share of a page that counts as its head and foot


def check_marking_pdf(doc: Document, marking: str) -> list[Finding]:
    """The marking in the head and in the foot of every page: in the page
    furniture of the upper and of the lower half of the page, or in any text
    set in the top or bottom 15% of it (a banner on the title page)."""
    target = norm(marking)
    missing: dict[str, list[int]] = {"head": [], "foot": []}
    for page in doc.pages:
        h = page.height

        def head(w: Word, h: float = h) -> bool:
            return w.y1 <= (h / 2 if is_furniture(w) else h * MARGIN_ZONE)

        def foot(w: Word, h: float = h) -> bool:
            return w.y0 >= (h / 2 if is_furniture(w) else h * (1 - MARGIN_ZONE))

        for part, where in (("head", head), ("foot", foot)):
            text = norm(" ".join(w.text for w in page.words if where(w)))
            if target not in text:
                missing[part].append(page.number)
    findings = []
    for part, pages in missing.items():
        if pages:
            findings.append(
                Finding(
                    doc.path.name,
                    pages[0],
                    "marking",
                    f"the marking {quote(marking)} is missing from the {part} of "
                    f"{'page' if len(pages) == 1 else 'pages'} {ranges(pages)}",
                )
            )
    return findings


# ------------------------------------------------------------------ HTML checks


def html_pages(edition_dir: Path) -> list[Path]:
    return sorted(p for p in edition_dir.rglob("*.html") if not p.name.startswith("."))


def html_citations(edition_dir: Path, bib: Path | None) -> Citations:
    short: dict[str, set[str]] = {}
    for page in html_pages(edition_dir):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"href=\"(?:[\w.-]*\.html)?#ref-([^\"]+)\"[^>]*>([^<]+)</a>", text):
            # author and year as printed, without the locator a link may carry
            year = CITE_YEAR.match(norm(html.unescape(m.group(2))))
            if year and re.search(r"[A-Za-z]", year.group(1)):
                short.setdefault(m.group(1), set()).add(year.group(1))
    return Citations(short, bib_titles(bib) if bib is not None and bib.exists() else {})


def bib_titles(bib: Path) -> dict[str, str]:
    """Title of every entry of a BibTeX/BibLaTeX file (braces removed)."""
    text = bib.read_text(encoding="utf-8")
    titles = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        key, pos = m.group(1), m.end()
        end = text.find("\n@", pos)
        body = text[pos : end if end > 0 else len(text)]
        t = re.search(r"\btitle\s*=\s*", body)
        if not t:
            continue
        i, depth, out = t.end(), 0, []
        if i < len(body) and body[i] == "{":
            for ch in body[i:]:
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        break
                out.append(ch)
        elif i < len(body) and body[i] == '"':
            out = list(body[i + 1 : body.find('"', i + 1)])
        titles[key] = " ".join("".join(out).replace("{", "").replace("}", "").split())
    return titles


def check_source_lines_html(edition_dir: Path, cites: Citations) -> list[Finding]:
    findings = []
    for page in html_pages(edition_dir):
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"<div class=\"source-note\">(.*?)</div>", text, re.S):
            inner = m.group(1)
            keys = [k for ks in re.findall(r"data-cites=\"([^\"]+)\"", inner) for k in ks.split()]
            plain = norm(html.unescape(re.sub(r"<[^>]+>", " ", inner)))
            problems = source_problems(plain, keys, cites)
            if not problems:
                continue
            labels = re.findall(
                r"prp-caption-label\">\s*([^<:]+?)\s*:?\s*</span>", text[: m.start()]
            )
            what = (
                f"the source line of {labels[-1]}" if labels else f"source line {quote(plain, 50)}"
            )
            findings.append(
                Finding(
                    page.relative_to(edition_dir).as_posix(),
                    0,
                    "source-line",
                    f"{what} {'; '.join(problems)}",
                )
            )
    return findings


def check_marking_html(edition_dir: Path, marking: str) -> list[Finding]:
    findings = []
    for page in html_pages(edition_dir):
        m = re.search(r"<title[^>]*>(.*?)</title>", page.read_text(encoding="utf-8"), re.S)
        title = norm(html.unescape(m.group(1))) if m else ""
        if norm(marking) not in title:
            findings.append(
                Finding(
                    page.relative_to(edition_dir).as_posix(),
                    0,
                    "marking",
                    f"<title> {quote(title) if title else '(none)'} lacks the marking "
                    f"{quote(marking)}",
                )
            )
    return findings


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


OVERFLOW_JS = r"""() => {
  const doc = document.documentElement;
  const view = doc.clientWidth;
  const width = Math.max(doc.scrollWidth, document.body ? document.body.scrollWidth : 0);
  if (width <= view + 1) return null;
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== doc && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = el => {
    let n = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ');
    if (!el.id && text) n += ' "' + (text.length > 30 ? text.slice(0, 29) + '…' : text) + '"';
    return n;
  };
  // boxes that reach past the viewport (the outermost ones), else content that
  // spills out of a box that does not scroll (the innermost such boxes)
  const boxes = new Map(), spills = new Map();
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || scrolls(el)) continue;
    if (r.right > view + 1) boxes.set(el, r.right);
    else if (getComputedStyle(el).overflowX === 'visible' && r.left + el.scrollWidth > view + 1)
      spills.set(el, r.left + el.scrollWidth);
  }
  const hasAncestorIn = (el, set) => {
    for (let p = el.parentElement; p; p = p.parentElement) if (set.has(p)) return true;
    return false;
  };
  let out = [...boxes].filter(([el]) => !hasAncestorIn(el, boxes));
  if (!out.length) {
    const inner = new Set();
    for (const [el] of spills) for (let p = el.parentElement; p; p = p.parentElement) inner.add(p);
    out = [...spills].filter(([el]) => !inner.has(el));
  }
  out = out.map(([el, right]) => ({el, right: Math.round(right)}));
  return {width, view, offenders: out.slice(0, 4).map(o => name(o.el) + ' to ' + o.right + ' px')};
}"""


HYPHENS_JS = r"""() => [
  ...document.querySelectorAll('h1, h2, h3, h4, h5, h6, figcaption, caption')
].filter(el => getComputedStyle(el).hyphens === 'auto').map(el => el.tagName.toLowerCase() +
  ' "' + el.textContent.trim().replace(/\s+/g, ' ').slice(0, 50) + '"')"""


def check_widths(
    edition_dir: Path, widths: tuple[int, ...] = WIDTHS, chromium: Path = CHROMIUM
) -> list[Finding]:
    """Every HTML page at each width in headless Chromium: the page must not
    be wider than the viewport; and no heading or caption may be set with
    automatic hyphenation."""
    pages = html_pages(edition_dir)
    if not pages:
        return []
    if not chromium.exists():
        return [
            Finding(
                "*.html",
                0,
                "width",
                f"not checked: {chromium} not found (install Debian's package chromium)",
            )
        ]
    from playwright.sync_api import sync_playwright

    findings = []
    with serve(edition_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            tab = browser.new_page(viewport={"width": max(widths), "height": 900})
            tab.set_default_timeout(30_000)
            for page in pages:
                rel = page.relative_to(edition_dir).as_posix()
                tab.goto(base + rel, wait_until="load")
                for heading in tab.evaluate(HYPHENS_JS):
                    findings.append(
                        Finding(rel, 0, "hyphenation", f"{heading} may hyphenate (hyphens: auto)")
                    )
                for width in sorted(widths, reverse=True):  # a resize lays the page out anew
                    tab.set_viewport_size({"width": width, "height": 900})
                    result = tab.evaluate(OVERFLOW_JS)
                    if result:
                        findings.append(
                            Finding(
                                rel,
                                0,
                                "width",
                                f"at {width} px the page is {result['width']} px wide "
                                f"(sticking out: {', '.join(result['offenders']) or 'unknown'})",
                            )
                        )
                tab.set_viewport_size({"width": max(widths), "height": 900})
        finally:
            browser.close()
    return findings


# ------------------------------------------------------------------ the whole preflight


def edition_marking(report_dir: Path, edition: str) -> str | None:
    profile = report_dir / f"_quarto-{edition}.yml"
    if not profile.exists():
        return None
    data = yaml.safe_load(profile.read_text(encoding="utf-8")) or {}
    marking = (data.get("edition") or {}).get("marking")
    return str(marking) if marking else None


def preflight(
    edition_dir: Path,
    marking: str | None = None,
    bib: Path | None = None,
    browser: bool = True,
    widths: tuple[int, ...] = WIDTHS,
) -> list[Finding]:
    """All findings for the edition built in ``edition_dir``."""
    findings: list[Finding] = []
    web: list[Finding] = []
    errors: list[BaseException] = []

    def run_browser() -> None:  # Chromium lays out pages while Python reads the PDF
        try:
            web.extend(check_widths(edition_dir, widths))
        except BaseException as err:  # noqa: BLE001 - re-raised below
            errors.append(err)

    worker = threading.Thread(target=run_browser) if browser else None
    if worker is not None:
        worker.start()
    pdf = edition_dir / "report.pdf"
    cites = html_citations(edition_dir, bib)
    if pdf.exists():
        doc = read_pdf(pdf)
        findings += check_tagged(doc)
        findings += check_title_page(doc, marking)
        findings += check_short_pages(doc)
        findings += check_tables(doc)
        findings += check_hyphenation(doc)
        findings += check_source_lines_pdf(doc, cites)
        findings += check_figures(doc, edition_dir)
        if marking:
            findings += check_marking_pdf(doc, marking)
    else:
        findings.append(Finding("report.pdf", 0, "missing", "the edition has no PDF"))
    findings += check_source_lines_html(edition_dir, cites)
    if marking:
        findings += check_marking_html(edition_dir, marking)
    if worker is not None:
        worker.join()
        if errors:
            raise errors[0]
    return sorted(set(findings + web))


def render(edition: str, findings: list[Finding]) -> str:
    """The findings as a readable list (empty string when there are none)."""
    return "".join(f"{edition}: {f}\n" for f in findings)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m prp.tools.preflight", description=__doc__)
    ap.add_argument("--edition", choices=[*EDITIONS, "all"], default="all")
    ap.add_argument("--build", default="build", help="the build folder (default: build)")
    ap.add_argument("--report", default=None, help="the Quarto book (default: beside --build)")
    ap.add_argument("--no-browser", action="store_true", help="skip the page-width check")
    args = ap.parse_args(argv)
    build = Path(args.build)
    report_dir = Path(args.report) if args.report else build.resolve().parent / "report"
    editions = EDITIONS if args.edition == "all" else (args.edition,)
    total = 0
    for edition in editions:
        folder = build / edition
        if not (folder / "index.html").exists():
            print(f"preflight: {folder} has no built edition; run make {edition}", file=sys.stderr)
            return 2
        started = time.monotonic()
        bib = build / "src" / edition / "references.bib"
        findings = preflight(
            folder,
            marking=edition_marking(report_dir, edition),
            bib=bib if bib.exists() else report_dir / "references.bib",
            browser=not args.no_browser,
        )
        sys.stdout.write(render(edition, findings))
        print(
            f"preflight {edition}: {len(findings) or 'no'} finding{'s' * (len(findings) != 1)} "
            f"({time.monotonic() - started:.1f} s)",
            file=sys.stderr,
        )
        total += len(findings)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
