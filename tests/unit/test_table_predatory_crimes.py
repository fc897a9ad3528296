"""Table 3.3 (table_predatory_crimes)."""

from __future__ import annotations

import pandas as pd

from prp.artifacts.crimes import interactions_table as predatory_table

ACTORS = pd.DataFrame(
    {
        "actor": ["tcos", "gangs", "local_actors", "smugglers"],
        "name": [
            "Transnational criminal organizations (TCOs)",
            "Gangs",
            "Local actors",
            "Human smugglers",
        ],
    }
)
ENDNOTES = pd.DataFrame({"endnote": [72], "key": ["dudley"], "locator": [None]})


def test_rows_without_endnote_have_no_citation():
    crimes = pd.DataFrame(
        {
            "order": [1, 2],
            "crime": ["kidnapping", "robbery"],
            "name": ["Kidnapping", "Robbery"],
            "typical_perpetrators": ["tcos", "local_actors;gangs;tcos"],
            "description": ["Ransom is demanded.", "Belongings are taken."],
            "endnote": ["72", None],
        }
    )
    t = predatory_table(crimes, ACTORS, ENDNOTES)
    assert list(t["What happens"]) == ["Ransom is demanded [@dudley].", "Belongings are taken."]
    assert t.iloc[1]["Usual perpetrators"] == "Local actors, gangs and TCOs"
