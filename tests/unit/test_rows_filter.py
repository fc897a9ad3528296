"""prp-rows.lua by itself, run by pandoc on the markdown rows_table writes:
the rows reach the table in HTML and in typst with every text escaped for
that output, addresses that would run code are not linked, and a listing
whose rows and table do not meet is an error, never an empty table."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import typst

from prp.artifacts.tables import rows_table
from prp.render.pandoc import pandoc_command
from tests.pdftext import page_texts

FILTER = Path(__file__).resolve().parents[2] / "report/_extensions/prp/filters/prp-rows.lua"
# as the renderer reads a generated snippet (source.lua: no raw HTML or typst)
SAFE_READER = "markdown-raw_html-raw_tex-raw_attribute"
# a header line longer than pandoc's 72 columns: the rule's dashes set the widths
COLUMNS = ["Event", "Place where the event happened, as recorded", "Label of the source"]
HOSTILE = [
    "<script>alert(1)</script>",
    "a & b \"quoted\" 'single'",
    "back\\slash #sys.version *bold* $x$ @ref <lab> ] [ `tick` // note",
]


def listing(rows: list[list[object]], table_id: str = "list") -> str:
    align = ["l", "l", "l"]
    return rows_table(COLUMNS, rows, table_id, "A Listing", "Source: x.", align, [1, 2, 3])


def run(markdown: str, fmt: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    writer = "html" if fmt == "html" else "typst"
    return subprocess.run(
        pandoc_command(["-f", SAFE_READER, "-t", writer, "--lua-filter", str(FILTER)]),
        input=markdown,
        capture_output=True,
        text=True,
        env={**os.environ, "PRP_RENDER_FORMAT": fmt},
        check=check,
    )


ROWS: list[list[object]] = [
    [{"strong": "Chiapas <b>"}, "", ""],
    ["000001", HOSTILE[0], {"text": HOSTILE[1], "href": "https://example.invalid/a?b=1&c=2"}],
    ["000002", HOSTILE[2], {"text": "run me", "href": "javascript:alert(1)"}],
]


def test_html_rows_are_escaped_text_and_only_web_addresses_are_links():
    html = run(listing(ROWS), "html").stdout
    assert "prp-rows" not in html and "&quot;strong&quot;" not in html  # the data became the rows
    assert html.count("<tr>") == 1 + len(ROWS)
    assert '<col style="width: 17%" />' in html
    assert '<th style="text-align: left;">Event</th>' in html
    assert "<strong>Chiapas &lt;b&gt;</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b &quot;quoted&quot; &#39;single&#39;" in html
    assert '<a href="https://example.invalid/a?b=1&amp;c=2">' in html
    assert "javascript:" not in html and '<td style="text-align: left;">run me</td>' in html
    assert "`tick`" in html  # a backtick in the data cannot close the code fence


def test_typst_rows_are_strings_and_compile_to_the_same_text(tmp_path):
    body = run(listing(ROWS), "pdf").stdout
    assert "prp-rows" not in body
    assert 'strong("Chiapas <b>")' in body
    assert 'link("https://example.invalid/a?b=1&c=2", ' in body
    assert "javascript" not in body
    source = tmp_path / "t.typ"
    source.write_text(body, encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(typst.compile(str(source), root=str(tmp_path), ignore_system_fonts=False))
    text = " ".join(" ".join(page_texts(pdf)).split())
    for hostile in HOSTILE:  # shown as written: no markup, code or math ran
        assert " ".join(hostile.split()) in text, hostile
    assert "run me" in text


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_listing_without_its_rows_or_rows_without_a_table_fail(fmt):
    md = listing(ROWS)
    table, _, rows = md.partition("``` {.prp-rows")
    no_rows = run(table, fmt, check=False)
    assert no_rows.returncode != 0 and 'table "list" has no rows block' in no_rows.stderr
    stray = run("Text.\n\n``` {.prp-rows" + rows, fmt, check=False)
    assert stray.returncode != 0 and 'rows of "list" have no table' in stray.stderr
    short = run(listing(ROWS).replace('["000001", ', '["000001", "extra", '), fmt, check=False)
    assert short.returncode != 0 and "every row must have 3 cells" in short.stderr


def test_rows_table_refuses_rows_of_the_wrong_width():
    with pytest.raises(ValueError, match="row 2 has 2 cells"):
        listing([["a", "b", "c"], ["a", "b"]])
