"""prp.render.preview: the pure parts of the one-page preview (splicing a
chapter's body into the full build's page, links to other pages)."""

from __future__ import annotations

import pytest

from prp.render.config import RenderError
from prp.render.preview import link_other_pages, splice, write_atomic

SHELL = """<html><body><nav>sidebar</nav>
<!--prp:body-->
<h1 data-number="4" id="sec-police">Old</h1>
<h2 data-number="4.1" id="sec-police-laws">Laws</h2>
<!--/prp:body-->
<!--prp:page-nav-->nav<!--/prp:page-nav-->
</body></html>"""


def test_splice_keeps_the_shell_and_numbers_sections_as_the_book_does():
    body = (
        '\n<h1 data-number="1" id="sec-police">New</h1>\n'
        '<h2 data-number="1.1" id="sec-police-laws">Laws</h2>\n'
        '<h2 data-number="1.2" id="sec-police-more">More</h2>\n'
    )
    page = splice(SHELL, body, "sec-police.html")
    assert page.startswith("<html><body><nav>sidebar</nav>\n<!--prp:body-->")
    assert page.endswith(
        "<!--/prp:body-->\n<!--prp:page-nav-->nav<!--/prp:page-nav-->\n</body></html>"
    )
    assert '<h1 data-number="4" id="sec-police">New</h1>' in page
    assert 'data-number="4.1"' in page and 'data-number="4.2"' in page
    assert "Old" not in page


def test_splice_refuses_a_page_without_markers():
    with pytest.raises(RenderError, match="prp:body"):
        splice("<html></html>", "<p>x</p>", "x.html")


def test_links_to_ids_of_other_pages_point_at_those_pages():
    body = '<p id="here"><a href="#here">a</a> <a href="#fig-x">b</a> <a href="#nowhere">c</a></p>'
    out = link_other_pages(body, {"fig-x": "sec-background.html", "here": "other.html"})
    assert 'href="#here"' in out  # on this page
    assert 'href="sec-background.html#fig-x"' in out
    assert 'href="#nowhere"' in out  # unknown: left for the full build to report


def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "o" / "p.html"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["p.html"]
