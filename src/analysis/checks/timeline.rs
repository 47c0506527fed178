//! Timeline checks: every line is a well-formed entry, entries run forward in time, and the
//! Detection and Mitigation minutes both appear.

use crate::analysis::facts::{Ctx, Entry, TimelineLine};
use crate::analysis::schema::{FieldRole, SectionRole};
use crate::analysis::values::parse_clock;
use crate::analysis::{Code, Diagnostic, Fix};
use chrono::Timelike;
use std::ops::Range;

/// A drop larger than this (in minutes) between two entries is read as the clock passing
/// midnight rather than as an entry out of order.
const ROLLOVER_MINUTES: u32 = 12 * 60;

/// `timeline-format`: each Timeline line that is not `HH:MM  (source: …) text`.
pub fn timeline_format(ctx: &Ctx) -> Vec<Diagnostic> {
    ctx.timeline
        .lines
        .iter()
        .filter_map(|line| match line {
            TimelineLine::Malformed { range, reason } => {
                let part = offending_part(ctx.slice(range), &ctx.schema.timeline_sources);
                let range = (range.start + part.start)..(range.start + part.end);
                Some(Diagnostic::new(
                    Code::TimelineFormat,
                    range,
                    format!("this Timeline line is not `HH:MM  (source: …) text`: {reason}"),
                ))
            }
            _ => None,
        })
        .collect()
}

/// The part of a malformed line (relative to its start) that breaks the entry format. It
/// follows the same steps as the reader in `facts`, so the range matches the reason given.
fn offending_part(line: &str, sources: &[String]) -> Range<usize> {
    let whole = 0..line.trim_end().len();
    // The first token: the time, or whatever stands where the time should be.
    let token_end = line
        .find(|c: char| c.is_whitespace() || c == '(')
        .unwrap_or(line.len());
    let token = if token_end == 0 {
        whole.clone()
    } else {
        0..token_end
    };
    if line.get(..5).and_then(parse_clock).is_none() {
        return token;
    }
    let after_time = &line[5..];
    let gap = after_time.len() - after_time.trim_start_matches([' ', '\t']).len();
    let rest_start = 5 + gap;
    let rest = &line[rest_start..];
    // The parenthetical after the time, up to its `)` or the end of the line.
    let paren_end = rest.find(')').map_or(whole.end, |i| rest_start + i + 1);
    let paren = rest_start..paren_end.max(rest_start);
    if gap == 0 && !rest.starts_with('(') {
        return token; // the time runs into other text, as in `09:061`
    }
    if gap == 0 || !rest.starts_with("(source:") {
        if rest.starts_with('(') {
            return paren;
        }
        let word = rest.find(char::is_whitespace).unwrap_or(rest.len());
        return if word == 0 {
            whole
        } else {
            rest_start..rest_start + word
        };
    }
    let Some(close) = rest.find(')') else {
        return paren;
    };
    let inner = &rest["(source:".len()..close];
    let source = inner.trim();
    let known = sources.iter().any(|s| {
        source
            .get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
            && !source[s.len()..].starts_with(char::is_alphanumeric)
    });
    if !known && !source.is_empty() {
        let start = rest_start + "(source:".len() + (inner.len() - inner.trim_start().len());
        return start..start + source.len();
    }
    // An empty source, no text after the `)`, or no space before the text: the
    // parenthetical is where the fix goes.
    paren
}

/// `timeline-order`: an entry earlier than the one before it. One drop of more than twelve
/// hours is the clock passing midnight; a second such drop is reported.
pub fn timeline_order(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut previous: Option<&Entry> = None;
    let mut crossed_midnight = false;
    for entry in entries(ctx) {
        if let Some(prev) = previous
            && entry.minutes < prev.minutes
        {
            let drop = prev.minutes - entry.minutes;
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
                        entry.time.clone(),
                        format!(
                            "{} is earlier than the entry before it ({}){why}: keep entries in the order they happened, or fix the time",
                            ctx.slice(&entry.time),
                            ctx.slice(&prev.time),
                        ),
                    )
                    .with_fix(Fix::SortTimeline),
                );
            }
        }
        previous = Some(entry);
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
            if entries(ctx).any(|e| e.minutes == minute) {
                return None;
            }
            Some(Diagnostic::new(
                Code::TimelineMissingEvent,
                section.name.clone(),
                format!(
                    "the Timeline has no entry at {clock}, the {event} time in the Header: add a line `{clock}  (source: …) what happened`"
                ),
            ))
        })
        .collect()
}

fn entries<'c>(ctx: &'c Ctx) -> impl Iterator<Item = &'c Entry> + 'c {
    ctx.timeline.lines.iter().filter_map(|l| match l {
        TimelineLine::Entry(e) => Some(e),
        _ => None,
    })
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
    fn order_ignores_malformed_and_placeholder_lines() {
        let text =
            timeline("10:00  (source: alert) a\n09:00 junk\nHH:MM  …\n10:05  (source: alert) b\n");
        check_marked(timeline_order, &text);
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
