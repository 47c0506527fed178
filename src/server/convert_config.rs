//! The LSP shapes of the team configuration: problems in `.postmortem.toml` and templates as
//! diagnostics on those files, and the watchers that reload them.

use super::{SOURCE, range};
use crate::config::load::FileProblem;
use crate::text::{LineIndex, PositionEncoding};
use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticSeverity, DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher,
    GlobPattern, Registration, Unregistration,
};

/// A problem in a configuration file or template, as a diagnostic on that file. Every one is
/// an error: the setting or template part it points at does not apply.
pub fn config_problem(p: &FileProblem, enc: PositionEncoding) -> Diagnostic {
    let index = LineIndex::new(&p.text);
    Diagnostic {
        range: range(&index, &p.problem.range, enc),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message: p.problem.message.clone(),
        ..Diagnostic::default()
    }
}

/// The id of the one file-watcher registration the server keeps up to date.
pub const WATCH_ID: &str = "postmortem-settings-files";

/// Registers watchers for `globs` (configuration files and templates).
pub fn watch_registration(globs: &[String]) -> Registration {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: globs
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.clone()),
                kind: None,
            })
            .collect(),
    };
    Registration {
        id: WATCH_ID.to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    }
}

pub fn watch_unregistration() -> Unregistration {
    Unregistration {
        id: WATCH_ID.to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
    }
}
