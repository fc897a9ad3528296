"""HTML edition: pandoc's chunkedhtml pages, finished with the book's parts and
the current page in the sidebar, and a Quarto-like search index."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

from prp.render.config import RenderError
from prp.render.pandoc import FILTERS, TEMPLATES, Pass, filter_output

SEARCH_LEVELS = 3  # headings of levels 1..3 start a search entry
PAGES_FILTER = FILTERS / "html_pages.lua"
"""Last filter of the HTML pass: hands the AST over, strips private attributes."""


# ----------------------------------------------------------------- pandoc AST


_TAG_RE = re.compile(r"<[^>]*>")


def raw_table_text(markup: str) -> str:
    """The text of an HTML table the prp-rows filter wrote: its cells, each
    followed by a space, tags dropped and entities read."""
    return html.unescape(_TAG_RE.sub(" ", markup))


def stringify(node: Any) -> str:
    """Plain text of a pandoc JSON AST fragment (attributes and URLs skipped)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict) or "t" not in node:
        return ""
    kind = node["t"]
    content: Any = node.get("c")
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return " " + content[1] + " "
    if kind == "RawBlock" and content[0] == "html" and content[1].startswith("<table"):
        return raw_table_text(content[1])  # a listing written by prp-rows.lua
    if kind in ("RawInline", "RawBlock", "HorizontalRule"):
        return ""
    if kind == "Image":
        return stringify(content[1])
    if kind in (
        "Para",
        "Plain",
        "Header",
        "CodeBlock",
        "Table",
        "Div",
        "BlockQuote",
        "BulletList",
        "OrderedList",
        "Figure",
        "DefinitionList",
        "LineBlock",
    ):
        if kind == "CodeBlock":
            return " " + content[1] + " "
        return " " + stringify(content) + " "
    return stringify(content)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def header_parts(block: dict[str, Any]) -> tuple[int, str, list[str], dict[str, str], list[Any]]:
    level, (ident, classes, kvs), inlines = block["c"]
    return level, ident, classes, dict(kvs), inlines


def chapters_info(ast: dict[str, Any]) -> list[dict[str, str]]:
    """Top-level level-1 headings with the attributes crossref.lua gave them."""
    out = []
    for block in ast["blocks"]:
        if block["t"] == "Header" and block["c"][0] == 1:
            _, ident, _, attrs, inlines = header_parts(block)
            out.append(
                {
                    "id": ident,
                    "title": _squash(stringify(inlines)),
                    "file": attrs.get("prp-file", ""),
                    "kind": attrs.get("prp-kind", ""),
                    "part": attrs.get("prp-part", ""),
                }
            )
    return out


# ----------------------------------------------------------------- search


def search_index(ast: dict[str, Any], book_title: str) -> list[dict[str, Any]]:
    """One entry per section (headings of level 1-3) with its own text; the
    front page (before the first chapter) is ``index.html``. Hrefs follow the
    chunk names of the HTML writer (``<chapter-id>.html``)."""
    entries: list[dict[str, Any]] = []
    page, chapter_title = "index.html", book_title
    current: dict[str, Any] = {
        "href": page,
        "title": book_title,
        "section": book_title,
        "parts": [],
    }

    def flush() -> None:
        text = _squash(" ".join(current["parts"]))
        entries.append(
            {
                "objectID": current["href"],
                "href": current["href"],
                "title": current["title"],
                "section": current["section"],
                "crumbs": [current["section"]],
                "text": text,
            }
        )

    for block in ast["blocks"]:
        if block["t"] == "Header" and block["c"][0] <= SEARCH_LEVELS:
            level, ident, _, _, inlines = header_parts(block)
            title = _squash(stringify(inlines))
            flush()
            if level == 1:
                page, chapter_title = f"{ident}.html", title
                href = page
            else:
                href = f"{page}#{ident}"
            current = {"href": href, "title": title, "section": chapter_title, "parts": []}
        else:
            current["parts"].append(stringify(block))
    flush()
    return [e for e in entries if e["text"] or e["href"].endswith(".html")]


# ----------------------------------------------------------------- pages


def _toc_bounds(page: str) -> tuple[int, int]:
    start = page.find('<div id="TOC"')
    end = page.find("</div>", start)
    if start < 0 or end < 0:
        raise RenderError("HTML template: no table of contents found in a page")
    return start, end


def finish_page(page: str, name: str, chapters: list[dict[str, str]]) -> str:
    """Add part labels to the sidebar and mark the current page in it."""
    start, end = _toc_bounds(page)
    toc = page[start:end]
    for ch in chapters:
        if ch["part"]:
            entry = f'<li><a href="{ch["id"]}.html#'
            toc = toc.replace(
                entry, f'<li class="toc-part">{html.escape(ch["part"])}</li>\n' + entry, 1
            )
    if name != "index.html":
        toc = toc.replace(
            f'<li><a href="{name}#', f'<li class="active"><a aria-current="page" href="{name}#', 1
        )
        page = page[:start] + toc + page[end:]
    else:
        page = page[:start] + toc + page[end:]
        page = page.replace(
            '<a class="sidebar-title" href="index.html">',
            '<a class="sidebar-title" aria-current="page" href="index.html">',
            1,
        )
    return page


def _between(page: str, tag: str) -> tuple[int, int]:
    start, end = page.find(f"<!--prp:{tag}-->"), page.find(f"<!--/prp:{tag}-->")
    if start < 0 or end < 0:
        raise RenderError(f"HTML template: marker <!--prp:{tag}--> missing")
    return start + len(f"<!--prp:{tag}-->"), end


