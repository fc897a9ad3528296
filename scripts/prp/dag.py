"""The jobs Snakemake plans, read from its dry run (a public interface).

``planned_jobs(workdir, targets)`` runs ``snakemake --dry-run`` and returns
one ``Job`` per scheduled job with its rule, wildcards, inputs and outputs
(paths as Snakemake prints them; the ``(update)`` flags removed). With
``forceall=True`` it lists the whole graph behind the targets, which is how
the artifact-discovery tests see what every rule makes and reads.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

RULE_RE = re.compile(r"^(?:local)?rule (\w+):$")
FIELD_RE = re.compile(r"^\s+(input|output|wildcards): (.*)$")
FLAG_RE = re.compile(r" \((?:update|temporary|protected|pipe|service|directory)\)$")


@dataclass
class Job:
    rule: str
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    wildcards: dict[str, str] = field(default_factory=dict)


def _paths(text: str) -> list[str]:
    return [FLAG_RE.sub("", p.strip()) for p in text.split(", ") if p.strip()]


def parse_dry_run(text: str) -> list[Job]:
    """Jobs of a ``snakemake --dry-run`` log (rule blocks with their fields)."""
    jobs: list[Job] = []
    current: Job | None = None
    for line in text.splitlines():
        if m := RULE_RE.match(line):
            current = Job(m.group(1))
            jobs.append(current)
        elif current is not None and (m := FIELD_RE.match(line)):
            key, value = m.groups()
            if key == "input":
                current.inputs = _paths(value)
            elif key == "output":
                current.outputs = _paths(value)
            else:
                current.wildcards = dict(
                    part.split("=", 1) for part in value.split(", ") if "=" in part
                )
        elif not line.strip():
            current = None
    return jobs


def relative(path: str, workdir: Path) -> str:
    """A path as the repository names it (Snakemake prints code inputs absolute)."""
    p = Path(path)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(workdir.resolve()).as_posix()
        except ValueError:
            return path
    return path


def planned_jobs(
    workdir: Path, targets: list[str], forceall: bool = False, extra: list[str] | None = None
) -> list[Job]:
    """Jobs a build of ``targets`` in ``workdir`` would run now (or, with
    ``forceall``, the whole graph behind them). Paths are repository-relative."""
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe) if exe.exists() else "snakemake", "--dry-run", "--nocolor"]
    if forceall:
        cmd.append("--forceall")
    cmd += [*(extra or []), "--", *targets]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"snakemake --dry-run failed in {workdir}:\n{proc.stderr[-3000:]}")
    jobs = parse_dry_run(proc.stdout + "\n" + proc.stderr)
    for job in jobs:
        job.inputs = [relative(p, workdir) for p in job.inputs]
        job.outputs = [relative(p, workdir) for p in job.outputs]
    return jobs
