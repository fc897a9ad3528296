"""US English in every text a reader sees: one spelling per word.

Scanned: the chapters; captions, alt texts and notes of the artifact
catalog; titles, descriptions and source titles of the data package; the
data READMEs; the text cells of the data files; the notes of the
bibliography (titles of cited works keep their own spelling); string
constants of the scripts (labels, captions and notes they write) and the
renderer's templates. The built editions are scanned by
tests/integration/test_synthetic_channels.py. Each British form found is
listed with its US form; proper names and titles are in
``tests.spelling.KEPT``.
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.spelling import KEPT, variants

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
BIB_NOTE = re.compile(r"^\s*(note|annotation|addendum)\s*=\s*\{(.*)\},?\s*$", re.MULTILINE)
# keys of the data package whose values readers see (in source lines, the
# provenance appendix, the data appendix)
PACKAGE_TEXT_KEYS = {"title", "description", "x-source-line", "x-obtained", "x-unused"}


def yaml_strings(value: object, keys: set[str] | None = None, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from yaml_strings(v, keys, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from yaml_strings(v, keys, key)
    elif isinstance(value, str) and (keys is None or key in keys):
        yield value


def python_strings(path: Path) -> Iterator[str]:
    """String constants of a module; docstrings (and other bare string
    statements, which document the line before them) left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documentation = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in documentation
        ):
            yield node.value


def sources() -> Iterator[tuple[str, str]]:
    """(where, text) of every reader-facing text in the repository."""
    for path in sorted((ROOT / "report").rglob("*.qmd")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "config" / "artifacts").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for text in yaml_strings(data, {"caption", "alt", "note", "title", "label", "legend"}):
            yield str(path.relative_to(ROOT)), text
    package = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    for text in yaml_strings(package, PACKAGE_TEXT_KEYS):
        yield "data/datapackage.yaml", text
    for path in sorted(DATA.rglob("README.md")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted(DATA.rglob("*.csv")):
        if "restricted" in path.parts:
            continue  # synthetic codes and fictitious labels only
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        for row in rows[1:]:
            for cell in row:
                if re.search(r"[a-z]{4}", cell):
                    yield str(path.relative_to(ROOT)), cell
    bib = (ROOT / "report" / "references.bib").read_text(encoding="utf-8")
    for m in BIB_NOTE.finditer(bib):
        yield "report/references.bib (note)", m.group(2)
    for path in sorted((ROOT / "scripts").rglob("*.py")):
        for text in python_strings(path):
            yield str(path.relative_to(ROOT)), text
    for path in sorted((ROOT / "scripts" / "prp" / "render" / "templates").glob("*")):
        if path.suffix in {".html", ".typ", ".css"}:
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def test_the_detector_finds_british_forms_and_keeps_names():
    assert variants("the organisation labelled the centre's programme") == [
        ("organisation", "organization"),
        ("labelled", "labeled"),
        ("centre", "center"),
        ("programme", "program"),
    ]
    assert variants("the European Migrant Smuggling Centre organized a program") == []
    assert variants("exercise, promise, advertising, raised, analyses, four hours") == []
    assert all(reason for reason in KEPT.values())


def test_sources_are_scanned():
    where = {w.split(" ")[0] for w, _ in sources()}
    for expected in (
        "report/chapters/part1-background.qmd",
        "config/artifacts/part1.yaml",
        "data/datapackage.yaml",
        "report/references.bib",
        "scripts/table_errata.py",
    ):
        assert expected in where


def test_us_spelling_in_reader_facing_text():
    found: dict[str, set[str]] = {}
    for where, text in sources():
        for word, us in variants(text):
            found.setdefault(where, set()).add(f"{word} -> {us}")
    assert not found, "British spellings (use the US form):\n" + "\n".join(
        f"  {where}: {', '.join(sorted(words))}" for where, words in sorted(found.items())
    )


@pytest.mark.parametrize("phrase", sorted(KEPT))
def test_every_kept_phrase_is_still_needed(phrase):
    """A kept phrase that no longer occurs is dropped from the list."""
    assert any(phrase in " ".join(text.split()) for _, text in sources()), phrase
