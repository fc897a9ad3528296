"""Shared test fixtures and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

os.environ.setdefault("MPLBACKEND", "Agg")

# Tests and CI decrypt the restricted sources with the demonstration identity
# (../shared/keys/demo-restricted.agekey) when it is there; every build a
# test starts inherits it. Without it, a throwaway identity is generated and
# copies of the repository get regenerated restricted material sealed for it
# (tests.keys.throwaway_restricted); tests of the committed restricted text
# itself are skipped.
from tests.keys import session_identity  # noqa: E402

os.environ["PRP_AGE_IDENTITY"] = str(session_identity())
os.environ.pop("PRP_PUBLIC_ONLY", None)


@pytest.fixture
def root() -> Path:
    return ROOT


# ------------------------------------------------------------------ ordering
# The unit tests run first: under pytest-xdist the controller meanwhile
# builds the integration tests' shared copy of the repository in the
# background (tests.shared_build), and installs real Quarto
# (tests.quarto_install), so that no worker sits waiting for them.

# Then the integration files that take longest (a few minutes of one worker
# each), so that the short ones even out the workers' loads at the end
# (pytest-xdist's --dist loadfile hands out whole files in this order when
# it is also given --no-loadscope-reorder, as `make test` does; by default it
# sorts the files by their number of tests, which put test_code_deps.py
# first, and the worker that took it built the shared copy itself while the
# background build waited for its lock).
LONGEST_FIRST = (
    "test_engines.py",
    "test_robust.py",
    "test_build.py",
    "test_leaks.py",
    "test_watch.py",
    "test_hostile.py",
    "test_slurm.py",
    "test_extension.py",
    "test_diff.py",
    "test_joblists.py",
    "test_code_deps.py",
)


def _order(item) -> tuple[int, int]:
    if "tests/unit/" in item.nodeid:
        return (0, 0)
    name = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return (1, LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST))


def pytest_collection_modifyitems(config, items):
    items.sort(key=_order)  # stable: the order within a file is kept


_BACKGROUND: dict[str, object] = {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """In the controller, once a worker has collected: start the shared
    build if integration tests will need it, and Quarto's install if the
    engine tests will."""
    if _BACKGROUND or not any(i.startswith("tests/integration/") for i in ids):
        return
    import subprocess
    import sys

    from tests.shared_build import start_in_background

    root = node.config._tmp_path_factory.getbasetemp()
    _BACKGROUND["build"] = start_in_background(root)
    if any(i.startswith("tests/integration/test_engines.py") for i in ids):
        # real Quarto's install (a minute, mostly npm and deno caching) too;
        # the tests' own install() waits for it, then finds it done
        _BACKGROUND["quarto"] = subprocess.Popen(
            [sys.executable, "-m", "tests.quarto_install"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def pytest_sessionfinish(session, exitstatus):
    import signal
    import subprocess

    # A Quarto install still running (an interrupted session) is left to
    # finish, under its lock: stopped halfway it could look done to the next.
    _BACKGROUND.pop("quarto", None)
    proc = _BACKGROUND.pop("build", None)
    if proc is not None and proc.poll() is None:
        try:  # interrupted: stop the shared build and its Snakemake
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, OSError, subprocess.TimeoutExpired):
            pass
