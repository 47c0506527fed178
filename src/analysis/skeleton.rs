//! Skeletons of the template's sections, written in our own words: what section snippets,
//! the missing-section quick fix and a new post-mortem insert.
//!
//! Each section opens with the template's prompting prose for it (its guidance: "Which
//! alert, and was its threshold right?"), then the parts to fill, which default to template
//! placeholders (`…`, `YYYY-MM-DD`, `<link>`). A skeleton left as inserted is flagged once,
//! as an unfilled section, until someone writes in it.

use super::schema::{FieldKind, Schema, SectionRole, SectionSpec, names_match};
use super::snippet::Snippet;
use chrono::{DateTime, Utc};

/// The example values a Prevention row shows: a ticket key and a target date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examples {
    pub ticket: String,
    pub target: String,
}

impl Examples {
    /// What the template alone gives: the ticket pattern's example and `YYYY-MM-DD`.
    pub fn template(schema: &Schema) -> Examples {
        Examples {
            ticket: schema.ticket.example(),
            target: "YYYY-MM-DD".into(),
        }
    }
}

/// A whole section: its `##` heading, a blank line, its body and a trailing blank line.
pub fn section(schema: &Schema, index: usize, now: DateTime<Utc>) -> Snippet {
    section_with(schema, index, now, &Examples::template(schema))
}

/// [`section`] with the document's own example values.
pub fn section_with(
    schema: &Schema,
    index: usize,
    now: DateTime<Utc>,
    examples: &Examples,
) -> Snippet {
    let Some(spec) = schema.sections.get(index) else {
        return Snippet::new();
    };
    let mut heading = Snippet::new().text(&format!("## {}\n\n", spec.name));
    let prose = guidance(spec);
    if spec.role.is_some() && spec.role != Some(SectionRole::Header) && !prose.is_empty() {
        heading = heading.text(&format!("{prose}\n\n"));
    }
    let body = match spec.role {
        Some(SectionRole::Header) => header(schema),
        Some(SectionRole::Timeline) => Snippet::new()
            .text("```\n")
            .append(timeline_entry(schema, now))
            .tab("…")
            .text("\n```\n"),
        Some(SectionRole::Detection) => bullets(&["Signal", "Noticed after"]),
        Some(SectionRole::Impact) => bullets(&["Users", "Team", "Compliance"]),
        Some(SectionRole::Repair) => bullets(&["Mitigated by", "Resolved by", "Side-effects"]),
        Some(SectionRole::Prevention) => {
            prevention_head(schema).append(prevention_row(schema, examples))
        }
        Some(SectionRole::Evidence) => evidence(),
        Some(SectionRole::RootCause) => Snippet::new().tab("…").text("\n"),
        // A team's own section: its template body is the skeleton (the unfilled-section
        // check flags it until it is replaced).
        None if !spec.guidance.trim().is_empty() => {
            Snippet::new().tab(spec.guidance.trim()).text("\n")
        }
        _ => Snippet::new().text("- ").tab("…").text("\n"),
    };
    heading.append(body).text("\n")
}

/// The prompting prose of a section's template body: its lines outside code blocks and
/// tables that hold no placeholder, blank lines kept between paragraphs, so a reader of
/// the new file still sees what the template asks.
pub fn guidance(spec: &SectionSpec) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut in_code = false;
    for line in spec.guidance.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let filler = t.contains('…')
            || t.contains("YYYY")
            || t.starts_with('|')
            || super::values::find_angle_placeholder(t, 0).is_some();
        if in_code || filler {
            continue;
        }
        if t.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line.trim_end());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Every template section in order, under an H1.
pub fn document(schema: &Schema, title: &str, now: DateTime<Utc>) -> Snippet {
    let mut doc = Snippet::new()
        .text(&format!("# {}", schema.title_prefix))
        .tab(title)
        .text("\n\n");
    for i in 0..schema.sections.len() {
        doc = doc.append(section(schema, i, now));
    }
    doc.end()
}

/// The Header table with every field's placeholder as a tab stop.
fn header(schema: &Schema) -> Snippet {
    let mut s = Snippet::new().text("| Field | Value |\n|-------|-------|\n");
    for field in &schema.fields {
        s = s.text(&format!("| {} | ", field.name));
        s = match &field.kind {
            FieldKind::Choice(values) => s.choice(values),
            FieldKind::Sha if field.required => s.text("`").tab("<sha>").text("`"),
            FieldKind::Sha => s.tab("n/a"),
            _ => s.tab(&field.placeholder),
        };
        s = s.text(" |\n");
    }
    s
}

/// The start of a timeline entry at the current UTC minute: the source a choice, the
/// cursor left where the text goes.
pub fn timeline_entry(schema: &Schema, now: DateTime<Utc>) -> Snippet {
    Snippet::new()
        .text(&format!("{}  (source: ", now.format("%H:%M")))
        .choice(&schema.timeline_sources)
        .text(") ")
        .end()
}

