"""Editing any code file reruns exactly the jobs whose scripts reach it.

For each module of the ``prp`` package, each file the renderer reads at run
time (Lua filters, templates) and each file of the report's format (the
Quarto extension under ``report/_extensions/``, code of every edition's
render job), the jobs that declare it as an input in Snakemake's job graph
(``--dry-run --forceall``, read once), with everything downstream of them,
must be exactly the jobs of the rules whose scripts import it, directly or
transitively (every job of each such rule), and the jobs that read what
those rewrite -- nothing else. Snakemake reruns a job when a declared input
is newer than its outputs; that it does so for code is shown for real on one
file of each folder and kind (a Python module of each subpackage, a Lua
filter, a template, a typst partial, the extension's files): in a copy of
the built repository the file gets a comment appended and
``snakemake --dry-run all`` must schedule exactly those jobs. A scheduled
job that no other scheduled job feeds must name the edited file as its
reason; every other scheduled job runs because its inputs are rebuilt.
(Snakemake names only the first reason: a job that both imports the file
and reads a rebuilt file is listed for the latter.) The expected rules
come from tests/codewalk.py, an import walk written independently of
prp.runtime.deps. The file is restored (content and mtime) before the next.
"""

from __future__ import annotations

import collections
import functools
import os
import shutil
from pathlib import Path

import pytest

from prp.tools.dag import Job, parse_jobs
from tests.codewalk import rule_code, rule_scripts

from .conftest import ROOT, snakemake

pytestmark = pytest.mark.slow

SCRIPTS = ROOT / "scripts"
DOWNSTREAM = "Input files updated by another job"
COMMENTS = {  # a comment in each kind of code file
    ".py": b"\n# edited by the test\n",
    ".lua": b"\n-- edited by the test\n",
    ".typ": b"\n// edited by the test\n",
    ".css": b"\n/* edited by the test */\n",
    ".html": b"\n<!-- edited by the test -->\n",
    ".svg": b"\n<!-- edited by the test -->\n",
    ".yml": b"\n# edited by the test\n",
    ".js": b"\n// edited by the test\n",
}
EXTENSIONS = ROOT / "report" / "_extensions"


def code_files() -> list[str]:
    package = SCRIPTS / "prp"
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    runtime = {package / "render" / "filters", package / "render" / "templates"}
    files += [p for p in EXTENSIONS.rglob("*") if p.is_file()]
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in files
        if p.suffix == ".py" or runtime & set(p.parents) or EXTENSIONS in p.parents
    )


@functools.cache
def readers() -> dict[str, set[str]]:
    """Code file -> rules whose scripts reach it (independent walk; computed
    once: callers must not change it)."""
    out: dict[str, set[str]] = collections.defaultdict(set)
    for rule in rule_scripts():
        for f in rule_code(rule):
            out[f].add(rule)
    # the report's format: both engines render every edition with it
    for p in EXTENSIONS.rglob("*"):
        if p.is_file():
            out[p.relative_to(ROOT).as_posix()].add("render_edition")
    return out


@pytest.fixture(scope="module")
def code_copy(built_repo: Path, tmp_path_factory) -> tuple[Path, list[Job]]:
    """A copy of the built repository, up to date, and its whole job graph
    (release_aggregates is outside `all`: `make release` runs it)."""
    repo = tmp_path_factory.mktemp("codedeps") / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    proc = snakemake(repo, "--dry-run", "all")
    assert not parse_jobs(proc.stdout + proc.stderr), "the copy is not up to date"
    graph = snakemake(repo, "--dry-run", "--forceall", "all")
    return repo, parse_jobs(graph.stdout + graph.stderr)


def downstream(graph: list[Job], start: set[str]) -> set[str]:
    """Keys of the jobs in ``start`` and of every job that reads, directly or
    not, a file one of them writes."""
    readers_of: dict[str, set[str]] = collections.defaultdict(set)
    for job in graph:
        for path in job.inputs:
            readers_of[path].add(job.key)
    by_key = {j.key: j for j in graph}
    seen, todo = set(start), list(start)
    while todo:
        for out in by_key[todo.pop()].outputs:
            for reader in readers_of[out] - seen:
                seen.add(reader)
                todo.append(reader)
    return seen


