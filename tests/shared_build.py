"""The test session's shared build: a temporary copy of the repository with
both editions built once, which every pytest-xdist worker reads
(``built_repo`` in tests/integration/conftest.py).

Under pytest-xdist the controller starts it in the background as soon as a
worker has collected an integration test (``python -m tests.shared_build
ROOT``, see tests/conftest.py), while the workers run the unit tests, which
come first; a worker that needs it before it is done waits on its lock.
Without a background build (one process, or the build failed to start) the
first test to need it builds it the same way.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from prp.tools.bench import copy_repo as bench_copy_repo
from tests.keys import demo_identity, throwaway_restricted

ROOT = Path(__file__).resolve().parents[1]


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
    """Snakemake on two cores in ``workdir``, as prp.tools.build runs it
    (:mod:`prp.tools.snakemake_cli`, the copy's own)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SNAKEMAKE") and k != "PRP_PUBLIC_ONLY"
    }
    env["PYTHONPATH"] = "scripts"
    proc = subprocess.run(
        [sys.executable, "-m", "prp.tools.snakemake_cli", "--cores", "2", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def build_shared(root: Path) -> Path:
    """``root``/built-repo with both editions built, once: the first caller
    builds it under ``root``/built-repo.lock while the others wait; a failure
    is kept in built-repo.failed and raised to every caller."""
    repo, built, failed = root / "built-repo", root / "built-repo.ok", root / "built-repo.failed"
    with open(root / "built-repo.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            raise AssertionError(failed.read_text(encoding="utf-8"))
        if not built.exists():
            import shutil

            shutil.rmtree(repo, ignore_errors=True)
            repo.mkdir()
            try:
                snakemake(copy_repo(repo), "all")
            except BaseException as err:
                failed.write_text(f"the shared build failed:\n{err}", encoding="utf-8")
                raise
            built.touch()
    return repo


def start_in_background(root: Path) -> subprocess.Popen[bytes]:
    """:func:`build_shared` in a process of its own (its own session, so
    that the controller can stop it and its Snakemake at the end)."""
    root.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.shared_build", str(root)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


if __name__ == "__main__":
    try:
        build_shared(Path(sys.argv[1]))
    except AssertionError:  # kept in built-repo.failed for the tests
        sys.exit(1)
