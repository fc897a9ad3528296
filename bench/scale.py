"""Scale benchmark: validation and aggregation of a large synthetic event table.

    python bench/scale.py --events 1000000 [--repeats 3] [--workdir DIR] [--json OUT]

Generates an N-event database with prp.data.generate_events (the seeded
generator, so the file is the same every time), then runs four steps, each
in its own subprocess so that its peak resident memory is its own (the
child reports the kernel's high-water mark of its address space, ``VmHWM``;
``ru_maxrss`` would also count the parent's memory at the moment it spawned
the child, which Linux carries across ``exec``):

floor
    pyarrow alone reads the CSV (``pyarrow.csv.read_csv``): the least any
    reader of that file pays.
validate
    the ``validate_dataset`` rule's code on it (``scripts/validate_dataset.py``
    with the parameters the rule passes: the data package's schema and
    x-checks), writing the clean parquet file.
aggregate
    the counting of the ``release_aggregates`` rule (``count()``): the clean
    events read batch by batch into the grouped counts of the release (events
    by state, by state and category, by grid cell, and beside each rail
    segment). The counts are pickled for the next step.
protect
    the rest of ``release_aggregates`` (``release()``): the disclosure
    protection and its audit, integer programs over the aggregated tables
    whose cost depends on the tables, not on the number of events, then the
    seven tables written. Timed as its own step and reported beside the
    ratio, not in it.

The steps run ``--repeats`` times (3 by default), interleaved, so that the
floor is measured in the same batch as the steps it is compared with; each
step's figure is the median of its runs. It reports wall seconds and peak RSS
(MB) per step, the time ratios validate/floor, aggregate/floor and
(validate + aggregate)/floor, and each goal of issue 18 (item 3) next to the
measured value, with the machine's load average before and after.
:func:`run_scale` returns them as a dict and :func:`markdown` formats them.
The step functions (:func:`step_floor`, :func:`step_validate`,
:func:`step_aggregate`, :func:`step_protect`) are importable; ``python
bench/scale.py --step NAME ...`` is how the subprocesses call them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

SEGMENTS = ROOT / "data" / "geo" / "rail_segments.geojson"
STEPS = ("floor", "validate", "aggregate", "protect")
DATASET = "camrd_events"
GOAL_RATIO = 3.0
"""(validate + aggregate) / floor, issue 18 item 3."""
GOAL_PEAK_MB = 1500.0
"""Peak resident memory of any step at 1,000,000 events."""


# --------------------------------------------------------------------------
# what the rules pass (mirrors rules/common.smk: dataset_schema, event_categories)


def rule_resource(root: Path = ROOT, dataset: str = DATASET) -> dict[str, Any]:
    """The ``resource`` parameter of validate_dataset for ``dataset``."""
    from prp.data.datapackage import resource, schema_only

    data = root / "data"
    res = schema_only(resource(data, dataset))
    for check in res.get("x-checks", []):
        for spec in check.values():
            if "geometry" in spec:
                spec["geometry_path"] = str(data / spec["geometry"])
    return res


def rule_release_params(root: Path = ROOT) -> dict[str, Any]:
    """The params of release_aggregates: k, grid_degrees, rail_buffer_km, categories."""
    import yaml

    from prp.data.datapackage import resource
    from prp.events.disclosure import alternatives

    with open(root / "config" / "config.yaml", encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    fields = {f["name"]: f for f in resource(root / "data", DATASET)["schema"]["fields"]}
    return {
        "k": cfg["disclosure"]["k"],
        "grid_degrees": cfg["disclosure"]["grid_degrees"],
        "rail_buffer_km": cfg["disclosure"]["rail_buffer_km"],
        "categories": {
            "state_location": fields["location_type"]["constraints"]["enum"],
            "state_perpetrator": fields["perpetrator_type"]["constraints"]["enum"],
            "state_crime": alternatives(fields["crime_types"]["constraints"]["pattern"]),
        },
    }


# --------------------------------------------------------------------------
# the steps (each runs in its own process under run_step)


def step_floor(csv: Path) -> int:
    """Read the whole CSV with pyarrow alone; the number of rows."""
    import pyarrow.csv as pacsv

    return int(pacsv.read_csv(csv).num_rows)


def rule_references(root: Path = ROOT, dataset: str = DATASET) -> dict[str, Any]:
    """The ``references`` parameter of validate_dataset (rules/common.smk)."""
    from prp.data.checks import references
    from prp.data.datapackage import resource, schema_only

    data = root / "data"
    return {
        name: {
            "path": str(data / resource(data, name)["path"]),
            "resource": schema_only(resource(data, name)),
        }
        for name in references(resource(data, dataset))
    }


def step_validate(csv: Path, out: Path, params: dict[str, Any]) -> int:
    """validate_dataset's main() on ``csv`` with the rule's parameters
    (:func:`rule_params`)."""
    import pyarrow.parquet as pq
    import validate_dataset

    validate_dataset.main({"raw": str(csv)}, {"clean": str(out)}, params["validate"])
    return int(pq.ParquetFile(out).metadata.num_rows)


def step_states(out: Path, root: Path = ROOT) -> None:
    """build/clean/states.parquet, as validate_dataset writes it."""
    import validate_dataset

    validate_dataset.main(
        {"raw": str(root / "data" / "raw" / "states.csv")},
        {"clean": str(out)},
        {"resource": rule_resource(root, "states"), "references": {}},
    )


def step_aggregate(events: Path, states: Path, counts: Path, params: dict[str, Any]) -> int:
    """release_aggregates' counting (``count()``) of the clean events with
    the rule's parameters, pickled to ``counts``; the national total."""
    import pickle

    import release_aggregates

    tally, beside = release_aggregates.count(
        {"events": str(events), "states": str(states), "segments": str(SEGMENTS)},
        params["aggregate"],
    )
    with open(counts, "wb") as fh:
        pickle.dump((tally, beside), fh)
    totals = tally.totals
    return int(totals.loc[totals["state"] == "All states", "events"].iloc[0])


