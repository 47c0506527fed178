//! The LSP shapes of the team configuration: problems in `.postmortem.toml` and templates as
//! diagnostics on those files and as one notice on the post-mortems they govern, and the
//! watchers that reload them.

use super::{SOURCE, range};
use crate::config::load::FileProblem;
use crate::text::{LineIndex, PositionEncoding};
use std::path::Path;
use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Location,
    NumberOrString, Registration, Unregistration, Uri,
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

/// The code of the notice a post-mortem carries while its settings have problems.
pub const CONFIG_PROBLEM: &str = "config-problem";

/// The problems of the settings a post-mortem is checked with, as diagnostics on its first
/// line: a client that shows only the post-mortem (Neovim attaches to markdown alone) still
/// learns that its settings are not what the file says. One per settings file, naming the
/// first problem's line and how many more there are; every problem is in
/// `relatedInformation`, and each stays on its own file (see [`config_problem`]), where it
/// is fixed. Paths are shown relative to `root` when under it.
pub fn config_notices(
    problems: &[FileProblem],
    root: Option<&Path>,
    doc: &LineIndex,
    enc: PositionEncoding,
) -> Vec<Diagnostic> {
    let mut files: Vec<(&Path, Vec<&FileProblem>)> = Vec::new();
    for p in problems {
        match files.iter_mut().find(|(path, _)| *path == p.path.as_path()) {
            Some((_, list)) => list.push(p),
            None => files.push((&p.path, vec![p])),
        }
    }
    let first_line = 0..doc.line_at(0).0.len();
    let on_first_line = range(doc, &first_line, enc);
    files
        .into_iter()
        .filter_map(|(path, list)| {
            let first = list.first()?;
            let shown = root
                .and_then(|r| path.strip_prefix(r).ok())
                .unwrap_or(path)
                .display()
                .to_string();
            let (line, _) = LineIndex::new(&first.text).line_col(first.problem.range.start);
            let more = match list.len() - 1 {
                0 => String::new(),
                1 => " (and 1 more problem in this file)".to_string(),
                n => format!(" (and {n} more problems in this file)"),
            };
            let related = Uri::from_file_path(path).map(|uri| {
                list.iter()
                    .map(|p| DiagnosticRelatedInformation {
                        location: Location {
                            uri: uri.clone(),
                            range: config_problem(p, enc).range,
                        },
                        message: p.problem.message.clone(),
                    })
                    .collect()
            });
            Some(Diagnostic {
                range: on_first_line,
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String(CONFIG_PROBLEM.to_string())),
                source: Some(SOURCE.to_string()),
                message: format!(
                    "`{shown}` line {line}: {}{more}; what it gets wrong keeps its last \
                     good value or the default",
                    first.problem.message
                ),
                related_information: related,
                ..Diagnostic::default()
            })
        })
        .collect()
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
