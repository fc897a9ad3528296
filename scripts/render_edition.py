"""Render one edition (HTML + PDF) from its own render tree.

The render tree ``build/src/<edition>/`` is assembled afresh from what the
edition's profile lists — its chapters and the snippets they include, the
generated tables and figures they use, and ``_variables.yml`` merged from the
number files they cite — and nothing else: a file the edition does not list is
never copied, so restricted chapters cannot reach the public tree.
"""

import hashlib
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
from prp.render.needs import (
    EXTENSIONS,
    GENERATED_INCLUDE,
    IMAGE_RE,
    INCLUDE_RE,
    VAR_RE,
    edition_needs,
    source_file,
)
from prp.runtime.provenance import data_inputs, load_records, shown_params

log = logging.getLogger(__name__)
MANIFEST = ".render-manifest.json"
TREE_FILES = ("_quarto.yml", "references.bib")
AST_CACHE = ".snakemake/prp/ast"
"""Where each edition's render keeps its source files' parses
(:func:`prp.render.book.render_book`'s ``ast_cache``), relative to the
workflow's folder."""
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


_VAR_SHORTCODE = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*>\}\}")


def quarto_var_spans(text: str) -> str:
    """Each ``{{< var ns.key >}}`` of a source inside a span
    ``[...]{.prp-var data-var="ns.key"}``, as the fallback's var shortcode
    leaves its values: Quarto's built-in ``var`` yields plain text, and the
    format's filters (the synthetic-data mark, the links to the data) find
    the values by these spans."""
    return _VAR_SHORTCODE.sub(lambda m: f'[{m.group(0)}]{{.prp-var data-var="{m.group(1)}"}}', text)


def assemble_tree(
    report_dir: Path,
    profile: str,
    build_dir: Path,
    tree: Path,
    number_files: list[str],
    records_dir: Path | None = None,
    record_names: list[str] = (),  # type: ignore[assignment]
    overlay: dict[str, str] | None = None,
    engine: str = "pandoc",
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
        if engine == "quarto" and rel in needs["sources"] and rel.endswith((".qmd", ".md")):
            text = (tree / rel).read_text(encoding="utf-8")
            (tree / rel).write_text(quarto_var_spans(text), encoding="utf-8")
        copied.append(rel)
    for rel in needs["artifacts"]:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build_dir / rel, tree / rel)
        copied.append(rel)
    variables, derived = read_number_files(number_files)
    synthetic: list[str] = []
    if records_dir is not None:
        view, md = provenance_view(records_dir, record_names, book_usage(tree, profile))
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


# Data files that may ship with an edition (under build/<edition>/data/, so
# that a reviewer can open what a provenance box names): the public raw
# tables, map data, the 2018 print's values and the released aggregates.
# Restricted data live elsewhere (encrypted, and decrypted only for a keyed build) and
# never qualify, whatever the edition.
SHIPPABLE = ("data/raw/", "data/geo/", "data/published/", "data/released/")


def shippable(path: str) -> bool:
    norm = os.path.normpath(path).replace(os.sep, "/")
    return norm == path and norm.startswith(SHIPPABLE) and "restricted" not in norm.split("/")


def ship_data(view: dict[str, Any], repo: Path, dest: Path) -> list[str]:
    """Copy the data files the provenance boxes name (``view["files"]``:
    path -> sha256) into ``dest/<path>``, each checked against the sha256 its
    record holds, and list them in ``dest/data/SHA256SUMS``."""
    shipped: list[str] = []
    for path, digest in sorted(view.get("files", {}).items()):
        if not shippable(path):
            continue
        src = repo / path
        data = src.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise ValueError(f"{path}: sha256 differs from its provenance record; rebuild")
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        shipped.append(f"{digest}  {path}")
    if shipped:
        write_text(dest / "data" / "SHA256SUMS", "\n".join(shipped) + "\n")
    return shipped


def _short(digest: str) -> str:
    return digest[:12]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(dataset: str) -> str:
    return "data-" + dataset.replace("_", "-")


