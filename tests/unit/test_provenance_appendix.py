"""The provenance appendix (render_edition.provenance_view) reads as written
for a reader: in the text both editions show, every table, figure and group
of numbers names its data by title with one citation per work, and file
paths, hashes, rule and script names appear only in the records the
appendix's markers name (the web edition's provenance boxes, carried in
provenance.json), never in what the PDF prints; the data files the boxes name
ship with the edition, public files only, checked against their hashes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from render_edition import (
    MANY_DATASETS,
    book_usage,
    entry_in_words,
    provenance_view,
    ship_data,
    shippable,
    sources_in_words,
)

HASH = "ab" * 32


def source(dataset: str, title: str, key: str, synthetic: bool = False) -> dict:
    return {
        "dataset": dataset,
        "title": title,
        "citation": key,
        "source": f"Publisher, {title}",
        "synthetic": synthetic,
        "licence": "public-domain",
    }


def write_records(folder: Path, build: Path) -> list[str]:
    build.mkdir(parents=True)
    (build / "states.md").write_text("| a |\n|---|\n| 1 |\n\n: States {#tbl-states}\n")
    inputs = [
        {"path": "data/geo/states.geojson", "sha256": HASH,
         "source": source("mexico_states", "Mexican states", "natural_earth")},
        {"path": "data/geo/rail.geojson", "sha256": HASH,
         "source": source("rail", "Railroads", "natural_earth")},
        {"path": "data/released/events.csv", "sha256": HASH,
         "source": source("events_by_state", "Events by state", "standin", synthetic=True)},
    ]  # fmt: skip
    records = {
        "tables/states": {
            "rule": "table_states",
            "script": {"path": "scripts/table_states.py", "sha256": HASH},
            "params": {"caption": "States", "k": 5},
            "inputs": inputs,
            "outputs": [{"path": str(build / "states.md"), "sha256": HASH}],
        },
        "numbers/events": {
            "rule": "numbers_events",
            "script": {"path": "scripts/numbers_events.py", "sha256": HASH},
            "params": {"namespace": "events"},
            "inputs": inputs[2:],
            "outputs": [{"path": str(build / "events.yml"), "sha256": HASH}],
        },
    }
    for name, rec in records.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(json.dumps(rec))
    return sorted(records)


def printed(md: str) -> str:
    """What the PDF shows: the markdown without its record markers."""
    return re.sub(r"::: \{\.prp-provenance-ref [^}]*\}\s*:::", "", md)


def test_appendix_names_data_in_words_and_keeps_records_to_html(tmp_path):
    names = write_records(tmp_path / "prov", tmp_path / "build")
    usage = {"order": ["tables/states"], "cited_in": {"events": ["sec-crime"]}}
    view, md = provenance_view(tmp_path / "prov", names, usage)
    text = printed(md)
    # one sub-item per work, each with one citation; synthetic data first
    assert (
        "- @tbl-states:\n  - *Events by state* (synthetic) [@standin]\n"
        "  - *Railroads*; *Mexican states* [@natural_earth]\n"
    ) in text
    assert "- Numbers quoted in @sec-crime: *Events by state* (synthetic) [@standin]." in text
    assert text.count("[@natural_earth]") == 3  # the table once, each dataset once
    assert "[*Mexican states*]{#data-mexico-states} [@natural_earth]." in text
    assert "Used for @tbl-states." in text
    assert "Used for @tbl-states and the numbers of @sec-crime." in text
    for technical in ("data/", ".csv", ".py", "sha256", HASH[:12], "table_states", "k=5"):
        assert technical not in text, technical
    # no raw HTML in the appendix (it is read as a generated snippet); each
    # marker names records that the view carries
    assert "{=html}" not in md and "<details" not in md
    keys = [k for m in re.findall(r'boxes="([^"]*)"', md) for k in m.split()]
    assert keys and set(keys) <= set(view["boxes"])
    blocks = [view["boxes"][k] for k in keys]
    assert any("data/released/events.csv" in b and HASH in b for b in blocks)
    assert any("numbers_events" in b and "scripts/numbers_events.py" in b for b in blocks)
    assert view["files"]["data/released/events.csv"] == HASH
    # the HTML view: provenance boxes and number links, the tooltip in words
    assert "scripts/table_states.py" in view["artifacts"]["tbl-states"]["html"]
    assert view["vars"]["events"] == {
        "href": "#data-events-by-state",
        "title": "Computed from Events by state",
    }


def test_without_usage_every_record_is_still_listed(tmp_path):
    names = write_records(tmp_path / "prov", tmp_path / "build")
    _, md = provenance_view(tmp_path / "prov", names)
    assert "- @tbl-states:" in md and "- Other numbers: *Events by state*" in md


def test_sources_in_words_escape_markdown():
    words = sources_in_words(
        [{"path": "data/x.csv", "source": source("x", "Rates *per* [year] @2018", "k")}]
    )
    assert words == r"*Rates \*per\* \[year\] \@2018* [@k]"


def test_an_entry_with_many_datasets_names_the_works():
    data = [
        {
            "path": f"data/raw/d{i}.csv",
            "source": source(f"d{i}", f"Data {i}", "a" if i % 2 else "b"),
        }
        for i in range(MANY_DATASETS + 1)
    ]
    (line,) = entry_in_words("@tbl-errata", data)
    assert line == (
        f"- @tbl-errata: {MANY_DATASETS + 1} datasets (each listed under "
        "@sec-provenance-data), from these works [@b; @a]."
    )
    assert entry_in_words("numbers", data[:1]) == ["- Numbers: *Data 0* [@b]."]


def test_book_usage_orders_artifacts_and_finds_quoting_chapters(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_quarto.yml").write_text(
        "project: {type: book}\nbook:\n  title: T\n  chapters: [index.qmd, chapters/a.qmd]\n"
    )
    (tmp_path / "_quarto-public.yml").write_text("edition: {name: P}\n")
    (tmp_path / "index.qmd").write_text(
        "# Front {.unnumbered}\n\n## Project {#sec-front}\n\n{{< var front.n >}} people.\n"
    )
    (tmp_path / "chapters" / "a.qmd").write_text(
        "# Part A {#sec-a}\n\n{{< include ../figures/map.md >}}\n\n"
        "{{< var events.n >}} and {{< var front.m >}}.\n\n{{< include ../tables/t.md >}}\n"
    )
    usage = book_usage(tmp_path, "public")
    assert usage["order"] == ["figures/map", "tables/t"]
    assert usage["cited_in"] == {"front": ["sec-front", "sec-a"], "events": ["sec-a"]}
    assert usage["sections"] == ["sec-front", "sec-a"]


def test_only_public_data_files_ship_and_hashes_must_match(tmp_path):
    assert shippable("data/raw/a.csv") and shippable("data/released/events_by_state.csv")
    for path in (
        "build/restricted-src/data/events.csv",
        "restricted/data/events.csv.age",
        "data/restricted/x.csv",
        "data/raw/../../restricted/x.csv",
        "/etc/passwd",
        "data/datapackage.yaml",
    ):
        assert not shippable(path), path
    repo, dest = tmp_path / "repo", tmp_path / "out"
    (repo / "data/raw").mkdir(parents=True)
    (repo / "data/raw/a.csv").write_text("x\n1\n")
    (repo / "build/restricted-src/data").mkdir(parents=True)
    (repo / "build/restricted-src/data/e.csv").write_text("secret\n")
    good = hashlib.sha256(b"x\n1\n").hexdigest()
    files = {"data/raw/a.csv": good, "build/restricted-src/data/e.csv": "0" * 64}
    assert ship_data({"files": files}, repo, dest) == [f"{good}  data/raw/a.csv"]
    assert (dest / "data/raw/a.csv").read_text() == "x\n1\n"
    assert not (dest / "build").exists()
    assert (dest / "data/SHA256SUMS").read_text() == f"{good}  data/raw/a.csv\n"
    with pytest.raises(ValueError, match="sha256 differs"):
        ship_data({"files": {"data/raw/a.csv": "0" * 64}}, repo, tmp_path / "out2")


def test_data_files_outside_data_count_when_the_data_package_describes_them():
    """The restricted event records are read where they were decrypted, under
    build/restricted-src/: an artifact made from them names them (synthetic
    files first), not only the public files its jobs also read."""
    from prp.runtime.provenance import data_inputs

    def inp(path: str, src: dict | None = None) -> dict:
        return {"path": path, "sha256": HASH, **({"source": src} if src else {})}

    events = inp(
        "build/restricted-src/data/events.csv",
        source("camrd_events", "Events (SYNTHETIC)", "synthetic_camrd_standin", synthetic=True),
    )
    states = inp("data/geo/mexico_states.geojson", source("mexico_states", "States", "ne"))
    records = {
        "tables/event-listing": {
            "inputs": [inp("build/clean/camrd_events.parquet")],
            "outputs": [inp("build/tables/event-listing.md")],
        },
        "clean/camrd_events": {
            "inputs": [states, events, inp("build/restricted-src/config/artifacts/x.yaml")],
            "outputs": [inp("build/clean/camrd_events.parquet")],
        },
    }
    assert data_inputs("tables/event-listing", records) == [events, states]
