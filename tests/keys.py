"""The age identity the tests build the restricted edition with.

Tests and CI use the repository's demonstration identity
``../shared/keys/demo-restricted.agekey`` (next to the checkout, or next to
the main work tree of a ``git worktree``) when it is present, or whatever
``$PRP_AGE_IDENTITY`` names. Without either, the committed ciphertexts cannot
be opened: :func:`throwaway_restricted` then regenerates the synthetic
restricted data with the seeded generator and encrypts it for a throwaway
identity in a copy of the repository, with stand-in restricted chapters and
catalog entries (:data:`STAND_INS`) that use every restricted table, figure
and number, so the restricted edition still builds; tests of the committed
restricted text itself are then skipped. The identity is never printed.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

from tests.shared import shared_candidates

ROOT = Path(__file__).resolve().parents[1]
DEMO_NAME = Path("keys/demo-restricted.agekey")
THROWAWAY_ENV = "PRP_TEST_THROWAWAY_IDENTITY"
"""Names the session's throwaway identity, for the processes the session
starts (pytest-xdist workers inherit ``PRP_AGE_IDENTITY`` too, and must not
take it for the demonstration identity)."""


@cache
def demo_identity() -> Path | None:
    """The identity to decrypt the committed restricted sources, or None.
    ``PRP_TEST_THROWAWAY_KEY=1`` pretends there is none (to test the
    throwaway path on a machine that has the demonstration key)."""
    if os.environ.get("PRP_TEST_THROWAWAY_KEY") == "1":
        return None
    env = os.environ.get("PRP_AGE_IDENTITY")
    if env and env != os.environ.get(THROWAWAY_ENV):
        return Path(env)
    candidates = shared_candidates(DEMO_NAME)
    return next((p for p in candidates if p.is_file()), None)


@cache
def session_identity() -> Path:
    """The identity builds in tests use: the demonstration one, or else a
    throwaway identity generated for this test session (never printed)."""
    demo = demo_identity()
    if demo is not None:
        return demo
    inherited = os.environ.get(THROWAWAY_ENV)
    if inherited and Path(inherited).is_file():
        # a pytest-xdist worker: the controller's throwaway identity, so that
        # every worker opens what any of them sealed
        return Path(inherited)
    import tempfile

    from prp.data.crypt import generate

    path = Path(tempfile.mkdtemp(prefix="prp-throwaway-key-")) / "throwaway.agekey"
    generate(path)
    os.environ[THROWAWAY_ENV] = str(path)
    return path


def identity_env(identity: Path | None = None) -> dict[str, str]:
    """The environment of a build that may read restricted sources."""
    env = {k: v for k, v in os.environ.items() if k != "PRP_PUBLIC_ONLY"}
    ident = identity or demo_identity()
    if ident is not None:
        env["PRP_AGE_IDENTITY"] = str(ident)
    return env


def keyless_env(home: Path) -> dict[str, str]:
    """The environment of a clone without any identity (an empty HOME)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PRP_AGE_IDENTITY", "PRP_PUBLIC_ONLY")}
    env["HOME"] = str(home)
    return env


STAND_IN_CATALOG = """\
# Stand-in restricted catalog for tests without the demonstration identity.
tables:
  state-priorities:
    caption: Stand-in Priorities by State
    datasets: [camrd_events]
  event-counts:
    caption: Stand-in Exact Counts
    datasets: [camrd_events]
  event-listing:
    caption: Stand-in Event Records
    datasets: [camrd_events]
    max_rows: 2000
figures:
  event-points-map:
    caption: Stand-in Event Map
    alt: Stand-in map of synthetic events.
    datasets: [camrd_events, mexico_states, rail_segments, countries]
    density:
      above: 5000
      cell_km: 40
      alt: Stand-in density map, cells {cell_km:g} km across.
      note: With {events:,} events, the map shows a density ({cell_km:g} km cells).
"""
STAND_INS = {
    "report/part5-recommendations.qmd": (
        "# Recommendations {#sec-recommendations}\n\n"
        "Stand-in: {{< var restricted_events.n_events >}} events.\n\n"
        "{{< include ../tables/state-priorities.md >}}\n"
    ),
    "report/annex-event-map.qmd": (
        "# Event Map {#sec-annex-event-map}\n\n"
        # enough text for the heading's page (the map floats to a page of
        # its own): a page of a line or two fails the preflight
        + "Stand-in text for tests without the demonstration key. " * 40
        + "\n\n{{< include ../figures/event-points-map.md >}}\n"
    ),
    "report/annex-event-counts.qmd": (
        "# Exact Counts {#sec-annex-event-counts}\n\n{{< include ../tables/event-counts.md >}}\n"
    ),
    "report/annex-events.qmd": (
        "# Event Records {#sec-annex-events}\n\n{{< include ../tables/event-listing.md >}}\n"
    ),
    "config/artifacts/restricted.yaml": STAND_IN_CATALOG,
    "data/README.md": "Stand-in restricted README (tests without the demonstration key).\n",
}


def throwaway_restricted(repo: Path, ident: Path | None = None) -> Path:
    """In a copy of the repository, for tests without the demonstration
    identity: the throwaway identity (``ident``, default the session's) listed
    as the only recipient, the synthetic events regenerated by the seeded
    generator and stand-in chapters and catalog, sealed for it and left
    decrypted. Replaces the committed ciphertexts of that copy."""
    import shutil
    import sys

    from prp.data.crypt import public_of

    ident = ident or session_identity()
    env = {**os.environ, "PYTHONPATH": str(repo / "scripts")}
    run = [sys.executable, "-m"]
    pub = public_of(ident)[0]
    (repo / "config/restricted-recipients.txt").write_text(f"{pub} throwaway (tests)\n")
    shutil.rmtree(repo / "restricted", ignore_errors=True)
    shutil.rmtree(repo / "build/restricted-src", ignore_errors=True)
    out = repo / "build/restricted-src/data/events.csv"
    subprocess.run(
        [*run, "prp.data.generate_events", "--out", str(out)],
        cwd=repo,
        env=env,
        capture_output=True,
        check=True,
    )
    for rel, text in STAND_INS.items():
        path = repo / "build/restricted-src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env["PRP_AGE_IDENTITY"] = str(ident)
    subprocess.run(
        [*run, "prp.data.crypt", "seal"], cwd=repo, env=env, capture_output=True, check=True
    )
    return ident


@cache
def ensure_unsealed(root: Path = ROOT) -> bool:
    """Decrypt this checkout's committed restricted sources into its
    build/restricted-src/ (as `make report` would; only changed files are
    written), with the demonstration identity; False without it."""
    from prp.data import crypt

    demo = demo_identity()
    if demo is None:
        return False
    crypt.unseal(root / crypt.SEALED, root / crypt.PLAIN, demo)
    return True


def raw_file(res: dict) -> Path:
    """The file of a data package resource in this checkout: data/<path>,
    or for a restricted one the decrypted file (decrypting it first; the
    test is skipped without the demonstration identity)."""
    path = str(res["path"])
    if not path.startswith("restricted/"):
        return ROOT / "data" / path
    import pytest

    if not ensure_unsealed(ROOT):
        pytest.skip("restricted data: no demonstration identity to decrypt it")
    from prp.data.crypt import PLAIN

    return ROOT / PLAIN / "data" / path.removeprefix("restricted/")
