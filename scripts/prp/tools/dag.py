"""The jobs Snakemake lists, read from its dry run or log (a public interface).

``parse_jobs(log)`` reads ``rule NAME:`` blocks with their indented
``input:``, ``output:``, ``wildcards:``, ``log:`` and ``reason:`` lines;
``planned_jobs(workdir, targets)`` runs ``snakemake --dry-run`` and returns
them with repository-relative paths. With ``forceall=True`` it lists the
whole graph behind the targets, which is how the artifact-discovery tests
see what every rule makes and reads. The benchmark and the job-list tests
read Snakemake's logs with the same parser.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prp.runtime.timing import timing_path

_JOB_HEAD = re.compile(r"^(?:local)?(?:rule|checkpoint) (?P<rule>[A-Za-z_][A-Za-z0-9_]*):$")
_JOB_FIELD = re.compile(r"^    (?P<key>[a-z_]+): (?P<value>.*)$")
_FLAG = re.compile(r"\s+\([a-z, ]+\)$")  # "build/x.parquet (update)"


@dataclass(frozen=True)
class Job:
    """One job as Snakemake lists it."""

    rule: str
    wildcards: tuple[tuple[str, str], ...] = ()
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    log: str | None = None
    reason: str = ""

    @property
    def benchmark(self) -> str | None:
        """The job's timing file, which it writes beside its log when it
        succeeds (:mod:`prp.runtime.timing`); ``None`` without a log."""
        path = timing_path(self.log) if self.log else None
        return path.as_posix() if path is not None else None

    @property
    def updated_inputs(self) -> tuple[str, ...]:
        """Input files whose change scheduled the job (its dry-run reason
        "Updated input files: a, b"), none if it runs for another reason."""
        for part in self.reason.split(";"):
            head, sep, files = part.strip().partition(":")
            if sep and head.strip() == "Updated input files":
                return _split_files(files)
        return ()

    @property
    def key(self) -> str:
        """``rule`` or ``rule[name=value,...]``: unique within one workflow run."""
        if not self.wildcards:
            return self.rule
        return f"{self.rule}[{','.join(f'{k}={v}' for k, v in self.wildcards)}]"


def _split_files(value: str) -> tuple[str, ...]:
    return tuple(_FLAG.sub("", part.strip()) for part in value.split(", ") if part.strip())


def _split_wildcards(value: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in value.split(", "):
        name, sep, val = part.partition("=")
        if not sep:
            raise ValueError(f"cannot read wildcards {value!r}: expected name=value pairs")
        pairs.append((name.strip(), val.strip()))
    return tuple(sorted(pairs))


def parse_jobs(log: str) -> list[Job]:
    """Jobs of a Snakemake log or dry-run listing, in the order printed.

    A job is a ``rule NAME:`` (or ``localrule NAME:``) line followed by
    indented ``key: value`` lines (input, output, wildcards, log...)."""
    jobs: list[Job] = []
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is not None:
            jobs.append(Job(**current))

    for line in log.splitlines():
        head = _JOB_HEAD.match(line)
        if head:
            close()
            current = {"rule": head["rule"]}
            continue
        if current is None:
            continue
        fld = _JOB_FIELD.match(line)
        if not fld:
            close()
            current = None
            continue
        key, value = fld["key"], fld["value"]
        if key == "input":
            current["inputs"] = _split_files(value)
        elif key == "output":
            current["outputs"] = _split_files(value)
        elif key == "wildcards":
            current["wildcards"] = _split_wildcards(value)
        elif key == "log":
            current["log"] = _split_files(value)[0] if value.strip() else None
        elif key == "reason":
            current["reason"] = value.strip()
    close()
    return jobs


def relative(path: str, workdir: Path) -> str:
    """A path as the repository names it (Snakemake may print code inputs absolute)."""
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
    return [
        dataclasses.replace(
            job,
            inputs=tuple(relative(p, workdir) for p in job.inputs),
            outputs=tuple(relative(p, workdir) for p in job.outputs),
        )
        for job in parse_jobs(proc.stdout + "\n" + proc.stderr)
    ]