def details_html(
    rec: dict[str, Any], data: list[dict[str, Any]], summary: str = "Provenance"
) -> str:
    """The collapsed provenance block shown under a table or figure in HTML
    (and under each group of numbers on the provenance page)."""
    items = []
    for d in data:
        src = d.get("source") or {}
        label = src.get("dataset", d["path"])
        origin = f" — {_esc(src['source'])}" if src.get("source") else ""
        synth = "<strong>Synthetic:</strong> " if src.get("synthetic") else ""
        path = _esc(d["path"])
        # the file itself ships with the edition (ship_data); the dataset's
        # description is in the provenance appendix
        code = (
            f'<a class="prp-data-file" href="{path}"><code>{path}</code></a>'
            if shippable(d["path"])
            else f"<code>{path}</code>"
        )
        items.append(
            f"<li>{synth}{code} sha256 <code>{_short(d['sha256'])}</code>{origin} "
            f'(<a href="#{_anchor(label)}">about the data</a>)</li>'
        )
    params = shown_params(rec["params"])
    shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "none"
    outputs = "".join(
        f"<li><code>{_esc(o['path'])}</code> sha256 <code>{_short(o['sha256'])}</code></li>"
        for o in rec["outputs"]
    )
    return (
        f'<details class="provenance"><summary>{_esc(summary)}</summary><dl>'
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


def file_details_html(d: dict[str, Any]) -> str:
    """The collapsed record of one data file on the provenance page (HTML only)."""
    src = d.get("source") or {}
    rows = [
        ("File", f"<code>{_esc(d['path'])}</code>"),
        ("SHA-256", f"<code>{_esc(d['sha256'])}</code>"),
        ("Dataset", f"<code>{_esc(src.get('dataset', ''))}</code>"),
        ("Source", _esc(src.get("source", ""))),
        ("License", _esc(src.get("license", ""))),
        ("Citation key", f"<code>{_esc(src.get('citation', ''))}</code>"),
    ]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows if v and v != "<code></code>")
    return f'<details class="provenance"><summary>File record</summary><dl>{body}</dl></details>'


def _record_ref(keys: list[str], indent: str = "  ") -> list[str]:
    """A marker for technical records, indented into a list item: the HTML
    edition's format (prp-provenance.lua) puts the records ``boxes[key]`` of
    provenance.json in its place; the PDF drops it. The appendix is read like
    any generated snippet (no raw HTML), so the records travel in the JSON."""
    return ["", f'{indent}::: {{.prp-provenance-ref boxes="{" ".join(keys)}"}}', f"{indent}:::"]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#@$|~^])")


