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
# background (tests.shared_build), so that no worker sits waiting for it.

# Then the integration files that take longest (a few minutes of one worker
# each), so that the short ones even out the workers' loads at the end
# (pytest-xdist's --dist loadfile hands out whole files in this order).
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
    build if integration tests will need it."""
    if _BACKGROUND or not any(i.startswith("tests/integration/") for i in ids):
        return
    from tests.shared_build import start_in_background

    root = node.config._tmp_path_factory.getbasetemp()
    _BACKGROUND["proc"] = start_in_background(root)


def pytest_sessionfinish(session, exitstatus):
    proc = _BACKGROUND.pop("proc", None)
    if proc is not None and proc.poll() is None:  # interrupted: stop its build
        import signal
        import subprocess

        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, OSError, subprocess.TimeoutExpired):
            pass
