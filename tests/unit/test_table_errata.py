"""The appendix table of findings about the 2018 print and its numbers."""

from __future__ import annotations

import pandas as pd
import pytest
from numbers_errata import errata_numbers
from table_errata import (
    CLASSES,
    COLUMNS,
    breakable,
    confidence_note,
    display_errata,
    display_value,
    errata_table,
    reading_order,
)

from prp.artifacts.fmt import english_list, number_word
from prp.artifacts.texttable import escape_dollars

FIELDS = [
    "check",
    "location",
    "quantity",
    "printed",
    "recomputed",
    "status",
    "explanation",
    "source",
    "finding",
    "class",
    "confidence",
    "evidence",
    "evidence_value",
    "treatment",
]


def frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    defaults = {"status": "differs", "class": "print error", "confidence": "firm"}
    return pd.DataFrame([{c: r.get(c, defaults.get(c, "")) for c in FIELDS} for r in rows])


@pytest.fixture
def errata() -> pd.DataFrame:
    return frame(
        [
            {
                "check": "share",
                "location": "Part 1, p. 2, Table 1.2 / Guatemala / Percent",
                "quantity": "t12_gt_pct",
                "printed": "35%",
                "recomputed": "34.4564",
                "explanation": "Rounded up.",
                "source": "report_2018",
                "finding": "F004",
            },
            {
                "check": "recompute",
                "location": "Part 3, p. 14, Table 3.4 / TOTAL / Revenue",
                "quantity": "t34_total",
                "printed": "134.7 million",
                "recomputed": "134940000.0",
                "explanation": "Inputs multiply out.",
                "source": "report_2018",
                "finding": "F005",
                "confidence": "likely: an earlier input is not printed",
            },
            {
                "check": "recompute",
                "location": "Part 1, p. 2, Table 1.2 / Guatemala / Percent",
                "quantity": "t12_gt_pct",
                "printed": "35%",
                "recomputed": "37.5398",
                "explanation": "CBP.",
                "source": "cbp",
                "finding": "F003",
            },
            {
                "check": "duplicate value",
                "location": "Part 1, p. 2, Table 1.2 / Honduras / FY2016",
                "quantity": "t12_hn_16",
                "printed": "90,968",
                "explanation": "Twice.",
                "source": "cbp",
                "finding": "F002",
                "evidence_value": "printed in FY2014 and FY2016",
                "treatment": "corrected; listed in Appendix A",
            },
            {
                "check": "recompute",
                "location": "Part 1, p. 2, Table 1.2 / Honduras / FY2016",
                "quantity": "t12_hn_16",
                "printed": "90,968",
                "recomputed": "52952.0",
                "explanation": "CBP.",
                "source": "cbp",
                "finding": "F001",
            },
            {
                "check": "reading",
                "location": "Endnote 27",
                "quantity": "endnote_27_url",
                "printed": "address ending _a_road_ma...pdf",
                "explanation": "a truncated address",
                "source": "plan_2014; cuellar_house",
                "finding": "F007",
                "class": "ambiguity",
                "evidence": "the full address",
                "evidence_value": "https://x.invalid/a_road_map.pdf",
                "treatment": "bibliography gives the full address",
            },
            {
                "check": "reading",
                "location": "Executive Summary, p. xi, para 2",
                "quantity": "es_x",
                "printed": "over 350,000",
                "explanation": "",
                "source": "report_2018",
                "finding": "F006",
                "class": "ambiguity",
                "confidence": "unsettled: the endnote names no table",
                "evidence_value": "327,984",
            },
        ]
    )


def test_values_written_like_the_print():
    assert display_value("35%", "34.4564") == "34.5%"
    assert display_value("20.5 million", "20660000.0") == "20.66 million"
    assert display_value("134.7 million", "134800000.0") == "134.8 million"
    assert display_value("58,814", "33445.0") == "33,445"
    assert display_value("90,968", "") == "–"


def test_a_printed_year_is_shown_as_a_year():
    assert display_value("2005", 2015.0) == "2015"
    assert display_value("2011", "2012.0") == "2012"


@pytest.mark.parametrize(
    ("location", "order"),
    [
        ("List of Acronyms, p. vii / BORSTAR", (0, 7)),
        ("Title page and Foreword, p. ix", (0, 9)),
        ("Executive Summary, p. xi, para 2", (0, 11)),
        ("Part 1, p. 2, Table 1.2 / Honduras / FY2015", (1, 2)),
        ("Part 3, p. 15-17, Figures 3.1-3.4", (1, 15)),
        ("Part 4, p. 27-30, Table 4.1 / x", (1, 27)),
        ("Endnotes 6, 35, 41", (2, 6)),
        ("Endnote 85", (2, 85)),
        ("Somewhere else", (3, 0)),
    ],
)
def test_reading_order_of_the_2018_book(location, order):
    assert reading_order(location) == order


def test_grouped_by_class_then_in_book_order(errata):
    t = errata_table(errata)
    assert list(t["finding"]) == ["F001", "F002", "F003", "F004", "F005", "F006", "F007"]
    assert list(t["class"]) == ["print error"] * 5 + ["ambiguity"] * 2


