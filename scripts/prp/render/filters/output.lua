--[[
output.lua -- last adjustments for the target format (PRP_RENDER_FORMAT).

Both formats: table column widths that pandoc derived from the dashes of a
pipe table are dropped (columns size to their content) unless the table sets
`tbl-colwidths`.

HTML:
  * the front page's own level-1 heading becomes a level-2 heading, so that
    the front page stays on index.html with the book's title block;
  * tables are wrapped in a horizontally scrollable container;
  * `fig-alt` becomes the image's alt text.
PDF (typst):
  * a chapter that opens a part of the book is preceded by #prp-part[Title];
  * figure images without a width fill the text width;
  * `fig-alt` becomes the image's alt text;
  * a level-1 heading of the front page and unnumbered chapters keep their
    heading level (the typst template gives every level-1 heading a new page).
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

local function to_typst(inlines)
  local text = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'typst')
  return (text:gsub('%s+$', ''))
end

local function auto_widths(tbl)
  if tbl.attributes['tbl-colwidths'] then return nil end
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { spec[1], pandoc.ColWidthDefault }
  end
  return tbl
end

local function html(doc)
  local demoted = false
  doc.blocks = doc.blocks:walk({
    Header = function(h)
      if h.level == 1 and h.attributes['prp-kind'] == 'index' and not demoted then
        demoted = true
        h.level = 2
        h.classes:insert('front-heading')
        return h
      end
    end,
    Image = alt_text,
    Table = function(t)
      return pandoc.Div({ auto_widths(t) or t }, pandoc.Attr('', { 'table-responsive' }))
    end,
  })
  return doc
end

local function typst(doc)
  local out = pandoc.Blocks({})
  for _, b in ipairs(doc.blocks) do
    if b.t == 'Header' and b.level == 1 and b.attributes['prp-part'] then
      local title = pandoc.read(b.attributes['prp-part'], 'markdown').blocks
      out:insert(pandoc.RawBlock('typst',
        '#prp-part[' .. to_typst(pandoc.utils.blocks_to_inlines(title)) .. ']'))
    end
    out:insert(b)
  end
  doc.blocks = out:walk({
    Figure = function(f)
      return f:walk({
        Image = function(img)
          alt_text(img)
          if not img.attributes.width then img.attributes.width = '100%' end
          return img
        end,
      })
    end,
    Image = alt_text,
    Table = auto_widths,
  })
  return doc
end

function Pandoc(doc)
  if U.format == 'pdf' then return typst(doc) end
  return html(doc)
end
