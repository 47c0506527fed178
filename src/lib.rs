//! postmortem-lsp: a language server and command-line checker for production incident
//! post-mortems.
//!
//! Code map:
//! - [`analysis`]: the pure core. Markdown text and an [`analysis::Env`] in, diagnostics with
//!   byte ranges out. No I/O, no LSP, no async.
//! - [`text`]: line index and position encodings (UTF-8/UTF-16) shared by the CLI and server.
//! - [`env`]: the real environment: files under a workspace root, the clock, root discovery.
//! - [`fsread`]: the one guarded file reader (regular files under a root, size-capped).
//! - [`git`]: the repository behind the core's `Commits` trait (runs the `git` program).
//! - [`server`]: the LSP server (tower-lsp-server glue); [`server::convert`] is the only
//!   place that builds LSP types.
//! - [`scaffold`]: a new post-mortem's path and text, for the CLI's `new` and the server's
//!   `postmortem.new`.
//! - [`cli`]: the `postmortem-lsp` command line (`check`, `new`, `lsp`).

pub mod analysis;
pub mod cli;
pub mod config;
pub mod env;
pub mod fsread;
pub mod git;
pub mod scaffold;
pub mod server;
pub mod text;
