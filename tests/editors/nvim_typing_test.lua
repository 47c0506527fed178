-- Real-editor test of completion while typing (issue 12) in Neovim 0.11 headless, with the
-- completion set-up `:help postmortem-completion` documents (autotrigger, completeopt
-- menuone,noselect,popup). Keys go in one at a time through nvim_input, with waits between
-- them so completion requests and answers happen while typing, as they do for a person.
-- Checks that the buffer holds exactly what was typed, and exactly the expected text where a
-- completion was accepted. Run by tests/editors/nvim.sh as
--   PM_PLUGIN=… PM_SERVER=… PM_FILE=… nvim --headless --clean -c 'luafile nvim_typing_test.lua'
-- (not `-l`: typed keys are only read by the main loop, which `-l` never reaches).
-- Results go to stdout; any failure exits 1.

local plugin_dir, server, file = os.getenv('PM_PLUGIN'), os.getenv('PM_SERVER'), os.getenv('PM_FILE')
local failures = 0
local KEY_MS = 40 -- between keys: a fast typist, slower than the server answers

local function check(ok, what, detail)
  io.stdout:write(('%-4s nvim typing: %s%s\n'):format(ok and 'ok' or 'FAIL', what,
    (not ok and detail) and (': ' .. tostring(detail)) or ''))
  if not ok then
    failures = failures + 1
  end
  return ok
end
local function finish()
  io.stdout:write(('nvim typing: %d failure(s)\n'):format(failures))
  io.stdout:flush()
  os.exit(failures == 0 and 0 or 1)
end

-- A repository with two commits, so the SHA cells have something to complete.
local root = file:gsub('/_docs/.*$', '')
local function git(args, date)
  local env = { GIT_AUTHOR_NAME = 'Ana Lima', GIT_AUTHOR_EMAIL = 'ana@example.com',
    GIT_COMMITTER_NAME = 'Ana Lima', GIT_COMMITTER_EMAIL = 'ana@example.com',
    GIT_AUTHOR_DATE = date, GIT_COMMITTER_DATE = date, HOME = root, GIT_CONFIG_NOSYSTEM = '1' }
  local r = vim.system(vim.list_extend({ 'git', '-C', root }, args), { env = env, text = true }):wait()
  return vim.trim(r.stdout or '')
end
git({ 'init', '-q' })
git({ 'commit', '-q', '--allow-empty', '-m', 'Release 41' }, '2026-05-19T10:00:00Z')
local previous = git({ 'rev-parse', 'HEAD' })
git({ 'commit', '-q', '--allow-empty', '-m', 'Switch the session store' }, '2026-05-20T09:00:00Z')
local head = git({ 'rev-parse', 'HEAD' })
if not check(#head == 40 and #previous == 40, 'a repository with two commits', head) then
  finish()
end

-- The documented set-up, as the user writes it.
vim.o.showmode = false
vim.opt.shortmess:append('c') -- no "match 1 of 3" on stdout
vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype on')
vim.cmd.runtime('plugin/postmortem.lua')
vim.lsp.config('postmortem', { cmd = { server, 'lsp' } })
vim.lsp.enable('postmortem')
vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if not client or client.name ~= 'postmortem' then
      return
    end
    vim.bo[args.buf].completeopt = 'menuone,noselect,popup'
    vim.lsp.completion.enable(true, client.id, args.buf, { autotrigger = true })
    vim.keymap.set('i', '<C-Space>', vim.lsp.completion.get, { buffer = args.buf })
  end,
})

local co
local function sleep(ms)
  vim.defer_fn(function()
    local ok, err = coroutine.resume(co)
    if not ok then
      check(false, 'the test runs to its end', err)
      finish()
    end
  end, ms)
  coroutine.yield()
end
local function wait_until(ms, cond)
  local waited = 0
  while not cond() and waited < ms do
    sleep(50)
    waited = waited + 50
  end
  return cond()
end

local buf
local function lines()
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end
local function line_of(needle)
  for i, l in ipairs(lines()) do
    if l:find(needle, 1, true) then
      return i, l
    end
  end
end
--- Types `text` one key at a time (each character as its own key), waiting between keys.
local function type_slowly(text)
  for _, ch in ipairs(vim.fn.split(text, '\\zs')) do
    vim.api.nvim_input(ch == '<' and '<lt>' or ch)
    sleep(KEY_MS)
  end
end
local function keys(k)
  vim.api.nvim_input(k)
  sleep(KEY_MS * 3)
end
--- Leaves insert mode and waits for the menu to close.
local function escape()
  keys('<Esc>')
  wait_until(1000, function()
    return vim.api.nvim_get_mode().mode == 'n'
  end)
end
--- Puts the cursor on line `lnum` (1-based) in normal mode.
local function goto_line(lnum)
  vim.api.nvim_win_set_cursor(0, { lnum, 0 })
end

