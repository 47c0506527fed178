//! Cross-field time checks on the Header: Mitigation after Detection, a Duration that covers
//! them, an Incident date that matches Detection, and nothing in the future.
//!
//! Only values that parse are compared; malformed ones are `field_values`' business, so a
//! bad value is never reported twice.

use crate::analysis::facts::Ctx;
use crate::analysis::schema::FieldRole;
use crate::analysis::values;
use crate::analysis::{Code, Diagnostic, Fix};
use chrono::{DateTime, TimeDelta, Utc};

const STAMP: &str = "%Y-%m-%dT%H:%M:%SZ";

/// `time-order`: Mitigation time earlier than Detection time.
pub fn time_order(ctx: &Ctx) -> Vec<Diagnostic> {
    let (Some(det), Some(mit), Some(field)) = (
        ctx.timestamp(FieldRole::Detection),
        ctx.timestamp(FieldRole::Mitigation),
        ctx.field(FieldRole::Mitigation),
    ) else {
        return Vec::new();
    };
    if mit >= det {
        return Vec::new();
    }
    // An incident that crosses midnight often keeps Detection's date on Mitigation by mistake.
    let next_day = mit + TimeDelta::days(1);
    let hint = if next_day >= det && mit.date_naive() == det.date_naive() {
        format!(
            "if it was mitigated after midnight, write `{}`",
            next_day.format(STAMP)
        )
    } else {
        "check the date and the hour of both times".to_string()
    };
    let msg = format!(
        "Mitigation time is {} before Detection time ({}): {hint}",
        span(det - mit),
        det.format(STAMP)
    );
    vec![Diagnostic::new(Code::TimeOrder, field.value.clone(), msg)]
}

/// `duration-mismatch`: a Duration shorter than the time from Detection to Mitigation, which
/// cannot be, since user impact begins at or before detection.
pub fn duration_mismatch(ctx: &Ctx) -> Vec<Diagnostic> {
    let (Some(det), Some(mit), Some(field)) = (
        ctx.timestamp(FieldRole::Detection),
        ctx.timestamp(FieldRole::Mitigation),
        ctx.field(FieldRole::Duration),
    ) else {
        return Vec::new();
    };
    let Some(duration) = values::parse_duration(ctx.slice(&field.value)) else {
        return Vec::new();
    };
    let Ok(least) = u64::try_from((mit - det).num_seconds()) else {
        return Vec::new(); // Mitigation before Detection: `time_order` reports it.
    };
    if duration >= least {
        return Vec::new();
    }
    let least = values::format_duration(least);
    let msg = format!(
        "Duration is shorter than the {least} from Detection to Mitigation: users were affected \
         at least that long, so write `{least}` or more (counting from when the impact began)"
    );
    let fix = Fix::Replace { text: least };
    vec![Diagnostic::new(Code::DurationMismatch, field.value.clone(), msg).with_fix(fix)]
}

/// `date-mismatch`: an Incident date after the Detection date, or more than a day before it.
pub fn date_mismatch(ctx: &Ctx) -> Vec<Diagnostic> {
    let (Some(incident), Some(det), Some(field)) = (
        ctx.date(FieldRole::IncidentDate),
        ctx.timestamp(FieldRole::Detection),
        ctx.field(FieldRole::IncidentDate),
    ) else {
        return Vec::new();
    };
    let detected = det.date_naive();
    let problem = if incident > detected {
        "is after the Detection date"
    } else if detected - incident > TimeDelta::days(1) {
        "is more than a day before the Detection date"
    } else {
        return Vec::new();
    };
    let msg = format!(
        "Incident date {problem} ({detected}): write the day the impact began, usually \
         `{detected}` (or the day before if it began before midnight UTC)"
    );
    vec![Diagnostic::new(
        Code::DateMismatch,
        field.value.clone(),
        msg,
    )]
}

/// `future-time`: an Incident date after today (UTC), or a Detection or Mitigation time
/// after now.
pub fn future_time(ctx: &Ctx) -> Vec<Diagnostic> {
    let now = ctx.env.now;
    let mut out = Vec::new();
    if let (Some(date), Some(field)) = (
        ctx.date(FieldRole::IncidentDate),
        ctx.field(FieldRole::IncidentDate),
    ) && date > now.date_naive()
    {
        let msg = format!(
            "Incident date is in the future (today is {} UTC): check the year, month and day",
            now.date_naive()
        );
        out.push(Diagnostic::new(Code::FutureTime, field.value.clone(), msg));
    }
    for (role, name) in [
        (FieldRole::Detection, "Detection time"),
        (FieldRole::Mitigation, "Mitigation time"),
    ] {
        if let (Some(at), Some(field)) = (ctx.timestamp(role), ctx.field(role))
            && at > now
        {
            out.push(Diagnostic::new(
                Code::FutureTime,
                field.value.clone(),
                future_message(name, at, now),
            ));
        }
    }
    out
}

fn future_message(name: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!(
        "{name} is {} in the future (now is {}): check the date, and that the time is in UTC",
        span(at - now),
        now.format(STAMP)
    )
}

