"""An independent reading of the project's imports, for tests: which rule
runs which script, and which project files a script reaches through its
imports. Written without prp.runtime.deps (which the workflow uses), so the
tests compare two implementations."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
RULES = ROOT / "rules"


def imported_names(path: Path) -> set[str]:
    """Every dotted name an import statement of ``path`` may load."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


@cache
def rule_scripts() -> dict[str, str]:
    """Rule name -> script stem, read from the rule files (a ``script:``
    directive, or a ``run:`` block calling prp.runtime.inproc)."""
    found = {}
    for smk in sorted(RULES.glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for block in re.split(r"(?m)^(?=rule )", text):
            m = re.match(r"rule (\w+):", block)
            s = re.search(r'script:\s*\n\s*"\.\./scripts/(\w+)\.py"', block) or re.search(
                r'run_in_process\(rule, "(\w+)"', block
            )
            if m and s:
                found[m.group(1)] = s.group(1)
    return found


def independent_closure(script: Path) -> set[str]:
    """Project files reached from ``script``: a breadth-first walk over the
    modules that import statements load, resolved as Python's path finder
    would with scripts/ on sys.path (package __init__ files included)."""

    def resolve(name: str) -> list[Path]:
        parts, out = name.split("."), []
        for i in range(1, len(parts) + 1):
            base = SCRIPTS.joinpath(*parts[:i])
            for cand in (base / "__init__.py", base.with_suffix(".py")):
                if cand.is_file():
                    out.append(cand)
                    break
            else:
                break
        return out

    seen: set[Path] = set()
    todo = [script]
    runtime: set[Path] = set()
    while todo:
        cur = todo.pop()
        tree = ast.parse(cur.read_text(encoding="utf-8"))
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "RUNTIME_FILES" for t in stmt.targets
            ):
                for pattern in ast.literal_eval(stmt.value):
                    runtime.update(p for p in cur.parent.glob(pattern) if p.is_file())
        for name in imported_names(cur):
            for found in resolve(name):
                if found not in seen and found != script:
                    seen.add(found)
                    todo.append(found)
    return {p.relative_to(ROOT).as_posix() for p in seen | runtime}
