--[[
source.lua -- assemble the book from its chapter files (first filter to run).

The document pandoc reads is a "driver" written by prp.render: one empty marker
Div per chapter, in book order:

    ::: {.prp-chapter file="chapters/x.qmd" kind="chapter" part="Title"}
    :::

For every marker this filter reads the chapter file and splices its blocks in
after the marker, processing each file (chapters and included files alike) in
this order:
  1. conditional content (.content-visible / .content-hidden) is removed or
     unwrapped, before anything else, so that hidden content never reads a
     file or a variable that this edition does not have;
  2. {{< var key >}} shortcodes are replaced by values from _variables.yml;
  3. {{< include path >}} shortcodes are replaced by the included file, itself
     processed the same way (paths relative to the including file).
Then image paths are made relative to the project root (Quarto resolves them
relative to the chapter file) and checked, and links to other .qmd files are
marked for the crossref filter. Markers stay for later filters.

Generated snippets (tables/, figures/, _generated/) carry text from data: they
are read with raw HTML, raw TeX and raw attributes (`x`{=html}) turned off, so
that markup in a data value is shown as text and never reaches a page or the
PDF as code, and shortcodes in them are not expanded. A link whose address
would run code (javascript:, vbscript:, data:, file:) is refused in a
chapter and shown as plain text in a generated snippet.
]]

package.path = pandoc.path.directory(PANDOC_SCRIPT_FILE) .. '/?.lua;' .. package.path
local U = require('prp_util')

local MAX_DEPTH = 16
local VARS = nil
local GENERATED = { 'tables/', 'figures/', '_generated/' }
local SAFE_READER = 'markdown-raw_html-raw_tex-raw_attribute-implicit_header_references'
-- as the report's format reads (report/_extensions/prp/_extension.yml: from)
local READER = 'markdown-implicit_header_references'

