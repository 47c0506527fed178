//! Example values for new Prevention rows, taken from the document rather than fixed: the
//! ticket key's prefix from the keys the post-mortem already names (its Prevention table
//! first), then from the tracker rules file, then the team's ticket pattern; the target date
//! two weeks after the incident.

use crate::analysis::facts::Ctx;
use crate::analysis::schema::{FieldRole, SectionRole};
use crate::analysis::skeleton::Examples;
use chrono::Days;

/// How long after the incident a new action's example target date falls.
const TARGET_DAYS: u64 = 14;

pub fn examples(ctx: &Ctx) -> Examples {
    let template = Examples::template(ctx.schema);
    let ticket = first_key(ctx)
        .and_then(|key| example_like(ctx, &key))
        .unwrap_or(template.ticket);
    let target = ctx
        .date(FieldRole::IncidentDate)
        .and_then(|d| d.checked_add_days(Days::new(TARGET_DAYS)))
        .map_or(template.target, |d| d.format("%Y-%m-%d").to_string());
    Examples { ticket, target }
}

/// The first ticket key in the Prevention section, else anywhere in the document, else in
/// the tracker rules file the template names.
fn first_key(ctx: &Ctx) -> Option<String> {
    let pattern = &ctx.schema.ticket;
    let first_in = |text: &str| pattern.find_iter(text).next().map(|r| text[r].to_string());
    let prevention = ctx
        .section(SectionRole::Prevention)
        .map(|s| ctx.slice(&s.range()));
    if let Some(key) = prevention.and_then(first_in).or_else(|| first_in(ctx.text)) {
        return Some(key);
    }
    let workspace = ctx.env.workspace?;
    ctx.schema
        .known_paths
        .iter()
        .filter(|p| p.to_lowercase().contains("tracker"))
        .filter_map(|p| workspace.read(p).ok())
        .find_map(|text| first_in(&text))
}

/// `key` with its trailing number turned to at least three zeros (`PAY-231` → `PAY-000`,
/// `INC-7` → `INC-000`), so the example reads as one; the key itself when no such example
/// fits the pattern.
fn example_like(ctx: &Ctx, key: &str) -> Option<String> {
    let digits = key.len() - key.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let prefix = &key[..key.len() - digits];
    let whole = |s: &str| ctx.schema.ticket.find_iter(s).next() == Some(0..s.len());
    let zeros = [digits.max(3), digits];
    let example = zeros
        .iter()
        .filter(|&&n| digits > 0 && n > 0)
        .map(|&n| format!("{prefix}{}", "0".repeat(n)))
        .find(|e| whole(e));
    example.or_else(|| whole(key).then(|| key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::{Env, PathKind, Unread, Workspace, parse};
    use std::sync::Arc;

    /// A workspace holding only the tracker rules.
    struct Rules(&'static str);

    impl Workspace for Rules {
        fn kind(&self, rel: &str) -> PathKind {
            if rel == ".cursor/rules/tracker.mdc" {
                PathKind::File
            } else {
                PathKind::Missing
            }
        }
        fn read(&self, rel: &str) -> Result<Arc<str>, Unread> {
            (rel == ".cursor/rules/tracker.mdc")
                .then(|| Arc::from(self.0))
                .ok_or(Unread::Unreadable)
        }
    }

    fn of(text: &str, workspace: Option<&dyn Workspace>) -> Examples {
        let doc = parse(text);
        let env = Env {
            workspace,
            ..Env::fixed()
        };
        examples(&Ctx::new(text, &doc, &env))
    }

    /// `VALID` with no ticket key anywhere.
    fn keyless() -> String {
        VALID
            .replace("PAY-412", "a ticket")
            .replace("(OPS-88)", "")
            .replace("OPS-91", "a ticket")
            .replace("browse/OPS-85", "browse")
    }

    #[test]
    fn the_prevention_tables_own_key_gives_the_prefix_and_the_incident_the_date() {
        let ex = of(VALID, None);
        assert_eq!(
            (ex.ticket.as_str(), ex.target.as_str()),
            ("PAY-000", "2026-03-28")
        );
        let ops_first = VALID.replacen("PAY-412", "OPS-7", 1);
        assert_eq!(of(&ops_first, None).ticket, "OPS-000");
    }

    #[test]
    fn without_keys_in_the_document_the_tracker_rules_then_the_pattern_decide() {
        let text = keyless();
        let rules = Rules("Every action is a ticket such as PAY-231 in the PAY project.");
        assert_eq!(of(&text, Some(&rules)).ticket, "PAY-000");
        assert_eq!(
            of(&text, Some(&Rules("Tickets in Jira."))).ticket,
            "OPS-000"
        );
        assert_eq!(of(&text, None).ticket, "OPS-000");
    }

    #[test]
    fn without_an_incident_date_the_target_stays_a_placeholder() {
        let text = VALID.replacen("| Incident date | 2026-03-14 |", "| Incident date | |", 1);
        assert_eq!(of(&text, None).target, "YYYY-MM-DD");
    }
}
