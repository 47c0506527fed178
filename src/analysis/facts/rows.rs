//! The Timeline lines and Prevention rows read out of their sections: the per-row facts of
//! a long post-mortem, read only when a check asks for them.

use super::contains_lone_ellipsis;
use crate::analysis::model::Section;
use crate::analysis::parse::lines;
use crate::analysis::schema::{Schema, names_match};
use crate::analysis::values;
use std::ops::Range;

/// The Timeline section's entries.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Whether entries come from a fenced code block (where every line must be an entry).
    pub fenced: bool,
    pub lines: Vec<TimelineLine>,
}

#[derive(Debug, Clone)]
pub enum TimelineLine {
    Entry(Entry),
    /// A line that is not an entry; `reason` says what is wrong with it.
    Malformed {
        range: Range<usize>,
        reason: String,
    },
    /// A line still holding template placeholders (reported by the placeholder check).
    Placeholder {
        range: Range<usize>,
    },
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub range: Range<usize>,
    pub time: Range<usize>,
    /// Minutes after midnight.
    pub minutes: u32,
    pub source: Range<usize>,
    pub text: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct PreventionRow {
    pub range: Range<usize>,
    pub cells: Vec<Range<usize>>,
    pub owner: Option<Range<usize>>,
    pub action: Option<Range<usize>>,
    pub target: Option<Range<usize>>,
}

pub(super) fn read_timeline(text: &str, section: Option<&Section>, schema: &Schema) -> Timeline {
    let slice = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
    let Some(section) = section else {
        return Timeline::default();
    };
    let sources = &schema.timeline_sources;
    if let Some(code) = section.body.code_blocks.iter().find(|c| c.fenced) {
        let lines = lines(slice(&code.content))
            .filter_map(|(start, line)| {
                let line = line.trim_end_matches(['\n', '\r']);
                let at = code.content.start + start;
                if line.trim().is_empty() || line.starts_with([' ', '\t']) {
                    return None; // blank, or the continuation of the entry above
                }
                Some(timeline_line(line, at, sources))
            })
            .collect();
        return Timeline {
            fenced: true,
            lines,
        };
    }
    // Without a code block, entries may be written as list items or paragraphs; only
    // lines that start with a time are read, the rest is prose.
    let body = slice(&section.body.range);
    let lines = lines(body)
        .filter_map(|(start, line)| {
            let line = line.trim_end_matches(['\n', '\r']);
            let marker = line.len() - line.trim_start_matches(['-', '*', '+', ' ']).len();
            let rest = &line[marker..];
            let looks_timed = rest.get(..5).and_then(values::parse_clock).is_some();
            looks_timed
                .then(|| timeline_line(rest, section.body.range.start + start + marker, sources))
        })
        .collect();
    Timeline {
        fenced: false,
        lines,
    }
}

pub(super) fn read_prevention(
    text: &str,
    section: Option<&Section>,
    _: &Schema,
) -> Vec<PreventionRow> {
    let slice = |r: &Range<usize>| text.get(r.clone()).unwrap_or("");
    let Some(table) = section.and_then(|s| s.body.tables.first()) else {
        return Vec::new();
    };
    let column = |name: &str, fallback: usize| {
        let found = table
            .head
            .cells
            .iter()
            .position(|c| names_match(name, slice(c)));
        found.unwrap_or(fallback)
    };
    let (owner, action, target) = (
        column("Owner", 0),
        column("Action", 1),
        column("Target date", 2),
    );
    table
        .rows
        .iter()
        .map(|r| PreventionRow {
            range: r.range.clone(),
            cells: r.cells.clone(),
            owner: r.cells.get(owner).cloned(),
            action: r.cells.get(action).cloned(),
            target: r.cells.get(target).cloned(),
        })
        .collect()
}

/// Parses one timeline line: `HH:MM  (source: <source>) <text>`.
fn timeline_line(line: &str, at: usize, sources: &[String]) -> TimelineLine {
    let range = at..at + line.len();
    if line.contains("HH:MM") || contains_lone_ellipsis(line) {
        return TimelineLine::Placeholder { range };
    }
    let malformed = |reason: &str| TimelineLine::Malformed {
        range: range.clone(),
        reason: reason.to_string(),
    };
    let minutes = match line.get(..5).and_then(values::parse_clock) {
        Some(m) => m,
        None => return malformed("start the line with the time as HH:MM (24-hour, UTC)"),
    };
    let after_time = &line[5..];
    let gap = after_time.len() - after_time.trim_start_matches([' ', '\t']).len();
    let rest = &after_time[gap..];
    if gap == 0 || !rest.starts_with("(source:") {
        return malformed("follow the time with `(source: …)` naming where the entry comes from");
    }
    let Some(close) = rest.find(')') else {
        return malformed("close the `(source: …)` with `)`");
    };
    let inner = &rest["(source:".len()..close];
    let source_text = inner.trim();
    let source_ok = sources.iter().any(|s| {
        // `get` because the source may be non-ASCII: slicing inside a character would panic.
        source_text
            .get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
            && !source_text[s.len()..].starts_with(|c: char| c.is_alphanumeric())
    });
    let rest_start = 5 + gap;
    let source_start =
        at + rest_start + "(source:".len() + (inner.len() - inner.trim_start().len());
    if !source_ok {
        let list = sources.join(", ");
        return malformed(&format!(
            "the source must be one of: {list} (detail may follow, e.g. `Slack #ops`)"
        ));
    }
    let text = &rest[close + 1..];
    let text_gap = text.len() - text.trim_start().len();
    if text.trim().is_empty() {
        return malformed("say what happened after the `(source: …)`");
    }
    if text_gap == 0 {
        return malformed("put a space between `(source: …)` and the text");
    }
    let text_start = at + rest_start + close + 1 + text_gap;
    TimelineLine::Entry(Entry {
        range,
        time: at..at + 5,
        minutes,
        source: source_start..source_start + source_text.len(),
        text: text_start..text_start + text.trim().len(),
    })
}
