"""Render one edition (HTML + PDF) from its own render tree.

The render tree ``build/src/<edition>/`` is assembled afresh from what the
edition's profile lists — its chapters and the snippets they include, the
generated tables and figures they use, and ``_variables.yml`` merged from the
number files they cite — and nothing else: a file the edition does not list is
never copied, so restricted chapters cannot reach the public tree.
"""

import html
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from prp.data.io import write_text
from prp.render.needs import EXTENSIONS, GENERATED_INCLUDE, edition_needs
from prp.runtime.provenance import data_inputs, load_records, shown_params

log = logging.getLogger(__name__)
MANIFEST = ".render-manifest.json"
TREE_FILES = ("_quarto.yml", "references.bib")
CITATIONS = f"{GENERATED_INCLUDE}/citations.yml"
"""Metadata file of the render tree (``metadata-files`` of ``_quarto.yml``):
``nocite`` with every work the edition cites."""
_BIB_KEY = re.compile(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", re.M)
_CITE = re.compile(r"(?<![\w@.])-?@\{?([\w][\w:.#$%&+?<>~/-]*)")
_NOT_PROSE = re.compile(r"<!--.*?-->|(?ms:^(```|~~~).*?^\1)", re.S)


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


def cited_keys(texts: list[str], bibliography: str) -> list[str]:
    """Keys of the bibliography that the texts cite (``@key``, ``[@key]``,
    ``-@key``, ``@{key}``), outside comments and code blocks, sorted."""
    known = set(_BIB_KEY.findall(bibliography))
    found: set[str] = set()
    for text in texts:
        for key in _CITE.findall(_NOT_PROSE.sub("", text)):
            key = key if key in known else key.rstrip(":.#$%&+?<>~/-")
            if key in known:
                found.add(key)
    return sorted(found)


def citations_metadata(keys: list[str]) -> dict[str, Any]:
    """The render tree's ``_generated/citations.yml``: every page's citeproc
    (one per page under Quarto) sees all the edition's works, so that
    "Leutert 2018a/b" read the same on every page and in the PDF."""
    return {"nocite": ", ".join(f"@{k}" for k in keys)} if keys else {}


def assemble_tree(
    report_dir: Path,
    profile: str,
    build_dir: Path,
    tree: Path,
    number_files: list[str],
    records_dir: Path | None = None,
    record_names: list[str] = (),  # type: ignore[assignment]
) -> list[str]:
    """Fill ``tree`` with exactly what the edition needs; return relative paths.
    Generated artifacts (``tables/x.md``) are taken from ``build_dir``."""
    needs = edition_needs(report_dir, profile)
    if tree.exists():
        shutil.rmtree(tree)
    copied: list[str] = []
    # the report's format (the Quarto extension): both engines render with it
    for rel in [*TREE_FILES, f"_quarto-{profile}.yml", *needs["extension"], *needs["sources"]]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report_dir / rel, tree / rel)
        copied.append(rel)
    for rel in needs["artifacts"]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / rel, tree / rel)
        copied.append(rel)
    if records_dir is not None:
        view, md = provenance_view(records_dir, record_names)
        write_text(
            tree / GENERATED_INCLUDE / "provenance.json",
            json.dumps(view, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        )
        write_text(tree / GENERATED_INCLUDE / "provenance.md", md)
        copied += [f"{GENERATED_INCLUDE}/provenance.json", f"{GENERATED_INCLUDE}/provenance.md"]
    texts = [
        (tree / rel).read_text(encoding="utf-8")
        for rel in copied
        if rel.endswith((".qmd", ".md")) and not rel.startswith(f"{EXTENSIONS}/")
    ]
    keys = cited_keys(texts, (tree / "references.bib").read_text(encoding="utf-8"))
    write_text(
        tree / CITATIONS, yaml.safe_dump(citations_metadata(keys), sort_keys=True, width=10**6)
    )
    copied.append(CITATIONS)
    variables = merged_variables(number_files)
    write_text(
        tree / "_variables.yml", yaml.safe_dump(variables, sort_keys=True, allow_unicode=True)
    )
    copied.append("_variables.yml")
    return sorted(copied)


def _short(digest: str) -> str:
    return digest[:12]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(dataset: str) -> str:
    return "data-" + dataset.replace("_", "-")


def details_html(rec: dict[str, Any], data: list[dict[str, Any]]) -> str:
    """The collapsed provenance block shown under a table or figure in HTML."""
    items = []
    for d in data:
        src = d.get("source") or {}
        label = src.get("dataset", d["path"])
        origin = f" — {_esc(src['source'])}" if src.get("source") else ""
        synth = " <strong>(synthetic)</strong>" if src.get("synthetic") else ""
        items.append(
            f'<li><a href="#{_anchor(label)}"><code>{_esc(d["path"])}</code></a> '
            f"sha256 <code>{_short(d['sha256'])}</code>{origin}{synth}</li>"
        )
    params = shown_params(rec["params"])
    shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "none"
    outputs = "".join(
        f"<li><code>{_esc(o['path'])}</code> sha256 <code>{_short(o['sha256'])}</code></li>"
        for o in rec["outputs"]
    )
    return (
        '<details class="provenance"><summary>Provenance</summary><dl>'
        f"<dt>Made by</dt><dd>rule <code>{_esc(rec['rule'])}</code>, script "
        f"<code>{_esc(rec['script']['path'])}</code> "
        f"sha256 <code>{_short(rec['script']['sha256'])}</code></dd>"
        f"<dt>Parameters</dt><dd><code>{_esc(shown)}</code></dd>"
        f"<dt>Data</dt><dd><ul>{''.join(items)}</ul></dd>"
        f"<dt>Outputs</dt><dd><ul>{outputs}</ul></dd>"
        '<dt>Full record</dt><dd><a href="provenance.json">provenance.json</a> '
        f"(job <code>{_esc(rec['rule'])}</code>), checked by <code>make verify</code></dd>"
        "</dl></details>"
    )


def provenance_view(records_dir: Path, names: list[str]) -> tuple[dict[str, Any], str]:
    """What the renderer shows: per table/figure an HTML details block, per
    number namespace a link target, and the provenance appendix (markdown)."""
    records = load_records(records_dir)
    artifacts: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    datasets: dict[str, dict[str, Any]] = {}
    lines_art, lines_num = [], []
    for name in sorted(names):
        rec = records.get(name)
        if rec is None:
            raise FileNotFoundError(f"{records_dir}/{name}.json: provenance record missing")
        data = data_inputs(name, records)
        for d in data:
            datasets.setdefault(d["path"], d)
        kind, _, ident = name.partition("/")
        names_ = [(d.get("source") or {}).get("dataset", d["path"]) for d in data]
        refs = ", ".join(f"[{n}](#{_anchor(n)})" for n in names_)
        made = (
            f"rule `{rec['rule']}`, script `{rec['script']['path']}` "
            f"(sha256 `{_short(rec['script']['sha256'])}`)"
        )
        params = shown_params(rec["params"])
        shown = (
            ("; parameters `" + ", ".join(f"{k}={v}" for k, v in params.items()) + "`")
            if params
            else ""
        )
        if kind in ("tables", "figures"):
            prefix = "tbl" if kind == "tables" else "fig"
            artifacts[f"{prefix}-{ident}"] = {"html": details_html(rec, data)}
            main = next(
                (o for o in rec["outputs"] if o["path"].endswith((".md",))), rec["outputs"][0]
            )
            text = Path(main["path"]).read_text(encoding="utf-8")
            numbered = (
                re.search(r"\{#" + re.escape(f"{prefix}-{ident}") + r"[\s}]", text) is not None
            )
            label = f"@{prefix}-{ident}" if numbered else f"`{kind}/{ident}`"
            lines_art.append(
                f"- {label}: {made}{shown}. Data: {refs}. "
                f"Output `{main['path']}` sha256 `{_short(main['sha256'])}`."
            )
        elif kind == "numbers":
            first = (data[0].get("source") or {}).get("dataset", data[0]["path"]) if data else ""
            variables[ident] = {
                "href": f"#{_anchor(first)}" if first else "#sec-provenance",
                "title": f"Computed by {rec['rule']} from " + ", ".join(d["path"] for d in data),
            }
            lines_num.append(f"- `{ident}`: {made}{shown}. Data: {refs}.")
    lines_data = []
    for path in sorted(datasets):
        d = datasets[path]
        src = d.get("source") or {}
        name = src.get("dataset", path)
        cite = f" [@{src['citation']}]" if src.get("citation") else ""
        synth = " **Synthetic.**" if src.get("synthetic") else ""
        lines_data.append(
            f"- [**{name}**]{{#{_anchor(name)}}}: {src.get('title', '')}. "
            f"`{path}`, sha256 `{_short(d['sha256'])}`. Source: {src.get('source', '')}{cite}."
            f"{synth}"
        )
    md = "\n".join(
        [
            "## Tables and figures {#sec-provenance-artifacts}",
            "",
            *lines_art,
            "",
            "## Numbers in the text {#sec-provenance-numbers}",
            "",
            *lines_num,
            "",
            "## Data files {#sec-provenance-data}",
            "",
            *lines_data,
            "",
        ]
    )
    return {"artifacts": artifacts, "vars": variables}, md


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
    from prp.render.book import render_book

    os.environ["SOURCE_DATE_EPOCH"] = str(params["source_date_epoch"])
    report_dir, tree = Path(params["report_dir"]), Path(params["tree"])
    # outputs are build/<edition>/index.html: the build folder is two levels up
    build_dir = Path(outputs["html"]).parent.parent
    records_dir = build_dir / "provenance"
    names = [Path(p).relative_to(records_dir).with_suffix("").as_posix() for p in inputs["records"]]
    copied = assemble_tree(
        report_dir, params["profile"], build_dir, tree, list(inputs["numbers"]), records_dir, names
    )
    log.info("render tree %s: %d files", tree, len(copied))
    dest = Path(outputs["html"]).parent
    staging = dest.parent / f".{dest.name}.rendering"
    if staging.exists():
        shutil.rmtree(staging)
    render_book(
        tree, params["profile"], staging, engine=params["engine"], quarto=params.get("quarto")
    )
    written = sync_into(staging, dest)
    log.info("%s: %d files rendered", dest, len(written))
    return [str(dest / rel) for rel in written]


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
