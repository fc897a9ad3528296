"""The pre-commit hooks run the project's own pinned linters (nothing is
downloaded) and stop a commit that breaks them."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, copy_repo

pytestmark = pytest.mark.slow

CONFIG = ROOT / ".pre-commit-config.yaml"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def hooks() -> list[dict]:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return [h for repo in data["repos"] for h in repo["hooks"] if repo["repo"] == "local"]


def test_every_hook_is_local_and_uses_the_pinned_environment():
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert [r["repo"] for r in data["repos"]] == ["local"], "a remote hook would be downloaded"
    for hook in hooks():
        assert hook["language"] == "system", hook["id"]
        words = [w for w in shlex.split(hook["entry"]) if w != "env" and "=" not in w]
        assert words[0].startswith(".venv/bin/"), hook["id"]
        assert (ROOT / words[0]).exists(), f"{hook['id']}: {words[0]} is not installed"
    ids = {h["id"] for h in hooks()}
    assert {"ruff-check", "ruff-format", "snakefmt", "snakemake-lint", "mypy"} <= ids


def test_config_is_valid():
    proc = subprocess.run(
        [str(PRE_COMMIT), "validate-config", str(CONFIG)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def run_hooks(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNAKEMAKE")}
    env["PRE_COMMIT_HOME"] = str(repo.parent / "pre-commit-home")
    return subprocess.run(
        [str(PRE_COMMIT), "run", "--color", "never", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )


def test_hooks_pass_on_the_repository_and_catch_a_lint_error(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    (repo / ".venv").symlink_to(Path(sys.prefix))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    clean = run_hooks(repo, "--all-files")
    assert clean.returncode == 0, clean.stdout[-4000:]
    assert "ruff check" in clean.stdout and "Passed" in clean.stdout

    bad = repo / "scripts" / "prp" / "artifacts" / "fmt.py"
    bad.write_text("import os\n" + bad.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    broken = run_hooks(repo, "ruff-check", "--files", "scripts/prp/artifacts/fmt.py")
    assert broken.returncode != 0
    assert "F401" in broken.stdout and "fmt.py" in broken.stdout
