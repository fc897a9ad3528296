"""The pure parts of the build benchmark (prp.tools.bench): parsing Snakemake's job
listing, medians, per-rule figures, critical path, edits and tables."""

from __future__ import annotations

import pytest

from prp.tools.bench import (
    Measure,
    RuleRow,
    append_sentence,
    critical_path,
    edit_csv_value,
    goal_line,
    markdown_table,
    per_rule,
    ratio_line,
    read_benchmark,
    rule_table,
    run_scale_section,
    stat,
    timing_table,
)
from prp.tools.dag import Job, parse_jobs

LOG = """\
Building DAG of jobs...
Job stats:
job                   count
------------------  -------
validate_dataset          2
all                       1

[Sun Nov 29 00:22:57 2026]
localrule validate_dataset:
    input: data/raw/a.csv, /repo/scripts/prp/data/validate.py
    output: build/clean/a.parquet (update), build/provenance/clean/a.json (update)
    log: build/logs/validate_dataset/a.log
    jobid: 2
    reason: Missing output files: build/clean/a.parquet
    wildcards: dataset=a
    resources: tmpdir=/tmp
INFO __main__: data/raw/a.csv: 3 rows valid -> build/clean/a.parquet
[Sun Nov 29 00:22:58 2026]
rule render_edition:
    input: build/clean/a.parquet, report/index.qmd
    output: build/public/index.html, build/public/report.pdf
    jobid: 1
    wildcards: edition=public, x=y
Shell command: None

localrule all:
    input: build/public/index.html
    jobid: 0
"""


def test_parse_jobs_reads_rule_wildcards_files_and_timing_file():
    jobs = parse_jobs(LOG)
    assert [j.key for j in jobs] == [
        "validate_dataset[dataset=a]",
        "render_edition[edition=public,x=y]",
        "all",
    ]
    first = jobs[0]
    assert first.inputs == ("data/raw/a.csv", "/repo/scripts/prp/data/validate.py")
    assert first.outputs == ("build/clean/a.parquet", "build/provenance/clean/a.json")
    assert first.log == "build/logs/validate_dataset/a.log"
    # the timing file the job writes beside its log (prp.runtime.timing)
    assert first.benchmark == "build/benchmarks/validate_dataset/a.tsv"
    assert jobs[1].benchmark is None and jobs[2].inputs == ("build/public/index.html",)


def test_parse_jobs_ignores_the_job_stats_table_and_other_lines():
    assert parse_jobs("Job stats:\nall   1\nNothing to be done.\n") == []


def test_parse_jobs_rejects_unreadable_wildcards():
    with pytest.raises(ValueError, match="wildcards"):
        parse_jobs("rule r:\n    wildcards: nonsense\n")


def test_stat_is_the_median_with_range():
    s = stat([3.0, 1.0, 2.0])
    assert (s.median, s.low, s.high, s.n) == (2.0, 1.0, 3.0, 3)
    assert stat([4.0, 1.0]).median == 2.5
    with pytest.raises(ValueError):
        stat([])


def test_read_benchmark_takes_the_first_row():
    text = "s\th:m:s\tmax_rss\tmax_vms\tcpu_time\n1.50\t0:00:01\t120.5\t900\t1.2\n9\t0\t9\t9\t9\n"
    assert read_benchmark(text) == {"s": 1.5, "max_rss": 120.5, "cpu_time": 1.2}


def test_read_benchmark_names_the_file_on_errors():
    with pytest.raises(ValueError, match="x.tsv: benchmark file has no data row"):
        read_benchmark("s\tmax_rss\n", "x.tsv")
    with pytest.raises(ValueError, match="x.tsv: column 'max_rss'"):
        read_benchmark("s\tmax_rss\n1\tlots\n", "x.tsv")


def test_per_rule_sums_jobs_and_takes_the_median_across_repetitions():
    reps = [
        [("v", {"s": 1.0, "max_rss": 100}), ("v", {"s": 2.0, "max_rss": 300}), ("r", {"s": 9})],
        [("v", {"s": 2.0, "max_rss": 110}), ("v", {"s": 2.0, "max_rss": 200}), ("r", {"s": 7})],
        [("v", {"s": 5.0, "max_rss": 120}), ("v", {"s": 5.0, "max_rss": 400}), ("r", {"s": 8})],
    ]
    rows = per_rule(reps)
    assert rows == [  # longest total first
        RuleRow("r", jobs=1, total_s=8.0, max_s=8.0, max_rss_mb=None),
        RuleRow("v", jobs=2, total_s=4.0, max_s=2.0, max_rss_mb=300),
    ]
    table = rule_table(rows)
    assert "| `v` | 2 | 4.00 s | 2.00 s | 300 |" in table
    assert "| `r` | 1 | 8.00 s | 8.00 s | – |" in table


