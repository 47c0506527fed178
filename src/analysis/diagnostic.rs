//! The diagnostic type every check returns, with its stable codes and default severities.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Hint => "hint",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $sev:ident, $doc:literal;)*) => {
        /// Stable diagnostic codes. The string form is what users see and configure.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev),* }
            }

            /// One line that says when the code is reported (the README's rules table).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc),* }
            }

            pub fn from_name(s: &str) -> Option<Code> {
                match s { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    MissingSection = "missing-section", Error, "a template `##` section is absent";
    DuplicateSection = "duplicate-section", Warning, "a section appears more than once";
    SectionOrder = "section-order", Warning, "a section stands out of the template's order";
    EmptySection = "empty-section", Warning, "a section has no content at all";
    UnfilledSection = "unfilled-section", Warning, "a section still holds only the template's guidance text";
    MissingField = "missing-field", Error, "a required Header row is absent";
    EmptyField = "empty-field", Error, "a Header value is empty or still the template's placeholder";
    InvalidDate = "invalid-date", Error, "a date is not a real `YYYY-MM-DD` date";
    InvalidTimestamp = "invalid-timestamp", Error, "a time is not exactly `YYYY-MM-DDTHH:MM:SSZ`";
    InvalidDuration = "invalid-duration", Error, "Duration is not `mm:ss`";
    InvalidValue = "invalid-value", Error, "an enumerated field holds a value the template does not allow";
    InvalidSha = "invalid-sha", Error, "a SHA is not 7–40 hex digits";
    TimeOrder = "time-order", Error, "Mitigation time is before Detection time";
    DurationMismatch = "duration-mismatch", Warning, "Duration is shorter than Mitigation − Detection";
    DateMismatch = "date-mismatch", Warning, "Incident date is after the Detection date, or more than a day before it";
    FutureTime = "future-time", Warning, "a Header date or time lies in the future";
    FileName = "file-name", Warning, "the file is not named `postmortem_<Incident date>_<slug>.md`";
    TimelineFormat = "timeline-format", Warning, "a Timeline line is not `HH:MM  (source: …) text`";
    TimelineOrder = "timeline-order", Warning, "a Timeline entry is earlier than the one before it";
    TimelineMissingEvent = "timeline-missing-event", Hint, "no Timeline entry at the Detection or Mitigation minute";
    Placeholder = "placeholder", Error, "template placeholder text is left in the document";
    SmokeTestStep = "smoke-test-step", Warning, "a smoke-test detection names no step 1–6 of `scripts/smoke.sh`";
    HumanError = "human-error", Warning, "the Root cause or Repair blames a person instead of a system gap";
    MissingTicket = "missing-ticket", Error, "a Prevention row has no ticket key";
    InvalidOwner = "invalid-owner", Warning, "a Prevention owner is not an `@handle`";
    TargetDatePast = "target-date-past", Warning, "a Prevention target date is before the Incident date";
    MissingRollbackSha = "missing-rollback-sha", Warning, "Rollback SHA is empty although the document says a rollback happened";
    BrokenReference = "broken-reference", Warning, "a referenced repository path or `§N` section does not exist";
    UnknownCommit = "unknown-commit", Error, "a Deploy/Rollback SHA, or a backticked SHA in Root cause or Repair, names no commit in the repository";
    AmbiguousSha = "ambiguous-sha", Error, "a short SHA matches more than one object in the repository";
    RollbackNotAncestor = "rollback-not-ancestor", Warning, "the Rollback SHA is not an ancestor of the Deploy SHA";
    RollbackIsDeploy = "rollback-is-deploy", Warning, "the Rollback SHA and the Deploy SHA are the same commit";
    DeployAfterDetection = "deploy-after-detection", Warning, "the Deploy commit was committed after the Detection time";
    EvidenceTime = "evidence-time", Warning, "a rollback evidence file is named for another time than the rollback start in the Timeline";
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Byte range of the offending text.
    pub range: Range<usize>,
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// What a quick fix would do; travels with the diagnostic (as LSP `Diagnostic.data`) so
    /// a code action needs nothing else.
    pub fix: Option<Fix>,
}

/// A quick fix in data form. Edits are computed from it against the current text when the
/// user asks (see `fixes`). It travels through the client, which may send it back forged or
/// stale (after an edit or a template reload): it names template sections and fields rather
/// than indexing them, and `fixes::checked_actions` takes it only while the current analysis
/// still gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "fix", rename_all = "kebab-case")]
pub enum Fix {
    /// Replace the diagnostic's range with this text.
    Replace { text: String },
    /// Replace the diagnostic's range with one of these; the first is the best guess when
    /// `preferred` is set.
    Choose {
        values: Vec<String>,
        preferred: bool,
    },
    /// Insert one of these before the diagnostic's range (not preferred: the user picks).
    InsertBefore { values: Vec<String> },
    /// Write the current UTC time (or date) into the diagnostic's range or cell.
    Now,
    /// Insert the skeleton of the template section named `name` where the template puts it.
    InsertSection { name: String },
    /// Insert a Header row for the template field named `name` where the template puts it.
    InsertField { name: String },
    /// Put the sections into template order.
    ReorderSections,
    /// Insert a Timeline entry `HH:MM  (source: …) ` at `time`, among the entries in time
    /// order.
    InsertEntry { time: String },
    /// Sort the Timeline entries by time.
    SortTimeline,
    /// Rename the file (a file name, no folder).
    Rename { name: String },
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, range: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            range,
            code,
            severity: code.severity(),
            message: message.into(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(fix);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert_eq!(Code::from_name(c.as_str()), Some(c));
            assert!(seen.insert(c.as_str()));
        }
        assert_eq!(Code::ALL.len(), 34);
        assert_eq!(Code::TimelineMissingEvent.severity(), Severity::Hint);
    }
}
