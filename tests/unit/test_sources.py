"""Source lines under tables and figures, generated from the data package."""

from __future__ import annotations

from pathlib import Path

from prp.artifacts.sources import SYNTHETIC_POINTER, cite_once, merge_citations, source_line

DATA = Path(__file__).resolve().parents[2] / "data"


def test_merge_citations():
    assert merge_citations(["[@k, Table 3.4]", "[@k]"]) == "[@k, Table 3.4]"
    assert merge_citations(["[@k]", "[@k]"]) == "[@k]"
    assert merge_citations(["[@k, p. 2]", "[@k, p. 5]"]) == "[@k, p. 2; @k, p. 5]"
    assert merge_citations(["[@a]", "[@b, p. 1]"]) == "[@a; @b, p. 1]"
    assert merge_citations(["", ""]) == ""


def test_one_citation_per_work_with_all_locators():
    assert cite_once("k", [], narrative=True) == "@k"
    assert (
        cite_once("k", ["Table 3.2", "Table 3.1"], narrative=True) == "@k [Table 3.2 and Table 3.1]"
    )
    assert cite_once("k", ["p. 2"], narrative=False) == "[@k, p. 2]"


def test_one_source_behind_two_datasets_is_named_once():
    line = source_line(DATA, ["revenue_assumptions", "migrant_base"])
    assert line == "Source: @lbj_2018_prp198 [Table 3.4 and lettered notes iii-iv]."
    line = source_line(DATA, ["transactional_crimes", "criminal_actors"])
    assert line.count("@lbj_2018_prp198") == 1


def test_a_titled_source_keeps_its_title_once():
    line = source_line(DATA, ["apprehensions_mexico"])
    assert line.startswith("Source: Mexico's apprehension series")
    assert line.endswith("[@lbj_2018_prp198, Table 1.1].")


def test_synthetic_inputs_are_named_first_and_announced_once():
    line = source_line(DATA, ["countries", "events_grid", "events_by_state"])
    assert line.startswith("Source: Synthetic stand-in")
    assert line.count("Synthetic") == 1 and line.count("@synthetic_camrd_standin") == 1
    assert line.index("@synthetic_camrd_standin") < line.index("@natural_earth")
    assert line.endswith(SYNTHETIC_POINTER)
    assert SYNTHETIC_POINTER not in source_line(DATA, ["homicide_rates"])
