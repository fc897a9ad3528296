"""prp.tools.snakemake_cli: Snakemake's command line without the wait and
the teardown at its exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from prp.tools import snakemake_cli

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def test_pending_timers_are_cancelled():
    fired = threading.Event()
    timer = threading.Timer(30, fired.set)
    timer.start()
    assert snakemake_cli.cancel_timers() >= 1
    timer.join(5)
    assert not timer.is_alive() and not fired.is_set()


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (3, 3), ("boom", 1)])
def test_exit_status_is_pythons(code, status, capsys):
    assert snakemake_cli.exit_status(code) == status
    assert ("boom" in capsys.readouterr().err) == (code == "boom")


def test_main_returns_snakemakes_status(monkeypatch):
    import snakemake.cli

    def fake(argv):
        assert argv == ["-n", "all"]
        sys.exit(1)

    monkeypatch.setattr(snakemake.cli, "main", fake)
    assert snakemake_cli.main(["-n", "all"]) == 1


def test_exit_now_finishes_threads_hooks_and_output_then_exits(tmp_path):
    # what an ordinary exit guarantees still happens: a running worker thread
    # ends its work, atexit hooks (logging's flush among them) run, output
    # left in buffers reaches the pipe, and the status is the one given
    code = textwrap.dedent(
        f"""
        import atexit, logging, sys, threading, time
        from pathlib import Path
        from prp.tools.snakemake_cli import exit_now

        tmp = Path({str(tmp_path)!r})
        def work():
            time.sleep(0.3)
            (tmp / "thread").write_text("done")
        threading.Thread(target=work).start()
        threading.Timer(60, lambda: (tmp / "timer").write_text("fired")).start()
        atexit.register(lambda: (tmp / "atexit").write_text("ran"))
        handler = logging.FileHandler(tmp / "log.txt")
        logging.getLogger().addHandler(handler)
        logging.getLogger().warning("logged")
        sys.stdout.write("no newline")
        exit_now(3)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PYTHONPATH": str(SCRIPTS)},
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == "no newline"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert "logged" in (tmp_path / "log.txt").read_text()
    assert not (tmp_path / "timer").exists()


def test_run_as_a_module_it_is_snakemake(tmp_path):
    (tmp_path / "Snakefile").write_text(
        'rule all:\n    output: "out.txt"\n    shell: "echo made > {output}"\n'
    )
    cmd = [sys.executable, "-m", "prp.tools.snakemake_cli", "--cores", "1", "--quiet", "all"]
    env = {"PYTHONPATH": str(SCRIPTS), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.txt").read_text() == "made\n"
    (tmp_path / "Snakefile").write_text('rule all:\n    shell: "exit 4"\n')
    loud = [c for c in cmd if c != "--quiet"]
    failed = subprocess.run(
        loud, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert failed.returncode == 1
    assert "Error in rule all" in failed.stderr and "exit 4" in failed.stderr
