//! Prevention table checks: every row tracked by a ticket, owned by an `@handle`, and due
//! on a real date after the incident.

use crate::analysis::facts::{Ctx, PreventionRow, strip_backticks};
use crate::analysis::schema::{DEFAULT_TICKET_PATTERN, FieldRole, SectionRole, TicketPattern};
use crate::analysis::values::{is_placeholder_text, parse_date};
use crate::analysis::{Code, Diagnostic, Fix};

/// `missing-ticket`: a row with no ticket key such as `OPS-123` anywhere in it.
pub fn missing_ticket(ctx: &Ctx) -> Vec<Diagnostic> {
    let example = ticket_example(ctx);
    filled_rows(ctx)
        .filter(|row| !has_ticket_key(ctx.slice(&row.range), &ctx.schema.ticket))
        .map(|row| {
            let range = row.action.clone().filter(|a| !a.is_empty()).unwrap_or(row.range.clone());
            Diagnostic::new(
                Code::MissingTicket,
                range,
                format!("this Prevention action has no ticket key: file a ticket and put its key ({example}) in the row so the work is tracked"),
            )
        })
        .collect()
}

/// How `missing-ticket` shows a key: one the Prevention table already names (`PAY-231`),
/// else the team's pattern, else the built-in example. Only the Prevention section is read,
/// so the message changes with that section alone.
fn ticket_example(ctx: &Ctx) -> String {
    let pattern = &ctx.schema.ticket;
    let table = ctx
        .section(SectionRole::Prevention)
        .map_or("", |s| ctx.slice(&s.range()));
    let own = pattern.find_iter(table).next().map(|key| &table[key]);
    match (own, pattern.source == DEFAULT_TICKET_PATTERN) {
        (Some(key), true) => format!("such as `{key}`, as in another row"),
        (Some(key), false) => format!(
            "matching `{}`, such as `{key}` in another row",
            pattern.source
        ),
        (None, true) => "such as OPS-123".to_string(),
        (None, false) => format!(
            "matching `{}`, such as `{}`",
            pattern.source,
            pattern.example()
        ),
    }
}

/// `invalid-owner`: an owner that is not `@` followed by letters, digits, `.`, `_` or `-`.
pub fn invalid_owner(ctx: &Ctx) -> Vec<Diagnostic> {
    filled_rows(ctx)
        .filter_map(|row| {
            let Some(cell) = row.owner.clone().filter(|c| !c.is_empty()) else {
                return Some(Diagnostic::new(
                    Code::InvalidOwner,
                    row.range.clone(),
                    "this Prevention row has no owner: name the person responsible as an @handle",
                ));
            };
            let range = strip_backticks(ctx.text, &cell);
            let owner = ctx.slice(&range);
            if is_placeholder(owner) || is_handle(owner) {
                return None;
            }
            let bare = owner.trim_start_matches('@');
            let handle = format!("@{bare}");
            let (advice, fix) = if is_handle(&handle) {
                (
                    format!("write it as `{handle}`"),
                    Some(Fix::Replace { text: handle }),
                )
            } else {
                (
                    "write the owner's handle, such as `@maria`".to_string(),
                    None,
                )
            };
            let d = Diagnostic::new(
                Code::InvalidOwner,
                range,
                format!("`{owner}` is not an @handle: {advice}"),
            );
            Some(match fix {
                Some(fix) => d.with_fix(fix),
                None => d,
            })
        })
        .collect()
}

/// `invalid-date` for a target date that is not a real `YYYY-MM-DD`, and `target-date-past`
/// for one before the Incident date.
pub fn target_date(ctx: &Ctx) -> Vec<Diagnostic> {
    let incident = ctx.date(FieldRole::IncidentDate);
    filled_rows(ctx)
        .filter_map(|row| {
            let Some(cell) = row.target.clone().filter(|c| !c.is_empty()) else {
                return Some(Diagnostic::new(
                    Code::InvalidDate,
                    row.range.clone(),
                    "this Prevention row has no target date: add one as YYYY-MM-DD",
                ));
            };
            let range = strip_backticks(ctx.text, &cell);
            let written = ctx.slice(&range);
            if is_placeholder(written) {
                return None;
            }
            let Some(date) = parse_date(written) else {
                return Some(Diagnostic::new(
                    Code::InvalidDate,
                    range,
                    format!("`{written}` is not a real date: write the target date as YYYY-MM-DD, such as 2026-04-01"),
                ));
            };
            let incident = incident.filter(|i| date < *i)?;
            Some(Diagnostic::new(
                Code::TargetDatePast,
                range,
                format!("the target date {written} is before the incident ({incident}): pick a date still ahead of the incident"),
            ))
        })
        .collect()
}

/// Rows with something written in them. Rows holding only template filler are left to the
/// placeholder check, so one unfilled row does not raise four diagnostics.
fn filled_rows<'c>(ctx: &'c Ctx) -> impl Iterator<Item = &'c PreventionRow> + 'c {
    ctx.prevention.iter().filter(|row| {
        row.cells
            .iter()
            .any(|c| !is_placeholder(ctx.slice(&strip_backticks(ctx.text, c))))
    })
}

