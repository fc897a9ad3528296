"""prp.runtime.memo: what every Snakemake start recomputes, read back instead."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prp.data import datapackage
from prp.runtime import memo


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_computed_once_per_key(tmp_path: Path) -> None:
    compute, calls = counting({"a": [1, 2.5, None, True, "é"]})
    first = memo.json_memo(tmp_path, "thing", b"key", compute)
    again = memo.json_memo(tmp_path, "thing", b"key", compute)
    assert first == again == {"a": [1, 2.5, None, True, "é"]}
    assert len(calls) == 1
    other = memo.json_memo(tmp_path, "thing", b"other key", compute)
    assert other == first and len(calls) == 2
    # the newer memo replaced the older one of its kind
    assert len(list(tmp_path.glob("thing-*.json"))) == 1


@pytest.mark.parametrize(
    "value",
    [
        {"when": datetime.date(2018, 6, 1)},
        {1: "integer key"},
        {"pair": (1, 2)},
        {"x": float("nan")},
    ],
    ids=["date", "int-key", "tuple", "nan"],
)
def test_a_value_json_does_not_carry_exactly_is_never_memoised(tmp_path: Path, value) -> None:
    compute, calls = counting(value)
    assert memo.json_memo(tmp_path, "thing", b"k", compute) is value
    memo.json_memo(tmp_path, "thing", b"k", compute)
    assert len(calls) == 2
    assert not list(tmp_path.iterdir())


def test_a_damaged_memo_is_recomputed(tmp_path: Path) -> None:
    compute, calls = counting({"a": 1})
    memo.json_memo(tmp_path, "thing", b"k", compute)
    (only,) = tmp_path.glob("thing-*.json")
    only.write_text("{not json", encoding="utf-8")
    assert memo.json_memo(tmp_path, "thing", b"k", compute) == {"a": 1}
    assert len(calls) == 2
    assert json.loads(only.read_text(encoding="utf-8")) == {"a": 1}


def test_no_folder_no_memo(tmp_path: Path) -> None:
    compute, calls = counting({"a": 1})
    memo.json_memo(None, "thing", b"k", compute)
    memo.json_memo(None, "thing", b"k", compute)
    assert len(calls) == 2


SCHEMA = """\
$schema: "https://json-schema.org/draft/2020-12/schema"
type: object
properties:
  name: {type: string}
  limits:
    type: object
    default: {k: 5}
    properties:
      k: {type: integer, default: 5}
required: [name]
"""


def test_validate_config_fills_defaults_and_checks_once(tmp_path: Path, monkeypatch) -> None:
    import snakemake.utils

    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA, encoding="utf-8")
    real = snakemake.utils.validate
    calls = []

    def validate(config, path):
        calls.append(path)
        return real(config, path)

    monkeypatch.setattr(snakemake.utils, "validate", validate)
    folder = tmp_path / "memo"
    first = {"name": "x"}
    memo.validate_config(first, schema, folder)
    second = {"name": "x"}
    memo.validate_config(second, schema, folder)
    assert first == second == {"name": "x", "limits": {"k": 5}}
    assert len(calls) == 1
    # a changed schema is a different memo: checked again
    schema.write_text(SCHEMA.replace("default: 5", "default: 7"), encoding="utf-8")
    third = {"name": "x"}
    memo.validate_config(third, schema, folder)
    assert len(calls) == 2


def test_an_invalid_config_is_refused_every_time(tmp_path: Path) -> None:
    from snakemake.exceptions import WorkflowError

    schema = tmp_path / "schema.yaml"
    schema.write_text(SCHEMA, encoding="utf-8")
    folder = tmp_path / "memo"
    for _ in range(2):
        with pytest.raises(WorkflowError):
            memo.validate_config({"name": 3}, schema, folder)
    assert not folder.exists() or not list(folder.iterdir())


DESCRIPTOR = "name: pkg\nresources:\n  - name: a\n    path: raw/a.csv\n"


def test_only_a_memoised_data_package_leaves_a_copy(tmp_path: Path) -> None:
    public, private, folder = tmp_path / "public", tmp_path / "private", tmp_path / "memo"
    for d in (public, private):
        d.mkdir()
        (d / "datapackage.yaml").write_text(DESCRIPTOR, encoding="utf-8")
    datapackage.memoise(public, folder)
    try:
        assert datapackage.load_package(private)["resources"][0]["name"] == "a"
        assert not folder.exists()
        assert datapackage.load_package(public)["resources"][0]["path"] == "raw/a.csv"
        (copy,) = folder.glob("datapackage-*.json")
        assert json.loads(copy.read_text(encoding="utf-8"))["name"] == "pkg"
        # an edit (here of another size: the in-process cache is keyed by
        # modification time and size) is a new memo, never the old one
        (public / "datapackage.yaml").write_text(
            DESCRIPTOR.replace("raw/a.csv", "raw/bb.csv"), encoding="utf-8"
        )
        assert datapackage.load_package(public)["resources"][0]["path"] == "raw/bb.csv"
    finally:
        datapackage._MEMO.clear()
        os.environ.pop(datapackage.MEMO_ENV, None)


def test_a_process_the_workflow_starts_reads_the_memo_not_the_yaml(tmp_path: Path) -> None:
    public, folder = tmp_path / "public", tmp_path / "memo"
    public.mkdir()
    (public / "datapackage.yaml").write_text(DESCRIPTOR, encoding="utf-8")
    datapackage.memoise(public, folder)
    try:
        datapackage.load_package(public)  # the workflow's start writes the memo
        env = {**os.environ, "PYTHONPATH": str(Path(datapackage.__file__).parents[2])}
    finally:
        datapackage._MEMO.clear()
        os.environ.pop(datapackage.MEMO_ENV, None)
    assert json.loads(env[datapackage.MEMO_ENV]) == {
        str((public / "datapackage.yaml").resolve()): str(folder.resolve())
    }
    # a figure's or a script's process: parsing the YAML would fail there
    code = (
        "import sys, yaml\n"
        "yaml.load = None\n"
        "from prp.data.datapackage import load_package\n"
        "print(load_package(sys.argv[1])['resources'][0]['path'])\n"
    )
    run = [sys.executable, "-c", code, str(public)]
    done = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "raw/a.csv"
    # without the setting the same process parses the YAML (and fails here)
    del env[datapackage.MEMO_ENV]
    assert subprocess.run(run, env=env, capture_output=True, check=False).returncode != 0
