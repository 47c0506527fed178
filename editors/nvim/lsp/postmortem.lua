-- Neovim 0.11+ configuration for postmortem-lsp: `vim.lsp.enable('postmortem')` starts it on
-- markdown buffers. The server itself decides which markdown files are post-mortems and stays
-- silent about the others, so attaching to every markdown buffer is cheap and correct.
--
-- Override any field with `vim.lsp.config('postmortem', { ... })`, e.g. `cmd` for a binary
-- that is not on PATH.
return require('postmortem').config()
