"""The SLURM profile (profiles/slurm): every job gets the resources the
profile sets for its rule, and the public edition builds through a real
single-node SLURM cluster (prp.tools.slurm_local) when SLURM is installed:
in a copy of the built repository, a figure and a table are forced to rerun,
so that a forked job (prp.runtime.forked), an in-process job, the edition's
render (a script job) and its provenance export each go through sbatch (the
whole graph takes ~100 jobs through sbatch; these four jobs prove the same
profile)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prp.tools.dag import parse_jobs
from prp.tools.slurm_local import (
    SNAKEMAKE_FLAGS,
    Layout,
    cluster,
    missing_binaries,
    slurm_conf,
    wrapper,
)

from .conftest import ROOT, copy_repo

pytestmark = pytest.mark.slow

PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"


def build_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = "scripts"
    env.update(extra or {})
    return env


def build(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prp.tools.build", "--workflow-profile", "profiles/slurm", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )


def job_resources(listing: str) -> dict[str, dict[str, str]]:
    """job key -> its resources, from a dry-run listing."""
    out: dict[str, dict[str, str]] = {}
    keys = iter(job.key for job in parse_jobs(listing))
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", listing)[1:]:
        key = next(keys)
        m = re.search(r"^    resources: (.*)$", block, re.MULTILINE)
        pairs = (p.split("=", 1) for p in m.group(1).split(", ")) if m else ()
        out[key] = {k: v for k, v in pairs}
    return out


def test_the_profile_gives_every_job_its_rules_resources(tmp_path):
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm"
    repo = copy_repo(tmp_path / "repo")
    # all + the release step: every rule of the workflow
    proc = build(repo, "--dry-run", "all", "release_aggregates", *SNAKEMAKE_FLAGS, env=build_env())
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    listing = proc.stdout + proc.stderr
    resources = job_resources(listing)
    rules = {key.split("[")[0] for key in resources}
    assert len(resources) > 90 and "render_edition" in rules
    unknown = set(profile["set-resources"]) - rules
    assert not unknown, f"profile sets resources for rules the workflow lacks: {unknown}"
    for key, res in resources.items():
        rule = key.split("[")[0]
        if rule == "all":  # the target rule runs no job
            continue
        want = {**profile["default-resources"], **profile["set-resources"].get(rule, {})}
        for name, value in want.items():
            assert res.get(name) == str(value), f"{key}: {name}={res.get(name)}, want {value}"


def test_the_local_cluster_is_one_node_on_loopback_with_its_files_in_one_folder():
    layout = Layout(Path("/tmp/c"))
    conf = slurm_conf(layout, "box", cpus=2, memory_mb=4000, ctld_port=7001, slurmd_port=7002)
    settings = dict(
        line.split("=", 1) for line in conf.splitlines() if line and not line.startswith("#")
    )
    assert settings["SlurmctldHost"] == "box(127.0.0.1)"
    assert settings["AuthInfo"] == "socket=/tmp/c/munge/munge.socket"
    assert (settings["SlurmctldPort"], settings["SlurmdPort"]) == ("7001", "7002")
    assert "NodeName=box NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000" in conf
    paths = [v for v in settings.values() if v.startswith("/")]
    assert paths and all(v.startswith("/tmp/c/") for v in paths)
    assert wrapper(layout.conf, "/usr/bin/srun") == (
        '#!/bin/sh\nSLURM_CONF="/tmp/c/slurm.conf" exec "/usr/bin/srun" "$@"\n'
    )


SKIP = (
    "SLURM is not installed (needs: " + ", ".join(missing_binaries()) + ")"
    if missing_binaries()
    else "the SLURM daemons must run as root"
    if os.geteuid() != 0
    else None
)


FORCED = ("plot_homicide_rates", "table_police_laws")  # a forked rule, an in-process rule


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_the_public_edition_builds_through_slurm(built_repo, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(built_repo, repo, symlinks=True)
    before = (repo / "build" / "public" / "index.html").stat().st_mtime_ns
    with cluster(tmp_path / "slurm") as layout:
        env = build_env({"SLURM_CONF": str(layout.conf)})
        env["PATH"] = f"{layout.bin}{os.pathsep}{env['PATH']}"
        proc = build(repo, "public", "--forcerun", *FORCED, *SNAKEMAKE_FLAGS, env=env)
        log = proc.stdout + proc.stderr
        assert proc.returncode == 0, log[-5000:]
        queue = subprocess.run(
            ["squeue", "--noheader", "--states=all", "--format=%i %T"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    ran = [job for job in parse_jobs(log) if job.rule != "public"]
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    rules = {job.rule for job in ran}
    assert rules == {*FORCED, "render_edition", "export_provenance"}, rules
    assert len(submitted) == len(ran), "every job should have gone through sbatch"
    states = dict(zip(queue[::2], queue[1::2], strict=True))
    assert {states.get(j) for j in submitted} == {"COMPLETED"}, states
    for name in ("index.html", "report.pdf", "provenance.json", "ro-crate-metadata.json"):
        assert (repo / "build" / "public" / name).stat().st_size > 0
    assert (repo / "build" / "public" / "index.html").stat().st_mtime_ns > before  # rendered
    # the public target touched nothing of the restricted edition
    pdf = Path("build") / "restricted" / "report.pdf"
    assert (repo / pdf).read_bytes() == (built_repo / pdf).read_bytes()
    # the result is an ordinary up-to-date build: nothing left to do locally
    local = subprocess.run(
        [sys.executable, "-m", "prp.tools.build", "--dry-run", "public"],
        cwd=repo,
        env=build_env(),
        capture_output=True,
        text=True,
    )
    assert "Nothing to be done" in local.stdout + local.stderr
