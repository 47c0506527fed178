//! Quick fixes: turn a diagnostic's [`Fix`] data into edits against the current text (data
//! from a client only while the current analysis still gives it), and apply every safe fix
//! at once.

use super::complete::timeline_times;
use super::edit::Edit;
use super::facts::Ctx;
use super::schema::{FieldKind, FieldRole};
use super::{Diagnostic, Env, Fix, analyze, parse};
use std::ops::Range;

mod reorder;

/// One code action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub edits: Vec<Edit>,
    /// A new file name (same folder) when the action renames the document.
    pub rename: Option<String>,
    /// The action to pick when the user asks for "the" fix.
    pub preferred: bool,
}

/// The actions a diagnostic at `range` with `fix` offers.
pub fn actions(ctx: &Ctx, range: &Range<usize>, fix: &Fix) -> Vec<Action> {
    let edit_action = |title: String, edits: Vec<Edit>, preferred| Action {
        title,
        edits,
        rename: None,
        preferred,
    };
    match fix {
        Fix::Replace { text } => {
            vec![edit_action(
                format!("Write `{text}`"),
                vec![fill(ctx, range, text)],
                true,
            )]
        }
        Fix::Choose { values, preferred } => values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                edit_action(
                    format!("Write `{v}`"),
                    vec![fill(ctx, range, v)],
                    *preferred && i == 0,
                )
            })
            .collect(),
        Fix::InsertBefore { values } => values
            .iter()
            .map(|v| {
                let at = range.start..range.start;
                edit_action(
                    format!("Insert `{}`", v.trim()),
                    vec![Edit {
                        range: at,
                        text: v.clone(),
                    }],
                    false,
                )
            })
            .collect(),
        Fix::Now => {
            let date_only = value_kind(ctx, range) == Some(FieldKind::Date);
            let (now, what) = if date_only {
                (
                    ctx.env.now.format("%Y-%m-%d").to_string(),
                    "today's date (UTC)",
                )
            } else {
                (
                    ctx.env.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    "the current UTC time",
                )
            };
            // The times the timeline names come first, as in completion: the post-mortem
            // is usually written the day after.
            let named = value_role(ctx, range)
                .filter(|_| !date_only)
                .map_or_else(Vec::new, |role| timeline_times(ctx, role));
            let mut acts: Vec<Action> = named
                .into_iter()
                .map(|(value, detail)| {
                    edit_action(
                        format!("Write `{value}` ({detail})"),
                        vec![fill(ctx, range, &value)],
                        false,
                    )
                })
                .collect();
            acts.push(edit_action(
                format!("Write {what}: `{now}`"),
                vec![fill(ctx, range, &now)],
                false,
            ));
            acts
        }
        Fix::InsertSection { name } => {
            match section_index(ctx, name).and_then(|index| reorder::insert_section(ctx, index)) {
                Some(edit) => {
                    vec![edit_action(
                        format!("Insert the `## {name}` section"),
                        vec![edit],
                        true,
                    )]
                }
                None => Vec::new(),
            }
        }
        Fix::InsertField { name } => {
            match field_index(ctx, name).and_then(|index| reorder::insert_field(ctx, index)) {
                Some(edit) => {
                    vec![edit_action(
                        format!("Insert the `{name}` row"),
                        vec![edit],
                        true,
                    )]
                }
                None => Vec::new(),
            }
        }
        Fix::ReorderSections => reorder::reorder_sections(ctx)
            .map(|e| edit_action("Put the sections in template order".into(), vec![e], true))
            .into_iter()
            .collect(),
        Fix::InsertEntry { time } => reorder::insert_entry(ctx, time)
            .map(|e| edit_action(format!("Insert a Timeline entry at {time}"), vec![e], true))
            .into_iter()
            .collect(),
        Fix::SortTimeline => reorder::sort_timeline(ctx)
            .map(|e| edit_action("Sort the timeline by time".into(), vec![e], true))
            .into_iter()
            .collect(),
        Fix::Rename { name } => vec![Action {
            title: format!("Rename the file to `{name}`"),
            edits: Vec::new(),
            rename: Some(name.clone()),
            preferred: true,
        }],
    }
}

/// The actions for a fix that came back from the client (LSP `Diagnostic.data`) with the
/// diagnostic's `range`. Neither can be trusted: the data may be forged, or stale after an
/// edit or a template reload. So the fix is taken only when the current analysis
/// (`current`, sorted by range as [`sort_for_lookup`] leaves it) still reports it at that
/// very range; anything else gets no action.
pub fn checked_actions(
    ctx: &Ctx,
    current: &[Diagnostic],
    range: &Range<usize>,
    fix: &Fix,
) -> Vec<Action> {
    // A binary search: an editor may send the 20,000 findings of a whole document at once.
    let from = current.partition_point(|d| (d.range.start, d.range.end) < (range.start, range.end));
    let still_found = current[from..]
        .iter()
        .take_while(|d| d.range == *range)
        .any(|d| d.fix.as_ref() == Some(fix));
    if !still_found {
        return Vec::new();
    }
    actions(ctx, range, fix)
}

