"""The fast, streaming validator (prp.data.arrowval) behind validate_dataset.

* every committed raw and released table is proven valid by the fast path and
  written byte for byte as the precise validator writes it;
* everything the precise validator refuses, the fast path refuses too (it
  then hands over, and the message is the precise one), even in a late batch
  of a file read in many batches, with a key repeated across a spill;
* memory does not grow with the length of the file.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import validate_dataset

from prp.data import arrowval, validate
from prp.data.datapackage import declared_sha256, resource, resource_names, schema_only
from prp.data.errors import InputError
from tests.unit import test_scale_validate as toy
from tests.unit import test_validate as bad_cases

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SCRIPTS = ROOT / "scripts"


def committed() -> list[str]:
    return [
        name
        for name in resource_names(DATA)
        if resource(DATA, name)["path"].split("/")[0] in ("raw", "released")
        and resource(DATA, name)["path"].endswith(".csv")
    ]


def rule_params(name: str) -> dict:
    """What rules/common.smk passes to validate_dataset."""
    from prp.data.checks import references

    res = schema_only(resource(DATA, name))
    for check in res.get("x-checks", []):
        for spec in check.values():
            if "geometry" in spec:
                spec["geometry_path"] = str(DATA / spec["geometry"])
    refs = {
        r: {
            "path": str(DATA / resource(DATA, r)["path"]),
            "resource": schema_only(resource(DATA, r)),
        }
        for r in references(resource(DATA, name))
    }
    return {
        "resource": res,
        "references": refs,
        "sha256": declared_sha256(resource(DATA, name)) or "",
    }


def test_constants_are_the_precise_validators():
    assert arrowval.MAX_LINE == validate.MAX_LINE
    assert validate_dataset.DEFAULT_CHUNK_ROWS == validate.DEFAULT_CHUNK_ROWS


@pytest.mark.parametrize("name", committed())
def test_committed_tables_take_the_fast_path_and_write_the_same_bytes(name, tmp_path):
    params = rule_params(name)
    raw = DATA / resource(DATA, name)["path"]

    def load_reference(ref: str):
        spec = params["references"][ref]
        return validate.read_validated(spec["path"], spec["resource"]), spec["path"]

    fast = tmp_path / "fast.parquet"
    rows = arrowval.write_valid(raw, fast, params["resource"], 100_000, load_reference)
    precise = tmp_path / "precise.parquet"
    validate_dataset.write_checked(raw, precise, params["resource"], load_reference)
    assert rows == pq.ParquetFile(precise).metadata.num_rows
    assert fast.read_bytes() == precise.read_bytes()


@pytest.mark.parametrize("case", sorted(bad_cases.BAD))
def test_what_the_precise_validator_refuses_is_not_proven_here(tmp_path, case):
    content = bad_cases.BAD[case][0]
    path = bad_cases.write(tmp_path, content)
    with pytest.raises(arrowval.NotProven):
        arrowval.write_valid(path, tmp_path / "out.parquet", bad_cases.RES, 100_000)


@pytest.mark.parametrize("case", sorted(toy.CASES))
def test_and_the_message_is_the_precise_validators(tmp_path, case):
    path = tmp_path / "toy.csv"
    path.write_text(toy.CASES[case], encoding="utf-8")
    out = tmp_path / "out.parquet"
    with pytest.raises(InputError) as info:
        validate_dataset.main({"raw": str(path)}, {"clean": str(out)}, {"resource": toy.RES}, 2)
    assert info.value == toy.error(path, None)
    assert not out.exists()


def big_file(path: Path, rows: int, **bad: str) -> Path:
    """``rows`` rows of the toy table (key = 'r<line>' replaces a line)."""
    lines = [toy.good(i) for i in range(rows)]
    for key, text in bad.items():
        lines[int(key[1:]) - 2] = text
    path.write_text(toy.HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of about 4 KB (some 150 rows of the toy table)."""
    monkeypatch.setattr(arrowval, "BLOCK_BYTES", 4096)


