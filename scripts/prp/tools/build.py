"""``python -m prp.tools.build [--public] [snakemake arguments]`` -- run the workflow safely.

* **One build per working directory.** An exclusive, non-blocking ``flock``
  on ``build/.build.lock``, held by this process *and* by Snakemake (the
  locked file descriptor is passed to it), so that killing either one leaves
  the lock held while the other runs (a killed wrapper also stops its
  Snakemake: it is sent SIGTERM when its parent dies). Snakemake runs in its
  own process group, recorded in the lock file; a lock whose holders are gone
  is declared stale only when no process of that group (a job orphaned by a
  killed Snakemake) is alive either. A second build started meanwhile fails
  at once with a clear message (exit 75) and touches nothing.
* **Recovery after a kill.** Holding the lock proves no build of ours is
  running, so Snakemake's own leftover directory lock is stale and is
  removed with ``--unlock``; ``rerun-incomplete`` (workflow profile) redoes
  any job cut short; a release swap cut short is completed
  (:func:`prp.tools.release.recover`). Outputs are written atomically;
  the temporary files of jobs killed mid-write are removed
  (:func:`sweep_temporaries`).
* **Editions and keys.** ``public`` (or ``--public``) builds without any
  identity and without the restricted sources, even where they were
  decrypted before (``PRP_PUBLIC_ONLY=1``). Any other build decrypts the
  restricted sources first (:func:`prp.data.crypt.unseal`, which rewrites
  only changed files) when an age identity is available; without one,
  ``all`` builds the public edition and says that the restricted edition
  needs a key, and ``restricted``/``release_aggregates`` stop (exit 2).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

LOCK = Path("build") / ".build.lock"
BUSY = 75  # EX_TEMPFAIL
NO_KEY = 2
PUBLIC_ONLY = "PRP_PUBLIC_ONLY"
RESTRICTED_TARGETS = ("restricted", "release_aggregates")
KEYLESS_NOTE = (
    "prp.tools.build: built the public edition only. The restricted edition was not built: "
    "it needs an age identity (set PRP_AGE_IDENTITY to your key file, or put it at "
    "~/.config/prp/restricted.agekey; `make public-key` prints the public key to ask for access)."
)


class Busy(Exception):
    """Another build holds the lock, or processes of an earlier one are alive."""


def snakemake_cmd() -> list[str]:
    # as a module, not through the console script: the figure workers
    # (prp.runtime.forked) then need not run the main script again
    return [sys.executable, "-m", "prp.tools.snakemake_cli"]


def _group_states(pgid: int, proc: Path = Path("/proc")) -> list[str] | None:
    """The states (``R``, ``S``, ``Z`` ...) of the processes in group
    ``pgid``, from ``/proc``; None where there is no ``/proc`` to read."""
    if not (proc / "self" / "stat").is_file():
        return None
    states = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="ascii", errors="replace")
        except OSError:  # exited while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid):
            states.append(fields[0])
    return states


def group_alive(pgid: int) -> bool:
    """Is any process of process group ``pgid`` alive? A zombie is not: it
    runs nothing and holds no file, it only waits for whoever adopted it to
    collect its exit status (the forkserver of the figure workers, whose
    parent is Snakemake, is one for a moment after every build)."""
    if pgid <= 1:
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    states = _group_states(pgid)
    return states is None or any(s != "Z" for s in states)


def read_holder(fh: IO[str]) -> dict[str, Any]:
    fh.seek(0)
    text = fh.read().strip()
    try:
        data = json.loads(text) if text else {}
    except json.JSONDecodeError:  # an older lock file: a bare pid
        data = {"pid": text}
    return data if isinstance(data, dict) else {}


def write_holder(fh: IO[str], **holder: Any) -> None:
    fh.seek(0)
    fh.truncate()
    fh.write(json.dumps(holder, sort_keys=True) + "\n")
    fh.flush()


@contextlib.contextmanager
def build_lock(lock: Path = LOCK) -> Iterator[IO[str]]:
    """The build lock of this folder, or :class:`Busy`."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock, "a+")  # noqa: SIM115 - held for the whole build
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_holder(fh)
            raise Busy(
                f"another build is already running in {Path.cwd()} "
                f"(pid {holder.get('pid', 'unknown')}); wait for it to finish or stop it, "
                "then run this command again. Nothing was changed."
            ) from None
        before = read_holder(fh)
        pgid = int(before.get("pgid") or 0)
        if group_alive(pgid):
            raise Busy(
                f"processes of an interrupted build are still running in {Path.cwd()} "
                f"(process group {pgid}); wait for them or stop them (kill -- -{pgid}), then "
                "run this command again. Nothing was changed."
            )
        write_holder(fh, pid=os.getpid())
        yield fh
    finally:
        fh.close()


