--[[
html_pages.lua -- runs last in the pass that writes the HTML pages (after
citeproc), so that the filters and the page writer share one pandoc process:

  * writes the finished document, as pandoc's JSON, to the file
    $PRP_AST_OUT, from which the renderer takes the chapter list and the
    search index (prp.render.html);
  * then drops the bookkeeping attributes (prp-*) of the top-level headings
    that crossref.lua gave them, which no page should show.
]]

function Pandoc(doc)
  local out = os.getenv('PRP_AST_OUT')
  if out and out ~= '' then
    local fh = assert(io.open(out, 'wb'))
    fh:write(pandoc.write(doc, 'json'))
    fh:close()
  end
  for _, block in ipairs(doc.blocks) do
    if block.t == 'Header' then
      local private = {}
      for k, _ in pairs(block.attributes) do
        if k:sub(1, 4) == 'prp-' then private[#private + 1] = k end
      end
      for _, k in ipairs(private) do block.attributes[k] = nil end
    end
  end
  return doc
end
