"""Rendering of an :class:`~prp.tools.diff_compare.EditionDiff`: a Markdown file,
a self-contained HTML page (inline CSS, figures as data URIs, so it opens
offline and can be mailed) and the few lines printed in the terminal."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

from prp.tools.diff_compare import EditionDiff, FileChange, Segment, TableDiff, ValueChange

MAX_TABLE_ROWS = 40  # larger tables show only their changed rows


# ---------------------------------------------------------------- rendering


def _short(sha: str | None) -> str:
    return "—" if sha is None else sha[:12]


def _val(v: str | None) -> str:
    return "(absent)" if v is None else (v if v != "" else "(empty)")


def _label(d: EditionDiff, kind: str, ident: str) -> str:
    label, caption = d.labels.get(f"{kind}-{ident}", ("", ""))
    head = f"{label} " if label else ""
    return f"{head}`{ident}`" + (f" — {caption}" if caption else "")


def _chapter_names(d: EditionDiff, paths: Iterable[str]) -> list[str]:
    return [d.chapters[p].title if p in d.chapters else p for p in paths]


def _shown_rows(t: TableDiff) -> tuple[list[tuple[str, list[str]]], bool]:
    touched = {c.row for c in t.cells} | set(t.added_rows)
    if len(t.rows) <= MAX_TABLE_ROWS:
        return t.rows, False
    return [r for r in t.rows if r[0] in touched], True


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def shape_notes(t: TableDiff) -> list[str]:
    """What changed in a table besides its cells: columns added or removed,
    rows reordered."""
    notes = []
    if t.added_columns:
        notes.append(f"columns added: {', '.join(t.added_columns)}")
    if t.removed_columns:
        notes.append(f"columns removed: {', '.join(t.removed_columns)}")
    if t.reordered:
        notes.append("row order changed")
    return notes


def _md_table(t: TableDiff) -> list[str]:
    changes = {(c.row, c.column): c for c in t.cells}
    rows, partial = _shown_rows(t)
    lines = []
    if t.status == "changed" and t.key:
        lines.append(f"Rows matched on: {', '.join(t.key)}.")
    if partial:
        lines.append(f"Only the changed rows of {len(t.rows)} are shown.")
    if lines:
        lines.append("")
    lines.append("| " + " | ".join(_md_cell(c) for c in t.columns) + " |")
    lines.append("|" + "---|" * len(t.columns))
    for key, values in rows:
        cells = []
        for col, value in zip(t.columns, values, strict=False):
            c = changes.get((key, col))
            cells.append(f"~~{_md_cell(c.old)}~~ → **{_md_cell(c.new)}**" if c else _md_cell(value))
        mark = " (added row)" if key in t.added_rows and t.status == "changed" else ""
        lines.append("| " + " | ".join(cells) + f" |{mark}")
    for _key, values in t.removed_rows:
        lines.append("| " + " | ".join(f"~~{_md_cell(v)}~~" for v in values) + " | (removed row)")
    notes = shape_notes(t)
    if notes:
        lines += ["", "Also: " + "; ".join(notes) + "."]
    return lines


def _md_hunk(hunk: Sequence[Segment]) -> str:
    out = []
    for tag, old, new in hunk:
        if tag == "equal":
            out.append(" ".join(old))
            continue
        out.append(
            ("[-" + " ".join(old) + "-]" if old else "")
            + ("{+" + " ".join(new) + "+}" if new else "")
        )
    return "… " + " ".join(out) + " …"


def _md_files(title: str, changes: Sequence[FileChange]) -> list[str]:
    if not changes:
        return [f"- {title}: none"]
    lines = [f"- {title}:"]
    for c in changes:
        jobs = ", ".join(c.jobs[:6]) + (f" and {len(c.jobs) - 6} more" if len(c.jobs) > 6 else "")
        lines.append(f"  - `{c.path}` {_short(c.old)} → {_short(c.new)} (read by {jobs})")
    return lines


def _md_values(title: str, changes: Sequence[ValueChange], per_job: bool = True) -> list[str]:
    if not changes:
        return [f"- {title}: none"]
    lines = [f"- {title}:"]
    for c in changes:
        where = f"`{c.job}` " if per_job else ""
        lines.append(f"  - {where}`{c.key}`: {_val(c.old)} → {_val(c.new)}")
    return lines


def render_markdown(d: EditionDiff) -> str:
    out = [
        f"# Report diff — {d.edition} edition",
        "",
        f"Base: {d.base_label}  ",
        f"Head: {d.head_label}",
        "",
    ]
    if d.empty():
        out += ["No differences.", ""]
    out += [f"## Variables ({len(d.variables)} changed)", ""]
    if d.variables:
        out += ["| variable | old | new | used in |", "|---|---|---|---|"]
        for v in d.variables:
            used = "; ".join(_chapter_names(d, v.chapters)) or "(not quoted in a chapter)"
            out.append(
                f"| `{v.key}` | {_md_cell(_val(v.old))} | {_md_cell(_val(v.new))} | {used} |"
            )
        out.append("")
    ncells = sum(t.change_count() for t in d.tables)
    out += [f"## Tables ({len(d.tables)} changed, {ncells} cells/rows)", ""]
    for t in d.tables:
        out += [f"### {_label(d, 'tbl', t.id)}" + _status(t.status), ""]
        out += [*_md_table(t), ""]
    out += [f"## Figures ({len(d.figures)} with changed data)", ""]
    for f in d.figures:
        out += [f"### {_label(d, 'fig', f.id)}" + _status(f.status), ""]
        out += [
            f"Images: base `figures/{f.id}.svg`, head `figures/{f.id}.svg` (see the HTML diff)."
        ]
        out += ["", "Data:", "", *_md_table(f), ""]
    if d.images_only:
        out += [
            "Figures whose image changed while their data did not: "
            + ", ".join(f"`{f}`" for f in d.images_only),
            "",
        ]
    out += [f"## Text ({len(d.sections)} sections changed)", ""]
    for s in d.sections:
        out += [f"### {s.title or s.id} (`{s.page}#{s.id}`)" + _status(s.status), ""]
        out += [_md_hunk(h) + "\n" for h in s.hunks]
    p = d.provenance
    out += ["## Provenance", ""]
    out += _md_files("Inputs changed", p.inputs)
    out += _md_files("Scripts and modules changed", p.code)
    out += _md_values("Parameters changed", p.params)
    out += _md_values("Environment changed", p.environment, per_job=False)
    if p.other:
        out += _md_values("Other record fields changed", p.other)
    if p.jobs_added or p.jobs_removed:
        out.append(f"- Jobs added: {', '.join(p.jobs_added) or 'none'}")
        out.append(f"- Jobs removed: {', '.join(p.jobs_removed) or 'none'}")
    out.append(
        f"- Job records that differ: {len(p.jobs_changed)}"
        + (f" ({', '.join(p.jobs_changed)})" if p.jobs_changed else "")
    )
    if p.intermediate:
        out.append(f"- Intermediate files changed as a consequence: {len(p.intermediate)}")
    return "\n".join(out).rstrip() + "\n"


def _status(status: str) -> str:
    return "" if status == "changed" else f" ({status})"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(t: TableDiff) -> str:
    changes = {(c.row, c.column): c for c in t.cells}
    rows, partial = _shown_rows(t)
    parts = []
    if partial:
        parts.append(f"<p class='note'>Only the changed rows of {len(t.rows)} are shown.</p>")
    if t.status == "changed" and t.key:
        parts.append(f"<p class='note'>Rows matched on: {_e(', '.join(t.key))}.</p>")
    parts.append("<div class='scroll'><table><thead><tr>")
    parts += [f"<th>{_e(c)}</th>" for c in t.columns]
    parts.append("</tr></thead><tbody>")
    for key, values in rows:
        added = key in t.added_rows and t.status == "changed"
        parts.append("<tr class='added'>" if added else "<tr>")
        for col, value in zip(t.columns, values, strict=False):
            c = changes.get((key, col))
            if c:
                parts.append(
                    f"<td class='changed'><del>{_e(c.old)}</del> <ins>{_e(c.new)}</ins></td>"
                )
            else:
                parts.append(f"<td>{_e(value)}</td>")
        parts.append("</tr>")
    for _key, values in t.removed_rows:
        parts.append("<tr class='removed'>" + "".join(f"<td>{_e(v)}</td>" for v in values))
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    notes = shape_notes(t)
    if notes:
        parts.append(f"<p class='note'>Also: {_e('; '.join(notes))}.</p>")
    return "".join(parts)


def _svg_img(svg: str | None, alt: str) -> str:
    if svg is None:
        return "<p class='note'>(absent)</p>"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"<img alt='{_e(alt)}' src='data:image/svg+xml;base64,{data}'>"


def _html_label(d: EditionDiff, kind: str, ident: str) -> str:
    label, caption = d.labels.get(f"{kind}-{ident}", ("", ""))
    text = f"{_e(label)} " if label else ""
    return f"{text}<code>{_e(ident)}</code>" + (f" — {_e(caption)}" if caption else "")


def _html_hunk(hunk: Sequence[Segment]) -> str:
    out = []
    for tag, old, new in hunk:
        if tag == "equal":
            out.append(_e(" ".join(old)))
            continue
        out.append(
            " ".join(
                [f"<del>{_e(' '.join(old))}</del>"] * bool(old)
                + [f"<ins>{_e(' '.join(new))}</ins>"] * bool(new)
            )
        )
    return "<p class='hunk'>… " + " ".join(out) + " …</p>"


def _html_files(title: str, changes: Sequence[FileChange]) -> str:
    if not changes:
        return f"<h3>{_e(title)}: none</h3>"
    rows = "".join(
        f"<tr><td><code>{_e(c.path)}</code></td><td><del>{_short(c.old)}</del></td>"
        f"<td><ins>{_short(c.new)}</ins></td><td>{_e(', '.join(c.jobs))}</td></tr>"
        for c in changes
    )
    return (
        f"<h3>{_e(title)}</h3><table><thead><tr><th>file</th><th>old sha256</th>"
        f"<th>new sha256</th><th>read by</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _html_values(title: str, changes: Sequence[ValueChange]) -> str:
    if not changes:
        return f"<h3>{_e(title)}: none</h3>"
    rows = "".join(
        f"<tr><td><code>{_e(c.job)}</code></td><td><code>{_e(c.key)}</code></td>"
        f"<td><del>{_e(_val(c.old))}</del></td><td><ins>{_e(_val(c.new))}</ins></td></tr>"
        for c in changes
    )
    return (
        f"<h3>{_e(title)}</h3><table><thead><tr><th>job</th><th>field</th><th>old</th>"
        f"<th>new</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_html(d: EditionDiff, css: str) -> str:
    """A self-contained page (inline CSS, figures as data URIs)."""
    b: list[str] = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Report diff — {_e(d.edition)} edition</title><style>{css}</style></head><body>",
        f"<h1>Report diff — {_e(d.edition)} edition</h1>",
        f"<p class='meta'>Base: {_e(d.base_label)}<br>Head: {_e(d.head_label)}</p>",
    ]
    if d.empty():
        b.append("<p>No differences.</p>")
    b.append(
        "<nav><a href='#variables'>Variables</a> · <a href='#tables'>Tables</a> · "
        "<a href='#figures'>Figures</a> · <a href='#text'>Text</a> · "
        "<a href='#provenance'>Provenance</a></nav>"
    )
    b.append(f"<h2 id='variables'>Variables ({len(d.variables)} changed)</h2>")
    if d.variables:
        b.append("<table><thead><tr><th>variable</th><th>old</th><th>new</th>")
        b.append("<th>used in</th></tr></thead><tbody>")
        for v in d.variables:
            used = "; ".join(
                f"<a>{_e(d.chapters[p].title)}</a> <span class='note'>({_e(d.chapters[p].page)})"
                "</span>"
                if p in d.chapters
                else _e(p)
                for p in v.chapters
            )
            b.append(
                f"<tr><td><code>{_e(v.key)}</code></td><td><del>{_e(_val(v.old))}</del></td>"
                f"<td><ins>{_e(_val(v.new))}</ins></td>"
                f"<td>{used or '(not quoted in a chapter)'}</td></tr>"
            )
        b.append("</tbody></table>")
    ncells = sum(t.change_count() for t in d.tables)
    b.append(f"<h2 id='tables'>Tables ({len(d.tables)} changed, {ncells} cells/rows)</h2>")
    for t in d.tables:
        b.append(f"<h3>{_html_label(d, 'tbl', t.id)}{_e(_status(t.status))}</h3>")
        b.append(_html_table(t))
    b.append(f"<h2 id='figures'>Figures ({len(d.figures)} with changed data)</h2>")
    for f in d.figures:
        old, new = d.svgs.get(f.id, (None, None))
        b.append(f"<h3>{_html_label(d, 'fig', f.id)}{_e(_status(f.status))}</h3>")
        b.append("<div class='side'><figure><figcaption>base</figcaption>")
        b.append(_svg_img(old, f"{f.id} (base)") + "</figure><figure><figcaption>head")
        b.append("</figcaption>" + _svg_img(new, f"{f.id} (head)") + "</figure></div>")
        b.append("<details><summary>Data</summary>" + _html_table(f) + "</details>")
    if d.images_only:
        b.append("<h3>Image changed, data unchanged</h3>")
        for ident in d.images_only:
            old, new = d.svgs.get(ident, (None, None))
            b.append(f"<h4>{_html_label(d, 'fig', ident)}</h4><div class='side'>")
            b.append(f"<figure>{_svg_img(old, ident)}</figure><figure>{_svg_img(new, ident)}")
            b.append("</figure></div>")
    b.append(f"<h2 id='text'>Text ({len(d.sections)} sections changed)</h2>")
    for s in d.sections:
        b.append(
            f"<h3>{_e(s.title or s.id)} <span class='note'>({_e(s.page)}#{_e(s.id)})"
            f"{_e(_status(s.status))}</span></h3>"
        )
        b += [_html_hunk(h) for h in s.hunks]
    p = d.provenance
    b.append("<h2 id='provenance'>Provenance</h2>")
    b.append(_html_files("Inputs changed", p.inputs))
    b.append(_html_files("Scripts and modules changed", p.code))
    b.append(_html_values("Parameters changed", p.params))
    b.append(_html_values("Environment changed", p.environment))
    if p.other:
        b.append(_html_values("Other record fields changed", p.other))
    if p.jobs_added or p.jobs_removed:
        b.append(
            f"<p>Jobs added: {_e(', '.join(p.jobs_added) or 'none')}; "
            f"removed: {_e(', '.join(p.jobs_removed) or 'none')}</p>"
        )
    b.append(
        f"<p>Job records that differ: {len(p.jobs_changed)}"
        f"{' (' + _e(', '.join(p.jobs_changed)) + ')' if p.jobs_changed else ''}. "
        f"Intermediate files changed as a consequence: {len(p.intermediate)}.</p>"
    )
    b.append("</body></html>\n")
    return "\n".join(b)


def summary(d: EditionDiff, limit: int = 40) -> str:
    """A few lines for the terminal."""
    p = d.provenance
    ncells = sum(len(t.cells) for t in d.tables)
    nrows = sum(len(t.added_rows) + len(t.removed_rows) for t in d.tables)
    lines = [f"{d.edition} edition: {d.base_label} → {d.head_label}"]
    if d.empty():
        return lines[0] + "\n  no differences"
    lines.append(f"  variables changed: {len(d.variables)}")
    for v in d.variables[:limit]:
        used = ", ".join(_chapter_names(d, v.chapters)) or "not quoted"
        lines.append(f"    {v.key}: {_val(v.old)} → {_val(v.new)}   [{used}]")
    if len(d.variables) > limit:
        lines.append(f"    … and {len(d.variables) - limit} more")
    per_table = ", ".join(
        f"{d.labels.get(f'tbl-{t.id}', ('', ''))[0] or t.id} ({t.change_count()})" for t in d.tables
    )
    lines.append(
        f"  table cells changed: {ncells}"
        + (f" (+{nrows} rows added/removed)" if nrows else "")
        + f" in {len(d.tables)} tables"
        + (f": {per_table}" if per_table else "")
    )
    figs = ", ".join(f"{d.labels.get(f'fig-{f.id}', ('', ''))[0] or f.id}" for f in d.figures)
    lines.append(f"  figures with changed data: {len(d.figures)}" + (f": {figs}" if figs else ""))
    if d.images_only:
        lines.append(f"  figures with changed image only: {', '.join(d.images_only)}")
    secs = ", ".join(f"{s.page}#{s.id}" for s in d.sections)
    lines.append(f"  sections with changed text: {len(d.sections)}" + (f": {secs}" if secs else ""))
    lines.append(
        "  inputs changed: "
        + (", ".join(c.path for c in p.inputs) or "none")
        + "; scripts/modules "
        "changed: " + (", ".join(c.path for c in p.code) or "none")
    )
    params = sorted({f"{c.job}:{c.key}" for c in p.params})
    lines.append(
        f"  parameters changed: {', '.join(params) or 'none'}; job records that differ: "
        f"{len(p.jobs_changed)}"
    )
    return "\n".join(lines)
