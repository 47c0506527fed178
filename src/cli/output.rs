//! The report formats of `check`: the findings located once (1-based lines, character
//! columns, by `crate::text`'s one rule), then written as human text, JSON, GitHub workflow commands or SARIF.

use super::Format;
use crate::analysis::{Diagnostic, Severity};
use crate::text::LineIndex;
use std::io::{self, Write};

mod github;
mod human;
mod json;
mod sarif;

/// One checked file and what the analysis found in it.
pub struct Checked {
    /// The path as reports show it.
    pub display: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A diagnostic with its place spelled out for people and tools.
pub struct Finding<'a> {
    pub path: &'a str,
    pub diagnostic: &'a Diagnostic,
    /// 1-based (line, column) of the first character; columns count characters.
    pub start: (usize, usize),
    /// 1-based (line, column) just past the last character.
    pub end: (usize, usize),
    /// The start line's text (no line break), for the human format's excerpt.
    pub line_text: &'a str,
    /// The byte range of the diagnostic within `line_text`, cut at the line's end.
    pub underline: (usize, usize),
}

/// How many diagnostics of each severity, for summaries and the exit code.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub hints: usize,
}

impl Counts {
    pub fn of(files: &[Checked]) -> Counts {
        let mut counts = Counts::default();
        for d in files.iter().flat_map(|f| &f.diagnostics) {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Hint => counts.hints += 1,
            }
        }
        counts
    }
}

/// Locates every diagnostic of every file, in file order then position order.
pub fn findings(files: &[Checked]) -> Vec<Finding<'_>> {
    let mut out = Vec::new();
    for file in files {
        let lines = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            let start = lines.line_col(d.range.start);
            let end = lines.line_col(d.range.end.max(d.range.start));
            let (line_text, from) = lines.line_at(d.range.start);
            let to = if end.0 == start.0 {
                lines.line_at(d.range.end).1.max(from)
            } else {
                line_text.len()
            };
            out.push(Finding {
                path: &file.display,
                diagnostic: d,
                start,
                end,
                line_text,
                underline: (from, to),
            });
        }
    }
    out
}

/// Writes the report for `files` in `format`.
pub fn write(format: Format, files: &[Checked], out: &mut dyn Write) -> io::Result<()> {
    let found = findings(files);
    match format {
        Format::Human => human::write(&found, files.len(), Counts::of(files), out),
        Format::Json => json::write(&found, out),
        Format::Github => github::write(&found, out),
        Format::Sarif => sarif::write(&found, out),
    }
}