local function is_generated(rel)
  for _, prefix in ipairs(GENERATED) do
    if rel:sub(1, #prefix) == prefix then return true end
  end
  return false
end

--- A link address that would run code when followed.
local function unsafe_target(target)
  local scheme = target:match('^%s*([%a][%w+.-]*):')
  if not scheme then return false end
  scheme = scheme:lower()
  return not (scheme == 'http' or scheme == 'https' or scheme == 'mailto')
end

local function defuse_links(blocks, file, generated)
  return blocks:walk({
    Link = function(link)
      if not unsafe_target(link.target) then return nil end
      if not generated then
        U.fail(string.format('%s: link to "%s" would run code; use an http(s) address',
          file, link.target))
      end
      return link.content
    end,
    Image = function(img)
      if unsafe_target(img.src) then
        U.fail(string.format('%s: image "%s" is not a local or http(s) file', file, img.src))
      end
    end,
  })
end

local function load_vars()
  if VARS then return VARS end
  VARS = {}
  if U.vars_file then
    local fh = io.open(U.vars_file, 'rb')
    if not fh then U.fail('cannot read variables file ' .. U.vars_file) end
    VARS = pandoc.json.decode(fh:read('a'), false)
    fh:close()
  end
  return VARS
end

-- Private-use marks around a variable's value in running text, so that the
-- value becomes a Span (class prp-var, data-var=key) that formats can link.
local MARK_OPEN, MARK_MID, MARK_CLOSE = '\u{E000}', '\u{E001}', '\u{E002}'

local function lookup_var(key, file, mark)
  local value = load_vars()
  for part in key:gmatch('[^.]+') do
    if type(value) ~= 'table' then value = nil break end
    value = value[part]
  end
  if value == nil then
    U.fail(string.format('%s: unknown variable "%s" in {{< var %s >}} (not in _variables.yml)',
      file, key, key))
  end
  if type(value) == 'table' then
    U.fail(string.format('%s: variable "%s" is a group of values, not a single value', file, key))
  end
  if mark then return MARK_OPEN .. key .. MARK_MID .. tostring(value) .. MARK_CLOSE end
  return tostring(value)
end

local function run_shortcode(inner, file, mark)
  local words = {}
  for w in inner:gmatch('%S+') do words[#words + 1] = w end
  local name = words[1] or ''
  if name == 'var' then
    if #words ~= 2 then U.fail(string.format('%s: malformed shortcode {{<%s>}}', file, inner)) end
    return lookup_var(words[2], file, mark)
  elseif name == 'include' then
    U.fail(string.format('%s: {{< include %s >}} must stand alone on its own line',
      file, words[2] or ''))
  end
  U.fail(string.format('%s: unsupported shortcode {{<%s>}}', file, inner))
end

--- Expand every shortcode in a piece of text; {{{< x >}}} stays literal as {{< x >}}.
local function expand_text(s, file, mark)
  if not s:find('{{<', 1, true) then return s end
  local out, pos = {}, 1
  while true do
    local a, b = s:find('{{<', pos, true)
    if not a then out[#out + 1] = s:sub(pos) break end
    local c, d = s:find('>}}', b + 1, true)
    if not c then U.fail(string.format('%s: unterminated shortcode near "%s"', file, s:sub(a, a + 40))) end
    if a > 1 and s:sub(a - 1, a - 1) == '{' and s:sub(d + 1, d + 1) == '}' then
      out[#out + 1] = s:sub(pos, a - 2)
      out[#out + 1] = s:sub(a, d)
      pos = d + 2
    else
      out[#out + 1] = s:sub(pos, a - 1)
      out[#out + 1] = run_shortcode(s:sub(b + 1, c - 1), file, mark)
      pos = d + 1
    end
  end
  return table.concat(out)
end

local function count(s, pat)
  local n, pos = 0, 1
  while true do
    local a, b = s:find(pat, pos, true)
    if not a then return n end
    n, pos = n + 1, b + 1
  end
end

--- Words and spaces of plain text as inlines.
local function plain_inlines(s, out)
  local i = 1
  while i <= #s do
    local a, b = s:find('^%s+', i)
    if a then
      out:insert(pandoc.Space())
    else
      a, b = s:find('^%S+', i)
      out:insert(pandoc.Str(s:sub(a, b)))
    end
    i = b + 1
  end
end

--- Expanded text with marked variable values -> inlines, each value a Span.
local function marked_inlines(text, out)
  local pos = 1
  while true do
    local a = text:find(MARK_OPEN, pos, true)
    if not a then plain_inlines(text:sub(pos), out) return end
    plain_inlines(text:sub(pos, a - 1), out)
    local b = text:find(MARK_MID, a, true)
    local c = text:find(MARK_CLOSE, b, true)
    local key = text:sub(a + #MARK_OPEN, b - 1)
    local value = pandoc.Inlines({})
    plain_inlines(text:sub(b + #MARK_MID, c - 1), value)
    out:insert(pandoc.Span(value, pandoc.Attr('', {'prp-var'}, {{'data-var', key}})))
    pos = c + #MARK_CLOSE
  end
end

--- pandoc splits `{{< var a.b >}}` into Str/Space runs: rejoin each run that
--- holds a shortcode, expand it and split the result back into words.
local function expand_inlines(inlines, file)
  local found = false
  for _, el in ipairs(inlines) do
    if el.t == 'Str' and el.text:find('{{<', 1, true) then found = true break end
  end
  if not found then return nil end
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    if el.t == 'Str' and el.text:find('{{<', 1, true) then
      local buf, opens, closes, j = {}, 0, 0, i
      while j <= #inlines do
        local x = inlines[j]
        if x.t == 'Str' then
          buf[#buf + 1] = x.text
          opens = opens + count(x.text, '{{<')
          closes = closes + count(x.text, '>}}')
        elseif x.t == 'Space' or x.t == 'SoftBreak' then
          buf[#buf + 1] = ' '
        else
          break
        end
        if closes >= opens then break end
        j = j + 1
      end
      if closes < opens then
        U.fail(string.format('%s: unterminated or malformed shortcode "%s"', file, table.concat(buf)))
      end
      marked_inlines(expand_text(table.concat(buf), file, true), out)
      i = j + 1
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local function expand_attr(el, file)
  local changed = false
  for k, v in pairs(el.attributes) do
    if v:find('{{<', 1, true) then
      el.attributes[k] = expand_text(v, file)
      changed = true
    end
  end
  return changed
end

local function expand_vars(blocks, file)
  local function attr_only(el)
    if expand_attr(el, file) then return el end
  end
  return blocks:walk({
    Inlines = function(inlines) return expand_inlines(inlines, file) end,
    Link = function(el)
      el.target = expand_text(el.target, file)
      el.title = expand_text(el.title, file)
      expand_attr(el, file)
      return el
    end,
    Image = function(el)
      el.src = expand_text(el.src, file)
      el.title = expand_text(el.title, file)
      expand_attr(el, file)
      return el
    end,
    Span = attr_only, Div = attr_only, Header = attr_only, Figure = attr_only, Table = attr_only,
  })
end

--- Turn each include line into a marker Div so that its path is never parsed
--- as markdown (underscores, quotes) and it can sit inside lists and divs.
local function protect_includes(text)
  text = text:gsub('\r\n', '\n')
  local lines = {}
  for line in (text .. '\n'):gmatch('([^\n]*)\n') do
    local indent, path = line:match('^(%s*){{<%s*include%s+(.-)%s*>}}%s*$')
    if indent then
      path = path:gsub('^["\']', ''):gsub('["\']$', '')
      lines[#lines + 1] = ''
      lines[#lines + 1] = indent .. '::: {.prp-include path="' .. path .. '"}'
      lines[#lines + 1] = indent .. ':::'
      lines[#lines + 1] = ''
    else
      lines[#lines + 1] = line
    end
  end
  return table.concat(lines, '\n')
end

-- Parsing markdown is most of this filter's time, and most files are the
-- same from one render to the next (and between an edition's HTML and PDF
-- passes). With PRP_AST_CACHE set (a folder, one per edition), each file's
-- parse is kept there as pandoc's JSON, under a name made from its path and
-- reader, headed by the SHA-1 of everything the parse depends on (pandoc's
-- version, the reader and its options, the text); a parse is read back only
-- when that line matches. A parse that logged a message is not kept, so a
-- warning is given again by every render.
local AST_CACHE = os.getenv('PRP_AST_CACHE')
if AST_CACHE == '' then AST_CACHE = nil end
local READER_KEY = nil

local function reader_key()
  if not READER_KEY then
    local o = PANDOC_READER_OPTIONS
    local parts = { 'prp-ast-1', tostring(PANDOC_VERSION) }
    for _, k in ipairs({ 'abbreviations', 'columns', 'default_image_extension', 'extensions',
        'indented_code_classes', 'standalone', 'strip_comments', 'tab_stop', 'track_changes' }) do
      parts[#parts + 1] = k .. '=' .. pandoc.json.encode(o[k])
    end
    READER_KEY = table.concat(parts, '\n')
  end
  return READER_KEY
end

local function store(path, data)
  -- written in a fresh folder beside it, then renamed into place: a reader
  -- sees the old file or the new one, never part of one
  pcall(function()
    pandoc.system.with_temporary_directory(AST_CACHE, 'ast', function(dir)
      local tmp = pandoc.path.join({ dir, 'parse.json' })
      local fh = assert(io.open(tmp, 'wb'))
      fh:write(data)
      fh:close()
      assert(os.rename(tmp, path))
    end)
  end)
end

local function read_markdown(text, reader, rel)
  if not AST_CACHE then return pandoc.read(text, reader, PANDOC_READER_OPTIONS) end
  local key = pandoc.utils.sha1(reader_key() .. '\n' .. reader .. '\n' .. text)
  local path = pandoc.path.join({ AST_CACHE, pandoc.utils.sha1(reader .. '\n' .. rel) .. '.json' })
  local fh = io.open(path, 'rb')
  if fh then
    local stored, body = fh:read('l'), fh:read('a')
    fh:close()
    if stored == key and body then
      local ok, doc = pcall(pandoc.read, body, 'json')
      if ok then return doc end
    end
  end
  local logged = #PANDOC_STATE.log
  local doc = pandoc.read(text, reader, PANDOC_READER_OPTIONS)
  if #PANDOC_STATE.log == logged then
    pcall(pandoc.system.make_directory, AST_CACHE, true)
    store(path, key .. '\n' .. pandoc.write(doc, 'json'))
  end
  return doc
end

local load_file -- forward declaration

local function expand_includes(blocks, file, stack)
  return blocks:walk({
    Div = function(div)
      if not div.classes:includes('prp-include') then return nil end
      local target = div.attributes.path or ''
      local rel = U.resolve(target, file)
      if not rel then
        U.fail(string.format('%s: {{< include %s >}} points outside the project', file, target))
      end
      if not U.exists(rel) then
        U.fail(string.format('%s: included file "%s" not found (resolved to %s)', file, target, rel))
      end
      for _, seen in ipairs(stack) do
        if seen == rel then
          U.fail(string.format('%s: include cycle through %s', file, rel))
        end
      end
      if #stack >= MAX_DEPTH then
        U.fail(string.format('%s: includes nested more than %d deep', file, MAX_DEPTH))
      end
      local inner = load_file(rel, stack)
      return inner
    end,
  })
end

--- Read, parse and process one file; returns its blocks and metadata.
load_file = function(rel, stack)
  local text = U.read(rel)
  if not text then U.fail('cannot read ' .. rel) end
  local generated = is_generated(rel)
  if generated then
    local doc = read_markdown(text, SAFE_READER, rel)
    return defuse_links(doc.blocks, rel, true), doc.meta
  end
  local doc = read_markdown(protect_includes(text), READER, rel)
  local new_stack = { table.unpack(stack) }
  new_stack[#new_stack + 1] = rel
  local blocks = U.apply_visibility(doc.blocks, rel)
  blocks = expand_vars(blocks, rel)
  blocks = expand_includes(blocks, rel, new_stack)
  blocks = defuse_links(blocks, rel, false)
  return blocks, doc.meta
end

--- Make image paths root-relative (Quarto: relative to the chapter file) and
--- check that they exist; mark links to other .qmd files for crossref.lua.
local function resolve_paths(blocks, file)
  return blocks:walk({
    Image = function(img)
      if not U.is_local(img.src) then return nil end
      local rel = U.resolve(img.src, file)
      if not rel then U.fail(string.format('%s: image "%s" points outside the project', file, img.src)) end
      if not U.exists(rel) then
        U.fail(string.format('%s: image "%s" not found (resolved to %s)', file, img.src, rel))
      end
      img.src = rel
      return img
    end,
    Link = function(link)
      if not U.is_local(link.target) then return nil end
      local path, anchor = link.target:match('^([^#]*)#?(.*)$')
      if not path:match('%.qmd$') then return nil end
      local rel = U.resolve(path, file)
      if not rel then U.fail(string.format('%s: link "%s" points outside the project', file, link.target)) end
      link.attributes['prp-qmd'] = rel
      link.attributes['prp-from'] = file
      if anchor ~= '' then link.attributes['prp-anchor'] = anchor end
      return link
    end,
  })
end

local function has_level1(blocks)
  for _, b in ipairs(blocks) do
    if b.t == 'Header' and b.level == 1 then return true end
  end
  return false
end

local function load_chapter(marker)
  local file = marker.attributes.file
  if not U.exists(file) then U.fail('chapter file "' .. file .. '" listed in the book is missing') end
  local blocks, meta = load_file(file, {})
  if not has_level1(blocks) and meta.title then
    -- A chapter titled in its front matter: the title becomes its heading.
    local title = pandoc.read('# ' .. pandoc.write(pandoc.Pandoc({ pandoc.Plain(meta.title) }), 'markdown'))
    local header = title.blocks[1]
    if meta.id then header.identifier = pandoc.utils.stringify(meta.id) end
    blocks:insert(1, header)
  end
  return resolve_paths(blocks, file)
end

function Pandoc(doc)
  local out = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    out:insert(block)
    if block.t == 'Div' and block.classes:includes('prp-chapter') then
      out:extend(load_chapter(block))
    end
  end
  doc.blocks = out
  -- every file is read (and its parse kept): a render waiting to read the
  -- same files from PRP_AST_CACHE may start (prp.render.book)
  local signal = os.getenv('PRP_AST_READ_SIGNAL')
  if signal and signal ~= '' then
    local fh = io.open(signal, 'w')
    if fh then fh:close() end
  end
  return doc
end