def edited_dry_run(repo: Path, rel: str) -> list:
    path = repo / rel
    original, stat = path.read_bytes(), path.stat()
    comment = COMMENTS[Path(rel).suffix]
    try:
        path.write_bytes(original + comment)
        proc = snakemake(repo, "--dry-run", "all")
        return parse_jobs(proc.stdout + proc.stderr)
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_every_code_file_is_read_by_some_rule_or_is_a_tool():
    reached = readers()
    for rel in code_files():
        if "/prp/tools/" in rel or rel.endswith("/prp/render/__main__.py"):
            assert rel not in reached, f"{rel}: a tool reached by a rule"
        elif rel not in reached:
            # code only the workflow itself (rules/common.smk) or a developer
            # command uses; listed so that a new module is a deliberate choice
            assert rel in {
                "scripts/prp/data/derive_geo.py",
                "scripts/prp/data/generate_events.py",
                "scripts/prp/data/synth.py",
                "scripts/prp/runtime/deps.py",
                "scripts/prp/runtime/boundary.py",
                "scripts/prp/render/preview.py",  # make watch's one-page preview
                "scripts/prp/data/crypt.py",
                "scripts/prp/runtime/env.py",
                "scripts/prp/artifacts/catalog.py",
                "scripts/prp/artifacts/numbers.py",
            } or rel.endswith("__init__.py"), f"{rel} is read by no rule"


CODE = [f for f in code_files() if "/prp/tools/" not in f]


def one_per_folder_and_kind(files: list[str]) -> list[str]:
    """The first file of each (folder, suffix) that some rule reads (a
    package's ``__init__.py`` only where it is the only one): the files
    edited for real."""
    read = readers()
    first: dict[tuple[str, str], str] = {}
    for rel in sorted(files, key=lambda r: (r not in read, Path(r).name == "__init__.py", r)):
        first.setdefault((str(Path(rel).parent), Path(rel).suffix), rel)
    return sorted(first.values())


def expected_jobs(graph: list[Job], rel: str) -> tuple[set[str], set[str]]:
    """(jobs of the rules whose scripts reach ``rel``, those and everything
    downstream of them), by the independent import walk."""
    rules = readers().get(rel, frozenset())
    importers = {j.key for j in graph if j.rule in rules}
    return importers, downstream(graph, importers)


def test_every_folder_and_kind_of_code_is_edited_for_real():
    edited = one_per_folder_and_kind(CODE)
    kinds = {Path(rel).suffix for rel in edited}
    assert {".py", ".lua", ".typ", ".css", ".yml", ".html", ".js"} <= kinds
    for sub in ("data", "events", "artifacts", "render", "runtime"):
        assert any(rel.startswith(f"scripts/prp/{sub}/") for rel in edited), sub
    assert any(rel.startswith("report/_extensions/") for rel in edited)


@pytest.mark.parametrize("rel", CODE)
def test_the_jobs_declaring_each_code_file_are_exactly_its_readers(code_copy, rel):
    _, graph = code_copy
    _, expected = expected_jobs(graph, rel)
    declaring = {j.key for j in graph if rel in j.inputs}
    assert downstream(graph, declaring) == expected, (
        f"{rel}: declared by {sorted(declaring)}; "
        f"missing {sorted(expected - downstream(graph, declaring))}; "
        f"extra {sorted(downstream(graph, declaring) - expected)}"
    )


@pytest.mark.parametrize("rel", one_per_folder_and_kind(CODE))
def test_editing_code_reruns_exactly_its_readers(code_copy, rel):
    repo, graph = code_copy
    importers, expected = expected_jobs(graph, rel)
    jobs = {j.key: j for j in edited_dry_run(repo, rel)}
    assert set(jobs) == expected, (
        f"{rel}: not scheduled {sorted(expected - set(jobs))}; "
        f"scheduled but not expected {sorted(set(jobs) - expected)}"
    )
    rebuilt = {out for job in jobs.values() for out in job.outputs}
    for key, job in jobs.items():
        if rebuilt & set(job.inputs):
            assert job.reason.startswith(DOWNSTREAM), f"{rel}: {key} scheduled for {job.reason!r}"
        else:
            assert key in importers and rel in job.updated_inputs, (
                f"{rel}: {key} scheduled for {job.reason!r}"
            )
