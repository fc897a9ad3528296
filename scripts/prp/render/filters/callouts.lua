--[[
callouts.lua -- Quarto callouts (::: {.callout-note}, -warning, -important,
-tip, -caution). The title comes from a `title="..."` attribute, else from a
heading that opens the callout, else from the callout type ("Note").

HTML: <div class="callout callout-note"> with a title bar and a body, styled
by the site CSS. PDF (typst): a call of #prp-callout(kind:, title:)[body],
defined in the typst template.
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

local TYPES = { note = 'Note', warning = 'Warning', important = 'Important', tip = 'Tip',
  caution = 'Caution' }

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
    local out = pandoc.Blocks({
      pandoc.RawBlock('typst', string.format('#prp-callout(kind: "%s", title: [%s])[', kind,
        to_typst(title))),
    })
    out:extend(body)
    out:insert(pandoc.RawBlock('typst', ']'))
    return out
  end
  return pandoc.Div({
    pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr('', { 'callout-title' })),
    pandoc.Div(body, pandoc.Attr('', { 'callout-body' })),
  }, pandoc.Attr(div.identifier, { 'callout', 'callout-' .. kind }, { role = 'note' }))
end
