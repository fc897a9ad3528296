"""render_book on the fixture minibook: structure, numbering, links, editions,
errors and determinism. Renders each edition once per module (about 1.5 s)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from prp.render.book import render_book
from prp.render.config import RenderError
from tests.pdftext import page_texts

MINIBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "minibook"
MARKING = "RESTRICTED — for the Federal Police"
CHAPTER_PAGES = ["index.html", "sec-routes.html", "sec-costs.html", "references.html"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("img", "script", "link") and (a.get("src") or a.get("href")):
            self.srcs.append(a.get("src") or a.get("href"))


def parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def pdf_pages(path: Path, lines: bool = False) -> list[str]:
    pages = list(page_texts(path))
    return pages if lines else [re.sub(r"\s+", " ", page) for page in pages]


def body(path: Path) -> str:
    """Page text between the body markers, tags removed."""
    html = path.read_text(encoding="utf-8")
    inner = html[html.index("<!--prp:body-->") : html.index("<!--/prp:body-->")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", inner))


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    out = {}
    for profile in ("public", "restricted"):
        render_book(MINIBOOK, profile, root / profile)
        out[profile] = root / profile
    return out


def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))) + (
        folder / "search.json"
    ).read_text(encoding="utf-8")


# ---------------------------------------------------------------- structure


def test_pages_assets_and_return_value(editions, tmp_path):
    out = editions["public"]
    for name in [*CHAPTER_PAGES, "site.css", "search.json", "report.pdf", "figures/routes.svg"]:
        assert (out / name).is_file(), name
    assert not (out / "figures" / "annex.png").exists()  # restricted figure never copied
    written = render_book(MINIBOOK, "public", tmp_path / "again")
    assert sorted(p.relative_to(tmp_path / "again").as_posix() for p in written) == sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    )


def test_front_page_has_title_block_and_index_content(editions):
    index = (editions["public"] / "index.html").read_text(encoding="utf-8")
    assert '<h1 class="title">Transit Routes and Risks</h1>' in index
    assert "About this book" in index and "INDEX-PUBLIC-NOTE" in index
    assert "Policy Research Project Report No. 999" in index
    assert '<meta name="viewport"' in index


def test_navigation_sidebar_prev_next(editions):
    out = editions["restricted"]
    pages = [*CHAPTER_PAGES[:3], "sec-annex.html", "references.html"]
    for i, name in enumerate(pages):
        html = (out / name).read_text(encoding="utf-8")
        assert 'id="TOC"' in html and 'href="site.css"' in html
        nxt = re.search(r'<a href="([^"]+)" rel="next">', html)
        prv = re.search(r'<a href="([^"]+)" rel="prev">', html)
        assert (nxt.group(1) if nxt else None) == (pages[i + 1] if i + 1 < len(pages) else None)
        assert (prv.group(1) if prv else None) == (pages[i - 1] if i > 0 else None)
    routes = (out / "sec-routes.html").read_text(encoding="utf-8")
    assert '<li class="active"><a aria-current="page" href="sec-routes.html#sec-routes"' in routes
    toc = routes[routes.index('id="TOC"') :]
    assert toc.index(">Evidence</li>") < toc.index("Part 1.")
    assert toc.index("Part 1.") < toc.index(">Restricted annexes</li>")


def test_every_local_link_and_image_resolves(editions):
    for out in editions.values():
        pages = {p.name: parse(p) for p in out.glob("*.html")}
        checked = 0
        for name, page in pages.items():
            for href in page.hrefs:
                if href.startswith(("http:", "https:", "mailto:")):
                    continue
                target, _, frag = href.partition("#")
                target = target or name
                assert (out / target).exists(), f"{name}: {href}"
                if frag and target.endswith(".html"):
                    assert frag in pages[target].ids, f"{name}: {href}"
                checked += 1
            for src in page.srcs:
                assert not src.startswith(("http:", "https:", "//")), f"{name}: remote {src}"
                assert (out / src).exists(), f"{name}: {src}"
        assert checked > 40


# ---------------------------------------------------------------- crossrefs


def test_numbering_and_crossref_links(editions):
    out = editions["restricted"]
    routes, costs = body(out / "sec-routes.html"), body(out / "sec-costs.html")
    assert "Part 1. Routes" in routes and "Part 2. Costs" in costs
    assert "Figure 1.1: Corridors used by travellers" in routes
    assert "Table 2.1: Typical smuggling fee by route" in costs
    html = (out / "sec-routes.html").read_text(encoding="utf-8")
    assert '<a href="sec-costs.html#tbl-costs" class="quarto-xref">Table 2.1</a>' in html
    assert '<a href="#fig-routes" class="quarto-xref">1.1</a>' in html  # -@fig-routes
    two = (out / "sec-costs.html").read_text(encoding="utf-8")
    assert '<a href="sec-routes.html#sec-routes" class="quarto-xref">Part 1</a>' in two
    assert '<a href="sec-routes.html#sec-seasonal" class="quarto-xref">Seasonal pattern</a>' in two
    assert '<a href="sec-routes.html#fig-routes" class="quarto-xref">Figure 1.1</a>' in two
    assert '<a href="sec-routes.html#sec-routes">the routes chapter</a>' in two  # .qmd links
    assert '<a href="sec-routes.html#sec-seasonal">its seasonal section</a>' in two
    annex = body(out / "sec-annex.html")
    assert "Annex: event records" in annex and "Part 3" not in annex  # unnumbered
    assert "Figure 1: Events by month." in annex
    # a numbered table is a figure (its caption outside the box that scrolls)
    assert '<figure id="tbl-costs" class="prp-table">' in two and '<figure id="fig-routes">' in html
    fig = two[two.index('<figure id="tbl-costs"') : two.index("</figure>", two.index("tbl-costs"))]
    assert '<div class="table-responsive">' in fig and "<caption>" not in fig
    assert re.search(r"<figcaption>.*Table 2\.1", fig, re.S)
    for text in (all_text(out), "".join(pdf_pages(out / "report.pdf"))):
        assert "??" not in text and "@fig-" not in text and "@tbl-" not in text


def test_citation_footnote_callout_var_include(editions):
    out = editions["public"]
    routes = body(out / "sec-routes.html")
    assert "(Smith 2017)" in routes
    assert "Smith, Jane. 2017." in body(out / "references.html")
    assert "numbered 1,234" in routes and "Gulf route (45.0% of trips)" in routes
    assert "Footnote text: most of the distance" in routes
    html = (out / "sec-routes.html").read_text(encoding="utf-8")
    assert 'class="callout callout-note"' in html and "How the counts were made" in html
    costs = (out / "sec-costs.html").read_text(encoding="utf-8")
    assert 'class="callout callout-warning"' in costs and "Read with care" in costs
    assert "NESTED-INCLUDE-TEXT: the total again is 1,234." in body(out / "sec-costs.html")
    # each inserted value is marked with the variable it came from
    assert re.search(r'<(span|a)[^>]*data-var="counts.total"[^>]*>1,234</', costs), costs
    assert 'alt="Three coloured bars of different lengths"' in html
    assert "{{&lt;" not in all_text(out) and "{{<" not in all_text(out)


# ---------------------------------------------------------------- editions


def test_conditional_content_removed_everywhere(editions):
    pub, res = editions["public"], editions["restricted"]
    pub_pdf = " ".join(pdf_pages(pub / "report.pdf"))
    res_pdf = " ".join(pdf_pages(res / "report.pdf"))
    secrets = ("INDEX-RESTRICTED-NOTE", "SPAN-RESTRICTED-WORD", "ANNEX-SECRET-TEXT", "RESTRICTED")
    for secret in secrets:
        assert secret not in all_text(pub), secret
        assert secret not in pub_pdf, secret
    for word in ("INDEX-RESTRICTED-NOTE", "SPAN-RESTRICTED-WORD", "ANNEX-SECRET-TEXT"):
        assert word in all_text(res) and word in res_pdf
    assert "INDEX-PUBLIC-NOTE" in all_text(pub) and "INDEX-PUBLIC-NOTE" not in all_text(res)
    assert "INDEX-PUBLIC-NOTE" not in res_pdf
    # format conditions
    assert "WEB-ONLY-SENTENCE" in all_text(pub) and "WEB-ONLY-SENTENCE" not in pub_pdf
    assert "PRINT-ONLY-SENTENCE" in pub_pdf and "PRINT-ONLY-SENTENCE" not in all_text(pub)


def test_search_index(editions):
    entries = json.loads((editions["public"] / "search.json").read_text(encoding="utf-8"))
    by_href = {e["href"]: e for e in entries}
    assert {
        "index.html",
        "sec-routes.html",
        "sec-routes.html#sec-seasonal",
        "sec-costs.html",
        "sec-costs.html#sec-costs-detail",
        "references.html",
    } <= set(by_href)
    assert all({"href", "title", "text"} <= set(e) for e in entries)
    assert by_href["sec-routes.html"]["title"] == "Part 1. Routes"
    assert "Flows peak in spring" in by_href["sec-routes.html#sec-seasonal"]["text"]
    assert "Flows peak" not in by_href["sec-routes.html"]["text"]  # section text is its own
    assert "NESTED-INCLUDE-TEXT" in by_href["sec-costs.html#sec-costs-detail"]["text"]


def test_pdf_structure_and_marking(editions):
    # the marking heads and foots every page
    for page in pdf_pages(editions["restricted"] / "report.pdf", lines=True):
        lines = [ln for ln in page.split("\n") if ln.strip()]
        assert MARKING in lines[0] and MARKING in lines[-1], page
    res = pdf_pages(editions["restricted"] / "report.pdf")
    assert len(res) >= 8
    assert "Restricted edition" in res[0]
    title, imprint = res[0], res[1]
    for fact in (
        "Transit Routes and Risks",
        "POLICY RESEARCH PROJECT REPORT",
        "999",
        "Dana Director",
        "June 2018",
    ):
        assert fact in title, fact
    assert title.count(MARKING) >= 2  # running header and title-page box
    # the imprint page (verso): participants, ISBN; neither page is numbered
    for fact in ("ISBN 978-0-00000-000-0", "Cleo Gamma"):
        assert fact in imprint, fact
    for page in (title, imprint):
        assert not re.search(r"\b[12]\s*(" + re.escape(MARKING) + r"\s*)?$", page)
    assert "Contents" in res[2] and "Part 1. Routes" in res[2]
    assert "List of Figures" in res[2] and "Figure 1.1" in res[2]
    # chapters start on new pages; page numbers in the footer
    starts = {
        name: next(i for i, p in enumerate(res) if i > 2 and re.search(rf"{name}\b", p))
        for name in ("Part 1. Routes", "Part 2. Costs", "Annex: event records")
    }
    assert starts["Part 1. Routes"] < starts["Part 2. Costs"] < starts["Annex: event records"]
    for i in starts.values():
        assert "Seasonal pattern Flows" not in res[i] or i == starts["Part 1. Routes"]
        # the page number closes the page, above the marking
        foot = rf"\b{i + 1}\s*({re.escape(MARKING)}\s*)?$"
        assert re.search(foot, res[i]), f"page {i + 1} has no page number"
    costs = res[starts["Part 2. Costs"]]
    assert "Table 2.1: Typical smuggling fee by route" in costs
    assert "Figure 1.1: Corridors used by travellers" in res[starts["Part 1. Routes"]]
    assert "Footnote text: most of the distance" in res[starts["Part 1. Routes"]]
    meta = PdfReader(editions["restricted"] / "report.pdf").metadata
    assert meta["/CreationDate"] == "D:20180601000000Z"  # the book date, not the build time
    assert meta["/Title"] == "Transit Routes and Risks"
    pub = pdf_pages(editions["public"] / "report.pdf")
    assert "Public edition" in pub[0] and not any(MARKING in page for page in pub)


# ---------------------------------------------------------------- determinism


def test_same_source_gives_identical_bytes_in_other_directories(editions, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    copy = tmp_path / "elsewhere" / "book"
    shutil.copytree(MINIBOOK, copy)
    out = tmp_path / "other-out"
    render_book(copy, "restricted", out)
    ref = editions["restricted"]
    files = sorted(p.relative_to(ref).as_posix() for p in ref.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for rel in files:
        assert (ref / rel).read_bytes() == (out / rel).read_bytes(), rel
    for rel in files:
        data = (out / rel).read_bytes()
        assert str(tmp_path).encode() not in data and b"prp-render-" not in data, rel


def same_files(a: Path, b: Path) -> None:
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_kept_parses_change_no_output_and_an_edit_is_parsed_again(editions, book, tmp_path):
    cache = tmp_path / "ast"
    for n in (1, 2):  # the first render keeps the parses, the second reads them back
        render_book(book, "restricted", tmp_path / f"cached-{n}", ast_cache=cache)
        same_files(editions["restricted"], tmp_path / f"cached-{n}")
    kept = sorted(cache.glob("*.json"))
    assert len(kept) >= 3  # the chapters and the snippets they include
    assert not [p for p in cache.iterdir() if not p.name.endswith(".json")], "no temporaries"
    # the second render did read them: a kept parse under its own key is used
    name = hashlib.sha1(b"markdown-implicit_header_references\nchapters/two.qmd").hexdigest()
    two = cache / f"{name}.json"
    two.write_text(
        two.read_text(encoding="utf-8").replace('"c":"seasonal"', '"c":"kept"'), encoding="utf-8"
    )
    render_book(book, "restricted", tmp_path / "read-back", ast_cache=cache)
    assert "The kept detail is in" in all_text(tmp_path / "read-back")
    # a parse is read back only under its own key: an edited chapter (and a
    # parse whose key line does not match, whatever it holds) is parsed anew
    chapter = book / "chapters" / "one.qmd"
    _append(chapter, "\nA sentence added after the cache was filled.\n")
    for path in kept:
        path.write_text("0" * 40 + "\n" + path.read_text(encoding="utf-8").split("\n", 1)[1])
    render_book(book, "restricted", tmp_path / "edited", ast_cache=cache)
    render_book(book, "restricted", tmp_path / "uncached")
    same_files(tmp_path / "uncached", tmp_path / "edited")
    assert "A sentence added after the cache was filled." in all_text(tmp_path / "edited")


def test_a_first_render_reads_the_files_once_for_both_formats(book, tmp_path, monkeypatch):
    import prp.render.book as book_module

    calls = []
    real = book_module.pandoc_pass

    def spy(src, work, fmt, env, extra_meta, writer):
        signal = env.get("PRP_AST_READ_SIGNAL")
        calls.append((fmt, signal, [p.name for p in work.glob("html-read")]))
        return real(src, work, fmt, env, extra_meta, writer)

    monkeypatch.setattr(book_module, "pandoc_pass", spy)
    cache = tmp_path / "ast"
    render_book(book, "public", tmp_path / "first", ast_cache=cache)
    (html,) = [c for c in calls if c[0] == "html"]
    (pdf,) = [c for c in calls if c[0] == "pdf"]
    # nothing kept yet: the PDF pass started once the HTML pass had read
    # (and kept) every file, and reads them from the cache
    assert html[1] and pdf[2] == ["html-read"]
    calls.clear()
    render_book(book, "public", tmp_path / "second", ast_cache=cache)
    # parses kept: both passes start at once, nobody waits for a signal
    assert [c[1] for c in calls] == [None, None]
    same_files(tmp_path / "first", tmp_path / "second")


# ---------------------------------------------------------------- errors


@pytest.fixture()
def book(tmp_path):
    dest = tmp_path / "book"
    shutil.copytree(MINIBOOK, dest)
    return dest


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_appendices_are_lettered(book, tmp_path):
    (book / "extra.qmd").write_text(
        "# Method notes {#sec-method}\n\nSee @tbl-method, unlike @tbl-costs.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Sample sizes {#tbl-method}\n",
        encoding="utf-8",
    )
    _append(book / "_quarto-public.yml", "  appendices:\n    - extra.qmd\n")
    _append(book / "index.qmd", "\nThe method is in @sec-method.\n")
    out = tmp_path / "out"
    render_book(book, "public", out)
    text = body(out / "sec-method.html")
    assert "Appendix A. Method notes" in text and "Table A.1: Sample sizes" in text
    assert "See Table A.1, unlike Table 2.1." in text
    assert ">Appendix A</a>" in (out / "index.html").read_text(encoding="utf-8")
    assert ">Appendices</li>" in (out / "index.html").read_text(encoding="utf-8")


def test_link_to_a_chapter_outside_the_edition_is_an_error(book, tmp_path):
    _append(book / "chapters" / "two.qmd", "\nSee [the annex](../restricted/annex.qmd).\n")
    with pytest.raises(RenderError, match=r"restricted/annex\.qmd.*not part of this edition"):
        render_book(book, "public", tmp_path / "out")


def test_unknown_variable_names_file_and_key(book, tmp_path):
    _append(book / "chapters" / "two.qmd", "\nThe count was {{< var counts.nope >}}.\n")
    with pytest.raises(RenderError, match=r"chapters/two\.qmd.*counts\.nope"):
        render_book(book, "public", tmp_path / "out")


def test_unresolved_crossrefs_are_all_listed(book, tmp_path):
    _append(book / "chapters" / "one.qmd", "\nSee @fig-missing and [@tbl-gone].\n")
    with pytest.raises(RenderError) as err:
        render_book(book, "public", tmp_path / "out")
    assert "@fig-missing (chapters/one.qmd)" in str(err.value)
    assert "@tbl-gone (chapters/one.qmd)" in str(err.value)


def test_reference_to_restricted_chapter_fails_in_public_edition(book, tmp_path):
    _append(book / "chapters" / "two.qmd", "\nDetails are in @sec-annex.\n")
    with pytest.raises(RenderError, match="@sec-annex"):
        render_book(book, "public", tmp_path / "out")
    render_book(book, "restricted", tmp_path / "res")  # fine where the annex exists


def test_missing_include_names_including_file(book, tmp_path):
    (book / "snippets" / "nested.md").unlink()
    with pytest.raises(RenderError, match=r"snippets/detail\.md.*nested\.md"):
        render_book(book, "public", tmp_path / "out")
    _append(book / "chapters" / "one.qmd", "\n{{< include ../tables/absent.md >}}\n")
    with pytest.raises(RenderError, match=r"chapters/one\.qmd.*absent\.md"):
        render_book(book, "public", tmp_path / "out")


def test_hidden_content_is_not_read(book, tmp_path):
    _append(
        book / "chapters" / "one.qmd",
        '\n::: {.content-visible when-profile="restricted"}\n'
        "{{< include ../restricted/gone.md >}}\n{{< var secret.value >}}\n:::\n",
    )
    render_book(book, "public", tmp_path / "out")  # no error: neither is needed in public
    with pytest.raises(RenderError, match=r"chapters/one\.qmd.*secret\.value"):
        render_book(book, "restricted", tmp_path / "res")  # vars are expanded before includes
    _append(book / "_variables.yml", "secret:\n  value: 'x'\n")
    with pytest.raises(RenderError, match=r"chapters/one\.qmd.*gone\.md"):
        render_book(book, "restricted", tmp_path / "res")


def test_nested_format_conditions(book, tmp_path):
    """Content one format shows is in that format only, nested conditions
    too, and content that no rendered format shows is never read."""
    _append(
        book / "chapters" / "one.qmd",
        '\n::: {.content-visible when-format="pdf"}\n'
        "PRINT-VAR {{< var routes.main >}}"
        ' [PRINT-BUT-PUBLIC-HIDDEN]{.content-hidden when-profile="public"}\n:::\n'
        '\n::: {.content-hidden when-format="pdf"}\n'
        'WEB-OUTER [WEB-INNER-PDF-ONLY]{.content-visible when-format="pdf"} end\n:::\n'
        '\n::: {.content-visible when-format="docx"}\n{{< include ../gone.md >}}\n:::\n',
    )
    render_book(book, "public", tmp_path / "out")
    web, pdf = all_text(tmp_path / "out"), " ".join(pdf_pages(tmp_path / "out" / "report.pdf"))
    assert "PRINT-VAR" in pdf and "PRINT-VAR" not in web
    assert "PRINT-BUT-PUBLIC-HIDDEN" not in pdf + web
    assert "WEB-OUTER" in web and "WEB-OUTER" not in pdf
    assert "WEB-INNER-PDF-ONLY" not in web + pdf


def test_unknown_citation_and_missing_image(book, tmp_path):
    _append(book / "chapters" / "one.qmd", "\nAs argued [@nobody_2020_x].\n")
    with pytest.raises(RenderError, match="nobody_2020_x"):
        render_book(book, "public", tmp_path / "out")
    (book / "chapters" / "one.qmd").write_text(
        "# Routes {#sec-routes}\n\n![Cap](../figures/none.svg){#fig-routes}\n", encoding="utf-8"
    )
    with pytest.raises(RenderError, match=r"chapters/one\.qmd.*none\.svg"):
        render_book(book, "public", tmp_path / "out")


def test_failed_render_leaves_previous_output_alone(book, tmp_path):
    out = tmp_path / "out"
    render_book(book, "public", out)
    before = (out / "index.html").read_bytes()
    _append(book / "chapters" / "one.qmd", "\n@fig-nowhere\n")
    with pytest.raises(RenderError):
        render_book(book, "public", out)
    assert (out / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "out"]  # no staging left


def test_quarto_engine_without_quarto_is_a_clear_error(book, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(RenderError, match="quarto"):
        render_book(book, "public", tmp_path / "out", engine="quarto")
    assert not (tmp_path / "out").exists()


def test_a_filter_error_quarto_goes_on_after_fails_the_render(book, tmp_path):
    """Quarto prints an error raised in an extension's filter and exits 0
    with that filter's work undone: such a render is a failure."""
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'mkdir -p _book && echo "<html></html>" > _book/index.html\n'
        "echo pdf > _book/report.pdf\n"
        'echo "ERROR ([C]:-1) PRP-RENDER-ERROR: prp-rows: rows of \\"x\\" have no table" >&2\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    out = tmp_path / "out"
    with pytest.raises(RenderError, match='prp-rows: rows of "x" have no table'):
        render_book(book, "public", out, engine="quarto", quarto=str(fake))
    assert not out.exists()


