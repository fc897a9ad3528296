"""The pipeline's view of the Quarto book: profiles, chapters, dependencies."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from render_edition import (
    SYNTHETIC_FILE,
    assemble_tree,
    merged_variables,
    read_number_files,
    synthetic_metadata,
    synthetic_variables,
)

from prp.artifacts.numbers import number_file
from prp.render import config as render_config
from prp.render import needs as render_needs
from prp.render.config import book_chapters, deep_merge, load_config
from prp.render.needs import edition_needs

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "report"


def test_deep_merge_profile_wins():
    base = {"book": {"title": "T", "chapters": ["a"]}, "x": 1}
    over = {"book": {"chapters": ["b"]}}
    assert deep_merge(base, over) == {"book": {"title": "T", "chapters": ["b"]}, "x": 1}


def chapter_files(config):
    return [c.file for c in book_chapters(config)]


def test_chapter_files_flatten_parts():
    config = {
        "book": {
            "chapters": ["index.qmd", {"part": "P", "chapters": ["a.qmd", "b.qmd"]}],
            "appendices": ["z.qmd"],
        }
    }
    assert chapter_files(config) == ["index.qmd", "a.qmd", "b.qmd", "z.qmd"]


def test_workflow_and_renderer_read_the_book_with_the_same_functions():
    """One reading of the book configuration: the workflow (rules/common.smk
    -> prp.render.needs) and the renderer (prp.render.book) call the very same
    load_config and book_chapters, so they cannot disagree on an edition."""
    from prp.render import book as render_book

    assert render_needs.load_config is render_config.load_config
    assert render_needs.book_chapters is render_config.book_chapters
    assert render_book.load_config is render_config.load_config
    assert render_book.book_chapters is render_config.book_chapters
    common = (ROOT / "rules" / "common.smk").read_text(encoding="utf-8")
    assert "from prp.render.needs import edition_needs" in common
    assert "yaml.load" not in common and "_quarto" not in common.split("def render_inputs")[0]


def test_a_broken_chapter_list_stops_the_workflow_as_it_stops_the_renderer(tmp_path):
    (tmp_path / "_quarto.yml").write_text("book: {title: T}\n")
    (tmp_path / "_quarto-p.yml").write_text("book: {chapters: [a.qmd, index.qmd]}\n")
    import pytest

    with pytest.raises(render_config.RenderError, match="index.qmd must be the first"):
        edition_needs(tmp_path, "p")


def test_restricted_chapters_only_in_restricted_profile():
    public = chapter_files(load_config(REPORT, "public"))
    restricted = chapter_files(load_config(REPORT, "restricted"))
    assert not any(c.startswith("restricted/") for c in public)
    assert any(c.startswith("restricted/") for c in restricted)
    assert set(public) < set(restricted)


def test_needs_follow_includes_and_vars(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_quarto.yml").write_text("book: {title: T}\n")
    (tmp_path / "_quarto-p.yml").write_text("book: {chapters: [index.qmd, chapters/a.qmd]}\n")
    (tmp_path / "index.qmd").write_text("# Hi {.unnumbered}\n")
    (tmp_path / "chapters" / "a.qmd").write_text(
        "# A\n\n{{< var ns1.total >}} and {{< var ns2.x.y >}}\n\n"
        "{{< include ../tables/t1.md >}}\n\n{{< include _part.md >}}\n"
    )
    (tmp_path / "chapters" / "_part.md").write_text("![Map](../figures/m.svg){#fig-m}\n")
    needs = edition_needs(tmp_path, "p")
    assert needs["sources"] == ["chapters/_part.md", "chapters/a.qmd", "index.qmd"]
    assert needs["artifacts"] == ["figures/m.svg", "tables/t1.md"]
    assert needs["variables"] == ["ns1", "ns2"]


def test_public_render_tree_has_no_restricted_file(tmp_path):
    build = tmp_path / "build"
    needs = edition_needs(REPORT, "public")
    for rel in needs["artifacts"]:
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / rel).write_text("| a |\n|---|\n| 1 |\n")
    numbers = tmp_path / "n.yml"
    numbers.write_text(yaml.safe_dump({"ns": {"a": "1"}}))
    tree = tmp_path / "tree"
    copied = assemble_tree(REPORT, "public", build, tree, [str(numbers)])
    files = [p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()]
    assert sorted(files) == copied
    assert SYNTHETIC_FILE in files  # named in _quarto.yml's metadata-files
    assert not any("restricted" in f for f in files)
    assert yaml.safe_load((tree / "_variables.yml").read_text()) == {"ns": {"a": "1"}}


def test_variable_namespace_defined_twice_is_an_error(tmp_path):
    a, b = tmp_path / "a.yml", tmp_path / "b.yml"
    a.write_text("ns: {x: '1'}\n")
    b.write_text("ns: {y: '2'}\n")
    try:
        merged_variables([str(a), str(b)])
    except ValueError as err:
        assert "ns" in str(err) and str(b) in str(err)
    else:
        raise AssertionError("expected an error")


def _data(dataset: str, synthetic: bool) -> dict:
    return {"path": f"data/x/{dataset}.csv", "source": {"dataset": dataset, "synthetic": synthetic}}


def test_synthetic_variables_follow_the_data_behind_each_value():
    variables = {"ev": {"n": "10", "k": "5", "mix": "3"}, "real": {"a": "1"}}
    derived = {"ev": {"k": [], "mix": ["states"]}}
    data_of = {
        "ev": [_data("events", True), _data("states", False)],
        "real": [_data("states", False)],
    }
    # 'n' rests on every input (one synthetic), 'k' on none, 'mix' on a real one
    assert synthetic_variables(variables, derived, data_of) == ["ev.n"]
    derived["ev"]["mix"] = ["events", "states"]
    assert synthetic_variables(variables, derived, data_of) == ["ev.mix", "ev.n"]


def test_synthetic_variables_need_provenance_and_known_datasets():
    with pytest.raises(ValueError, match="no provenance record"):
        synthetic_variables({"ev": {"n": "1"}}, {}, {})
    with pytest.raises(ValueError, match="did not read"):
        synthetic_variables(
            {"ev": {"n": "1"}}, {"ev": {"n": ["other"]}}, {"ev": [_data("events", True)]}
        )


def test_number_files_carry_the_datasets_behind_their_values(tmp_path):
    path = tmp_path / "ev.yml"
    path.write_text(yaml.safe_dump(number_file("ev", {"n": "1", "k": "5"}, {"k": []})))
    variables, derived = read_number_files([str(path)])
    assert variables == {"ev": {"n": "1", "k": "5"}}  # _variables.yml stays plain
    assert derived == {"ev": {"k": []}}
    with pytest.raises(ValueError, match="unknown variables"):
        number_file("ev", {"n": "1"}, {"typo": []})


def test_render_tree_lists_the_synthetic_variables(tmp_path):
    meta = synthetic_metadata(["ev.n"])
    assert meta["prp-synthetic"]["variables"] == ["ev.n"]
    assert meta["prp-synthetic"]["note"].startswith("Computed from the synthetic stand-in")
    config = yaml.safe_load((REPORT / "_quarto.yml").read_text(encoding="utf-8"))
    assert SYNTHETIC_FILE in config["metadata-files"]
