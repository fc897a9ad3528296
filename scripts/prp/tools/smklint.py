"""Run ``snakemake --lint`` and fail on any lint except the advice to give each
rule its own conda environment or container: this project deliberately runs
every rule in the one pinned environment of requirements.lock (see README).
(Snakemake 9 ignores ``--lint json`` here, so the text report is parsed.)"""

from __future__ import annotations

import re
import subprocess
import sys

ACCEPTED = ("Specify a conda environment or container for each rule.",)


def problems(text: str) -> list[str]:
    found: list[str] = []
    where = ""
    for line in text.splitlines():
        if line.startswith("Lints for "):
            where = line[len("Lints for ") :].rstrip(":")
        m = re.match(r"^    \* (.+?):?$", line)
        if m and m.group(1).rstrip(":") not in ACCEPTED:
            found.append(f"{where}: {m.group(1).rstrip(':')}")
    return found


def main() -> int:
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"], capture_output=True, text=True
    )
    found = problems(proc.stdout + proc.stderr)
    for p in found:
        print(p)
    print(f"snakemake --lint: {len(found)} problem(s) (per-rule conda/container advice accepted)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
