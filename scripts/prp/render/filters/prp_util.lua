--[[
prp_util.lua -- helpers shared by the PRP book filters (loaded with require).

The Python orchestrator (prp.render) passes the render context through the
environment, never through the document, so nothing of it can leak into the
output:
  PRP_RENDER_SRC      absolute path of the book project (render tree)
  PRP_RENDER_PROFILE  active Quarto profile(s), comma-separated
  PRP_RENDER_FORMAT   target format family: "html" or "pdf"
  PRP_RENDER_VARS     JSON file holding _variables.yml (all scalars as strings)
]]

local M = {}

M.src = os.getenv('PRP_RENDER_SRC') or '.'
M.format = os.getenv('PRP_RENDER_FORMAT') or FORMAT
M.vars_file = os.getenv('PRP_RENDER_VARS')

M.profiles = {}
for p in (os.getenv('PRP_RENDER_PROFILE') or ''):gmatch('[^,%s]+') do
  M.profiles[p] = true
end

-- Format names a `when-format` / `unless-format` attribute may use, per family.
local FORMAT_ALIASES = {
  html = { html = true, html4 = true, html5 = true, chunkedhtml = true },
  pdf = { pdf = true, typst = true, latex = true },
}

--- Abort the render with a message the orchestrator recognises.
function M.fail(msg)
  error('PRP-RENDER-ERROR: ' .. msg, 0)
end

--- True if `name` (a format named in an attribute) denotes the target format.
function M.format_matches(name)
  local fam = FORMAT_ALIASES[M.format] or { [M.format] = true }
  return fam[name] == true
end

local function split_list(value)
  local out = {}
  for item in value:gmatch('[^,%s]+') do out[#out + 1] = item end
  return out
end

local function any_matches(value, pred)
  for _, item in ipairs(split_list(value)) do
    if pred(item) then return true end
  end
  return false
end

local CONDITIONS = {
  ['when-profile'] = function(v) return any_matches(v, function(p) return M.profiles[p] end) end,
  ['unless-profile'] = function(v) return not any_matches(v, function(p) return M.profiles[p] end) end,
  ['when-format'] = function(v) return any_matches(v, M.format_matches) end,
  ['unless-format'] = function(v) return not any_matches(v, M.format_matches) end,
}

--- For a Div or Span: nil if it is not conditional content, else whether it
--- stays in this rendering (Quarto's .content-visible / .content-hidden).
function M.keep_conditional(el, file)
  local visible = el.classes:includes('content-visible')
  local hidden = el.classes:includes('content-hidden')
  if not (visible or hidden) then return nil end
  local all = true
  for key, value in pairs(el.attributes) do
    local test = CONDITIONS[key]
    if test then
      if not test(value) then all = false end
    elseif key:match('^when%-') or key:match('^unless%-') then
      M.fail(string.format('%s: unsupported condition %s="%s" on .%s content',
        file or '?', key, value, visible and 'content-visible' or 'content-hidden'))
    end
  end
  if visible then return all else return not all end
end

--- Remove conditional content that does not belong in this rendering.
function M.apply_visibility(blocks, file)
  local function handle(el)
    local keep = M.keep_conditional(el, file)
    if keep == nil then return nil end
    if keep then return el.content end
    return {}
  end
  return blocks:walk({ Span = handle, Div = handle })
end

--- Collapse "." and ".." in a slash-separated relative path; nil if the
--- path climbs above its root.
function M.normalize(path)
  local parts = {}
  for part in path:gmatch('[^/]+') do
    if part == '..' then
      if #parts == 0 then return nil end
      table.remove(parts)
    elseif part ~= '.' then
      parts[#parts + 1] = part
    end
  end
  return table.concat(parts, '/')
end

--- Directory part of a root-relative path ("" for files at the root).
function M.dirname(path)
  return path:match('^(.*)/[^/]*$') or ''
end

--- Resolve `target` (as written in `file`, relative to it, or to the project
--- root when it starts with "/") to a root-relative path, or nil.
function M.resolve(target, file)
  if target:sub(1, 1) == '/' then return M.normalize(target:sub(2)) end
  local dir = M.dirname(file)
  if dir == '' then return M.normalize(target) end
  return M.normalize(dir .. '/' .. target)
end

function M.abspath(rel)
  return M.src .. '/' .. rel
end

function M.exists(rel)
  local fh = io.open(M.abspath(rel), 'rb')
  if fh then fh:close() return true end
  return false
end

function M.read(rel)
  local fh = io.open(M.abspath(rel), 'rb')
  if not fh then return nil end
  local text = fh:read('a')
  fh:close()
  return text
end

--- Is `target` a link/image target that points into the project?
function M.is_local(target)
  return not (target == '' or target:match('^#') or target:match('^%a[%w+.-]*:')
    or target:match('^//'))
end

--- Metadata value as a plain string (nil stays nil).
function M.meta_string(value)
  if value == nil then return nil end
  return pandoc.utils.stringify(value)
end

return M
