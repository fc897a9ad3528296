"""What a reader sees in one rendering of an edition, for comparing the two
engines (pandoc + typst, and Quarto) -- tests/integration/test_engines.py.

    python -m tests.parity FALLBACK_DIR QUARTO_DIR [--marking TEXT]

prints the differences, one per line (none: exit status 0).

Per HTML page (by file name): the chapter title as shown ("Part 3. ...",
"Appendix B. ..."), the figure and table labels of the captions in order,
the texts of the cross-references in order and the pages and ids they point
at, the citations in order (keys and texts), the <title>, and whether the
edition marking is shown. From the PDF: the outline (bookmarks), the caption
labels in order, the text of every page. Whitespace (nbsp, line breaks) is
normalised; page chrome (navigation, search, footers) is not compared.
"""

from __future__ import annotations

import argparse
import html as htmllib
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pypdf import PdfReader

from tests.pdftext import page_texts

WS = re.compile(r"\s+")
SKIP_DIRS = ("site_libs/",)


def norm(fragment: str) -> str:
    """Text of an HTML fragment, whitespace collapsed."""
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", fragment))
    return WS.sub(" ", text.replace("\u00a0", " ").replace("\u200b", "")).strip()


@dataclass
class Page:
    file: str
    title: str = ""  # the chapter's heading as shown
    head_title: str = ""  # <title>
    captions: list[str] = field(default_factory=list)  # "Table 3.1", ...
    xrefs: list[str] = field(default_factory=list)  # texts of cross-references
    xref_targets: list[str] = field(default_factory=list)  # "page#id" they point at
    cite_keys: list[str] = field(default_factory=list)
    cite_texts: list[str] = field(default_factory=list)
    marked: bool = False  # the edition-marking banner is on the page
    ids: set[str] = field(default_factory=set)
    text: str = ""  # the main content's text


def _main(text: str) -> str:
    m = re.search(r"<main\b.*?</main>", text, re.S)
    return m.group(0) if m else text


def _resolve(href: str, page: str) -> str:
    path, _, frag = href.partition("#")
    if not path:
        path = page
    folder = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    parts: list[str] = []
    for part in (folder + path).split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts) + (f"#{frag}" if frag else "")


def read_page(root: Path, rel: str) -> Page:
    raw = (root / rel).read_text(encoding="utf-8")
    body = _main(raw)
    page = Page(file=rel)
    h1 = re.findall(r"<h1\b[^>]*>(.*?)</h1>", body, re.S)
    page.title = norm(h1[0]) if h1 else ""
    m = re.search(r"<title>(.*?)</title>", raw, re.S)
    page.head_title = norm(m.group(1)) if m else ""
    caps = re.findall(
        r"<figcaption\b[^>]*>(.*?)</figcaption>|<caption\b[^>]*>(.*?)</caption>", body, re.S
    )
    for a, b in caps:
        label = re.match(r"((?:Figure|Table) [0-9A-Z]+(?:\.[0-9]+)?)\b", norm(a or b))
        if label:
            page.captions.append(label.group(1))
    for attrs, inner in re.findall(
        r"<a\b([^>]*class=\"[^\"]*quarto-xref[^\"]*\"[^>]*)>(.*?)</a>", body, re.S
    ):
        page.xrefs.append(norm(inner))
        href = re.search(r'href="([^"]*)"', attrs)
        target = _resolve(htmllib.unescape(href.group(1)), rel) if href else ""
        # a chapter's page is named after its heading: "sec-x.html#sec-x"
        # (pandoc) and "sec-x.html" (Quarto's book links) are the same place
        tpage, _, frag = target.partition("#")
        page.xref_targets.append(tpage if tpage == f"{frag}.html" else target)
    for keys, inner in re.findall(
        r'<span class="citation" data-cites="([^"]*)"[^>]*>(.*?)</span>', body, re.S
    ):
        page.cite_keys.append(keys)
        page.cite_texts.append(norm(inner))
    page.marked = "prp-edition-marking" in raw
    page.ids = set(re.findall(r'\sid="([^"]+)"', raw))
    page.text = norm(re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S))
    return page