def step_protect(counts: Path, events: Path, outdir: Path, params: dict[str, Any]) -> int:
    """release_aggregates' protection, audit and writing (``release()``) of
    the pickled counts; the national total as written."""
    import pickle

    import pandas as pd
    import release_aggregates

    with open(counts, "rb") as fh:
        tally, beside = pickle.load(fh)
    outputs = {name: str(outdir / f"{name}.csv") for name in release_aggregates.OUTPUTS.values()}
    release_aggregates.release(tally, beside, str(events), outputs, params["aggregate"])
    totals = pd.read_csv(outputs["totals"])
    return int(totals.loc[totals["state"] == "All states", "events"].iloc[0])


def rule_params(root: Path = ROOT) -> dict[str, Any]:
    """The parameters Snakemake passes to both rules. Computed once, in the
    parent (as Snakemake does), so that reading the data package is not
    counted in a step's time."""
    return {
        "validate": {"resource": rule_resource(root), "references": rule_references(root)},
        "aggregate": rule_release_params(root),
    }


# --------------------------------------------------------------------------
# measuring


def run_step(args: list[str], cwd: Path = ROOT) -> dict[str, Any]:
    """Run ``python bench/scale.py --step ...`` in a child; its wall seconds,
    CPU seconds (from wait4), its own peak RSS in MB and the result it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = str(SCRIPTS)
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # read the pipes before waiting, so a chatty child cannot block
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(
            f"step {' '.join(args)} failed ({proc.returncode}):\n{err.decode()[-3000:]}"
        )
    printed = json.loads(out.decode().strip().splitlines()[-1])
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": printed["peak_rss_mb"],
        "result": printed["result"],
    }


def own_peak_rss_mb() -> float:
    """This process's peak resident memory in MB: the high-water mark of its
    own address space (``VmHWM``), which starts afresh at ``exec``."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(int(kilobytes) / 1024, 1)


