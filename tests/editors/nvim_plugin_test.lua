-- Real-editor test of the plugin as documented (issue 12) in Neovim 0.11 headless:
-- `:PostmortemNew` with the CLI's options from a fresh Neovim (no markdown file open, so the
-- plugin starts the server itself), the server's slug error, the command's completion,
-- `setup()` turning on inlay hints, folding and `gO` (and its three switches), two quick
-- fixes applied in the buffer, the shipped `doc/tags`, and the Lua snippets of `:help
-- postmortem` actually running. Run by tests/editors/nvim.sh as
--   nvim --headless --clean -l nvim_plugin_test.lua PLUGIN_DIR SERVER_BINARY WORKSPACE_DIR
-- WORKSPACE_DIR is a scratch copy of the fixture workspace; this test makes it a git
-- repository with one commit. Results go to stdout; any failure exits 1.

local plugin_dir, server, ws = arg[1], arg[2], arg[3]
local failures = 0

local function check(ok, what, detail)
  io.stdout:write(('%-4s nvim plugin: %s%s\n'):format(ok and 'ok' or 'FAIL', what,
    (not ok and detail) and (': ' .. tostring(detail)) or ''))
  if not ok then
    failures = failures + 1
  end
  return ok
end
local function finish()
  io.stdout:write(('nvim plugin: %d failure(s)\n'):format(failures))
  os.exit(failures == 0 and 0 or 1)
end

local function git(...)
  local out = vim.fn.system(vim.list_extend({ 'git', '-C', ws, '-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false' }, { ... }))
  assert(vim.v.shell_error == 0, out)
  return vim.trim(out)
end
git('init', '-q')
git('add', '.')
git('commit', '-qm', 'fixture')
local head = git('rev-parse', 'HEAD')

-- Every message the plugin or the server shows.
local notes = {}
vim.notify = function(msg)
  table.insert(notes, msg)
end
local function noted(needle)
  for _, m in ipairs(notes) do
    if m:find(needle, 1, true) then
      return m
    end
  end
end

vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype plugin on')
vim.cmd.runtime('plugin/postmortem.lua')
vim.lsp.config('postmortem', { cmd = { server, 'lsp' } })
require('postmortem').setup()
vim.fn.chdir(ws .. '/config')

-- Completion of the command's arguments.
local names = vim.fn.getcompletion('PostmortemNew redis_pool ', 'cmdline')
check(vim.deep_equal(names, { 'date=', 'deploy=', 'title=' }), 'argument names complete', vim.inspect(names))
local dates = vim.fn.getcompletion('PostmortemNew redis_pool date=', 'cmdline')
local today, yesterday = os.date('!%Y-%m-%d'), os.date('!%Y-%m-%d', os.time() - 86400)
check(vim.deep_equal(dates, { 'date=' .. today, 'date=' .. yesterday }), 'date= completes today and yesterday',
  vim.inspect(dates))
local used = vim.fn.getcompletion('PostmortemNew x date=2026-01-01 d', 'cmdline')
check(vim.deep_equal(used, { 'deploy=' }), 'a name already given is not offered again', vim.inspect(used))

local no, why = require('postmortem').parse_new('x color=red')
check(no == nil and why:find('color=', 1, true) ~= nil, 'an unknown argument is refused by name', why)
local req = require('postmortem').parse_new('  redis_pool title=Redis  pool, again date=2026-11-30')
check(vim.deep_equal(req, { slug = 'redis_pool', title = 'Redis  pool, again date=2026-11-30' }),
  'title= takes the rest of the line', vim.inspect(req))

