"""Jobs forked from a warm worker (prp.runtime.forked).

Each job runs in a process of its own, forked from a worker that has the
plotting libraries imported: nothing one job imports or changes reaches the
next, and a failure comes back as the job's own message."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from prp.runtime.forked import PRELOAD, Job, run_job
from prp.runtime.inproc import JobFailed

TOY = """
import json, os, sys
import matplotlib

def main(inputs, outputs, params):
    action = params.get("action")
    if action == "import":
        import prp.events.released  # noqa: F401 - a project module
    if action == "restyle":
        matplotlib.rcParams["font.size"] = 99
    if action == "bad":
        from prp.data.errors import InputError
        raise InputError(inputs["raw"], 7, "rate", "a number", "n/a")
    if action == "bug":
        raise RuntimeError("a bug in the script")
    with open(outputs["out"], "w") as fh:
        json.dump({
            "pid": os.getpid(),
            "prp": sorted(m for m in sys.modules if m.startswith("prp.")),
            "font_size": matplotlib.rcParams["font.size"],
            "preloaded": sorted(m for m in sys.modules if m in PRELOAD),
        }, fh)
"""


@pytest.fixture
def toy(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "toy_job.py").write_text(
        TOY.replace("m in PRELOAD", f"m in {list(PRELOAD)!r}"), encoding="utf-8"
    )

    def run(name: str, action: str = "") -> dict:
        out, log = tmp_path / f"{name}.json", tmp_path / f"{name}.log"
        run_job(
            Job(
                rule=name,
                script="toy_job",
                cwd=str(tmp_path),
                scripts=str(tmp_path / "scripts"),
                input={"raw": "data/raw/rates.csv"},
                output={"out": str(out)},
                params={"action": action},
                wildcards={},
                log=[str(log)],
            )
        )
        return json.loads(out.read_text(encoding="utf-8"))

    return run


def test_each_job_is_a_process_of_its_own_with_the_libraries_imported(toy):
    first, second = toy("first"), toy("second")
    assert len({first["pid"], second["pid"], os.getpid()}) == 3
    assert first["preloaded"] == sorted(PRELOAD)


def test_what_one_job_imports_or_changes_does_not_reach_the_next(toy):
    toy("importer", "import")
    toy("restyler", "restyle")
    after = toy("after")
    # the next job's provenance could only list what it imported itself
    assert "prp.events.released" not in after["prp"]
    assert after["font_size"] != 99


def test_bad_input_fails_the_job_with_its_one_line(toy, tmp_path):
    with pytest.raises(JobFailed) as info:
        toy("bad", "bad")
    message = str(info.value)
    assert "data/raw/rates.csv" in message and "7" in message and "rate" in message
    assert "\n" not in message and "Traceback" not in message
    assert message in (tmp_path / "bad.log").read_text(encoding="utf-8")


def test_a_bug_fails_the_job_with_its_traceback(toy):
    with pytest.raises(JobFailed, match="(?s)Traceback.*RuntimeError: a bug in the script"):
        toy("bug", "bug")


def test_the_figure_rules_run_forked():
    rules = (Path(__file__).resolve().parents[2] / "rules" / "figures.smk").read_text()
    assert rules.count("run_forked(rule, ") == rules.count("\nrule ") > 10
