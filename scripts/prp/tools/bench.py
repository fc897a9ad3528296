"""``make bench`` — how long builds take on this machine, and where the time goes.

Everything runs in throwaway copies of the repository (the tracked and
untracked-but-not-ignored files, as a fresh clone plus working changes would
hold), never in the user's ``build/``. Each repetition:

1. **cold** — a fresh copy, ``python -m prp.tools.build all`` (both editions);
2. **no-op** — the same command again (nothing to do);
3. **edit chapter** — one sentence appended to a chapter both editions
   include, rebuild; the chapter is then restored and rebuilt (not timed);
4. **edit raw table** — one value of a raw CSV changed and the data package
   re-hashed (``python -m prp.data.datapackage rehash``, as an author would), rebuild;
   then restored, re-hashed and rebuilt (not timed).

The floor is Snakemake itself on a one-rule Snakefile whose output exists,
run with the same executable and the same workflow profile, right after
each no-op (so both see the same load). Each figure is the median of the
repetitions. Times are wall-clock times of the whole
subprocess; CPU is user + system time of the whole process tree (from
``getrusage``), so ``CPU / wall`` is the mean number of busy cores. Per-rule
time and peak memory come from the timing files the jobs of the cold builds
write beside their logs (:mod:`prp.runtime.timing`).

The pure parts (parsing Snakemake's job listing, medians, per-rule
aggregation, critical path, tables) are functions without I/O; the runner
and the report writer are at the end.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import importlib.util
import io
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prp.tools.build import group_alive
from prp.tools.dag import Job, parse_jobs

# --------------------------------------------------------------------------
# Snakemake's job listing (printed by real runs and by dry runs alike)


# --------------------------------------------------------------------------
# Statistics and per-rule figures


@dataclass(frozen=True)
class Stat:
    """Median of repeated measurements, with their range."""

    median: float
    low: float
    high: float
    n: int


def stat(values: Sequence[float]) -> Stat:
    if not values:
        raise ValueError("no measurements to summarize")
    return Stat(statistics.median(values), min(values), max(values), len(values))


def read_benchmark(text: str, path: str = "<benchmark>") -> dict[str, float]:
    """The measurements of a Snakemake benchmark TSV (one header line, one
    row per repetition; we use the first row): ``s`` (wall seconds),
    ``max_rss`` (MB), ``cpu_time`` (s) where numeric."""
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t"))
    if not rows:
        raise ValueError(f"{path}: benchmark file has no data row")
    out: dict[str, float] = {}
    for key in ("s", "max_rss", "max_rss_children", "cpu_time", "mean_load"):
        raw = rows[0].get(key)
        if raw in (None, "", "NA", "-"):
            continue
        try:
            out[key] = float(raw)
        except ValueError as err:
            raise ValueError(f"{path}: column {key!r} is not a number: {raw!r}") from err
    if "s" not in out:
        raise ValueError(f"{path}: no wall time (column 's')")
    return out


@dataclass(frozen=True)
class RuleRow:
    rule: str
    jobs: int
    total_s: float  # sum of the rule's job wall times (median over repetitions)
    max_s: float  # longest single job
    max_rss_mb: float | None  # largest peak resident memory of one job's process
    child_rss_mb: float | None = None  # largest peak of a process a job ran


def per_rule(reps: Sequence[Sequence[tuple[str, Mapping[str, float]]]]) -> list[RuleRow]:
    """Per-rule figures from the benchmark rows of several cold builds.

    ``reps`` holds, per repetition, one ``(rule, benchmark row)`` per job.
    Within a repetition a rule's jobs are summed (time) or maximised (longest
    job, peak memory); across repetitions the median is taken. Rows are
    sorted by total time, longest first."""
    rules = sorted({rule for rep in reps for rule, _ in rep})
    rows = []
    for rule in rules:
        totals, longest, rss, child, counts = [], [], [], [], []
        for rep in reps:
            mine = [row for r, row in rep if r == rule]
            if not mine:
                continue
            counts.append(len(mine))
            totals.append(sum(row["s"] for row in mine))
            longest.append(max(row["s"] for row in mine))
            rss_values = [row["max_rss"] for row in mine if "max_rss" in row]
            if rss_values:
                rss.append(max(rss_values))
            child_values = [row["max_rss_children"] for row in mine if "max_rss_children" in row]
            if child_values:
                child.append(max(child_values))
        rows.append(
            RuleRow(
                rule=rule,
                jobs=max(counts),
                total_s=statistics.median(totals),
                max_s=statistics.median(longest),
                max_rss_mb=statistics.median(rss) if rss else None,
                child_rss_mb=statistics.median(child) if child else None,
            )
        )
    return sorted(rows, key=lambda r: (-r.total_s, r.rule))


def critical_path(jobs: Sequence[Job], seconds: Mapping[str, float]) -> float:
    """Longest chain of job times through the DAG that the jobs' inputs and
    outputs describe (a job without a time counts 0): no number of cores can
    build faster than this."""
    producer = {out: job.key for job in jobs for out in job.outputs}
    by_key = {job.key: job for job in jobs}
    done: dict[str, float] = {}

    def finish(key: str, stack: frozenset[str]) -> float:
        if key in done:
            return done[key]
        if key in stack:
            raise ValueError(f"dependency cycle through job {key}")
        before = [
            finish(producer[f], stack | {key})
            for f in by_key[key].inputs
            if f in producer and producer[f] != key
        ]
        done[key] = max(before, default=0.0) + seconds.get(key, 0.0)
        return done[key]

    return max((finish(k, frozenset()) for k in by_key), default=0.0)


# --------------------------------------------------------------------------
# Edits an author makes


def append_sentence(text: str, sentence: str = "One more sentence, added by make bench.") -> str:
    """A chapter with one paragraph added at its end."""
    return text.rstrip("\n") + f"\n\n{sentence}\n"


def edit_csv_value(text: str, row: int, column: str, value: str) -> str:
    """The CSV text with one cell replaced (``row`` counts data rows from 0).
    Every other line stays byte-identical."""
    lines = text.splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    if column not in header:
        raise ValueError(f"column {column!r} not in header {header}")
    at = row + 1
    if at >= len(lines):
        raise ValueError(f"row {row}: the file has only {len(lines) - 1} data rows")
    cells = next(csv.reader([lines[at]]))
    if len(cells) != len(header):
        raise ValueError(f"row {row} (line {at + 1}) does not have {len(header)} fields")
    cells[header.index(column)] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    ending = lines[at][len(lines[at].rstrip("\r\n")) :]
    lines[at] = buf.getvalue() + ending
    return "".join(lines)


# --------------------------------------------------------------------------
# Formatting


def fmt_s(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:.0f} s"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    return f"{seconds:.2f} s"


def fmt_stat(s: Stat) -> str:
    if s.n == 1:
        return fmt_s(s.median)
    return f"{fmt_s(s.median)} ({fmt_s(s.low)}–{fmt_s(s.high)})"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table. A header ending in ':' marks a
    right-aligned (numeric) column; the colon is not printed."""
    names = [h.rstrip(":") for h in headers]
    aligns = ["---:" if h.endswith(":") else "---" for h in headers]
    out = ["| " + " | ".join(names) + " |", "|" + "|".join(aligns) + "|"]
    for row in rows:
        cells = [str(c).replace("|", "\\|") for c in row]
        if len(cells) != len(headers):
            raise ValueError(f"row {row!r} has {len(cells)} cells, expected {len(headers)}")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str