def html_pages(root: Path) -> dict[str, Page]:
    out = {}
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(SKIP_DIRS):
            out[rel] = read_page(root, rel)
    return out


@dataclass
class Pdf:
    outline: list[str]
    captions: list[str]
    pages: list[str]


@cache
def read_pdf(path: Path) -> Pdf:
    reader = PdfReader(str(path))
    outline: list[str] = []

    def walk(items: list, depth: int = 0) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                outline.append("  " * depth + WS.sub(" ", item.title).strip())

    walk(reader.outline)
    pages = list(page_texts(path))
    caps = re.findall(r"^((?:Figure|Table) [0-9A-Z]+\.[0-9]+):", "\n".join(pages), re.M)
    return Pdf(outline=outline, captions=caps, pages=pages)


def page_lines(text: str) -> list[str]:
    return [WS.sub(" ", line).strip() for line in text.splitlines() if line.strip()]


def marking_problems(root: Path, marking: str) -> list[str]:
    """Pages of one rendering without the edition marking: every HTML page
    (banner and <title>) and every PDF page, at its head and at its foot."""
    out = []
    for rel, page in html_pages(root).items():
        if not page.marked:
            out.append(f"{rel}: no marking banner")
        if marking not in page.head_title:
            out.append(f"{rel}: <title> {page.head_title!r} lacks the marking")
    for i, text in enumerate(read_pdf(root / "report.pdf").pages, 1):
        lines = page_lines(text)
        if marking not in " ".join(lines[:2]):
            out.append(f"report.pdf page {i}: no marking at the head")
        if marking not in " ".join(lines[-2:]):
            out.append(f"report.pdf page {i}: no marking at the foot")
    return out


def differences(fallback: Path, quarto: Path, *, pdf_text: bool = True) -> list[str]:
    """Everything a reader would see differently in the two renderings."""
    diffs: list[str] = []

    def cmp(a: object, b: object, what: str) -> None:
        if a != b:
            diffs.append(f"{what}:\n    pandoc: {a}\n    quarto: {b}")

    fb, qu = html_pages(fallback), html_pages(quarto)
    cmp(sorted(fb), sorted(qu), "HTML pages")
    for name in sorted(set(fb) & set(qu)):
        f, q = fb[name], qu[name]
        for key in ("title", "captions", "xrefs", "xref_targets", "cite_keys", "cite_texts"):
            cmp(getattr(f, key), getattr(q, key), f"{name} {key}")
        cmp(f.marked, q.marked, f"{name} marking banner")
        for engine, pages, page in (("pandoc", fb, f), ("quarto", qu, q)):
            for target in page.xref_targets:
                tpage, _, ident = target.partition("#")
                if tpage not in pages or (ident and ident not in pages[tpage].ids):
                    diffs.append(
                        f"{engine} {name}: cross-reference to {target}, which does not exist"
                    )
    pf, pq = read_pdf(fallback / "report.pdf"), read_pdf(quarto / "report.pdf")
    cmp(pf.outline, pq.outline, "PDF outline")
    cmp(pf.captions, pq.captions, "PDF caption labels")
    cmp(len(pf.pages), len(pq.pages), "PDF page count")
    if pdf_text:
        for i, (a, b) in enumerate(zip(pf.pages, pq.pages, strict=False), 1):
            cmp(page_lines(a), page_lines(b), f"PDF page {i} text")
    return diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.parity", description=__doc__)
    ap.add_argument("fallback", type=Path)
    ap.add_argument("quarto", type=Path)
    ap.add_argument("--marking")
    args = ap.parse_args(argv)
    found = differences(args.fallback, args.quarto)
    if args.marking:
        for root in (args.fallback, args.quarto):
            found += [f"{root}: {p}" for p in marking_problems(root, args.marking)]
    for line in found:
        print("-", line)
    print(f"{len(found)} difference(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
