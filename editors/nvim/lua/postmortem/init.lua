--- postmortem-lsp for Neovim: the client configuration, root detection, the two user
--- commands, and inlay hints, folding and outline on attach. Works with `vim.lsp.enable('postmortem')` on 0.11+ (through `lsp/postmortem.lua`)
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

--- `window/showDocument` (the file `postmortem.new` made): Neovim's own handler, unless it
--- fails. It reads the word under the cursor for the tag stack, which is an error (E348)
--- with the cursor on no word, e.g. in the empty buffer of a fresh Neovim: then the file is
--- opened plainly.
local function show_document(err, result, ctx, config)
  local ok, answer = pcall(vim.lsp.handlers['window/showDocument'], err, result, ctx, config)
  if ok then
    return answer
  end
  if type(result) == 'table' and type(result.uri) == 'string' and not result.external then
    vim.cmd.edit(vim.fn.fnameescape(vim.uri_to_fname(result.uri)))
    return { success = true }
  end
  return { success = false }
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
  config.handlers = { ['window/showDocument'] = show_document }
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

--- The names `:PostmortemNew` takes after the slug, as `name=value`.
M.new_arguments = { 'date', 'deploy', 'title' }

--- The arguments of `:PostmortemNew {slug} date=YYYY-MM-DD deploy=REV title=TEXT…` as the
--- table `postmortem.new` takes. `title=` takes the rest of the line (spaces included); the
--- slug is passed as written, so the server applies the one slug rule the CLI uses.
--- @param line string the command's arguments
--- @return table|nil request, string|nil error
function M.parse_new(line)
  local request = {}
  local rest = vim.trim(line or '')
  local title_at = rest:find('%f[%S]title=')
  if title_at then
    request.title = vim.trim(rest:sub(title_at + #'title='))
    rest = vim.trim(rest:sub(1, title_at - 1))
  end
  for word in rest:gmatch('%S+') do
    local name, value = word:match('^(%a+)=(.*)$')
    if name then
      if not vim.tbl_contains(M.new_arguments, name) then
        return nil, ('`%s=` is not an argument: use date=, deploy= or title='):format(name)
      end
      request[name] = value
    elseif request.slug == nil then
      request.slug = word
    else
      return nil, ('`%s`: give one slug, then date=, deploy= or title='):format(word)
    end
  end
  return request
end

--- Completion for `:PostmortemNew`: the argument names, and today and yesterday (UTC) for
--- `date=`.
function M.complete_new(arg_lead, cmd_line)
  if cmd_line:find('%f[%S]title=') and not arg_lead:find('^title=') then
    return {}
  end
  if arg_lead:find('^date=') then
    local now = os.time()
    local days = { os.date('!%Y-%m-%d', now), os.date('!%Y-%m-%d', now - 86400) }
    return vim.tbl_map(function(d)
      return 'date=' .. d
    end, days)
  end
  local out = {}
  for _, name in ipairs(M.new_arguments) do
    local word = name .. '='
    if vim.startswith(word, arg_lead) and not cmd_line:find('%f[%S]' .. word) then
      table.insert(out, word)
    end
  end
  return out
end

--- The repository root for the current working directory: the nearest folder with `.git`
--- above it, else the directory itself.
local function cwd_root()
  local cwd = vim.fn.getcwd()
  local git = vim.fs.find('.git', { path = cwd, upward = true, limit = 1 })[1]
  return git and vim.fs.dirname(git) or cwd
end

--- A client to ask: the current buffer's, any running one, else one started with the
--- plugin's client configuration (and the user's overrides) at the working directory's
--- repository root, attached to no buffer.
local function client_or_start()
  local client = client_for(vim.api.nvim_get_current_buf()) or client_for(nil)
  if client then
    return client
  end
  local config = has_011 and vim.deepcopy(vim.lsp.config.postmortem or M.config()) or M.config(M._opts)
  config.root_dir = cwd_root()
  config.workspace_folders = nil
  local id = vim.lsp.start(config, { attach = false })
  client = id and vim.lsp.get_client_by_id(id)
  if client then
    vim.wait(10000, function()
      return client.initialized or client:is_stopped()
    end, 20)
  end
  return client and client.initialized and client or nil
end

--- `:PostmortemNew {slug} date=… deploy=… title=…`: asks the server to create a post-mortem
--- and opens the file it answers with (a URI string, or a table with `uri`). Starts the
--- server when none runs; the server's refusal (a bad slug, an existing file) is shown.
function M.new(line)
  local request, why = M.parse_new(line)
  if not request then
    vim.notify('postmortem: ' .. why, vim.log.levels.ERROR)
    return
  end
  local client = client_or_start()
  if not client then
    vim.notify('postmortem: the server did not start (is `postmortem-lsp` on PATH?)', vim.log.levels.ERROR)
    return
  end
  -- The server creates the file at the root of its first workspace folder, through
  -- workspace/applyEdit, then asks to show it.
  execute(client, nil, 'postmortem.new', { request }, function(result)
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

--- The options `setup()` takes for the editor itself, not for the client.
local features = { inlay_hints = true, folding = true, outline = true }

--- Turns on what `features` allows for a buffer the client attached to: inlay hints, folds
--- from the server's folding ranges (0.11+; opened, not closed), and `gO` listing the
--- server's document symbols. The server answers only for post-mortems, so other markdown
--- files get no hints and no folds.
local function on_attach(bufnr, wanted)
  if wanted.inlay_hints and vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then
    if has_011 then
      vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
    else
      pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr })
    end
  end
  if wanted.folding and vim.lsp.foldexpr then
    for _, win in ipairs(vim.fn.win_findbuf(bufnr)) do
      vim.wo[win].foldmethod = 'expr'
      vim.wo[win].foldexpr = 'v:lua.vim.lsp.foldexpr()'
      vim.wo[win].foldlevel = 99
    end
  end
  if wanted.outline then
    vim.keymap.set('n', 'gO', vim.lsp.buf.document_symbol, { buffer = bufnr, desc = 'Post-mortem outline (document symbols)' })
  end
end

--- One call for every version: on 0.11+ it registers `opts` with `vim.lsp.config` and enables
--- the server; before 0.11 it starts the client on each markdown buffer with `vim.lsp.start`.
--- On the buffers the client attaches to it turns on inlay hints, folding and `gO` (the
--- outline), unless `opts` says `inlay_hints = false`, `folding = false` or `outline = false`.
--- @param opts table|nil client fields to override (`cmd`, `init_options`, `settings`, ...)
--- and the three switches above
function M.setup(opts)
  opts = vim.deepcopy(opts or {})
  local wanted = {}
  for name, default in pairs(features) do
    wanted[name] = opts[name] == nil and default or opts[name] ~= false
    opts[name] = nil
  end
  local client_opts = next(opts) and opts or nil
  M._opts = client_opts
  local group = vim.api.nvim_create_augroup('postmortem', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client and client.name == 'postmortem' then
        on_attach(args.buf, wanted)
      end
    end,
  })
  if has_011 then
    if client_opts then
      vim.lsp.config('postmortem', client_opts)
    end
    vim.lsp.enable('postmortem')
    return
  end
  local config = M.config(client_opts)
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
