"""The edition boundary, checked before any job runs.

Two checks, both refusing with a message that names what crosses:

* :func:`chapter_problems` -- the chapters of an edition are scanned line by
  line for what they reference: variable namespaces (``{{< var ns.key >}}``),
  generated tables and figures (includes and images), and files (includes,
  images and links). An edition may only cite namespaces that a rule of the
  workflow writes; an edition that may not read restricted data (the public
  one) may only use the public catalog's tables and figures, the public
  namespaces, and no file under a restricted folder. Each problem names the
  chapter, the line and the restricted (or unknown) name.
* :func:`graph_problems` -- over the job graph Snakemake is about to run:
  every job that reads a restricted path, or the output of such a job, is
  restricted; no job upstream of a public edition's outputs may be.
  This catches what no chapter shows, e.g. a public figure whose rule reads
  the restricted events.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prp.render.needs import (
    GENERATED_DIRS,
    GENERATED_INCLUDE,
    INCLUDE_RE,
    edition_needs,
    relative,
    source_file,
)

IMAGE_ANY_RE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)")
VAR_FULL_RE = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_.-]+)?)\s*>\}\}")
REMOTE = ("http://", "https://", "mailto:", "#", "data:")


class BoundaryError(Exception):
    """An edition references what it may not (message: one problem per line)."""


@dataclass(frozen=True)
class Reference:
    """Something a chapter uses, where it says so."""

    file: str  # path relative to report/
    line: int
    kind: str  # "namespace", "table", "figure", "file"
    name: str  # the namespace, the artifact id or the path (relative to the repository)
    text: str  # what the line says


def _repo_path(rel_to_report: str, report_dir: Path) -> str:
    """A path relative to report/ as a path relative to the repository (the
    folder that holds report/)."""
    return Path(os.path.normpath(Path(report_dir.name) / rel_to_report)).as_posix()


def references(
    report_dir: str | Path, profile: str, overlay: Mapping[str, str | Path] | None = None
) -> list[Reference]:
    """Every namespace, table, figure and local file the edition's sources
    reference, with chapter and line."""
    report_dir = Path(report_dir)
    sources = edition_needs(report_dir, profile, overlay)["sources"]
    out: list[Reference] = []
    for rel_file in sources:
        if rel_file.startswith("../"):
            continue  # reported by the including file
        path = source_file(report_dir, rel_file, overlay)
        if not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for ns, key in VAR_FULL_RE.findall(line):
                out.append(Reference(rel_file, n, "namespace", ns, f"{{{{< var {ns}{key} >}}}}"))
            targets = [t.strip("\"'") for t in INCLUDE_RE.findall(line)]
            targets += [t for t in IMAGE_ANY_RE.findall(line) + LINK_RE.findall(line)]
            for target in targets:
                if target.startswith(REMOTE) or "://" in target:
                    continue
                rel = relative(target.split("#")[0], rel_file)
                if not rel or rel.startswith(GENERATED_INCLUDE + "/"):
                    continue
                if rel.startswith(GENERATED_DIRS):
                    kind = "table" if rel.startswith("tables/") else "figure"
                    ident = Path(rel).stem
                    out.append(Reference(rel_file, n, kind, ident, target))
                else:
                    repo = _repo_path(rel, report_dir)
                    out.append(Reference(rel_file, n, "file", repo, target))
    return out


@dataclass
class Catalog:
    """What exists, split by edition: artifact ids and namespaces."""

    public_ids: set[str] = field(default_factory=set)
    restricted_ids: set[str] = field(default_factory=set)
    public_namespaces: set[str] = field(default_factory=set)
    restricted_namespaces: set[str] = field(default_factory=set)
    restricted_paths: Sequence[str] = ()
    """Folders (relative to the repository) whose files are restricted."""
    restricted_known: bool = True
    """Whether the restricted sources were decrypted (else restricted names are unknown)."""


def is_under(path: str, folders: Iterable[str]) -> bool:
    p = Path(os.path.normpath(path)).as_posix()
    for folder in folders:
        f = Path(os.path.normpath(folder)).as_posix().rstrip("/")
        if p == f or p.startswith(f + "/"):
            return True
    return False


def chapter_problems(
    refs: Iterable[Reference], catalog: Catalog, restricted_edition: bool, edition: str
) -> list[str]:
    """One message per reference the edition may not make."""
    problems: list[str] = []
    for r in refs:
        where = f"report/{r.file}:{r.line}"
        if r.kind == "namespace":
            if r.name in catalog.public_namespaces:
                continue
            if r.name in catalog.restricted_namespaces:
                if not restricted_edition:
                    problems.append(
                        f"{where}: the {edition} edition may not use the restricted variable "
                        f"namespace '{r.name}' ({r.text})"
                    )
                continue
            if catalog.restricted_known:
                problems.append(
                    f"{where}: unknown variable namespace '{r.name}' ({r.text}): no rule writes "
                    f"build/numbers/{r.name}.yml; add config/numbers/{r.name}.yaml or a "
                    "numbers_* rule, or fix the name"
                )
            else:
                problems.append(
                    f"{where}: '{r.name}' is not a variable namespace of this build ({r.text}): "
                    f"no rule writes build/numbers/{r.name}.yml; a restricted namespace, which "
                    "the public edition may not use, or a misspelt one"
                )
        elif r.kind in ("table", "figure"):
            if r.name in catalog.public_ids:
                continue
            if r.name in catalog.restricted_ids:
                if not restricted_edition:
                    problems.append(
                        f"{where}: the {edition} edition may not include the restricted "
                        f"{r.kind} '{r.name}' ({r.text})"
                    )
                continue
            if not restricted_edition:
                problems.append(
                    f"{where}: '{r.name}' ({r.text}) is not a {r.kind} of the public catalog "
                    f"(config/artifacts): a restricted {r.kind}, which the public edition may "
                    "not include, or one defined nowhere"
                )
        elif (
            r.kind == "file"
            and not restricted_edition
            and is_under(r.name, catalog.restricted_paths)
        ):
            problems.append(
                f"{where}: the {edition} edition may not reference the restricted file "
                f"'{r.name}' ({r.text})"
            )
    return problems


# --------------------------------------------------------------------------
# the job graph


@dataclass(frozen=True)
class JobView:
    """A job as the graph check sees it."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    depends: tuple[int, ...]  # indices of the jobs it reads from


