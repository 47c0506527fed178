//! Timeline checks: every line is a well-formed entry, entries run forward in time, and the
//! Detection and Mitigation minutes both appear.

use crate::analysis::facts::{Ctx, TimelineLine};
use crate::analysis::schema::{FieldRole, SectionRole};
use crate::analysis::{Code, Diagnostic, Fix};
use chrono::Timelike;
use std::ops::Range;

/// A drop larger than this (in minutes) between two entries is read as the clock passing
/// midnight rather than as an entry out of order.
const ROLLOVER_MINUTES: u32 = 12 * 60;

/// `timeline-format`: each Timeline line that is not `HH:MM  (source: …) text`, on the
/// part that breaks the format, naming that first problem (see `facts` for the order).
pub fn timeline_format(ctx: &Ctx) -> Vec<Diagnostic> {
    ctx.timeline
        .lines
        .iter()
        .filter_map(|line| match line {
            TimelineLine::Malformed {
                part, reason, fix, ..
            } => {
                let d = Diagnostic::new(
                    Code::TimelineFormat,
                    part.clone(),
                    format!("this Timeline line is not `HH:MM  (source: …) text`: {reason}"),
                );
                Some(match fix {
                    Some(fix) => d.with_fix(fix.clone()),
                    None => d,
                })
            }
            _ => None,
        })
        .collect()
}

/// `timeline-order`: an entry earlier than the one before it. One drop of more than twelve
/// hours is the clock passing midnight; a second such drop is reported.
pub fn timeline_order(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut previous: Option<(&Range<usize>, u32)> = None;
    let mut crossed_midnight = false;
    for (time, minutes) in clocks(ctx) {
        if let Some((prev_time, prev_minutes)) = previous
            && minutes < prev_minutes
        {
            let drop = prev_minutes - minutes;
            if drop > ROLLOVER_MINUTES && !crossed_midnight {
                crossed_midnight = true;
            } else {
                let why = if drop > ROLLOVER_MINUTES {
                    " (the timeline already passed midnight once above)"
                } else {
                    ""
                };
                out.push(
                    Diagnostic::new(
                        Code::TimelineOrder,
                        time.clone(),
                        format!(
                            "{} is earlier than the entry before it ({}){why}: keep entries in the order they happened, or fix the time",
                            ctx.slice(time),
                            ctx.slice(prev_time),
                        ),
                    )
                    .with_fix(Fix::SortTimeline),
                );
            }
        }
        previous = Some((time, minutes));
    }
    out
}

/// `timeline-missing-event`: the Timeline has no entry at the Detection or the Mitigation
/// minute taken from the Header.
pub fn timeline_missing_event(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(section) = ctx
        .section(SectionRole::Timeline)
        .filter(|s| ctx.in_scope(s))
    else {
        return Vec::new();
    };
    let (Some(detection), Some(mitigation)) = (
        ctx.timestamp(FieldRole::Detection),
        ctx.timestamp(FieldRole::Mitigation),
    ) else {
        return Vec::new();
    };
    let events = [("detection", detection), ("mitigation", mitigation)];
    events
        .iter()
        .filter_map(|(event, at)| {
            let minute = at.hour() * 60 + at.minute();
            let clock = format!("{:02}:{:02}", at.hour(), at.minute());
            if clocks(ctx).any(|(_, m)| m == minute) {
                return None;
            }
            let d = Diagnostic::new(
                Code::TimelineMissingEvent,
                section.name.clone(),
                format!(
                    "the Timeline has no entry at {clock}, the {event} time in the Header: add a line `{clock}  (source: …) what happened`"
                ),
            );
            // The entry goes into a ``` block; without one there is nowhere certain to put it.
            let fenced = section.body.code_blocks.iter().any(|c| c.fenced);
            Some(match fenced {
                true => d.with_fix(Fix::InsertEntry { time: clock }),
                false => d,
            })
        })
        .collect()
}

