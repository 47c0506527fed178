//! The Timeline lines and Prevention rows read out of their sections: the per-row facts of
//! a long post-mortem, read only when a check asks for them.

use super::contains_lone_ellipsis;
use crate::analysis::Fix;
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
    /// A line that is not an entry; `reason` says its first problem, `part` where that
    /// problem is, and `fix` how to repair it when that is certain.
    Malformed {
        range: Range<usize>,
        part: Range<usize>,
        /// The time and its minutes after midnight, when the time can be read even though
        /// the rest of the line is wrong (it still takes part in `timeline-order`).
        clock: Option<(Range<usize>, u32)>,
        reason: String,
        fix: Option<Fix>,
    },
    /// A line still holding template placeholders (reported by the placeholder check),
    /// with its time when one is written (`09:26  (source: …)`).
    Placeholder {
        range: Range<usize>,
        clock: Option<(Range<usize>, u32)>,
    },
}

impl TimelineLine {
    /// The time of the line and its minutes after midnight, when the time can be read:
    /// every entry, and a malformed line whose time is fine.
    pub fn clock(&self) -> Option<(&Range<usize>, u32)> {
        match self {
            TimelineLine::Entry(e) => Some((&e.time, e.minutes)),
            TimelineLine::Malformed {
                clock: Some((time, minutes)),
                ..
            }
            | TimelineLine::Placeholder {
                clock: Some((time, minutes)),
                ..
            } => Some((time, *minutes)),
            _ => None,
        }
    }