def _md(text: str) -> str:
    """Plain text safe inside markdown (no emphasis, links or citations)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


MANY_DATASETS = 10  # above this, an entry names the works and leaves the titles to the data list


def _groups(data: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Sources of the datasets, grouped by the work they cite (in order)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in data:
        src = d.get("source") or {"dataset": Path(d["path"]).stem}
        groups.setdefault(src.get("citation", ""), []).append(src)
    return groups


def _group_in_words(key: str, srcs: list[dict[str, Any]]) -> str:
    titles = "; ".join(f"*{_md(s.get('title') or s.get('dataset'))}*" for s in srcs)
    synth = " (synthetic)" if any(s.get("synthetic") for s in srcs) else ""
    cite = f" [@{key}]" if key else ""
    return f"{titles}{synth}{cite}"


def sources_in_words(data: list[dict[str, Any]]) -> str:
    """The datasets behind an artifact as a reader names them: their titles,
    grouped by the work they come from, each group with one citation (so no
    work is cited twice), the synthetic ones marked."""
    return "; ".join(_group_in_words(k, v) for k, v in _groups(data).items())


def entry_in_words(label: str, data: list[dict[str, Any]]) -> list[str]:
    """A list item naming what ``label`` rests on: one line when its data
    come from one work, one sub-item per work otherwise; past
    :data:`MANY_DATASETS` datasets, the works alone (each dataset's own entry
    in the data list says what it is used for)."""
    groups = _groups(data)
    head = f"- {label[0].upper()}{label[1:]}"
    if len(data) > MANY_DATASETS:
        keys = [k for k in groups if k]
        works = f" [{'; '.join('@' + k for k in keys)}]" if keys else ""
        synth = any(s.get("synthetic") for srcs in groups.values() for s in srcs)
        return [
            f"{head}: {len(data)} datasets{', some synthetic' if synth else ''} (each listed "
            f"under @sec-provenance-data), from these works{works}."
        ]
    if len(groups) == 1:
        key, srcs = next(iter(groups.items()))
        return [f"{head}: {_group_in_words(key, srcs)}."]
    return [f"{head}:", *(f"  - {_group_in_words(k, v)}" for k, v in groups.items())]


SECTION_RE = re.compile(r"^#+\s[^\n]*\{#(sec-[A-Za-z0-9_-]+)", re.M)  # first heading with an id


def book_usage(tree: Path, profile: str) -> dict[str, Any]:
    """Where the book uses what, for the provenance appendix: the record
    names of its tables and figures in reading order (``order``), per
    number namespace the chapters that quote it (``cited_in``: section ids)
    and those chapters' section ids in book order (``sections``)."""
    from prp.render.config import book_chapters, load_config

    order: list[str] = []
    cited_in: dict[str, list[str]] = {}
    sections: list[str] = []

    def scan(path: Path, sec: str, seen: set[Path]) -> None:
        if path in seen or not path.is_file():
            return
        seen.add(path)
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(f"{INCLUDE_RE.pattern}|{IMAGE_RE.pattern}", text):
            target = (path.parent / (m.group(1) or m.group(2))).resolve()
            try:
                rel = target.relative_to(tree.resolve()).as_posix()
            except ValueError:
                continue
            if rel.startswith(("tables/", "figures/")):
                name = rel.rsplit(".", 1)[0]
                if name not in order:
                    order.append(name)
            elif not rel.startswith(GENERATED_INCLUDE + "/"):
                scan(tree / rel, sec, seen)
        for ns in VAR_RE.findall(text):
            if sec and sec not in cited_in.setdefault(ns, []):
                cited_in[ns].append(sec)

    seen: set[Path] = set()
    for chapter in book_chapters(load_config(tree, profile)):
        path = tree / chapter.file
        heading = SECTION_RE.search(path.read_text(encoding="utf-8")) if path.is_file() else None
        if heading:
            sections.append(heading.group(1))
        scan(path, heading.group(1) if heading else "", seen)
    return {"order": order, "cited_in": cited_in, "sections": sections}