/// The time of every line whose time can be read, well-formed or not: a line with a bad
/// source still says when something happened.
fn clocks<'c>(ctx: &'c Ctx) -> impl Iterator<Item = (&'c Range<usize>, u32)> + 'c {
    ctx.timeline.lines.iter().filter_map(TimelineLine::clock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};

    const TEMPLATE: &str = include_str!("testdata/template_unfilled.md");

    fn timeline(lines: &str) -> String {
        format!("# Post-mortem\n\n## Timeline (UTC)\n\n```\n{lines}```\n")
    }

    #[test]
    fn valid_document_and_template_have_no_timeline_problems() {
        for check in [timeline_format, timeline_order, timeline_missing_event] {
            assert_eq!(run(check, VALID, &Env::fixed()), vec![]);
            assert_eq!(run(check, TEMPLATE, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn format_points_at_the_broken_part() {
        let text = timeline(concat!(
            "«9:05» (source: alert) fired\n",
            "«09:061» (source: alert) fired\n",
            "09:07 «x» and more\n",
            "09:08 «(src: alert)» y\n",
            "09:09 (source: «pager duty») y\n",
            "09:10 «(source: alert y»\n",
            "09:11 «(source: alert)»\n",
            "09:12 «(source: alert)»y\n",
            "09:13 «(source: )» y\n",
            "09:14  (source: Slack #ops) fine\n",
            "   indented continuation is fine\n",
        ));
        let diags = check_marked(timeline_format, &text);
        assert!(diags[0].message.contains("start the line with the time"));
        assert!(diags[4].message.contains("alert, Slack, log file"));
    }

    /// The message of the one `timeline-format` diagnostic on `line`, at the marked range,
    /// and the fix it carries.
    fn one_problem(line: &str) -> (String, Option<Fix>) {
        let diags = check_marked(timeline_format, &timeline(&format!("{line}\n")));
        assert_eq!(diags.len(), 1, "{line}");
        (diags[0].message.clone(), diags[0].fix.clone())
    }

    fn choose(values: &[&str]) -> Option<Fix> {
        Some(Fix::Choose {
            values: values.iter().map(|v| v.to_string()).collect(),
            preferred: false,
        })
    }

    fn sources() -> Vec<String> {
        Env::fixed().schema.timeline_sources.clone()
    }

    #[test]
    fn format_names_the_first_real_problem_of_each_kind() {
        let replace = |t: &str| {
            Some(Fix::Replace {
                text: t.to_string(),
            })
        };
        let (m, fix) = one_problem("«09:12:30»  (source: alert) seconds");
        assert!(m.ends_with("drop the seconds: Timeline times are HH:MM, so write `09:12`"));
        assert_eq!(fix, replace("09:12"));
        let (m, fix) = one_problem("«9:05»  (source: alert) no zero");
        assert!(m.ends_with("start the line with the time as HH:MM (24-hour, UTC)"));
        assert_eq!(fix, replace("09:05"));
        let (m, fix) = one_problem("«09:061»  (source: alert) glued");
        assert!(m.contains("the time runs into the text"), "{m}");
        assert_eq!(fix, None);
        let (m, fix) = one_problem("«09:14 »(source: alert) one space");
        assert!(m.ends_with("put two spaces between the time and `(source: …)`, not one space"));
        assert_eq!(fix, replace("09:14  "));
        let (m, fix) = one_problem("09:28 «restarted…» the pods");
        assert!(
            m.contains("the source is missing: follow the time with `(source: …)`"),
            "{m}"
        );
        let inserted: Vec<String> = sources()
            .iter()
            .map(|s| format!(" (source: {s}) "))
            .collect();
        assert_eq!(fix, Some(Fix::InsertBefore { values: inserted }));
        let (m, fix) = one_problem("09:15  (source: «pager duty») unknown");
        assert!(m.contains("`pager duty` is not a known source: the source must be one of: alert, Slack, log file"), "{m}");
        let names = sources();
        assert_eq!(
            fix,
            choose(&names.iter().map(String::as_str).collect::<Vec<_>>())
        );
        let (m, _) = one_problem("09:16  «(source: alert)»");
        assert!(m.ends_with("the text is missing: say what happened after the `(source: …)`"));
        let (m, fix) = one_problem("09:17  «(source: )» empty");
        assert!(m.contains("the source is empty: name one of: alert"), "{m}");
        let wrapped: Vec<String> = sources().iter().map(|s| format!("(source: {s})")).collect();
        let wrapped: Vec<&str> = wrapped.iter().map(String::as_str).collect();
        assert_eq!(fix, choose(&wrapped));
        let (m, fix) = one_problem("09:18  «(source: alert)»glued");
        assert!(m.ends_with("put a space between `(source: …)` and the text"));
        assert_eq!(fix, replace("(source: alert) "));
        let (m, _) = one_problem("09:19  «(source: alert no close»");
        assert!(m.ends_with("close the `(source: …)` with `)`"));
        let (m, _) = one_problem("09:20  «(src: alert)» word");
        assert!(m.ends_with("write the source as `(source: …)`, with the word `source:`"));
    }

    #[test]
    fn format_ranges_stay_exact_after_emoji_and_cjk() {
        let text = timeline("09:00  (source: Slack) 🚒 火事です\n«９:01» (source: alert) 🚒\n");
        check_marked(timeline_format, &text);
        let text = timeline("09:00  (source: «日本») 🚒\n");
        check_marked(timeline_format, &text);
        // Without a code block, only lines that start with a time are entries.
        let list = "## Timeline (UTC)\n\n- 火事です 🚒\n- 09:00 «(source alert)» x\n";
        check_marked(timeline_format, list);
    }

    #[test]
    fn order_reports_the_later_entry_that_goes_back() {
        let text = timeline(concat!(
            "09:00  (source: alert) a\n",
            "09:30  (source: alert) b\n",
            "«09:10»  (source: alert) c\n",
            "09:20  (source: alert) d\n",
        ));
        let diags = check_marked(timeline_order, &text);
        assert!(
            diags[0]
                .message
                .starts_with("09:10 is earlier than the entry before it (09:30)")
        );
    }

    #[test]
    fn one_midnight_rollover_is_allowed_but_not_a_second() {
        let once = timeline(
            "23:50  (source: alert) a\n00:05  (source: alert) b\n00:10  (source: alert) c\n",
        );
        check_marked(timeline_order, &once);
        let twice = timeline(concat!(
            "22:00  (source: alert) a\n",
            "01:00  (source: alert) b\n",
            "23:00  (source: alert) c\n",
            "«00:30»  (source: alert) d\n",
        ));
        let diags = check_marked(timeline_order, &twice);
        assert!(diags[0].message.contains("already passed midnight"));
        // A drop of exactly twelve hours is not a rollover.
        let noon = timeline("12:00  (source: alert) a\n«00:00»  (source: alert) b\n");
        check_marked(timeline_order, &noon);
    }

    #[test]
    fn order_ignores_placeholder_lines_and_unreadable_times() {
        let text = timeline(
            "10:00  (source: alert) a\nHH:MM  …\n9:30 x\n09:061 y\n10:05  (source: alert) b\n",
        );
        check_marked(timeline_order, &text);
    }

    #[test]
    fn a_malformed_line_whose_time_reads_still_takes_part_in_the_order() {
        // The line without a source is out of order itself, and the entry after it is
        // compared with it.
        let text = timeline(concat!(
            "09:30  (source: alert) a\n",
            "«09:28» restarted the pods\n",
            "09:40 (source: Slack) one space\n",
            "«09:35»  (source: alert) b\n",
            "«09:12»:30  (source: alert) seconds\n",
        ));
        let diags = check_marked(timeline_order, &text);
        assert!(diags[1].message.contains("(09:40)"), "{}", diags[1].message);
    }

    #[test]
    fn missing_detection_and_mitigation_minutes_are_hints_on_the_heading() {
        let text = valid_with("09:26  (source: alert)", "09:27  (source: alert)");
        let text = text.replacen("10:03  (source: alert)", "10:04  (source: alert)", 1);
        let text = text.replacen("## Timeline (UTC)", "## ««Timeline (UTC)»»", 1);
        let diags = check_marked(timeline_missing_event, &text);
        assert!(
            diags[0]
                .message
                .contains("no entry at 09:26, the detection time")
        );
        assert!(
            diags[1]
                .message
                .contains("no entry at 10:03, the mitigation time")
        );
        assert_eq!(diags[0].severity, crate::analysis::Severity::Hint);
    }

    #[test]
    fn missing_event_needs_parsed_times_and_a_timeline() {
        let bad_time = valid_with("09:26  (source: alert)", "09:27  (source: alert)").replacen(
            "2026-03-14T09:26:53Z",
            "2026-03-14 09:26:53Z",
            1,
        );
        check_marked(timeline_missing_event, &bad_time);
        let no_section = "| Detection time (UTC) | 2026-03-14T09:26:53Z |\n|-|-|\n| Mitigation time (UTC) | 2026-03-14T10:03:23Z |\n";
        check_marked(timeline_missing_event, no_section);
    }
}
