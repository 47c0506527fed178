//! The post-mortem schema: sections, header fields and enumerated values the checks enforce.
//!
//! The built-in schema mirrors the team template. It is plain data so that a team's own
//! template can later produce a different one without touching the checks.

/// What kind of value a header field holds, which decides how it is validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A UTC instant, exactly `YYYY-MM-DDTHH:MM:SSZ`.
    Timestamp,
    /// A duration, `mm:ss` (minutes may exceed 59).
    Duration,
    /// One of a fixed list of values, matched case-insensitively.
    Choice(Vec<String>),
    /// A commit SHA: 7–40 hex digits, backticks optional.
    Sha,
    /// Anything non-empty.
    Text,
}

/// The role a field plays in cross-field checks (time order, durations, git).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldRole {
    IncidentDate,
    Detection,
    Mitigation,
    Duration,
    Environment,
    DetectedBy,
    Severity,
    DeploySha,
    RollbackSha,
}

#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// The name as the template writes it, e.g. `Detection time (UTC)`.
    pub name: String,
    pub kind: FieldKind,
    pub required: bool,
    pub role: Option<FieldRole>,
    /// The template's placeholder for this value (`YYYY-MM-DD`, `mm:ss`, `staging / production`, …).
    pub placeholder: String,
}

/// The role a section plays in checks that look inside a particular section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionRole {
    Header,
    Timeline,
    Detection,
    Impact,
    RootCause,
    Repair,
    DetectionGaps,
    Prevention,
    WentWell,
    Lucky,
    Evidence,
}

#[derive(Debug, Clone)]
pub struct SectionSpec {
    /// The heading as the template writes it, e.g. `Timeline (UTC)`.
    pub name: String,
    pub role: Option<SectionRole>,
}

/// Everything the checks need to know about the template.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Template `##` sections, in template order.
    pub sections: Vec<SectionSpec>,
    /// Header table rows, in template order.
    pub fields: Vec<FieldSpec>,
    /// Allowed timeline `source:` values; an entry's source must start with one of them.
    pub timeline_sources: Vec<String>,
    /// Repository files the template refers to (relative to the repository root).
    pub known_paths: Vec<String>,
    /// The smoke-test steps a Detection section may name.
    pub smoke_steps: std::ops::RangeInclusive<u32>,
}

impl Schema {
    /// The schema of the built-in template (`_docs/06_metrics/postmortem_<date>_<slug>.md`).
    pub fn builtin() -> Schema {
        use FieldKind::*;
        use FieldRole as R;
        let choice = |v: &[&str]| Choice(v.iter().map(|s| s.to_string()).collect());
        let field = |name: &str, kind: FieldKind, required, role, placeholder: &str| FieldSpec {
            name: name.into(),
            kind,
            required,
            role: Some(role),
            placeholder: placeholder.into(),
        };
        let section = |name: &str, role| SectionSpec {
            name: name.into(),
            role: Some(role),
        };
        use SectionRole as S;
        Schema {
            sections: vec![
                section("Header", S::Header),
                section("Timeline (UTC)", S::Timeline),
                section("Detection", S::Detection),
                section("Impact", S::Impact),
                section("Root cause", S::RootCause),
                section("Repair", S::Repair),
                section("Detection gaps", S::DetectionGaps),
                section("Prevention", S::Prevention),
                section("What went well", S::WentWell),
                section("What was lucky", S::Lucky),
                section("Appendix: evidence links", S::Evidence),
            ],
            fields: vec![
                field("Incident date", Date, true, R::IncidentDate, "YYYY-MM-DD"),
                field(
                    "Detection time (UTC)",
                    Timestamp,
                    true,
                    R::Detection,
                    "YYYY-MM-DDTHH:MM:SSZ",
                ),
                field(
                    "Mitigation time (UTC)",
                    Timestamp,
                    true,
                    R::Mitigation,
                    "YYYY-MM-DDTHH:MM:SSZ",
                ),
                field(
                    "Duration (user-impacting)",
                    Duration,
                    true,
                    R::Duration,
                    "mm:ss",
                ),
                field(
                    "Affected environment",
                    choice(&["staging", "production"]),
                    true,
                    R::Environment,
                    "staging / production",
                ),
                field(
                    "Detected by",
                    choice(&["alert", "smoke test", "user report", "operator"]),
                    true,
                    R::DetectedBy,
                    "alert / smoke test / user report / operator",
                ),
                field(
                    "Severity",
                    choice(&["Critical", "High", "Medium"]),
                    true,
                    R::Severity,
                    "Critical / High / Medium",
                ),
                field(
                    "Deploy SHA at incident start",
                    Sha,
                    true,
                    R::DeploySha,
                    "`<sha>`",
                ),
                field(
                    "Rollback SHA (if rolled back)",
                    Sha,
                    false,
                    R::RollbackSha,
                    "`<sha>`",
                ),
            ],
            timeline_sources: vec!["alert".into(), "Slack".into(), "log file".into()],
            known_paths: vec![
                "_docs/04_deploy/deployment_procedures.md".into(),
                "scripts/smoke.sh".into(),
                ".cursor/rules/tracker.mdc".into(),
            ],
            smoke_steps: 1..=6,
        }
    }

