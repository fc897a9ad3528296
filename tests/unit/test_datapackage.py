"""The data package describes every file in data/, correctly and completely."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import frictionless
import pytest

from prp.data.crypt import SEALED, SUFFIX
from prp.data.datapackage import (
    RESTRICTED_PREFIX,
    is_restricted,
    load_package,
    rehash_text,
    sha256_file,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
PACKAGE = load_package(DATA)
RESOURCES = PACKAGE["resources"]
PUBLIC = [r for r in RESOURCES if not is_restricted(r)]
RESTRICTED = [r for r in RESOURCES if is_restricted(r)]
BIB_KEYS = set(
    re.findall(r"^@\w+\{([^,]+),", (ROOT / "report" / "references.bib").read_text(), re.M)
)


def data_files() -> list[str]:
    """Files under data/ that git would commit (ignores caches)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "data"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return sorted(Path(f).relative_to("data").as_posix() for f in out if (ROOT / f).is_file())


def test_every_file_in_data_is_described():
    described = {r["path"] for r in RESOURCES} | set(PACKAGE.get("x-not-data", []))
    missing = [f for f in data_files() if f not in described]
    assert not missing, f"files in data/ without a descriptor entry: {missing}"


def test_every_described_file_exists():
    absent = [r["path"] for r in PUBLIC if not (DATA / r["path"]).is_file()]
    assert not absent, absent
    # restricted files exist only encrypted (restricted/data/<file>.age)
    sealed = [
        ROOT / SEALED / "data" / (r["path"][len(RESTRICTED_PREFIX) :] + SUFFIX) for r in RESTRICTED
    ]
    assert RESTRICTED and all(p.is_file() for p in sealed), sealed


@pytest.mark.parametrize("res", RESTRICTED, ids=[r["name"] for r in RESTRICTED])
def test_no_hash_of_restricted_plaintext_is_published(res):
    # a hash of a low-entropy restricted file would confirm a guess of it
    assert "hash" not in res and not (DATA / res["path"]).exists()


@pytest.mark.parametrize("res", PUBLIC, ids=[r["name"] for r in PUBLIC])
def test_hash_matches_file(res):
    actual = sha256_file(DATA / res["path"])
    assert res.get("hash") == f"sha256:{actual}", (
        f"{res['path']} changed but its descriptor did not; "
        "check the change, then run `python -m prp.data.datapackage rehash`"
    )


@pytest.mark.parametrize("res", RESOURCES, ids=[r["name"] for r in RESOURCES])
def test_provenance_fields(res):
    assert res.get("title") and res.get("description")
    assert res.get("licenses"), "licence"
    assert res.get("sources") and res["sources"][0].get("title"), "source"
    assert res.get("x-obtained"), "how it was obtained"
    assert isinstance(res.get("x-synthetic"), bool), "synthetic flag"
    cit = res.get("x-citation") or {}
    assert cit.get("key") in BIB_KEYS, f"citation key {cit.get('key')!r} not in references.bib"
    if res.get("format") == "csv":
        assert res["schema"]["fields"], "schema"
        assert res["schema"].get("primaryKey"), "primary key"


def test_package_is_valid_frictionless():
    # restricted files exist only encrypted: the package is validated with
    # its public resources (test_checks validates the decrypted event table)
    public = {**PACKAGE, "resources": PUBLIC}
    report = frictionless.Package(public, basepath=str(DATA)).validate()
    errors = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    assert report.valid, errors[:10]


def test_rehash_reports_a_changed_file(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("x\n1\n")
    text = (
        "name: p\nresources:\n  - name: a\n    path: raw/a.csv\n"
        "    hash: sha256:0000\n    format: csv\n"
    )
    new, changed = rehash_text(text, tmp_path)
    assert changed == ["raw/a.csv"]
    assert f"hash: sha256:{sha256_file(tmp_path / 'raw' / 'a.csv')}" in new
    assert rehash_text(new, tmp_path)[1] == []