def template_regex(templates: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching the paths of Snakemake output templates
    (``build/tables/{id}.md``, ``build/x/{name,[a-z]+}.csv``)."""
    parts = []
    for t in templates:
        out, pos = [], 0
        for m in re.finditer(r"\{[^{}]*\}", t):
            out.append(re.escape(t[pos : m.start()]) + "[^/]+")
            pos = m.end()
        out.append(re.escape(t[pos:]))
        parts.append("".join(out))
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None


def graph_problems(
    jobs: Sequence[JobView],
    public_targets: Iterable[str],
    restricted_paths: Sequence[str],
    restricted_outputs: re.Pattern[str] | None = None,
) -> list[str]:
    """Restricted jobs upstream of the public targets. A job is restricted
    if it reads or writes a path under ``restricted_paths`` or one matching
    ``restricted_outputs`` (what restricted rules make, e.g. left in build/
    by an earlier build that held a key), or reads the output of a
    restricted job; the messages name the job and the path that taints it."""

    def restricted(path: str) -> bool:
        return is_under(path, restricted_paths) or bool(
            restricted_outputs and restricted_outputs.fullmatch(path)
        )

    taint: dict[int, str] = {}
    order = _topological(jobs)
    for i in order:
        job = jobs[i]
        for path in (*job.inputs, *job.outputs):
            if restricted(path):
                taint[i] = path
                break
        else:
            for d in job.depends:
                if d in taint:
                    taint[i] = f"{jobs[d].name} ({taint[d]})"
                    break
    targets = set(public_targets)
    start = [i for i, j in enumerate(jobs) if targets & set(j.outputs)]
    seen: set[int] = set()
    todo = list(start)
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        todo.extend(jobs[i].depends)
    return [
        f"job {jobs[i].name} ({', '.join(jobs[i].outputs[:2])}) of the public edition reads "
        f"restricted material through {taint[i]}"
        for i in sorted(seen)
        if i in taint
    ]


def _topological(jobs: Sequence[JobView]) -> list[int]:
    order: list[int] = []
    state: dict[int, int] = {}
    for root in range(len(jobs)):
        stack = [(root, False)]
        while stack:
            i, done = stack.pop()
            if done:
                state[i] = 2
                order.append(i)
                continue
            if state.get(i):
                continue
            state[i] = 1
            stack.append((i, True))
            stack.extend((d, False) for d in jobs[i].depends if not state.get(d))
    return order


# --------------------------------------------------------------------------
# configuration

PUBLIC_INPUTS = ("report", "config", "scripts", "rules", "profiles")
"""Folders every edition reads (besides ``data_dir``)."""


def restricted_dir_problem(
    restricted_dir: str, data_dir: str, root: str | Path = ".", decrypted: str = ""
) -> str | None:
    """Why ``restricted_dir`` may not be used, or None: it must lie outside
    every public input folder (and contain none), and inside ``build/`` only
    within the decrypted tree."""
    root = Path(root).resolve()
    where = (root / restricted_dir).resolve()
    publics = [data_dir, *PUBLIC_INPUTS]
    for folder in publics:
        f = (root / folder).resolve()
        if where == f or f in where.parents or where in f.parents:
            return (
                f"config: restricted_dir '{restricted_dir}' overlaps the public input folder "
                f"'{folder}'; restricted data must live outside every folder the public "
                f"edition reads (the default is {decrypted or 'build/restricted-src/data'})"
            )
    build = (root / "build").resolve()
    if (where == build or build in where.parents) and decrypted:
        dec = (root / decrypted).resolve()
        if not (where == dec or dec in where.parents):
            return (
                f"config: restricted_dir '{restricted_dir}' lies in build/ outside the "
                f"decrypted tree {decrypted}"
            )
    return None
