--[[
prp-pre.lua -- PRP format, entry point pre-quarto (before crossref numbering).

* @sec- references get the 2018 wording in every format and on every page:
  a chapter is "Part 3" (crossref-ch-prefix), an appendix "Appendix B"
  (crossref-apx-prefix), -@sec-x just the number, and any other section its
  title. Each becomes a link to #sec-x (Quarto's book post-processor and the
  fallback's page splitter point it at the right page). Quarto's own wording
  depends on whether the *referring* page is numbered, hence this filter.
* {{< var ns.key >}} values become Span.prp-var (data-var = the key) holding
  the value, under Quarto as under the fallback (whose source.lua expands the
  shortcode into the same span), so that later filters of this format link
  each value to its data (prp-provenance.lua) in both engines. Quarto hands
  the shortcode to filters at this entry point, before its own handler runs.
* Pipe tables lose the relative column widths pandoc derives from the dashes
  (columns size to their content); a table's tbl-colwidths="[17,6,...]"
  sets its widths exactly (here rather than in Quarto, so that both engines
  agree).
]]

local L = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'prp-lib.lua' }))

local META = nil

-- Quarto: the var shortcode as the fallback's source.lua renders it.
local function var_span(sc)
  if sc.name ~= 'var' then return nil end
  local key = nil
  for _, p in ipairs(sc.params or {}) do
    if p.type == 'param' and key == nil then key = L.str(p.value) end
  end
  if not key then return nil end
  local value = quarto.variables.get(key)
  if value == nil then
    error('PRP-RENDER-ERROR: unknown variable "' .. key .. '" in {{< var ' .. key .. ' >}} (not in _variables.yml)')
  end
  return pandoc.Span(L.words(value), pandoc.Attr('', { 'prp-var' }, { { 'data-var', key } }))
end

local function sec_link(c)
  local idx = L.book_index(META)
  local rec = idx.ids[c.id]
  if not rec then return nil end
  local text
  if rec.level == 1 and rec.chapter.label then
    text = L.words(c.mode == 'SuppressAuthor' and rec.chapter.number or rec.chapter.label)
  else
    text = L.title_of(rec)
  end
  return pandoc.Link(text, '#' .. c.id, '', pandoc.Attr('', { 'quarto-xref' }))
end

local function resolve(cite)
  for _, c in ipairs(cite.citations) do
    if not c.id:match('^sec%-') then return nil end
  end
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    local link = sec_link(c)
    if not link then return nil end -- unknown id: left to the crossref engine
    if i > 1 then out:extend({ pandoc.Str(','), pandoc.Space() }) end
    if #c.prefix > 0 then
      out:extend(c.prefix)
      out:insert(pandoc.Space())
    end
    out:insert(link)
    if #c.suffix > 0 then out:extend(c.suffix) end
  end
  return out
end

local function auto_widths(tbl)
  local spec = tbl.attributes['tbl-colwidths']
  if spec then
    local widths = {}
    for n in spec:gmatch('[%d%.]+') do widths[#widths + 1] = tonumber(n) end
    local total = 0
    for _, w in ipairs(widths) do total = total + w end
    if #widths ~= #tbl.colspecs or total <= 0 then return nil end
    for i, colspec in ipairs(tbl.colspecs) do
      tbl.colspecs[i] = { colspec[1], widths[i] / 100 } -- percentages, as Quarto reads them
    end
    tbl.attributes['tbl-colwidths'] = nil
    return tbl
  end
  for i, colspec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { colspec[1], pandoc.ColWidthDefault }
  end
  return tbl
end

return {
  { Meta = function(meta) META = meta end },
  { Cite = resolve, Table = auto_widths, Shortcode = L.in_quarto and var_span or nil },
}
