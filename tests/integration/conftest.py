"""Fixtures that run the real workflow in a temporary copy of the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.keys import demo_identity
from tests.shared_build import build_shared, copy_repo, snakemake  # noqa: F401 - the tests' helpers

ROOT = Path(__file__).resolve().parents[2]

needs_restricted = pytest.mark.skipif(
    demo_identity() is None,
    reason="the committed restricted sources need the demonstration identity "
    "(../shared/keys/demo-restricted.agekey or PRP_AGE_IDENTITY)",
)
"""For tests of the restricted edition itself: its chapters and catalog are
readable only with the demonstration identity."""


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory, worker_id) -> Path:
    """A temporary copy of the repository with both editions built once per
    test session, shared by every pytest-xdist worker (started in the
    background by the controller, else by the first worker to need it; the
    others wait: tests.shared_build). Tests only read it; a test that runs a
    command in it or changes it works on a copy (:func:`built_copy`)."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # the workers' folders share a parent
        root = root.parent
    return build_shared(root)


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
