"""The appendix table of differences from the 2018 print and its numbers."""

from __future__ import annotations

import pandas as pd
import pytest
from numbers_errata import errata_numbers
from table_errata import COLUMNS, display_errata, display_value, errata_table

from prp.artifacts.fmt import english_list, number_word
from prp.artifacts.texttable import escape_dollars


def frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    cols = [
        "check",
        "location",
        "quantity",
        "printed",
        "recomputed",
        "status",
        "explanation",
        "source",
    ]
    return pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows])


@pytest.fixture
def errata() -> pd.DataFrame:
    return frame(
        [
            {
                "check": "share",
                "location": "Table 1.2 / Guatemala / Percent",
                "quantity": "t12_gt_pct",
                "printed": "35%",
                "recomputed": "34.4564",
                "status": "differs",
                "explanation": "Rounded up.",
                "source": "report_2018",
            },
            {
                "check": "recompute",
                "location": "Table 3.4 / TOTAL / Revenue",
                "quantity": "t34_total",
                "printed": "134.7 million",
                "recomputed": "134940000.0",
                "status": "differs",
                "explanation": "Inputs multiply out.",
                "source": "report_2018",
            },
            {
                "check": "recompute",
                "location": "Table 1.2 / Guatemala / Percent",
                "quantity": "t12_gt_pct",
                "printed": "35%",
                "recomputed": "37.5398",
                "status": "differs",
                "explanation": "CBP.",
                "source": "cbp",
            },
            {
                "check": "duplicate value",
                "location": "Table 1.2 / Honduras / FY2016",
                "quantity": "t12_hn_16",
                "printed": "90,968",
                "recomputed": "",
                "status": "differs",
                "explanation": "Twice.",
                "source": "cbp",
            },
            {
                "check": "recompute",
                "location": "Table 1.2 / Honduras / FY2016",
                "quantity": "t12_hn_16",
                "printed": "90,968",
                "recomputed": "52952.0",
                "status": "differs",
                "explanation": "CBP.",
                "source": "cbp",
            },
        ]
    )


def test_values_written_like_the_print():
    assert display_value("35%", "34.4564") == "34.5%"
    assert display_value("20.5 million", "20660000.0") == "20.66 million"
    assert display_value("134.7 million", "134800000.0") == "134.8 million"
    assert display_value("58,814", "33445.0") == "33,445"
    assert display_value("90,968", "") == "–"


def test_order_and_display(errata):
    t = errata_table(errata)
    assert list(zip(t["location"], t["check"], strict=True)) == [
        ("Table 1.2 / Guatemala / Percent", "recompute"),
        ("Table 1.2 / Guatemala / Percent", "share"),
        ("Table 1.2 / Honduras / FY2016", "recompute"),
        ("Table 1.2 / Honduras / FY2016", "duplicate value"),
        ("Table 3.4 / TOTAL / Revenue", "recompute"),
    ]
    shown = display_errata(t)
    assert list(shown.columns) == COLUMNS
    assert list(shown["Recomputed"]) == ["37.5%", "34.5%", "52,952", "–", "134.94 million"]
    assert list(shown["Source"]) == [
        "[@cbp]",
        "[@report_2018]",
        "[@cbp]",
        "[@cbp]",
        "[@report_2018]",
    ]


def test_dollar_signs_escaped(errata):
    money = errata.assign(explanation="400,000 × 1% × US$5,165 is US$20.66 million.")
    shown = display_errata(errata_table(money))
    assert shown.loc[0, "Explanation"] == "400,000 × 1% × US\\$5,165 is US\\$20.66 million."
    assert escape_dollars("US\\$5 and US$6") == "US\\$5 and US\\$6"


def test_unknown_check_is_an_error(errata):
    with pytest.raises(ValueError, match="mystery"):
        errata_table(pd.concat([errata, frame([{"check": "mystery", "location": "x"}])]))


def test_numbers(errata):
    reconciliation = pd.concat(
        [
            errata,
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
    assert (n["entries"], n["quantities"], n["tables"], n["tables_word"]) == ("5", "3", "2", "two")
    assert (n["t12_quantities"], n["t34_quantities_word"]) == ("2", "one")
    assert n["t12_hn_16_printed"] == "90,968"
    assert n["t12_hn_16_recomputed"] == "52,952"
    assert n["t34_total_recomputed"] == "134.94 million"


def test_number_word_and_english_list():
    assert number_word(0) == "zero" and number_word(10) == "ten"
    assert number_word(11) == "11" and number_word(1200) == "1,200"
    assert english_list(["a"]) == "a" and english_list(["a", "b"]) == "a and b"
    assert english_list(["a", "b", "c"]) == "a, b and c"
