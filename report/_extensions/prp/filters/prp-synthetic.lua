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
-- wraps the shortcode's output once more) is one value: keep the inner one.
local function single_spans(doc)
  return doc:walk({
    Span = function(sp)
      local inner = sp.content[1]
      if sp.classes:includes('prp-var') and #sp.content == 1 and inner.t == 'Span'
          and inner.classes:includes('prp-var')
          and inner.attributes['data-var'] == sp.attributes['data-var'] then
        return inner
      end
    end,
  })
end

function Pandoc(doc)
  local cfg = settings(doc.meta)
  if not cfg then return nil end
  doc = single_spans(doc)
  local noted = false  -- a footnote already explains the mark in this chapter

  local function mark_inlines(inlines, notes_allowed)
    local out, changed = pandoc.Inlines({}), false
    for _, el in ipairs(inlines) do
      out:insert(el)
      if el.t == 'Span' and el.classes:includes('prp-var')
          and cfg.names[el.attributes['data-var'] or ''] then
        local with_note = notes_allowed and not noted
        if with_note then noted = true end
        out:insert(marker(cfg, with_note))
        changed = true
      end
    end
    if changed then return out end
  end

  local function without_notes(el)
    return el:walk({ Inlines = function(inl) return mark_inlines(inl, false) end }), false
  end

  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Header' and block.level == 1 then noted = false end
    blocks:insert(block:walk({
      traverse = 'topdown',
      Figure = without_notes,
      Table = without_notes,
      Header = without_notes,
      Inlines = function(inl) return mark_inlines(inl, true) end,
    }))
  end
  doc.blocks = blocks
  return doc
end