SCENARIOS = (
    Scenario("cold", "cold build, both editions (`prp.tools.build all`, fresh copy)"),
    Scenario("noop", "no-op rebuild (`prp.tools.build all`, nothing to do)"),
    Scenario("noop_smk", "no-op, `snakemake all` directly (without prp.tools.build)"),
    Scenario("chapter", "rebuild after editing one chapter"),
    Scenario("table", "rebuild after editing one raw table (+ rehash)"),
    Scenario("floor", "Snakemake floor: one-rule Snakefile, nothing to do"),
)


@dataclass
class Measure:
    """Wall and CPU seconds of one scenario over the repetitions, and the
    jobs each run executed."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    jobs: list[int] = field(default_factory=list)


def timing_table(measures: Mapping[str, Measure], cores: int) -> str:
    rows = []
    for sc in SCENARIOS:
        m = measures.get(sc.name)
        if m is None or not m.wall:
            continue
        wall, cpu = stat(m.wall), stat(m.cpu)
        busy = statistics.median(c / w for c, w in zip(m.cpu, m.wall, strict=True) if w > 0)
        jobs = statistics.median(m.jobs) if m.jobs else 0
        rows.append(
            [
                sc.label,
                f"{jobs:g}",
                fmt_stat(wall),
                fmt_s(cpu.median),
                f"{busy:.2f} of {cores}",
            ]
        )
    return markdown_table(["what", "jobs:", "wall, median (range)", "CPU:", "cores busy:"], rows)


def ratio_line(measures: Mapping[str, Measure], limit: float = 1.5) -> str:
    noop, floor = measures.get("noop"), measures.get("floor")
    if not noop or not floor or not noop.wall or not floor.wall:
        return "No-op / floor: not measured."
    r = stat(noop.wall).median / stat(floor.wall).median
    verdict = "within" if r <= limit else "ABOVE"
    text = (
        f"No-op / Snakemake floor (wall, medians): **{r:.2f}×** "
        f"({fmt_s(stat(noop.wall).median)} / {fmt_s(stat(floor.wall).median)}); "
        f"goal ≤ {limit}×: {verdict}."
    )
    text += (
        f" In CPU time, which other load on the machine disturbs less: "
        f"{stat(noop.cpu).median / stat(floor.cpu).median:.2f}×."
    )
    smk = measures.get("noop_smk")
    if smk and smk.wall:
        ratio = stat(smk.wall).median / stat(floor.wall).median
        text += f" Without prp.tools.build's wrapper: {ratio:.2f}×."
    return text


def rule_table(rows: Sequence[RuleRow]) -> str:
    body = [
        [
            f"`{r.rule}`",
            r.jobs,
            fmt_s(r.total_s),
            fmt_s(r.max_s),
            "–" if r.max_rss_mb is None else f"{r.max_rss_mb:.0f}",
            "–" if r.child_rss_mb is None else f"{r.child_rss_mb:.0f}",
        ]
        for r in rows
    ]
    return markdown_table(
        [
            "rule",
            "jobs:",
            "time, all jobs:",
            "longest job:",
            "peak RSS, MB:",
            "largest subprocess, MB:",
        ],
        body,
    )


def parallelism_lines(
    cold_wall: float, cpu: float, job_total: float, path: float, cores: int
) -> list[str]:
    """What the cold build's wall time is made of, against what the DAG allows."""
    bound = max(path, job_total / cores)
    return [
        f"- sum of all job times (the jobs' timing files): {fmt_s(job_total)}; "
        f"critical path through the DAG: {fmt_s(path)}",
        f"- fastest possible on {cores} cores, as the graph allows: "
        f"max(critical path, sum / {cores}) = {fmt_s(bound)}; measured {fmt_s(cold_wall)} "
        f"({bound / cold_wall:.0%} of ideal)",
        f"- mean cores busy (CPU time of the whole process tree / wall): "
        f"{cpu / cold_wall:.2f} of {cores}; jobs running at once on average "
        f"(sum of job times / wall): {job_total / cold_wall:.2f}",
    ]


