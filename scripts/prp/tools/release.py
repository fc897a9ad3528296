"""``python -m prp.tools.release`` (``make release``) -- release the event aggregates.

Runs the rule ``release_aggregates`` (which refuses a release that fails the
disclosure audit) under the build lock, then swaps its tables into
``data/released/`` together with their hashes in ``data/datapackage.yaml``
as one step that a kill cannot leave half done:

1. the new tables and the rehashed descriptor are written to a staging
   folder ``data/.release-staging/`` (nothing of ``data/`` changes);
2. a journal ``data/.release-journal.json`` listing every rename is written
   atomically -- from here on, the release is decided;
3. the files are renamed into place and the journal is removed.

:func:`recover`, run at the start of every build and release, completes a
journaled swap that was cut short (every staged file is complete, so rolling
forward is safe) and discards a staging folder that has no journal. A build
therefore never sees new tables with old hashes, or the reverse; and
validation checks the hashes anyway.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

DATA = Path("data")
BUILT = Path("build/released")
STAGING = DATA / ".release-staging"
JOURNAL = DATA / ".release-journal.json"
DESCRIPTOR = DATA / "datapackage.yaml"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def stage(built: Path = BUILT, data: Path = DATA) -> list[tuple[str, str]]:
    """Copy the built tables and the rehashed descriptor into the staging
    folder; return the renames (staged file, destination)."""
    from prp.data.datapackage import rehash_text

    staging = data / STAGING.name
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    tables = sorted(built.glob("*.csv"))
    if not tables:
        raise FileNotFoundError(f"{built}: no released tables to stage")
    moves: list[tuple[str, str]] = []
    files: dict[str, Path] = {}
    for src in tables:
        dest = staging / src.name
        shutil.copyfile(src, dest)
        with open(dest, "rb") as fh:
            os.fsync(fh.fileno())
        files[f"released/{src.name}"] = dest
        moves.append((str(dest), str(data / "released" / src.name)))
    descriptor = data / DESCRIPTOR.name
    text, _ = rehash_text(descriptor.read_text(encoding="utf-8"), data, files)
    staged = staging / DESCRIPTOR.name
    staged.write_text(text, encoding="utf-8")
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    moves.append((str(staged), str(descriptor)))
    _fsync_dir(staging)
    return moves


def swap(moves: list[tuple[str, str]], data: Path = DATA) -> None:
    """Decide the release (journal), then rename every file into place."""
    journal = data / JOURNAL.name
    _write_synced(journal, (json.dumps({"moves": moves}, indent=1) + "\n").encode())
    _apply(journal)


def _apply(journal: Path) -> list[str]:
    moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
    done = []
    for src, dest in moves:
        if Path(src).exists():  # not yet moved (a rerun after a kill skips the moved ones)
            Path(dest).parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
            done.append(dest)
    for folder in sorted({Path(d).parent for _, d in moves}):
        _fsync_dir(folder)
    journal.unlink()
    _fsync_dir(journal.parent)
    staging = journal.parent / STAGING.name
    if staging.exists():
        shutil.rmtree(staging)
    return done


def recover(data: Path = DATA) -> str:
    """Complete a journaled swap cut short, or discard an unjournaled
    staging folder; returns what was done ('' if nothing)."""
    journal = data / JOURNAL.name
    if journal.exists():
        done = _apply(journal)
        return f"{len(done)} file(s) moved into place"
    staging = data / STAGING.name
    if staging.exists():
        shutil.rmtree(staging)
        return "discarded a release that was staged but not decided"
    return ""


def main(argv: list[str] | None = None) -> int:
    from prp.data.crypt import CryptError
    from prp.tools.build import NO_KEY, Busy, build_lock, prepare, run_snakemake

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with build_lock() as lock:
            done = recover()
            if done:
                print(f"prp.tools.release: completed an interrupted release: {done}")
            try:
                env, rest, _ = prepare(["release_aggregates", *args])
            except CryptError as err:
                print(f"prp.tools.release: {err}", file=sys.stderr)
                return NO_KEY
            code = run_snakemake(rest, env, lock)
            if code != 0:
                print(
                    "prp.tools.release: the release was refused or failed; data/ is unchanged "
                    "(see build/logs/release_aggregates.log)",
                    file=sys.stderr,
                )
                return code
            moves = stage()
            swap(moves)
    except Busy as err:
        print(f"prp.tools.release: {err}", file=sys.stderr)
        return 75
    changed = [d for _, d in moves]
    print(
        f"prp.tools.release: {len(changed) - 1} released tables and their hashes in "
        f"{DESCRIPTOR} swapped in; review `git diff data/`, then commit"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
