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

from prp.artifacts.numbers import split_number_file
from prp.artifacts.sources import SYNTHETIC_MARK_NOTE
from prp.data.io import replace_dir, write_text
from prp.render.needs import EXTENSIONS, GENERATED_INCLUDE, edition_needs, source_file
from prp.runtime.provenance import data_inputs, load_records, shown_params

log = logging.getLogger(__name__)
MANIFEST = ".render-manifest.json"
TREE_FILES = ("_quarto.yml", "references.bib")
SYNTHETIC_FILE = "_synthetic.yml"
"""Metadata file of the render tree naming the variables computed from
synthetic data (report/_quarto.yml lists it under ``metadata-files``)."""


def read_number_files(
    number_files: list[str],
) -> tuple[dict[str, Any], dict[str, dict[str, list[str]]]]:
    """(one ``_variables.yml`` mapping, the datasets behind the variables that
    their files list) from per-namespace number files; a namespace defined
    twice is an error."""
    merged: dict[str, Any] = {}
    derived: dict[str, dict[str, list[str]]] = {}
    for path in number_files:
        with open(path, encoding="utf-8") as fh:
            values, listed = split_number_file(yaml.safe_load(fh) or {})
        for ns, ns_values in values.items():
            if ns in merged:
                raise ValueError(f"{path}: variable namespace {ns!r} is defined twice")
            merged[ns] = ns_values
        derived.update(listed)
    return merged, derived


