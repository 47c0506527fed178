//! The Zed extension: tells Zed how to start `postmortem-lsp` for markdown files and hands it
//! the user's `lsp.postmortem-lsp` settings. The server decides which files are post-mortems.

use zed_extension_api::{self as zed, LanguageServerId, Result, settings::LspSettings};

/// The server's name in `extension.toml` and in the user's `lsp` settings.
const SERVER: &str = "postmortem-lsp";

struct Postmortem;

/// The command that starts the server: the user's `binary.path` (with its `arguments`) when
/// set, else `postmortem-lsp` found on the worktree's `PATH`, always in LSP mode.
fn command(
    configured: Option<(String, Option<Vec<String>>)>,
    on_path: Option<String>,
) -> Result<(String, Vec<String>)> {
    if let Some((path, arguments)) = configured {
        return Ok((path, arguments.unwrap_or_else(|| vec!["lsp".into()])));
    }
    match on_path {
        Some(path) => Ok((path, vec!["lsp".into()])),
        None => Err(format!(
            "{SERVER} is not on PATH: install it (`cargo install --path .` in its repository) \
             or set `lsp.{SERVER}.binary.path` in Zed's settings.json"
        )),
    }
}

impl zed::Extension for Postmortem {
    fn new() -> Self {
        Postmortem
    }

    fn language_server_command(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|s| s.binary);
        let env = binary
            .as_ref()
            .and_then(|b| b.env.clone())
            .map(|e| e.into_iter().collect())
            .unwrap_or_default();
        let configured = binary.and_then(|b| Some((b.path?, b.arguments)));
        let (command, args) = command(configured, worktree.which(SERVER))?;
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|s| s.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|s| s.settings))
    }
}

zed::register_extension!(Postmortem);