def scope(args: Sequence[str]) -> tuple[bool, list[str]]:
    """(public only?, the arguments for Snakemake)."""
    rest = [a for a in args if a != "--public"]
    public = "--public" in args or (
        "public" in rest and not ({"all", *RESTRICTED_TARGETS} & set(rest))
    )
    return public, rest


def stop_group(pgid: int, grace: float = 10.0) -> None:
    """Terminate what is left of a process group (jobs orphaned by a killed Snakemake)."""
    if not group_alive(pgid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def run_snakemake(args: Sequence[str], env: dict[str, str], lock: IO[str]) -> int:
    """Run Snakemake in its own process group, holding the lock's file
    descriptor too; forward interrupts to it; clean up the group after it."""
    fd = lock.fileno()
    os.set_inheritable(fd, True)
    proc = subprocess.Popen([*snakemake_cmd(), *args], env=env, pass_fds=(fd,), process_group=0)
    write_holder(lock, pid=os.getpid(), snakemake=proc.pid, pgid=proc.pid)
    forwarded = {}

    def forward(signum: int, frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        forwarded[sig] = signal.signal(sig, forward)
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - forwarded above
                continue
    finally:
        for sig, old in forwarded.items():
            signal.signal(sig, old)
        stop_group(proc.pid)
    write_holder(lock, pid=os.getpid())
    return code


def prepare(args: Sequence[str]) -> tuple[dict[str, str], list[str], str | None]:
    """Environment and Snakemake arguments for a build, decrypting the
    restricted sources when it may read them; the note to print after a
    successful build. Raises CryptError without a key where one is needed."""
    from prp.data import crypt

    public, rest = scope(args)
    env = dict(os.environ)
    if public:
        env.pop(crypt.ENV_IDENTITY, None)
        env[PUBLIC_ONLY] = "1"
        return env, rest, None
    env.pop(PUBLIC_ONLY, None)
    identity = crypt.find_identity()
    if identity is None:
        if set(RESTRICTED_TARGETS) & set(rest):
            raise crypt.CryptError(crypt.NEEDS_KEY)
        env[PUBLIC_ONLY] = "1"
        targets = [a for a in rest if not a.startswith("-")]
        if not targets or "all" in targets:
            return env, rest, KEYLESS_NOTE
        return env, rest, None
    rep = crypt.unseal(identity=identity)
    if rep.written or rep.removed:
        print(f"prp.tools.build: {rep.line('decrypted the restricted sources')}", file=sys.stderr)
    return env, rest, None


def sweep_temporaries(root: Path = LOCK.parent) -> list[Path]:
    """Remove what killed jobs left in ``build/``: atomic writes' temporary
    files and editions' staging folders (``*.rendering``, ``*.assembling``). Called only while
    holding the build lock, which proves no job of ours is writing them."""
    from prp.data.io import is_temporary

    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for path in sorted(root.rglob(".*")):
        if path.is_dir() and path.name.endswith((".rendering", ".assembling")):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        elif path.is_file() and is_temporary(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def main(argv: list[str] | None = None) -> int:
    from prp.data.crypt import CryptError
    from prp.tools.release import recover

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with build_lock() as lock:
            done = recover()
            if done:
                print(f"prp.tools.build: completed an interrupted release: {done}", file=sys.stderr)
            swept = sweep_temporaries()
            if swept:
                print(
                    f"prp.tools.build: removed {len(swept)} temporary file(s) an interrupted "
                    "build left in build/",
                    file=sys.stderr,
                )
            try:
                env, rest, note = prepare(args)
            except CryptError as err:
                print(f"prp.tools.build: {err}", file=sys.stderr)
                return NO_KEY
            locks = Path(".snakemake") / "locks"
            if locks.is_dir() and any(locks.iterdir()):
                print(
                    "prp.tools.build: removing a stale Snakemake lock left by an interrupted build",
                    file=sys.stderr,
                )
                subprocess.run(
                    [*snakemake_cmd(), "--unlock", *rest],
                    check=False,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            code = run_snakemake(rest, env, lock)
            if code == 0 and note:
                print(note, file=sys.stderr)
            return code
    except Busy as err:
        print(f"prp.tools.build: {err}", file=sys.stderr)
        return BUSY


if __name__ == "__main__":
    sys.exit(main())
