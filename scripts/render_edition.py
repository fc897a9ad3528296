"""Render one edition (HTML + PDF) from its own render tree.

The render tree ``build/src/<edition>/`` is assembled afresh from what the
edition's profile lists — its chapters and the snippets they include, the
generated tables and figures they use, and ``_variables.yml`` merged from the
number files they cite — and nothing else: a file the edition does not list is
never copied, so restricted chapters cannot reach the public tree.
"""


import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import yaml

from prp.book import edition_needs
from prp.io import write_text

log = logging.getLogger(__name__)
MANIFEST = ".render-manifest.json"
TREE_FILES = ("_quarto.yml", "references.bib")


def merged_variables(number_files: list[str]) -> dict[str, Any]:
    """One ``_variables.yml`` mapping from per-namespace number files; a
    namespace defined twice is an error."""
    merged: dict[str, Any] = {}
    for path in number_files:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        for ns, values in data.items():
            if ns in merged:
                raise ValueError(f"{path}: variable namespace {ns!r} is defined twice")
            merged[ns] = values
    return merged


def assemble_tree(
    report_dir: Path, profile: str, build_dir: Path, tree: Path, number_files: list[str]
) -> list[str]:
    """Fill ``tree`` with exactly what the edition needs; return relative paths.
    Generated artifacts (``tables/x.md``) are taken from ``build_dir``."""
    needs = edition_needs(report_dir, profile)
    if tree.exists():
        shutil.rmtree(tree)
    copied: list[str] = []
    for rel in [*TREE_FILES, f"_quarto-{profile}.yml", *needs["sources"]]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report_dir / rel, tree / rel)
        copied.append(rel)
    for rel in needs["artifacts"]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / rel, tree / rel)
        copied.append(rel)
    variables = merged_variables(number_files)
    write_text(tree / "_variables.yml", yaml.safe_dump(variables, sort_keys=True, allow_unicode=True))
    copied.append("_variables.yml")
    return sorted(copied)


def sync_into(rendered: Path, dest: Path) -> list[str]:
    """Move the freshly rendered files into ``dest`` (one rename each) and
    delete files an earlier render wrote that this one did not. Files written
    into ``dest`` by other rules (provenance records) are left alone."""
    dest.mkdir(parents=True, exist_ok=True)
    new = sorted(p.relative_to(rendered).as_posix() for p in rendered.rglob("*") if p.is_file())
    manifest = dest / MANIFEST
    old = json.loads(manifest.read_text()) if manifest.exists() else []
    for rel in new:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(rendered / rel, dest / rel)
    for rel in sorted(set(old) - set(new)):
        (dest / rel).unlink(missing_ok=True)
    write_text(manifest, json.dumps(new, indent=1) + "\n")
    shutil.rmtree(rendered)
    return new


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> list[str]:
    from prp.render import render_book

    os.environ["SOURCE_DATE_EPOCH"] = str(params["source_date_epoch"])
    report_dir, tree = Path(params["report_dir"]), Path(params["tree"])
    # outputs are build/<edition>/index.html: the build folder is two levels up
    build_dir = Path(outputs["html"]).parent.parent
    copied = assemble_tree(report_dir, params["profile"], build_dir, tree, list(inputs["numbers"]))
    log.info("render tree %s: %d files", tree, len(copied))
    dest = Path(outputs["html"]).parent
    staging = dest.parent / f".{dest.name}.rendering"
    if staging.exists():
        shutil.rmtree(staging)
    render_book(tree, params["profile"], staging, engine=params["engine"])
    written = sync_into(staging, dest)
    log.info("%s: %d files rendered", dest, len(written))
    return [str(dest / rel) for rel in written]


if __name__ == "__main__":
    from prp.smk import run

    run(main, snakemake)  # noqa: F821