def test_a_valid_file_in_many_batches_is_the_precise_file(tmp_path, small_batches):
    raw = big_file(tmp_path / "toy.csv", 5000)
    fast, precise = tmp_path / "fast.parquet", tmp_path / "precise.parquet"
    assert arrowval.write_valid(raw, fast, toy.RES, 1000) == 5000
    validate_dataset.write_checked(raw, precise, toy.RES, None, 1000)
    assert pq.read_table(fast).equals(pq.read_table(precise))
    assert pq.ParquetFile(fast).metadata.num_row_groups == 5


@pytest.mark.parametrize(
    "bad, row, column, value",
    [
        ({"r4900": "E4898,2017-01-01,x,a,4898\n"}, 4900, "n", "x"),
        ({"r4901": "E4899,2017-02-30,1,a,4899\n"}, 4901, "day", "2017-02-30"),
        ({"r4950": "E4948,2017-01-01,1,c,4948\n"}, 4950, "kind", "c"),
        ({"r4999": "E4997,2017-01-01,-1,a,4997\n"}, 4999, "n", -1),
        ({"r4997": "E4995,2017-01-01,1,a,4995,9\n"}, 4997, None, None),
    ],
)
def test_a_bad_value_in_a_late_batch_is_named_at_its_row(
    tmp_path, small_batches, bad, row, column, value
):
    raw = big_file(tmp_path / "toy.csv", 5000, **bad)
    with pytest.raises(arrowval.NotProven):
        arrowval.write_valid(raw, tmp_path / "fast.parquet", toy.RES, 1000)
    out = tmp_path / "out.parquet"
    with pytest.raises(InputError) as info:
        validate_dataset.main({"raw": str(raw)}, {"clean": str(out)}, {"resource": toy.RES}, 1000)
    err = info.value
    assert (err.row, err.column) == (row, column), str(err)
    if value is not None:
        assert err.value == value
    assert str(raw) in str(err) and not out.exists()


def test_a_key_repeated_across_spills_is_found(tmp_path, small_batches, monkeypatch):
    monkeypatch.setattr(arrowval, "SPILL_ROWS", 500)
    raw = big_file(tmp_path / "toy.csv", 5000, r4990="E3,2017-01-09,7,b,4988\n")
    with pytest.raises(arrowval.NotProven, match="repeated key"):
        arrowval.write_valid(raw, tmp_path / "fast.parquet", toy.RES, 1000)
    with pytest.raises(InputError) as info:
        validate_dataset.main(
            {"raw": str(raw)}, {"clean": str(tmp_path / "o.parquet")}, {"resource": toy.RES}, 1000
        )
    assert info.value.row == 4990 and "first seen on row 5" in str(info.value)


def test_a_quoted_line_break_is_read_as_the_precise_validator_reads_it(tmp_path):
    raw = tmp_path / "toy.csv"
    raw.write_text(toy.CASES["quoted line break"], encoding="utf-8")
    res = copy.deepcopy(toy.RES)
    del res["schema"]["fields"][3]["constraints"]  # "a\nb" is then a valid kind
    fast, precise = tmp_path / "fast.parquet", tmp_path / "precise.parquet"
    arrowval.write_valid(raw, fast, res, 1000)
    validate_dataset.write_checked(raw, precise, res, None)
    assert fast.read_bytes() == precise.read_bytes()
    assert pq.read_table(fast)["kind"].to_pylist()[1] == "a\nb"


MEMORY = """
import json, sys
sys.path.insert(0, {scripts!r})
from prp.data import arrowval
arrowval.BLOCK_BYTES = 1 << 16
arrowval.SPILL_ROWS = 20_000
res = json.loads({res!r})
rows = arrowval.write_valid({raw!r}, {out!r}, res, 20_000)
arrow = arrowval.pa.default_memory_pool().max_memory() / 2**20
# VmHWM is this process's own peak: ru_maxrss would start from the test
# process's size when it spawned this one (Linux carries it across exec)
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps([rows, arrow, int(hwm.split()[1]) / 1024]))
"""


