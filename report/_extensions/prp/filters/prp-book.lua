--[[
prp-book.lua -- PRP format, entry point post-quarto (after crossref numbering).

HTML
  * a figure's image links to its SVG (opens full size); tables of running
    text get class prp-stack and per-cell column labels (stacked on a phone);
  * chapter titles read "Part 1. Title" / "Appendix A. Title": Quarto puts a
    chapter's heading into the page title (meta.title), the fallback keeps it
    as the level-1 heading of the chapter (attribute prp-file); both are
    rewritten here from the book index;
  * the edition marking (edition.marking) opens and closes every page
    (include-before, include-after; on paper it heads and foots every
    printed page) and prefixes every page's <title> (title-prefix);
  * the front page carries the 2018 title-page facts (report:) above its text
    and the participants, ISBN, copyright and edition note below it; its
    own level-1 heading becomes a level-2 heading under the book's title.
typst
  * each chapter opens with #prp-chapter-break() (pending floats placed, new
    page);
  * part dividers (::: {.quarto-book-part}) become #prp-part[Title]; the
    appendices divider becomes #prp-appendices[Appendices] (a part page that
    also switches chapter numbering to letters);
  * source lines (::: {.source-note}) become #prp-source[...];
  * a figure or table followed by its source line becomes one unit,
    #prp-float(kind: "fig"|"tbl")[figure + source line], which the template
    keeps together (figures float, short tables never break);
  * the provenance appendix's record markers (Div.prp-provenance-ref, whose
    records only the HTML edition shows) are dropped.
]]

local L = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'prp-lib.lua' }))

local function chapter_label_span(entry)
  return pandoc.Span(L.words(entry.label .. '.'), pandoc.Attr('', { 'chapter-number' }))
end

-- HTML: the chapter heading of a Quarto page lives in meta.title.
local function quarto_page_title(meta, idx)
  local file = L.current_file()
  local entry = file and idx.files[file]
  if not (entry and entry.label) then return end
  local title = pandoc.Inlines({ chapter_label_span(entry), pandoc.Space(),
    pandoc.Span(L.title_of(entry), pandoc.Attr('', { 'chapter-title' })) })
  meta.title = pandoc.Inlines({ pandoc.Span(title,
    pandoc.Attr(entry.id or '', { 'quarto-section-identifier' })) })
  meta.pagetitle = pandoc.Inlines(L.words(entry.label .. '. ' .. pandoc.utils.stringify(L.title_of(entry))))
end

local function is_front_page(idx)
  local file = L.current_file()
  return file ~= nil and idx.order[1] ~= nil and idx.order[1].file == file
end

