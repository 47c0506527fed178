//! Derives a [`Schema`] from a template document: its `##` sections, Header rows and
//! placeholder kinds, Timeline sources, Prevention columns and each section's guidance text.
//!
//! Parts a template cannot say (known paths, smoke steps, ticket pattern, evidence folders)
//! take the built-in defaults here; the configuration may override them afterwards.

use super::{
    FIELD_ROLES, FieldKind, FieldSpec, Globs, NamePattern, Problem, SECTION_ROLES, Schema,
    SectionRole, SectionSpec, TicketPattern, names_match,
};
use crate::analysis::model::Document;
use crate::analysis::parse::parse;

impl Schema {
    /// The schema a template describes, and what is wrong with the template. A template
    /// without any `##` section describes nothing, so the built-in schema is returned with
    /// a problem; other problems leave the part concerned at its built-in default.
    pub fn from_template(text: &str) -> (Schema, Vec<Problem>) {
        let doc = parse(text);
        let mut problems = Vec::new();
        let mut schema = defaults();
        if doc.sections.is_empty() {
            problems.push(Problem {
                range: 0..text.len().min(first_line_len(text)),
                message: "the template has no `##` sections; write one `## Name` heading per \
                          section a post-mortem must have"
                    .into(),
            });
            if text != super::BUILTIN_TEMPLATE {
                schema = Schema::builtin();
            }
            return (schema, problems);
        }
        if let Some(extra) = doc.sections.get(MAX_SECTIONS) {
            problems.push(Problem {
                range: extra.name.clone(),
                message: format!(
                    "the template has more than {MAX_SECTIONS} sections; only the first \
                     {MAX_SECTIONS} are used"
                ),
            });
        }
        schema.sections = doc
            .sections
            .iter()
            .take(MAX_SECTIONS)
            .map(|s| {
                let name = text[s.name.clone()].to_string();
                SectionSpec {
                    role: role_of(SECTION_ROLES, &name),
                    guidance: first_lines(&text[s.body.range.clone()], MAX_GUIDANCE),
                    name,
                }
            })
            .collect();
        if let Some(prefix) = doc
            .title
            .as_ref()
            .and_then(|t| title_prefix(&text[t.clone()]))
        {
            schema.title_prefix = prefix;
        }
        schema.fields = fields(text, &doc, &schema, &mut problems);
        if let Some(sources) = timeline_sources(text, &doc, &schema) {
            schema.timeline_sources = sources;
        }
        if let Some(columns) = prevention_columns(text, &doc, &schema) {
            schema.prevention_columns = columns;
        }
        (schema, problems)
    }
}

/// At most this many sections and Header fields are taken from a template: real templates
/// have a dozen or two, and every check compares the document against each of them, so a
/// hostile template with 100,000 headings must not make each keystroke slow.
const MAX_SECTIONS: usize = 200;
const MAX_FIELDS: usize = 200;
/// At most this many choices of a field, Timeline sources and Prevention columns.
const MAX_LIST: usize = 100;
/// At most this much of a section's guidance is kept (cut at a line end): it goes into
/// every completion item and new file, and real guidance is a few sentences.
const MAX_GUIDANCE: usize = 4096;

/// The whole lines of `text` that fit in `max` bytes.
fn first_lines(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind('\n').map_or(end, |i| i + 1);
    text[..cut].to_string()
}

/// Everything a template does not describe, at its built-in value.
fn defaults() -> Schema {
    Schema {
        sections: Vec::new(),
        fields: Vec::new(),
        timeline_sources: vec!["alert".into(), "Slack".into(), "log file".into()],
        prevention_columns: vec!["Owner".into(), "Action".into(), "Target date".into()],
        known_paths: vec![
            "_docs/04_deploy/deployment_procedures.md".into(),
            "scripts/smoke.sh".into(),
            ".cursor/rules/tracker.mdc".into(),
        ],
        smoke_steps: 1..=6,
        ticket: TicketPattern::default(),
        tracker_url: None,
        evidence_prefixes: vec!["/var/log/azaion/rollback-".into()],
        postmortem_globs: Globs::default(),
        file_name: NamePattern::default(),
        postmortem_directory: super::DEFAULT_DIRECTORY.into(),
        title_prefix: "Post-mortem: ".into(),
        generation: Schema::next_generation(),
    }
}