def test_memory_does_not_grow_with_the_file(tmp_path):
    """Arrow's own peak allocation (exact) and the peak RSS (noisy: thread
    heaps) of the fast path on 50,000 and 400,000 rows (1.2 and 10 MB).
    Holding the rows as Python objects would add well over 100 MB."""
    arrow, rss = {}, {}
    for rows in (50_000, 400_000):
        raw = big_file(tmp_path / f"toy{rows}.csv", rows)
        probe = MEMORY.format(
            scripts=str(SCRIPTS),
            res=json.dumps(toy.RES),
            raw=str(raw),
            out=str(tmp_path / "out.parquet"),
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        done, arrow[rows], rss[rows] = json.loads(out.stdout.strip().splitlines()[-1])
        assert done == rows
    # holding the 8.8 MB of text more, or its typed columns, would show here
    assert arrow[400_000] < arrow[50_000] + 4, arrow
    assert rss[400_000] < rss[50_000] + 60, rss


def test_a_line_one_character_too_long_is_left_to_the_precise_validator(tmp_path, monkeypatch):
    """Without quotes, a line is its cells, commas and line end: the fast
    path must not accept a line one character over the limit."""
    monkeypatch.setattr(arrowval, "MAX_LINE", 40)
    monkeypatch.setattr(validate, "MAX_LINE", 40)
    raw = tmp_path / "toy.csv"
    # 22 + 10 + 1 + 1 + 1 characters of cells, 4 commas, CR LF: 41
    long_line = "E" + "1" * 21 + ",2017-01-02,1,a,2\r\n"
    assert len(long_line) == 41
    raw.write_bytes((toy.HEADER + toy.good(1) + long_line).encode())
    with pytest.raises(arrowval.NotProven, match="too long"):
        arrowval.write_valid(raw, tmp_path / "out.parquet", toy.RES, 1000)
    with pytest.raises(InputError, match="41 characters long") as info:
        validate_dataset.main(
            {"raw": str(raw)}, {"clean": str(tmp_path / "o.parquet")}, {"resource": toy.RES}
        )
    assert info.value.row == 3


def test_lines_at_the_limit_in_a_batch_longer_than_it_are_proven(tmp_path, monkeypatch):
    """The bytes of a batch's cells bound its lines; where a batch holds
    more than a line may (many lines), its widest cells decide: many lines
    of exactly the limit are still proven by the fast path."""
    monkeypatch.setattr(arrowval, "MAX_LINE", 40)
    monkeypatch.setattr(validate, "MAX_LINE", 40)
    raw = tmp_path / "toy.csv"
    at_limit = ["E" + f"{i:019d}" + f",2017-01-02,1,a,{10 + i}\r\n" for i in range(50)]
    assert {len(line) for line in at_limit} == {40}
    raw.write_bytes((toy.HEADER + "".join(at_limit)).encode())
    assert arrowval.write_valid(raw, tmp_path / "out.parquet", toy.RES, 1000) == 50


def test_a_table_checked_whole_is_written_as_one_table(tmp_path, small_batches, monkeypatch):
    """A resource with a check that needs the whole table (sum_matches) is
    read by the precise validator as one chunk and written as one table,
    whatever its length: the same row groups here."""
    raw = big_file(tmp_path / "toy.csv", 3000)
    ref = tmp_path / "totals.csv"
    ref.write_text("kind,n\na,2248500\nb,2250000\n", encoding="utf-8")
    ref_res = {
        "name": "totals",
        "schema": {
            "fields": [{"name": "kind", "type": "string"}, {"name": "n", "type": "integer"}]
        },
    }
    res = copy.deepcopy(toy.RES)
    res["x-checks"] = [
        {
            "sum_matches": {
                "column": "n",
                "group_by": ["kind"],
                "reference": {"resource": "totals", "column": "n", "key": ["kind"]},
            }
        }
    ]

    def load_reference(name: str):
        return validate.read_validated(ref, ref_res), str(ref)

    fast, precise = tmp_path / "fast.parquet", tmp_path / "precise.parquet"
    arrowval.write_valid(raw, fast, res, 1000, load_reference)
    validate_dataset.write_checked(raw, precise, res, load_reference, 1000)
    assert pq.ParquetFile(fast).metadata.num_row_groups == 1
    assert fast.read_bytes() == precise.read_bytes()
