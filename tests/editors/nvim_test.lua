-- Real-editor test: Neovim 0.11 headless with the plugin on the runtimepath, as a user installs
-- it. Run by tests/editors/nvim.sh as
--   nvim --headless --clean -l nvim_test.lua PLUGIN_DIR SERVER_BINARY POSTMORTEM_FILE
-- Results go to stdout (under -l, `print` writes to stderr); any failure exits 1.
--

local plugin_dir, server, file = arg[1], arg[2], arg[3]
local failures = 0

local function say(status, what)
  io.stdout:write(('%-4s nvim: %s\n'):format(status, what))
end
local function check(ok, what, detail)
  if ok then
    say('ok', what)
  else
    failures = failures + 1
    say('FAIL', what .. (detail and (': ' .. detail) or ''))
  end
  return ok
end
local function finish()
  io.stdout:write(('nvim: %d failure(s)\n'):format(failures))
  os.exit(failures == 0 and 0 or 1)
end

-- Installed as a user would: the plugin folder on the runtimepath, its plugin/ file sourced
-- the way startup sources it, and the 0.11 way of enabling the server.
vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype on')
vim.cmd.runtime('plugin/postmortem.lua')
check(vim.fn.exists(':PostmortemTimelineNow') == 2, ':PostmortemTimelineNow is defined')
check(vim.fn.exists(':PostmortemNew') == 2, ':PostmortemNew is defined')
-- Every message the server shows: the plugin's own settings must not draw a warning.
local shown = {}
vim.lsp.handlers['window/showMessage'] = function(_, result)
  table.insert(shown, result.message)
end
vim.lsp.config('postmortem', { cmd = { server, 'lsp' } })
vim.lsp.enable('postmortem')

vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
check(vim.bo[buf].filetype == 'markdown', 'the fixture opens as markdown', vim.bo[buf].filetype)

local client
vim.wait(10000, function()
  client = vim.lsp.get_clients({ bufnr = buf, name = 'postmortem' })[1]
  return client ~= nil and client.initialized
end, 50)
if not check(client ~= nil, 'the postmortem client attaches to the buffer') then
  finish()
end
-- The root is the folder holding `_docs` (the fixture copy has no `.git`).
local expected_root = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(file)))
check(client.config.root_dir == expected_root, 'root_dir is the folder holding _docs', client.config.root_dir)

-- Diagnostics: exactly the codes the fixture is built to produce.
local got_diags = vim.wait(15000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
check(got_diags, 'diagnostics arrive')
check(#shown == 0, 'the server shows no message about the settings', table.concat(shown, ' | '))
local codes, seen = {}, {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.source == 'postmortem' and not seen[d.code] then
    seen[d.code] = true
    table.insert(codes, d.code)
  end
end
table.sort(codes)
local want = { 'human-error', 'invalid-owner', 'invalid-timestamp', 'missing-ticket' }
check(vim.deep_equal(codes, want), 'diagnostic codes are ' .. table.concat(want, ', '), table.concat(codes, ', '))

--- The 0-based line of the first line containing `needle` (plain match).
local function line_of(needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = l:find(needle, 1, true)
    if col then
      return i - 1, col - 1, l
    end
  end
end

local caps = client.server_capabilities or {}

-- Completion in the Detection time cell offers a full UTC timestamp.
if check(caps.completionProvider ~= nil, 'the server offers completion') then
  local line, col = line_of('2026-05-20 14:05')
  local resp = vim.lsp.buf_request_sync(buf, 'textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col + 2 },
  }, 5000)
  local labels = {}
  for _, r in pairs(resp or {}) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do
      table.insert(labels, item.label)
    end
  end
  local stamp = vim.iter(labels):find(function(l)
    return l:match('^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$') ~= nil
  end)
  check(stamp ~= nil, 'completion in the Detection time cell offers a UTC timestamp', table.concat(labels, ' | '))
end

-- Hover on the deploy procedures reference shows the text of its §5.
if check(caps.hoverProvider ~= nil, 'the server offers hover') then
  local line, col = line_of('deployment_procedures.md')
  local resp = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col + 3 },
  }, 5000)
  local text = ''
  for _, r in pairs(resp or {}) do
    local c = r.result and r.result.contents
    if type(c) == 'table' then
      text = text .. (c.value or vim.inspect(c))
    elseif type(c) == 'string' then
      text = text .. c
    end
  end
  check(text:find('Rollback', 1, true) and text:find('Redeploy the previous release tag', 1, true),
    'hover on deployment_procedures.md §5 shows that section', text)
end

-- :PostmortemTimelineNow appends `HH:MM  (source: …) ` at the current UTC minute as the
-- last line of the Timeline block.
local commands = caps.executeCommandProvider and caps.executeCommandProvider.commands or {}
if check(vim.tbl_contains(commands, 'postmortem.insertTimelineEntry'), 'the server offers postmortem.insertTimelineEntry') then
  local before = vim.api.nvim_buf_line_count(buf)
  local t0 = os.date('!%H:%M')
  vim.cmd('PostmortemTimelineNow')
  vim.wait(5000, function()
    return vim.api.nvim_buf_line_count(buf) > before
  end, 50)
  local t1 = os.date('!%H:%M')
  local fence = line_of('14:41  (source: alert)')
  local added = fence and vim.api.nvim_buf_get_lines(buf, fence + 1, fence + 2, false)[1] or ''
  local hhmm = added:match('^(%d%d:%d%d)  %(source: ')
  check(vim.api.nvim_buf_line_count(buf) == before + 1 and hhmm ~= nil and (hhmm == t0 or hhmm == t1),
    ':PostmortemTimelineNow inserts a timeline line at the current UTC minute', added)
end

finish()
