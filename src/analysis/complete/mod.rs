//! Completion: what to offer at a byte offset, as plain data (the server renders it as LSP
//! items, choosing snippet or plain text by the client's capabilities).

use super::Env;
use super::facts::Ctx;
use super::format::cell_pipes;
use super::model::{Document, Table};
use super::schema::{FieldKind, FieldRole, SectionRole, names_match};
use super::skeleton;
use super::snippet::Snippet;
use super::values::{self, format_duration};

mod commits;
mod examples;
mod times;
use chrono::{DateTime, Days, Timelike, Utc};
use std::ops::Range;
pub use times::timeline_times;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// A computed value (a time, a date, a duration).
    Value,
    /// One of a field's allowed values.
    Choice,
    /// A block of template text (a section, a row, a timeline entry).
    Snippet,
}

/// One completion item. Items come in the order they should be shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub label: String,
    /// Says what the item inserts.
    pub detail: String,
    pub kind: CompletionKind,
    /// The byte range the item replaces (the cursor sits at or inside it).
    pub range: Range<usize>,
    pub insert: Snippet,
    /// Text the client should match what was typed against, when not the label.
    pub filter: Option<String>,
    /// Longer markdown shown beside the selected item.
    pub documentation: Option<String>,
}

/// The characters after which a client should ask for completion: only the pipe that opens
/// a table cell. Many clients (Neovim with its default `completeopt`, VS Code on Enter)
/// insert the first item offered after a trigger character, so a trigger must only fire
/// where the item lands in an empty cell at the cursor. `:`, space and `#` are typed in
/// prose and headings all the time, so they never trigger; what they used to offer (timeline
/// sources, section skeletons) is there when completion is asked for.
pub const TRIGGERS: &[char] = &['|'];

/// Completions at `offset` (clamped to the text, moved back to a character boundary).
/// `trigger` is the character whose typing asked for completion, if any: after one, only
/// items that insert at the cursor into an empty table cell are offered, never one that
/// would replace what the user has typed.
pub fn complete(
    text: &str,
    doc: &Document,
    env: &Env,
    offset: usize,
    trigger: Option<char>,
) -> Vec<Completion> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let ctx = Ctx::new(text, doc, env);
    let line = line_around(text, offset);
    let (items, in_table) = if text.trim().is_empty() {
        (vec![whole_document(env, line.start..offset)], false)
    } else if let Some(items) =
        in_header(&ctx, &line, offset).or_else(|| in_prevention(&ctx, &line, offset))
    {
        (items, true)
    } else if let Some(items) = in_timeline(&ctx, &line, offset) {
        (items, false)
    } else if in_code_block(doc, offset) {
        (Vec::new(), false)
    } else {
        (at_line_start(&ctx, &line, offset), false)
    };
    let fits = match trigger {
        None => true,
        Some('|') => in_table && items.iter().all(|i| i.range == (offset..offset)),
        Some(_) => false,
    };
    if fits { items } else { Vec::new() }
}

fn whole_document(env: &Env, range: Range<usize>) -> Completion {
    Completion {
        label: "post-mortem".into(),
        detail: "Insert a whole post-mortem skeleton".into(),
        kind: CompletionKind::Snippet,
        range,
        insert: skeleton::document(env.schema, "…", env.now),
        filter: None,
        documentation: None,
    }
}

/// Values for the Header cell under the cursor.
fn in_header(ctx: &Ctx, line: &Range<usize>, offset: usize) -> Option<Vec<Completion>> {
    let header = ctx.header.as_ref()?;
    let row_line = line.start < header.range.end && header.range.start <= offset;
    if !row_line || is_delimiter_row(ctx.slice(line)) {
        return None;
    }
    let cells = cells(ctx.text, line);
    let column = cells.iter().position(|c| within(&c.inner, offset))?;
    if column != 1 {
        return Some(Vec::new());
    }
    let name = ctx.slice(&cells[0].content);
    let spec = &ctx.schema.fields[ctx.schema.field_index(name)?];
    let cell = &cells[1];
    let current = ctx.slice(&cell.content);
    let value = |label: String, detail: &str| (label, detail.to_string());
    let now = ctx.env.now;
    let items: Vec<(String, String)> = match (&spec.kind, spec.role) {
        // The times the timeline names first: the post-mortem is written the day after.
        (FieldKind::Timestamp, role) => {
            let mut v = role.map_or_else(Vec::new, |r| timeline_times(ctx, r));
            v.push(value(stamp(now), "Now (UTC)"));
            v.push(value(
                stamp(now.with_second(0).unwrap_or(now)),
                "Now (UTC), to the minute",
            ));
            v
        }
        (FieldKind::Date, Some(FieldRole::IncidentDate)) => {
            let today = now.format("%Y-%m-%d").to_string();
            let mut v = Vec::new();
            if let Some(d) = ctx.timestamp(FieldRole::Detection) {
                let day = d.format("%Y-%m-%d").to_string();
                if day != today {
                    v.push(value(day, "The date of the Detection time"));
                }
            }
            v.push(value(today, "Today (UTC)"));
            v
        }
        (FieldKind::Duration, _) => match (
            ctx.timestamp(FieldRole::Detection),
            ctx.timestamp(FieldRole::Mitigation),
        ) {
            (Some(d), Some(m)) if m >= d => {
                let secs = (m - d).num_seconds().unsigned_abs();
                vec![value(format_duration(secs), "Mitigation − Detection")]
            }
            _ => Vec::new(),
        },
        (FieldKind::Sha, Some(role)) => {
            return Some(commits::sha_items(ctx, role, cell.content.clone(), offset));
        }
        (FieldKind::Choice(values), _) => values
            .iter()
            .map(|v| value(v.clone(), &spec.name))
            .collect(),
        _ => Vec::new(),
    };
    let kind = match spec.kind {
        FieldKind::Choice(_) => CompletionKind::Choice,
        _ => CompletionKind::Value,
    };
    Some(value_items(items, kind, cell_target(cell, offset), current))
}

