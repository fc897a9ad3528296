"""Provenance records: for every job of the pipeline, which rule and code made
which outputs from which inputs (with hashes and sources) and parameters.

Records are written by :func:`prp.runtime.smk.run` after a rule's ``main`` succeeds,
to the rule's ``provenance`` output (``build/provenance/<job>.json``). They
hold only what the job's result depends on -- no time stamps, and no state of
the checkout or of earlier builds (no git commit or "dirty" flag, which a
record written before a commit would keep after it) -- so that the same
inputs and code write the same records, whatever was built before. The input
and code hashes identify the sources exactly.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from prp.data.datapackage import RESTRICTED_PREFIX, load_package, sha256_file

KEY_PACKAGES = (
    "snakemake",
    "pandas",
    "pyarrow",
    "numpy",
    "scipy",
    "highspy",  # HiGHS: the disclosure audit's bounds on withheld counts
    "matplotlib",
    "cartopy",
    "shapely",
    "pandera",
    "pypandoc-binary",
    "typst",
    "pyyaml",
)
SCHEMA_VERSION = 1


def _relative(path: str) -> str:
    """Paths inside the working directory as relative paths, so that records
    do not depend on where the repository was checked out."""
    p = Path(path)
    if p.is_absolute():
        try:
            return p.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path
    return path


def _flatten(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str | Path):
            out.append(_relative(str(v)))
        elif isinstance(v, Iterable):
            out.extend(_flatten(v))
    return out


RESTRICTED_DIR_ENV = "PRP_RESTRICTED_DIR"
"""Where the workflow reads the restricted resources from (config's
``restricted_dir``, exported by rules/common.smk), so that their records
carry their source like every other data file's."""


@cache
def _data_index(data_dir: str, restricted_dir: str = "") -> dict[str, dict[str, Any]]:
    """Data file path (relative to the repo root) -> its source, from the
    descriptor; resources under ``restricted/`` at ``restricted_dir``."""
    index: dict[str, dict[str, Any]] = {}
    for res in load_package(data_dir)["resources"]:
        cit = res.get("x-citation") or {}
        path = str(res["path"])
        if restricted_dir and path.startswith(RESTRICTED_PREFIX):
            key = str(Path(restricted_dir) / path[len(RESTRICTED_PREFIX) :])
        else:
            key = str(Path(data_dir) / path)
        index[key] = {
            "dataset": res["name"],
            "title": res.get("title", ""),
            "citation": cit.get("key", ""),
            "source": (res.get("sources") or [{}])[0].get("title", ""),
            "synthetic": bool(res.get("x-synthetic")),
            "license": (res.get("licenses") or [{}])[0].get("name", ""),
        }
    return index


def file_record(path: str, data_dir: str = "data") -> dict[str, Any]:
    rec: dict[str, Any] = {"path": path, "sha256": sha256_file(path)}
    try:
        src = _data_index(data_dir, os.environ.get(RESTRICTED_DIR_ENV, "")).get(path)
    except FileNotFoundError:
        src = None
    if src:
        rec["source"] = src
    return rec


def imported_code(scripts_dir: Path) -> list[str]:
    """Project files (modules of ``prp`` and other scripts of ``scripts/``)
    that this process has imported, relative to the repository root. The
    running script itself (``__main__``) is the rule's script, which
    Snakemake tracks and the record names separately."""
    root = Path(scripts_dir).resolve()
    prefixes = (str(root) + os.sep, str(Path(scripts_dir).absolute()) + os.sep)
    found = set()
    for name, mod in list(sys.modules.items()):
        file = getattr(mod, "__file__", None)
        if name in ("__main__", "__mp_main__"):  # multiprocessing's alias of it
            continue
        # most of the ~1,000 loaded modules live in site-packages: a string
        # test first, Path.resolve only for candidates
        if not file or not (file.startswith(prefixes) or "scripts" in file):
            continue
        path = Path(file).resolve()
        if root in path.parents:
            found.add(path.relative_to(root.parent).as_posix())
    return sorted(found)


# Inputs that are code: the project's scripts and modules (and the files they
# read at run time), and the book's Quarto extension (the report's format,
# which the render rule runs).
CODE_PREFIXES = ("scripts/", "report/_extensions/")


class UndeclaredCode(RuntimeError):
    """A job imported project code that its rule does not declare as input."""


def shared_modules(scripts_dir: Path, declared: set[str]) -> list[dict[str, str]]:
    """Every project module the job imported, with its hash. Each must be a
    declared input of the rule (derived from the script's imports by
    prp.runtime.deps); one that is not means editing it would not rerun the
    job, so the job fails instead of recording a trail that could go stale."""
    imported = imported_code(scripts_dir)
    missing = [p for p in imported if p not in declared]
    if missing:
        raise UndeclaredCode(
            "the job imported project code that its rule does not declare as input: "
            + ", ".join(missing)
            + " (code inputs come from prp.runtime.deps.script_code; an import it cannot "
            "see, e.g. importlib with a computed name, must be made a plain import)"
        )
    # and the files those modules read at run time (declared next to them),
    # and the extension files a render job runs
    runtime = sorted(p for p in declared if not (p.startswith("scripts/") and p.endswith(".py")))
    root = Path(scripts_dir).resolve().parent
    return [{"path": p, "sha256": sha256_file(root / p)} for p in [*imported, *runtime]]


