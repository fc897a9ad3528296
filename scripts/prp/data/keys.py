"""Finding repeated keys of a file too long to hold in memory: 64-bit hashes
of the keys with their row positions, spilled to a folder in partitions
(used by :mod:`prp.data.validate` and :mod:`prp.data.arrowval`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class KeyStore:
    """64-bit hashes of key values with their row positions, spilled to
    ``parts`` files by hash so that finding repeats needs one part in memory
    at a time. Only rows whose hash repeats are candidates; the caller
    confirms them on the actual values."""

    def __init__(self, folder: Path, parts: int = 64) -> None:
        self.folder, self.parts, self.rows = folder, parts, 0
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        part = (hashes % np.uint64(self.parts)).astype(np.int64)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(self.parts + 1))
        for p in range(self.parts):
            sel = order[bounds[p] : bounds[p + 1]]
            if sel.size:
                pairs = np.empty((sel.size, 2), dtype=np.uint64)
                pairs[:, 0] = hashes[sel]
                pairs[:, 1] = rows[sel].astype(np.uint64)
                with open(self.folder / f"{p}.bin", "ab") as fh:
                    pairs.tofile(fh)
        self.rows += int(hashes.size)

    def candidates(self) -> np.ndarray:
        """Sorted row positions whose key hash occurs more than once."""
        found = []
        for p in range(self.parts):
            file = self.folder / f"{p}.bin"
            if not file.exists():
                continue
            pairs = np.fromfile(file, dtype=np.uint64).reshape(-1, 2)
            h = np.sort(pairs[:, 0])
            repeated = np.unique(h[1:][h[1:] == h[:-1]])
            if repeated.size:
                found.append(pairs[np.isin(pairs[:, 0], repeated), 1].astype(np.int64))
        return np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