def provenance_view(
    records_dir: Path, names: list[str], usage: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """What the renderer shows: per table/figure an HTML details block, per
    number namespace a link target, and the provenance appendix (markdown).

    The appendix is written for readers in both formats: per table and
    figure, per chapter's numbers, and per dataset, the data named by their
    titles with citations. The technical record (rules, scripts, files,
    hashes, parameters) goes into the view's ``boxes``, named by markers in
    the appendix (Div.prp-provenance-ref), which only the HTML edition
    fills; ``files`` lists the data files with their sha256 (shipped with the
    edition by :func:`ship_data`). ``usage`` (from :func:`book_usage`)
    orders the tables and figures as the book does and groups the numbers by
    the chapters that quote them; without it, records are listed by name."""
    records = load_records(records_dir)
    usage = usage or {}
    position = {n: i for i, n in enumerate(usage.get("order", []))}
    cited_in: dict[str, list[str]] = usage.get("cited_in", {})
    artifacts: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    datasets: dict[str, dict[str, Any]] = {}
    used_by: dict[str, list[str]] = {}
    lines_art: list[str] = []
    numbers: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for name in sorted(names, key=lambda n: (position.get(n, len(position)), n)):
        rec = records.get(name)
        if rec is None:
            raise FileNotFoundError(f"{records_dir}/{name}.json: provenance record missing")
        data = data_inputs(name, records)
        for d in data:
            datasets.setdefault(d["path"], d)
        kind, _, ident = name.partition("/")
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
            caption = rec["params"].get("caption") or ident.replace("-", " ")
            what = "table" if kind == "tables" else "figure"
            label = f"@{prefix}-{ident}" if numbered else f"the {what} *{_md(caption)}*"
            for d in data:
                used_by.setdefault(d["path"], []).append(label)
            lines_art += entry_in_words(label, data)
        elif kind == "numbers":
            first = (data[0].get("source") or {}).get("dataset", data[0]["path"]) if data else ""
            titles = [(d.get("source") or {}).get("title") or Path(d["path"]).stem for d in data]
            variables[ident] = {
                "href": f"#{_anchor(first)}" if first else "#sec-provenance",
                "title": "Computed from " + "; ".join(titles),
            }
            numbers[ident] = (rec, data)
    # numbers, by the chapters that quote them (in book order)
    chapters: list[str] = []
    for ns in numbers:
        for sec in cited_in.get(ns, []):
            if sec not in chapters:
                chapters.append(sec)
    book = {sec: i for i, sec in enumerate(usage.get("sections", []))}
    chapters.sort(key=lambda sec: book.get(sec, len(book)))
    groups: list[tuple[str, list[str]]] = [
        (f"Numbers quoted in @{sec}", [ns for ns in numbers if sec in cited_in.get(ns, [])])
        for sec in chapters
    ]
    groups += [("Other numbers", [ns]) for ns in numbers if not cited_in.get(ns)]
    lines_num: list[str] = []
    boxes: dict[str, str] = {}
    for title, group in groups:
        merged: dict[str, dict[str, Any]] = {}
        for ns in group:
            for d in numbers[ns][1]:
                merged.setdefault(d["path"], d)
        for path in merged:
            ref = title.replace("Numbers quoted in ", "the numbers of ")
            if ref not in used_by.setdefault(path, []):
                used_by[path].append(ref)
        lines_num += entry_in_words(title, list(merged.values()))
        for ns in group:
            boxes.setdefault(
                f"numbers-{ns}",
                details_html(numbers[ns][0], numbers[ns][1], f"Provenance of the numbers “{ns}”"),
            )
        lines_num += _record_ref([f"numbers-{ns}" for ns in group])
    lines_data: list[str] = []
    for path in sorted(datasets, key=lambda p: (datasets[p].get("source") or {}).get("title", p)):
        d = datasets[path]
        src = d.get("source") or {}
        name = src.get("dataset", path)
        title = _md(src.get("title") or name)
        cite = f" [@{src['citation']}]" if src.get("citation") else ""
        synth = " Synthetic (see @sec-about-data-synthetic)." if src.get("synthetic") else ""
        uses = used_by.get(path, [])
        used = f" Used for {_and(uses)}." if uses else ""
        lines_data.append(f"- [*{title}*]{{#{_anchor(name)}}}{cite}.{synth}{used}")
        boxes[f"file-{_anchor(name)}"] = file_details_html(d)
        lines_data += _record_ref([f"file-{_anchor(name)}"])
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
            "## The data {#sec-provenance-data}",
            "",
            *lines_data,
            "",
        ]
    )
    files = {path: d["sha256"] for path, d in sorted(datasets.items())}
    return {"artifacts": artifacts, "vars": variables, "boxes": boxes, "files": files}, md


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
    from prp.render.book import CROSSREF_REGISTRY, render_book

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
            engine=params["engine"],
        )
        log.info("render tree %s: %d files", tree, len(copied))
        render_book(
            assembling,
            params["profile"],
            staging,
            engine=params["engine"],
            quarto=params.get("quarto"),
            # for make watch's one-page preview (prp.render.preview)
            registry=assembling / CROSSREF_REGISTRY,
            # each file's parse, read back by the next render of this edition
            # (beside Snakemake's own state: a cache, not an output)
            ast_cache=Path(AST_CACHE) / params["profile"],
        )
        view_file = assembling / GENERATED_INCLUDE / "provenance.json"
        if view_file.exists():
            repo = report_dir.resolve().parent
            shipped = ship_data(json.loads(view_file.read_text(encoding="utf-8")), repo, staging)
            log.info("%s: %d data files shipped", dest, len(shipped))
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
