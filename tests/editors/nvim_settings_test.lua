-- Real-editor test of settings that change while Neovim runs (issue 12): with a client that
-- cannot watch files (as Neovim on Linux reports, forced here so the test means the same
-- everywhere), a `.postmortem.toml` written while the post-mortem is open applies on `:w`,
-- a broken one shows on the post-mortem's first line, and fixing it clears that. Run by
-- tests/editors/nvim.sh as
--   nvim --headless --clean -l nvim_settings_test.lua PLUGIN_DIR SERVER_BINARY POSTMORTEM_FILE
-- where POSTMORTEM_FILE lies in `_docs/06_metrics/` of a scratch workspace with no
-- `.postmortem.toml` at its root. Results go to stdout; any failure exits 1.

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
  io.stdout:write(('nvim settings: %d failure(s)\n'):format(failures))
  os.exit(failures == 0 and 0 or 1)
end

-- The workspace root: the folder holding `_docs` (the server's rule, without `.git`).
local root = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(file)))
local config = root .. '/.postmortem.toml'
check(vim.fn.filereadable(config) == 0, 'the workspace starts without .postmortem.toml', config)
local function write_config(text)
  local f = assert(io.open(config, 'w'))
  f:write(text)
  f:close()
end

vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype on')
vim.cmd.runtime('plugin/postmortem.lua')
vim.lsp.config('postmortem', {
  cmd = { server, 'lsp' },
  capabilities = { workspace = { didChangeWatchedFiles = { dynamicRegistration = false } } },
})
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

local function codes()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    out[#out + 1] = tostring(d.code)
  end
  table.sort(out)
  return out
end
local function find(code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      return d
    end
  end
end
-- Waits until `ok()` holds for the buffer's diagnostics.
local function until_(what, ok)
  local held = vim.wait(10000, ok, 50)
  return check(held, what, table.concat(codes(), ' '))
end
local function save()
  vim.cmd('silent write')
end

until_('human-error is reported under the built-in settings', function()
  return find('human-error') ~= nil
end)
local dyn = vim.tbl_get(client.capabilities or {}, 'workspace', 'didChangeWatchedFiles',
  'dynamicRegistration')
check(dyn == false, 'the client declares it cannot watch files', vim.inspect(dyn))

-- A configuration written while Neovim runs applies on `:w` of the post-mortem.
write_config('[rules]\nhuman-error = "off"\n')
save()
until_('after :w, the new .postmortem.toml turns human-error off', function()
  return find('human-error') == nil and find('missing-ticket') ~= nil
end)

-- A broken one: a notice on the first line names the file and the line; the last good
-- settings stay.
write_config('[rules]\nhuman-error = "off"\nnot-a-rule = "off"\n')
save()
if until_('after :w, the broken .postmortem.toml is reported on line 1', function()
  return find('config-problem') ~= nil
end) then
  local d = find('config-problem')
  check(d.lnum == 0, 'the notice is on the first line', d.lnum)
  check(d.message:find('`.postmortem.toml` line 3:', 1, true) ~= nil,
    'the notice names the file and the line', d.message)
  check(d.source == 'postmortem', 'the notice comes from the server', d.source)
  check(find('human-error') == nil, 'the last good settings stay', table.concat(codes(), ' '))
end

-- Fixed: the notice goes on the next `:w`.
write_config('[rules]\nhuman-error = "hint"\n')
save()
until_('after :w, the fixed .postmortem.toml clears the notice and applies', function()
  local he = find('human-error')
  return find('config-problem') == nil and he ~= nil
    and he.severity == vim.diagnostic.severity.HINT
end)

os.remove(config)
finish()