-- A fresh Neovim: no buffer has a file, no client runs.
check(#vim.lsp.get_clients({ name = 'postmortem' }) == 0, 'no client runs before :PostmortemNew')
vim.cmd('PostmortemNew redis_pool date=2026-11-30 deploy=HEAD title=Redis pool exhausted')
local want = ws .. '/_docs/06_metrics/postmortem_2026-11-30_redis_pool.md'
local opened = vim.wait(15000, function()
  return vim.api.nvim_buf_get_name(0) == want and #vim.api.nvim_buf_get_lines(0, 0, -1, false) > 5
end, 50)
check(opened, ':PostmortemNew creates and opens the file', vim.api.nvim_buf_get_name(0) .. ' ' .. vim.inspect(notes))
local new_buf = vim.api.nvim_get_current_buf()
local text = table.concat(vim.api.nvim_buf_get_lines(new_buf, 0, -1, false), '\n')
check(text:find('Redis pool exhausted', 1, true) ~= nil, 'the new file has the title', text:sub(1, 200))
check(text:find('| 2026-11-30 |', 1, true) ~= nil, 'the new file has the date', text:sub(1, 400))
check(text:find('```\nHH:MM  (source: alert) …\n```', 1, true) ~= nil,
  'the Timeline holds no entry stamped with the minute the file was made', text)
check(text:find('`' .. head:sub(1, 12) .. '`', 1, true) ~= nil, 'the new file has the Deploy SHA of HEAD', head)
check(vim.fn.filereadable(want) == 1, 'the file exists on disk')
local messages = vim.fn.execute('messages')
check(not messages:find('E348', 1, true), 'opening it shows no error (showDocument from an empty buffer)', messages)

-- setup() turned on inlay hints, folding and the outline on the new post-mortem.
vim.wait(10000, function()
  return #vim.lsp.get_clients({ bufnr = new_buf, name = 'postmortem' }) > 0
end, 50)
check(vim.lsp.inlay_hint.is_enabled({ bufnr = new_buf }), 'inlay hints are on')
check(vim.wo.foldmethod == 'expr' and vim.wo.foldexpr == 'v:lua.vim.lsp.foldexpr()', 'folds come from the server',
  vim.wo.foldmethod .. ' ' .. vim.wo.foldexpr)
local go = vim.fn.maparg('gO', 'n', false, true)
check(go.buffer == 1 and go.callback == vim.lsp.buf.document_symbol, 'gO lists the document symbols', vim.inspect(go))
vim.fn.setloclist(0, {})
vim.cmd('normal gO')
local symbols = vim.wait(5000, function()
  return #vim.fn.getloclist(0) > 0
end, 50)
local texts = vim.tbl_map(function(i)
  return i.text
end, vim.fn.getloclist(0))
check(symbols and vim.tbl_contains(texts, '[Namespace] Header') and vim.tbl_contains(texts, '[Namespace] Timeline (UTC)'),
  'gO shows the server\'s symbols', vim.inspect(texts))
vim.cmd('silent! lclose')

-- The server's slug rule, and its error shown.
notes = {}
vim.cmd('PostmortemNew Bad/Slug')
vim.wait(5000, function()
  return noted('cannot be part of a file name') ~= nil
end, 50)
check(noted('cannot be part of a file name') ~= nil, 'a bad slug shows the server\'s error', vim.inspect(notes))

-- The three switches: a buffer opened after setup({...= false}) gets none of them.
require('postmortem').setup({ inlay_hints = false, folding = false, outline = false })
local file = ws .. '/_docs/06_metrics/postmortem_2026-05-20_cart-errors.md'
-- A window keeps its fold options from the buffer it showed before: start from Neovim's own.
vim.wo.foldmethod, vim.wo.foldexpr = 'manual', '0'
vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client
vim.wait(10000, function()
  client = vim.lsp.get_clients({ bufnr = buf, name = 'postmortem' })[1]
  return client ~= nil
end, 50)
check(client ~= nil, 'the client attaches to the fixture')
check(not vim.lsp.inlay_hint.is_enabled({ bufnr = buf }), 'inlay_hints = false leaves hints off')
check(vim.wo.foldmethod ~= 'expr' or vim.wo.foldexpr ~= 'v:lua.vim.lsp.foldexpr()', 'folding = false leaves folds alone')
check(vim.fn.maparg('gO', 'n', false, true).callback ~= vim.lsp.buf.document_symbol, 'outline = false leaves gO alone')

-- Two quick fixes, applied, and the exact line afterwards.
local function line_of(needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:find(needle, 1, true) then
      return i - 1
    end
  end
end
local function fix(code, row, title)
  local d
  vim.wait(10000, function()
    for _, x in ipairs(vim.diagnostic.get(buf, { lnum = row })) do
      if x.code == code then
        d = x
        return true
      end
    end
  end, 50)
  if not check(d ~= nil, code .. ' is reported on line ' .. (row + 1), vim.inspect(vim.diagnostic.get(buf))) then
    return
  end
  local lsp_diag = d.user_data.lsp
  local resp = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, only = { 'quickfix' } },
  }, 5000) or {}
  local titles = {}
  for _, r in pairs(resp) do
    for _, a in ipairs(r.result or {}) do
      table.insert(titles, a.title)
      if a.title:find(title, 1, true) and a.edit then
        vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding)
        return true
      end
    end
  end
  check(false, code .. ' offers a fix titled like ' .. title, vim.inspect(titles))
