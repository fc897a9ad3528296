"""Fixtures that run the real workflow in a temporary copy of the repository."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prp.tools.bench import copy_repo as bench_copy_repo
from tests.keys import demo_identity, throwaway_restricted

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")

needs_restricted = pytest.mark.skipif(
    demo_identity() is None,
    reason="the committed restricted sources need the demonstration identity "
    "(../shared/keys/demo-restricted.agekey or PRP_AGE_IDENTITY)",
)
"""For tests of the restricted edition itself: its chapters and catalog are
readable only with the demonstration identity."""


def copy_repo(dest: Path, restricted: bool = True) -> Path:
    """Tracked and untracked-but-not-ignored files of this checkout (what a
    fresh clone plus the working changes would hold; never build/ or .venv/),
    with the restricted sources decrypted into its build/restricted-src/
    (``restricted``), as `make report` does before Snakemake runs: the
    committed ones with the demonstration identity, else stand-ins sealed for
    a throwaway identity (tests.keys.throwaway_restricted)."""
    demo = demo_identity() is not None
    repo = bench_copy_repo(ROOT, dest, restricted=restricted and demo)
    if restricted and not demo:
        throwaway_restricted(repo)
    return repo


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SNAKEMAKE") and k != "PRP_PUBLIC_ONLY"
    }
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
def built_repo(tmp_path_factory, worker_id) -> Path:
    """A temporary copy of the repository with both editions built once per
    test session, shared by every pytest-xdist worker: the first worker to
    need it builds it while the others wait. Tests only read it; a test that
    runs a command in it or changes it works on a copy (:func:`built_copy`)."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # the workers' folders share a parent
        root = root.parent
    repo, built, failed = root / "built-repo", root / "built-repo.ok", root / "built-repo.failed"
    with open(root / "built-repo.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            raise AssertionError(failed.read_text(encoding="utf-8"))
        if not built.exists():
            shutil.rmtree(repo, ignore_errors=True)
            repo.mkdir()
            try:
                snakemake(copy_repo(repo), "all")
            except BaseException as err:
                failed.write_text(f"the shared build failed:\n{err}", encoding="utf-8")
                raise
            built.touch()
    return repo


def copy_built(built_repo: Path, dest: Path) -> Path:
    """A private copy of the built repository, build/ included (mtimes kept,
    so Snakemake finds it up to date)."""
    shutil.copytree(built_repo, dest, symlinks=True)
    return dest


@pytest.fixture
def built_copy(built_repo, tmp_path) -> Path:
    """A private copy of the shared built repository, to run commands in or
    tamper with."""
    return copy_built(built_repo, tmp_path / "repo")