    pub fn range(&self) -> &Range<usize> {
        match self {
            TimelineLine::Entry(e) => &e.range,
            TimelineLine::Malformed { range, .. } | TimelineLine::Placeholder { range, .. } => {
                range
            }
        }
    }
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

/// Parses one timeline line: `HH:MM  (source: <source>) <text>`. A line that is not an
/// entry says its first problem (the most important first: the time, then the source, then
/// the text, then the spacing), where it is, and how to repair it when that is certain.
fn timeline_line(line: &str, at: usize, sources: &[String]) -> TimelineLine {
    let range = at..at + line.len();
    if line.contains("HH:MM") || contains_lone_ellipsis(line) {
        let clock = line
            .get(..5)
            .and_then(values::parse_clock)
            .filter(|_| !line[5..].starts_with(|c: char| c.is_ascii_digit() || c == ':'))
            .map(|m| (at..at + 5, m));
        return TimelineLine::Placeholder { range, clock };
    }
    let abs = |r: Range<usize>| (at + r.start)..(at + r.end);
    let whole = 0..line.trim_end().len();
    let malformed = |part: Range<usize>, clock: Option<u32>, reason: String, fix: Option<Fix>| {
        TimelineLine::Malformed {
            range: range.clone(),
            part: abs(part),
            clock: clock.map(|m| (at..at + 5, m)),
            reason,
            fix,
        }
    };
    // The first token: the time, or whatever stands where the time should be.
    let token_end = line
        .find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(line.len());
    let token = if token_end == 0 {
        whole.clone()
    } else {
        0..token_end
    };
    let Some(minutes) = line.get(..5).and_then(values::parse_clock) else {
        // `9:05`: a missing leading zero is the one certain repair.
        let fix = line
            .get(..4)
            .and_then(|t| values::parse_clock(&format!("0{t}")))
            .filter(|_| token_end == 4)
            .map(|_| Fix::Replace {
                text: format!("0{}", &line[..4]),
            });
        return malformed(
            token,
            None,
            "start the line with the time as HH:MM (24-hour, UTC)".into(),
            fix,
        );
    };
    let after_time = &line[5..];
    let is_seconds = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 3 && b[0] == b':' && b[1].is_ascii_digit() && b[2].is_ascii_digit()
    };
    if is_seconds(after_time) && token_end == 8 {
        return malformed(
            0..8,
            Some(minutes),
            format!(
                "drop the seconds: Timeline times are HH:MM, so write `{}`",
                &line[..5]
            ),
            Some(Fix::Replace {
                text: line[..5].to_string(),
            }),
        );
    }
    let gap = after_time.len() - after_time.trim_start_matches([' ', '\t']).len();
    let rest_start = 5 + gap;
    let rest = &line[rest_start..];
    if gap == 0 && !rest.starts_with('(') && !rest.is_empty() {
        return malformed(
            token,
            None,
            "the time runs into the text: write HH:MM, then two spaces and `(source: …)`".into(),
            None,
        );
    }
    // The parenthetical after the time, up to its `)` or the end of the line.
    let paren_end = rest.find(')').map_or(whole.end, |i| rest_start + i + 1);
    let paren = rest_start..paren_end.max(rest_start);
    let spaces = "  ".get(gap.min(2)..).unwrap_or("");
    let each_source = |form: &dyn Fn(&str) -> String| -> Vec<String> {
        sources.iter().map(|s| form(s)).collect()
    };
    if !rest.starts_with('(') {
        // No parenthetical at all: the source is missing.
        let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let part = if word == 0 {
            0..5
        } else {
            rest_start..rest_start + word
        };
        let fix = (word > 0).then(|| Fix::InsertBefore {
            values: each_source(&|s| format!("{spaces}(source: {s}) ")),
        });
        return malformed(
            part,
            Some(minutes),
            "the source is missing: follow the time with `(source: …)` naming where the entry comes from".into(),
            fix,
        );
    }
    if !rest.starts_with("(source:") {
        return malformed(
            paren,
            Some(minutes),
            "write the source as `(source: …)`, with the word `source:`".into(),
            Some(Fix::Choose {
                values: each_source(&|s| format!("(source: {s})")),
                preferred: false,
            }),
        );
    }
    let Some(close) = rest.find(')') else {
        return malformed(
            paren,
            Some(minutes),
            "close the `(source: …)` with `)`".into(),
            None,
        );
    };
    let inner = &rest["(source:".len()..close];
    let source_text = inner.trim();
    let list = || sources.join(", ");
    if source_text.is_empty() {
        return malformed(
            paren,
            Some(minutes),
            format!("the source is empty: name one of: {}", list()),
            Some(Fix::Choose {
                values: each_source(&|s| format!("(source: {s})")),
                preferred: false,
            }),
        );
    }
    let source_ok = sources.iter().any(|s| {
        // `get` because the source may be non-ASCII: slicing inside a character would panic.
        source_text
            .get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
            && !source_text[s.len()..].starts_with(|c: char| c.is_alphanumeric())
    });
    let source_start = rest_start + "(source:".len() + (inner.len() - inner.trim_start().len());
    if !source_ok {
        return malformed(
            source_start..source_start + source_text.len(),
            Some(minutes),
            format!(
                "`{source_text}` is not a known source: the source must be one of: {} (detail may follow, e.g. `Slack #ops`)",
                list()
            ),
            Some(Fix::Choose {
                values: sources.to_vec(),
                preferred: false,
            }),
        );
    }
    let text = &rest[close + 1..];
    let text_gap = text.len() - text.trim_start().len();
    if text.trim().is_empty() {
        return malformed(
            paren,
            Some(minutes),
            "the text is missing: say what happened after the `(source: …)`".into(),
            None,
        );
    }
    if text_gap == 0 {
        return malformed(
            paren.clone(),
            Some(minutes),
            "put a space between `(source: …)` and the text".into(),
            Some(Fix::Replace {
                text: format!("{} ", &line[paren]),
            }),
        );
    }
    if &after_time[..gap] != "  " {
        let shown = if gap == 1 {
            "one space"
        } else {
            "other spacing"
        };
        return malformed(
            0..rest_start,
            Some(minutes),
            format!("put two spaces between the time and `(source: …)`, not {shown}"),
            Some(Fix::Replace {
                text: format!("{}  ", &line[..5]),
            }),
        );
    }
    let text_start = at + rest_start + close + 1 + text_gap;
    TimelineLine::Entry(Entry {
        range,
        time: at..at + 5,
        minutes,
        source: at + source_start..at + source_start + source_text.len(),
        text: text_start..text_start + text.trim().len(),
    })
}
