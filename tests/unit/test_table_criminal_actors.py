"""Table 3.1 (table_criminal_actors) and the helpers in prp.artifacts.crimes."""

from __future__ import annotations

import pandas as pd
import pytest
from table_criminal_actors import COLUMNS, actors_table

from prp.artifacts.crimes import (
    citation,
    endnote_keys,
    perpetrators,
    set_widths,
    short_name,
    with_citation,
)

ENDNOTES = pd.DataFrame(
    {
        "endnote": [59, 60, 61, 62, 62],
        "key": ["beast", "beast", "vice", "asmann", "extra"],
        "locator": [None, None, "p. 4", None, None],
    }
)


def actors() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order": [2, 1, 3],
            "actor": ["gangs", "local_actors", "smugglers"],
            "name": ["Gangs", "Local actors", "Human smugglers"],
            "in_table_3_1": [True, True, False],
            "examples": ["MS-13; Barrio 18", None, None],
            "scale": ["Organized.", "Small.", "Hired."],
            "territory": ["South.", "Local.", "Everywhere."],
            "description": [
                "They rob migrants on the trains.",
                "They prey on walkers.",
                "They guide migrants.",
            ],
            "endnote": ["60;61;62", "59", "64"],
        }
    )


def test_rows_order_and_columns():
    t = actors_table(actors(), ENDNOTES)
    assert list(t["actor"]) == ["local_actors", "gangs"]  # 2018 order; smugglers not in Table 3.1
    assert list(t.columns) == ["actor", *COLUMNS]
    assert t.iloc[1]["Actor"] == "**Gangs** — e.g., MS-13, Barrio 18"
    assert t.iloc[0]["Actor"] == "**Local actors**"
    assert t.iloc[0]["Organization and territory"] == "Small. Local."


def test_descriptions_carry_the_row_citations():
    t = actors_table(actors(), ENDNOTES)
    assert t.iloc[1]["Interaction with migrants"] == (
        "They rob migrants on the trains [@beast; @vice, p. 4; @asmann; @extra]."
    )
    assert t.iloc[0]["Interaction with migrants"].endswith("[@beast].")


def test_citation_helpers():
    keys = endnote_keys(ENDNOTES)
    assert citation("59;60", keys) == "[@beast]"  # each work once
    assert citation(None, keys) == ""
    assert citation("", keys) == ""
    with pytest.raises(ValueError, match="endnote 99"):
        citation("99", keys)
    assert with_citation("Text.", "[@a]") == "Text [@a]."
    assert with_citation("Text", "") == "Text"


def test_actor_names():
    assert short_name("Transnational criminal organizations (TCOs)") == "TCOs"
    assert short_name("Gangs") == "Gangs"
    names = {"tcos": "TCOs", "gangs": "Gangs", "local_actors": "Local actors"}
    assert perpetrators("tcos;gangs;local_actors", names) == "TCOs, gangs and local actors"
    assert perpetrators("local_actors;tcos", names) == "Local actors and TCOs"
    assert perpetrators(None, names) == ""
    with pytest.raises(ValueError, match="unknown actor"):
        perpetrators("police", names)


def test_set_widths():
    md = "| a | b |\n|:---|---:|\n| 1 | 2 |\n"
    out = set_widths(md, [10, 30]).split("\n")
    assert out[1] == "|:---------|" + "-" * 29 + ":|"
    assert out[0] == "| a | b |"
    with pytest.raises(ValueError):
        set_widths(md, [10])


def test_no_table_rows_is_an_error():
    a = actors()
    a["in_table_3_1"] = False
    with pytest.raises(ValueError, match="Table 3.1"):
        actors_table(a, ENDNOTES)
