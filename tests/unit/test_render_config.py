"""Pure parts of prp.render: profile merge, book structure, dates, variables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prp.render.book import driver_markdown
from prp.render.config import (
    Chapter,
    RenderError,
    book_chapters,
    deep_merge,
    format_date,
    language,
    load_config,
    load_variables,
    pandoc_metadata,
    source_date_epoch,
)

MINIBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "minibook"


def test_deep_merge_recurses_into_maps_and_replaces_other_values():
    base = {"book": {"title": "T", "chapters": ["a", "b"]}, "lang": "en"}
    over = {"book": {"chapters": ["c"]}, "edition": {"name": "X"}}
    merged = deep_merge(base, over)
    assert merged == {
        "book": {"title": "T", "chapters": ["c"]},
        "lang": "en",
        "edition": {"name": "X"},
    }
    assert base["book"]["chapters"] == ["a", "b"]  # inputs untouched


def test_profile_chapter_list_and_marking_come_from_the_profile():
    public = load_config(MINIBOOK, "public")
    restricted = load_config(MINIBOOK, "restricted")
    assert public["book"]["title"] == restricted["book"]["title"] == "Transit Routes and Risks"
    assert "marking" not in public.get("edition", {})
    assert restricted["edition"]["marking"].startswith("RESTRICTED")
    assert [c.file for c in book_chapters(public)] == [
        "index.qmd",
        "chapters/one.qmd",
        "chapters/two.qmd",
    ]
    chapters = book_chapters(restricted)
    assert chapters[-1] == Chapter("restricted/annex.qmd", "chapter", "Restricted annexes")
    assert chapters[0].kind == "index"
    assert chapters[1].part == "Evidence" and chapters[2].part is None


def test_unknown_profile_is_an_error():
    with pytest.raises(RenderError, match="_quarto-nope.yml"):
        load_config(MINIBOOK, "nope")


def test_book_structure_parts_appendices_and_index_first():
    config = {
        "book": {
            "chapters": ["index.qmd", {"part": "P", "chapters": ["a.qmd", "b.qmd"]}],
            "appendices": ["x.qmd"],
        }
    }
    assert book_chapters(config) == [
        Chapter("index.qmd", "index"),
        Chapter("a.qmd", "chapter", "P"),
        Chapter("b.qmd", "chapter"),
        Chapter("x.qmd", "appendix", "Appendices"),
    ]
    with pytest.raises(RenderError, match="index.qmd"):
        book_chapters({"book": {"chapters": ["a.qmd", "index.qmd"]}})
    with pytest.raises(RenderError, match="more than once"):
        book_chapters({"book": {"chapters": ["index.qmd", "a.qmd", "a.qmd"]}})


def test_language_labels_default_and_override():
    assert language({})["ch-prefix"] == "Chapter"
    labels = language(
        {"language": {"crossref-ch-prefix": "Part"}, "crossref": {"fig-prefix": "Fig."}}
    )
    assert labels["ch-prefix"] == "Part" and labels["fig-prefix"] == "Fig."
    assert labels["tbl-prefix"] == "Table"


def test_dates_and_source_date_epoch():
    assert format_date("2018-06", "MMMM YYYY", 0) == "June 2018"
    assert format_date("2018-06-05", "D MMM YYYY", 0) == "5 Jun 2018"
    assert format_date("2018", None, 0) == "2018"
    assert format_date("2018-06", "DD MMMM YYYY", 0) == "2018-06"  # no day to show
    config = {"book": {"date": "2018-06"}}
    assert source_date_epoch(config, {}) == 1527811200
    assert source_date_epoch(config, {"SOURCE_DATE_EPOCH": "42"}) == 42
    assert source_date_epoch({"source-date-epoch": 7}, {}) == 7
    with pytest.raises(RenderError):
        source_date_epoch({}, {"SOURCE_DATE_EPOCH": "soon"})


def test_variables_keep_their_written_form(tmp_path):
    (tmp_path / "_variables.yml").write_text("a:\n  x: 12.50\n  y: 0045\nb: 1,234\n")
    assert load_variables(tmp_path) == {"a": {"x": "12.50", "y": "0045"}, "b": "1,234"}
    assert load_variables(tmp_path / "missing") == {}


def test_metadata_for_pandoc_is_all_strings():
    meta = pandoc_metadata(load_config(MINIBOOK, "restricted"), 0)
    assert meta["date"] == "June 2018"
    assert meta["report"]["number"] == "999"
    assert meta["edition-marking"] == "RESTRICTED — for the Federal Police"
    assert meta["prp-crossref"]["ch-prefix"] == "Part"
    assert meta["author"] == ["Test Project Team"]


def test_driver_lists_every_chapter_with_its_kind_and_part():
    text = driver_markdown(book_chapters(load_config(MINIBOOK, "public")))
    assert text.count(".prp-chapter") == 3
    assert 'file="chapters/one.qmd" kind="chapter" part="Evidence"' in text
    assert 'file="index.qmd" kind="index"' in text


def test_missing_title_is_an_error(tmp_path):
    shutil.copytree(MINIBOOK, tmp_path / "b")
    cfg = load_config(tmp_path / "b", "public")
    del cfg["book"]["title"]
    with pytest.raises(RenderError, match="title"):
        pandoc_metadata(cfg, 0)