def test_critical_path_follows_inputs_to_producers():
    jobs = [
        Job("a", outputs=("a.out",)),
        Job("b", outputs=("b.out",)),
        Job("c", inputs=("a.out", "b.out", "raw.csv"), outputs=("c.out",)),
        Job("all", inputs=("c.out", "b.out")),
    ]
    assert critical_path(jobs, {"a": 1.0, "b": 5.0, "c": 2.0}) == 7.0
    assert critical_path([], {}) == 0.0


def test_critical_path_detects_cycles():
    jobs = [Job("a", inputs=("b",), outputs=("a",)), Job("b", inputs=("a",), outputs=("b",))]
    with pytest.raises(ValueError, match="cycle"):
        critical_path(jobs, {})


def test_append_sentence_adds_one_paragraph():
    assert append_sentence("# Title\n\nText.\n\n", "More.") == "# Title\n\nText.\n\nMore.\n"


def test_edit_csv_value_changes_one_cell_and_nothing_else():
    text = 'country,rate,note\r\nA,1,"x, y"\r\nB,2,plain\r\n'
    out = edit_csv_value(text, 1, "rate", "3")
    assert out == 'country,rate,note\r\nA,1,"x, y"\r\nB,3,plain\r\n'
    out = edit_csv_value(text, 0, "rate", "7")
    assert out.splitlines()[1] == 'A,7,"x, y"'


def test_edit_csv_value_reports_bad_targets():
    with pytest.raises(ValueError, match="column 'nope'"):
        edit_csv_value("a,b\n1,2\n", 0, "nope", "1")
    with pytest.raises(ValueError, match="only 1 data rows"):
        edit_csv_value("a,b\n1,2\n", 5, "a", "1")


def test_markdown_table_aligns_numeric_columns_and_escapes_pipes():
    table = markdown_table(["name", "n:"], [["a|b", 1]])
    assert table.splitlines() == ["| name | n |", "|---|---:|", "| a\\|b | 1 |"]
    with pytest.raises(ValueError, match="2 cells"):
        markdown_table(["a", "b", "c"], [[1, 2]])


def test_timing_table_and_ratio_use_medians():
    measures = {
        "noop": Measure(wall=[1.8, 1.6, 2.0], cpu=[1.6, 1.5, 1.7], jobs=[0, 0, 0]),
        "floor": Measure(wall=[1.0, 1.2, 1.1], cpu=[1.0, 1.0, 1.0], jobs=[0, 0, 0]),
    }
    table = timing_table(measures, cores=2)
    assert (
        "| no-op rebuild (`prp.tools.build all`, nothing to do) | 0 | 1.80 s (1.60 s–2.00 s)"
        in table
    )
    assert "cold" not in table
    line = ratio_line(measures)
    assert "**1.64×**" in line and "ABOVE" in line
    measures["noop"] = Measure(wall=[1.5], cpu=[1.0], jobs=[0])
    assert "within" in ratio_line(measures)
    assert ratio_line({}) == "No-op / floor: not measured."


def test_scale_section_uses_the_modules_own_markdown_or_a_generic_table(tmp_path):
    assert "does not exist" in run_scale_section(tmp_path, 10, tmp_path / "w")
    (tmp_path / "bench").mkdir()
    script = tmp_path / "bench" / "scale.py"
    script.write_text(
        "def run_scale(events, workdir):\n"
        "    assert workdir.is_dir()\n"
        "    return {'events': events, 'steps': {'validate': {'seconds': 1.5}}}\n",
        encoding="utf-8",
    )
    text = run_scale_section(tmp_path, 1000, tmp_path / "w")
    assert "`run_scale(1_000)`" in text
    assert "| steps.validate.seconds | 1.5 |" in text and "| events | 1,000 |" in text
    script.write_text(
        script.read_text(encoding="utf-8") + "def markdown(r):\n    return 'OWN TABLE\\n'\n",
        encoding="utf-8",
    )
    assert run_scale_section(tmp_path, 5, tmp_path / "w").endswith("OWN TABLE")


def test_goal_lines_print_the_median_next_to_the_goal():
    assert goal_line("save-to-preview", [0.9, 1.4, 0.8], 2.0) == (
        "save-to-preview: 0.90 s (goal ≤ 2 s; met; median of 3, 0.80 s–1.40 s)"
    )
    assert "NOT met" in goal_line("CSV-to-page", [21.0], 5.0)
    assert goal_line("CSV-to-page", [], 5.0) == "CSV-to-page: not measured (goal ≤ 5 s)"
