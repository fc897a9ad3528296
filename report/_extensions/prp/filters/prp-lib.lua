--[[
prp-lib.lua -- helpers shared by the PRP extension filters (loaded with dofile).

The filters run under two engines and must not care which:
  * Quarto 1.11: one pandoc run per chapter page (HTML) or one for the whole
    book (typst); `quarto` is defined; the book structure is in meta.book.render.
  * the pandoc + typst fallback (scripts/prp/render): one pandoc run per format
    over the assembled book; `quarto` is undefined; the fallback writes the same
    meta.book.render items and sets PRP_RENDER_FORMAT / PRP_RENDER_SRC.
]]

local M = {}

M.in_quarto = type(quarto) == 'table' and type(quarto.doc) == 'table'
  and type(quarto.doc.is_format) == 'function'

local ENV_FORMAT = os.getenv('PRP_RENDER_FORMAT') -- "html" | "pdf" (fallback)

--- Text for HTML: the five characters markup gives a meaning escaped.
function M.html_escape(s)
  return (s:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;'):gsub("'", '&#39;'))
end

function M.is_html()
  if M.in_quarto then return quarto.doc.is_format('html') end
  if ENV_FORMAT then return ENV_FORMAT == 'html' end
  return FORMAT:match('html') ~= nil
end

function M.is_typst()
  if M.in_quarto then return quarto.doc.is_format('typst') end
  if ENV_FORMAT then return ENV_FORMAT == 'pdf' end
  return FORMAT == 'typst'
end

--- Absolute path of the book project.
function M.project_dir()
  if M.in_quarto and quarto.project and quarto.project.directory then
    return quarto.project.directory
  end
  return os.getenv('PRP_RENDER_SRC') or pandoc.system.get_working_directory()
end

function M.read(path)
  local fh = io.open(path, 'rb')
  if not fh then return nil end
  local text = fh:read('a')
  fh:close()
  return text
end

function M.str(v)
  if v == nil then return nil end
  if type(v) == 'string' or type(v) == 'number' or type(v) == 'boolean' then return tostring(v) end
  return pandoc.utils.stringify(v)
end

--- Language labels: Quarto keeps `language:` out of the metadata and exposes
--- it as quarto.doc.language; the fallback passes it as meta.language.
function M.label(meta, key, default)
  local v
  if M.in_quarto and quarto.doc.language then v = quarto.doc.language[key] end
  if v == nil and meta.language then v = M.str(meta.language[key]) end
  if v == nil or v == '' then return default end
  return M.str(v)
end

function M.letter(n)
  local s = ''
  while n > 0 do
    local r = (n - 1) % 26
    s = string.char(65 + r) .. s
    n = (n - 1 - r) // 26
  end
  return s
end

function M.words(text)
  local out = pandoc.Inlines({})
  for w in text:gmatch('%S+') do
    if #out > 0 then out:insert(pandoc.Space()) end
    out:insert(pandoc.Str(w))
  end
  return out
end

local function dirname(path) return path:match('^(.*)/[^/]*$') or '' end

local function normalize(path)
  local parts = {}
  for part in path:gmatch('[^/]+') do
    if part == '..' then table.remove(parts)
    elseif part ~= '.' then parts[#parts + 1] = part end
  end
  return table.concat(parts, '/')
end

--- Headings with a sec- id in a chapter file and the files it includes
--- (ATX headings only, fenced code skipped): { {level, id, title, classes} }.
local function scan_headings(root, rel, out, depth)
  if depth > 16 then return out end
  local text = M.read(root .. '/' .. rel)
  if not text then return out end
  local fence = nil
  for line in (text .. '\n'):gmatch('([^\n]*)\n') do
    local f = line:match('^%s*(```+)') or line:match('^%s*(~~~+)')
    if f then
      if fence == nil then fence = f elseif f:sub(1, #fence) == fence then fence = nil end
    elseif fence == nil then
      local inc = line:match('^%s*{{<%s*include%s+(.-)%s*>}}%s*$')
      if inc then
        inc = inc:gsub('^["\']', ''):gsub('["\']$', '')
        local target = inc:sub(1, 1) == '/' and inc:sub(2) or
          (dirname(rel) == '' and inc or dirname(rel) .. '/' .. inc)
        scan_headings(root, normalize(target), out, depth + 1)
      else
        local hashes, rest = line:match('^(#+)%s+(.*)$')
        if hashes and #hashes <= 6 then
          local title, attrs = rest:match('^(.-)%s*{(.-)}%s*$')
          if not title then title, attrs = rest, '' end
          local id = attrs:match('#([%w%-_:%.]+)')
          out[#out + 1] = {
            level = #hashes, id = id, title = title,
            unnumbered = attrs:find('%.unnumbered') ~= nil or attrs:match('^%s*%-%s*$') ~= nil
              or attrs:find('%s%-%s') ~= nil,
          }
        end
      end
    end
  end
  return out
end

local function title_inlines(markdown)
  local doc = pandoc.read(markdown, 'markdown')
  if #doc.blocks == 0 then return pandoc.Inlines({}) end
  return pandoc.utils.blocks_to_inlines(doc.blocks)
end

local INDEX = nil

--- The book's chapters and section headings, from meta.book.render (written
--- by Quarto, and by the fallback in the same shape):
---   files[file]  = { label = "Part 1" | "Appendix A" | nil, number = "1" | "A" | nil,
---                    appendix = bool, id = chapter heading id, title = Inlines }
---   ids[id]      = { level, title = Inlines, chapter = files[...] }
---   order        = files in book order; first_appendix = file
function M.book_index(meta)
  if INDEX then return INDEX end
  local idx = { files = {}, ids = {}, order = {}, first_appendix = nil, appendix_title = nil }
  INDEX = idx
  local book = meta.book
  local items = book and book.render
  if not items then return idx end
  local root = M.project_dir()
  local ch_prefix = M.label(meta, 'crossref-ch-prefix', 'Chapter')
  local apx_prefix = M.label(meta, 'crossref-apx-prefix', 'Appendix')
  local in_appendix = false
  for _, item in ipairs(items) do
    local kind = M.str(item.type)
    local file = item.file and M.str(item.file)
    if kind == 'appendix' and not file then
      in_appendix = true
      local text = M.str(item.text) or ''
      idx.appendix_title = (text:gsub('%s*{.-}%s*$', ''))
    elseif file then
      local entry = { file = file, appendix = in_appendix }
      local n = item.number and tonumber(M.str(item.number))
      if n then
        entry.number = in_appendix and M.letter(n) or tostring(n)
        entry.label = (in_appendix and apx_prefix or ch_prefix) .. ' ' .. entry.number
      end
      if in_appendix and not idx.first_appendix then idx.first_appendix = file end
      local heads = scan_headings(root, file, {}, 0)
      for i, h in ipairs(heads) do
        if h.level == 1 and not entry.id then
          entry.id = h.id
          entry.title_md = h.title
        end
        if h.id and idx.ids[h.id] == nil then
          idx.ids[h.id] = { level = h.level, title_md = h.title, chapter = entry }
        end
      end
      idx.files[file] = entry
      idx.order[#idx.order + 1] = entry
    end
  end
  return idx
end

function M.title_of(rec)
  if not rec.title then rec.title = title_inlines(rec.title_md or '') end
  return rec.title:clone()
end

--- The book file the current Quarto page renders (nil in the fallback,
--- which renders the whole book at once).
function M.current_file()
  if not (M.in_quarto and quarto.doc.input_file) then return nil end
  local root = M.project_dir()
  local input = quarto.doc.input_file
  if input:sub(1, #root + 1) == root .. '/' then return input:sub(#root + 2) end
  return input
end

return M
