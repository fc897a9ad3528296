"""Source lines under tables and figures, generated from the data package."""

from __future__ import annotations

from pathlib import Path

from prp.artifacts.sources import SYNTHETIC_NOTICE, merge_citations, source_line

DATA = Path(__file__).resolve().parents[2] / "data"


def test_merge_citations():
    assert merge_citations(["[@k, Table 3.4]", "[@k]"]) == "[@k, Table 3.4]"
    assert merge_citations(["[@k]", "[@k]"]) == "[@k]"
    assert merge_citations(["[@k, p. 2]", "[@k, p. 5]"]) == "[@k, p. 2; @k, p. 5]"
    assert merge_citations(["[@a]", "[@b, p. 1]"]) == "[@a; @b, p. 1]"
    assert merge_citations(["", ""]) == ""


def test_one_source_behind_two_datasets_is_named_once():
    line = source_line(DATA, ["revenue_assumptions", "migrant_base"])
    assert line.count("Organized Crime and Central American Migration in Mexico") == 1
    assert "[@lbj_2018_prp198, Table 3.4 and lettered notes iii-iv]" in line


def test_synthetic_inputs_are_announced():
    assert source_line(DATA, ["events_grid"]).endswith(SYNTHETIC_NOTICE)
    assert SYNTHETIC_NOTICE not in source_line(DATA, ["homicide_rates"])