/// The Prevention table's head, in the template's columns.
fn prevention_head(schema: &Schema) -> Snippet {
    let columns = &schema.prevention_columns;
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let rule: Vec<String> = columns
        .iter()
        .map(|c| "-".repeat(crate::text::display_width(c) + 2))
        .collect();
    Snippet::new().text(&format!(
        "| {} |\n|{}|\n",
        names.join(" | "),
        rule.join("|")
    ))
}

/// One Prevention row in the template's columns, each a tab stop: the owner as an
/// `@handle`, the action, the example target date, and the example ticket key in a Ticket
/// column, else after the action.
pub fn prevention_row(schema: &Schema, examples: &Examples) -> Snippet {
    let ticket = &examples.ticket;
    let is = |column: &str, name: &str| names_match(name, column);
    let has_ticket_column = schema
        .prevention_columns
        .iter()
        .any(|c| c.to_lowercase().contains("ticket"));
    let mut row = Snippet::new().text("|");
    for column in &schema.prevention_columns {
        row = row.text(" ");
        row = if is(column, "Owner") {
            row.text("@").tab("owner")
        } else if is(column, "Target date") {
            row.tab(&examples.target)
        } else if is(column, "Action") && !has_ticket_column {
            row.tab("…").text(", ").tab(ticket)
        } else if column.to_lowercase().contains("ticket") {
            row.tab(ticket)
        } else {
            row.tab("…")
        };
        row = row.text(" |");
    }
    row.text("\n")
}

fn bullets(labels: &[&str]) -> Snippet {
    labels.iter().fold(Snippet::new(), |s, label| {
        s.text(&format!("- {label}: ")).tab("…").text("\n")
    })
}

fn evidence() -> Snippet {
    Snippet::new()
        .text("- Container logs: `/var/log/azaion/rollback-")
        .tab("<timestamp>")
        .text(".log`\n- Container inspect: `/var/log/azaion/rollback-")
        .tab("<timestamp>")
        .text(".inspect.json`\n- Grafana dashboard snapshot: ")
        .tab("<link>")
        .text("\n- Slack thread: ")
        .tab("<link>")
        .text("\n- Deploy ticket: ")
        .tab("<link>")
        .text("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Code, Env, analyze, parse, values::parse_timestamp};

    fn now() -> DateTime<Utc> {
        parse_timestamp("2026-06-01T09:41:07Z").unwrap()
    }

    #[test]
    fn document_skeleton_has_every_section_and_no_structural_problems() {
        let schema = Schema::builtin_ref();
        let text = document(schema, "…", now()).to_plain();
        let doc = parse(&text);
        assert_eq!(doc.sections.len(), schema.sections.len());
        let codes: Vec<Code> = analyze(&text, &Env::fixed())
            .iter()
            .map(|d| d.code)
            .collect();
        for structural in [
            Code::MissingSection,
            Code::SectionOrder,
            Code::EmptySection,
            Code::MissingField,
        ] {
            assert!(!codes.contains(&structural), "{structural:?} in {codes:?}");
        }
    }

    #[test]
    fn timeline_entry_uses_the_current_minute() {
        let s = timeline_entry(Schema::builtin_ref(), now());
        assert_eq!(
            s.to_snippet(),
            "09:41  (source: ${1|alert,Slack,log file|}) $0"
        );
    }

    #[test]
    fn sections_keep_the_templates_prompting_questions() {
        let schema = Schema::builtin_ref();
        let text = document(schema, "…", now()).to_plain();
        let detection = text.split("## Detection\n\n").nth(1).unwrap();
        assert!(
            detection.starts_with(
                "Say what first showed the problem and how quickly.\n\n\
                 - Which alert, and was its threshold right?\n\
                 - Which user, through which channel, and how late?\n\
                 - Which smoke-test step failed?\n\n- Signal: …\n"
            ),
            "{detection}"
        );
        assert!(text.contains("- What stopped the user impact?\n"), "{text}");
        assert!(text.contains("so that a reader can replay the incident.\n\n```\n"));
        // The Header has no prose, and filler lines are not guidance.
        assert!(text.contains("## Header\n\n| Field | Value |"));
        assert!(!text.contains("- @… |"));
    }

    #[test]
    fn header_skeleton_offers_choices() {
        let s = section(Schema::builtin_ref(), 0, now()).to_snippet();
        assert!(s.starts_with("## Header\n\n| Field | Value |\n"));
        assert!(
            s.contains("| Severity | ${7|Critical,High,Medium|} |"),
            "{s}"
        );
        assert!(
            s.contains("| Rollback SHA (if rolled back) | ${9:n/a} |"),
            "{s}"
        );
    }
}
