"""Table 3.2 (table_transactional_crimes)."""

from __future__ import annotations

import pandas as pd
import pytest

from prp.artifacts.crimes import INTERACTION_COLUMNS
from prp.artifacts.crimes import interactions_table as transactional_table

ACTORS = pd.DataFrame(
    {
        "actor": ["tcos", "gangs", "smugglers"],
        "name": ["Transnational criminal organizations (TCOs)", "Gangs", "Human smugglers"],
    }
)
ENDNOTES = pd.DataFrame({"endnote": [64, 65], "key": ["dudley", "beast"], "locator": [None, None]})


def crimes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order": [2, 1],
            "crime": ["taxes", "human_smuggling"],
            "name": ["Taxes", "Human smuggling"],
            "typical_perpetrators": ["tcos;gangs", "smugglers"],
            "description": ["Groups charge a fee.", "Migrants hire a guide."],
            "endnote": ["65", "64"],
        }
    )


def test_rows_in_2018_order_with_perpetrators_and_citations():
    t = transactional_table(crimes(), ACTORS, ENDNOTES)
    assert list(t["crime"]) == ["human_smuggling", "taxes"]
    assert list(t.columns) == ["crime", *INTERACTION_COLUMNS]
    assert t.iloc[0]["Interaction"] == "**Human smuggling**"
    assert t.iloc[0]["Usual perpetrators"] == "Human smugglers"
    assert t.iloc[1]["Usual perpetrators"] == "TCOs and gangs"
    assert t.iloc[1]["What happens"] == "Groups charge a fee [@beast]."


def test_duplicate_positions_are_an_error():
    c = crimes()
    c["order"] = 1
    with pytest.raises(ValueError, match="position"):
        transactional_table(c, ACTORS, ENDNOTES)
