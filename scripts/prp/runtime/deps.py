"""Code dependencies of a rule, derived from its script's imports.

A rule's script imports modules of the project's package (``prp``) and, now
and then, another script of ``scripts/``; those modules import others. Every
file reached that way is code the job's outputs depend on, so it is declared
as an input of the rule (``code=script_code("<rule>")`` in the rule files),
and editing it reruns exactly the jobs whose scripts reach it. Nothing is
listed by hand.

The scan reads each file's syntax tree (``ast``) and follows every ``import``
statement, module level or inside a function, that resolves to a file under
``scripts/``. Importing ``prp.a.b`` also runs ``prp/__init__.py`` and
``prp/a/__init__.py``, so those count too. Besides modules, a module may read
files at run time (the renderer's Lua filters and templates): it declares them
next to itself in a module-level tuple of glob patterns, relative to its own
folder::

    RUNTIME_FILES = ("filters/*.lua", "templates/*")

The direct imports of each file are cached by the file's sha256 (the workflow
scans at every start). A file whose size and modification time are those the
cache recorded with that hash is not read again; one that changed is read and
hashed, and parsed only if its content changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

RUNTIME_FILES_NAME = "RUNTIME_FILES"
CACHE_VERSION = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _module_names(tree: ast.AST, package: str) -> tuple[list[str], list[str]]:
    """Dotted names a module's imports may load (with the names imported
    *from* them, which can be submodules), and its RUNTIME_FILES patterns."""
    names: list[str] = []
    patterns: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                base = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            names.append(mod)
            names.extend(f"{mod}.{alias.name}" for alias in node.names if alias.name != "*")
    if isinstance(tree, ast.Module):
        for stmt in tree.body:
            if (
                isinstance(stmt, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == RUNTIME_FILES_NAME for t in stmt.targets
                )
                and isinstance(stmt.value, ast.Tuple | ast.List)
            ):
                patterns = [
                    elt.value
                    for elt in stmt.value.elts
                    if isinstance(elt, ast.Constant) and isinstance(elt.value, str)
                ]
    return names, patterns


class CodeScanner:
    """Resolves the project files that a script pulls in, transitively."""

    def __init__(self, scripts_dir: str | Path, cache_file: str | Path | None = None):
        self.root = Path(scripts_dir).resolve()
        self.cache_file = Path(cache_file) if cache_file else None
        self._cache: dict[str, dict[str, object]] = {}
        self._seen: dict[Path, tuple[list[str], list[str]]] = {}
        self._closures: dict[Path, tuple[list[Path], list[Path]]] = {}
        self._modules: dict[str, Path] | None = None
        self._dirty = False
        if self.cache_file and self.cache_file.exists():
            try:
                data = json.loads(self.cache_file.read_text(encoding="utf-8"))
                if data.get("version") == CACHE_VERSION:
                    self._cache = data["files"]
            except (OSError, ValueError, KeyError):
                self._cache = {}

    # -- resolution -----------------------------------------------------------
    def _file_of(self, dotted: str) -> Path | None:
        """The file a dotted module name loads from scripts/, if any."""
        if self._modules is None:
            self._modules = {}
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                rel = Path(dirpath).relative_to(self.root).parts
                for name in filenames:
                    if name.endswith(".py"):
                        stem = name[:-3]
                        parts = rel if stem == "__init__" else (*rel, stem)
                        if parts:
                            self._modules.setdefault(".".join(parts), Path(dirpath) / name)
        return self._modules.get(dotted)

    def _package_of(self, path: Path) -> str:
        rel = path.relative_to(self.root).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            return ".".join(parts[:-1])
        return ".".join(parts[:-1])

    def _direct(self, path: Path) -> tuple[list[str], list[str]]:
        """(imported dotted names, runtime patterns) of one file, cached by hash."""
        if path in self._seen:
            return self._seen[path]
        key = path.relative_to(self.root).as_posix()
        st = path.stat()
        stamp = [st.st_mtime_ns, st.st_size]
        hit = self._cache.get(key)
        if hit and hit.get("stat") == stamp:
            found = (list(hit["imports"]), list(hit["runtime"]))  # type: ignore[call-overload]
        else:
            data = path.read_bytes()
            digest = _digest(data)
            if hit and hit.get("sha256") == digest:
                found = (list(hit["imports"]), list(hit["runtime"]))  # type: ignore[call-overload]
            else:
                tree = ast.parse(data, filename=str(path))
                found = _module_names(tree, self._package_of(path))
            self._cache[key] = {
                "sha256": digest,
                "stat": stamp,
                "imports": found[0],
                "runtime": found[1],
            }
            self._dirty = True
        self._seen[path] = found
        return found

    def _with_parents(self, dotted: str) -> list[Path]:
        """A module's file and the ``__init__.py`` of each package above it."""
        parts = dotted.split(".")
        out = []
        for i in range(1, len(parts) + 1):
            found = self._file_of(".".join(parts[:i]))
            if found is not None:
                out.append(found)
        return out

    def closure(self, start: Path) -> tuple[list[Path], list[Path]]:
        """Modules (other than ``start``) and runtime files reached from ``start``."""
        start = Path(start).resolve()
        if start in self._closures:
            return self._closures[start]
        seen: set[Path] = {start}
        modules: set[Path] = set()
        runtime: set[Path] = set()
        todo = [start]
        while todo:
            path = todo.pop()
            names, patterns = self._direct(path)
            for pattern in patterns:
                runtime.update(p for p in sorted(path.parent.glob(pattern)) if p.is_file())
            for name in names:
                for found in self._with_parents(name):
                    if found not in seen:
                        seen.add(found)
                        modules.add(found)
                        todo.append(found)
        self._closures[start] = (sorted(modules), sorted(runtime))
        return self._closures[start]

    def save(self) -> None:
        if not (self.cache_file and self._dirty):
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_name(f".{self.cache_file.name}.{os.getpid()}")
        tmp.write_text(
            json.dumps({"version": CACHE_VERSION, "files": self._cache}, sort_keys=True),
            encoding="utf-8",
        )
        os.replace(tmp, self.cache_file)
        self._dirty = False


def relative(paths: Iterable[Path], cwd: str | Path | None = None) -> list[str]:
    """Paths relative to the working directory (a moved checkout reruns nothing)."""
    base = Path(cwd or os.getcwd()).resolve()
    return [os.path.relpath(p, base) for p in paths]


@cache
def _scanner(scripts_dir: str, cache_file: str | None) -> CodeScanner:
    return CodeScanner(scripts_dir, cache_file)


def script_code(
    scripts_dir: str | Path, script: str, cache_file: str | Path | None = None
) -> list[str]:
    """Every project file the script ``scripts/<script>.py`` reaches through
    its imports (modules and the runtime files they declare), relative to
    the working directory, sorted. The script itself is not included:
    Snakemake tracks a rule's own script."""
    scanner = _scanner(str(Path(scripts_dir).resolve()), str(cache_file) if cache_file else None)
    modules, runtime = scanner.closure(Path(scripts_dir) / f"{script}.py")
    scanner.save()
    return sorted(relative([*modules, *runtime]))
