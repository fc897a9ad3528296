--[[
prp-synthetic.lua -- PRP format, both outputs, entry point pre-render: a
visible marker on every number computed from synthetic data.

Self-contained: it reads only the document metadata key `prp-synthetic`,

    prp-synthetic:
      note: "Computed from the synthetic stand-in ..."   # tooltip / footnote text
      variables: [events.n_events, restricted_events.n_victims, ...]

which the pipeline writes into the render tree as `_synthetic.yml`
(render_edition, from the data package's `x-synthetic` flags and the
provenance of each variable) and which `_quarto.yml` lists under
`metadata-files` (Quarto merges it; the pandoc renderer passes it with
`--metadata-file`). Dropping in real data empties the list, and the markers go.

It acts on the values the `var` shortcode inserted as `Span.prp-var` with the
variable's name in `data-var`: the fallback's source.lua leaves them so, and
for Quarto (whose built-in `var` yields plain text) the pipeline writes each
shortcode of the render tree inside such a span (render_edition,
``quarto_var_spans``). It runs before prp-provenance.lua, which turns those
spans into links in HTML. After each marked value it inserts a double dagger (‡):
  * HTML: `<span class="prp-synthetic" title="<note>"><sup>‡</sup></span>`
    (the tooltip names the synthetic stand-in);
  * PDF: a superscript ‡; the first one of each chapter also carries a
    footnote with the note, so a printed page explains the mark. That
    footnote has no number (the ‡ marks it) and does not count, so the
    numbered notes of a chapter read the same in the PDF and in HTML.
Values inside figures, tables and headings get the mark only (no footnote
there).
]]

local L = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'prp-lib.lua' }))

local MARK = '‡'  -- double dagger: the List of Acronyms already uses the dagger

local function settings(meta)
  local cfg = meta['prp-synthetic']
  if not cfg then return nil end
  local names = {}
  local count = 0
  for _, v in ipairs(cfg.variables or {}) do
    names[pandoc.utils.stringify(v)] = true
    count = count + 1
  end
  if count == 0 then return nil end
  local note = cfg.note and pandoc.utils.stringify(cfg.note) or ''
  if note == '' then error('PRP-RENDER-ERROR: prp-synthetic: a note is needed to explain the marker') end
  return { names = names, note = note }
end

local function marker(cfg, with_note)
  local sup = pandoc.Superscript({ pandoc.Str(MARK) })
  if L.is_html() then
    return pandoc.Span({ sup }, pandoc.Attr('', { 'prp-synthetic' },
      { { 'title', cfg.note }, { 'aria-label', cfg.note } }))
  end
  if with_note then
    -- a footnote without a number of its own (the ‡ is its mark), so that
    -- the numbered notes count the same in the PDF as on the HTML pages
    -- (before the mark: typst drops the space that follows a footnote)
    local text = pandoc.Inlines({ pandoc.RawInline('typst', '#footnote(numbering: _ => [])['),
      pandoc.Str(MARK), pandoc.Space() })
    text:extend(pandoc.Inlines(cfg.note))
    text:insert(pandoc.RawInline('typst', ']#counter(footnote).update(n => n - 1)'))
    return pandoc.Span({ pandoc.Span(text), sup })
  end
  return sup
end

-- A value span inside another of the same variable (Quarto's typst path
-- wraps the shortcode's output once more) is one value: the inner one.
local function single(sp)
  local inner = sp.content[1]
  if #sp.content == 1 and inner.t == 'Span' and sp.classes:includes('prp-var')
      and inner.classes:includes('prp-var')
      and inner.attributes['data-var'] == sp.attributes['data-var'] then
    return inner
  end
  return sp
end

-- One pass over the document, top down so that an outer value span is met
-- before the one it wraps; only spans and the elements that take no
-- footnote call into Lua (a filter on every list of inlines cost the book's
-- render half a second per pass).
function Pandoc(doc)
  local cfg = settings(doc.meta)
  if not cfg then return nil end
  local noted = false  -- a footnote already explains the mark in this chapter

  local function value_span(notes_allowed)
    return function(sp)
      local one = single(sp)
      if one.classes:includes('prp-var') and cfg.names[one.attributes['data-var'] or ''] then
        local with_note = notes_allowed and not noted
        if with_note then noted = true end
        return pandoc.Inlines({ one, marker(cfg, with_note) })
      end
      if one ~= sp then return one end
    end
  end

  local marks_only = { traverse = 'topdown', Span = value_span(false) }
  local function without_notes(el)
    return el:walk(marks_only), false
  end
  local filter = {
    traverse = 'topdown',
    Figure = without_notes,
    Table = without_notes,
    Header = without_notes,
    Span = value_span(true),
  }

  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Header' and block.level == 1 then noted = false end
    -- (a walk goes below the block it starts from: a heading, figure or
    -- table at the top level is its own case)
    if block.t == 'Header' or block.t == 'Figure' or block.t == 'Table' then
      blocks:insert((without_notes(block)))
    else
      blocks:insert(block:walk(filter))
    end
  end
  doc.blocks = blocks
  return doc
end
