"""Read the data package descriptor (data/datapackage.yaml)."""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DESCRIPTOR = "datapackage.yaml"
# libyaml's parser when PyYAML has it (the pinned wheel does): ten times
# faster on the descriptor, which every Snakemake start reads.
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_MEMO: dict[str, str] = {}


def memoise(data_dir: str | Path, folder: str | Path) -> None:
    """Keep a JSON memo of ``data_dir``'s descriptor in ``folder``
    (:func:`prp.runtime.memo.json_memo`, keyed by the descriptor's bytes),
    so that the next :func:`load_package` in a new process reads JSON rather
    than parsing YAML. The workflow asks it for the public data package only
    (``.snakemake/prp``): no copy of a restricted descriptor is kept. The
    processes the workflow starts (figures, scripts) inherit the setting
    through :data:`MEMO_ENV`."""
    _MEMO[_resolved(str(Path(data_dir) / DESCRIPTOR))] = str(Path(folder).resolve())
    os.environ[MEMO_ENV] = json.dumps(_MEMO, sort_keys=True)


MEMO_ENV = "PRP_DESCRIPTOR_MEMOS"
"""Set by :func:`memoise`: the memoised descriptors and their memo folders
(JSON), for the processes the workflow starts."""


def _memo_dir(path: str) -> str | None:
    if path in _MEMO:
        return _MEMO[path]
    try:
        inherited = json.loads(os.environ.get(MEMO_ENV) or "{}")
    except ValueError:
        return None
    folder = inherited.get(path) if isinstance(inherited, dict) else None
    return folder if isinstance(folder, str) else None


@cache
def _resolved(path: str) -> str:
    return str(Path(path).resolve())


@cache
def _load(path: str, mtime_ns: int, size: int, memo_dir: str | None) -> dict[str, Any]:
    from prp.runtime.memo import json_memo

    data = Path(path).read_bytes()
    return json_memo(
        memo_dir,
        "datapackage",
        data,
        lambda: yaml.load(data.decode("utf-8"), Loader=YAML_LOADER),  # noqa: S506 - safe loader
    )


def load_package(data_dir: str | Path) -> dict[str, Any]:
    """The descriptor as a dict (cached per path until the file changes)."""
    path = Path(data_dir) / DESCRIPTOR
    st = path.stat()
    return _load(str(path), st.st_mtime_ns, st.st_size, _memo_dir(_resolved(str(path))))


def resource(data_dir: str | Path, name: str) -> dict[str, Any]:
    """One resource of the package by name; KeyError names what exists."""
    for res in load_package(data_dir)["resources"]:
        if res["name"] == name:
            return res
    names = ", ".join(r["name"] for r in load_package(data_dir)["resources"])
    raise KeyError(f"no resource {name!r} in {Path(data_dir) / DESCRIPTOR}; known: {names}")


def resource_names(data_dir: str | Path) -> list[str]:
    return [r["name"] for r in load_package(data_dir)["resources"]]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def schema_only(res: dict[str, Any]) -> dict[str, Any]:
    """What validation depends on: everything but the hash (so that a data edit,
    which changes the hash, does not look like a schema change to Snakemake)."""
    return {k: v for k, v in res.items() if k not in {"hash", "bytes"}}


RESTRICTED_PREFIX = "restricted/"
"""Resources under this path are restricted: their plaintext lives only in the
decrypted tree, and their integrity is that of the committed ciphertext, so
the public descriptor records no hash of them (a hash of a low-entropy file
would let anyone confirm a guess of its content)."""


def is_restricted(res: dict[str, Any]) -> bool:
    return str(res["path"]).startswith(RESTRICTED_PREFIX)


def declared_sha256(res: dict[str, Any]) -> str | None:
    """The sha256 the descriptor records for a resource (None if none)."""
    value = str(res.get("hash") or "")
    return value.split(":", 1)[1] if value.startswith("sha256:") else None


def rehash_text(
    text: str, data_dir: Path, files: dict[str, Path] | None = None
) -> tuple[str, list[str]]:
    """Set every resource's ``hash: sha256:...`` line to the file's current
    hash (inserting it after the resource's ``path:`` line if absent). Edits
    the YAML text so comments and layout survive. Restricted resources are
    skipped (see :data:`RESTRICTED_PREFIX`). ``files`` maps a resource path to
    the file to hash instead (a release being staged). Returns the new text
    and the paths whose hash changed."""
    files = files or {}
    lines = text.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.startswith("resources:"))
    changed: list[str] = []
    for res in yaml.safe_load(text)["resources"]:
        if is_restricted(res):
            continue
        head = next(
            i for i in range(begin, len(lines)) if lines[i].strip() == f"- name: {res['name']}"
        )
        stop = next(
            (i for i in range(head + 1, len(lines)) if lines[i].startswith("  - ")), len(lines)
        )
        indent = " " * (len(lines[head]) - len(lines[head].lstrip()) + 2)
        source = files.get(res["path"], data_dir / res["path"])
        new = f"{indent}hash: sha256:{sha256_file(source)}\n"
        block = range(head + 1, stop)
        hashes = [i for i in block if lines[i].startswith(indent + "hash:")]
        if hashes:
            if lines[hashes[0]] != new:
                changed.append(res["path"])
                lines[hashes[0]] = new
        else:
            at = next(i for i in block if lines[i].startswith(indent + "path:"))
            lines.insert(at + 1, new)
            changed.append(res["path"])
    return "".join(lines), changed


def _main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m prp.data.datapackage",
        description="Maintain data/datapackage.yaml: update the sha256 of every described file.",
    )
    ap.add_argument("command", choices=["rehash", "check"])
    ap.add_argument("--data-dir", default="data")
    args = ap.parse_args(argv)
    data_dir = Path(args.data_dir)
    path = data_dir / DESCRIPTOR
    text, changed = rehash_text(path.read_text(encoding="utf-8"), data_dir)
    for rel in changed:
        print(f"{'updated' if args.command == 'rehash' else 'STALE'} hash: {rel}")
    if args.command == "rehash":
        path.write_text(text, encoding="utf-8")
        return 0
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(_main())
