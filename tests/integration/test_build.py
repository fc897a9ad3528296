"""End-to-end: dry runs, a full build of both editions, separation, no-op rebuild."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.pdftext import page_texts

from .conftest import copy_repo, snakemake

pytestmark = pytest.mark.slow

RESTRICTED_CHAPTER = "build/restricted-src/report/part5-recommendations.qmd"  # decrypted


def pdf_text(path: Path) -> str:
    """Text of a PDF, words rejoined where a line break split a hyphenated word."""
    text = "\n".join(page_texts(path))
    # typst's hyphen glyphs come back as soft hyphens (U+00AD)
    return re.sub(r"-\s+", "-", text.replace("\u00ad", "-"))


def html_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.html")))


def restricted_phrases(repo: Path) -> list[str]:
    """Distinctive sentences of the restricted-only chapter (its heading titles)."""
    text = (repo / RESTRICTED_CHAPTER).read_text(encoding="utf-8")
    return [
        re.sub(r"\s*\{.*\}\s*$", "", line.lstrip("# ")).strip()
        for line in text.splitlines()
        if line.startswith("#")
    ]


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


def test_every_job_wrote_its_timing_beside_its_log(built_repo):
    """The runners time each job where it runs (prp.runtime.timing): after
    the build, every job's log has its timing file, with a wall time, CPU
    time and, for a job with a process of its own, its peak memory."""
    from prp.runtime.timing import timing_path
    from prp.tools.bench import read_benchmark

    logs = sorted((built_repo / "build" / "logs").rglob("*.log"))
    assert len(logs) > 50
    rows = {}
    for log in logs:
        path = timing_path(log)
        assert path is not None and path.is_file(), f"no timing for {log}"
        rows[log.relative_to(built_repo / "build" / "logs").as_posix()] = read_benchmark(
            path.read_text(encoding="utf-8"), str(path)
        )
    render = rows["render_edition/restricted.log"]
    assert render["s"] > 0.5 and render["cpu_time"] > 0.5 and render["max_rss"] > 50
    assert "max_rss" not in rows["validate_dataset/states.log"]  # in Snakemake's process
    assert rows["plot_top_states.log"]["max_rss"] > 50  # its forked process


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


def test_second_run_schedules_nothing(built_copy):
    proc = snakemake(built_copy, "-n", "all")
    assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout


def test_nothing_downloaded(built_repo):
    cartopy_dir = built_repo / "build" / "cartopy-offline"
    assert cartopy_dir.is_dir()
    assert list(cartopy_dir.rglob("*")) == []


def tree_hashes(folder: Path, skip: tuple[str, ...] = ("logs",)) -> dict[str, str]:
    """sha256 of every file under ``folder`` except the logs (a failed job
    records its error there: that is the one change it may make)."""
    import hashlib

    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] not in skip
    }


BAD_INPUTS = [
    # (file, old text, new text, words the error must contain)
    (
        "data/raw/apprehensions_mexico.csv",
        "35390",
        '"35,390"',
        ["data/raw/apprehensions_mexico.csv, row 4, column 'apprehensions'", "35,390"],
    ),
    (
        "data/raw/cbp_sw_border_monthly.csv",
        "2014,Jan,28668",
        "2014,Jan,28670",
        ["data/raw/cbp_sw_border_monthly.csv, row", "479,373", "479,371"],
    ),
    (
        "data/raw/apprehensions_mexico.csv",
        "Guatemala,2013",
        "Guatamala,2013",
        ["row 7, column 'country'", "Guatamala"],
    ),
]


def test_bad_input_fails_and_leaves_build_unchanged(built_repo, tmp_path):
    """Each bad input fails the build, naming what is wrong, and leaves
    build/ as it was; with the inputs good again, one build completes and
    yields the same outputs as before."""
    from prp.data.datapackage import rehash_text

    repo = tmp_path / "repo"  # a copy of the built repository: both editions up to date
    shutil.copytree(built_repo, repo, symlinks=True)
    descriptor = repo / "data" / "datapackage.yaml"
    described = descriptor.read_text(encoding="utf-8")
    built = tree_hashes(repo / "build")

    def built_but(skip: tuple[str, ...]) -> dict[str, str]:
        return {k: v for k, v in built.items() if k.split("/")[0] not in skip}

    for n, (rel, old, new, words) in enumerate(BAD_INPUTS):
        path = repo / rel
        good, stat, kept = path.read_text(encoding="utf-8"), path.stat(), descriptor.stat()
        assert old in good
        path.write_text(good.replace(old, new, 1), encoding="utf-8")
        # recorded with `make rehash`, so that validation itself judges the edit
        descriptor.write_text(rehash_text(described, repo / "data")[0], encoding="utf-8")
        proc = snakemake(repo, "all", check=False)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0, f"{rel}: {new}\n{out}"
        for word in words:
            assert word in out, out
        # (after the first, the jobs of the inputs made good again run
        # once more, as after any failed run, and record their timing anew)
        skip = ("logs", "benchmarks") if n else ("logs",)
        assert tree_hashes(repo / "build", skip) == built_but(skip), (
            f"build/ changed after bad {rel}"
        )
        # the input as it was, its time too: the next bad input fails alone
        for changed, text, was in ((path, good, stat), (descriptor, described, kept)):
            changed.write_text(text, encoding="utf-8")
            os.utime(changed, ns=(was.st_atime_ns, was.st_mtime_ns))
    # every input good again and newer than its outputs: the next run reads
    # them, completes and yields the same outputs
    for rel in {rel for rel, *_ in BAD_INPUTS}:
        (repo / rel).touch()
    snakemake(repo, "all")
    skip = ("logs", "benchmarks")
    assert tree_hashes(repo / "build", skip) == built_but(skip)


def test_committed_release_is_current(built_copy):
    """data/released/ is exactly what release_aggregates makes from the
    restricted data now: a changed event table cannot silently leave stale
    aggregates in the public edition (and the committed release passed the
    disclosure audit, which the rule runs)."""
    snakemake(built_copy, "release_aggregates")
    fresh = sorted((built_copy / "build" / "released").glob("*.csv"))
    assert fresh
    for path in fresh:
        committed = built_copy / "data" / "released" / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run make release"
        )
