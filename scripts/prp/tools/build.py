"""``python -m prp.tools.build [targets]`` — run the workflow safely.

* One build per working directory: an exclusive, non-blocking ``flock`` on
  ``build/.build.lock``. A second build started while one runs fails at once
  with a clear message (exit 75) and touches nothing. The kernel drops the
  lock when its holder dies, even by SIGKILL.
* Recovery after a kill: holding the lock proves no other build of ours is
  running, so Snakemake's own leftover directory lock (``.snakemake/locks``)
  is stale and is removed with ``--unlock``; ``rerun-incomplete`` (workflow
  profile) then redoes any job that was cut short. Outputs are written
  atomically, so a killed job never leaves a half-written file.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

LOCK = Path("build") / ".build.lock"
BUSY = 75  # EX_TEMPFAIL


def snakemake_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("snakemake")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "snakemake"]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    fh = open(LOCK, "a+")  # noqa: SIM115 - held for the whole build
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        print(
            f"prp.tools.build: another build is already running in {Path.cwd()} (pid {holder}); "
            "wait for it to finish or stop it, then run this command again. Nothing was changed.",
            file=sys.stderr,
        )
        return BUSY
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    locks = Path(".snakemake") / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        print(
            "prp.tools.build: removing a stale Snakemake lock left by an interrupted build",
            file=sys.stderr,
        )
        subprocess.run(
            [*snakemake_cmd(), "--unlock", *args],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        return subprocess.run([*snakemake_cmd(), *args], check=False).returncode
    finally:
        fh.close()


if __name__ == "__main__":
    sys.exit(main())
