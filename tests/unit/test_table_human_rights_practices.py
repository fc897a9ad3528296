"""Table 4.2 (human rights-based practices)."""

from __future__ import annotations

import pandas as pd
import pytest
from table_human_rights_practices import attribution_note, display_practices, practices_table

ENDNOTES = pd.DataFrame({"endnote": [124, 125], "key": ["fra_2017", "fra_2017"]})


@pytest.fixture
def practices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order": [2, 1],
            "country": ["Finland", "Greece"],
            "locality": [None, "Athens"],
            "practice": ["Diverse recruitment", "Training"],
            "description": ["Recruiters look for languages.", "Officers are taught."],
            "endnote": ["124", "124;125"],
            "endnote_basis": ["inferred", "inferred"],
        }
    )


def test_order_and_display(practices):
    t = practices_table(practices, ENDNOTES)
    assert list(t["country"]) == ["Greece", "Finland"]
    shown = display_practices(t)
    assert list(shown.columns) == ["Country", "Practice"]
    assert list(shown["Country"]) == ["Greece (Athens)", "Finland"]
    assert shown.loc[1, "Practice"] == "**Diverse recruitment.** Recruiters look for languages."


def test_attribution_note(practices):
    t = practices_table(practices, ENDNOTES)
    note = attribution_note(t)
    assert note.startswith("The practices are those reported in [@fra_2017]")
    assert "names no source" in note
    sourced = t.assign(basis=["table", "table"])
    assert "names no source" not in attribution_note(sourced)
    assert attribution_note(t.assign(keys=["", ""])) == ""


def test_2018_table_from_data(root):
    from prp.data.datapackage import resource
    from prp.data.validate import read_validated

    def read(name):
        res = resource(root / "data", name)
        return read_validated(root / "data" / res["path"], res)

    t = practices_table(read("human_rights_practices"), read("endnotes"))
    assert list(t["country"]) == ["Greece", "Bulgaria", "Finland", "Sweden", "Denmark"]
    assert set(t["keys"]) == {"fra_2017_current"}
