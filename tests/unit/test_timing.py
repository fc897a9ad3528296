"""Each job's timing, written by the job beside its log (prp.runtime.timing)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from prp.runtime import timing
from prp.tools.bench import read_benchmark
from prp.tools.watch import benchmark_seconds

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        ("build/logs/render_edition/public.log", "build/benchmarks/render_edition/public.tsv"),
        ("build/logs/check_errata.log", "build/benchmarks/check_errata.tsv"),
        # the last "logs" folder is the one replaced
        ("/x/logs/build/logs/a/b.log", "/x/logs/build/benchmarks/a/b.tsv"),
        ("build/check.log", None),
        ("logs", None),
    ],
)
def test_the_timing_file_mirrors_the_log(log, expected):
    got = timing.timing_path(log)
    assert (got.as_posix() if got else None) == expected


def test_a_row_reads_back_as_a_benchmark_file():
    text = timing.row(3725.5, 2.25, 120.0, None)
    assert text.splitlines()[0].split("\t") == list(timing.COLUMNS)
    assert text.splitlines()[1].split("\t")[:2] == ["3725.5000", "1:02:05"]
    assert read_benchmark(text) == {"s": 3725.5, "max_rss": 120.0, "cpu_time": 2.25}
    assert benchmark_seconds(text) == 3725.5


def test_no_log_no_file(tmp_path):
    assert timing.write(None, 1.0, 1.0) is None
    assert timing.write([], 1.0, 1.0) is None
    assert timing.write([str(tmp_path / "x.log")], 1.0, 1.0) is None
    assert not list(tmp_path.iterdir())


def test_a_thread_is_timed_by_its_own_clocks(tmp_path):
    log = tmp_path / "logs" / "r" / "w.log"
    timer = timing.ThreadTimer()
    time.sleep(0.2)
    path = timer.write([str(log)])
    assert path == tmp_path / "benchmarks" / "r" / "w.tsv"
    row = read_benchmark(path.read_text(encoding="utf-8"))
    assert 0.2 <= row["s"] < 5 and row["cpu_time"] < 0.15  # asleep: no CPU
    assert "max_rss" not in row  # NA: an in-process job shares Snakemake's memory


def test_a_process_is_timed_from_its_start_with_its_children(tmp_path):
    log = tmp_path / "logs" / "job.log"
    child = "b = bytearray(150 * 2**20); sum(range(3_000_000))"
    ballast = b"\x01" * (300 * 2**20)  # resident in this process: not the job's peak
    script = (
        "import subprocess, sys, time\n"
        "time.sleep(0.3)\n"
        f"subprocess.run([sys.executable, '-c', {child!r}], check=True)\n"
        "from prp.runtime.timing import write_process\n"
        f"print(write_process([{str(log)!r}]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(ROOT / "scripts")},
        capture_output=True,
        text=True,
        check=True,
    )
    del ballast
    path = Path(out.stdout.strip())
    assert path == tmp_path / "benchmarks" / "job.tsv"
    text = path.read_text(encoding="utf-8")
    row = read_benchmark(text)
    assert 0.3 <= row["s"] < 30  # the sleep before the call counts: from the process start
    assert row["cpu_time"] > 0.05  # the child's work counts
    # the process itself, not its child, nor the parent it was started from
    # (this test's process, whose peak ru_maxrss would report)
    assert 5 < row["max_rss"] < 100
    children = float(text.splitlines()[1].split("\t")[3])
    assert children >= 150  # the child's 150 MB
