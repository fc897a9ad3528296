"""The package's layout shows its architecture, and the workflow's code
inputs are derived from imports (prp.runtime.deps), never kept by hand.

* no module outside ``prp.tools`` imports one inside it, and no rule's script
  reaches ``prp.tools``;
* every rule's ``code`` input is exactly what the import scan derives from its
  own script, and the scan agrees with an independent walk of the imports
  written here with ``importlib``'s finder semantics;
* no rule file names a package module by hand;
* every script under ``scripts/`` is the script of a rule of the same name;
* the report's format (the Quarto extension under ``report/_extensions/``,
  run by both rendering engines) is code of every edition's render job.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prp.render.extension import load_format
from prp.render.needs import edition_needs
from prp.runtime.deps import CodeScanner, script_code
from tests.codewalk import imported_names, independent_closure, rule_scripts

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
PACKAGE = SCRIPTS / "prp"
RULES = ROOT / "rules"
SUBPACKAGES = {"data", "events", "artifacts", "render", "runtime", "tools"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def dotted(path: Path) -> str:
    rel = path.relative_to(SCRIPTS).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module_lives_in_a_role_subpackage():
    for path in modules():
        rel = path.relative_to(PACKAGE)
        if rel.parts == ("__init__.py",):
            continue
        assert rel.parts[0] in SUBPACKAGES, f"{rel} is not in one of {sorted(SUBPACKAGES)}"


def test_no_pipeline_module_imports_a_tool():
    offenders = []
    for path in modules():
        if dotted(path).startswith("prp.tools"):
            continue
        for name in imported_names(path):
            if name == "prp.tools" or name.startswith("prp.tools."):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_no_rule_script_reaches_the_tools():
    for rule, script in rule_scripts().items():
        code = script_code(SCRIPTS, script)
        tools = [c for c in code if "/prp/tools/" in c]
        assert not tools, f"rule {rule} reaches {tools}"


def test_every_script_is_a_rule_script():
    scripts = {p.stem for p in SCRIPTS.glob("*.py")}
    rules = rule_scripts()
    assert scripts == set(rules.values()), scripts ^ set(rules.values())
    assert all(rule == script for rule, script in rules.items())


def test_rule_files_name_no_module_by_hand():
    for smk in RULES.glob("*.smk"):
        text = smk.read_text(encoding="utf-8")
        assert "package_code" not in text, smk
        assert not re.search(r"scripts/prp/\w", text), f"{smk.name} lists package files"
        assert not re.search(r'"prp/[\w/]+\.py"', text), smk


def test_every_rule_declares_its_derived_code():
    """Each rule with a script passes ``code_of(<its own name>)`` (or, for the
    renderer, takes it from render_inputs)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(RULES.glob("*.smk")))
    for block in re.split(r"(?m)^(?=rule )", text):
        m = re.match(r"rule (\w+):", block)
        if not m or m.group(1) not in rule_scripts():
            continue
        name = m.group(1)
        if "unpack(render_inputs)" in block:
            assert 'code_of("render_edition")' in text.split("def render_inputs")[1]
            continue
        if "run_in_process(" in block:
            assert f'code=code_of("{name}", in_process=True)' in block, name
        elif "run_forked(" in block:
            assert f'code=code_of("{name}", forked=True)' in block, name
        else:
            assert f'code=code_of("{name}")' in block, (
                f"rule {name} does not declare code_of({name})"
            )


@pytest.mark.parametrize("rule", sorted(rule_scripts()))
def test_derived_code_matches_an_independent_walk(rule, monkeypatch):
    monkeypatch.chdir(ROOT)
    script = rule_scripts()[rule]
    assert set(script_code(SCRIPTS, script)) == independent_closure(SCRIPTS / f"{script}.py")


def test_runtime_files_of_the_renderer_are_code_inputs(monkeypatch):
    monkeypatch.chdir(ROOT)
    code = script_code(SCRIPTS, "render_edition")
    for sub in ("filters", "templates"):
        on_disk = sorted(
            p.relative_to(ROOT).as_posix()
            for p in (PACKAGE / "render" / sub).rglob("*")
            if p.is_file()
        )
        assert on_disk and set(on_disk) <= set(code)


def test_the_report_format_is_code_of_every_edition():
    """Every file of report/_extensions/ is listed for every edition (and
    copied into its render tree), declared as code of render_edition, and the
    files the extension names exist (both engines read them)."""
    report = ROOT / "report"
    on_disk = sorted(
        p.relative_to(report).as_posix() for p in (report / "_extensions").rglob("*") if p.is_file()
    )
    assert "_extensions/prp/_extension.yml" in on_disk
    for profile in ("public", "restricted"):
        assert edition_needs(report, profile)["extension"] == on_disk
    block = (RULES / "common.smk").read_text(encoding="utf-8").split("def render_inputs")[1]
    block = block.split("\ndef ")[0]
    assert re.search(r'"code": code_of\("render_edition"\) \+ \[[^\]]*needs\["extension"\]', block)
    for fmt in ("html", "pdf"):
        ext = load_format(report, fmt)
        assert ext is not None
        named = [*ext.partials, *ext.css, *(f for files in ext.filters.values() for f in files)]
        assert named and all(p.relative_to(report).as_posix() in on_disk for p in named)


def test_scan_cache_is_keyed_by_content(tmp_path):
    pkg = tmp_path / "scripts"
    (pkg / "p").mkdir(parents=True)
    (pkg / "p" / "__init__.py").write_text("")
    (pkg / "p" / "a.py").write_text("X = 1\n")
    (pkg / "p" / "b.py").write_text("import json\n")
    (pkg / "s.py").write_text("def main():\n    from p import a\n")
    cache_file = tmp_path / "cache.json"
    first = CodeScanner(pkg, cache_file)
    mods, _ = first.closure(pkg / "s.py")
    assert [m.name for m in mods] == ["__init__.py", "a.py"]
    first.save()
    (pkg / "p" / "a.py").write_text("from p import b\n")  # same file, new content
    again = CodeScanner(pkg, cache_file)
    mods, _ = again.closure(pkg / "s.py")
    assert [m.name for m in mods] == ["__init__.py", "a.py", "b.py"]
