"""Incremental builds schedule exactly the jobs an edit affects.

After an edit, a dry run (``snakemake -n all``, loading the same workflow
profile as ``prp.tools.build``, so with the same rerun triggers: mtime, params,
input, code, software-env) must list exactly the jobs that depend on the
edited file. The expected set is computed independently of Snakemake's
rerun logic: from the provenance records the jobs wrote (each names its
rule, wildcards, inputs and outputs), closed over "reads a file that a
scheduled job writes". The few jobs that write no record (the per-edition
export and the target rule) take their inputs from Snakemake's static job
graph (``--forceall`` dry run). One case then runs the build for real and
checks that it ran the jobs the dry run listed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from prp.tools.bench import edit_csv_value
from prp.tools.dag import Job, parse_jobs

from .conftest import snakemake

pytestmark = pytest.mark.slow

# Rules whose jobs write no provenance record (everything else must).
RECORDLESS = {"export_provenance", "all"}
# Rules outside `make report` (run by `make release`; the build fixture's
# release test runs it in the shared built copy): not part of the graph of `all`.
OUTSIDE_ALL = {"release_aggregates"}


def relocate(built_repo: Path, dest: Path) -> Path:
    """A copy of the built repository elsewhere, which Snakemake must find up
    to date (every input and parameter is repository-relative)."""
    shutil.copytree(built_repo, dest, symlinks=True)
    assert scheduled(dest) == set(), "the relocated copy is not up to date"
    return dest


def dry_run(repo: Path, *extra: str) -> list[Job]:
    proc = snakemake(repo, "--dry-run", *extra, "all")
    return parse_jobs(proc.stdout + proc.stderr)


def scheduled(repo: Path) -> set[str]:
    return {job.key for job in dry_run(repo)}


def relative(path: str, repo: Path) -> str:
    return os.path.relpath(path, repo) if os.path.isabs(path) else os.path.normpath(path)


def job_graph(repo: Path) -> dict[str, tuple[set[str], set[str]]]:
    """job key -> (inputs, outputs): from the provenance records, plus the
    record-less jobs from Snakemake's static graph."""
    graph: dict[str, tuple[set[str], set[str]]] = {}
    for path in sorted((repo / "build" / "provenance").rglob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        if rec["rule"] in OUTSIDE_ALL:
            continue
        job = Job(rec["rule"], tuple(sorted(rec["wildcards"].items())))
        outputs = {o["path"] for o in rec["outputs"]} | {path.relative_to(repo).as_posix()}
        inputs = {i["path"] for i in rec["inputs"]}
        assert job.key not in graph, f"two provenance records for job {job.key}"
        graph[job.key] = (inputs, outputs)
    static = dry_run(repo, "--forceall")
    no_record = {job.key for job in static} - graph.keys()
    assert {k.split("[")[0] for k in no_record} == RECORDLESS, (
        f"jobs without a provenance record: {sorted(no_record)}"
    )
    assert graph.keys() <= {job.key for job in static}, "records of jobs the workflow lacks"
    for job in static:
        if job.key in no_record:
            graph[job.key] = (
                {relative(p, repo) for p in job.inputs},
                {relative(p, repo) for p in job.outputs},
            )
    return graph


def dependents(graph: dict[str, tuple[set[str], set[str]]], changed: set[str]) -> set[str]:
    """Jobs that read a changed file, or a file written by such a job, and so on."""
    stale: set[str] = set()
    dirty = set(changed)
    grew = True
    while grew:
        grew = False
        for key, (inputs, outputs) in graph.items():
            if key not in stale and inputs & dirty:
                stale.add(key)
                dirty |= outputs
                grew = True
    return stale


def editions_with(repo: Path, chapter: str) -> set[str]:
    """Editions whose Quarto profile lists the chapter (report-relative path)."""

    def strings(node: object) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    config = yaml.safe_load((repo / "config" / "config.yaml").read_text(encoding="utf-8"))
    found = set()
    for edition, spec in config["editions"].items():
        profile = repo / "report" / f"_quarto-{spec['profile']}.yml"
        book = yaml.safe_load(profile.read_text(encoding="utf-8"))["book"]
        if chapter in set(strings(book.get("chapters"))) | set(strings(book.get("appendices"))):
            found.add(edition)
    return found


class Edit:
    """Change files for the length of a with-block, then put back their bytes
    and modification times, so the copy is up to date again afterwards."""

    def __init__(self, repo: Path, *paths: str) -> None:
        self.files = [repo / p for p in paths]
        self.saved = [(f.read_bytes(), f.stat().st_mtime_ns) for f in self.files]

    def __enter__(self) -> Edit:
        return self

    def __exit__(self, *exc: object) -> None:
        for f, (data, mtime) in zip(self.files, self.saved, strict=True):
            f.write_bytes(data)
            os.utime(f, ns=(mtime, mtime))


def rehash(repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = "scripts"
    subprocess.run(
        [sys.executable, "-m", "prp.data.datapackage", "rehash"],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def edit_raw_table(repo: Path, path: str, column: str, value: str) -> None:
    """What an author does: change one value, then update the data package's hash."""
    f = repo / path
    f.write_text(edit_csv_value(f.read_text(encoding="utf-8"), 0, column, value), "utf-8")
    rehash(repo)


@pytest.fixture(scope="module")
def repo(built_repo, tmp_path_factory) -> Path:
    return relocate(built_repo, tmp_path_factory.mktemp("joblists") / "repo")


@pytest.fixture(scope="module")
def graph(repo) -> dict[str, tuple[set[str], set[str]]]:
    return job_graph(repo)


@pytest.mark.parametrize(
    "chapter",
    ["chapters/part1-background.qmd", "restricted/part5-recommendations.qmd"],
)
def test_editing_a_chapter_schedules_only_the_editions_that_include_it(repo, graph, chapter):
    editions = editions_with(repo, chapter)
    assert editions, f"no edition lists {chapter}"
    # a restricted chapter is read from the decrypted sources (prp.data.crypt)
    path = (
        f"build/restricted-src/report/{chapter.removeprefix('restricted/')}"
        if chapter.startswith("restricted/")
        else f"report/{chapter}"
    )
    with Edit(repo, path):
        f = repo / path
        f.write_text(f.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")
        jobs = scheduled(repo)
    expected = {f"render_edition[edition={e}]" for e in editions}
    expected |= {f"export_provenance[edition={e}]" for e in editions} | {"all"}
    assert jobs == expected
    assert jobs == dependents(graph, {path})
    assert scheduled(repo) == set()


@pytest.mark.parametrize(
    ("path", "column", "value"),
    [
        ("data/raw/homicide_rates.csv", "rate_per_100k", "104"),
        # referenced by other datasets' checks: their validation reruns too
        ("data/raw/states.csv", "official_name", "Aguascalientes (edited)"),
    ],
)
def test_editing_a_raw_table_schedules_exactly_its_dependents(repo, graph, path, column, value):
    with Edit(repo, path, "data/datapackage.yaml"):
        edit_raw_table(repo, path, column, value)
        jobs = scheduled(repo)
    expected = dependents(graph, {path})
    name = Path(path).stem
    assert f"validate_dataset[dataset={name}]" in expected
    assert len(expected) < len(graph) / 2, "the edit should not reach most of the graph"
    assert jobs == expected, (
        f"scheduled but not dependent: {sorted(jobs - expected)}; "
        f"dependent but not scheduled: {sorted(expected - jobs)}"
    )
    assert scheduled(repo) == set()


def test_the_build_runs_the_jobs_the_dry_run_lists(built_repo, tmp_path):
    """The dry run uses the build's rerun triggers: a real build after the
    same kind of edit runs exactly the listed jobs."""
    repo = relocate(built_repo, tmp_path / "repo")
    edit_raw_table(repo, "data/raw/homicide_rates.csv", "rate_per_100k", "104")
    listed = scheduled(repo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = "scripts"
    proc = subprocess.run(
        [sys.executable, "-m", "prp.tools.build", "all"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ran = {job.key for job in parse_jobs(proc.stdout + proc.stderr)}
    assert ran == listed
    assert scheduled(repo) == set()
