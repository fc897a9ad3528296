--[[
callouts.lua -- Quarto callouts (::: {.callout-note}, -warning, -important,
-tip, -caution). The title comes from a `title="..."` attribute, else from a
heading that opens the callout, else from the callout type ("Note").

HTML: <div class="callout callout-note"> with a title bar and a body, styled
by the site CSS. PDF (typst): Quarto's #callout(body:, title:, ...) call; the prp
extension's template defines callout().
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

local TYPES = { note = 'Note', warning = 'Warning', important = 'Important', tip = 'Tip',
  caution = 'Caution' }

-- Quarto's callout colours (filters/common/colors.lua): icon, background.
local COLORS = { note = { '0758E5', 'dae6fb' }, important = { 'CC1914', 'f7dddc' },
  warning = { 'EB9113', 'fcefdc' }, tip = { '00A047', 'ccf1e3' }, caution = { 'FC5300', 'ffe5d0' } }

local function to_typst(inlines)
  local text = pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'typst')
  return (text:gsub('%s+$', ''))
end

function Div(div)
  local kind
  for _, class in ipairs(div.classes) do
    local k = class:match('^callout%-(%a+)$')
    if k and TYPES[k] then kind = k end
  end
  if not kind then return nil end

  local body = div.content
  local title
  if div.attributes.title and div.attributes.title ~= '' then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes.title, 'markdown').blocks)
  elseif body[1] and body[1].t == 'Header' then
    title = body[1].content
    body = pandoc.Blocks({ table.unpack(body, 2) })
  else
    title = pandoc.Inlines({ pandoc.Str(TYPES[kind]) })
  end

  if U.format == 'pdf' then
    -- Quarto's typst callout call (customnodes/callout.lua); the report
    -- template defines callout() in the report's design.
    local c = COLORS[kind]
    local out = pandoc.Blocks({ pandoc.RawBlock('typst', '#block[#callout(body: [') })
    out:extend(body)
    out:insert(pandoc.RawBlock('typst', string.format(
      '], title: [%s], background_color: rgb("#%s"), icon_color: rgb("#%s"), icon: none, body_background_color: white)]',
      to_typst(title), c[2], c[1])))
    return out
  end
  return pandoc.Div({
    pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr('', { 'callout-title' })),
    pandoc.Div(body, pandoc.Attr('', { 'callout-body' })),
  }, pandoc.Attr(div.identifier, { 'callout', 'callout-' .. kind }, { role = 'note' }))
end