/// A positive time span in words: `25 min`, `3 h 5 min`, `2 days`.
fn span(d: TimeDelta) -> String {
    let minutes = d.num_minutes();
    match (d.num_days(), minutes / 60, minutes % 60) {
        (days, _, _) if days >= 2 => format!("{days} days"),
        (_, 0, 0) => format!("{} s", d.num_seconds()),
        (_, 0, m) => format!("{m} min"),
        (_, h, 0) => format!("{h} h"),
        (_, h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{
        VALID, check_marked, check_marked_env, run, valid_with,
    };
    use crate::analysis::checks::header::field_values;

    const DET: &str = "| Detection time (UTC) | 2026-03-14T09:26:53Z |";
    const MIT: &str = "| Mitigation time (UTC) | 2026-03-14T10:03:23Z |";
    const DUR: &str = "| Duration (user-impacting) | 41:10 |";
    const DATE: &str = "| Incident date | 2026-03-14 |";

    /// `VALID` with several Header lines replaced.
    fn valid_with_all(edits: &[(&str, &str)]) -> String {
        edits.iter().fold(VALID.to_string(), |text, (from, to)| {
            assert!(text.contains(from), "{from:?} not in fixture");
            text.replacen(from, to, 1)
        })
    }

    #[test]
    fn valid_document_has_no_time_problems() {
        for check in [time_order, duration_mismatch, date_mismatch, future_time] {
            assert_eq!(run(check, VALID, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn a_midnight_crossing_incident_is_fine() {
        let text = valid_with_all(&[
            (DET, "| Detection time (UTC) | 2026-03-14T23:50:00Z |"),
            (MIT, "| Mitigation time (UTC) | 2026-03-15T00:20:00Z |"),
            (DUR, "| Duration (user-impacting) | 30:00 |"),
        ]);
        for check in [
            time_order,
            duration_mismatch,
            date_mismatch,
            future_time,
            field_values,
        ] {
            assert_eq!(run(check, &text, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn mitigation_before_detection_is_reported_on_mitigation() {
        let text = valid_with(MIT, "| Mitigation time (UTC) | «2026-03-14T09:00:00Z» |");
        let diags = check_marked(time_order, &text);
        assert_eq!(
            diags[0].message,
            "Mitigation time is 26 min before Detection time (2026-03-14T09:26:53Z): \
             if it was mitigated after midnight, write `2026-03-15T09:00:00Z`"
        );
        let text = valid_with(MIT, "| Mitigation time (UTC) | «2026-03-12T10:00:00Z» |");
        let diags = check_marked(time_order, &text);
        assert!(diags[0].message.contains("check the date and the hour"));
        // An unparsable Mitigation time is `field_values`' to report, not this check's.
        check_marked(
            time_order,
            &valid_with(MIT, "| Mitigation time (UTC) | 2026-03-14 09:00 |"),
        );
    }

    #[test]
    fn a_duration_shorter_than_detection_to_mitigation_says_the_minimum() {
        let text = valid_with(DUR, "| Duration (user-impacting) | «20:00» |");
        let diags = check_marked(duration_mismatch, &text);
        assert!(diags[0].message.contains("write `36:30` or more"));
        check_marked(
            duration_mismatch,
            &valid_with(DUR, "| Duration (user-impacting) | 36:30 |"),
        );
        check_marked(
            duration_mismatch,
            &valid_with(DUR, "| Duration (user-impacting) | 20 min |"),
        );
        // Reversed times: only `time_order` speaks.
        let reversed = valid_with(MIT, "| Mitigation time (UTC) | 2026-03-14T09:00:00Z |");
        check_marked(duration_mismatch, &reversed);
    }

    #[test]
    fn incident_date_must_be_detection_day_or_the_day_before() {
        let diags = check_marked(
            date_mismatch,
            &valid_with(DATE, "| Incident date | «2026-03-15» |"),
        );
        assert!(
            diags[0]
                .message
                .starts_with("Incident date is after the Detection date")
        );
        check_marked(
            date_mismatch,
            &valid_with(DATE, "| Incident date | 2026-03-13 |"),
        );
        let diags = check_marked(
            date_mismatch,
            &valid_with(DATE, "| Incident date | «2026-03-12» |"),
        );
        assert!(diags[0].message.contains("more than a day before"));
        check_marked(
            date_mismatch,
            &valid_with(DATE, "| Incident date | 2026-3-12 |"),
        );
    }

    #[test]
    fn future_dates_and_times_are_reported_on_each_value() {
        let text = valid_with_all(&[
            (DATE, "| Incident date | «2026-06-02» |"),
            (DET, "| Detection time (UTC) | «2026-06-01T12:30:00Z» |"),
            (MIT, "| Mitigation time (UTC) | «2026-06-01T13:05:00Z» |"),
        ]);
        let diags = check_marked(future_time, &text);
        assert!(
            diags[1]
                .message
                .starts_with("Detection time is 30 min in the future")
        );
        assert!(
            diags[2]
                .message
                .starts_with("Mitigation time is 1 h 5 min in the future")
        );
        // Today, and a time just before now, are not in the future.
        let text = valid_with_all(&[
            (DATE, "| Incident date | 2026-06-01 |"),
            (DET, "| Detection time (UTC) | 2026-06-01T11:59:59Z |"),
            (MIT, "| Mitigation time (UTC) | 2026-06-01T12:00:00Z |"),
        ]);
        check_marked(future_time, &text);
        let env = Env {
            now: values::parse_timestamp("2026-03-01T00:00:00Z").unwrap_or_default(),
            ..Env::fixed()
        };
        let diags = check_marked_env(
            future_time,
            &valid_with(DATE, "| Incident date | «2026-03-14» |")
                .replace("| 2026-03-14T", "| «2026-03-14T")
                .replace(":53Z |", ":53Z» |")
                .replace(":23Z |", ":23Z» |"),
            &env,
        );
        assert!(diags[0].message.contains("today is 2026-03-01"));
    }
}
