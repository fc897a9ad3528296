--[[
visibility.lua -- first filter of each format's pass after a shared assembly.

source.lua, run once for both formats (PRP_RENDER_FORMAT=html,pdf), keeps
conditional content that one format shows and the other does not, with its
class renamed (prp_util.DEFERRED). This filter decides it for the format of
this pass (PRP_RENDER_FORMAT=html or pdf), as source.lua would have: kept
and unwrapped, or removed.
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

local RESTORE = {}
for class, deferred in pairs(U.DEFERRED) do RESTORE[deferred] = class end

local function decide(el)
  local deferred = false
  for i, class in ipairs(el.classes) do
    if RESTORE[class] then
      el.classes[i] = RESTORE[class]
      deferred = true
    end
  end
  if not deferred then return nil end
  if U.keep_conditional(el, 'the book') then return el.content end
  return {}
end

return { { Span = decide, Div = decide } }
