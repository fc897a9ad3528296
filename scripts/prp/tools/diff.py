"""``python -m prp.tools.diff`` — what changed in the report between two builds.

Builds the edition at a base git revision and compares it with the current
build; writes ``build/diff/<edition>.md`` and ``build/diff/<edition>.html``
and prints a summary:

* generated variables (the numbers quoted in the text): old -> new, with the
  chapters that quote them;
* table cells, shown in their table (rows aligned on key columns);
* figures whose data changed, old and new image side by side;
* the rendered text of each section that changed, as a word-level diff
  (provenance boxes and generated tables are left out: the provenance and
  table parts cover them);
* inputs, scripts, shared modules and parameters that changed, from the
  provenance records.

The base is built in a detached git work tree under ``build/diff-cache/<sha>/``
(sharing ``.venv``), through ``prp.tools.build`` and its lock; a stamp written after
a successful build lets the next diff against the same commit reuse it.
``--base-build DIR --head-build DIR`` compares two existing build folders
instead (no git, no build). The comparison itself is in
:mod:`prp.tools.diff_compare`, the output formats in :mod:`prp.tools.diff_render`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from prp.tools.diff_compare import EditionDiff, compare, load_build
from prp.tools.diff_render import render_html, render_markdown, summary

EDITIONS = ("public", "restricted")
CACHE = Path("build") / "diff-cache"
STAMP = ".diff-build-complete"


# ---------------------------------------------------------------- building (I/O)


def _git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"prp.tools.diff: git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def _build_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PYTHONPATH"] = "scripts"
    return env


def run_build(workdir: Path, target: str, cores: int, extra: Sequence[str] = ()) -> None:
    """Build ``target`` in ``workdir`` through prp.tools.build (its own lock)."""
    if (workdir / "scripts" / "prp" / "tools" / "build.py").is_file():
        # it decrypts the revision's own restricted sources when a key is available
        cmd = [sys.executable, "-m", "prp.tools.build", "--cores", str(cores), *extra, target]
    elif (workdir / "scripts" / "prp" / "build.py").is_file():
        cmd = [sys.executable, "-m", "prp.build", "--cores", str(cores), *extra, target]
    else:  # a revision from before prp.tools.build existed
        cmd = [str(Path(sys.executable).with_name("snakemake")), "--cores", str(cores)]
        cmd += [*extra, target]
    print(f"prp.tools.diff: building {target} in {workdir} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=workdir, env=_build_env())
    if proc.returncode != 0:
        raise SystemExit(
            f"prp.tools.diff: the build of {target} in {workdir} failed ({proc.returncode})"
        )


def _restricted_override(repo: Path, tree: Path) -> list[str]:
    """The base work tree reads restricted data from where the current
    configuration keeps it when the base revision does not track it (a
    revision with encrypted restricted sources decrypts its own)."""
    if (tree / "restricted").is_dir():
        return []
    cfg = yaml.safe_load((repo / "config" / "config.yaml").read_text(encoding="utf-8")) or {}
    rdir = Path(str(cfg.get("restricted_dir", "data/restricted")))
    here = rdir if rdir.is_absolute() else repo / rdir
    base_cfg = tree / "config" / "config.yaml"
    base_rdir = "data/restricted"
    if base_cfg.is_file():
        base_rdir = str(
            (yaml.safe_load(base_cfg.read_text(encoding="utf-8")) or {}).get(
                "restricted_dir", base_rdir
            )
        )
    there = Path(base_rdir) if Path(base_rdir).is_absolute() else tree / base_rdir
    if there.is_dir() and any(there.iterdir()):
        return []
    if here.is_dir():
        return ["--config", f"restricted_dir={here.resolve()}"]
    return []


def base_worktree(repo: Path, rev: str) -> tuple[Path, str]:
    """A detached work tree of ``rev`` under build/diff-cache/<sha>."""
    sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}", cwd=repo)
    tree = (repo / CACHE / sha).resolve()
    if not (tree / ".git").exists():
        _git("worktree", "prune", cwd=repo)
        tree.parent.mkdir(parents=True, exist_ok=True)
        _git("worktree", "add", "--detach", str(tree), sha, cwd=repo)
    venv = repo / ".venv"
    if venv.exists() and not (tree / ".venv").exists():
        (tree / ".venv").symlink_to(venv.resolve())
    return tree, sha


def build_base(repo: Path, rev: str, target: str, cores: int) -> tuple[Path, str]:
    """Build ``target`` at ``rev`` (or reuse the cached build) -> its build/ folder."""
    tree, sha = base_worktree(repo, rev)
    stamp = tree / "build" / f"{STAMP}-{target}"
    done = [tree / "build" / f"{STAMP}-{t}" for t in {target, "all"}]  # "all" covers both
    if any(p.is_file() and p.read_text(encoding="utf-8").strip() == sha for p in done):
        print(f"prp.tools.diff: reusing the cached build of {sha[:12]} ({target})", file=sys.stderr)
    else:
        run_build(tree, target, cores, _restricted_override(repo, tree))
        stamp.write_text(sha + "\n", encoding="utf-8")
    return tree / "build", sha


def _css() -> str:
    return (Path(__file__).with_name("diff_assets") / "diff.css").read_text(encoding="utf-8")


def write_outputs(d: EditionDiff, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / f"{d.edition}.md", out / f"{d.edition}.html"
    for path, text in ((md, render_markdown(d)), (page, render_html(d, _css()))):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return md, page


def _head_label(repo: Path) -> str:
    try:
        sha = _git("rev-parse", "--short=12", "HEAD", cwd=repo)
        dirty = _git("status", "--porcelain", "--untracked-files=no", cwd=repo)
    except SystemExit:
        return "working tree"
    return f"working tree ({sha}{', with uncommitted changes' if dirty else ''})"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m prp.tools.diff",
        description="Compare the report built at a base git revision with the current build.",
    )
    ap.add_argument("--base", default="HEAD", help="git revision to compare with (default HEAD)")
    ap.add_argument("--edition", choices=[*EDITIONS, "all"], default="public")
    ap.add_argument("--no-build", action="store_true", help="use the current build/ as it is")
    ap.add_argument("--base-build", type=Path, help="compare this build folder ...")
    ap.add_argument("--head-build", type=Path, help="... with this one (no git, no builds)")
    ap.add_argument("--out", type=Path, default=Path("build") / "diff")
    ap.add_argument("--cores", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    args = ap.parse_args(argv)
    if (args.base_build is None) != (args.head_build is None):
        ap.error("--base-build and --head-build go together")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    editions = list(EDITIONS) if args.edition == "all" else [args.edition]
    target = args.edition
    repo = Path.cwd()
    if args.base_build is not None:
        base_build, head_build = args.base_build, args.head_build
        base_label, head_label = str(base_build), str(head_build)
    else:
        if not args.no_build:
            run_build(repo, target, args.cores)
        head_build = repo / "build"
        base_build, sha = build_base(repo, args.base, target, args.cores)
        base_label, head_label = f"{args.base} ({sha[:12]})", _head_label(repo)
    for edition in editions:
        d = compare(
            edition,
            load_build(base_build, edition),
            load_build(head_build, edition),
            base_label,
            head_label,
        )
        md, page = write_outputs(d, args.out)
        print(summary(d))
        print(f"  written: {page}, {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
