--[[
prp-provenance.lua -- PRP format, HTML only, entry point post-render.

After every figure and table that has a provenance record -- after its
source line, when it has one -- a collapsed <details class="provenance"> block (data files with hashes and sources,
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
The provenance appendix's markers (Div.prp-provenance-ref boxes="numbers-x
file-y") become the records `boxes` of the same file.
]]

local L = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'prp-lib.lua' }))

if not L.is_html() then return {} end

local ARTIFACTS = nil
local VARS = {}
local BOXES = {}

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
  BOXES = data.boxes or {}
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

local function details_of(el)
  local id = el.identifier
  local entry = id and id ~= '' and ARTIFACTS[id]
  if not entry then return nil end
  return pandoc.RawBlock('html', relink(entry.html))
end

local function is_source_note(b)
  return b ~= nil and b.t == 'Div' and b.classes:includes('source-note')
end

-- The records a marker of the provenance appendix names (Div.prp-provenance-ref).
local function records_of(div)
  local html = {}
  for key in (div.attributes.boxes or ''):gmatch('%S+') do
    if BOXES[key] then html[#html + 1] = BOXES[key] end
  end
  return pandoc.RawBlock('html', relink(table.concat(html)))
end

-- Each float's provenance box goes after the float's source line (or after
-- the float, when it has none): caption, figure or table, source line, box.
local function place(blocks)
  local out = pandoc.Blocks({})
  local i = 1
  while i <= #blocks do
    local b = blocks[i]
    local box = (b.t == 'Div' or b.t == 'Figure' or b.t == 'Table') and details_of(b) or nil
    if box then
      out:insert(b)
      if is_source_note(blocks[i + 1]) then
        out:insert(blocks[i + 1])
        i = i + 1
      end
      out:insert(box)
    elseif b.t == 'Div' and b.classes:includes('prp-provenance-ref') then
      out:insert(records_of(b))
    else
      if b.t == 'Div' then b.content = place(b.content) end
      if b.t == 'BulletList' or b.t == 'OrderedList' then
        for k, item in ipairs(b.content) do b.content[k] = place(item) end
      end
      out:insert(b)
    end
    i = i + 1
  end
  return out
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
  { Pandoc = function(doc) doc.blocks = place(doc.blocks) return doc end },
}
