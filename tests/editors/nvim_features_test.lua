-- Real-editor test of the writing assistance (issue 3) in Neovim 0.11 headless: code action
-- from a diagnostic, fix-all, document symbols, folding, formatting, inlay hints, document
-- links, go-to-definition. Run by tests/editors/nvim.sh as
--   nvim --headless --clean -l nvim_features_test.lua PLUGIN_DIR SERVER_BINARY POSTMORTEM_FILE
-- Results go to stdout; any failure exits 1.

local plugin_dir, server, file = arg[1], arg[2], arg[3]
local failures = 0

local function check(ok, what, detail)
  io.stdout:write(('%-4s nvim: %s%s\n'):format(ok and 'ok' or 'FAIL', what,
    (not ok and detail) and (': ' .. tostring(detail)) or ''))
  if not ok then
    failures = failures + 1
  end
  return ok
end
local function finish()
  io.stdout:write(('nvim features: %d failure(s)\n'):format(failures))
  os.exit(failures == 0 and 0 or 1)
end

vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype on')
vim.cmd.runtime('plugin/postmortem.lua')
vim.lsp.config('postmortem', { cmd = { server, 'lsp' } })
vim.lsp.enable('postmortem')
vim.cmd.edit(vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client
vim.wait(10000, function()
  client = vim.lsp.get_clients({ bufnr = buf, name = 'postmortem' })[1]
  return client ~= nil and client.initialized
end, 50)
if not check(client ~= nil, 'the postmortem client attaches') then
  finish()
end
vim.wait(15000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)

local uri = vim.uri_from_bufnr(buf)
local function request(method, params)
  local resp = vim.lsp.buf_request_sync(buf, method, params, 5000) or {}
  for _, r in pairs(resp) do
    if r.err then
      return nil, vim.inspect(r.err)
    end
    return r.result
  end
end
local function line_of(needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = l:find(needle, 1, true)
    if col then
      return i - 1, col - 1, l
    end
  end
end
local function diagnostic(code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      return d
    end
  end
end

-- A quick fix built from the diagnostic's data: the timestamp written in UTC with `Z`.
local d = diagnostic('invalid-timestamp')
if check(d ~= nil, 'an invalid-timestamp diagnostic is there to fix') then
  local lsp_diag = d.user_data and d.user_data.lsp
  local actions = request('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = lsp_diag.range,
    context = { diagnostics = { lsp_diag }, only = { 'quickfix' } },
  }) or {}
  local fix = actions[1]
  check(fix and fix.title == 'Write `2026-05-20T14:05:00Z`', 'code action offers the UTC form',
    fix and fix.title or vim.inspect(actions))
  if fix and fix.edit then
    vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
    local _, _, l = line_of('Detection time (UTC)')
    check(l == '| Detection time (UTC) | 2026-05-20T14:05:00Z |', 'applying it rewrites the cell', l)
  end
end

-- Document symbols: the sections, with the Header fields as children.
local symbols = request('textDocument/documentSymbol', { textDocument = { uri = uri } }) or {}
local names = vim.tbl_map(function(s)
  return s.name
end, symbols)
check(names[1] == 'Header' and names[2] == 'Timeline (UTC)' and #names == 11, 'symbols are the 11 sections',
  table.concat(names, ', '))
check(symbols[1] and symbols[1].children and #symbols[1].children == 9, 'the Header symbol has its 9 fields')

-- Folding: the Timeline block folds as a range of its own.
local folds = request('textDocument/foldingRange', { textDocument = { uri = uri } }) or {}
local fence = line_of('```')
local folds_block = vim.iter(folds):any(function(f)
  return f.startLine == fence
end)
check(folds_block, 'the Timeline code block folds from its fence', vim.inspect(folds))

-- Inlay hints: each timeline entry's offset from detection.
local last = vim.api.nvim_buf_line_count(buf)
local hints = request('textDocument/inlayHint', {
  textDocument = { uri = uri },
  range = { start = { line = 0, character = 0 }, ['end'] = { line = last, character = 0 } },
}) or {}
local labels = vim.tbl_map(function(h)
  return type(h.label) == 'string' and h.label or h.label[1].value
end, hints)
check(vim.tbl_contains(labels, 'T−02m') and vim.tbl_contains(labels, 'T+36m'), 'inlay hints show T−02m and T+36m',
  table.concat(labels, ' '))

-- Document links and go-to-definition land on `## 5. Rollback` of the procedures.
local links = request('textDocument/documentLink', { textDocument = { uri = uri } }) or {}
local link = vim.iter(links):find(function(l)
  return l.target and l.target:find('deployment_procedures.md', 1, true)
end)
check(link and link.target:find('#L%d+$'), 'a link opens deployment_procedures.md at a line', vim.inspect(links))
local line, col = line_of('deployment_procedures.md')
local def = request('textDocument/definition', {
  textDocument = { uri = uri },
  position = { line = line, character = col + 2 },
})
def = def and (def[1] or def)
local target = def and (def.uri or def.targetUri) or ''
local range = def and (def.range or def.targetSelectionRange)
local procedures = vim.fs.joinpath(vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(file))),
  '_docs/04_deploy/deployment_procedures.md')
local heading = vim.fn.readfile(procedures)[range and range.start.line + 1 or 1] or ''
check(target:find('deployment_procedures.md$') and heading:find('^## 5%.'), 'definition opens the §5 heading',
  target .. ' @ ' .. heading)

-- Formatting aligns the Header table by display width and leaves the rest alone.
local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
vim.lsp.buf.format({ bufnr = buf, async = false, timeout_ms = 5000 })
local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
local _, _, sev = line_of('| Severity ')
check(sev and sev:match('^| Severity%s+| High%s+|$') and #sev == #(select(3, line_of('| Field '))),
  'formatting aligns the Header table', sev)
local changed_outside = false
for i, l in ipairs(after) do
  if not l:find('^|') and l ~= before[i] then
    changed_outside = true
  end
end
check(#after == #before and not changed_outside, 'formatting changes nothing outside the tables')

-- Fix-all repairs what is safe: break the environment value (`prod` has one close match),
-- then ask for source.fixAll.postmortem and apply it.
local env_line = line_of('| Affected environment')
vim.api.nvim_buf_set_lines(buf, env_line, env_line + 1, false, { '| Affected environment | prod |' })
vim.wait(5000, function()
  return diagnostic('invalid-value') ~= nil
end, 50)
local all = request('textDocument/codeAction', {
  textDocument = { uri = uri },
  range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
  context = { diagnostics = {}, only = { 'source.fixAll.postmortem' } },
}) or {}
local fix_all = all[1]
check(fix_all and fix_all.kind == 'source.fixAll.postmortem' and fix_all.edit, 'fix-all is offered',
  vim.inspect(all))
if fix_all and fix_all.edit then
  vim.lsp.util.apply_workspace_edit(fix_all.edit, client.offset_encoding)
  local _, _, l = line_of('| Affected environment')
  check(l and l:match('^| Affected environment%s+| production%s+|$'), 'fix-all writes `production`', l)
end

-- :PostmortemNew creates the file through workspace/applyEdit and opens it.
local root = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(file)))
local created = vim.fs.joinpath(root, '_docs/06_metrics', 'postmortem_' .. os.date('!%Y-%m-%d') .. '_nvim-made.md')
vim.cmd('PostmortemNew nvim-made')
vim.wait(5000, function()
  return vim.api.nvim_buf_get_name(0) == created and vim.fn.filereadable(created) == 1
end, 50)
check(vim.api.nvim_buf_get_name(0) == created, ':PostmortemNew opens the new post-mortem', vim.api.nvim_buf_get_name(0))
local first = vim.api.nvim_buf_get_lines(0, 0, 1, false)[1] or ''
check(first == '# Post-mortem: Nvim made' and vim.fn.filereadable(created) == 1,
  'the new file exists and its title comes from the slug', first)

finish()
