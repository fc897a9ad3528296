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
    return set(_read(path)[0])


def runtime_patterns(path: Path) -> tuple[str, ...]:
    """The glob patterns of a module-level ``RUNTIME_FILES`` assignment."""
    return _read(path)[1]


def _read(path: Path) -> tuple[frozenset[str], tuple[str, ...]]:
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@cache
def _parsed(path: Path, mtime_ns: int, size: int) -> tuple[frozenset[str], tuple[str, ...]]:
    """A file's imported names and RUNTIME_FILES patterns, parsed once per
    version of the file (a closure walk visits each module many times)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    patterns: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "RUNTIME_FILES" for t in stmt.targets
        ):
            patterns.extend(ast.literal_eval(stmt.value))
    return frozenset(out), tuple(patterns)


RUNNER = SCRIPTS / "prp" / "runtime" / "inproc.py"
FORKED_RUNNER = SCRIPTS / "prp" / "runtime" / "forked.py"


@cache
def _rule_blocks() -> dict[str, str]:
    found = {}
    for smk in sorted(RULES.glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for block in re.split(r"(?m)^(?=rule )", text):
            m = re.match(r"rule (\w+):", block)
            if m:
                found[m.group(1)] = block
    return found


@cache
def rule_scripts() -> dict[str, str]:
    """Rule name -> script stem, read from the rule files (a ``script:``
    directive, or a ``run:`` block calling prp.runtime.inproc or .forked)."""
    found = {}
    for rule, block in _rule_blocks().items():
        s = re.search(r'script:\s*\n\s*"\.\./scripts/(\w+)\.py"', block) or re.search(
            r'run_(?:in_process|forked)\(rule, "(\w+)"', block
        )
        if s:
            found[rule] = s.group(1)
    return found


def in_process_rules() -> set[str]:
    """Rules whose script runs in Snakemake's process (prp.runtime.inproc)."""
    return {rule for rule, block in _rule_blocks().items() if "run_in_process(" in block}


def forked_rules() -> set[str]:
    """Rules whose script runs in a forked worker process (prp.runtime.forked)."""
    return {rule for rule, block in _rule_blocks().items() if "run_forked(" in block}


def rule_code(rule: str) -> set[str]:
    """Project files a rule's jobs depend on: its script's closure; for a rule
    run in Snakemake's process, also the script itself and the runner's
    closure (Snakemake tracks only a ``script:`` by itself)."""
    script = SCRIPTS / f"{rule_scripts()[rule]}.py"
    files = independent_closure(script)
    for runner, rules in ((RUNNER, in_process_rules()), (FORKED_RUNNER, forked_rules())):
        if rule in rules:
            files |= independent_closure(runner)
            files |= {p.relative_to(ROOT).as_posix() for p in (runner, script)}
    return files


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
        for pattern in runtime_patterns(cur):
            runtime.update(p for p in cur.parent.glob(pattern) if p.is_file())
        for name in sorted(imported_names(cur)):
            for found in resolve(name):
                if found not in seen and found != script:
                    seen.add(found)
                    todo.append(found)
    return {p.relative_to(ROOT).as_posix() for p in seen | runtime}
