//! Fills a new post-mortem's known values (Incident date, Deploy SHA, title) into a
//! template text: the repository's own template or the built-in skeleton. Used through
//! [`crate::scaffold`] by `postmortem-lsp new` and the server's `postmortem.new`.

use super::facts::Ctx;
use super::schema::{FieldKind, FieldRole};
use super::skeleton;
use super::values::find_angle_placeholder;
use super::{Env, Schema, parse};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use std::ops::Range;

/// What a new post-mortem starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewValues {
    pub date: NaiveDate,
    /// The Deploy commit's SHA (written as given, in backticks).
    pub deploy: Option<String>,
    pub title: Option<String>,
}

/// The built-in skeleton as plain text, each choice field showing its choices
/// (`production / staging / dev`) rather than the first of them, so that an untouched
/// value reads, and is flagged, as unfilled.
pub fn builtin_template(schema: &Schema, now: DateTime<Utc>) -> String {
    // The Timeline's first entry shows the clock as `HH:MM`: stamped with the minute the
    // file was made, it read as an event of the incident (written the next morning).
    let stamped = format!("{}  (source: ", now.format("%H:%M"));
    let text =
        skeleton::document(schema, "…", now)
            .to_plain()
            .replacen(&stamped, "HH:MM  (source: ", 1);
    let doc = parse(&text);
    let env = Env {
        schema,
        ..Env::fixed()
    };
    let ctx = Ctx::new(&text, &doc, &env);
    let mut edits: Vec<(Range<usize>, String)> = ctx
        .header
        .iter()
        .flat_map(|h| &h.rows)
        .filter_map(|row| match &schema.fields.get(row.spec?)?.kind {
            FieldKind::Choice(values) => Some((row.cell.clone(), values.join(" / "))),
            _ => None,
        })
        .collect();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.clone();
    for (range, value) in edits {
        out.replace_range(range, &value);
    }
    out
}

/// `text` with the Incident date and Deploy SHA cells and the H1's placeholder replaced.
/// Values the text has no place for are left out; everything else is kept as written.
pub fn fill(text: &str, schema: &Schema, values: &NewValues) -> String {
    let doc = parse(text);
    let env = Env {
        schema,
        ..Env::fixed()
    };
    let ctx = Ctx::new(text, &doc, &env);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut cell = |role: FieldRole, value: String| {
        if let Some(row) = ctx.field(role).filter(|r| !r.cell.is_empty()) {
            edits.push((row.cell.clone(), value));
        }
    };
    cell(
        FieldRole::IncidentDate,
        values.date.format("%Y-%m-%d").to_string(),
    );
    if let Some(sha) = &values.deploy {
        cell(FieldRole::DeploySha, format!("`{sha}`"));
    }
    let mut prefix = String::new();
    if let Some(title) = &values.title {
        // One line of plain text: line breaks would end the heading.
        let title: String = title
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let title = title.trim();
        match doc.title.clone() {
            Some(h1) => {
                let heading = ctx.slice(&h1);
                let at = heading.find('…').map(|i| i..i + '…'.len_utf8());
                let at = at.or_else(|| find_angle_placeholder(heading, 0));
                let range = match at.clone() {
                    Some(r) => h1.start + r.start..h1.start + r.end,
                    None => h1.clone(),
                };
                let text = if at.is_some() {
                    title.to_string()
                } else {
                    format!("{}{title}", schema.title_prefix)
                };
                edits.push((range, text));
            }
            None => prefix = format!("# {}{title}\n\n", schema.title_prefix),
        }
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (range, value) in edits {
        out.replace_range(range, &value);
    }
    prefix + &out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Code, analyze, values::parse_timestamp};

    fn values() -> NewValues {
        NewValues {
            date: NaiveDate::from_ymd_opt(2026, 5, 30).unwrap(),
            deploy: Some("9f1c2ab7e4d0".into()),
            title: Some("search outage\nafter deploy".into()),
        }
    }

    #[test]
    fn the_skeleton_gets_date_deploy_and_title() {
        let schema = Schema::builtin_ref();
        let now = parse_timestamp("2026-06-01T09:00:00Z").unwrap();
        let text = fill(&builtin_template(schema, now), schema, &values());
        assert!(
            text.starts_with("# Post-mortem: search outage after deploy\n"),
            "{text}"
        );
        assert!(text.contains("| Incident date | 2026-05-30 |"), "{text}");
        assert!(text.contains("| Deploy SHA at incident start | `9f1c2ab7e4d0` |"));
        assert!(
            text.contains("| Severity | Critical / High / Medium |"),
            "{text}"
        );
        // The filled cells are valid; the rest is still to be written.
        let codes: Vec<(Code, &str)> = analyze(&text, &Env::fixed())
            .into_iter()
            .filter(|d| {
                matches!(
                    d.code,
                    Code::EmptyField | Code::InvalidDate | Code::InvalidSha
                )
            })
            .map(|d| (d.code, &text[d.range]))
            .collect();
        assert!(
            !codes
                .iter()
                .any(|(_, t)| t.contains("2026-05-30") || t.contains("9f1c2ab7e4d0")),
            "{codes:?}"
        );
        assert!(codes.iter().any(|(c, _)| *c == Code::EmptyField));
    }

    #[test]
    fn a_template_without_placeholder_in_its_title_gets_a_new_title() {
        let schema = Schema::builtin_ref();
        let template = "# Incident report\n\n## Header\n\n| Field | Value |\n|---|---|\n| Incident date | YYYY-MM-DD |\n| Deploy SHA | `<sha>` |\n";
        let text = fill(template, schema, &values());
        assert!(text.starts_with("# Post-mortem: search outage after deploy\n"));
        assert!(text.contains("| Incident date | 2026-05-30 |"));
        assert!(text.contains("| Deploy SHA | `9f1c2ab7e4d0` |"));
        // No title, no deploy: those parts stay as they were.
        let bare = NewValues {
            deploy: None,
            title: None,
            ..values()
        };
        let text = fill(template, schema, &bare);
        assert!(text.starts_with("# Incident report\n"));
        assert!(text.contains("| Deploy SHA | `<sha>` |"));
        // No H1 at all: one is added.
        let text = fill("## Header\n", schema, &values());
        assert!(text.starts_with("# Post-mortem: search outage after deploy\n\n## Header\n"));
    }
}