local function facts_blocks(meta)
  local r = meta.report or {}
  local top, bottom = pandoc.Blocks({}), pandoc.Blocks({})
  local series = L.str(r.series)
  if series then
    local num = L.str(r.number)
    top:insert(pandoc.Para(L.words(series .. (num and (' No. ' .. num) or ''))))
  end
  local lines = {}
  if r.director then lines[#lines + 1] = 'Project directed by ' .. L.str(r.director) end
  local place = {}
  for _, k in ipairs({ 'school', 'university' }) do
    if r[k] then place[#place + 1] = L.str(r[k]) end
  end
  if #place > 0 then lines[#lines + 1] = table.concat(place, ', ') end
  if r.period then lines[#lines + 1] = L.str(r.period) end
  if meta.edition and meta.edition.name then lines[#lines + 1] = L.str(meta.edition.name) end
  for _, line in ipairs(lines) do top:insert(pandoc.Para(L.words(line))) end
  if r.participants then
    bottom:insert(pandoc.Header(2, L.words('Project participants'),
      pandoc.Attr('participants-title', { 'unnumbered', 'unlisted' })))
    local items = {}
    for _, p in ipairs(r.participants) do items[#items + 1] = { pandoc.Plain(L.words(L.str(p))) } end
    bottom:insert(pandoc.BulletList(items))
  end
  if r.isbn then bottom:insert(pandoc.Para(L.words('ISBN ' .. L.str(r.isbn) .. ' (2018 print edition)'))) end
  if r.copyright then bottom:insert(pandoc.Para(L.words(L.str(r.copyright)))) end
  if r.note then bottom:insert(pandoc.Para(L.words(L.str(r.note)))) end
  return pandoc.Div(top, pandoc.Attr('', { 'prp-title-facts' })),
    pandoc.Div(bottom, pandoc.Attr('', { 'prp-participants' }))
end

-- HTML: a figure's image opens full size (a link to its SVG).
local function full_size(img)
  if not img.src:match('%.svg$') then return nil end
  return pandoc.Link({ img }, img.src, 'Open the figure full size',
    pandoc.Attr('', { 'prp-figure-full' }))
end

-- HTML: a table of running text (three columns or more, some cell longer
-- than STACK_CHARS) is stacked on a phone: class prp-stack, and every body
-- cell carries its column's heading (data-label) for the style sheet.
local STACK_CHARS = 80
local function stackable(tbl)
  local head = tbl.head and tbl.head.rows and tbl.head.rows[1]
  if not head or #head.cells < 3 then return nil end
  local labels, long = {}, false
  for i, cell in ipairs(head.cells) do labels[i] = pandoc.utils.stringify(cell.contents) end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      for i, cell in ipairs(row.cells) do
        if #pandoc.utils.stringify(cell.contents) > STACK_CHARS then long = true end
        if labels[i] and labels[i] ~= '' then cell.attributes['data-label'] = labels[i] end
      end
    end
  end
  if not long then return nil end
  tbl.classes:insert('prp-stack')
  return tbl
end

local function html(doc)
  doc.blocks = doc.blocks:walk({
    Figure = function(fig) return fig:walk({ Image = full_size }) end,
    Table = stackable,
  })
  local meta = doc.meta
  local idx = L.book_index(meta)
  if L.in_quarto then quarto_page_title(meta, idx) end

  local marking = meta.edition and L.str(meta.edition.marking)
  if marking and marking ~= '' then
    local inc = meta['include-before'] or pandoc.List({})
    if pandoc.utils.type(inc) ~= 'List' then inc = pandoc.List({ inc }) end
    inc:insert(pandoc.Blocks({ pandoc.RawBlock('html',
      '<div class="prp-edition-marking" role="note">' .. L.html_escape(marking) .. '</div>') }))
    meta['include-before'] = inc
    -- and closes it (on paper: every printed page, head and foot)
    local after = meta['include-after'] or pandoc.List({})
    if pandoc.utils.type(after) ~= 'List' then after = pandoc.List({ after }) end
    after:insert(pandoc.Blocks({ pandoc.RawBlock('html',
      '<div class="prp-edition-marking prp-edition-marking-foot" role="note">' .. L.html_escape(marking) .. '</div>') }))
    meta['include-after'] = after
    -- <title>: the fallback's page template prints title-prefix; Quarto
    -- passes the book title as title-prefix (except on the front page), so
    -- there the marking goes in front of pagetitle instead.
    if not L.in_quarto then meta['title-prefix'] = pandoc.Inlines(L.words(marking)) end
    if L.in_quarto then
      local page = meta.pagetitle or meta.title
      local text = page and pandoc.utils.stringify(page) or ''
      meta.pagetitle = pandoc.Inlines(L.words(marking .. (text ~= '' and (' – ' .. text) or '')))
    end
  end

  local top, bottom = facts_blocks(meta)
  local blocks = pandoc.Blocks({})
  local quarto_front = L.in_quarto and is_front_page(idx)
  if quarto_front then blocks:insert(top) end
  local front_open = false
  for _, b in ipairs(doc.blocks) do
    if quarto_front and b.t == 'Header' and b.level == 1 then
      -- the front page's own heading sits under the book's title
      b.level = 2
      b.classes:insert('front-heading')
      quarto_front = false
    elseif b.t == 'Header' and b.level == 1 and b.attributes['prp-file'] then
      -- fallback: one document, chapters marked by their level-1 headings
      if front_open then blocks:insert(bottom) front_open = false end
      local entry = idx.files[b.attributes['prp-file']]
      if b.attributes['prp-kind'] == 'index' then
        blocks:insert(top)
        front_open = true
        b.level = 2 -- the front page's own heading sits under the book's title
        b.classes:insert('front-heading')
      elseif entry and entry.label then
        b.content:insert(1, pandoc.Space())
        b.content:insert(1, chapter_label_span(entry))
      end
    end
    blocks:insert(b)
  end
  if front_open or (L.in_quarto and is_front_page(idx)) then blocks:insert(bottom) end
  doc.blocks = blocks
  return doc
end

-- The kind ("fig"/"tbl") of the float that opens at blocks[i] and the index
-- of its last block: the fallback writes a float as raw typst around its
-- content ("#figure([" ... "]), kind: \"quarto-float-tbl\" ..."); Quarto, at
-- this entry point, as one FloatRefTarget custom node.
local function float_at(blocks, i)
  local b = blocks[i]
  local attrs = b.attributes
  if attrs and attrs.__quarto_custom == 'true' and attrs.__quarto_custom_type == 'FloatRefTarget' then
    -- Quarto: the float is a custom node; its data hold the id (Quarto's
    -- internal AST module reaches an extension's filters as quarto._quarto)
    local Q = quarto and quarto._quarto
    local float = Q and Q.ast.resolve_custom_data(b)
    local kind = float and (float.identifier or ''):match('^(%a+)%-')
    return (kind == 'tbl' or kind == 'fig') and kind or nil, i
  end
  if not (b.t == 'RawBlock' and b.format == 'typst' and b.text:match('^#figure%(%[')) then return nil end
  for j = i + 1, #blocks do
    local e = blocks[j]
    if e.t == 'RawBlock' and e.format == 'typst' then
      local kind = e.text:match('kind: "quarto%-float%-(%a+)"')
      if kind then return kind, j end
      if e.text:match('^#figure%(%[') then return nil end
    end
  end
  return nil
end

local function is_source_note(b)
  return b ~= nil and b.t == 'Div' and b.classes:includes('source-note')
end

-- Each float with the source line that follows it as one #prp-float[...].
local function group_floats(blocks)
  local out = pandoc.Blocks({})
  local i = 1
  while i <= #blocks do
    local kind, last = float_at(blocks, i)
    if kind and is_source_note(blocks[last + 1]) then
      out:insert(pandoc.RawBlock('typst', '#prp-float(kind: "' .. kind .. '")['))
      for j = i, last + 1 do out:insert(blocks[j]) end
      out:insert(pandoc.RawBlock('typst', ']'))
      i = last + 2
    else
      out:insert(blocks[i])
      i = i + 1
    end
  end
  return out
end

local function typst(doc)
  local idx = L.book_index(doc.meta)
  doc.meta['prp-labels'] = {
    chapter = pandoc.Inlines(L.words(L.label(doc.meta, 'crossref-ch-prefix', 'Chapter'))),
    appendix = pandoc.Inlines(L.words(L.label(doc.meta, 'crossref-apx-prefix', 'Appendix'))),
  }
  local first = idx.first_appendix and idx.files[idx.first_appendix]
  local first_id = first and first.id
  local apx_title = idx.appendix_title or L.label(doc.meta, 'section-title-appendices', 'Appendices')
  -- Quarto wraps each part divider of book.render (parts, and the
  -- "Appendices" divider) in ::: {.quarto-book-part} with a level-1 heading;
  -- the fallback's book assembly writes the same.
  local out = pandoc.Blocks({})
  local opened = false
  local function typst_inlines(inlines)
    return (pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'typst'):gsub('%s+$', ''))
  end
  for _, b in ipairs(doc.blocks) do
    if b.t == 'Div' and b.classes:includes('quarto-book-part') then
      local title = nil
      b:walk({ Header = function(h) if not title then title = h.content end end })
      if not title then
        -- nothing to show (e.g. a divider of a format without parts)
      elseif not opened and pandoc.utils.stringify(title) == apx_title then
        out:insert(pandoc.RawBlock('typst', '#prp-appendices[' .. typst_inlines(title) .. ']'))
        opened = true
      else
        out:insert(pandoc.RawBlock('typst', '#prp-part[' .. typst_inlines(title) .. ']'))
      end
    else
      if b.t == 'Header' and b.level == 1 and not opened and first_id and b.identifier == first_id then
        out:insert(pandoc.RawBlock('typst', '#prp-appendices[' .. apx_title .. ']'))
        opened = true
      end
      if b.t == 'Header' and b.level == 1 then out:insert(pandoc.RawBlock('typst', '#prp-chapter-break()')) end
      out:insert(b)
    end
  end
  doc.blocks = group_floats(out):walk({
    Div = function(d)
      if d.classes:includes('prp-provenance-ref') then return {} end
      if not d.classes:includes('source-note') then return nil end
      local blocks = pandoc.Blocks({ pandoc.RawBlock('typst', '#prp-source[') })
      blocks:extend(d.content)
      blocks:insert(pandoc.RawBlock('typst', ']'))
      return blocks
    end,
  })
  return doc
end

function Pandoc(doc)
  if L.is_typst() then return typst(doc) end
  if L.is_html() then return html(doc) end
  return doc
end