@cache
def environment() -> dict[str, Any]:
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {"python": platform.python_version(), "packages": versions}


def _plain(value: Any) -> Any:
    """Params as JSON: Snakemake's Namedlists and Paths as plain values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return _relative(value) if value.startswith("/") else value
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, Iterable):
        return [_plain(v) for v in value]
    return str(value)


def job_record(
    rule: str,
    wildcards: Mapping[str, str],
    script: str,
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    params: Mapping[str, Any],
    scripts_dir: Path,
    data_dir: str = "data",
    in_process: bool = False,
) -> dict[str, Any]:
    """Everything a reviewer needs to trace a job's outputs."""
    outs = {k: v for k, v in outputs.items() if k != "provenance"}
    # every project module the job imported; each is a declared input, so the
    # code whose change reruns the job is exactly the code recorded here
    declared = {p for p in _flatten(inputs.values()) if p.startswith(CODE_PREFIXES)}
    if in_process:
        # run inside Snakemake's process (prp.runtime.inproc): sys.modules holds
        # the whole workflow's imports, so the record lists the declared code
        root = Path(scripts_dir).resolve().parent
        modules = [{"path": p, "sha256": sha256_file(root / p)} for p in sorted(declared)]
    else:
        modules = shared_modules(scripts_dir, declared)
    # the script is named as such, not again among the modules (a runner that
    # imports it by name, inproc or forked, has it among its imports)
    modules = [m for m in modules if m["path"] != script]
    return {
        "schema": SCHEMA_VERSION,
        "rule": rule,
        "wildcards": dict(wildcards),
        "script": {"path": script, "sha256": sha256_file(script)},
        "modules": modules,
        "params": _plain(params),
        "inputs": [
            file_record(p, data_dir)
            for p in sorted(set(_flatten(inputs.values())))
            if Path(p).is_file() and not p.startswith(CODE_PREFIXES)
        ],
        "outputs": [
            file_record(p, data_dir)
            for p in sorted(set(_flatten(outs.values())))
            if Path(p).is_file()
        ],
        "environment": environment(),
    }


def write_record(path: str | Path, record: Mapping[str, Any]) -> None:
    from prp.data.io import write_text

    write_text(path, json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- reading records

# Parameters that are the artifact's own text or identity, shown elsewhere.
HIDDEN_PARAMS = {
    "caption",
    "alt",
    "note",
    "density_alt",
    "density_note",
    "data_dir",
    "id",
    "datasets",
}


def load_records(folder: str | Path) -> dict[str, dict[str, Any]]:
    """Records under ``folder`` keyed by their path without '.json'
    (``tables/apprehensions-mexico``)."""
    folder = Path(folder)
    return {
        p.relative_to(folder).with_suffix("").as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.rglob("*.json"))
    }


def producers(records: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Output path -> name of the record that wrote it."""
    return {out["path"]: name for name, rec in records.items() for out in rec["outputs"]}


def trace(
    start: str, records: Mapping[str, Mapping[str, Any]], data_prefix: str = "data/"
) -> list[str]:
    """Records upstream of ``start`` (itself first), stopping at data files:
    a trail ends at the files of data/ (for the public edition, the released
    aggregates), never beyond them."""
    made_by = producers(records)
    seen: list[str] = []
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in records:
            continue
        seen.append(name)
        for inp in records[name]["inputs"]:
            if not inp["path"].startswith(data_prefix) and inp["path"] in made_by:
                todo.append(made_by[inp["path"]])
    return [seen[0], *sorted(seen[1:])] if seen else []


def is_data_file(inp: Mapping[str, Any]) -> bool:
    """Is this input of a record a data file: one under data/, or one the
    data package describes elsewhere (the restricted event records, read
    where ``make restricted`` decrypted them, under build/restricted-src/)?"""
    source = inp.get("source") or {}
    return str(inp["path"]).startswith("data/") or bool(source.get("dataset"))


def data_inputs(start: str, records: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The data files (:func:`is_data_file`) a record ultimately rests on,
    with their sources: the synthetic ones first, then by path."""
    found: dict[str, dict[str, Any]] = {}
    for name in trace(start, records):
        for inp in records[name]["inputs"]:
            if is_data_file(inp):
                found[inp["path"]] = inp
    synthetic = {k for k, v in found.items() if (v.get("source") or {}).get("synthetic")}
    return [found[k] for k in sorted(found, key=lambda k: (k not in synthetic, k))]


def shown_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(params.items()) if k not in HIDDEN_PARAMS}