fn is_placeholder(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || is_placeholder_text(t) || t == "YYYY-MM-DD"
}

fn is_handle(s: &str) -> bool {
    s.strip_prefix('@').is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
    })
}

/// Whether `s` holds a ticket key of the schema's pattern (by default
/// `[A-Z][A-Z0-9]+-[0-9]+`), not glued to a word before it.
fn has_ticket_key(s: &str, pattern: &TicketPattern) -> bool {
    pattern.find_iter(s).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};

    const TEMPLATE: &str = include_str!("testdata/template_unfilled.md");
    const ROW: &str = "| @sam | Load test at production traffic, tracked in OPS-91 | 2026-04-13 |";

    #[test]
    fn valid_document_and_template_have_no_prevention_problems() {
        for check in [missing_ticket, invalid_owner, target_date] {
            assert_eq!(run(check, VALID, &Env::fixed()), vec![]);
            assert_eq!(run(check, TEMPLATE, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn ticket_keys() {
        assert!(has_ticket_key("see OPS-91", &TicketPattern::default()));
        assert!(has_ticket_key("(A1-2)", &TicketPattern::default()));
        assert!(has_ticket_key("browse/PAY-412.", &TicketPattern::default()));
        assert!(!has_ticket_key(
            "ops-91 A-1 OPS- OPS-x 2026-04-13",
            &TicketPattern::default()
        ));
        assert!(!has_ticket_key("iOS-17 éAB-1", &TicketPattern::default()));
        assert!(has_ticket_key("🚒OPS-1", &TicketPattern::default()));
    }

    #[test]
    fn row_without_ticket_is_reported_on_its_action() {
        let text = valid_with(
            ROW,
            "| @sam | «Load test 🚒 at production traffic» | 2026-04-13 |\n| @sam | | 2026-04-13 |\n| @… | … | YYYY-MM-DD |",
        );
        let diags = check_marked(
            missing_ticket,
            &text.replacen("| @sam | | 2026-04-13 |", "«| @sam | | 2026-04-13 |»", 1),
        );
        assert!(diags[0].message.contains("ticket key"));
    }

    #[test]
    fn the_example_key_is_one_the_table_already_names() {
        // VALID's Prevention table names PAY-412 first.
        let text = valid_with(
            ROW,
            "| @sam | Load test at production traffic | 2026-04-13 |",
        );
        let diags = run(missing_ticket, &text, &Env::fixed());
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0]
                .message
                .contains("(such as `PAY-412`, as in another row)"),
            "{}",
            diags[0].message
        );
        // No key anywhere in the table: the built-in example.
        let bare = "# Post-mortem: x\n\n## Prevention\n\n| Owner | Action | Target date |\n|---|---|---|\n| @sam | Load test | 2026-04-13 |\n";
        let diags = run(missing_ticket, bare, &Env::fixed());
        assert!(
            diags[0].message.contains("(such as OPS-123)"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn owners_must_be_handles() {
        let text = valid_with(
            ROW,
            "| «sam» | OPS-1 | 2026-04-13 |\n| «Sam Lee» | OPS-2 | 2026-04-13 |\n| «@» | OPS-3 | 2026-04-13 |\n| `@sam` | OPS-4 | 2026-04-13 |\n| @… | OPS-5 | 2026-04-13 |\n| @日本_x | OPS-6 | 2026-04-13 |\n«|  | OPS-7 | 2026-04-13 |»",
        );
        let diags = check_marked(invalid_owner, &text);
        assert_eq!(
            diags[0].message,
            "`sam` is not an @handle: write it as `@sam`"
        );
        assert!(diags[1].message.ends_with("such as `@maria`"));
    }

    #[test]
    fn target_dates_must_be_real_and_not_before_the_incident() {
        let text = valid_with(
            ROW,
            "| @a | OPS-1 | «2026-02-30» |\n| @a | OPS-2 | «2026-4-1» |\n| @a | OPS-3 | `«2026-03-13»` |\n| @a | OPS-4 | 2026-03-14 |\n| @a | OPS-5 | YYYY-MM-DD |\n«| @a | OPS-6 |»",
        );
        let diags = check_marked(target_date, &text);
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::InvalidDate,
                Code::InvalidDate,
                Code::TargetDatePast,
                Code::InvalidDate
            ]
        );
        assert!(
            diags[2]
                .message
                .contains("before the incident (2026-03-14)")
        );
    }

    #[test]
    fn no_incident_date_means_no_past_check() {
        let text = valid_with("| Incident date | 2026-03-14 |", "| Incident date | soon |")
            .replacen(ROW, "| @a | OPS-1 | 2020-01-01 |", 1);
        assert_eq!(run(target_date, &text, &Env::fixed()), vec![]);
    }
}
