"""Chapter sources read the same in both engines. Pandoc (and so Quarto)
reads ``@tbl-x [@key]`` as an in-text reference to ``tbl-x`` with the
bracket as its locator: Quarto's crossref then drops the citation, while the
fallback's crossref filter kept it, so the two editions differed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CROSSREF_THEN_CITATION = re.compile(r"@(?:fig|tbl|sec)-[\w-]+\s*\[@")


def chapters() -> list[Path]:
    """The book's sources, the decrypted restricted chapters too where they are."""
    restricted = ROOT / "build" / "restricted-src" / "report"
    return sorted([*(ROOT / "report").rglob("*.qmd"), *restricted.glob("*.qmd")])


@pytest.mark.parametrize("path", chapters(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_cross_reference_is_followed_by_a_bracketed_citation(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [
        f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}"
        for m in CROSSREF_THEN_CITATION.finditer(text)
    ]
    assert not found, found


def test_the_pattern_finds_the_case_across_a_line_break() -> None:
    assert CROSSREF_THEN_CITATION.search("behind @tbl-border-apprehensions\n[@cbp_x], and")
    assert not CROSSREF_THEN_CITATION.search("[@cbp_x], which @tbl-border-apprehensions shows")


def test_an_at_sign_from_data_is_never_a_citation_in_a_table_cell() -> None:
    from prp.artifacts.texttable import cell_text

    assert cell_text("@SUM(1+1)") == "\\@SUM(1+1)"
    assert cell_text("see [@a; @b], or write to me@example.org") == (
        "see [@a; @b], or write to me\\@example.org"
    )
    assert cell_text("<img src=x>") == "\\<img src=x\\>"
