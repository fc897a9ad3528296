"""prp.tools.scaffold: the files `make new-*` writes, and the mistakes it refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from prp.artifacts.catalog import load_catalog
from prp.data.datapackage import resource, sha256_file
from prp.render.needs import edition_needs
from prp.tools.scaffold import (
    ScaffoldError,
    add_artifact,
    add_chapter,
    add_dataset,
    add_to_chapter_list,
    include_line,
    infer_type,
    insert_in_block,
    parse_columns,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path) -> Path:
    for folder in ("data", "config", "report", "rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    return tmp_path


def test_parse_columns():
    assert parse_columns("state:string, beds:integer,share") == [
        ("state", "string"),
        ("beds", "integer"),
        ("share", "string"),
    ]
    with pytest.raises(ScaffoldError, match="type 'int'"):
        parse_columns("beds:int")
    with pytest.raises(ScaffoldError, match="no columns"):
        parse_columns("")


@pytest.mark.parametrize(
    "cells, kind",
    [
        (["1", "-20", ""], "integer"),
        (["1.5", "2"], "number"),
        (["2018-06-01"], "date"),
        (["Oaxaca", "3"], "string"),
        ([""], "string"),
    ],
)
def test_infer_type(cells, kind):
    assert infer_type(cells) == kind


def test_insert_in_block_keeps_comments_and_other_blocks():
    text = "# header\ntables:\n  a:\n    caption: A\n\nfigures:\n  b:\n    caption: B\n"
    out = insert_in_block(text, "tables", "  c:\n    caption: C\n")
    assert out.startswith("# header\n")
    assert yaml.safe_load(out) == {
        "tables": {"a": {"caption": "A"}, "c": {"caption": "C"}},
        "figures": {"b": {"caption": "B"}},
    }
    assert yaml.safe_load(insert_in_block("x: 1\n", "figures", "  d: {}\n"))["figures"] == {"d": {}}


def test_chapter_goes_last_among_chapters_not_appendices():
    text = "book:\n  chapters:\n    - index.qmd\n    - a.qmd\n  appendices:\n    - z.qmd\n"
    out = yaml.safe_load(add_to_chapter_list(text, "chapters/new.qmd"))
    assert out["book"]["chapters"] == ["index.qmd", "a.qmd", "chapters/new.qmd"]
    assert out["book"]["appendices"] == ["z.qmd"]


def test_include_line_is_relative_to_the_chapter():
    assert include_line("chapters/x.qmd", "figures", "f") == "{{< include ../figures/f.md >}}"
    assert include_line("index.qmd", "tables", "t") == "{{< include tables/t.md >}}"


def test_new_chapter_in_both_editions_or_restricted_only(repo):
    add_chapter(repo, "shelters", "Migrant Shelters", restricted=False)
    with pytest.raises(ScaffoldError, match="make unseal"):
        add_chapter(repo, "shelter-notes", "Shelter Notes", restricted=True)
    plain = repo / "build/restricted-src"
    (plain / "report").mkdir(parents=True)
    (plain / ".unsealed.json").write_text('{"files": {}}')  # as `make unseal` leaves it
    written = add_chapter(repo, "shelter-notes", "Shelter Notes", restricted=True)
    # restricted material is written only among the decrypted sources
    assert written[0].path == "build/restricted-src/report/shelter-notes.qmd"
    assert not (repo / "report/restricted").exists()
    public = edition_needs(repo / "report", "public")["sources"]
    overlay = {"restricted/": plain / "report"}
    restricted = edition_needs(repo / "report", "restricted", overlay)["sources"]
    assert "chapters/shelters.qmd" in public and "chapters/shelters.qmd" in restricted
    assert "restricted/shelter-notes.qmd" in restricted
    assert "restricted/shelter-notes.qmd" not in public
    text = (repo / "report/chapters/shelters.qmd").read_text()
    assert text.startswith("# Migrant Shelters {#sec-shelters}")
    with pytest.raises(ScaffoldError, match="already exists"):
        add_chapter(repo, "shelters", "Again", restricted=False)
    with pytest.raises(ScaffoldError, match="not a valid id"):
        add_chapter(repo, "Shelters_2", "Bad", restricted=False)


def test_new_dataset_from_columns_gets_a_hashed_descriptor(repo):
    add_dataset(repo, "shelter_capacity", "shelter:string,beds:integer", "lbj_2018_prp198")
    raw = repo / "data/raw/shelter_capacity.csv"
    assert raw.read_text() == "shelter,beds\n"
    res = resource(repo / "data", "shelter_capacity")
    assert res["hash"] == f"sha256:{sha256_file(raw)}"
    assert [f["name"] for f in res["schema"]["fields"]] == ["shelter", "beds"]
    assert res["schema"]["primaryKey"] == ["shelter"]
    assert res["x-citation"] == {"key": "lbj_2018_prp198"}
    assert "TODO" in res["title"] and res["x-synthetic"] is False


def test_new_dataset_infers_the_schema_of_an_existing_csv(repo):
    (repo / "data/raw/beds.csv").write_text("state,beds,share\nOaxaca,100,0.5\n")
    add_dataset(repo, "beds", None, None)
    fields = resource(repo / "data", "beds")["schema"]["fields"]
    assert [(f["name"], f["type"]) for f in fields] == [
        ("state", "string"),
        ("beds", "integer"),
        ("share", "number"),
    ]


def test_new_dataset_refusals(repo):
    with pytest.raises(ScaffoldError, match="already described"):
        add_dataset(repo, "homicide_rates", "a:string", None)
    with pytest.raises(ScaffoldError, match="not in report/references.bib"):
        add_dataset(repo, "x", "a:string", "no_such_key")
    (repo / "data/raw/bad.csv").write_text("State Name\nOaxaca\n")
    with pytest.raises(ScaffoldError, match="bad.csv, header: column 'State Name'"):
        add_dataset(repo, "bad", None, None)


@pytest.mark.parametrize("kind, prefix", [("figures", "plot_"), ("tables", "table_")])
def test_new_artifact_writes_script_rule_catalog_test_and_include(repo, kind, prefix):
    written = add_artifact(
        repo, kind, "homicide-check", "chapters/part1-background.qmd", "homicide_rates"
    )
    rule = f"{prefix}homicide_check"
    assert [w.path for w in written] == [
        f"scripts/{rule}.py",
        f"tests/unit/test_{rule}.py",
        f"rules/{kind}.smk",
        "config/artifacts/part1.yaml",  # where Part 1's other artifacts are
        "report/chapters/part1-background.qmd",
    ]
    script = (repo / f"scripts/{rule}.py").read_text()
    compile(script, rule, "exec")
    assert "raise NotImplementedError" in script and "def main(" in script
    test = (repo / f"tests/unit/test_{rule}.py").read_text()
    compile(test, "test", "exec")
    assert '"country": ["El Salvador", "Honduras", "Guatemala"]' in test  # first raw rows
    rules = (repo / f"rules/{kind}.smk").read_text()
    assert f"rule {rule}:" in rules and f'prov("{kind}/homicide-check")' in rules
    assert 'clean("homicide_rates")' in rules
    meta = load_catalog(repo / "config/artifacts")[kind]["homicide-check"]
    assert meta["datasets"] == ["homicide_rates"] and meta["caption"].startswith("TODO")
    needs = edition_needs(repo / "report", "public")["artifacts"]
    assert f"{kind}/homicide-check.md" in needs
    with pytest.raises(ScaffoldError, match="already in config/artifacts"):
        add_artifact(repo, kind, "homicide-check", "chapters/part1-background.qmd", "states")


def test_new_chapter_gets_its_own_catalog_file(repo):
    add_chapter(repo, "shelters", "Migrant Shelters", restricted=False)
    written = add_artifact(repo, "tables", "beds", "chapters/shelters.qmd", "homicide_rates")
    assert "config/artifacts/shelters.yaml" in [w.path for w in written]
    assert load_catalog(repo / "config/artifacts")["tables"]["beds"]["datasets"] == [
        "homicide_rates"
    ]


def test_new_artifact_refusals(repo):
    with pytest.raises(ScaffoldError, match="does not exist"):
        add_artifact(repo, "figures", "x", "chapters/nope.qmd", "homicide_rates")
    with pytest.raises(ScaffoldError, match="not in data/datapackage.yaml"):
        add_artifact(repo, "figures", "x", "chapters/part1-background.qmd", "nope")
    with pytest.raises(ScaffoldError, match="already in config/artifacts"):
        add_artifact(repo, "figures", "homicide-rates", "chapters/part1-background.qmd", "states")
    with pytest.raises(ScaffoldError, match="expected a .qmd"):
        add_artifact(repo, "tables", "x", "chapters/part1-background", "homicide_rates")
