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


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: 0 if "tests/unit/" in item.nodeid else 1)


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