/// Target dates for the Prevention table's date column.
fn in_prevention(ctx: &Ctx, line: &Range<usize>, offset: usize) -> Option<Vec<Completion>> {
    let section = ctx.section(SectionRole::Prevention)?;
    let table = section.body.tables.first()?;
    let row_line = line.start < table.range.end && table.range.start <= offset;
    if !row_line || is_delimiter_row(ctx.slice(line)) {
        return table_row_snippet(ctx, table, line, offset);
    }
    let cells = cells(ctx.text, line);
    let column = cells.iter().position(|c| within(&c.inner, offset))?;
    let target = target_column(ctx, table);
    if column != target || table.head.range.contains(&offset) {
        return Some(Vec::new());
    }
    let base = ctx
        .date(FieldRole::IncidentDate)
        .unwrap_or(ctx.env.now.date_naive());
    let items = [7u64, 14, 30]
        .iter()
        .filter_map(|&n| {
            let date = base.checked_add_days(Days::new(n))?;
            Some((
                date.format("%Y-%m-%d").to_string(),
                format!("Incident date + {n} days"),
            ))
        })
        .collect();
    let cell = &cells[column];
    Some(value_items(
        items,
        CompletionKind::Value,
        cell_target(cell, offset),
        ctx.slice(&cell.content),
    ))
}

/// A new Prevention row, on a blank line (or one holding just `|`) right under the table.
fn table_row_snippet(
    ctx: &Ctx,
    table: &Table,
    line: &Range<usize>,
    offset: usize,
) -> Option<Vec<Completion>> {
    let prefix = &ctx.text[line.start..offset];
    let after_table = ctx
        .text
        .get(table.range.end..line.start)
        .is_some_and(|gap| gap.trim().is_empty());
    if !after_table || !matches!(prefix.trim(), "" | "|") {
        return None;
    }
    Some(vec![Completion {
        label: "Prevention row".into(),
        detail: "Insert a row: owner, action, ticket, target date".into(),
        kind: CompletionKind::Snippet,
        range: line.start..offset,
        insert: skeleton::prevention_row(ctx.schema, &examples::examples(ctx)),
        filter: Some(format!("{prefix}Prevention row")),
        documentation: None,
    }])
}

fn target_column(ctx: &Ctx, table: &Table) -> usize {
    let found = table
        .head
        .cells
        .iter()
        .position(|c| names_match("Target date", ctx.slice(c)));
    found.unwrap_or(2)
}

/// A new entry or a `source:` value inside the Timeline's code block.
fn in_timeline(ctx: &Ctx, line: &Range<usize>, offset: usize) -> Option<Vec<Completion>> {
    let section = ctx.section(SectionRole::Timeline)?;
    let code = section.body.code_blocks.iter().find(|c| c.fenced)?;
    let inside = code.content.start <= line.start
        && line.start <= code.content.end
        && offset <= code.range.end;
    let closing = ctx.slice(line).trim_start().starts_with("```")
        || ctx.slice(line).trim_start().starts_with("~~~");
    if !inside || (closing && line.start >= code.content.end) {
        return None;
    }
    let prefix = &ctx.text[line.start..offset];
    if prefix.trim().is_empty() {
        let entry = skeleton::timeline_entry(ctx.schema, ctx.env.now);
        return Some(vec![Completion {
            label: format!("{}  (source: …)", ctx.env.now.format("%H:%M")),
            detail: "Insert a timeline entry at the current UTC minute".into(),
            kind: CompletionKind::Snippet,
            range: line.start..offset,
            insert: entry,
            filter: None,
            documentation: None,
        }]);
    }
    let source_at = prefix.find("(source:")? + "(source:".len();
    if prefix[source_at..].contains(')') {
        return Some(Vec::new());
    }
    let typed = &prefix[source_at..];
    let start = line.start + source_at + (typed.len() - typed.trim_start().len());
    let rest = &ctx.text[offset..line.end];
    let end = offset + rest.find(')').map_or(0, |i| rest[..i].trim_end().len());
    let items = ctx
        .schema
        .timeline_sources
        .iter()
        .map(|s| (s.clone(), "Timeline source".to_string()))
        .collect();
    Some(value_items(items, CompletionKind::Choice, start..end, ""))
}