# ------------------------------------------------------- synthetic markers

SYNTHETIC_NOTE = "Computed from invented test data."


def test_numbers_from_synthetic_data_carry_a_marker(book, tmp_path):
    """synthetic.lua: the variables listed in the metadata file get a dagger
    with a tooltip (HTML) and, at their first use in a part, a footnote (PDF);
    other values stay as they are."""
    (book / "_synthetic.yml").write_text(
        f"prp-synthetic:\n  note: {SYNTHETIC_NOTE}\n  variables: [counts.total]\n",
        encoding="utf-8",
    )
    _append(book / "_quarto.yml", "\nmetadata-files: [_synthetic.yml]\n")
    out = tmp_path / "out"
    render_book(book, "public", out)
    html = (out / "sec-routes.html").read_text(encoding="utf-8")
    value = re.search(r'data-var="counts\.total"[^>]*>1,234</(span|a)>\s*(<span[^>]*>)', html)
    assert value, "no marker after the synthetic value"
    assert 'class="prp-synthetic"' in value.group(2) and SYNTHETIC_NOTE in value.group(2)
    assert "<sup>‡</sup>" in html
    share = re.search(r'data-var="counts\.share"[^>]*>45\.0%</(span|a)>(.{0,40})', html)
    assert share and "prp-synthetic" not in share.group(2)
    pdf = " ".join(pdf_pages(out / "report.pdf"))
    assert "1,234‡" in pdf.replace(" ", "")
    # one footnote per part explains the mark: the value is used in two parts
    assert pdf.count(SYNTHETIC_NOTE) == 2


def test_a_listed_metadata_file_must_exist(book, tmp_path):
    _append(book / "_quarto.yml", "\nmetadata-files: [_synthetic.yml]\n")
    with pytest.raises(RenderError, match="_synthetic.yml"):
        render_book(book, "public", tmp_path / "out")