CITATIONS = f"{GENERATED_INCLUDE}/citations.yml"
"""Metadata file of the render tree (``metadata-files`` of ``_quarto.yml``):
``nocite`` with every work the edition cites."""
_BIB_KEY = re.compile(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", re.M)
_CITE = re.compile(r"(?<![\w@.])-?@\{?([\w][\w:.#$%&+?<>~/-]*)")
_NOT_PROSE = re.compile(r"<!--.*?-->|(?ms:^(```|~~~).*?^\1)", re.S)


def merged_variables(number_files: list[str]) -> dict[str, Any]:
    """One ``_variables.yml`` mapping from per-namespace number files."""
    return read_number_files(number_files)[0]


def synthetic_variables(
    variables: dict[str, Any],
    derived: dict[str, dict[str, list[str]]],
    data_of: dict[str, list[dict[str, Any]]],
) -> list[str]:
    """``ns.key`` of every variable computed from synthetic data.

    ``data_of`` gives, per namespace, the data files its rule rests on (from
    the provenance records, each with its data-package source and synthetic
    flag). A variable whose datasets its number file lists is synthetic if
    one of them is; any other variable if any data file of its rule is. A
    namespace without a provenance record is an error: unknown data would
    be shown unmarked."""
    out: list[str] = []
    for ns, values in sorted(variables.items()):
        if ns not in data_of:
            raise ValueError(f"variables {ns!r}: no provenance record says what data they rest on")
        sources = [d.get("source") or {} for d in data_of[ns]]
        read = {str(s.get("dataset")) for s in sources if s.get("dataset")}
        synthetic = {str(s.get("dataset")) for s in sources if s.get("synthetic")}
        listed = derived.get(ns, {})
        for key in sorted(values):
            names = listed.get(key)
            if names is not None and set(names) - read:
                raise ValueError(
                    f"{ns}.{key}: computed from {sorted(set(names) - read)}, "
                    f"which its rule did not read (it read {sorted(read)})"
                )
            rests_on = read if names is None else set(names)
            if rests_on & synthetic:
                out.append(f"{ns}.{key}")
    return out


def synthetic_metadata(names: list[str]) -> dict[str, Any]:
    """The render tree's ``_synthetic.yml`` (listed in ``metadata-files`` of
    ``_quarto.yml``): what synthetic.lua marks, and the note it shows."""
    return {"prp-synthetic": {"note": SYNTHETIC_MARK_NOTE, "variables": list(names)}}


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
    overlay: dict[str, str] | None = None,
) -> list[str]:
    """Fill ``tree`` with exactly what the edition needs; return relative paths.
    Generated artifacts (``tables/x.md``) are taken from ``build_dir``; sources
    under a prefix of ``overlay`` (restricted chapters) from its folder."""
    needs = edition_needs(report_dir, profile, overlay)
    if tree.exists():
        shutil.rmtree(tree)
    copied: list[str] = []
    # the report's format (the Quarto extension): both engines render with it
    for rel in [*TREE_FILES, f"_quarto-{profile}.yml", *needs["extension"], *needs["sources"]]:
        if rel.startswith("../"):
            raise ValueError(f"{rel}: an included file lies outside {report_dir}")
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_file(report_dir, rel, overlay), tree / rel)
        copied.append(rel)
    for rel in needs["artifacts"]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / rel, tree / rel)
        copied.append(rel)
    variables, derived = read_number_files(number_files)
    synthetic: list[str] = []
    if records_dir is not None:
        view, md = provenance_view(records_dir, record_names)
        write_text(
            tree / GENERATED_INCLUDE / "provenance.json",
            json.dumps(view, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        )
        write_text(tree / GENERATED_INCLUDE / "provenance.md", md)
        copied += [f"{GENERATED_INCLUDE}/provenance.json", f"{GENERATED_INCLUDE}/provenance.md"]
        records = load_records(records_dir)
        data_of = {
            Path(name).name: data_inputs(name, records)
            for name in record_names
            if name.startswith("numbers/")
        }
        synthetic = synthetic_variables(variables, derived, data_of)
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
    write_text(
        tree / "_variables.yml", yaml.safe_dump(variables, sort_keys=True, allow_unicode=True)
    )
    write_text(
        tree / SYNTHETIC_FILE,
        yaml.safe_dump(synthetic_metadata(synthetic), sort_keys=True, allow_unicode=True),
    )
    copied += ["_variables.yml", SYNTHETIC_FILE]
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
        synth = "<strong>Synthetic:</strong> " if src.get("synthetic") else ""
        items.append(
            f'<li>{synth}<a href="#{_anchor(label)}"><code>{_esc(d["path"])}</code></a> '
            f"sha256 <code>{_short(d['sha256'])}</code>{origin}</li>"
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
        synth = "**Synthetic.** " if src.get("synthetic") else ""
        lines_data.append(
            f"- [**{name}**]{{#{_anchor(name)}}}: {synth}{src.get('title', '')}. "
            f"`{path}`, sha256 `{_short(d['sha256'])}`. Source: {src.get('source', '')}{cite}."
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


def swap_into(rendered: Path, dest: Path) -> list[str]:
    """Make the freshly rendered folder the edition's folder in one step.
    Files that other rules wrote into ``dest`` (the provenance exports) are
    carried over; files an earlier render wrote and this one did not are
    dropped. A failure before the swap leaves ``dest`` as it was."""
    new = sorted(p.relative_to(rendered).as_posix() for p in rendered.rglob("*") if p.is_file())
    manifest = dest / MANIFEST
    old = json.loads(manifest.read_text()) if manifest.exists() else []
    if dest.is_dir():
        for p in sorted(dest.rglob("*")):
            rel = p.relative_to(dest).as_posix()
            if p.is_file() and rel not in old and rel not in new and rel != MANIFEST:
                (rendered / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, rendered / rel)
    write_text(rendered / MANIFEST, json.dumps(new, indent=1) + "\n")
    dest.parent.mkdir(parents=True, exist_ok=True)
    replace_dir(rendered, dest)
    return new


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> list[str]:
    from prp.render.book import render_book

    os.environ["SOURCE_DATE_EPOCH"] = str(params["source_date_epoch"])
    report_dir, tree = Path(params["report_dir"]), Path(params["tree"])
    # outputs are build/<edition>/index.html: the build folder is two levels up
    build_dir = Path(outputs["html"]).parent.parent
    records_dir = build_dir / "provenance"
    names = [Path(p).relative_to(records_dir).with_suffix("").as_posix() for p in inputs["records"]]
    # the tree and the pages are made in temporary folders and swapped in
    # only once both are complete: a failure leaves build/ as it was
    assembling = tree.parent / f".{tree.name}.assembling"
    dest = Path(outputs["html"]).parent
    staging = dest.parent / f".{dest.name}.rendering"
    for folder in (assembling, staging):
        if folder.exists():
            shutil.rmtree(folder)
    try:
        copied = assemble_tree(
            report_dir,
            params["profile"],
            build_dir,
            assembling,
            list(inputs["numbers"]),
            records_dir,
            names,
            dict(params.get("overlay") or {}),
        )
        log.info("render tree %s: %d files", tree, len(copied))
        render_book(
            assembling,
            params["profile"],
            staging,
            engine=params["engine"],
            quarto=params.get("quarto"),
        )
    except BaseException:
        for folder in (assembling, staging):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    tree.parent.mkdir(parents=True, exist_ok=True)
    replace_dir(assembling, tree)
    written = swap_into(staging, dest)
    log.info("%s: %d files rendered", dest, len(written))
    return [str(dest / rel) for rel in written]


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
