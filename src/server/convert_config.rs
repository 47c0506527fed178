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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigProblem;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn problem(path: &str, text: &Arc<str>, at: &str, message: &str) -> FileProblem {
        let start = text.find(at).unwrap();
        FileProblem {
            path: PathBuf::from(path),
            text: text.clone(),
            problem: ConfigProblem {
                range: start..start + at.len(),
                message: message.into(),
            },
        }
    }

    #[test]
    fn one_notice_per_settings_file_on_the_first_line() {
        let toml: Arc<str> = "[rules]\nx = \"off\"\ny = \"loud\"\n".into();
        let template: Arc<str> = "no sections\n".into();
        let problems = [
            problem("/w/.postmortem.toml", &toml, "x", "unknown setting `x`"),
            problem("/w/t/tpl.md", &template, "no", "no `##` sections"),
            problem("/w/.postmortem.toml", &toml, "\"loud\"", "bad level"),
        ];
        let doc = "# Pöst\r\nbody\n";
        let index = LineIndex::new(doc);
        let notices = config_notices(
            &problems,
            Some(Path::new("/w")),
            &index,
            PositionEncoding::Utf16,
        );
        let messages: Vec<&str> = notices.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`.postmortem.toml` line 2: unknown setting `x` (and 1 more problem in this \
                 file); what it gets wrong keeps its last good value or the default",
                "`t/tpl.md` line 1: no `##` sections; what it gets wrong keeps its last good \
                 value or the default",
            ]
        );
        for d in &notices {
            assert_eq!((d.range.start.line, d.range.start.character), (0, 0));
            assert_eq!((d.range.end.line, d.range.end.character), (0, 6));
            assert_eq!(
                d.code,
                Some(NumberOrString::String("config-problem".into()))
            );
            assert_eq!(d.severity, Some(DiagnosticSeverity::WARNING));
        }
        let related = notices[0].related_information.as_ref().unwrap();
        let lines: Vec<u32> = related
            .iter()
            .map(|r| r.location.range.start.line)
            .collect();
        assert_eq!(lines, [1, 2]);
        // An empty document still gets them, on its one (empty) line.
        let empty = config_notices(
            &problems[1..2],
            None,
            &LineIndex::new(""),
            PositionEncoding::Utf8,
        );
        assert_eq!(empty.len(), 1);
        assert!(empty[0].message.starts_with("`/w/t/tpl.md` line 1"));
        assert_eq!(empty[0].range.end.character, 0);
    }
}