end

local owner = line_of('| sam |')
if fix('invalid-owner', owner, '@sam') then
  local got = vim.api.nvim_buf_get_lines(buf, owner, owner + 1, false)[1]
  check(got == '| @sam | Add a failover drill to the runbook | 2026-06-03 |', 'invalid-owner fix writes @sam', got)
end

local alert = line_of('14:05  (source: alert)')
vim.api.nvim_buf_set_lines(buf, alert, alert + 1, false,
  { '14:05:30  (source: alert) CartErrorRate fires, pages the on-call engineer' })
if fix('timeline-format', alert, 'Write `14:05`') then
  local got = vim.api.nvim_buf_get_lines(buf, alert, alert + 1, false)[1]
  check(got == '14:05  (source: alert) CartErrorRate fires, pages the on-call engineer',
    'timeline-format fix drops the seconds', got)
end

-- The shipped tags file is the one :helptags makes from the help as it is now.
local fresh = vim.fn.tempname()
vim.fn.mkdir(fresh, 'p')
vim.fn.writefile(vim.fn.readfile(plugin_dir .. '/doc/postmortem.txt', 'b'), fresh .. '/postmortem.txt', 'b')
vim.cmd.helptags(vim.fn.fnameescape(fresh))
local shipped = vim.fn.filereadable(plugin_dir .. '/doc/tags') == 1 and vim.fn.readfile(plugin_dir .. '/doc/tags') or {}
check(#shipped > 0 and vim.deep_equal(shipped, vim.fn.readfile(fresh .. '/tags')),
  'doc/tags equals a fresh :helptags (regenerate: nvim --headless -c "helptags editors/nvim/doc" -c q)')
local ok_help = pcall(vim.cmd.help, 'postmortem')
check(ok_help and vim.bo.filetype == 'help', ':help postmortem opens without :helptags')
vim.cmd('silent! helpclose')

-- Every Lua snippet of the help runs, in order, with the client above running without
-- settings (the live-settings snippet must cope with that).
local snippets, current = {}, nil
for _, l in ipairs(vim.fn.readfile(plugin_dir .. '/doc/postmortem.txt')) do
  if current then
    if l:match('^<') then
      table.insert(snippets, table.concat(current, '\n'))
      current = nil
    else
      table.insert(current, l)
    end
  elseif l:match('>lua$') then
    current = {}
  end
end
check(#snippets >= 5, 'the help has its Lua snippets', #snippets)
for i, code in ipairs(snippets) do
  -- A plugin-manager spec is a table, not a statement.
  local chunk, err = load(code, 'snippet ' .. i)
  if not chunk then
    chunk, err = load('return ' .. code, 'snippet ' .. i)
  end
  local ok, run_err = false, err
  if chunk then
    ok, run_err = pcall(chunk)
  end
  check(ok, 'help snippet ' .. i .. ' runs (' .. vim.split(code, '\n')[1]:gsub('^%s+', '') .. ')', run_err)
end
finish()
