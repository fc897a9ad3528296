"""No unfinished scaffold: `make new-*` marks what a student must write with
TODO (in code, tests, captions, data descriptions and chapters); the suite
stays red until every marker is replaced."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = {
    "report": ("*.qmd", "*.yml"),
    "config": ("*.yaml",),
    "data": ("datapackage.yaml",),
    "rules": ("*.smk",),
    "scripts": ("*.py",),
    "tests": ("*.py",),
    # the decrypted restricted sources (chapters, restricted catalog), when present
    "build/restricted-src/report": ("*.qmd",),
    "build/restricted-src/config": ("*.yaml",),
}
# Files that write or replace the markers themselves.
TEMPLATES = {
    "scripts/prp/tools/scaffold.py",
    "tests/unit/test_todo_markers.py",
    "tests/unit/test_scaffold.py",
    "tests/integration/test_extension.py",
}
MARKER = "TO" + "DO:"  # the scaffold writes "TODO: what to write"


def unfinished(root: Path = ROOT) -> list[str]:
    found = []
    for folder, patterns in SCANNED.items():
        for pattern in patterns:
            for path in sorted((root / folder).rglob(pattern)):
                rel = path.relative_to(root).as_posix()
                if rel in TEMPLATES or "__pycache__" in rel:
                    continue
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if MARKER in line:
                        found.append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_unfinished_scaffold():
    left = unfinished()
    assert not left, "replace these TODO markers:\n" + "\n".join(left)


def test_the_scan_sees_a_marker(tmp_path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "x.qmd").write_text(f"# X\n\n<!-- {MARKER} write -->\n")
    assert unfinished(tmp_path) == [f"report/x.qmd:3: <!-- {MARKER} write -->"]
