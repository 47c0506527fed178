//! All integration tests in one binary: each module drives the real `postmortem-lsp` binary
//! (CLI or LSP over stdio) or the library, and one binary links once instead of 23 times.

mod common;
mod gitrepo;

mod cli;
mod cli_hook;
mod cli_order;
mod complete_typing;
mod config_team;
mod core_props;
mod examples;
mod fixes_more;
mod forged_data;
mod fresh_file;
mod git_cli;
mod git_core;
mod hook_staged;
mod hostile;
mod hostile_documents;
mod hostile_edits;
mod hostile_files;
mod hostile_git;
mod hostile_git_paths;
mod hostile_repo;
mod hostile_sync;
mod lifecycle;
mod lsp;
mod lsp_actions;
mod lsp_config;
mod lsp_features;
mod lsp_git;
mod one_position_rule;
mod ragged_tables;
mod readme;
mod resources;
mod sarif_schema;
mod security;
mod security_io;
mod settings_live;
mod team_schema;
mod vscode_settings;
