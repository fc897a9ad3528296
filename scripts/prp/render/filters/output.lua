--[[
output.lua -- last adjustments for the target format (PRP_RENDER_FORMAT),
standing in for Quarto's own rendering stage (the report's format -- parts,
source lines, column widths, numbering -- is the prp extension's).

Both formats: `fig-alt` becomes the image's alt text (Quarto does this itself).
PDF: tables are written without pandoc's figure wrapper, as Quarto does.
HTML: tables are wrapped in a horizontally scrollable container; a numbered
table's id and caption go on a figure around it (as Quarto does), so that the
caption does not scroll away on a phone.
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

-- A numbered table as a figure, as Quarto writes one: the id and caption on
-- <figure id="tbl-x" class="prp-table"> (the style sheet shows its caption
-- above), the table itself in a box that scrolls sideways on a narrow screen,
-- so the caption stays in view.
local function html_table(t)
  local caption = t.caption and t.caption.long or pandoc.Blocks({})
  if t.identifier == '' or #caption == 0 then
    return pandoc.Div({ t }, pandoc.Attr('', { 'table-responsive' }))
  end
  local id = t.identifier
  t.identifier = ''
  t.caption = pandoc.Caption()
  local box = pandoc.Div({ t }, pandoc.Attr('', { 'table-responsive' }))
  return pandoc.Figure({ box }, pandoc.Caption(caption), pandoc.Attr(id, { 'prp-table' }))
end

local function html(doc)
  doc.blocks = doc.blocks:walk({
    Image = alt_text,
    Table = html_table,
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
