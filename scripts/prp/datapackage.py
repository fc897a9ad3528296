"""Read the data package descriptor (data/datapackage.yaml)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DESCRIPTOR = "datapackage.yaml"


@cache
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_package(data_dir: str | Path) -> dict[str, Any]:
    """The descriptor as a dict (cached per path)."""
    return _load(str(Path(data_dir) / DESCRIPTOR))


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
