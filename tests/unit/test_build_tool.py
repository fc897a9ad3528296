"""prp.tools.build (the lock, editions and keys) and prp.tools.release (the
atomic swap of a release), without running Snakemake."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from prp.data import crypt
from prp.tools import build, release


def test_a_held_lock_refuses_a_second_build(tmp_path):
    lock = tmp_path / "build" / ".build.lock"
    with (
        build.build_lock(lock),
        pytest.raises(build.Busy, match="another build is already running"),
        build.build_lock(lock),
    ):
        pass


def test_a_free_lock_is_not_stale_while_a_process_of_the_last_build_lives(tmp_path):
    lock = tmp_path / "build" / ".build.lock"
    lock.parent.mkdir()
    orphan = subprocess.Popen(["sleep", "60"], process_group=0)  # a job left by a killed build
    try:
        lock.write_text(json.dumps({"pid": 2**22 + 1, "pgid": orphan.pid}) + "\n")
        with pytest.raises(build.Busy, match=f"process group {orphan.pid}"), build.build_lock(lock):
            pass
    finally:
        orphan.kill()
        orphan.wait()
    with build.build_lock(lock):  # nothing of it is alive: the lock is stale
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_a_group_of_zombies_is_not_alive(tmp_path):
    # the forkserver of the figure workers outlives Snakemake by a moment and
    # is then a zombie until its new parent collects it: the build must not
    # wait for it (nor take a finished build for a running one)
    child = subprocess.Popen(["true"], process_group=0)
    try:
        deadline = time.monotonic() + 10
        while build._group_states(child.pid) != ["Z"]:
            assert time.monotonic() < deadline, build._group_states(child.pid)
            time.sleep(0.01)
        os.killpg(child.pid, 0)  # the kernel still counts the group
        assert not build.group_alive(child.pid)
        lock = tmp_path / ".build.lock"
        lock.write_text(json.dumps({"pid": 2**22 + 1, "pgid": child.pid}) + "\n")
        with build.build_lock(lock):
            pass
        start = time.monotonic()
        build.stop_group(child.pid)
        assert time.monotonic() - start < 1
    finally:
        child.wait()
    sleeper = subprocess.Popen(["sleep", "60"], process_group=0)
    try:
        assert build._group_states(sleeper.pid) in (["S"], ["R"])
        assert build.group_alive(sleeper.pid)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not build.group_alive(sleeper.pid)


def test_group_states_reads_names_with_spaces_and_parentheses(tmp_path):
    (tmp_path / "self").mkdir()
    (tmp_path / "self" / "stat").write_text("1 (x) S 0 1 1\n")
    for pid, comm, state, pgrp in [(7, "a) (b", "S", 42), (8, "plain", "Z", 42), (9, "o", "R", 5)]:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} ({comm}) {state} 1 {pgrp} {pgrp} 0\n")
    assert sorted(build._group_states(42, tmp_path)) == ["S", "Z"]
    assert build._group_states(5, tmp_path) == ["R"]
    assert build._group_states(6, tmp_path) == []
    assert build._group_states(42, tmp_path / "absent") is None


def test_public_builds_drop_the_identity_and_the_restricted_sources(monkeypatch):
    monkeypatch.setenv(crypt.ENV_IDENTITY, "/some/key")
    for args in (["public"], ["--public", "build/tables/x.md"], ["-n", "public"]):
        env, rest, note = build.prepare(args)
        assert crypt.ENV_IDENTITY not in env and env[build.PUBLIC_ONLY] == "1"
        assert "--public" not in rest and note is None
    assert build.scope(["all"]) == (False, ["all"])
    assert build.scope(["public", "restricted"])[0] is False


def test_without_a_key_all_builds_public_and_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv(crypt.ENV_IDENTITY, raising=False)
    monkeypatch.setattr(crypt, "USER_IDENTITY", tmp_path / "none.agekey")
    env, rest, note = build.prepare(["all"])
    assert env[build.PUBLIC_ONLY] == "1" and note == build.KEYLESS_NOTE
    assert "needs an age identity" in note
    for target in ("restricted", "release_aggregates"):
        with pytest.raises(crypt.CryptError, match="needs an age identity"):
            build.prepare([target])


def staged_repo(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "released").mkdir(parents=True)
    (data / "released/a.csv").write_text("x\n1\n")
    (data / "released/b.csv").write_text("y\n2\n")
    (data / "datapackage.yaml").write_text(
        "resources:\n"
        "  - name: a\n    path: released/a.csv\n    hash: sha256:old\n"
        "  - name: b\n    path: released/b.csv\n    hash: sha256:old\n"
    )
    built = tmp_path / "build/released"
    built.mkdir(parents=True)
    (built / "a.csv").write_text("x\n10\n")
    (built / "b.csv").write_text("y\n20\n")
    return data


def test_a_release_swaps_tables_and_hashes_together(tmp_path):
    from prp.data.datapackage import load_package, sha256_file

    data = staged_repo(tmp_path)
    release.swap(release.stage(tmp_path / "build/released", data), data)
    assert (data / "released/a.csv").read_text() == "x\n10\n"
    for res in load_package(data)["resources"]:
        assert res["hash"] == "sha256:" + sha256_file(data / res["path"])
    assert not (data / release.STAGING.name).exists()
    assert not (data / release.JOURNAL.name).exists()


def test_a_release_killed_mid_swap_is_completed_by_the_next_build(tmp_path, monkeypatch):
    from prp.data.datapackage import load_package, sha256_file

    data = staged_repo(tmp_path)
    moves = release.stage(tmp_path / "build/released", data)
    real = os.replace
    calls = {"n": 0}

    def dying(src, dest):
        if (
            str(dest).endswith((".csv", ".yaml"))
            and "released" in str(dest)
            or "datapackage" in str(dest)
        ):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt("killed")
        return real(src, dest)

    monkeypatch.setattr(release.os, "replace", dying)
    with pytest.raises(KeyboardInterrupt):
        release.swap(moves, data)
    monkeypatch.setattr(release.os, "replace", real)
    # half swapped: a.csv new, b.csv and the hashes old
    assert (data / "released/a.csv").read_text() == "x\n10\n"
    assert (data / "released/b.csv").read_text() == "y\n2\n"
    assert release.recover(data).startswith("2 file(s)")
    assert (data / "released/b.csv").read_text() == "y\n20\n"
    for res in load_package(data)["resources"]:
        assert res["hash"] == "sha256:" + sha256_file(data / res["path"])


def test_a_release_killed_before_it_was_decided_changes_nothing(tmp_path):
    data = staged_repo(tmp_path)
    release.stage(tmp_path / "build/released", data)  # killed before the journal
    assert "discarded" in release.recover(data)
    assert (data / "released/a.csv").read_text() == "x\n1\n"
    assert "sha256:old" in (data / "datapackage.yaml").read_text()
    assert release.recover(data) == ""


def test_sweep_removes_what_killed_jobs_leave_and_nothing_else(tmp_path):
    import tempfile

    from prp.tools.build import sweep_temporaries

    build = tmp_path / "build"
    (build / "figures").mkdir(parents=True)
    keep = [
        build / ".build.lock",
        build / ".render-manifest-public.json",
        build / ".restricted-outputs.json",
        build / "figures" / "poverty-rates.svg",
        build / "figures" / ".hidden.svg",
    ]
    for path in keep:
        path.write_text("x")
    # a temporary file named as prp.data.io.atomic_path names it, left as a SIGKILL would
    fd, name = tempfile.mkstemp(prefix=".poverty-rates.svg.", suffix=".svg", dir=build / "figures")
    os.close(fd)
    left = Path(name)
    staging = build / "public" / ".site.k2j4h1x9.rendering"
    staging.mkdir(parents=True)
    (staging / "index.html").write_text("half")

    removed = sweep_temporaries(build)

    assert sorted(removed) == sorted([left, staging])
    assert all(p.exists() for p in keep)
    assert not left.exists() and not staging.exists()
