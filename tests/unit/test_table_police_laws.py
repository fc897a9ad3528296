"""Table 4.1 (laws and policies) and the text-table helpers it uses."""

from __future__ import annotations

import pandas as pd
import pytest
from table_police_laws import (
    COLUMNS,
    NO_UNIT,
    blank_unit_note,
    display_police_laws,
    police_laws_table,
    text_cell,
    unit_label,
)

from prp.artifacts.texttable import citation, endnote_numbers, keys_for, with_widths

ENDNOTES = pd.DataFrame({"endnote": [1, 2, 2, 3], "key": ["a_2017", "b_2011", "c_2012", "a_2017"]})


@pytest.fixture
def laws() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order": [3, 1, 2],
            "instrument": ["ley", "const", "const"],
            "instrument_es": ["Ley X", "Constitución", "Constitución"],
            "instrument_en": ["Law X", "Constitution", "Constitution"],
            "year": [2011, 1917, 1917],
            "article_type": ["clause", "article", None],
            "article": ["2.2.a", "11", None],
            "provision": ["Summary three.", "Summary one.", "Summary two."],
            "implication": ["Meaning three.", "Meaning one.", "Meaning two."],
            "quotation": [None, "“Full sentence quoted.”", "“a fragment”"],
            "endnote": ["2", "1", "1"],
        }
    )


def test_unit_labels():
    assert unit_label("article", "33") == "Article 33"
    assert unit_label("section", "5.1.2") == "Section 5.1.2"
    assert unit_label("clause", "2.2.a") == "Clause 2.2.a"
    assert unit_label(None, None) == NO_UNIT
    assert unit_label("", "") == NO_UNIT


def test_text_cell_prefers_full_quotations():
    assert text_cell("Summary.", "“Whole sentence.”") == "“Whole sentence.”"
    assert text_cell("Summary.", "“part of it”") == "Summary. In the text: “part of it”"
    assert text_cell("Summary.", None) == "Summary."
    assert text_cell("Summary.", "") == "Summary."


def test_table_order_keys_and_quotations(laws):
    t = police_laws_table(laws, ENDNOTES)
    assert list(t["order"]) == [1, 2, 3]
    assert list(t["provision"]) == ["Article 11", NO_UNIT, "Clause 2.2.a"]
    assert list(t["quoted"]) == [True, True, False]
    assert list(t["keys"]) == ["a_2017", "a_2017", "b_2011;c_2012"]
    assert t.loc[0, "text"] == "“Full sentence quoted.”"
    assert t.loc[2, "text"] == "Summary three."


def test_display_names_each_law_once_with_citation(laws):
    shown = display_police_laws(police_laws_table(laws, ENDNOTES))
    assert list(shown.columns) == COLUMNS
    assert shown.iloc[0, 0] == "Constitution (*Constitución*) [@a_2017]"
    assert shown.iloc[0, 1] == "1917"
    assert shown.iloc[1, 0] == "" and shown.iloc[1, 1] == ""
    assert shown.iloc[2, 0] == "Law X (*Ley X*) [@b_2011; @c_2012]"
    assert shown.iloc[2, 1] == "2011"


def test_note_on_blank_provisions(laws):
    t = police_laws_table(laws, ENDNOTES)
    assert blank_unit_note(t) == (
        "A dash marks the one provision of the Constitution"
        " for which the 2018 table names no article."
    )
    two = police_laws_table(laws.assign(article_type=None, article=None), ENDNOTES)
    assert blank_unit_note(two).startswith(
        "A dash marks three provisions of the Constitution and the Law X"
    )
    assert blank_unit_note(t[t["provision"] != NO_UNIT]) == ""


def test_endnote_helpers():
    assert endnote_numbers("124;125") == [124, 125]
    assert endnote_numbers("7") == [7]
    assert endnote_numbers(None) == []
    assert endnote_numbers(float("nan")) == []
    assert keys_for(ENDNOTES, [3, 1, 2]) == ["a_2017", "b_2011", "c_2012"]
    with pytest.raises(KeyError, match="endnote 9"):
        keys_for(ENDNOTES, [9])
    assert citation(["a", "b"]) == "[@a; @b]"
    assert citation([]) == ""


def test_widths_follow_weights():
    md = "| A | B |\n|:---|---:|\n| x | y |\n\n: Cap {#tbl-t}\n"
    out = with_widths(md, [1, 3], ["l", "r"])
    rule = out.split("\n")[1]
    left, right = rule.strip("|").split("|")
    assert left.startswith(":") and right.endswith(":")
    assert right.count("-") == 3 * left.count("-")
    assert out.split("\n")[0] == "| A | B |"
    assert ': Cap {#tbl-t tbl-colwidths="[25,75]"}' in out
    plain = "| A | B |\n|:---|---:|\n| x | y |\n"
    assert "tbl-colwidths" not in with_widths(plain, [1, 3], ["l", "r"])
    with pytest.raises(ValueError):
        with_widths(md, [1, 2, 3], ["l", "l", "l"])


def test_2018_table_from_data(root):
    from prp.data.datapackage import resource
    from prp.data.validate import read_validated

    def read(name):
        res = resource(root / "data", name)
        return read_validated(root / "data" / res["path"], res)

    t = police_laws_table(read("police_laws_policies"), read("endnotes"))
    assert len(t) == 24
    assert t["law"].nunique() == 6
    # Every quotation of the data reaches the table verbatim.
    laws = read("police_laws_policies")
    for quote in laws["quotation"].dropna():
        assert t["text"].str.contains(quote, regex=False).any(), quote
    assert (
        dict(zip(t["law"], t["keys"], strict=True))["Mexican Constitution"] == "gomez_2017_mexicos"
    )
    shown = display_police_laws(t)
    assert (shown["Law or policy"] != "").sum() == 6
