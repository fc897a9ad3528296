--[[
prp-rows.lua -- PRP format, both outputs, entry point post-render.

A long generated listing (the restricted annex's crime-event records) is
written as a table with its header and caption only, its source line, then
its rows as data: a code block of class `prp-rows` holding a JSON list of rows
(after the source line, which the other filters expect right after a table),

    | Event | Date | ... |
    |:---|:---|...|

    : Caption {#tbl-x prp-rows="x" tbl-colwidths="[...]"}

    ::: {.source-note}
    Source: ...
    :::

    ``` {.prp-rows for="x"}
    [[{"strong": "State"}, "", ...], ...]
    ```

Every filter before this one sees a table of one header row and a code block
(a single string): a thousand rows of cells are not walked by each filter in
turn, which made the listing a third of the restricted edition's render. Here,
once the table is numbered and captioned, the rows are written into it as
HTML or typst, every text escaped for that output, in the markup the
engine's pandoc writes for a table. The key names the rows: the table's
`prp-rows` attribute or, under Quarto, which moves a table's attributes and
id to the float around it, the float's (see float_key). A row is a list of
cells; a cell is a string (text), {"strong": text} or {"text": text, "href":
url} (a link only for http, https and mailto addresses; any other is shown
as text). A table whose rows are missing, or rows whose table is missing,
are an error: the listing is never shown empty. In any other output the
document is left as it is (the rows show as data).
]]

local L = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'prp-lib.lua' }))

local function fail(msg) error('PRP-RENDER-ERROR: prp-rows: ' .. msg, 0) end

local html_escape = L.html_escape

-- a typst string literal: only the backslash and the quote are special
-- (control characters cannot occur in the validated data; escaped anyway)
local function typst_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"')
  s = s:gsub('%c', function(c) return string.format('\\u{%x}', string.byte(c)) end)
  return '"' .. s .. '"'
end

local function safe_href(url)
  local scheme = url:match('^%s*([%a][%w+.-]*):')
  return scheme ~= nil and ({ http = true, https = true, mailto = true })[scheme:lower()] == true
end

local function cell_parts(cell)
  if type(cell) == 'string' then return { text = cell } end
  if type(cell) ~= 'table' then fail('a cell must be a string or an object') end
  if cell.strong ~= nil then return { text = tostring(cell.strong), strong = true } end
  local text = tostring(cell.text or '')
  if cell.href ~= nil and safe_href(tostring(cell.href)) then
    return { text = text, href = tostring(cell.href) }
  end
  return { text = text }
end

local ALIGN = { AlignLeft = 'left', AlignRight = 'right', AlignCenter = 'center' }

local function columns(tbl)
  local aligns, widths, total = {}, {}, 0
  for i, spec in ipairs(tbl.colspecs) do
    aligns[i] = ALIGN[spec[1]] or 'left'
    local w = spec[2]
    widths[i] = (type(w) == 'number') and w or nil
    total = total + (widths[i] or 0)
  end
  return aligns, widths, total
end

local function header_texts(tbl)
  local row = tbl.head and tbl.head.rows and tbl.head.rows[1]
  if not row then fail('the table has no header row') end
  local out = {}
  for i, cell in ipairs(row.cells) do out[i] = pandoc.utils.stringify(cell.contents) end
  return out
end

local function check_row(row, n, key)
  if type(row) ~= 'table' or #row ~= n then
    fail(string.format('rows of "%s": every row must have %d cells', key, n))
  end
end

