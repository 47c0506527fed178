//! The moments the Timeline already names, as values for the Detection and Mitigation
//! cells: a post-mortem is usually written the day after, when "now" is the wrong answer.
//!
//! Detection: the first entry whose source is an alert (or that mentions one). Mitigation:
//! each entry that mentions a rollback, a revert, a mitigation or a recovery, in order.
//! Each becomes `YYYY-MM-DDTHH:MM:00Z` on the Incident date (else the Detection date).

use crate::analysis::facts::Ctx;
use crate::analysis::facts::{Entry, TimelineLine};
use crate::analysis::schema::FieldRole;

/// Words that mark an entry as the mitigation (lowercase; matched inside words, so
/// "mitigat" covers "mitigated" and "mitigation").
const MITIGATION_WORDS: &[&str] = &[
    "rollback",
    "rolled back",
    "roll back",
    "rolling back",
    "revert",
    "mitigat",
    "resolve",
    "recover",
];

/// `(value, detail)` pairs for the Header cell of `role`, in timeline order; empty for
/// other fields, or when no date is known to put the times on.
pub fn timeline_times(ctx: &Ctx, role: FieldRole) -> Vec<(String, String)> {
    let day = ctx.date(FieldRole::IncidentDate).or_else(|| match role {
        FieldRole::Mitigation => ctx.timestamp(FieldRole::Detection).map(|d| d.date_naive()),
        _ => None,
    });
    let Some(day) = day else {
        return Vec::new();
    };
    let entries = ctx.timeline.lines.iter().filter_map(|l| match l {
        TimelineLine::Entry(e) => Some(e),
        _ => None,
    });
    let lower = |r: &std::ops::Range<usize>| ctx.slice(r).to_lowercase();
    let picked: Vec<&Entry> = match role {
        FieldRole::Detection => entries
            .filter(|e| lower(&e.source).starts_with("alert") || lower(&e.text).contains("alert"))
            .take(1)
            .collect(),
        FieldRole::Mitigation => entries
            .filter(|e| {
                let text = lower(&e.text);
                MITIGATION_WORDS.iter().any(|w| text.contains(w))
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for e in picked {
        let value = format!(
            "{}T{:02}:{:02}:00Z",
            day.format("%Y-%m-%d"),
            e.minutes / 60,
            e.minutes % 60
        );
        if out.iter().any(|(v, _)| *v == value) {
            continue;
        }
        let detail = format!(
            "Timeline {}: {}",
            ctx.slice(&e.time),
            short(ctx.slice(&e.text))
        );
        out.push((value, detail));
    }
    out
}

/// The start of an entry's text, cut at a word boundary.
fn short(text: &str) -> String {
    const MAX: usize = 48;
    let text = text.trim();
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::{VALID, valid_with};
    use crate::analysis::{Env, parse};

    fn times(text: &str, role: FieldRole) -> Vec<(String, String)> {
        let doc = parse(text);
        let env = Env::fixed();
        timeline_times(&Ctx::new(text, &doc, &env), role)
    }

    #[test]
    fn detection_is_the_first_alert_line_on_the_incident_date() {
        assert_eq!(
            times(VALID, FieldRole::Detection),
            [(
                "2026-03-14T09:26:00Z".to_string(),
                "Timeline 09:26: CheckoutLatencyP99 fires, pages the on-call…".to_string()
            )]
        );
    }

    #[test]
    fn mitigation_is_each_rollback_or_recovery_line() {
        let values: Vec<String> = times(VALID, FieldRole::Mitigation)
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        assert_eq!(values, ["2026-03-14T09:52:00Z", "2026-03-14T10:03:00Z"]);
    }

    #[test]
    fn without_a_date_nothing_is_offered() {
        let text = valid_with("| Incident date | 2026-03-14 |", "| Incident date | |");
        assert!(times(&text, FieldRole::Detection).is_empty());
        // Mitigation falls back to the Detection date.
        assert_eq!(times(&text, FieldRole::Mitigation).len(), 2);
        assert!(times(VALID, FieldRole::DeploySha).is_empty());
    }
}