def test_display_has_a_heading_row_per_class_with_its_count(errata):
    shown = display_errata(errata_table(errata))
    assert list(shown.columns) == COLUMNS
    headings = shown[shown[COLUMNS[1]] == ""][COLUMNS[0]].tolist()
    assert headings == ["**Print errors: 5 findings**", "**Ambiguities: 2 findings**"]
    rows = shown[shown[COLUMNS[1]] != ""]
    assert len(rows) == len(errata)
    assert list(rows["Evidence gives"]) == [
        "52,952",
        "printed in FY2014 and FY2016",  # nothing recomputed: the register's words
        "37.5%",
        "34.5%",
        "134.94 million",
        "327,984",
        "https://<wbr>x.<wbr>invalid/<wbr>a\\_<wbr>road\\_<wbr>map.<wbr>pdf",  # breakable in HTML
    ]
    where = rows[COLUMNS[0]].tolist()
    assert where[0] == "Part 1, p. 2, Table 1.2 / Honduras / FY2016 (F001; against the data)"
    assert where[-1] == "Endnote 27 (F007; read against the sources)"


def test_explanation_carries_treatment_and_confidence(errata):
    rows = display_errata(errata_table(errata)).set_index(COLUMNS[0])
    dup = rows.loc["Part 1, p. 2, Table 1.2 / Honduras / FY2016 (F002; repeated value)"]
    assert dup["Explanation"] == "Twice. This edition: corrected."  # "listed in Appendix A" dropped
    total = rows.loc["Part 3, p. 14, Table 3.4 / TOTAL / Revenue (F005; against the data)"]
    assert total["Explanation"].endswith("*Confidence: likely* — An earlier input is not printed.")
    endnote = rows.loc["Endnote 27 (F007; read against the sources)"]
    assert endnote["Explanation"] == (
        "A truncated address. This edition: bibliography gives the full address."
    )
    # every key of the evidence is cited, and register text is escaped
    assert endnote["Evidence"] == "The full address. [@plan_2014; @cuellar_house]"
    assert endnote["Printed"].replace("<wbr>", "") == "address ending \\_a\\_road\\_ma...pdf"


def test_long_words_may_break_in_html():
    url = "http://example.org/a?b=c&d=e"
    expected = "http://<wbr>example.<wbr>org/<wbr>a?<wbr>b=<wbr>c&<wbr>d=<wbr>e"
    assert breakable(f"a {url} b") == f"a {expected} b"
    assert breakable("short/words/stay") == "short/words/stay"


def test_confidence_note():
    assert confidence_note("firm") == ""
    assert confidence_note("likely") == "*Confidence: likely*."
    assert confidence_note("possible: not checked") == "*Confidence: possible* — Not checked."


def test_dollar_signs_escaped(errata):
    money = errata.assign(explanation="400,000 × 1% × US$5,165 is US$20.66 million.")
    shown = display_errata(errata_table(money))
    assert shown.loc[1, "Explanation"] == "400,000 × 1% × US\\$5,165 is US\\$20.66 million."
    assert escape_dollars("US\\$5 and US$6") == "US\\$5 and US\\$6"


def test_unknown_check_or_class_is_an_error(errata):
    with pytest.raises(ValueError, match="mystery"):
        errata_table(pd.concat([errata, frame([{"check": "mystery", "location": "x"}])]))
    with pytest.raises(ValueError, match="typo"):
        errata_table(pd.concat([errata, frame([{"check": "reading", "class": "typo"}])]))


def test_every_class_has_a_heading():
    assert list(CLASSES) == [
        "print error",
        "ambiguity",
        "silent correction made here",
        "update beyond June 2018",
        "not yet reviewed",
    ]


def test_numbers(errata):
    comparisons = errata[errata["check"] != "reading"]
    reconciliation = pd.concat(
        [
            comparisons,
            frame(
                [
                    {"check": "recompute", "quantity": "t11_a", "status": "ok"},
                    {"check": "recompute", "quantity": "t11_b", "status": "ok"},
                    {"check": "recompute", "quantity": "t11_c", "status": "not recomputed"},
                    {"check": "row total", "quantity": "t11_a", "status": "ok"},
                ]
            ),
        ],
        ignore_index=True,
    )
    n = errata_numbers(reconciliation, errata)
    assert n["printed_values"] == "6"  # t12_gt_pct, t34_total, t12_hn_16, t11_a, t11_b, t11_c
    assert (n["agree"], n["differ"], n["not_recomputed"], n["recomputed"]) == ("2", "3", "1", "5")
    assert (n["internal_checks"], n["internal_differ"]) == ("3", "2")
    assert (n["entries"], n["quantities"]) == ("5", "3")
    assert (n["findings"], n["findings_read"], n["findings_firm"]) == ("7", "2", "5")
    assert (n["class_print_error"], n["class_ambiguity"]) == ("5", "2")
    assert (n["class_silent_correction"], n["class_update"]) == ("0", "0")
    assert (n["t12_quantities"], n["t34_quantities_word"]) == ("2", "one")
    assert "es_quantities" not in n  # findings made by reading are not comparisons
    assert n["t12_hn_16_printed"] == "90,968"
    assert n["t12_hn_16_recomputed"] == "52,952"
    assert n["t34_total_recomputed"] == "134.94 million"


def test_number_word_and_english_list():
    assert number_word(0) == "zero" and number_word(10) == "ten"
    assert number_word(11) == "11" and number_word(1200) == "1,200"
    assert english_list(["a"]) == "a" and english_list(["a", "b"]) == "a and b"
    assert english_list(["a", "b", "c"]) == "a, b and c"