-- The markup each engine's pandoc writes for a table: under Quarto with
-- Quarto's table classes and pandoc's row classes, as its other tables.
local function html_table(tbl, rows, key)
  local aligns, widths, total = columns(tbl)
  local heads = header_texts(tbl)
  local quarto = L.in_quarto
  local out = {}
  local function add(s) out[#out + 1] = s end
  if quarto then
    add('<table class="caption-top table">')
  else
    add(total > 0 and string.format('<table style="width:%d%%;">', math.floor(total * 100 + 0.5)) or '<table>')
  end
  if total > 0 then
    add('<colgroup>')
    for i = 1, #heads do
      add(string.format('<col style="width: %d%%" />', math.floor((widths[i] or 0) * 100 + 0.5)))
    end
    add('</colgroup>')
  end
  add('<thead>')
  add(quarto and '<tr class="header">' or '<tr>')
  for i, h in ipairs(heads) do
    add(string.format('<th style="text-align: %s;">%s</th>', aligns[i], html_escape(h)))
  end
  add('</tr>')
  add('</thead>')
  add('<tbody>')
  for n, row in ipairs(rows) do
    check_row(row, #heads, key)
    add(quarto and (n % 2 == 1 and '<tr class="odd">' or '<tr class="even">') or '<tr>')
    for i, cell in ipairs(row) do
      local c = cell_parts(cell)
      local text = html_escape(c.text)
      if c.strong then text = '<strong>' .. text .. '</strong>' end
      if c.href then text = '<a href="' .. html_escape(c.href) .. '">' .. text .. '</a>' end
      add(string.format('<td style="text-align: %s;">%s</td>', aligns[i], text))
    end
    add('</tr>')
  end
  add('</tbody>')
  add('</table>')
  return pandoc.RawBlock('html', table.concat(out, '\n'))
end

local function typst_table(tbl, rows, key)
  local aligns, widths, total = columns(tbl)
  local heads = header_texts(tbl)
  local cols = {}
  for i = 1, #heads do
    cols[i] = total > 0 and string.format('%d%%', math.floor((widths[i] or 0) * 100 + 0.5)) or 'auto'
  end
  local cells = {}
  for i, h in ipairs(heads) do cells[i] = typst_string(h) end
  local out = {
    '#table(',
    '  columns: (' .. table.concat(cols, ', ') .. ',),',
    '  align: (' .. table.concat(aligns, ',') .. ',),',
    '  table.header(' .. table.concat(cells, ', ') .. ',),',
    '  table.hline(),',
  }
  for _, row in ipairs(rows) do
    check_row(row, #heads, key)
    local line = {}
    for i, cell in ipairs(row) do
      local c = cell_parts(cell)
      local s = typst_string(c.text)
      if c.strong then
        s = 'strong(' .. s .. ')'
      elseif c.href then
        s = 'link(' .. typst_string(c.href) .. ', ' .. s .. ')'
      elseif c.text == '' then
        s = '[]'
      end
      line[i] = s
    end
    out[#out + 1] = '  ' .. table.concat(line, ', ') .. ','
  end
  out[#out + 1] = ')'
  return pandoc.RawBlock('typst', table.concat(out, '\n'))
end

function Pandoc(doc)
  local html, typst = L.is_html(), L.is_typst()
  if not (html or typst) then return nil end
  -- the rows, by the key their table names (a code block is one string:
  -- reading it costs no walk of its cells)
  local rows = {}
  doc.blocks = doc.blocks:walk({
    CodeBlock = function(cb)
      if not cb.classes:includes('prp-rows') then return nil end
      local key = cb.attributes['for'] or ''
      if key == '' or rows[key] then fail('a rows block needs a "for" key of its own') end
      local ok, data = pcall(pandoc.json.decode, cb.text, false)
      if not ok or type(data) ~= 'table' then fail('rows of "' .. key .. '" are not a JSON list') end
      rows[key] = { data = data, used = false }
      return {}
    end,
  })
  -- The key of the rows a float holds (under Quarto, whose floats are
  -- rendered by now): its prp-rows attribute (Quarto's HTML float), or
  -- (Quarto's typst float, a Div of raw typst around the table) the label
  -- <tbl-<key>> of its figure. The fallback leaves the key on the table.
  local function float_key(el)
    local key = el.attributes['prp-rows']
    if key then return key end
    if not (typst and el.t == 'Div' and el.classes:includes('quarto-scaffold')) then return nil end
    -- the label closes the float's figure: ..., kind: "quarto-float-tbl",
    -- supplement: "Table")<tbl-key> (a reference, #ref(<tbl-key>), does not)
    -- (Quarto writes that figure's code in pieces, one raw inline each)
    local code = {}
    for _, b in ipairs(el.content) do
      if b.t == 'Plain' or b.t == 'Para' then
        for _, i in ipairs(b.content) do
          if i.t == 'RawInline' and i.format == 'typst' then code[#code + 1] = i.text end
        end
      end
    end
    local label = table.concat(code):match('quarto%-float%-tbl".-%)%s*<tbl%-([^>]+)>')
    return label and rows[label] and label or nil
  end
  local function fill(blocks, inherited)
    local function float(el)
      local key = float_key(el)
      if not key then return nil end
      el.attributes['prp-rows'] = nil
      el.content = fill(el.content, key)
      return el, false
    end
    return blocks:walk({
      traverse = 'topdown',
      Div = float,
      Figure = float,
      Table = function(tbl)
        local key = tbl.attributes['prp-rows'] or inherited
        if not key then return nil end
        local r = rows[key]
        if not r then fail('table "' .. key .. '" has no rows block') end
        if r.used then fail('rows of "' .. key .. '" are claimed by two tables') end
        r.used = true
        tbl.attributes['prp-rows'] = nil
        local raw = html and html_table(tbl, r.data, key) or typst_table(tbl, r.data, key)
        -- a numbered table's caption is on its float by now; one that is
        -- still here (a table outside the book's floats) is kept, above it
        local out = pandoc.Blocks(tbl.caption.long)
        out:insert(raw)
        return out, false
      end,
    })
  end
  doc.blocks = fill(doc.blocks, nil)
  for key, r in pairs(rows) do
    if not r.used then fail('rows of "' .. key .. '" have no table') end
  end
  return doc
end
