"""A throwaway single-node SLURM cluster on loopback, for trying and testing
the SLURM profile (``profiles/slurm``) without a real cluster.

    python -m prp.tools.slurm_local start DIR    # prints: export SLURM_CONF=DIR/slurm.conf
    SLURM_CONF=DIR/slurm.conf sinfo        # the node "idle"
    python -m prp.tools.slurm_local stop DIR
    python -m prp.tools.slurm_local run DIR -- CMD ...   # start, run CMD, stop

Everything lives in DIR: a fresh MUNGE key and socket, ``slurm.conf``, state,
spool and logs. Nothing under /etc is read or changed, the daemons listen on
127.0.0.1 on free ports, and ``stop`` ends exactly the daemons that ``start``
began (their process ids are in DIR/pids). This machine is controller and
only compute node, so the "shared file system" is simply the local one.

Needs the Debian packages ``slurmctld slurmd slurm-client munge`` (SLURM
22.05) and root, as SLURM's daemons switch users. Settings that keep the
cluster small: no accounting database (the executor is told to query job
states with ``squeue``), ``proctrack/linuxproc`` and ``task/none`` (no
cgroups), memory as a consumable resource (jobs must request it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "sinfo", "scancel", "srun", "scontrol")
PARTITION = "local"
SNAKEMAKE_FLAGS = (
    # it keeps no accounting (no sacct) and needs no account
    "--slurm-status-command",
    "squeue",
    "--slurm-no-account",
    # the plugin first asks for a job's state 40 s after submitting it, and
    # waits 10 s longer after each check that finds no job finished; a job
    # here takes 7-15 s from sbatch to its end (its Snakemake starts twice on
    # the node). First check at 3 s: the public edition's three stages took
    # 16 s each; at 5 s 20 s; at 1 s 12 s, or 33 s when the render missed
    # the second check.
    "--slurm-init-seconds-before-status-checks",
    "3",
)
"""What to pass to Snakemake's SLURM executor for this cluster."""


class ClusterError(RuntimeError):
    pass