/// The template title's words before its placeholder (`Incident review: <what broke>` gives
/// `Incident review: `); a title without a placeholder is followed by `: `.
fn title_prefix(title: &str) -> Option<String> {
    let cut = [title.find('<'), title.find('…')]
        .into_iter()
        .flatten()
        .min();
    let prefix = match cut {
        Some(at) => title[..at].to_string(),
        None => format!("{}: ", title.trim_end()),
    };
    (!prefix.trim().is_empty()).then_some(prefix)
}

fn first_line_len(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}

fn role_of<R: Copy>(table: &[(&str, R)], name: &str) -> Option<R> {
    table
        .iter()
        .find(|(builtin, _)| names_match(builtin, name))
        .map(|&(_, role)| role)
}

/// The section playing `role` in the template being read.
fn section_of<'d>(
    doc: &'d Document,
    schema: &Schema,
    role: SectionRole,
) -> Option<&'d crate::analysis::model::Section> {
    let i = schema.section_by_role(role)?;
    doc.sections.get(i)
}

/// The Header table's rows: name in the first cell, placeholder in the second.
fn fields(
    text: &str,
    doc: &Document,
    schema: &Schema,
    problems: &mut Vec<Problem>,
) -> Vec<FieldSpec> {
    let Some(table) = section_of(doc, schema, SectionRole::Header)
        .and_then(|s| s.body.tables.first())
        .or_else(|| doc.preamble.tables.first())
    else {
        problems.push(Problem {
            range: doc.sections.first().map_or(0..0, |s| s.name.clone()),
            message: "the template has no Header table; add a `## Header` section with a \
                      `| Field | Value |` table, one row per field"
                .into(),
        });
        return Vec::new();
    };
    let mut out: Vec<FieldSpec> = Vec::new();
    for row in &table.rows {
        let Some(name_cell) = row.cells.first() else {
            continue;
        };
        if out.len() == MAX_FIELDS {
            problems.push(Problem {
                range: name_cell.clone(),
                message: format!(
                    "the Header table has more than {MAX_FIELDS} fields; only the first \
                     {MAX_FIELDS} are used"
                ),
            });
            break;
        }
        let name = text[name_cell.clone()].trim().to_string();
        if name.is_empty() {
            continue;
        }
        if out.iter().any(|f| names_match(&f.name, &name)) {
            problems.push(Problem {
                range: name_cell.clone(),
                message: format!("the field `{name}` is listed twice; keep one row"),
            });
            continue;
        }
        let placeholder = row
            .cells
            .get(1)
            .map(|c| text[c.clone()].trim().to_string())
            .unwrap_or_default();
        out.push(FieldSpec {
            kind: kind_of(&placeholder),
            required: !name.to_lowercase().contains("(if "),
            role: role_of(FIELD_ROLES, &name),
            placeholder,
            name,
        });
    }
    out
}

/// A field's kind from its placeholder: the date, timestamp and duration forms, `a / b`
/// choices, a backticked `<sha>`, and free text for anything else.
pub fn kind_of(placeholder: &str) -> FieldKind {
    let p = placeholder.trim();
    let unquoted = p
        .strip_prefix('`')
        .and_then(|s| s.strip_suffix('`'))
        .unwrap_or(p);
    match unquoted {
        "YYYY-MM-DD" => FieldKind::Date,
        "YYYY-MM-DDTHH:MM:SSZ" => FieldKind::Timestamp,
        "mm:ss" => FieldKind::Duration,
        _ if unquoted.eq_ignore_ascii_case("<sha>") => FieldKind::Sha,
        _ if p.contains(" / ") => {
            let values: Vec<String> = p
                .split('/')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .take(MAX_LIST)
                .collect();
            if values.len() >= 2 {
                FieldKind::Choice(values)
            } else {
                FieldKind::Text
            }
        }
        _ => FieldKind::Text,
    }
}

