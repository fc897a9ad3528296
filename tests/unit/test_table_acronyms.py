"""The List of Acronyms: an unnumbered table."""

from __future__ import annotations

import pandas as pd
import pytest
from table_acronyms import UNLISTED_MARK, acronym_table, display_acronyms

from prp.artifacts.texttable import plain_table


@pytest.fixture
def acronyms() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "acronym": ["UN", "CBP", "ASEAN", "MS-13"],
            "name_es": [None, None, None, "Mara Salvatrucha"],
            "name_en": [
                "United Nations",
                "U.S. Customs and Border Protection",
                "Association",
                "Mara Salvatrucha",
            ],
            "listed_2018": [False, False, True, False],
        }
    )


def test_alphabetical_with_spanish_names(acronyms):
    t = acronym_table(acronyms)
    assert list(t["acronym"]) == ["ASEAN", "CBP", "MS-13", "UN"]
    assert list(t["name_es"]) == ["", "", "Mara Salvatrucha", ""]


def test_duplicates_rejected(acronyms):
    with pytest.raises(ValueError, match="UN"):
        acronym_table(pd.concat([acronyms, acronyms.iloc[[0]]]))


def test_display_marks_unlisted(acronyms):
    shown = display_acronyms(acronym_table(acronyms))
    assert list(shown.columns) == ["Acronym", "English name", "Spanish name"]
    assert shown.loc[0, "Acronym"] == "**ASEAN**"
    assert shown.loc[1, "Acronym"] == f"**CBP**{UNLISTED_MARK}"
    assert shown.loc[2, "Spanish name"] == "*Mara Salvatrucha*"


def test_unnumbered_markdown(acronyms):
    md = plain_table(display_acronyms(acronym_table(acronyms)), "Source: x.")
    assert "{#tbl-" not in md
    assert "\n: " not in md  # no caption line
    lines = md.split("\n")
    assert lines[0] == "| Acronym | English name | Spanish name |"
    assert sum(line.startswith("| **") for line in lines) == 4
    assert md.rstrip().endswith(":::") and "Source: x." in md


def test_2018_list_from_data(root):
    from prp.data.datapackage import resource
    from prp.data.validate import read_validated

    res = resource(root / "data", "acronyms")
    t = acronym_table(read_validated(root / "data" / res["path"], res))
    assert len(t) == 47
    assert t["listed_2018"].sum() == 37
    assert t["acronym"].str.casefold().is_monotonic_increasing
    assert t.set_index("acronym").loc["PF", "name_es"] == "Policía Federal"
