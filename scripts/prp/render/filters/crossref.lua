--[[
crossref.lua -- book structure, numbering and cross-references (runs after
source.lua and before --citeproc).

* Chapters: every top-level level-1 heading starts a chapter. Chapters of kind
  "chapter" are numbered 1, 2, ...; "appendix" chapters A, B, ...; the front
  page ("index") and headings with class .unnumbered are not numbered. A
  numbered heading reads "<ch-prefix> 1. Title" (e.g. "Part 1. Background").
* Figures (Figure blocks with an id "fig-...") and tables (id "tbl-...", also
  from a literal "{#tbl-...}" left in a caption, or a Quarto `::: {#tbl-...}`
  div) are numbered <chapter>.<n> ("Figure 3.1"); in unnumbered chapters the
  number runs over the whole book ("Figure 1"). Captions get "Figure 3.1: ".
* @fig-x, [@fig-x], -@fig-x (and tbl-, sec-) become links; @sec- to a numbered
  chapter gives "Part 1", to anything else the section title. Any reference
  that does not resolve is an error listing all of them. Other citations are
  left for citeproc.
* Links to .qmd files become links to that chapter's heading (or anchor).
* A "References" chapter holding ::: {#refs} is appended when the book cites
  works and has no refs div of its own.
* The chapter markers written by source.lua become attributes of the chapter
  heading (prp-file, prp-kind, prp-part) and are removed.

Labels come from the metadata map `prp-crossref` (ch-prefix, apx-prefix,
fig-prefix, tbl-prefix, title-delim, references-title).

The registry (for the watcher's one-page preview, prp.render.preview):
* PRP_CROSSREF_SAVE=<file>: the whole book's registry is written there as
  JSON after numbering: per chapter file its heading id, number, position and
  the counters before it; per referencable id its kind, number, label, title
  (pandoc JSON) and chapter file; every id with its chapter file.
* PRP_CROSSREF_LOAD=<file>: the document holds only some of the book's
  chapters; they are numbered from the counters saved for them, and
  references to the other chapters resolve from the saved registry, to the
  same numbers and labels as in the whole book.
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

local XREF_KINDS = { fig = true, tbl = true, sec = true }

local function xref_id(id)
  local kind = id:match('^(%a+)%-')
  if not kind then return nil end
  local lower = kind:lower()
  if not XREF_KINDS[lower] then return nil end
  -- Quarto allows @Fig-x to capitalise; ids themselves are lower case.
  return lower .. id:sub(#kind + 1), lower
end

local function words(text)
  local out = pandoc.Inlines({})
  for w in text:gmatch('%S+') do
    if #out > 0 then out:insert(pandoc.Space()) end
    out:insert(pandoc.Str(w))
  end
  return out
end

local function letter(n)
  local s = ''
  while n > 0 do
    local r = (n - 1) % 26
    s = string.char(65 + r) .. s
    n = (n - 1 - r) // 26
  end
  return s
end

--- Quarto figure/table syntaxes pandoc does not turn into Figure/Table ids.
local function normalise(blocks)
  return blocks:walk({
    Table = function(tbl)
      if tbl.identifier ~= '' then return nil end
      local long = tbl.caption.long
      local last = long[#long]
      if not last or not last.content then return nil end
      local inl = last.content
      local tail = inl[#inl]
      if tail and tail.t == 'Str' then
        local id = tail.text:match('^{#(tbl%-[^%s}]+)}$')
        if id then
          inl:remove(#inl)
          while #inl > 0 and (inl[#inl].t == 'Space' or inl[#inl].t == 'SoftBreak') do inl:remove(#inl) end
          tbl.identifier = id
          return tbl
        end
      end
    end,
    Div = function(div)
      local id = div.identifier
      if id:match('^fig%-') and #div.content >= 2 then
        local last = div.content[#div.content]
        if last.t ~= 'Para' and last.t ~= 'Plain' then return nil end
        local body = pandoc.Blocks({ table.unpack(div.content, 1, #div.content - 1) })
        return pandoc.Figure(body, { long = { pandoc.Plain(last.content) } },
          pandoc.Attr(id, div.classes, div.attributes))
      elseif id:match('^tbl%-') then
        local tables = 0
        for _, b in ipairs(div.content) do if b.t == 'Table' then tables = tables + 1 end end
        if tables ~= 1 then return nil end
        local out, caption = pandoc.Blocks({}), nil
        local last = div.content[#div.content]
        if last.t == 'Para' then caption = last.content end
        for _, b in ipairs(div.content) do
          if b.t == 'Table' then
            b.identifier = id
            if caption and #b.caption.long == 0 then b.caption.long = { pandoc.Plain(caption) } end
            out:insert(b)
          elseif not (caption and b == last) then
            out:insert(b)
          end
        end
        return out
      end
    end,
  })
end

-- typst: floats and references as Quarto writes them (layout/typst.lua,
-- crossref/refs.lua), so that the report template numbers them.
local KIND = { fig = 'quarto-float-fig', tbl = 'quarto-float-tbl' }

local function typst_float(el, kind, prefix)
  local id = el.identifier
  local caption = pandoc.Blocks(el.caption.long)
  local body
  if el.t == 'Table' then
    el.caption = pandoc.Caption()
    el.identifier = ''
    body = pandoc.Blocks({ el })
  else
    body = el.content
  end
  local out = pandoc.Blocks({ pandoc.RawBlock('typst', '#figure([') })
  out:extend(body)
  out:insert(pandoc.RawBlock('typst', '], caption: figure.caption(position: '
    .. (kind == 'tbl' and 'top' or 'bottom') .. ', ['))
  out:extend(caption)
  out:insert(pandoc.RawBlock('typst', ']), kind: "' .. KIND[kind] .. '", supplement: "'
    .. prefix .. '")<' .. id .. '>'))
  return out
end

local function read_json(path)
  local fh = io.open(path, 'rb')
  if not fh then U.fail('cannot read the cross-reference registry ' .. path) end
  local data = pandoc.json.decode(fh:read('a'), false)
  fh:close()
  return data
end

local function write_json(path, data)
  local fh = io.open(path, 'wb')
  if not fh then U.fail('cannot write the cross-reference registry ' .. path) end
  fh:write(pandoc.json.encode(data))
  fh:close()
end

local function copy_counts(c)
  -- integers (JSON numbers come back as floats: 3.0 + 1 would print "4.0")
  local function int(v) return math.tointeger(v) or v end
  return { chapter = int(c.chapter), appendix = int(c.appendix), fig = int(c.fig), tbl = int(c.tbl) }
end

local function prefix_caption(long, label)
  if #long == 0 then
    long:insert(pandoc.Plain({}))
  end
  local first = long[1]
  if not first.content then
    long:insert(1, pandoc.Plain({}))
    first = long[1]
  end
  local lead = pandoc.Span(words(label), pandoc.Attr('', { 'prp-caption-label' }))
  if #first.content > 0 then
    first.content:insert(1, pandoc.Space())
  end
  first.content:insert(1, lead)
end

function Pandoc(doc)
  local meta_cfg = doc.meta['prp-crossref'] or {}
  local function cfg(key, default)
    local v = U.meta_string(meta_cfg[key])
    if v == nil or v == '' then return default end
    return v
  end
  local CH = cfg('ch-prefix', 'Chapter')
  local APX = cfg('apx-prefix', 'Appendix')
  local PREFIX = { fig = cfg('fig-prefix', 'Figure'), tbl = cfg('tbl-prefix', 'Table') }
  local DELIM = cfg('title-delim', ':')
  local REFS_TITLE = cfg('references-title', 'References')

  local blocks = normalise(doc.blocks)

  -- Pass 1: chapters, numbers and the registry of referencable ids.
  local refs, chapter_ids, seen = {}, {}, {}
  local items = {}          -- { block = ..., file = ... } without markers
  local marker = nil        -- current chapter marker
  local awaiting_heading = false
  local part_pending = nil
  local chapter = nil       -- { num = '1' | nil, fig = 0, tbl = 0 }
  local counts = { chapter = 0, appendix = 0, fig = 0, tbl = 0 }
  local saved_chapters = {} -- file -> { id, num, index, counts } (PRP_CROSSREF_SAVE)
  local known = {}          -- ids of the chapters not in this document (PRP_CROSSREF_LOAD)
  local registry = nil
  local load_path = os.getenv('PRP_CROSSREF_LOAD')
  if load_path and load_path ~= '' then
    registry = read_json(load_path)
    local here, first = {}, nil
    for _, block in ipairs(blocks) do
      if block.t == 'Div' and block.classes:includes('prp-chapter') then
        local f = block.attributes.file
        local saved = registry.chapters[f]
        if not saved then U.fail(f .. ': not in the cross-reference registry of the last build') end
        here[f] = true
        if not first or saved.index < first then first = saved.index end
      end
    end
    for id, r in pairs(registry.refs) do
      if not here[r.file] then
        refs[id] = { kind = r.kind, num = r.num, label = r.label, prefix = r.prefix, file = r.file,
          title = r.title and pandoc.Inlines(pandoc.json.decode(r.title)) or nil }
      end
    end
    for id, f in pairs(registry.ids) do
      local ch = registry.chapters[f]
      if not here[f] then
        known[id] = f
        -- ids before the first chapter here were seen when the book reached it
        if ch and first and ch.index < first then seen[id] = f end
      end
    end
    for f, ch in pairs(registry.chapters) do
      if not here[f] and ch.id then chapter_ids[f] = ch.id end
    end
  end
  local n_chapters = 0

  local function check_heading_found()
    if marker and awaiting_heading and marker.attributes.kind ~= 'index' then
      U.fail(string.format('%s: chapter has no level-1 heading ("# Title {#sec-id}")',
        marker.attributes.file))
    end
  end

  local function unique(id, file, strict)
    if id == '' then return id end
    if not seen[id] then seen[id] = file or true return id end
    if strict then U.fail(string.format('%s: duplicate id "#%s"', file, id)) end
    local n = 1
    while seen[id .. '-' .. n] do n = n + 1 end
    seen[id .. '-' .. n] = file or true
    return id .. '-' .. n
  end

  local function number_item(kind)
    if chapter and chapter.num then
      chapter[kind] = chapter[kind] + 1
      return chapter.num .. '.' .. chapter[kind]
    end
    counts[kind] = counts[kind] + 1
    return tostring(counts[kind])
  end

  -- A figure or table whose id has the kind's prefix (fig-, tbl-) gets the
  -- next number of its kind in the current chapter.
  local function number_float(el, kind, file)
    if el.identifier:match('^' .. kind .. '%-') then
      unique(el.identifier, file, true)
      local num = number_item(kind)
      refs[el.identifier] = { kind = kind, num = num, label = PREFIX[kind] .. ' ' .. num, file = file }
    end
  end

  local function record(block, file)
    return pandoc.Blocks({ block }):walk({
      traverse = 'topdown',
      Header = function(h)
        h.identifier = unique(h.identifier, file, h.identifier:match('^sec%-') ~= nil)
        if h.identifier ~= '' then
          local r = refs[h.identifier] or { kind = 'sec', title = h.content:clone(), file = file }
          refs[h.identifier] = r
        end
        return h
      end,
      Figure = function(f) number_float(f, 'fig', file) end,
      Div = function(d)
        if d.identifier ~= '' then seen[d.identifier] = file end
      end,
      Span = function(s)
        if s.identifier ~= '' then seen[s.identifier] = file end
      end,
      Table = function(t) number_float(t, 'tbl', file) end,
    })[1]
  end

  for _, block in ipairs(blocks) do
    if block.t == 'Div' and block.classes:includes('prp-chapter') then
      check_heading_found()
      marker = block
      awaiting_heading = true
      local f = block.attributes.file
      n_chapters = n_chapters + 1
      if registry then counts = copy_counts(registry.chapters[f].counts) end
      saved_chapters[f] = { index = n_chapters, counts = copy_counts(counts) }
      local part = block.attributes.part
      if part and part ~= '' then part_pending = part end
    else
      local file = marker and marker.attributes.file or '(book)'
      if block.t == 'Header' and block.level == 1 then
        local kind = marker and marker.attributes.kind or 'chapter'
        local num, prefix = nil, nil
        if kind == 'index' or block.classes:includes('unnumbered') then
          num = nil
        elseif kind == 'appendix' then
          counts.appendix = counts.appendix + 1
          num, prefix = letter(counts.appendix), APX
        else
          counts.chapter = counts.chapter + 1
          num, prefix = tostring(counts.chapter), CH
        end
        chapter = { num = num, fig = 0, tbl = 0 }
        block = record(block, file)
        local r = refs[block.identifier]
        if r and num then
          r.num, r.label, r.prefix = num, prefix .. ' ' .. num, prefix
        end
        block.attributes['prp-file'] = file
        block.attributes['prp-kind'] = kind
        if num then block.attributes['prp-number'] = num end
        if part_pending then
          block.attributes['prp-part'] = part_pending
          part_pending = nil
        end
        if awaiting_heading and marker then
          chapter_ids[marker.attributes.file] = block.identifier
          saved_chapters[marker.attributes.file].id = block.identifier
          saved_chapters[marker.attributes.file].num = num
          awaiting_heading = false
        end
      else
        block = record(block, file)
      end
      items[#items + 1] = { block = block, file = file }
    end
  end
  check_heading_found()

  local save_path = os.getenv('PRP_CROSSREF_SAVE')
  if save_path and save_path ~= '' then
    local out = { chapters = saved_chapters, refs = {}, ids = {} }
    for id, r in pairs(refs) do
      out.refs[id] = { kind = r.kind, num = r.num, label = r.label, prefix = r.prefix,
        file = r.file, title = r.title and pandoc.json.encode(r.title) or nil }
    end
    for id, f in pairs(seen) do
      if type(f) == 'string' then out.ids[id] = f end
    end
    write_json(save_path, out)
  end

  -- Pass 2: heading and caption labels, reference links.
  local unresolved = pandoc.List({})
  local cites_left = false

  local function resolve_cite(cite, file)
    local n_xref = 0
    for _, c in ipairs(cite.citations) do
      if xref_id(c.id) then n_xref = n_xref + 1 end
    end
    if n_xref == 0 then
      cites_left = true
      return nil
    end
    -- Cross-references become links; real citations in the same Cite (as in
    -- "@tbl-x [@smith]") stay citations, grouped, for citeproc.
    local out = pandoc.Inlines({})
    local group = pandoc.List({})
    local last = nil -- 'xref' | 'cite'
    local function flush_group()
      if #group == 0 then return end
      if last then out:insert(pandoc.Space()) end
      local text = {}
      for _, c in ipairs(group) do text[#text + 1] = '@' .. c.id end
      out:insert(pandoc.Cite({ pandoc.Str('[' .. table.concat(text, '; ') .. ']') }, group))
      group = pandoc.List({})
      cites_left = true
      last = 'cite'
    end
    for _, c in ipairs(cite.citations) do
      local id = xref_id(c.id)
      if not id then
        group:insert(c)
      else
        flush_group()
        local r = refs[id]
        if not r then
          unresolved:insert(string.format('@%s (%s)', c.id, file))
        else
          if last == 'xref' then
            out:extend({ pandoc.Str(','), pandoc.Space() })
          elseif last == 'cite' then
            out:insert(pandoc.Space())
          end
          if #c.prefix > 0 then
            out:extend(c.prefix)
            out:insert(pandoc.Space())
          end
          local text
          if r.label then
            text = words(c.mode == 'SuppressAuthor' and r.num or r.label)
          else
            text = r.title:clone()
          end
          if U.format == 'pdf' and r.kind ~= 'sec' then
            -- numbered by the typst template, like Quarto's #ref(<id>, supplement: [...])
            out:insert(pandoc.RawInline('typst', '#ref(<' .. id .. '>, supplement: ['
              .. (c.mode == 'SuppressAuthor' and '' or PREFIX[r.kind]) .. '])'))
          else
            out:insert(pandoc.Link(text, '#' .. id, '', pandoc.Attr('', { 'quarto-xref' })))
          end
          if #c.suffix > 0 then out:extend(c.suffix) end
          last = 'xref'
        end
      end
    end
    flush_group()
    return out
  end

  local function resolve_link(link, file)
    local target_file = link.attributes['prp-qmd']
    if not target_file then return nil end
    local anchor = link.attributes['prp-anchor']
    link.attributes['prp-qmd'], link.attributes['prp-from'], link.attributes['prp-anchor'] = nil, nil, nil
    local id = anchor
    if not id then
      id = chapter_ids[target_file]
    elseif not (seen[id] or known[id]) then
      id = nil
    end
    if not id then
      unresolved:insert(string.format('link to %s%s (%s): not part of this edition', target_file,
        anchor and ('#' .. anchor) or '', file))
      return link
    end
    link.target = '#' .. id
    return link
  end

  local out = pandoc.Blocks({})
  for _, item in ipairs(items) do
    local file = item.file
    local block = pandoc.Blocks({ item.block }):walk({
      Cite = function(c) return resolve_cite(c, file) end,
      Link = function(l) return resolve_link(l, file) end,
      Figure = function(f)
        local r = refs[f.identifier]
        if r and r.kind == 'fig' then
          if U.format == 'pdf' then return typst_float(f, 'fig', PREFIX.fig) end
          prefix_caption(f.caption.long, r.label .. DELIM)
          return f
        end
      end,
      Table = function(t)
        local r = refs[t.identifier]
        if r and r.kind == 'tbl' then
          if U.format == 'pdf' then return typst_float(t, 'tbl', PREFIX.tbl) end
          prefix_caption(t.caption.long, r.label .. DELIM)
          return t
        end
      end,
    })
    for _, b in ipairs(block) do
      -- Chapter labels ("Part 1.") are the prp extension's (HTML) and the
      -- typst template's (PDF). typst: a part divider as Quarto's book
      -- assembly writes it, ::: {.quarto-book-part} with the part heading.
      if U.format == 'pdf' and b.t == 'Header' and b.level == 1 and b.attributes['prp-part'] then
        out:insert(pandoc.Div({ pandoc.Header(1, pandoc.read(b.attributes['prp-part'], 'markdown').blocks[1].content,
          pandoc.Attr('', { 'unnumbered' })) }, pandoc.Attr('', { 'quarto-book-part' })))
      end
      out:insert(b)
    end
  end

  if #unresolved > 0 then
    U.fail('unresolved cross-reference(s): ' .. table.concat(unresolved, '; '))
  end

  -- References chapter, unless the book places ::: {#refs} itself.
  local has_refs = false
  out:walk({ Div = function(d) if d.identifier == 'refs' then has_refs = true end end })
  if not has_refs and cites_left and doc.meta.bibliography then
    local h = pandoc.Header(1, words(REFS_TITLE),
      pandoc.Attr(unique('references', '(book)', false), { 'unnumbered' },
        { ['prp-kind'] = 'references', ['prp-file'] = '(references)' }))
    out:insert(h)
    out:insert(pandoc.Div({}, pandoc.Attr('refs', { 'references', 'csl-bib-body' })))
  end

  doc.blocks = out
  return doc
end