def merge_front_page(pages: dict[str, str], front: str) -> dict[str, str]:
    """pandoc's chunkedhtml puts the content before the first chapter in a
    chunk of its own after an empty title page; move it onto index.html."""
    index, chunk = pages["index.html"], pages[front]
    b0, b1 = _between(chunk, "body")
    i0, i1 = _between(index, "body")
    index = index[:i0] + chunk[b0:b1] + index[i1:]
    n0, n1 = _between(chunk, "page-nav")
    nav = re.sub(
        r'<div class="page-nav-prev">.*?</div>',
        '<div class="page-nav-prev"></div>',
        chunk[n0:n1],
        count=1,
        flags=re.S,
    )
    m0, m1 = _between(index, "page-nav")
    index = index[:m0] + nav + index[m1:]
    out = {}
    for name, page in {**pages, "index.html": index}.items():
        if name == front:
            continue
        page = page.replace(f'href="{front}#', 'href="index.html#').replace(
            f'href="{front}"', 'href="index.html"'
        )
        # The front page is reached through the book title; no TOC line for it.
        page = re.sub(
            r'<li><a href="index\.html#[^"]*" id="toc-[^"]*">.*?</a></li>\n?', "", page, count=1
        )
        out[name] = page
    return out


_ID_RE = re.compile(r'\sid="([^"]+)"')
_LOCAL_HREF_RE = re.compile(r'href="#([^"]+)"')


def fix_cross_page_links(pages: dict[str, str]) -> dict[str, str]:
    """Point ``href="#id"`` at the page that holds ``id`` (pandoc's chunker
    does this for headings and tables, but not for figures); an id found on
    no page is an error."""
    owner: dict[str, str] = {}
    ids = {}
    for name, page in pages.items():
        ids[name] = set(_ID_RE.findall(page))
        for ident in ids[name]:
            owner.setdefault(ident, name)
    out = {}
    for name, page in pages.items():

        def repl(m: re.Match[str], name: str = name) -> str:
            ident = m.group(1)
            if ident in ids[name]:
                return m.group(0)
            if ident not in owner:
                raise RenderError(f"{name}: link to #{ident}, which no page defines")
            return f'href="{owner[ident]}#{ident}"'

        out[name] = _LOCAL_HREF_RE.sub(repl, page)
    return out


def chunk_writer_args(src: Path, chunk_dir: Path) -> list[str]:
    """pandoc's arguments for the pages: chunkedhtml, one page per level-1
    heading named after its id, with the book's template, into ``chunk_dir``."""
    return [
        "-t",
        "chunkedhtml",
        "--template",
        str(TEMPLATES / "page.html"),
        "--split-level=1",
        "--chunk-template=%i.html",
        "--toc",
        "--toc-depth=2",
        "--wrap=none",
        "--resource-path",
        str(src),
        "-o",
        str(chunk_dir),
    ]


def write_html(run_pass: Pass, *, src: Path, work: Path, dest: Path, book_title: str) -> None:
    """Write the HTML pages, images, CSS and search.json into ``dest``: the
    pages by the pass's own pandoc process (html_pages.lua hands the
    finished AST over, for the chapter list and the search index, and drops
    the headings' bookkeeping attributes before the writer sees them)."""
    chunk_dir = work / "html"
    ast_file = work / "html-ast.json"
    run_pass(
        ["--lua-filter", str(PAGES_FILTER), *chunk_writer_args(src, chunk_dir)],
        {"PRP_AST_OUT": str(ast_file)},
    )
    ast = filter_output(ast_file, PAGES_FILTER)
    chapters = chapters_info(ast)
    index = search_index(ast, book_title)
    (chunk_dir / "sitemap.json").unlink(missing_ok=True)
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(chunk_dir.glob("*.html"))}
    extra = sorted(set(pages) - {"index.html"} - {f"{ch['id']}.html" for ch in chapters})
    if len(extra) > 1:
        raise RenderError(f"HTML writer produced unexpected pages: {', '.join(extra)}")
    if extra:
        pages = merge_front_page(pages, extra[0])
    pages = fix_cross_page_links(pages)
    for entry in index:
        page = entry["href"].split("#")[0]
        if page not in pages:
            raise RenderError(f"search index: page {page} was not written by the HTML writer")
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (dest / name).write_text(finish_page(text, name, chapters), encoding="utf-8")
    for path in sorted(chunk_dir.rglob("*")):
        rel = path.relative_to(chunk_dir)
        if path.is_dir() or (path.suffix == ".html" and len(rel.parts) == 1):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    shutil.copyfile(TEMPLATES / "site.css", dest / "site.css")
    from prp.render.extension import load_format

    ext = load_format(src, "html")
    for css in ext.css if ext else []:
        shutil.copyfile(css, dest / css.name)
    shutil.copyfile(TEMPLATES / "favicon.svg", dest / "favicon.svg")
    (dest / "search.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    # the search box (search.js) reads the same entries from a script, which a
    # browser also loads from a folder opened with file:// (fetch is refused
    # there); ASCII JSON is a plain literal, text from data is never code
    (dest / "search-index.js").write_text(
        "window.PRP_SEARCH_INDEX = " + json.dumps(index, ensure_ascii=True) + ";\n",
        encoding="utf-8",
    )
    shutil.copyfile(TEMPLATES / "search.js", dest / "search.js")
