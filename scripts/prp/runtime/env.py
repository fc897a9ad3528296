"""Process environment shared by every rule of the workflow."""

from __future__ import annotations

import os
from pathlib import Path


def configure(basedir: str | Path, source_date_epoch: int) -> Path:
    """Set the environment the rules' scripts inherit and return the offline
    cartopy folder.

    * ``PYTHONPATH`` gets ``scripts/`` so scripts import the shared package
      exactly as the tests do (pytest's ``pythonpath = ["scripts"]``);
    * cartopy may never download Natural Earth: its data folders point at an
      empty, project-owned folder (the tests assert it stays empty);
    * ``SOURCE_DATE_EPOCH`` fixes every time stamp written into outputs;
    * matplotlib draws headless.
    """
    basedir = Path(basedir)
    scripts = str(basedir / "scripts")
    current = os.environ.get("PYTHONPATH", "")
    if scripts not in current.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (scripts, current) if p)
    offline = basedir / "build" / "cartopy-offline"
    offline.mkdir(parents=True, exist_ok=True)
    os.environ["CARTOPY_DATA_DIR"] = str(offline)
    os.environ["XDG_DATA_HOME"] = str(offline)
    os.environ["SOURCE_DATE_EPOCH"] = str(source_date_epoch)
    os.environ.setdefault("MPLBACKEND", "Agg")
    return offline
