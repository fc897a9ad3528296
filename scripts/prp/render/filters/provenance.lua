--[[ provenance.lua — reviewers' trail in the HTML edition.

Reads the JSON named by $PRP_RENDER_PROVENANCE (written into the render tree
by the pipeline from the provenance records) and, for HTML only:
  * after every figure and table that has a record, inserts a collapsed
    <details class="provenance"> block (data files with hashes and sources,
    script and its hash, parameters, output hash);
  * turns every inserted variable value (Span.prp-var) into a link to the
    description of the data it was computed from, titled with its origin.
The PDF carries the same information in the provenance appendix.
]]

local path = os.getenv('PRP_RENDER_PROVENANCE')
if os.getenv('PRP_RENDER_FORMAT') ~= 'html' or not path or path == '' then return {} end
local fh = io.open(path, 'rb')
if not fh then return {} end
local data = pandoc.json.decode(fh:read('a'))
fh:close()
local artifacts = data.artifacts or {}
local vars = data.vars or {}

local function details_after(el)
  local entry = el.identifier and artifacts[el.identifier]
  if not entry then return nil end
  return {el, pandoc.RawBlock('html', entry.html)}
end

local function var_link(span)
  if not span.classes:includes('prp-var') then return nil end
  local key = span.attributes['data-var'] or ''
  local ns = key:match('^([^.]+)')
  local target = ns and vars[ns]
  if not target then return nil end
  return pandoc.Link(span.content, target.href, target.title,
    pandoc.Attr('', {'prp-var'}, {{'data-var', key}}))
end

return {
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
  { Figure = details_after, Table = details_after },
}
