--- postmortem-lsp for Neovim: the client configuration, root detection, and the two user
--- commands. Works with `vim.lsp.enable('postmortem')` on 0.11+ (through `lsp/postmortem.lua`)
--- and with `require('postmortem').setup(opts)` on 0.9 and later.

local M = {}

local has_011 = vim.fn.has('nvim-0.11') == 1

--- The workspace root for a file: the nearest folder with `.git`, else the nearest folder
--- holding `_docs` (a docs tree that is not under git), else the file's own folder.
--- @param path string absolute file path
--- @return string
function M.root(path)
  local dir = vim.fs.dirname(path)
  local git = vim.fs.find('.git', { path = dir, upward = true, limit = 1 })[1]
  if git then
    return vim.fs.dirname(git)
  end
  local docs = vim.fs.find('_docs', { path = dir, upward = true, type = 'directory', limit = 1 })[1]
  if docs then
    return vim.fs.dirname(docs)
  end
  return dir
end

--- The client configuration (the shape `vim.lsp.config` and `vim.lsp.start` both take).
--- @param opts table|nil `cmd`, `init_options`, `settings` or any other client field to override
--- @return table
function M.config(opts)
  local config = {
    name = 'postmortem',
    cmd = { 'postmortem-lsp', 'lsp' },
    filetypes = { 'markdown' },
    init_options = {},
    -- 0.11 calls this with the buffer and a callback; older versions never read it.
    root_dir = function(bufnr, on_dir)
      local name = vim.api.nvim_buf_get_name(bufnr)
      if name ~= '' then
        on_dir(M.root(name))
      end
    end,
  }
  return vim.tbl_deep_extend('force', config, opts or {})
end

--- The running postmortem client for a buffer, or any running one when `bufnr` is nil.
local function client_for(bufnr)
  local filter = { name = 'postmortem', bufnr = bufnr }
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get(filter)[1]
end

--- Sends `workspace/executeCommand` and calls `done(result)` on success; errors are shown.
local function execute(client, bufnr, command, arguments, done)
  local params = { command = command, arguments = arguments }
  local function handler(err, result)
    if err then
      vim.notify(('postmortem: %s failed: %s'):format(command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif done then
      done(result)
    end
  end
  if has_011 then
    client:request('workspace/executeCommand', params, handler, bufnr)
  else
    client.request('workspace/executeCommand', params, handler, bufnr)
  end
end

--- `:PostmortemTimelineNow`: asks the server to append a timeline entry at the current UTC
--- minute; the server sends the edit back through `workspace/applyEdit` (or as its answer).
function M.timeline_now()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    vim.notify('postmortem: the server is not attached to this buffer (is it a post-mortem?)', vim.log.levels.WARN)
    return
  end
  execute(client, bufnr, 'postmortem.insertTimelineEntry', { vim.uri_from_bufnr(bufnr) }, function(result)
    -- A server may also answer with the edit instead of sending `workspace/applyEdit`.
    if type(result) == 'table' and (result.changes or result.documentChanges) then
      vim.lsp.util.apply_workspace_edit(result, client.offset_encoding)
    end
  end)
end

--- `:PostmortemNew {slug}`: asks the server to create a post-mortem and opens the file it
--- answers with (a URI string, or a table with `uri`).
function M.new(slug)
  if not slug or not slug:match('^[a-z0-9]+[a-z0-9-]*$') then
    vim.notify('postmortem: give a slug of lowercase words joined by dashes, e.g. :PostmortemNew checkout-timeouts', vim.log.levels.ERROR)
    return
  end
  local client = client_for(vim.api.nvim_get_current_buf()) or client_for(nil)
  if not client then
    vim.notify('postmortem: no server is running; open a markdown file in the repository first', vim.log.levels.WARN)
    return
  end
  -- The server creates the file at the root of its first workspace folder (the client's
  -- root_dir), through workspace/applyEdit, then asks to show it.
  execute(client, nil, 'postmortem.new', { { slug = slug } }, function(result)
    local uri = type(result) == 'string' and result or (type(result) == 'table' and result.uri)
    if uri then
      vim.cmd.edit(vim.fn.fnameescape(vim.uri_to_fname(uri)))
    end
  end)
end

--- Starts (or reuses) the client for a buffer on 0.9/0.10, where `vim.lsp.enable` is missing.
local function start(bufnr, config)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local c = vim.deepcopy(config)
  c.root_dir = M.root(name)
  vim.lsp.start(c, { bufnr = bufnr })
end

--- One call for every version: on 0.11+ it registers `opts` with `vim.lsp.config` and enables
--- the server; before 0.11 it starts the client on each markdown buffer with `vim.lsp.start`.
--- @param opts table|nil client fields to override (`cmd`, `init_options`, `settings`, ...)
function M.setup(opts)
  if has_011 then
    if opts then
      vim.lsp.config('postmortem', opts)
    end
    vim.lsp.enable('postmortem')
    return
  end
  local config = M.config(opts)
  local group = vim.api.nvim_create_augroup('postmortem', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      start(args.buf, config)
    end,
  })
  -- Buffers opened before `setup` ran (e.g. the file named on the command line).
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(config.filetypes, vim.bo[buf].filetype) then
      start(buf, config)
    end
  end
end

return M
