"""Fixtures that run the real workflow in a temporary copy of the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prp.tools.bench import copy_repo as bench_copy_repo

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def copy_repo(dest: Path) -> Path:
    """Tracked and untracked-but-not-ignored files of this checkout (what a
    fresh clone plus the working changes would hold; never build/ or .venv/)."""
    return bench_copy_repo(ROOT, dest)


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    proc = subprocess.run(
        [str(SNAKEMAKE), "--cores", "2", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory) -> Path:
    """A temporary copy of the repository with both editions built once."""
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    snakemake(repo, "all")
    return repo