/// Sorts the current findings so that [`checked_actions`] can look a range up quickly.
pub fn sort_for_lookup(current: &mut [Diagnostic]) {
    current.sort_by_key(|d| (d.range.start, d.range.end));
}

/// The template section named `name`, if the current schema has one.
fn section_index(ctx: &Ctx, name: &str) -> Option<usize> {
    ctx.schema.sections.iter().position(|s| s.name == name)
}

/// The template field named `name`, if the current schema has one.
fn field_index(ctx: &Ctx, name: &str) -> Option<usize> {
    ctx.schema.fields.iter().position(|f| f.name == name)
}

/// Whether `fix_all` may apply a fix without asking: its result is certain and it only
/// edits this document.
fn is_safe(fix: &Fix) -> bool {
    match fix {
        Fix::Choose { preferred, .. } => *preferred,
        // An inserted entry still needs its source and text: the user writes them.
        Fix::Now | Fix::Rename { .. } | Fix::InsertBefore { .. } | Fix::InsertEntry { .. } => false,
        _ => true,
    }
}

/// Applies every safe fix, one at a time against fresh analysis, and returns one edit from
/// the old text to the new, or `None` when nothing changes.
pub fn fix_all(text: &str, env: &Env) -> Option<Edit> {
    let mut current = text.to_string();
    let mut tried: Vec<(super::Code, Fix)> = Vec::new();
    // Each round fixes one problem; a bound keeps a fix that cannot settle from looping.
    for _ in 0..200 {
        let diagnostics = analyze(&current, env);
        let Some(next) = diagnostics.iter().find(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| is_safe(f) && !tried.contains(&(d.code, f.clone())))
        }) else {
            break;
        };
        let fix = next.fix.clone()?;
        tried.push((next.code, fix.clone()));
        let doc = parse(&current);
        let ctx = Ctx::new(&current, &doc, env);
        let Some(action) = actions(&ctx, &next.range, &fix)
            .into_iter()
            .find(|a| a.preferred)
        else {
            continue;
        };
        current = apply(&current, &action.edits);
    }
    (current != text).then(|| diff(text, &current))
}

/// Applies non-overlapping edits.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in sorted {
        if out.is_char_boundary(e.range.start)
            && out.is_char_boundary(e.range.end)
            && e.range.end <= out.len()
        {
            out.replace_range(e.range.clone(), &e.text);
        }
    }
    out
}

/// One edit turning `old` into `new`: the differing middle, between the common prefix and
/// suffix (on character boundaries).
fn diff(old: &str, new: &str) -> Edit {
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let suffix = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .scan(0, |sum, len| {
            *sum += len;
            Some(*sum)
        })
        .take_while(|&s| s <= max_suffix)
        .last()
        .unwrap_or(0);
    Edit {
        range: prefix..old.len() - suffix,
        text: new[prefix..new.len() - suffix].to_string(),
    }
}

/// The kind of the Header value at (or named at) `range`.
fn value_kind(ctx: &Ctx, range: &Range<usize>) -> Option<FieldKind> {
    Some(ctx.schema.fields.get(value_spec(ctx, range)?)?.kind.clone())
}

/// The role of the Header field whose row holds `range`.
fn value_role(ctx: &Ctx, range: &Range<usize>) -> Option<FieldRole> {
    ctx.schema.fields.get(value_spec(ctx, range)?)?.role
}

/// The schema index of the Header field whose row holds `range`.
fn value_spec(ctx: &Ctx, range: &Range<usize>) -> Option<usize> {
    let row = ctx
        .header
        .as_ref()?
        .rows
        .iter()
        .find(|r| r.name == *range || r.value == *range || r.cell == *range)?;
    row.spec
}

/// The edit writing `value` at `range`. When `range` is a Header row's name (an empty value
/// is reported there), the value goes into that row's value cell instead.
fn fill(ctx: &Ctx, range: &Range<usize>, value: &str) -> Edit {
    let row = ctx
        .header
        .as_ref()
        .and_then(|h| h.rows.iter().find(|r| r.name == *range));
    let Some(row) = row else {
        return Edit {
            range: range.clone(),
            text: value.to_string(),
        };
    };
    if !row.value.is_empty() {
        return Edit {
            range: row.value.clone(),
            text: value.to_string(),
        };
    }
    // An empty cell: replace the blanks between its pipes; a missing cell gets its pipe.
    let at = row.cell.start;
    let line_start = crate::text::line_start(ctx.text, at);
    let line_end = ctx.text[at..]
        .find(['\r', '\n'])
        .map_or(ctx.text.len(), |i| at + i);
    let left = ctx.text[line_start..at]
        .rfind('|')
        .map(|i| line_start + i + 1);
    let right = ctx.text[at..line_end].find('|').map(|i| at + i);
    match (left, right) {
        (Some(l), Some(r)) if ctx.text[l..r].trim().is_empty() => Edit {
            range: l..r,
            text: format!(" {value} "),
        },
        _ => {
            let end = line_start + ctx.text[line_start..line_end].trim_end().len();
            Edit {
                range: end..end,
                text: format!(" {value} |"),
            }
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_more;
