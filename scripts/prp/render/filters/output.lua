--[[
output.lua -- last adjustments for the target format (PRP_RENDER_FORMAT),
standing in for Quarto's own rendering stage (the report's format -- parts,
source lines, column widths, numbering -- is the prp extension's).

Both formats: `fig-alt` becomes the image's alt text (Quarto does this itself).
PDF: tables are written without pandoc's figure wrapper, as Quarto does.
HTML: tables are wrapped in a horizontally scrollable container.
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

local function alt_text(img)
  local alt = img.attributes['fig-alt']
  if alt then
    img.attributes['fig-alt'] = nil
    img.caption = pandoc.Inlines({ pandoc.Str(alt) })
  end
  return img
end

local function html(doc)
  doc.blocks = doc.blocks:walk({
    Image = alt_text,
    Table = function(t)
      return pandoc.Div({ t }, pandoc.Attr('', { 'table-responsive' }))
    end,
  })
  return doc
end

local function typst(doc)
  doc.blocks = doc.blocks:walk({
    Image = alt_text,
    -- as Quarto (quarto-post/typst.lua): no figure around a table; a numbered
    -- table is already inside its quarto-float-tbl figure
    Table = function(t)
      t.classes:insert('typst:no-figure')
      return t
    end,
  })
  return doc
end

function Pandoc(doc)
  if U.format == 'pdf' then return typst(doc) end
  return html(doc)
end
