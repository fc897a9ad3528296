--[[
images.lua -- runs last in the pass that writes the PDF's typst source
(after citeproc): writes the local images the document shows, root-relative,
sorted and once each, as a JSON list to the file $PRP_IMAGES_OUT, for the
renderer to copy into the typst project (prp.render.pdf). Changes nothing.
Local means what source.lua checked and made root-relative (prp_util's
is_local).
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

function Pandoc(doc)
  local out = os.getenv('PRP_IMAGES_OUT')
  if not out or out == '' then return nil end
  local seen, list = {}, {}
  doc:walk({
    Image = function(img)
      local src = img.src
      if U.is_local(src) and not seen[src] then
        seen[src] = true
        list[#list + 1] = src
      end
    end,
  })
  table.sort(list)
  local fh = assert(io.open(out, 'w'))
  fh:write(pandoc.json.encode(list))
  fh:close()
  return nil
end