def flatten(result: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level with dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def scale_table(result: Mapping[str, Any]) -> str:
    """A two-column table of a scale run's result (nested keys dotted)."""
    rows = []
    for key, value in flatten(result).items():
        if isinstance(value, float):
            shown = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        elif isinstance(value, int):
            shown = f"{value:,}"
        else:
            shown = str(value)
        rows.append([key, shown])
    return markdown_table(["measure", "value"], rows)


# --------------------------------------------------------------------------
# The machine


def _first_match(path: str, pattern: str) -> str | None:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(pattern, text, re.MULTILINE)
    return m.group(1).strip() if m else None


def machine(root: Path) -> dict[str, str]:
    from importlib.metadata import version

    mem_kb = _first_match("/proc/meminfo", r"^MemTotal:\s+(\d+) kB")
    git = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "CPU": _first_match("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor(),
        "cores": str(os.cpu_count()),
        "RAM": f"{int(mem_kb) / 1024**2:.1f} GiB" if mem_kb else "unknown",
        "OS": (_first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)"?') or platform.system())
        + f" (kernel {platform.release()})",
        "Python": platform.python_version(),
        "Snakemake": version("snakemake"),
        "git commit": (git or "unknown") + (" (with uncommitted changes)" if dirty else ""),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --------------------------------------------------------------------------
# Running builds

ROOT = Path(__file__).resolve().parents[3]
CHAPTER = "report/chapters/part4-police.qmd"
# One value of a raw table: Honduras' 2015 homicide rate (printed as 57).
TABLE = ("data/raw/homicide_rates.csv", 1, "rate_per_100k", "58")
FLOOR_SNAKEFILE = (
    'rule done:\n    output:\n        "done.txt",\n    shell:\n        "touch {output}"\n'
)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    returncode: int
    output: str


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Stop a process and everything it started (its process group): SIGTERM,
    then SIGKILL whatever is left after ``timeout``; return once all are gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.2)
            if not group_alive(proc.pid):
                return


def run_timed(cmd: Sequence[str], cwd: Path, env: Mapping[str, str]) -> Run:
    """Run a command; wall time, and user + system CPU time of it and every
    descendant it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # own process group: if the benchmark is interrupted, the build and its
    # jobs are stopped with it
    proc = subprocess.Popen(
        list(cmd),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate()
    except BaseException:
        stop_group(proc)
        raise
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, proc.returncode, out.decode("utf-8", errors="replace"))


def repo_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files (never build/ or .venv/)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [
        f for f in out.split("\0") if f and (root / f).is_file() and not (root / f).is_symlink()
    ]


def copy_repo(root: Path, dest: Path, restricted: bool = True) -> Path:
    """Tracked and untracked-but-not-ignored files of a checkout, with the
    restricted sources decrypted into the copy when an age identity is
    available (``restricted``), as `make report` would."""
    for rel in repo_files(root):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target)
    if restricted:
        from prp.data import crypt

        if crypt.find_identity() is not None:
            crypt.unseal(dest / crypt.SEALED, dest / crypt.PLAIN)
    return dest


def clean_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = "scripts"
    return env


def snakemake_exe() -> str:
    exe = Path(sys.executable).with_name("snakemake")
    if not exe.exists():
        raise FileNotFoundError(f"{exe}: snakemake is not installed next to {sys.executable}")
    return str(exe)


class BuildFailed(RuntimeError):
    pass


def checked(run: Run, what: str, where: Path) -> Run:
    if run.returncode != 0:
        raise BuildFailed(
            f"{what} failed in {where} (exit {run.returncode}):\n{run.output[-4000:]}"
        )
    return run


def build(repo: Path, env: Mapping[str, str], what: str) -> Run:
    return checked(
        run_timed([sys.executable, "-m", "prp.tools.build", "all"], repo, env), what, repo
    )


def rehash(repo: Path, env: Mapping[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "prp.data.datapackage", "rehash"],
        cwd=repo,
        env=dict(env),
        check=True,
        capture_output=True,
    )


# --------------------------------------------------------------------------
# make watch: from saving a file to the served page showing it

PREVIEW_GOAL = 2.0  # seconds, save-to-preview (issue 18)
CSV_GOAL = 5.0  # seconds, raw CSV to page
PREVIEW_PAGE = "sec-police.html"  # the page of CHAPTER
# One cell of a raw table that feeds one table of CHAPTER's page.
CSV_CELL = ("data/raw/human_rights_practices.csv", 0, "practice")


def goal_line(name: str, values: Sequence[float], goal: float) -> str:
    """``save-to-preview: 0.91 s (goal ≤ 2 s)``, with the range and count."""
    if not values:
        return f"{name}: not measured (goal ≤ {goal:g} s)"
    st = stat(values)
    verdict = "met" if st.median <= goal else "NOT met"
    return (
        f"{name}: {fmt_s(st.median)} (goal ≤ {goal:g} s; {verdict}; "
        f"median of {st.n}, {fmt_s(st.low)}–{fmt_s(st.high)})"
    )


class WatchSession:
    """``python -m prp.tools.watch --no-initial-build`` in a built copy, its
    output collected in a thread."""

    def __init__(self, repo: Path, env: Mapping[str, str], edition: str = "public") -> None:
        import queue
        import threading

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prp.tools.watch", "--edition", edition]
            + ["--port", "0", "--no-initial-build"],
            cwd=repo,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        url = self.wait_for("serving build/", 60).split(" at ")[1].strip()
        self.url = url
        self.wait_for("watching", 30)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float) -> str:
        import queue

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.output.append(line)
            if text in line:
                return line
        raise BuildFailed(f"make watch: no {text!r} within {timeout} s:\n{''.join(self.output)}")

    def page(self, name: str) -> str:
        import urllib.request

        with urllib.request.urlopen(self.url + name, timeout=10) as r:
            return str(r.read().decode("utf-8"))

    def until(self, name: str, text: str, since: float, timeout: float) -> float:
        """Seconds from ``since`` until page ``name`` shows ``text``."""
        while time.perf_counter() - since < timeout:
            if text in self.page(name):
                return time.perf_counter() - since
            time.sleep(0.02)
        while not self.lines.empty():
            self.output.append(self.lines.get())
        raise BuildFailed(
            f"make watch: {name} did not show {text!r} within {timeout} s:\n" + "".join(self.output)
        )

    def close(self) -> None:
        """Ctrl-C (the watcher stops its build), else kill."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=90)
        stop_group(self.proc)  # type: ignore[arg-type]


def measure_watch(
    repo: Path,
    env: Mapping[str, str],
    results: Results,
    log: Callable[[str], None],
    edits: int = 3,
    csv_edits: int = 3,
) -> None:
    """Save-to-preview: append a sentence to CHAPTER, time until the served
    page shows it (the one-page preview), then until the full build has
    replaced the preview (the page on disk shows it); ``edits`` times. Then
    CSV-to-page: change one cell of a raw table (+ rehash), time until the
    served page shows the new text. Everything is restored and rebuilt."""
    chapter = repo / CHAPTER
    original = chapter.read_text(encoding="utf-8")
    path, row, column = CSV_CELL
    table = repo / path
    table_text = table.read_text(encoding="utf-8")
    watch = WatchSession(repo, env)
    try:
        for i in range(edits):
            token = f"Preview probe {i} {time.time_ns()}."
            t0 = time.perf_counter()
            chapter.write_text(append_sentence(original, token), encoding="utf-8")
            results.preview.append(watch.until(PREVIEW_PAGE, token, t0, 120))
            watch.wait_for("build of public finished", 900)
            site = (repo / "build" / "public" / PREVIEW_PAGE).read_text(encoding="utf-8")
            if token not in site:
                raise BuildFailed("make watch: the full build did not replace the preview")
            results.preview_full.append(time.perf_counter() - t0)
            fast, full = results.preview[-1], results.preview_full[-1]
            log(f"save-to-preview {fast:.2f} s, full build's page {full:.1f} s")
        chapter.write_text(original, encoding="utf-8")
        watch.wait_for("build of public finished", 900)
        for i in range(csv_edits):
            value = f"Probe practice {i} {time.time_ns()}"
            t0 = time.perf_counter()
            table.write_text(edit_csv_value(table_text, row, column, value), encoding="utf-8")
            rehash(repo, env)
            results.csv_page.append(watch.until(PREVIEW_PAGE, value, t0, 900))
            log(f"CSV-to-page {results.csv_page[-1]:.1f} s")
            # the full build the edit started (and one for the rehash, if separate)
            watch.wait_for("build of public finished", 900)
            time.sleep(3)
            with contextlib.suppress(BuildFailed):
                watch.wait_for("build of public finished", 30)
    finally:
        chapter.write_text(original, encoding="utf-8")
        table.write_text(table_text, encoding="utf-8")
        rehash(repo, env)
        watch.close()
    build(repo, env, "rebuild after restoring the watch edits")


def bench_rows(repo: Path, jobs: Sequence[Job]) -> list[tuple[str, Job, dict[str, float]]]:
    rows = []
    for job in jobs:
        if job.benchmark:
            path = repo / job.benchmark
            rows.append(
                (job.rule, job, read_benchmark(path.read_text(encoding="utf-8"), str(path)))
            )
    return rows


@dataclass
class Results:
    measures: dict[str, Measure] = field(default_factory=dict)
    cold_rules: list[list[tuple[str, Mapping[str, float]]]] = field(default_factory=list)
    parallelism: list[tuple[float, float, float, float]] = field(default_factory=list)
    preview: list[float] = field(default_factory=list)  # save -> served preview
    preview_full: list[float] = field(default_factory=list)  # save -> full build's page
    csv_page: list[float] = field(default_factory=list)  # raw CSV saved -> served page

    def add(self, name: str, run: Run, jobs: int) -> None:
        m = self.measures.setdefault(name, Measure())
        m.wall.append(run.wall)
        m.cpu.append(run.cpu)
        m.jobs.append(jobs)


def executed(run: Run) -> list[Job]:
    return [j for j in parse_jobs(run.output) if j.rule]


def one_repetition(
    root: Path, work: Path, floor: Path, results: Results, log: Callable[[str], None]
) -> None:
    repo = copy_repo(root, work / "repo")
    env = clean_env(repo)

    log("cold build ...")
    cold = build(repo, env, "cold build")
    jobs = executed(cold)
    results.add("cold", cold, len(jobs))
    rows = bench_rows(repo, jobs)
    results.cold_rules.append([(rule, row) for rule, _, row in rows])
    seconds = {job.key: row["s"] for _, job, row in rows}
    results.parallelism.append(
        (cold.wall, cold.cpu, sum(seconds.values()), critical_path(jobs, seconds))
    )

    log("no-op and Snakemake's floor ...")
    noop = build(repo, env, "no-op rebuild")
    results.add("noop", noop, len(executed(noop)))
    smk = checked(run_timed([snakemake_exe(), "all"], repo, env), "snakemake all", repo)
    results.add("noop_smk", smk, len(executed(smk)))
    # right after the no-op, so that both see the same load on the machine
    measure_floor(floor, results)

    log("edit one chapter ...")
    chapter = repo / CHAPTER
    original = chapter.read_text(encoding="utf-8")
    chapter.write_text(append_sentence(original), encoding="utf-8")
    edited = build(repo, env, f"rebuild after editing {CHAPTER}")
    results.add("chapter", edited, len(executed(edited)))
    chapter.write_text(original, encoding="utf-8")
    build(repo, env, f"rebuild after restoring {CHAPTER}")

    log("edit one raw table ...")
    path, row, column, value = TABLE
    table = repo / path
    original = table.read_text(encoding="utf-8")
    table.write_text(edit_csv_value(original, row, column, value), encoding="utf-8")
    rehash(repo, env)
    edited = build(repo, env, f"rebuild after editing {path}")
    results.add("table", edited, len(executed(edited)))
    table.write_text(original, encoding="utf-8")
    rehash(repo, env)
    build(repo, env, f"rebuild after restoring {path}")

    log("make watch: save-to-preview and CSV-to-page ...")
    measure_watch(repo, env, results, log)


def watch_lines(results: Results) -> list[str]:
    return [
        "- " + goal_line("save-to-preview", results.preview, PREVIEW_GOAL),
        "- " + goal_line("CSV-to-page", results.csv_page, CSV_GOAL),
        "- "
        + goal_line("save-to-full-page", results.preview_full, float("inf")).replace(
            "goal ≤ inf s; met; ", ""
        ),
    ]


def floor_workflow(root: Path, floor: Path) -> Path:
    """A one-rule Snakefile whose output exists, with our workflow profile."""
    (floor / "profiles" / "default").mkdir(parents=True)
    shutil.copy2(root / "profiles/default/config.yaml", floor / "profiles/default/config.yaml")
    (floor / "Snakefile").write_text(FLOOR_SNAKEFILE, encoding="utf-8")
    (floor / "done.txt").write_text("", encoding="utf-8")
    return floor


def measure_floor(floor: Path, results: Results) -> None:
    """Snakemake with nothing to do: the least any `snakemake` run costs here."""
    run = checked(run_timed([snakemake_exe()], floor, clean_env(floor)), "floor", floor)
    if "Nothing to be done" not in run.output:
        raise BuildFailed(f"the floor workflow in {floor} had work to do:\n{run.output}")
    results.add("floor", run, len(executed(run)))


def run_scale_section(root: Path, events: int, workdir: Path) -> str:
    """The scale section: ``bench/scale.py``'s ``run_scale(events, workdir)``,
    shown with its own ``markdown()`` when it has one."""
    path = root / "bench" / "scale.py"
    if not path.exists():
        return "Skipped: `bench/scale.py` does not exist."
    spec = importlib.util.spec_from_file_location("prp_bench_scale", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in the module look themselves up here
    spec.loader.exec_module(module)
    workdir.mkdir(parents=True, exist_ok=True)
    result = module.run_scale(events, workdir)
    shown = module.markdown(result) if hasattr(module, "markdown") else scale_table(result)
    return f"`bench/scale.py`: `run_scale({events:_})`.\n\n{shown.rstrip()}"


def report(
    info: Mapping[str, str],
    results: Results,
    reps: int,
    scale: str,
    started: dt.datetime,
    command: str,
) -> str:
    cores = int(info["cores"])
    lines = [
        "# Build benchmark",
        "",
        f"Generated by `{command}` on {started:%Y-%m-%d %H:%M} UTC "
        f"({reps} repetition{'s' if reps != 1 else ''}; each figure is the median, "
        "range in brackets). Do not edit: run `make bench` again.",
        "",
        "## Machine",
        "",
        markdown_table(["", ""], [[k, v] for k, v in info.items()]),
        "",
        f"Anything else running on the machine slows the builds down: with {cores} cores, "
        f"load averages well above {cores} mean the figures below are pessimistic.",
        "",
        "## Build times",
        "",
        timing_table(results.measures, cores),
        "",
        ratio_line(results.measures),
        "",
        f"Edits: one sentence appended to `{CHAPTER}` (in both editions); "
        f"`{TABLE[2]}` of data row {TABLE[1] + 1} of `{TABLE[0]}` set to {TABLE[3]}, then "
        "`python -m prp.data.datapackage rehash`. Both are undone (and rebuilt, untimed) "
        "before the next repetition. *jobs* counts the jobs Snakemake ran (including "
        "the target rule `all`). *CPU* is user + system time of the whole process "
        "tree; *cores busy* = CPU / wall.",
        "",
    ]
    if results.parallelism:
        wall, cpu, total, path = (
            statistics.median(p[i] for p in results.parallelism) for i in range(4)
        )
        lines += [
            "## Cold build: real work and parallelism",
            "",
            *parallelism_lines(wall, cpu, total, path, cores),
            "",
            "Job times come from the timing files each job writes beside its log "
            "(`prp.runtime.timing`: a job with a process of its own from that "
            "process's start, an in-process job in its thread); the difference "
            "between the measured wall time and the ideal is Snakemake's own "
            "scheduling and process start-up, and other load on the machine.",
            "",
        ]
    if results.cold_rules:
        lines += [
            "## Per rule (cold build)",
            "",
            "From `build/benchmarks/`: per rule, the sum of its jobs' wall times, "
            "its longest job, the largest peak resident memory (`max_rss`) of one "
            "job's process, and for the processes a job ran (pandoc, for a render) "
            "an upper bound of the largest one's peak (the kernel counts a started "
            "process with its parent's peak at its start, if larger). A job that "
            "runs in a thread of Snakemake's process (`prp.runtime.inproc`) has no "
            "memory of its own to report (–); a forked job's process starts with "
            "its worker's libraries already resident.",
            "",
            rule_table(per_rule(results.cold_rules)),
            "",
        ]
    if results.preview or results.csv_page:
        lines += [
            "## make watch",
            "",
            f"From writing the file to the page served by `make watch` (public edition, "
            f"`{PREVIEW_PAGE}`) showing the new text: *save-to-preview* appends a sentence "
            f"to `{CHAPTER}` (the one-page preview), *save-to-full-page* waits until the "
            f"background full build has replaced that preview; *CSV-to-page* sets "
            f"`{CSV_CELL[2]}` of data row {CSV_CELL[1] + 1} of `{CSV_CELL[0]}` "
            "(+ rehash): the watcher previews the pages that include a table as soon "
            "as the build has rewritten it, before the edition is rendered.",
            "",
            *watch_lines(results),
            "",
        ]
    lines += ["## Scale", "", scale, ""]
    return "\n".join(lines)


def watch_only(edits: int, keep: bool, log: Callable[[str], None]) -> int:
    """``--watch-only``: a copy, its public edition built, then the make-watch
    figures (printed, RESULTS.md untouched)."""
    work = Path(tempfile.mkdtemp(prefix="prp-bench-watch-"))
    try:
        repo = copy_repo(ROOT, work / "repo", restricted=False)
        env = clean_env(repo)
        log("public build ...")
        build(repo, env, "public build")
        results = Results()
        measure_watch(repo, env, results, log, edits=edits)
    finally:
        if keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(watch_lines(results)))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python bench/bench.py",
        description="Benchmark cold, no-op and incremental builds in throwaway copies of "
        "the repository; print markdown tables and write bench/RESULTS.md.",
    )
    ap.add_argument("--quick", action="store_true", help="1 repetition, no scale run")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    ap.add_argument("--skip-scale", action="store_true", help="do not run bench/scale.py")
    ap.add_argument("--events", type=int, default=1_000_000, help="events for the scale run")
    ap.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "RESULTS.md", help="report file"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary copies")
    ap.add_argument(
        "--watch-only",
        action="store_true",
        help="only make watch's save-to-preview and CSV-to-page (a public build first)",
    )
    ap.add_argument("--edits", type=int, default=3, help="chapter edits for --watch-only")
    args = ap.parse_args(argv)
    reps = 1 if args.quick else args.reps
    if reps < 1:
        ap.error("--reps must be at least 1")

    def log(msg: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    # stop cleanly (temporary copies removed, builds stopped) on kill as on Ctrl-C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    started = dt.datetime.now(dt.UTC)
    if args.watch_only:
        return watch_only(args.edits, args.keep, log)
    info = machine(ROOT)
    results = Results()
    work = Path(tempfile.mkdtemp(prefix="prp-bench-"))
    scale = "Skipped (`--quick` or `--skip-scale`)."
    try:
        floor = floor_workflow(ROOT, work / "floor")
        for i in range(reps):
            log(f"repetition {i + 1} of {reps}")
            one_repetition(ROOT, work / f"rep{i + 1}", floor, results, log)
            if not args.keep:
                shutil.rmtree(work / f"rep{i + 1}")
        if not (args.quick or args.skip_scale):
            log(f"scale: {args.events:,} events ...")
            scale = run_scale_section(ROOT, args.events, work / "scale")
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    given = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python bench/bench.py", *given])
    info = {**info, "load average at end": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    text = report(info, results, reps, scale, started, command)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    log(f"wrote {args.output}")
    return 0