co = coroutine.create(function()
  vim.cmd.edit(vim.fn.fnameescape(file))
  buf = vim.api.nvim_get_current_buf()
  local client
  wait_until(10000, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'postmortem' })[1]
    return client ~= nil and client.initialized
  end)
  if not check(client ~= nil, 'the postmortem client attaches') then
    finish()
  end
  wait_until(15000, function()
    return #vim.diagnostic.get(buf) > 0
  end)
  check(vim.bo[buf].completeopt == 'menuone,noselect,popup', 'the documented completeopt is set',
    vim.bo[buf].completeopt)
  local triggers = vim.tbl_get(client.server_capabilities, 'completionProvider', 'triggerCharacters')
  check(vim.deep_equal(triggers, { '|' }), 'the only trigger character is |', vim.inspect(triggers))

  -- A timeline line, typed after the last entry: `:` and spaces must not insert a source.
  local entry = '09:41  (source: Slack) restarted the pods'
  local last = line_of('14:41  (source: alert)')
  goto_line(last)
  keys('o')
  type_slowly(entry)
  escape()
  local got = vim.api.nvim_buf_get_lines(buf, last, last + 1, false)[1]
  check(got == entry, 'a timeline line holds exactly what was typed', got)

  -- A Prevention row: each `|` asks for completion (dates in the date cell); nothing may be
  -- inserted unless picked.
  local row = '| @ana | Alert on replica lag, CART-32 | 2026-06-10 |'
  local under = line_of('| sam | Add a failover drill')
  goto_line(under)
  keys('o')
  type_slowly(row)
  escape()
  got = vim.api.nvim_buf_get_lines(buf, under, under + 1, false)[1]
  check(got == row, 'a Prevention row holds exactly what was typed', got)

  -- The row snippet, asked for on the line under the table and accepted: its first tab stop
  -- (the owner) is where typing goes, and its examples come from the document (the table's
  -- CART key, the Incident date + 14 days).
  goto_line(under + 1)
  keys('o')
  keys('<C-Space>')
  wait_until(3000, function()
    return vim.fn.pumvisible() == 1
  end)
  local offered = vim.fn.complete_info({ 'items' }).items
  check(offered[1] and offered[1].abbr == 'Prevention row', 'the line under the table offers a row',
    vim.inspect(vim.tbl_map(function(i) return i.abbr end, offered)))
  keys('<C-n>')
  keys('<C-y>')
  type_slowly('ana')
  escape()
  got = vim.api.nvim_buf_get_lines(buf, under + 1, under + 2, false)[1]
  check(got == '| @ana | …, CART-000 | 2026-06-03 |', 'the accepted row snippet puts the owner in its first tab stop', got)

  -- The Deploy SHA: typed with an opening backtick only, completed, accepted.
  local deploy = line_of('| Deploy SHA at incident start |')
  goto_line(deploy)
  keys('cc')
  type_slowly('| Deploy SHA at incident start | `' .. head:sub(1, 6))
  keys('<C-Space>')
  wait_until(3000, function()
    return vim.fn.pumvisible() == 1
  end)
  check(vim.fn.pumvisible() == 1, 'asking for completion in a SHA cell shows commits')
  local info = vim.fn.complete_info({ 'selected', 'items' })
  check(info.selected == -1, 'nothing is selected (or inserted) before the user picks', info.selected)
  local first = info.items[1] and info.items[1].abbr
  check(first == head:sub(1, 12), 'the item shows the short SHA', first)
  keys('<C-n>')
  keys('<C-y>')
  type_slowly(' |')
  escape()
  got = vim.api.nvim_buf_get_lines(buf, deploy - 1, deploy, false)[1]
  local want = '| Deploy SHA at incident start | `' .. head:sub(1, 12) .. '` |'
  check(got == want, 'an accepted SHA gets one pair of backticks', got)

  -- The Rollback SHA, typed inside a pair of backticks (the closing one already there): the
  -- accepted item must not leave a stray backtick.
  local rollback = line_of('| Rollback SHA (if rolled back) |')
  goto_line(rollback)
  keys('cc')
  type_slowly('| Rollback SHA (if rolled back) | `` |')
  keys('<Left><Left><Left>')
  type_slowly(previous:sub(1, 6))
  keys('<C-Space>')
  wait_until(3000, function()
    return vim.fn.pumvisible() == 1
  end)
  keys('<C-n>')
  keys('<C-y>')
  escape()
  got = vim.api.nvim_buf_get_lines(buf, rollback - 1, rollback, false)[1]
  want = '| Rollback SHA (if rolled back) | `' .. previous:sub(1, 12) .. '` |'
  check(got == want, 'a SHA completed before a closing backtick leaves no stray one', got)

  -- The Detection cell, written the day after: the alert line's time is offered first.
  local detection = line_of('| Detection time (UTC) |')
  goto_line(detection)
  keys('cc')
  type_slowly('| Detection time (UTC) | ')
  keys('<C-Space>')
  wait_until(3000, function()
    return vim.fn.pumvisible() == 1
  end)
  keys('<C-n>')
  keys('<C-y>')
  type_slowly(' |')
  escape()
  got = vim.api.nvim_buf_get_lines(buf, detection - 1, detection, false)[1]
  check(got == '| Detection time (UTC) | 2026-05-20T14:05:00Z |',
    'the Detection cell offers the alert line of the timeline first', got)

  finish()
end)
vim.schedule(function()
  local ok, err = coroutine.resume(co)
  if not ok then
    check(false, 'the test runs to its end', err)
    finish()
  end
end)
-- A hung run still ends, as a failure.
vim.defer_fn(function()
  check(false, 'the test finishes within 120 s')
  finish()
end, 120000)
