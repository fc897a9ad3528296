--[[
prp-provenance.lua -- PRP format, HTML only, entry point post-render.

After every figure and table that has a provenance record, a collapsed
<details class="provenance"> block (data files with hashes and sources,
script and its hash, parameters, output hash). The records are read from
`prp-provenance` (a path relative to the book project, default
_generated/provenance.json, written into the render tree by the pipeline);
without that file (e.g. `quarto render` straight in report/) nothing is added.

Under Quarto floats are rendered by now (a Div with the fig-/tbl- id; at
post-quarto they are FloatRefTarget custom nodes, and returning extra blocks
next to one drops the float); under the fallback they are pandoc Figure/Table
elements with the same id.
Every inserted variable value that arrives as a Span.prp-var (the fallback's
{{< var >}} marks its values so) becomes a link to the description of the data
it was computed from. Quarto's built-in var shortcode yields plain text and
cannot be overridden, so under Quarto numbers are not linked (see the design
note: a `num` shortcode of this extension would close that gap).
]]

local L = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'prp-lib.lua' }))

if not L.is_html() then return {} end

local ARTIFACTS = nil
local VARS = {}

-- Quarto renders one page at a time: links in the blocks that point at the
-- provenance appendix (#data-...) or at provenance.json (next to index.html)
-- must name that page and climb out of chapters/. The fallback renders one
-- document and fixes such links when it splits it into pages.
local PAGE_PREFIX, UP = '', ''

local function page_links(meta)
  if not L.in_quarto then return end
  local idx = L.book_index(meta)
  local here = L.current_file() or ''
  UP = string.rep('../', select(2, here:gsub('/', '')))
  local rec = idx.ids['sec-provenance']
  local file = rec and rec.chapter.file
  if file and file ~= here then PAGE_PREFIX = UP .. file:gsub('%.qmd$', '.html'):gsub('%.md$', '.html') end
end

local function relink(html)
  if not L.in_quarto then return html end
  html = html:gsub('href="#data%-', 'href="' .. PAGE_PREFIX .. '#data-')
  return (html:gsub('href="provenance%.json"', 'href="' .. UP .. 'provenance.json"'))
end

local function load(meta)
  local rel = L.str(meta['prp-provenance']) or '_generated/provenance.json'
  local text = L.read(L.project_dir() .. '/' .. rel)
  if not text then ARTIFACTS = {} return end
  local data = pandoc.json.decode(text)
  ARTIFACTS = data.artifacts or {}
  VARS = data.vars or {}
  page_links(meta)
end

local function var_link(span)
  if not span.classes:includes('prp-var') then return nil end
  local key = span.attributes['data-var'] or ''
  local ns = key:match('^([^.]+)')
  local target = ns and VARS[ns]
  if not target then return nil end
  return pandoc.Link(span.content, target.href, target.title,
    pandoc.Attr('', { 'prp-var' }, { { 'data-var', key } }))
end

local function details_after(el)
  local id = el.identifier
  local entry = id and id ~= '' and ARTIFACTS[id]
  if not entry then return nil end
  return { el, pandoc.RawBlock('html', relink(entry.html)) }
end

return {
  { Meta = function(meta) load(meta) end },
  {
    traverse = 'topdown',
    -- a value inside a link keeps the link it is in
    Link = function(link)
      link.content = link.content:walk({
        Span = function(s) if s.classes:includes('prp-var') then return s.content end end,
      })
      return link, false
    end,
    Span = var_link,
  },
  { Div = details_after, Figure = details_after, Table = details_after },
}