/// Section skeletons for the sections the document lacks, at the start of a line.
fn at_line_start(ctx: &Ctx, line: &Range<usize>, offset: usize) -> Vec<Completion> {
    let prefix = &ctx.text[line.start..offset];
    let hashes = prefix.len() - prefix.trim_start_matches('#').len();
    let after = prefix[hashes..].trim_start_matches([' ', '\t']);
    let heading_like =
        hashes <= 2 && (hashes > 0 || prefix.is_empty()) && (after.is_empty() || hashes == 2);
    if !heading_like || after.contains(['|', '`']) {
        return Vec::new();
    }
    let present: Vec<usize> = ctx.section_specs.iter().flatten().copied().collect();
    let examples = examples::examples(ctx);
    (0..ctx.schema.sections.len())
        .filter(|i| !present.contains(i))
        .map(|i| {
            let name = &ctx.schema.sections[i].name;
            Completion {
                label: format!("## {name}"),
                detail: format!("Insert the `{name}` section skeleton"),
                kind: CompletionKind::Snippet,
                range: line.start..offset,
                insert: skeleton::section_with(ctx.schema, i, ctx.env.now, &examples),
                filter: Some(format!("## {name}")),
                documentation: None,
            }
        })
        .collect()
}

fn value_items(
    items: Vec<(String, String)>,
    kind: CompletionKind,
    range: Range<usize>,
    current: &str,
) -> Vec<Completion> {
    // A cell still holding template text is replaced whatever was typed, so every item
    // must survive the client's filtering against that text.
    let placeholder = values::is_placeholder_text(current) || current.contains(" / ");
    items
        .into_iter()
        .map(|(label, detail)| Completion {
            insert: Snippet::new().text(&label),
            filter: placeholder.then(|| format!("{current} {label}")),
            documentation: None,
            label,
            detail,
            kind,
            range: range.clone(),
        })
        .collect()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The line holding `offset`, without its line break.
fn line_around(text: &str, offset: usize) -> Range<usize> {
    let start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    start..end
}

fn within(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

fn in_code_block(doc: &Document, offset: usize) -> bool {
    std::iter::once(&doc.preamble)
        .chain(doc.sections.iter().map(|s| &s.body))
        .flat_map(|b| &b.code_blocks)
        .any(|c| c.range.start < offset && offset < c.range.end)
}

fn is_delimiter_row(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// A table cell on one line: the span between its pipes and its trimmed content.
struct Cell {
    inner: Range<usize>,
    content: Range<usize>,
}

/// The cells of a table row, split where formatting splits them ([`cell_pipes`]).
fn cells(text: &str, line: &Range<usize>) -> Vec<Cell> {
    let s = &text[line.clone()];
    let bounds = cell_pipes(s);
    let lead_pipe = s.trim_start().starts_with('|');
    let mut starts: Vec<usize> = if lead_pipe { vec![] } else { vec![0] };
    starts.extend(bounds.iter().map(|b| b + 1));
    starts
        .iter()
        .enumerate()
        .map(|(k, &st)| {
            let end = bounds.iter().copied().find(|&b| b >= st).unwrap_or(s.len());
            let end = if k + 1 == starts.len() {
                end.max(st)
            } else {
                end
            };
            let raw = &s[st..end];
            let lead = raw.len() - raw.trim_start().len();
            let c0 = line.start + st + lead;
            Cell {
                inner: line.start + st..line.start + end,
                content: c0..c0 + raw.trim().len(),
            }
        })
        .collect()
}

/// What a value item replaces: the cell's content when the cursor is in it, else nothing.
fn cell_target(cell: &Cell, offset: usize) -> Range<usize> {
    if cell.content.is_empty() || !within(&cell.content, offset) {
        offset..offset
    } else {
        cell.content.clone()
    }
}

#[cfg(test)]
mod tests;
