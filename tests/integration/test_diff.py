"""``prp.tools.diff`` on real builds, through git: in a copy of the built
repository committed to a fresh git repository, one raw value is changed;
``prp.tools.diff --base HEAD`` builds the change and the committed base (in a work
tree) and must report exactly the variables, cells and figures the value
affects and nothing else. The base build is then reused from the cache, and
it matches the original build (other folder, other commit) with no
difference at all."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prp.tools.diff_compare import compare, flatten, load_build

from .conftest import copy_built

pytestmark = pytest.mark.slow

OLD_BASE, NEW_BASE = 400_000, 500_000
GIT = ["git", "-c", "user.name=prp test", "-c", "user.email=prp@example.org"]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    e["PYTHONPATH"] = "scripts"
    return e


def run(repo: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=repo, env=env(), capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def variables(build: Path) -> dict[str, str]:
    return flatten(yaml.safe_load((build / "src/public/_variables.yml").read_text()))


def differing(base: Path, head: Path, folder: str, ext: str, edition_dir: str) -> set[str]:
    """Artifacts of the public edition whose files differ byte for byte."""
    ids = {p.stem for p in (head / "src/public" / edition_dir).glob(f"*.{ext}")}
    return {
        i
        for i in ids
        if (base / folder / f"{i}.csv").read_bytes() != (head / folder / f"{i}.csv").read_bytes()
    }


def rows(path: Path) -> dict[str, dict[str, str]]:
    return {r["crime_id"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}


@pytest.fixture(scope="module")
def diffed(built_repo, tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """(repository, base build folder, output of prp.tools.diff) after raising the
    Table 3.4 base from 400,000 to 500,000 migrants a year in the raw CSV."""
    repo = copy_built(built_repo, tmp_path_factory.mktemp("diff") / "repo")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "base"], cwd=repo, check=True)
    raw = repo / "data/raw/migrant_base.csv"
    text = raw.read_text()
    assert f"\ncentral,{OLD_BASE}," in text
    raw.write_text(text.replace(f"\ncentral,{OLD_BASE},", f"\ncentral,{NEW_BASE},"))
    run(repo, "prp.data.datapackage", "rehash")
    proc = run(repo, "prp.tools.diff", "--base", "HEAD", "--edition", "public", timeout=3600)
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    return repo, repo / "build/diff-cache" / sha / "build", proc


def test_changed_raw_value_reports_exactly_its_consequences(diffed):
    repo, base, proc = diffed
    head = repo / "build"
    assert (base / "public/index.html").is_file()  # built in the work tree
    d = compare("public", load_build(base, "public"), load_build(head, "public"), "b", "h")

    # variables: exactly those whose value differs in the edition's _variables.yml
    old_vars, new_vars = variables(base), variables(head)
    truth = {k for k in old_vars.keys() | new_vars.keys() if old_vars.get(k) != new_vars.get(k)}
    assert {v.key for v in d.variables} == truth
    by_key = {v.key: v for v in d.variables}
    assert (by_key["revenue.base"].old, by_key["revenue.base"].new) == ("400,000", "500,000")
    assert "chapters/part3-organized-crime.qmd" in by_key["revenue.base"].chapters
    assert {k.split(".")[0] for k in truth} <= {"revenue", "errata"}, truth
    assert "revenue.base: 400,000 → 500,000" in proc.stdout

    # tables: exactly those whose CSV changed; Table 3.4 scaled by 500/400
    tables = {t.id: t for t in d.tables}
    assert set(tables) == differing(base, head, "tables", "md", "tables")
    assert (
        {"revenue-estimates", "revenue-scenarios"}
        <= set(tables)
        <= {
            "revenue-estimates",
            "revenue-scenarios",
            "errata",
        }
    )
    t34 = tables["revenue-estimates"]
    old_rows = rows(base / "tables/revenue-estimates.csv")
    new_rows = rows(head / "tables/revenue-estimates.csv")
    expected = {
        (crime, col)
        for crime in old_rows
        for col in ("migrants_per_year", "migrants_affected", "annual_revenue_usd")
        if old_rows[crime][col] != ""
    }
    assert {(c.row, c.column) for c in t34.cells} == expected
    for c in t34.cells:
        assert (c.old, c.new) == (old_rows[c.row][c.column], new_rows[c.row][c.column])
        assert float(c.new) == pytest.approx(float(c.old) * NEW_BASE / OLD_BASE)
    assert not t34.added_rows and not t34.removed_rows

    # figures: exactly those whose data changed
    assert {f.id for f in d.figures} == differing(base, head, "figures", "svg", "figures")
    assert {f.id for f in d.figures} == {"revenue-sensitivity"}
    assert d.images_only == []

    # text: only the pages that quote the revenue figures, with the new base
    assert {s.page for s in d.sections} <= {
        "sec-organized-crime.html",
        "sec-revenue-sensitivity.html",
        "sec-executive-summary.html",
        "sec-differences.html",
    }
    econ = next(s for s in d.sections if s.id == "sec-economic-benefits")
    pairs = [(o, n) for h in econ.hunks for tag, o, n in h if tag != "equal"]
    assert (["400,000"], ["500,000"]) in pairs

    # provenance: the one raw file (and nothing from the commit or the folder)
    assert [c.path for c in d.provenance.inputs] == ["data/raw/migrant_base.csv"]
    # validation is given the sha256 the data package records for its file
    assert d.provenance.code == []
    assert [(p.job, p.key) for p in d.provenance.params] == [("clean/migrant_base", "sha256")]
    assert d.provenance.environment == [] and d.provenance.other == []

    md = (repo / "build/diff/public.md").read_text()
    page = (repo / "build/diff/public.html").read_text()
    assert "~~400000~~ → **500000**" in md
    assert page.count("data:image/svg+xml;base64,") == 2  # old and new figure
    assert "<link" not in page and "src='http" not in page and 'src="http' not in page
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert sorted(filter(None, status)) == [
        " M data/datapackage.yaml",
        " M data/raw/migrant_base.csv",
    ], "the diff must leave the work tree as it found it"


def test_second_diff_reuses_the_cached_base_build(diffed):
    repo, _, first = diffed
    again = run(repo, "prp.tools.diff", "--base", "HEAD", "--edition", "public", "--no-build")
    assert "reusing the cached build" in again.stderr
    assert again.stdout == first.stdout


def test_same_sources_in_another_folder_and_commit_show_no_difference(diffed, built_repo, tmp_path):
    _, base, _ = diffed
    proc = run(
        built_repo, "prp.tools.diff", "--base-build", str(base), "--head-build",
        str(built_repo / "build"), "--edition", "public", "--out", str(tmp_path),
    )  # fmt: skip
    assert "no differences" in proc.stdout, proc.stdout
    assert "No differences." in (tmp_path / "public.md").read_text()
