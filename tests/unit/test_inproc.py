"""Scripts run inside Snakemake's process (prp.runtime.inproc).

* A rule that runs its script in-process declares it and its import closure
  as code; since ``sys.modules`` of the Snakemake process cannot tell what the
  job imported, a fresh process runs the script's ``main`` here and every
  project module it imports must be among the declared code.
* A job's log file holds its own records only, even with jobs side by side;
  bad input fails the job with the one-line message; the provenance record
  lists the declared code.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from prp.data.datapackage import resource
from prp.runtime.deps import script_code
from prp.runtime.inproc import JobFailed, run_in_process
from tests.codewalk import RULES, SCRIPTS

ROOT = Path(__file__).resolve().parents[2]


def in_process_scripts() -> list[str]:
    import re

    text = "\n".join(p.read_text(encoding="utf-8") for p in RULES.glob("*.smk"))
    return sorted(set(re.findall(r'run_in_process\(rule, "(\w+)"', text)))


def test_some_rule_runs_in_process():
    assert "validate_dataset" in in_process_scripts()


PROBE = """
import json, sys
sys.path.insert(0, {scripts!r})
from prp.runtime.provenance import imported_code
import {script} as job
job.main({inputs!r}, {outputs!r}, {params!r})
print(json.dumps(imported_code({scripts!r})))
"""


def test_validate_dataset_imports_only_its_declared_code(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    res = resource(ROOT / "data", "states")
    probe = PROBE.format(
        scripts=str(SCRIPTS),
        script="validate_dataset",
        inputs={"raw": str(ROOT / "data" / "raw" / "states.csv")},
        outputs={"clean": str(tmp_path / "states.parquet")},
        params={"resource": res, "references": {}},
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    imported = set(json.loads(out.stdout.strip().splitlines()[-1]))
    # the rule declares the script itself too (code_of(..., in_process=True))
    declared = {*script_code(SCRIPTS, "validate_dataset"), "scripts/validate_dataset.py"}
    assert imported, "the probe saw no project module"
    assert imported <= declared, sorted(imported - declared)


class _Names(dict):
    """Snakemake's Namedlist: items() and len()."""


def _job(tmp_path: Path, name: str, fail: bool = False) -> dict:
    log = tmp_path / f"{name}.log"
    return {
        "input": _Names(raw=str(tmp_path / f"{name}.txt")),
        "output": _Names(out=str(tmp_path / f"{name}.out")),
        "params": _Names(fail=fail, name=name),
        "wildcards": _Names(dataset=name),
        "log": [str(log)],
    }


def _args(j: dict) -> tuple:
    return j["input"], j["output"], j["params"], j["wildcards"], j["log"]


@pytest.fixture
def toy_script(tmp_path, monkeypatch):
    """A script module that logs a few lines and writes its output, or raises
    InputError."""
    (tmp_path / "toy_inproc_job.py").write_text(
        "import logging, time\n"
        "from prp.data.errors import InputError\n"
        "log = logging.getLogger(__name__)\n"
        "def main(inputs, outputs, params):\n"
        "    for i in range(20):\n"
        "        log.info('%s line %d', params['name'], i)\n"
        "        time.sleep(0.001)\n"
        "    if params['fail']:\n"
        "        raise InputError(inputs['raw'], 'is not valid', row=3, column='x')\n"
        "    open(outputs['out'], 'w').write(params['name'])\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "toy_inproc_job"


def test_jobs_side_by_side_keep_their_own_logs(tmp_path, toy_script):
    jobs = [_job(tmp_path, n) for n in ("alpha", "beta", "gamma")]
    threads = [
        threading.Thread(
            target=run_in_process,
            args=(
                "toy",
                toy_script,
                j["input"],
                j["output"],
                j["params"],
                j["wildcards"],
                j["log"],
            ),
        )
        for j in jobs
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for j in jobs:
        name = j["params"]["name"]
        text = Path(j["log"][0]).read_text(encoding="utf-8")
        assert text.count(f"{name} line") == 20
        assert all(other not in text for other in ("alpha", "beta", "gamma") if other != name)
        assert Path(j["output"]["out"]).read_text() == name
    leftover = [h for h in logging.getLogger().handlers if any(f for f in h.filters)]
    assert not leftover, "a job's log handler stayed on the root logger"


def test_bad_input_fails_the_job_with_one_line(tmp_path, toy_script):
    j = _job(tmp_path, "delta", fail=True)
    with pytest.raises(JobFailed, match=r"delta\.txt.*row 3.*x"):
        run_in_process(
            "toy", toy_script, j["input"], j["output"], j["params"], j["wildcards"], j["log"]
        )
    assert "is not valid" in Path(j["log"][0]).read_text(encoding="utf-8")
    assert not Path(j["output"]["out"]).exists()


FORK_PROBE = """
import json, os, sys
sys.path.insert(0, {scripts!r})
import numpy, pandas, pyarrow, yaml  # third-party, loaded once before forking
from prp.runtime.provenance import imported_code
found = {{}}
for script in {scripts_list!r}:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        __import__(script)
        heavy = any(m.startswith(("matplotlib", "cartopy")) for m in sys.modules)
        os.write(w, json.dumps([imported_code({scripts!r}), heavy]).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        found[script] = json.loads(fh.read())
    os.waitpid(pid, 0)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def imports_of_in_process_scripts() -> dict[str, list]:
    """For each in-process script: the project files importing it loads (in
    a fresh child of one warm process), and whether it loads a plotting library."""
    probe = FORK_PROBE.format(scripts=str(SCRIPTS), scripts_list=in_process_scripts())
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("script", in_process_scripts())
def test_in_process_scripts_import_only_declared_code(script, imports_of_in_process_scripts):
    """Importing each in-process script (and the modules it imports at the
    top) loads only code its rule declares."""
    imported = set(imports_of_in_process_scripts[script][0])
    declared = {*script_code(SCRIPTS, script), f"scripts/{script}.py"}
    assert imported and imported <= declared, sorted(imported - declared)


@pytest.mark.parametrize("script", in_process_scripts())
def test_in_process_scripts_keep_away_from_pyplot(script, imports_of_in_process_scripts):
    """Jobs in Snakemake's threads share one interpreter: no script that
    draws (matplotlib's pyplot keeps global state) may run there."""
    assert imports_of_in_process_scripts[script][1] is False
