"""Determinism, interruption and concurrency of full builds."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prp.data.io import is_temporary

from .conftest import copy_repo

pytestmark = pytest.mark.slow

PUBLISHED = ("build/tables", "build/figures", "build/numbers", "build/public", "build/restricted")


def outputs(repo: Path) -> dict[str, str]:
    """sha256 of every table, figure, number file and edition file."""
    found = {}
    for top in PUBLISHED:
        for p in sorted((repo / top).rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                found[p.relative_to(repo).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


def build_cmd(*targets: str) -> list[str]:
    return [sys.executable, "-m", "prp.tools.build", "--cores", "2", *targets]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    e["PYTHONPATH"] = "scripts"
    return e


def test_two_clean_builds_in_different_directories_are_identical(built_repo, tmp_path):
    """Another folder, and first without any key (a fresh clone: the public
    edition only, saying that the restricted one needs a key), then with the
    key: every output is byte-identical to the build of the shared copy, so
    the public edition does not depend on the folder, on the key, or on
    whether the restricted edition was built beside it."""
    from prp.data import crypt
    from tests.keys import keyless_env, session_identity

    other = copy_repo(tmp_path / "elsewhere", restricted=False)
    keyless = {**keyless_env(tmp_path / "empty-home"), "PYTHONPATH": "scripts"}
    proc = subprocess.run(build_cmd("all"), cwd=other, env=keyless, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "The restricted edition was not built: it needs an age identity" in proc.stderr
    assert not (other / "build" / "restricted").exists()
    assert not (other / crypt.PLAIN).exists(), "nothing was decrypted"
    public = [k for k in outputs(built_repo) if k.startswith("build/public/")]
    ours, keyed = outputs(other), outputs(built_repo)
    differ = sorted(k for k in public if ours.get(k) != keyed[k])
    assert not differ, f"the public edition differs without a key: {differ}"
    # now with the key (the throwaway one re-seals stand-ins in the copy)
    from tests.keys import demo_identity, throwaway_restricted

    if demo_identity() is None:
        throwaway_restricted(other)
    keyed_env = {**env(), "PRP_AGE_IDENTITY": str(session_identity())}
    proc = subprocess.run(
        build_cmd("all"), cwd=other, env=keyed_env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    a, b = outputs(built_repo), outputs(other)
    assert a.keys() == b.keys()
    differ = sorted(k for k in a if a[k] != b[k])
    assert not differ, f"not byte-identical across directories: {differ}"
    assert any(k.endswith("report.pdf") for k in a) and any(k.endswith(".svg") for k in a)


def test_killed_builds_recover_to_a_clean_build(built_repo, tmp_path):
    repo = copy_repo(tmp_path / "killed")
    for delay in (1.5, 4.0, 8.0):
        proc = subprocess.Popen(
            build_cmd("all"),
            cwd=repo,
            env=env(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # a killed wrapper stops its Snakemake, which holds the lock until it has
    # stopped its jobs: a build started meanwhile is refused, not run beside it
    deadline = time.monotonic() + 120
    while True:
        done = subprocess.run(build_cmd("all"), cwd=repo, env=env(), capture_output=True, text=True)
        if done.returncode != 75 or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert done.returncode == 0, done.stderr[-3000:]
    assert outputs(repo) == outputs(built_repo)
    # what an interrupted atomic write or render leaves: prp.data.io's
    # temporary names and the renderer's staging folders
    leftovers = [
        p
        for p in (repo / "build").rglob(".*")
        if (p.is_file() and is_temporary(p.name))
        or (p.is_dir() and p.name.endswith((".rendering", ".assembling")))
    ]
    assert not leftovers, f"temporary files left behind: {leftovers}"


def test_second_build_fails_fast_and_corrupts_nothing(built_copy):
    built_repo = built_copy  # the lock is taken in a copy, not in the shared build
    before = outputs(built_repo)
    # hold the build lock as a running build would
    import fcntl

    lock = open(built_repo / "build" / ".build.lock", "a+")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        start = time.monotonic()
        proc = subprocess.run(
            build_cmd("all"), cwd=built_repo, env=env(), capture_output=True, text=True, timeout=60
        )
        elapsed = time.monotonic() - start
    finally:
        lock.close()
    assert proc.returncode == 75
    assert "another build is already running" in proc.stderr
    assert elapsed < 10
    assert outputs(built_repo) == before


def test_two_real_builds_at_once(built_repo, tmp_path):
    # a built copy whose public edition is rendered again: a build of several
    # seconds, which holds the lock while the second one starts
    repo = tmp_path / "twice"
    shutil.copytree(built_repo, repo, symlinks=True)
    first = subprocess.Popen(
        build_cmd("public", "--forcerun", "render_edition"),
        cwd=repo,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    second = subprocess.run(
        build_cmd("all"), cwd=repo, env=env(), capture_output=True, text=True, timeout=60
    )
    assert first.wait(timeout=900) == 0
    assert second.returncode == 75, second.stderr
    again = subprocess.run(
        build_cmd("-n", "all"), cwd=repo, env=env(), capture_output=True, text=True
    )
    assert "Nothing to be done" in again.stdout + again.stderr
