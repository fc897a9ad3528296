"""Where the machine's shared materials (``../shared/``: the demonstration
key, the offline Quarto bundle) may be: next to this checkout, or, in a git
worktree, next to the main checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_candidates(rel: str | Path) -> list[Path]:
    """``../shared/<rel>`` beside this checkout and beside the main checkout."""
    out = [ROOT.parent / "shared" / rel]
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        out.append(Path(common).parent.parent / "shared" / rel)
    except (OSError, subprocess.CalledProcessError):
        pass
    return out