/// The values listed in the Timeline section's `(source: a / b / c)`.
fn timeline_sources(text: &str, doc: &Document, schema: &Schema) -> Option<Vec<String>> {
    let section = section_of(doc, schema, SectionRole::Timeline)?;
    let body = &text[section.body.range.clone()];
    let start = body.find("(source:")? + "(source:".len();
    let end = start + body[start..].find(')')?;
    let sources: Vec<String> = body[start..end]
        .split('/')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .take(MAX_LIST)
        .collect();
    (!sources.is_empty()).then_some(sources)
}

/// The Prevention table's header cells.
fn prevention_columns(text: &str, doc: &Document, schema: &Schema) -> Option<Vec<String>> {
    let table = section_of(doc, schema, SectionRole::Prevention)?
        .body
        .tables
        .first()?;
    Some(
        table
            .head
            .cells
            .iter()
            .take(MAX_LIST)
            .map(|c| text[c.clone()].trim().to_string())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::schema::{BUILTIN_TEMPLATE, FieldRole};

    #[test]
    fn the_title_prefix_is_what_the_template_title_says_before_its_placeholder() {
        assert_eq!(
            title_prefix("Incident review: <what broke>").as_deref(),
            Some("Incident review: ")
        );
        assert_eq!(title_prefix("Outage … report").as_deref(), Some("Outage "));
        assert_eq!(title_prefix("Incident").as_deref(), Some("Incident: "));
        assert_eq!(title_prefix("<title>"), None);
        let (schema, _) = Schema::from_template("# <title>\n\n## Summary\n");
        assert_eq!(schema.title_prefix, "Post-mortem: ");
        assert_eq!(Schema::builtin().title_prefix, "Post-mortem: ");
    }

    /// The schema that was written by hand before templates defined it: the built-in
    /// template must still produce exactly this.
    #[test]
    fn builtin_template_reproduces_the_hand_written_schema() {
        use FieldKind::*;
        use FieldRole as R;
        let choice = |v: &[&str]| Choice(v.iter().map(|s| s.to_string()).collect());
        let expected_fields = [
            ("Incident date", Date, true, R::IncidentDate, "YYYY-MM-DD"),
            (
                "Detection time (UTC)",
                Timestamp,
                true,
                R::Detection,
                "YYYY-MM-DDTHH:MM:SSZ",
            ),
            (
                "Mitigation time (UTC)",
                Timestamp,
                true,
                R::Mitigation,
                "YYYY-MM-DDTHH:MM:SSZ",
            ),
            (
                "Duration (user-impacting)",
                Duration,
                true,
                R::Duration,
                "mm:ss",
            ),
            (
                "Affected environment",
                choice(&["staging", "production"]),
                true,
                R::Environment,
                "staging / production",
            ),
            (
                "Detected by",
                choice(&["alert", "smoke test", "user report", "operator"]),
                true,
                R::DetectedBy,
                "alert / smoke test / user report / operator",
            ),
            (
                "Severity",
                choice(&["Critical", "High", "Medium"]),
                true,
                R::Severity,
                "Critical / High / Medium",
            ),
            (
                "Deploy SHA at incident start",
                Sha,
                true,
                R::DeploySha,
                "`<sha>`",
            ),
            (
                "Rollback SHA (if rolled back)",
                Sha,
                false,
                R::RollbackSha,
                "`<sha>`",
            ),
        ];
        let (schema, problems) = Schema::from_template(BUILTIN_TEMPLATE);
        assert_eq!(problems, vec![]);
        assert_eq!(schema.fields.len(), expected_fields.len());
        for (f, (name, kind, required, role, placeholder)) in
            schema.fields.iter().zip(expected_fields)
        {
            assert_eq!(
                (
                    f.name.as_str(),
                    &f.kind,
                    f.required,
                    f.role,
                    f.placeholder.as_str()
                ),
                (name, &kind, required, Some(role), placeholder)
            );
        }
        let sections: Vec<_> = schema
            .sections
            .iter()
            .map(|s| (s.name.as_str(), s.role))
            .collect();
        let expected: Vec<_> = SECTION_ROLES.iter().map(|&(n, r)| (n, Some(r))).collect();
        assert_eq!(sections, expected);
        assert_eq!(schema.timeline_sources, ["alert", "Slack", "log file"]);
        assert_eq!(
            schema.prevention_columns,
            ["Owner", "Action", "Target date"]
        );
        assert_eq!(schema.known_paths.len(), 3);
        assert_eq!(schema.smoke_steps, 1..=6);
        assert!(schema.sections[2].guidance.contains("smoke-test step"));
    }

    #[test]
    fn kinds_come_from_placeholders() {
        assert_eq!(kind_of("YYYY-MM-DD"), FieldKind::Date);
        assert_eq!(kind_of("`<SHA>`"), FieldKind::Sha);
        assert_eq!(
            kind_of("P1 / P2"),
            FieldKind::Choice(vec!["P1".into(), "P2".into()])
        );
        assert_eq!(kind_of("a/b"), FieldKind::Text);
        assert_eq!(kind_of("who was on call"), FieldKind::Text);
        assert_eq!(kind_of("HH:MM"), FieldKind::Text);
    }

    #[test]
    fn a_team_template_gets_its_own_sections_fields_and_roles() {
        let text = "# T\n\n## Header\n\n| Field | Value |\n|-|-|\n| Incident date | YYYY-MM-DD |\n\
                    | Customer tier | gold / silver |\n| Pager (if paged) | who |\n| Incident date | x |\n\n\
                    ## Timeline\n\n```\nHH:MM  (source: pager / chat)\n```\n\n## Customer comms\n\nWho told customers.\n";
        let (schema, problems) = Schema::from_template(text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("listed twice"));
        assert_eq!(&text[problems[0].range.clone()], "Incident date");
        let names: Vec<_> = schema
            .sections
            .iter()
            .map(|s| (s.name.as_str(), s.role))
            .collect();
        assert_eq!(
            names,
            [
                ("Header", Some(SectionRole::Header)),
                ("Timeline", Some(SectionRole::Timeline)),
                ("Customer comms", None)
            ]
        );
        assert_eq!(schema.fields.len(), 3);
        assert_eq!(schema.fields[1].role, None);
        assert_eq!(
            schema.fields[1].kind,
            FieldKind::Choice(vec!["gold".into(), "silver".into()])
        );
        assert!(!schema.fields[2].required);
        assert_eq!(schema.timeline_sources, ["pager", "chat"]);
        assert_eq!(schema.sections[2].guidance.trim(), "Who told customers.");
    }

    #[test]
    fn long_guidance_is_cut_at_a_line_end() {
        let long: String = (0..1000).map(|i| format!("Question {i} — é?\n")).collect();
        let text = format!("# Post-mortem: <x>\n\n## Summary\n\n{long}");
        let (schema, _) = Schema::from_template(&text);
        let guidance = &schema.sections[0].guidance;
        assert!(guidance.len() <= MAX_GUIDANCE, "{}", guidance.len());
        assert!(guidance.ends_with("?\n"), "{guidance:?}");
        assert!(guidance.contains("Question 0 — é?"));
        let short = "# P\n\n## Summary\n\nWhat happened?\n";
        assert_eq!(
            Schema::from_template(short).0.sections[0].guidance,
            "\nWhat happened?\n"
        );
    }

    #[test]
    fn huge_templates_are_cut_to_their_first_sections_and_fields() {
        let mut text =
            String::from("# Post-mortem: <x>\n\n## Header\n\n| Field | Value |\n|---|---|\n");
        for i in 0..50_000 {
            text.push_str(&format!("| F{i} | a / b |\n"));
        }
        for i in 0..50_000 {
            text.push_str(&format!("## S{i}\n"));
        }
        let started = std::time::Instant::now();
        let (schema, problems) = Schema::from_template(&text);
        // Quadratic work over 50,000 rows would take minutes.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(schema.sections.len(), MAX_SECTIONS);
        assert_eq!(schema.fields.len(), MAX_FIELDS);
        let messages: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (&text[p.range.clone()], p.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "S199",
                    "the template has more than 200 sections; only the first 200 are used"
                ),
                (
                    "F200",
                    "the Header table has more than 200 fields; only the first 200 are used"
                ),
            ]
        );
    }

    #[test]
    fn a_template_without_sections_is_a_problem_and_keeps_the_builtin() {
        let (schema, problems) = Schema::from_template("just words\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].range, 0..10);
        assert_eq!(schema.sections.len(), 11);
    }
}