def missing_binaries() -> list[str]:
    """SLURM and MUNGE programs this module needs that are not installed."""
    missing = []
    for name in DAEMONS + CLIENTS:
        try:
            _sbin(name)
        except ClusterError:
            missing.append(name)
    return missing


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_memory_mb(reserve_mb: int = 1024) -> int:
    """Memory SLURM may hand out: the machine's, less a reserve for the daemons
    and the Snakemake process that submits jobs."""
    with open("/proc/meminfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return max(512, int(line.split()[1]) // 1024 - reserve_mb)
    raise ClusterError("/proc/meminfo has no MemTotal line")


@dataclass(frozen=True)
class Layout:
    """Where the cluster keeps its files."""

    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "slurm.conf"

    @property
    def key(self) -> Path:
        return self.root / "munge" / "munge.key"

    @property
    def socket(self) -> Path:
        return self.root / "munge" / "munge.socket"

    @property
    def pids(self) -> Path:
        return self.root / "pids"

    @property
    def log(self) -> Path:
        return self.root / "log"

    @property
    def bin(self) -> Path:
        return self.root / "bin"


def slurm_conf(
    layout: Layout,
    host: str,
    cpus: int,
    memory_mb: int,
    ctld_port: int,
    slurmd_port: int,
) -> str:
    """slurm.conf of a one-node cluster whose controller and node are ``host``
    on 127.0.0.1."""
    r = layout.root
    return f"""\
# Written by python -m prp.tools.slurm_local: a one-node cluster on loopback.
ClusterName=prp
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={layout.socket}
CredType=cred/munge
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={layout.log}/slurmctld.log
SlurmdLogFile={layout.log}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
# finished jobs stay visible to squeue for an hour (no accounting database:
# the executor, and the test, read job states from squeue)
MinJobAge=3600
SlurmdTimeout=60
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName={PARTITION} Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def client_env(layout: Layout, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment in which sbatch, squeue... talk to this cluster.

    SLURM_CONF alone is not enough: inside a job, the executor's job step
    drops every SLURM_* variable before it calls srun, which would then look
    for /etc/slurm/slurm.conf. So the client commands are also wrapped by
    scripts on PATH that set SLURM_CONF (PATH survives into the job)."""
    env = dict(os.environ if base is None else base)
    env["SLURM_CONF"] = str(layout.conf)
    env["PATH"] = f"{layout.bin}{os.pathsep}{env.get('PATH', os.defpath)}"
    return env


def wrapper(conf: Path, program: str) -> str:
    """A client command that always talks to the cluster of ``conf``."""
    return f'#!/bin/sh\nSLURM_CONF="{conf}" exec "{program}" "$@"\n'


def _sbin(name: str, skip: Path | None = None) -> str:
    """Where a program is: on PATH (without ``skip``, our wrappers) or in /usr/sbin, /sbin."""
    dirs = [d for d in os.environ.get("PATH", os.defpath).split(os.pathsep) if d]
    if skip is not None:
        dirs = [d for d in dirs if Path(d).resolve() != skip.resolve()]
    path = shutil.which(name, path=os.pathsep.join([*dirs, "/usr/sbin", "/sbin"]))
    if path is None:
        raise ClusterError(f"{name} is not installed (apt-get install slurmctld slurmd munge)")
    return path


def node_state(layout: Layout) -> str:
    proc = subprocess.run(
        ["sinfo", "--noheader", "--format=%T"],
        env=client_env(layout),
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


def start(root: Path, timeout: float = 60.0) -> Layout:
    """Start munged, slurmctld and slurmd with their files under ``root``
    and wait until the node is idle."""
    if os.geteuid() != 0:
        raise ClusterError("the SLURM daemons must be started as root")
    missing = missing_binaries()
    if missing:
        raise ClusterError(f"not installed: {', '.join(missing)}")
    layout = Layout(root.resolve())
    if layout.pids.exists():
        raise ClusterError(f"{layout.pids} exists: a cluster may already run there; stop it first")
    for sub in ("munge", "state", "spool", "log", "bin"):
        (layout.root / sub).mkdir(parents=True, exist_ok=True)
    for name in CLIENTS:
        script = layout.bin / name
        script.write_text(wrapper(layout.conf, _sbin(name, skip=layout.bin)), encoding="utf-8")
        script.chmod(0o755)
    os.chmod(layout.root / "munge", 0o700)
    layout.key.write_bytes(os.urandom(1024))
    os.chmod(layout.key, 0o400)
    host = socket.gethostname().split(".")[0]
    layout.conf.write_text(
        slurm_conf(layout, host, os.cpu_count() or 1, node_memory_mb(), free_port(), free_port()),
        encoding="utf-8",
    )
    commands = {
        "munged": [
            _sbin("munged"),
            "--foreground",
            "--force",
            f"--key-file={layout.key}",
            f"--socket={layout.socket}",
            f"--pid-file={layout.root / 'munge' / 'munged.pid'}",
            f"--log-file={layout.log / 'munged.log'}",
            f"--seed-file={layout.root / 'munge' / 'munged.seed'}",
        ],
        "slurmctld": [_sbin("slurmctld"), "-D", "-c", "-f", str(layout.conf)],
        "slurmd": [_sbin("slurmd"), "-D", "-f", str(layout.conf), "-N", host],
    }
    pids: dict[str, int] = {}
    try:
        for name, cmd in commands.items():
            out = open(layout.log / f"{name}.out", "ab")  # noqa: SIM115 - handed to the daemon
            proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=client_env(layout),
                start_new_session=True,
            )
            out.close()
            pids[name] = proc.pid
            layout.pids.write_text(json.dumps(pids), encoding="utf-8")
            if name == "munged":
                _wait(
                    lambda: layout.socket.exists(), 10, "munged's socket", layout.log / "munged.log"
                )
        _wait(
            lambda: node_state(layout) == "idle",
            timeout,
            "the node to become idle",
            layout.log / "slurmctld.log",
        )
    except BaseException:
        stop(layout.root)
        raise
    return layout


def _wait(ready: object, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        time.sleep(0.5)
    raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}; {log}:\n{_tail(log)}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(root: Path, timeout: float = 15.0) -> None:
    """Stop the daemons that ``start`` began in ``root`` (slurmd first), by
    their process ids; SIGKILL whatever has not exited after ``timeout``."""
    layout = Layout(root.resolve())
    if not layout.pids.exists():
        return
    pids: dict[str, int] = json.loads(layout.pids.read_text(encoding="utf-8"))
    for name in reversed(DAEMONS):
        pid = pids.get(name)
        if pid is None or not _alive(pid):
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    layout.pids.unlink()


@contextlib.contextmanager
def cluster(root: Path, timeout: float = 60.0) -> Iterator[Layout]:
    """A running cluster for the length of a with-block."""
    layout = start(root, timeout)
    try:
        yield layout
    finally:
        stop(root)


def _main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m prp.tools.slurm_local",
        description="Start or stop a single-node SLURM cluster on loopback, kept in DIR.",
    )
    ap.add_argument("command", choices=["start", "stop", "run"])
    ap.add_argument("dir", type=Path)
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="for run: -- CMD ARGS...")
    args = ap.parse_args(argv)
    try:
        if args.command == "start":
            layout = start(args.dir)
            print(f"export SLURM_CONF={layout.conf}")
            return 0
        if args.command == "stop":
            stop(args.dir)
            return 0
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        if not cmd:
            ap.error("run needs a command after --")
        with cluster(args.dir) as layout:
            return subprocess.run(cmd, env=client_env(layout), check=False).returncode
    except ClusterError as err:
        print(f"prp.tools.slurm_local: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(_main())
