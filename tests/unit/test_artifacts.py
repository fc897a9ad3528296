"""Discovery checks over the whole workflow: what the chapters show is made by
a rule that records provenance, every table/figure/number rule feeds an
edition, and every data file is read by some job or carries a reason why not.

The graph comes from Snakemake's own dry run (``--forceall``), so a rule, an
include line or a data file added later is checked without editing this file.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prp.artifacts.catalog import load_catalog
from prp.data.crypt import PLAIN, unsealed
from prp.data.datapackage import load_package
from prp.render.needs import edition_needs, source_file
from prp.tools.dag import Job, planned_jobs
from tests.keys import ensure_unsealed

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
# The restricted editions are checked where their sources can be decrypted,
# or are decrypted already (a copy with stand-ins sealed for a throwaway
# identity, tests.keys.throwaway_restricted): then the workflow has them too.
RESTRICTED = ensure_unsealed(ROOT) or unsealed(ROOT / PLAIN)
EDITIONS = {
    name: e["profile"]
    for name, e in CONFIG["editions"].items()
    if RESTRICTED or not e["restricted"]
}
OVERLAY = {
    name: ({"restricted/": ROOT / PLAIN / "report"} if e["restricted"] else {})
    for name, e in CONFIG["editions"].items()
}
# Rules that are deliberately outside `make report` (see rules/restricted.smk).
OUTSIDE_REPORT = {"release_aggregates"} if RESTRICTED else set()
# Target rules of the Snakefile: they make nothing themselves.
TARGETS = {"all", "public", "restricted"}
REF_RE = re.compile(r"@(fig|tbl)-([a-z0-9]+(?:-[a-z0-9]+)*)")


@pytest.fixture(scope="module")
def graph() -> list[Job]:
    return planned_jobs(ROOT, ["all", *sorted(OUTSIDE_REPORT)], forceall=True)


@pytest.fixture(scope="module")
def made_by(graph) -> dict[str, Job]:
    return {out: job for job in graph for out in job.outputs}


def needs(edition: str) -> dict[str, list[str]]:
    return edition_needs(ROOT / "report", EDITIONS[edition], OVERLAY[edition])


def record_of(artifact: str) -> str:
    """Provenance record of a generated file: tables/x.md -> build/provenance/tables/x.json."""
    return f"build/provenance/{artifact.rsplit('.', 1)[0]}.json"


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_included_artifact_is_made_by_a_rule_with_provenance(edition, made_by):
    need = needs(edition)
    assert need["artifacts"], "no generated artifact found in the chapters"
    for artifact in need["artifacts"]:
        job = made_by.get(f"build/{artifact}")
        assert job, f"a chapter of the {edition} edition includes {artifact}; no rule makes it"
        assert record_of(artifact) in job.outputs, (
            f"rule {job.rule} makes build/{artifact} without a provenance record "
            f"({record_of(artifact)})"
        )
    for ns in need["variables"]:
        job = made_by.get(f"build/numbers/{ns}.yml")
        assert job, f"the {edition} edition quotes {{{{< var {ns}.… >}}}}; no rule makes it"
        assert f"build/provenance/numbers/{ns}.json" in job.outputs, job.rule


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_every_cross_reference_points_to_an_included_artifact(edition):
    need = needs(edition)
    shown = {
        ("fig" if a.startswith("figures/") else "tbl", Path(a).stem)
        for a in need["artifacts"]
        if a.endswith(".md")
    }
    for source in need["sources"]:
        text = source_file(ROOT / "report", source, OVERLAY[edition]).read_text(encoding="utf-8")
        for kind, ident in REF_RE.findall(text):
            assert (kind, ident) in shown, (
                f"report/{source} refers to @{kind}-{ident}, which the {edition} edition "
                "does not include"
            )


def test_every_rule_is_part_of_the_build(graph):
    listed = subprocess.run(
        [str(Path(sys.executable).with_name("snakemake")), "--list-rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    in_graph = {job.rule for job in graph}
    missing = sorted(set(listed) - in_graph - TARGETS)
    assert not missing, f"rules no target reaches (output unused): {missing}"


def test_every_table_and_figure_job_feeds_an_edition(graph):
    shown = {f"build/{a}" for e in EDITIONS for a in needs(e)["artifacts"]}
    for job in graph:
        if job.rule.startswith(("table_", "plot_")):
            md = [o for o in job.outputs if o.endswith(".md")]
            assert md and set(md) <= shown, f"{job.rule}: {md} is included by no chapter"


def test_every_catalog_entry_is_shown_somewhere():
    catalog = load_catalog(ROOT / "config" / "artifacts")
    if RESTRICTED:
        extra = load_catalog(ROOT / PLAIN / "config" / "artifacts")
        for kind in catalog:
            catalog[kind].update(extra[kind])
    shown = {a for e in EDITIONS for a in needs(e)["artifacts"]}
    for kind in ("tables", "figures"):
        for ident in catalog[kind]:
            assert f"{kind}/{ident}.md" in shown, f"config/artifacts: {kind} {ident} is unused"


def raw_path(res: dict) -> str:
    path = res["path"]
    if path.startswith("restricted/"):
        return f"{CONFIG['restricted_dir']}/{path.removeprefix('restricted/')}"
    return f"{CONFIG['data_dir']}/{path}"


def test_every_data_file_is_read_or_flagged(graph):
    read = {p for job in graph for p in job.inputs}
    for res in load_package(ROOT / CONFIG["data_dir"])["resources"]:
        if res["path"].startswith("restricted/") and not RESTRICTED:
            continue
        reason = res.get("x-unused")
        if raw_path(res) in read:
            assert not reason, f"{res['name']} is read by the build but flagged x-unused"
        else:
            assert reason, (
                f"{raw_path(res)} ({res['name']}) is read by no job: use it, or give the "
                "reason in an x-unused field of data/datapackage.yaml"
            )
