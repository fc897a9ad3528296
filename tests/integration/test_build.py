"""End-to-end: dry runs, a full build of both editions, separation, no-op rebuild."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from .conftest import copy_repo, snakemake

pytestmark = pytest.mark.slow

RESTRICTED_CHAPTER = "report/restricted/part5-recommendations.qmd"


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def html_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.html")))


def restricted_phrases(repo: Path) -> list[str]:
    """Distinctive sentences of the restricted-only chapter (its heading titles)."""
    text = (repo / RESTRICTED_CHAPTER).read_text(encoding="utf-8")
    return [re.sub(r"\s*\{.*\}\s*$", "", line.lstrip("# ")).strip()
            for line in text.splitlines() if line.startswith("#")]


@pytest.mark.parametrize("target", ["all", "public", "restricted"])
def test_dry_run_each_target(tmp_path, target):
    repo = copy_repo(tmp_path)
    proc = snakemake(repo, "-n", target)
    assert "render_edition" in proc.stdout


def test_four_outputs_exist(built_repo):
    for edition in ("public", "restricted"):
        assert (built_repo / "build" / edition / "index.html").stat().st_size > 0
        assert (built_repo / "build" / edition / "report.pdf").stat().st_size > 0


@pytest.mark.parametrize("edition", ["public", "restricted"])
def test_pdf_holds_title_table_and_total(built_repo, edition):
    text = pdf_text(built_repo / "build" / edition / "report.pdf")
    flat = re.sub(r"\s+", " ", text)
    assert "Organized Crime and Central American Migration in Mexico" in flat
    assert "Table 1.1" in flat
    assert "607,474" in flat


def test_restricted_chapter_only_in_restricted_edition(built_repo):
    phrases = restricted_phrases(built_repo)
    assert phrases, "the restricted chapter has headings"
    pub_html = html_text(built_repo / "build" / "public")
    pub_pdf = re.sub(r"\s+", " ", pdf_text(built_repo / "build" / "public" / "report.pdf"))
    res_html = html_text(built_repo / "build" / "restricted")
    res_pdf = re.sub(r"\s+", " ", pdf_text(built_repo / "build" / "restricted" / "report.pdf"))
    for phrase in phrases:
        assert phrase not in pub_html and phrase not in pub_pdf, phrase
        assert phrase in res_html and phrase in res_pdf, phrase
    assert not (built_repo / "build" / "src" / "public" / "restricted").exists()


def test_second_run_schedules_nothing(built_repo):
    proc = snakemake(built_repo, "-n", "all")
    assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout


def test_nothing_downloaded(built_repo):
    cartopy_dir = built_repo / "build" / "cartopy-offline"
    assert cartopy_dir.is_dir()
    assert list(cartopy_dir.rglob("*")) == []


def test_bad_input_fails_the_rule_with_its_location(tmp_path):
    repo = copy_repo(tmp_path)
    raw = repo / "data" / "raw" / "apprehensions_mexico.csv"
    raw.write_text(raw.read_text().replace("35390", '"35,390"'), encoding="utf-8")
    proc = snakemake(repo, "build/clean/apprehensions_mexico.parquet", check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "data/raw/apprehensions_mexico.csv, row 4, column 'apprehensions'" in out
    assert not (repo / "build" / "clean" / "apprehensions_mexico.parquet").exists()
