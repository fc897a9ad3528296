"""Running pandoc (the pinned binary of pypandoc-binary) with the book filters."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

from prp.render.config import RenderError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
FILTERS = HERE / "filters"
TEMPLATES = HERE / "templates"
# Files read at run time, relative to this folder: inputs of every rule whose
# script imports this module (prp.runtime.deps).
RUNTIME_FILES = ("filters/*.lua", "templates/*")
# Order matters: sources first (visibility, vars, includes), numbering and
# cross-references before citeproc sees the remaining citations, then the
# format-specific rewrites. synthetic.lua marks the values of variables computed
# from synthetic data; it needs source.lua's spans and runs before
# provenance.lua turns them into links.
FILTERS_BEFORE_CITEPROC = ("source.lua", "crossref.lua")
FILTERS_AFTER_CITEPROC = ("callouts.lua", "synthetic.lua", "provenance.lua", "output.lua")

_ERROR_RE = re.compile(r"PRP-RENDER-ERROR: (.*)")
_MISSING_CITE_RE = re.compile(r"\[WARNING\] Citeproc: citation (\S+) not found")


def pandoc_executable() -> str:
    """``$PRP_PANDOC`` if set, else the pandoc shipped with pypandoc-binary."""
    if os.environ.get("PRP_PANDOC"):
        return os.environ["PRP_PANDOC"]
    try:
        import pypandoc
    except ImportError as exc:  # pragma: no cover - environment problem
        raise RenderError("pandoc not available: install pypandoc-binary") from exc
    return pypandoc.get_pandoc_path()


def filter_args() -> list[str]:
    """Command-line arguments that run the book filters and citeproc."""
    args: list[str] = []
    for name in FILTERS_BEFORE_CITEPROC:
        args += ["--lua-filter", str(FILTERS / name)]
    args.append("--citeproc")
    for name in FILTERS_AFTER_CITEPROC:
        args += ["--lua-filter", str(FILTERS / name)]
    return args


def problems(stderr: str) -> tuple[list[str], list[str]]:
    """Split pandoc's stderr into render errors and missing citation keys."""
    return _ERROR_RE.findall(stderr), _MISSING_CITE_RE.findall(stderr)


def run_pandoc(
    args: list[str], *, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> bytes:
    """Run pandoc; raise RenderError with the filters' messages on failure and
    on citations that the bibliography does not have."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [pandoc_executable(), *args],
        input=stdin,
        cwd=cwd,
        env=full_env,
        capture_output=True,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    errors, missing = problems(stderr)
    if errors:
        raise RenderError("; ".join(errors))
    if proc.returncode != 0:
        raise RenderError(f"pandoc failed (exit {proc.returncode}): {stderr.strip()[-2000:]}")
    if missing:
        raise RenderError(
            "citation key(s) not in the bibliography: " + ", ".join(sorted(set(missing)))
        )
    for line in stderr.splitlines():
        if line.strip():
            log.warning("pandoc: %s", line)
    return proc.stdout
