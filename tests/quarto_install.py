"""Real Quarto for the tests: the offline bundle of ``../shared/tools/quarto/``
(relative to the repository; for a git worktree also relative to the main
checkout; or ``$PRP_QUARTO_BUNDLE``), installed by its own ``install.sh``
into ``.cache/quarto/`` (git-ignored) with the project's Python, which holds
the pandoc and typst that Quarto runs. A second install is a no-op (about
a second). ``$PRP_QUARTO`` set to an installed Quarto skips the install.

``python -m tests.quarto_install`` installs it and prints the executable.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from tests.shared import shared_candidates

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "quarto"
BUNDLE_ENV = "PRP_QUARTO_BUNDLE"
QUARTO_ENV = "PRP_QUARTO"


def bundle_candidates() -> list[Path]:
    out = []
    if os.environ.get(BUNDLE_ENV):
        out.append(Path(os.environ[BUNDLE_ENV]))
    out += shared_candidates(Path("tools") / "quarto")
    return out


def find_bundle() -> Path | None:
    for cand in bundle_candidates():
        if (cand / "install.sh").is_file():
            return cand.resolve()
    return None


class NoQuarto(Exception):
    """Neither an installed Quarto nor the offline bundle is available."""


def install(dest: Path = CACHE, python: str = sys.executable) -> Path:
    """Install the bundle into ``dest`` (if needed); return the executable."""
    if os.environ.get(QUARTO_ENV):
        return Path(os.environ[QUARTO_ENV])
    bundle = find_bundle()
    if bundle is None:
        tried = ", ".join(str(c) for c in bundle_candidates())
        raise NoQuarto(
            f"the offline Quarto bundle was not found (looked in {tried}); set "
            f"{BUNDLE_ENV} to it, or {QUARTO_ENV} to an installed Quarto"
        )
    # one install at a time (the test controller may have started one in
    # the background, tests/conftest.py): a second waits, then finds it done
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / f".{dest.name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(
            ["bash", str(bundle / "install.sh"), str(dest), python],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"installing Quarto from {bundle} failed:\n{proc.stdout}\n{proc.stderr}")
    exe = dest / "bin" / "quarto"
    if not exe.is_file():
        raise RuntimeError(f"install.sh succeeded but wrote no {exe}")
    return exe


if __name__ == "__main__":
    try:
        print(install())
    except NoQuarto as exc:
        sys.exit(str(exc))
