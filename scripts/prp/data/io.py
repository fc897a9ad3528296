"""Atomic writes: an output appears complete or not at all. CSV cells that a
spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the build wrapper reads this module too
    import pandas as pd

_UMASK = os.umask(0)
os.umask(_UMASK)


# The names atomic_path gives its temporary files: ".<name>.<8 random>" plus
# the suffix (mkstemp's alphabet is lower-case letters, digits and "_").
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}(?P<suffix>\.[^.]+)?$")


def is_temporary(name: str) -> bool:
    """Whether a file name is one of atomic_path's temporary files (which a
    process killed by SIGKILL leaves behind)."""
    m = _TEMPORARY.match(name)
    return m is not None and m["name"].endswith(m["suffix"] or "")


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent
    )
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates 0600; give the file the usual permissions (0644 under umask 022)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    with atomic_path(path) as tmp, open(tmp, mode, encoding=None if "b" in mode else "utf-8") as fh:
        yield fh


def write_text(path: str | Path, text: str) -> None:
    with atomic_open(path) as fh:
        fh.write(text)


def write_yaml(path: str | Path, data: Any) -> None:
    import yaml

    write_text(path, yaml.safe_dump(data, sort_keys=True, allow_unicode=True, width=100))


def write_parquet(path: str | Path, df: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False, compression="zstd")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP:
CSV injection)."""
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def neutralise(value: Any) -> Any:
    """A text cell that starts like a formula (``=HYPERLINK(...)``, ``+1+1``,
    ``@SUM``, ``-2+3``), prefixed with an apostrophe so that spreadsheets
    show it as text; numbers written as text (``-12``, ``+3.5%``) and lone
    dashes are left alone."""
    if (
        isinstance(value, str)
        and value[:1] in FORMULA_PREFIXES
        and not _NUMBER.fullmatch(value)
        and value.strip("-")
    ):
        return "'" + value
    return value


def write_csv(path: str | Path, df: pd.DataFrame) -> None:
    """Write a frame as CSV atomically, with formula-like text neutralised."""
    import pandas as pd

    out = df
    text = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    if text:
        out = df.copy()
        for c in text:
            out[c] = out[c].map(neutralise)
    header = [neutralise(str(c)) for c in out.columns]
    with atomic_path(path) as tmp:
        out.to_csv(tmp, index=False, lineterminator="\n", header=header)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False
    where the system or file system cannot."""
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def replace_dir(new: str | Path, dest: str | Path) -> None:
    """Make the folder ``new`` the folder ``dest``: exchanged in one step
    where the system allows (readers see the old folder or the new one,
    never a mix), else by two renames; the old folder is then deleted."""
    import shutil

    new, dest = Path(new), Path(dest)
    if not dest.exists():
        os.replace(new, dest)
        return
    if _exchange(new, dest):
        shutil.rmtree(new)
        return
    old = dest.with_name(f".{dest.name}.old")
    if old.exists():
        shutil.rmtree(old)
    os.replace(dest, old)
    os.replace(new, dest)
    shutil.rmtree(old)
