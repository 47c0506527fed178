//! The post-mortem schema: sections, header fields and enumerated values the checks enforce.
//!
//! The schema is derived from a template (see `template`): the built-in one from our own
//! built-in template, a team's from its own. Checks only ever read this plain data.

mod files;
mod template;
mod ticket;

pub use files::{DEFAULT_DIRECTORY, DEFAULT_GLOB, DEFAULT_NAME, Globs, NamePattern};

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
    /// The section's body in the template (its guidance text), as written.
    pub guidance: String,
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
    /// The Prevention table's column names, in template order.
    pub prevention_columns: Vec<String>,
    /// Repository files the template refers to (relative to the repository root).
    pub known_paths: Vec<String>,
    /// The smoke-test steps a Detection section may name.
    pub smoke_steps: std::ops::RangeInclusive<u32>,
    /// What a tracker ticket key looks like (Prevention rows must name one).
    pub ticket: TicketPattern,
    /// A link for a ticket key, with `{key}` where the key goes; `None` when not configured.
    pub tracker_url: Option<String>,
    /// Where rollback evidence files live: every path starting with one of these is an
    /// evidence path (the part after it names the rollback time).
    pub evidence_prefixes: Vec<String>,
    /// Paths (relative to the configuration's folder) of files that are post-mortems
    /// whatever their content.
    pub postmortem_globs: Globs,
    /// How a post-mortem file is named.
    pub file_name: NamePattern,
    /// The folder post-mortems are kept in (relative to the configuration's folder).
    pub postmortem_directory: String,
    /// What the template's `#` title says before its placeholder (`Post-mortem: `): new
    /// post-mortems start their title with it.
    pub title_prefix: String,
    /// Which schema this is, for caches of results computed under it: a fresh number for
    /// every schema read from a template and every change of settings applied to one
    /// (copies share it, being equal). An address would not do: a reloaded configuration
    /// may be allocated where the old one was.
    pub generation: u64,
}

impl Schema {
    /// A number no schema has had yet, for [`Schema::generation`].
    pub fn next_generation() -> u64 {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

/// A problem found in a template or configuration file: where, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte range in the file the problem was found in.
    pub range: std::ops::Range<usize>,
    pub message: String,
}

/// The built-in template, written in our own words. The built-in schema is derived from it
/// exactly as a team's template is, so there is one mechanism, not two.
pub const BUILTIN_TEMPLATE: &str = include_str!("builtin_template.md");

/// The default ticket-key pattern: a project key in capitals, a dash and a number (`OPS-91`).
pub const DEFAULT_TICKET_PATTERN: &str = "[A-Z][A-Z0-9]+-[0-9]+";

/// A compiled ticket-key pattern with the text it came from.
#[derive(Debug, Clone)]
pub struct TicketPattern {
    pub source: String,
    regex: regex::Regex,
}

/// The most a compiled ticket pattern may take; `[A-Z][A-Z0-9]+-[0-9]+` takes a few KB.
const MAX_PATTERN_BYTES: usize = 256 << 10;

impl TicketPattern {
    /// Compiles `source`; the error says what is wrong with it, in the regex crate's words.
    pub fn new(source: &str) -> Result<TicketPattern, String> {
        // A repository chooses the pattern: a small compiled size keeps matching cheap
        // (`\w{1,100}\w{1,100}Q` made the first analysis of a 2 MB document take 13 s).
        let compiled = regex::RegexBuilder::new(source)
            .size_limit(MAX_PATTERN_BYTES)
            .dfa_size_limit(MAX_PATTERN_BYTES)
            .build();
        match compiled {
            Ok(_) if source.is_empty() => Err("the pattern is empty".into()),
            Ok(_) if ticket::can_match_empty(source) => {
                Err("the pattern matches empty text".into())
            }
            Ok(regex) => Ok(TicketPattern {
                source: source.into(),
                regex,
            }),
            // The regex crate's message spans lines (pattern, caret, reason): keep the reason.
            Err(e) => Err(e
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .trim_start_matches("error: ")
                .to_string()),
        }
    }

    /// The ticket keys in `s`, ignoring matches glued to a letter or digit before them
    /// (`XOPS-1` is not `OPS-1`).
    pub fn find_iter<'a>(
        &'a self,
        s: &'a str,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        // Borrowed, not cloned: a cloned Regex starts with an empty search cache, which
        // costs an allocation per row of a long Prevention table.
        self.regex
            .find_iter(s)
            // Defence in depth: a zero-width match is never a key, whatever the pattern.
            .filter(|m| {
                !m.is_empty()
                    && !s[..m.start()]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
            })
            .map(|m| m.range())
    }
}

impl Default for TicketPattern {
    fn default() -> Self {
        let regex = regex::Regex::new(DEFAULT_TICKET_PATTERN).unwrap_or_else(|_| unreachable!());
        TicketPattern {
            source: DEFAULT_TICKET_PATTERN.into(),
            regex,
        }
    }
}

/// The built-in section names and the roles checks know them by. A team template's section
/// gets the role of the built-in name it matches, and none otherwise.
pub const SECTION_ROLES: &[(&str, SectionRole)] = &[
    ("Header", SectionRole::Header),
    ("Timeline (UTC)", SectionRole::Timeline),
    ("Detection", SectionRole::Detection),
    ("Impact", SectionRole::Impact),
    ("Root cause", SectionRole::RootCause),
    ("Repair", SectionRole::Repair),
    ("Detection gaps", SectionRole::DetectionGaps),
    ("Prevention", SectionRole::Prevention),
    ("What went well", SectionRole::WentWell),
    ("What was lucky", SectionRole::Lucky),
    ("Appendix: evidence links", SectionRole::Evidence),
];

/// The built-in Header field names and their roles, matched the same way as sections.
pub const FIELD_ROLES: &[(&str, FieldRole)] = &[
    ("Incident date", FieldRole::IncidentDate),
    ("Detection time (UTC)", FieldRole::Detection),
    ("Mitigation time (UTC)", FieldRole::Mitigation),
    ("Duration (user-impacting)", FieldRole::Duration),
    ("Affected environment", FieldRole::Environment),
    ("Detected by", FieldRole::DetectedBy),
    ("Severity", FieldRole::Severity),
    ("Deploy SHA at incident start", FieldRole::DeploySha),
    ("Rollback SHA (if rolled back)", FieldRole::RollbackSha),
];

impl Schema {
    /// The schema of the built-in template (`_docs/06_metrics/postmortem_<date>_<slug>.md`).
    pub fn builtin() -> Schema {
        Schema::from_template(BUILTIN_TEMPLATE).0
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
    // Most comparisons are a heading or field name against a template name it is not, and
    // normalizing both costs four allocations; names whose first letters differ cannot
    // match (both normalized names, and their stems, start with those letters lowercased).
    let first = |s: &str| s.trim_start().chars().next();
    if let (Some(a), Some(b)) = (first(template), first(written))
        && a.is_alphanumeric()
        && b.is_alphanumeric()
        && a.to_lowercase().next() != b.to_lowercase().next()
    {
        return false;
    }
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
    use proptest::prelude::*;

    proptest! {
        /// The first-letter shortcut never changes the answer.
        #[test]
        fn names_match_equals_the_full_comparison(t in "[ aAbB(İi̇é:#.)]{0,8}", w in "[ aAbB(İi̇é:#.)]{0,8}") {
            let (nt, nw) = (normalize_name(&t), normalize_name(&w));
            let full = nt == nw || strip_parenthetical(&nt) == strip_parenthetical(&nw);
            prop_assert_eq!(names_match(&t, &w), full);
        }
    }

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
