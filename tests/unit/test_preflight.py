"""Pure parts of the preflight (prp.tools.preflight, prp.tools.pdfread): the
content-stream reader on hand-written streams, and the text rules. The
checks on real PDFs and pages are in tests/integration/test_preflight.py."""

from __future__ import annotations

from pathlib import Path

from prp.tools import pdfread
from prp.tools import preflight as pf


def test_tokens_keep_strings_whole_and_split_glued_delimiters():
    toks = pdfread.tokens(b"/Span<</MCID 3>>BDC BT 1 0 0 -1 0 0 Tm[(a (b) c)-7(\\))]TJ ET EMC")
    assert toks[:4] == [b"/Span", b"<<", b"/MCID", b"3"]
    assert toks.count(pdfread._STR) == 2
    assert b"TJ" in toks and b"EMC" in toks


def test_interpret_places_text_and_drawing_by_marked_content():
    content = (
        b"/Artifact<</Type/Pagination/Subtype/Header>>BDC\n"
        b"q 1 0 0 -1 72 740 cm BT /f0 9 Tf 1 0 0 -1 0 0 Tm (x)Tj ET Q\nEMC\n"
        b"/P<</MCID 0>>BDC\n"
        b"q 1 0 0 -1 72 700 cm BT /f0 11 Tf 1 0 0 -1 0 0 Tm (y)Tj ET Q\nEMC\n"
        b"/Figure<</MCID 1>>BDC\n"
        b"q 0 0 100 100 re W n 10 10 m 500 500 l S Q\n"  # clipped to 100 x 100
        b"EMC\n"
    )
    runs, marked = pdfread.interpret(content, None, 792.0)
    assert [(r.key, round(r.y), round(r.size)) for r in runs] == [
        (("artifact", "/Pagination", "/Header"), 52, 9),
        (("mcid", 0), 92, 11),
    ]
    fig = marked[("mcid", 1)].box
    assert fig is not None and [round(v) for v in fig] == [10, 692, 100, 782]


def test_norm_joins_soft_hyphens_and_unifies_dashes():
    assert pf.norm("Ameri\u00ad can  Migration — “here”") == 'American Migration - "here"'
    assert (
        pf.bare("Organized Crime: and Central-American") == "organized crime and central american"
    )


def test_ranges_and_spans():
    assert pf.ranges([1, 2, 3, 7, 9, 10]) == "1–3, 7, 9–10"
    assert pf.page_span([4]) == "p. 4" and pf.page_span([5, 4]) == "pp. 4–5"


def test_source_problems_name_one_work_twice():
    cites = pf.Citations(
        short={"lbj": {"Leutert 2018b", "2018b"}, "ne": {"Natural Earth, n.d."}},
        titles={
            "lbj": "Organized Crime and Central American Migration in Mexico",
            "ne": "Natural Earth",
        },
    )
    line = pf.norm(
        "Source: Organized Crime and Central American Migration in Mexico "
        "(Leutert 2018b, Table 3.1); Natural Earth, Railroads (Natural Earth, n.d.); "
        "Natural Earth, States (Natural Earth, n.d.)."
    )
    keys = [k for k, _ in pf.cited(line, cites)]
    assert keys == ["lbj", "ne", "ne"]
    problems = pf.source_problems(line, keys, cites)
    assert any("cites “Natural Earth, n.d.” 2 times" in p for p in problems)
    assert any("writes out the title" in p and "“Leutert 2018b”" in p for p in problems)
    # a one-word title is no evidence of a second naming
    assert not any("Natural Earth, n.d.”" in p and "title" in p for p in problems)
    short = pf.norm(
        "Source: U.S. Customs and Border Protection (U.S. Customs and Border Protection, n.d.)."
    )
    assert pf.source_problems(short, [], cites) == []


def test_bib_titles_strip_braces(tmp_path):
    bib = tmp_path / "r.bib"
    bib.write_text(
        "@report{a_2018,\n  title = {{Organized Crime} and {Migration}},\n  year={2018},\n}\n"
        '@misc{b, title = "Plain Title", }\n',
        encoding="utf-8",
    )
    assert pf.bib_titles(bib) == {"a_2018": "Organized Crime and Migration", "b": "Plain Title"}


def test_svg_labels_tell_text_from_outlines(tmp_path):
    svg = tmp_path / "f.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<g id="text_1"><text x="0" y="10">Tapachula</text></g>'
        '<g id="text_2"><!-- Arriaga --><g><defs><path id="F-41" d="M0 0L1 1z"/></defs>'
        '<use xlink:href="#F-41"/></g></g>'
        '<g id="patch_1"><path d="M0 0L5 5z"/></g></svg>',
        encoding="utf-8",
    )
    assert pf.svg_labels(svg) == (["Tapachula"], ["Arriaga"])


def test_marking_is_removed_word_by_word():
    words = [
        pdfread.Word(1, 0, 0, 1, 1, t, ("artifact", "/Pagination", "/Header"))
        for t in ["RESTRICTED", "—", "for", "the", "Police", "Title"]
    ]
    left = pf.without_marking(words, "RESTRICTED — for the Police")
    assert [w.text for w in left] == ["Title"]


def test_edition_marking_comes_from_the_profile(tmp_path):
    (tmp_path / "_quarto-restricted.yml").write_text(
        'edition:\n  name: R\n  marking: "RESTRICTED — x"\n', encoding="utf-8"
    )
    assert pf.edition_marking(tmp_path, "restricted") == "RESTRICTED — x"
    assert pf.edition_marking(tmp_path, "public") is None
    root = Path(__file__).resolve().parents[2] / "report"
    assert pf.edition_marking(root, "restricted")
    assert pf.edition_marking(root, "public") is None