    /// The index of the section spec whose name matches `heading`.
    pub fn section_index(&self, heading: &str) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| names_match(&s.name, heading))
    }

    /// The index of the field spec whose name matches `name`. A shortened name of at least
    /// two words (`Deploy SHA` for `Deploy SHA at incident start`) matches when it is the
    /// start of exactly one field's name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.fields.iter().position(|f| names_match(&f.name, name)) {
            return Some(i);
        }
        let written = normalize_name(name);
        if written.split(' ').count() < 2 {
            return None;
        }
        let mut found = self.fields.iter().enumerate().filter(|(_, f)| {
            let full = normalize_name(&f.name);
            full.starts_with(&written) && full[written.len()..].starts_with(' ')
        });
        match (found.next(), found.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    pub fn section_by_role(&self, role: SectionRole) -> Option<usize> {
        self.sections.iter().position(|s| s.role == Some(role))
    }

    pub fn field_by_role(&self, role: FieldRole) -> Option<usize> {
        self.fields.iter().position(|f| f.role == Some(role))
    }
}

/// Normalises a section or field name for matching: lower case, runs of white space folded
/// to one space, trailing punctuation and `#` removed.
pub fn normalize_name(name: &str) -> String {
    let folded = name.split_whitespace().collect::<Vec<_>>().join(" ");
    folded
        .trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, '.' | ':' | ';' | ',' | '!' | '?' | '#')
        })
        .to_lowercase()
}

/// Whether a name written in a document matches a template name. Case, extra spaces and
/// trailing punctuation are ignored, and a trailing parenthetical may be left out on either
/// side, so `Timeline` matches `Timeline (UTC)` and `Rollback SHA` matches
/// `Rollback SHA (if rolled back)`.
pub fn names_match(template: &str, written: &str) -> bool {
    let (t, w) = (normalize_name(template), normalize_name(written));
    t == w || strip_parenthetical(&t) == strip_parenthetical(&w)
}

fn strip_parenthetical(name: &str) -> &str {
    match name
        .strip_suffix(')')
        .and_then(|n| n.rfind('(').map(|i| &n[..i]))
    {
        Some(stem) => stem.trim_end(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_ignores_case_spaces_punctuation_and_parenthetical() {
        assert!(names_match("Timeline (UTC)", "timeline  (utc):"));
        assert!(names_match("Timeline (UTC)", "Timeline"));
        assert!(names_match("Rollback SHA (if rolled back)", "Rollback SHA"));
        assert!(names_match(
            "Appendix: evidence links",
            "APPENDIX: Evidence Links."
        ));
        assert!(!names_match("Detection", "Detection gaps"));
        assert!(!names_match("Root cause", "Root"));
    }

    #[test]
    fn builtin_lookups() {
        let s = Schema::builtin();
        assert_eq!(s.section_index("what went well"), Some(8));
        assert_eq!(s.field_index("Duration"), Some(3));
        assert_eq!(s.field_index("deploy sha"), Some(7));
        assert_eq!(s.field_index("Detection time"), Some(1));
        assert_eq!(s.field_index("Deploy"), None);
        assert_eq!(s.field_index("Deploy SH"), None);
        assert_eq!(s.field_by_role(FieldRole::RollbackSha), Some(8));
        assert!(!s.fields[8].required);
    }
}