def generate(events: int, csv: Path, seed: int | None = None) -> dict[str, Any]:
    args = ["-m", "prp.data.generate_events", "--n", str(events), "--out", str(csv)]
    if seed is not None:
        args += ["--seed", str(seed)]
    began = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    err = proc.stderr.read()  # type: ignore[union-attr]
    if proc.wait() != 0:
        raise RuntimeError(f"generate_events failed:\n{err.decode()[-3000:]}")
    return {"seconds": round(time.perf_counter() - began, 3), "bytes": csv.stat().st_size}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def run_scale(
    events: int, workdir: Path, steps: tuple[str, ...] = STEPS, repeats: int = 3
) -> dict[str, Any]:
    """Generate ``events`` events into ``workdir`` and time the steps,
    ``repeats`` times interleaved (each step's figures: the median wall
    time and the largest peak RSS of its runs)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    csv = workdir / f"events_{events}.csv"
    clean = workdir / f"camrd_events_{events}.parquet"
    states = workdir / "states.parquet"
    counts = workdir / f"counts_{events}.pickle"
    released = workdir / f"released_{events}"
    released.mkdir(exist_ok=True)
    results: dict[str, Any] = {
        "events": events,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cpu, Python {platform.python_version()}"
        ),
        "generate": generate(events, csv),
        "repeats": repeats,
        "load_before": _load(),
        "steps": {},
    }
    if not states.exists():
        run_step(["--step", "states", "--out", str(states)])
    params = workdir / "params.json"
    params.write_text(json.dumps(rule_params()), encoding="utf-8")
    plan = {
        "floor": ["--step", "floor", "--csv", str(csv)],
        "validate": [
            "--step",
            "validate",
            "--csv",
            str(csv),
            "--out",
            str(clean),
            "--params",
            str(params),
        ],
        "aggregate": [
            "--params",
            str(params),
            "--step",
            "aggregate",
            "--events-parquet",
            str(clean),
            "--states",
            str(states),
            "--counts",
            str(counts),
        ],
        "protect": [
            "--params",
            str(params),
            "--step",
            "protect",
            "--counts",
            str(counts),
            "--events-parquet",
            str(clean),
            "--outdir",
            str(released),
        ],
    }
    runs: dict[str, list[dict[str, Any]]] = {step: [] for step in steps}
    for _ in range(max(1, repeats)):
        for step in steps:
            runs[step].append(run_step(plan[step]))
    for step, done in runs.items():
        results["steps"][step] = {
            "seconds": round(_median([r["seconds"] for r in done]), 3),
            "cpu_seconds": round(_median([r["cpu_seconds"] for r in done]), 3),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in done),
            "result": done[-1]["result"],
            "runs": [r["seconds"] for r in done],
        }
    results["load_after"] = _load()
    s = results["steps"]
    if "floor" in s:
        floor = s["floor"]["seconds"]
        ratios = {}
        for step in ("validate", "aggregate", "protect"):
            if step in s:
                ratios[step] = round(s[step]["seconds"] / floor, 2)
        if "validate" in s and "aggregate" in s:
            both = s["validate"]["seconds"] + s["aggregate"]["seconds"]
            ratios["validate+aggregate"] = round(both / floor, 2)
        results["ratios"] = ratios
    if "validate" in s and "aggregate" in s:
        results["peak_rss_mb"] = max(m["peak_rss_mb"] for step, m in s.items() if step != "floor")
    return results


def goals(r: dict[str, Any]) -> list[str]:
    """Each goal of issue 18 (item 3) next to the measured value."""
    out = []
    ratios, s = r.get("ratios", {}), r["steps"]
    if "validate+aggregate" in ratios:
        ratio = ratios["validate+aggregate"]
        verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
        out.append(f"validate+aggregate / floor: {ratio:.2f}× (goal ≤ {GOAL_RATIO:g}×): {verdict}")
    if "peak_rss_mb" in r:
        peak = r["peak_rss_mb"]
        verdict = "met" if peak <= GOAL_PEAK_MB else "NOT met"
        if r["events"] > 1_000_000:
            verdict += " (the goal is set at 1,000,000 events; here: bounded memory)"
        out.append(f"peak RSS: {peak:,.0f} MB (goal ≤ {GOAL_PEAK_MB:,.0f} MB): {verdict}")
    if "protect" in s:
        shown = f"{s['protect']['seconds']:.2f} s"
        if "protect" in ratios:
            shown += f", {ratios['protect']:.2f}× floor"
        out.append(
            f"protect: {shown}, not in the ratio: the disclosure protection and its "
            "audit are integer programs over the aggregated tables, whose cost does "
            "not grow with the number of events, so they are timed as their own step"
        )
    return out


def markdown(results: dict[str, Any] | list[dict[str, Any]]) -> str:
    """A Markdown table of one or more :func:`run_scale` results, then each
    run's goals."""
    runs = [results] if isinstance(results, dict) else list(results)
    lines = [
        "| events | CSV MB | step | wall s | CPU s | peak RSS MB | time / floor |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in runs:
        mb = r["generate"]["bytes"] / 1e6
        ratios = r.get("ratios", {})
        for step, m in r["steps"].items():
            ratio = "1.00" if step == "floor" else f"{ratios[step]:.2f}" if step in ratios else "–"
            cpu = f"{m['cpu_seconds']:.2f}" if "cpu_seconds" in m else "–"
            lines.append(
                f"| {r['events']:,} | {mb:,.0f} | {step} | {m['seconds']:.2f} | {cpu} "
                f"| {m['peak_rss_mb']:,.0f} | {ratio} |"
            )
        if "validate+aggregate" in ratios:
            both = r["steps"]["validate"]["seconds"] + r["steps"]["aggregate"]["seconds"]
            cpu = sum(r["steps"][k].get("cpu_seconds", 0.0) for k in ("validate", "aggregate"))
            lines.append(
                f"| {r['events']:,} | {mb:,.0f} | validate + aggregate | {both:.2f} | {cpu:.2f} "
                f"| {r['peak_rss_mb']:,.0f} | {ratios['validate+aggregate']:.2f} |"
            )
    for r in runs:
        repeats = r.get("repeats", 1)
        lines += [
            "",
            f"{r['events']:,} events: median of {repeats} run{'s' if repeats != 1 else ''} "
            "per step, the steps interleaved (the floor in the same batch); load average "
            f"{r.get('load_before')} before, {r.get('load_after')} after "
            f"({r['machine']}). CPU s is user + system time of the step's process (all "
            "its threads): less disturbed than wall time by other work on the machine.",
        ]
        lines += [f"- {g}" for g in goals(r)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# command line


def _child(a: argparse.Namespace) -> Any:
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if a.step == "floor":
        return step_floor(Path(a.csv))
    params = json.loads(Path(a.params).read_text(encoding="utf-8")) if a.params else {}
    if a.step == "validate":
        return step_validate(Path(a.csv), Path(a.out), params)
    if a.step == "states":
        step_states(Path(a.out))
        return 0
    if a.step == "aggregate":
        return step_aggregate(Path(a.events_parquet), Path(a.states), Path(a.counts), params)
    if a.step == "protect":
        return step_protect(Path(a.counts), Path(a.events_parquet), Path(a.outdir), params)
    raise SystemExit(f"unknown step {a.step!r}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--events", type=int, default=1_000_000, help="events (default: %(default)s)")
    p.add_argument(
        "--workdir", default="/tmp/prp-scale", help="scratch folder (default: %(default)s)"
    )
    p.add_argument("--json", default=None, help="also write the results as JSON here")
    p.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of steps")
    p.add_argument(
        "--repeats", type=int, default=3, help="runs of each step (default: %(default)s)"
    )
    # internal: one step in this process
    p.add_argument("--step", default=None, help=argparse.SUPPRESS)
    p.add_argument("--csv", default=None, help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    p.add_argument("--events-parquet", default=None, help=argparse.SUPPRESS)
    p.add_argument("--states", default=None, help=argparse.SUPPRESS)
    p.add_argument("--counts", default=None, help=argparse.SUPPRESS)
    p.add_argument("--outdir", default=None, help=argparse.SUPPRESS)
    p.add_argument("--params", default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    if a.step:
        result = _child(a)
        print(json.dumps({"result": result, "peak_rss_mb": own_peak_rss_mb()}))
        return 0
    steps = tuple(s for s in a.steps.split(",") if s)
    results = run_scale(a.events, Path(a.workdir), steps, a.repeats)
    print(markdown(results))
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
