"""The edition boundary by construction: access is granted and revoked by
re-encrypting; the public job graph and Snakemake's report of it name
nothing restricted; the event figures publish nothing beyond the release.
(A clone without a key builds the same public edition byte for byte:
test_robust.py, which builds a second copy anyway.)"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prp.data import crypt
from tests.keys import session_identity

from .conftest import copy_repo

pytestmark = pytest.mark.slow


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def python(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=repo,
        env={**env, "PYTHONPATH": "scripts"},
        capture_output=True,
        text=True,
    )


def restricted_names(repo: Path) -> list[str]:
    """Names that only restricted material uses: the restricted catalog's
    ids, the restricted namespace, the decrypted tree, restricted chapters."""
    catalog = yaml.safe_load(
        (repo / crypt.PLAIN / "config/artifacts/restricted.yaml").read_text(encoding="utf-8")
    )
    ids = [*(catalog.get("tables") or {}), *(catalog.get("figures") or {})]
    chapters = [p.stem for p in (repo / crypt.PLAIN / "report").glob("*.qmd")]
    return [*ids, *chapters, "restricted_events", "restricted-src", "camrd_events"]


def test_the_public_job_graph_names_nothing_restricted(built_copy):
    built_repo = built_copy  # the wrapper takes the build lock: not in the shared build
    names = restricted_names(built_repo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    # a public build: restricted rules do not even exist
    # the target first: --dag takes an optional format, which would swallow it
    public = python(built_repo, "prp.tools.build", "public", "--dag", env=env)
    # the key present and the sources decrypted: they exist, none is upstream of public
    keyed = subprocess.run(
        [str(Path(sys.executable).with_name("snakemake")), "public", "--dag"],
        cwd=built_repo,
        env={**env, "PRP_PUBLIC_ONLY": "0"},
        capture_output=True,
        text=True,
    )
    for proc in (public, keyed):
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "render_edition" in proc.stdout
        found = [n for n in names if n in proc.stdout]
        assert not found, found


def test_snakemake_report_of_the_public_edition_holds_nothing_restricted(built_copy):
    built_repo = built_copy  # writes the report and takes the build lock
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    out = built_repo / "build" / "snakemake-report-public.html"
    proc = python(built_repo, "prp.tools.build", "--report", str(out), "public", env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8", errors="replace")
    assert "crime-locations" in text  # the public figures are there
    found = [n for n in restricted_names(built_repo) if n in text]
    assert not found, found


def test_grant_and_revoke_re_encrypt_for_the_recipients(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env[crypt.ENV_IDENTITY] = str(session_identity())
    newcomer = tmp_path / "newcomer.agekey"
    key = crypt.generate(newcomer)
    before = tree(repo / "restricted")
    granted = python(repo, "prp.data.crypt", "grant", key, "A. Newcomer", env=env)
    assert granted.returncode == 0, granted.stderr
    assert key in (repo / crypt.RECIPIENTS).read_text()
    after = tree(repo / "restricted")
    assert all(after[k] != before[k] for k in before), "every ciphertext is re-encrypted"
    rep = crypt.unseal(repo / crypt.SEALED, tmp_path / "theirs", newcomer)
    assert "data/events.csv" in rep.written
    revoked = python(repo, "prp.data.crypt", "revoke", key, env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert "still opens the ciphertexts of earlier commits" in revoked.stdout
    with pytest.raises(crypt.CryptError, match="not among its recipients"):
        crypt.unseal(repo / crypt.SEALED, tmp_path / "theirs-again", newcomer)
    # the identity that granted still reads everything
    crypt.unseal(repo / crypt.SEALED, tmp_path / "ours", session_identity())
    # and no key material was printed
    secret = [ln for ln in newcomer.read_text().splitlines() if ln.startswith("AGE-SECRET")][0]
    for proc in (granted, revoked):
        assert secret not in proc.stdout + proc.stderr


def test_event_figures_publish_nothing_beyond_the_release(built_repo):
    """The figures' data files print no value of a withheld count, never a
    bound like "<5", and the only derived value (the pooled withheld segment
    of the perpetrator bars) is the state's published total minus its
    published cells, which the tables give anyway."""
    import pandas as pd

    from prp.events import audit

    released = audit.read_released(built_repo / "data" / "released")
    figures = built_repo / "build" / "figures"
    for name in (
        "crime-locations",
        "crime-rail-map",
        "crime-states-map",
        "perpetrators-top-states",
        "southern-border-map",
        "us-border-map",
    ):
        text = (figures / f"{name}.csv").read_text(encoding="utf-8")
        assert "<5" not in text and "&lt;5" not in text, name
    perp = pd.read_csv(figures / "perpetrators-top-states.csv")
    pooled = perp[perp["perpetrator_type"] == "withheld"]
    table = released["state_perpetrator"]
    totals = released["state_totals"].set_index("state")["events"]
    for row in pooled.itertuples():
        cells = table[(table["state"] == row.state) & ~table["suppressed"]]
        assert row.events == int(totals[row.state]) - int(cells["events"].sum()), row.state
