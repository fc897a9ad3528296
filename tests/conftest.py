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
