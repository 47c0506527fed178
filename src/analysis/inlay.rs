//! Inlay hints: each timeline entry's offset from detection, and each Prevention target
//! date's days left or overdue. A hint on a table row sits after the row's last `|`, so it
//! never widens a cell and undoes the alignment formatting made.

use super::facts::{Ctx, TimelineLine};
use super::schema::FieldRole;
use super::values::parse_date;
use chrono::Timelike;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    /// Byte offset the hint is shown at (just after the text it describes).
    pub offset: usize,
    pub label: String,
}

/// Hints for the whole document.
pub fn inlay_hints(ctx: &Ctx) -> Vec<InlayHint> {
    let mut out = timeline_offsets(ctx);
    out.extend(target_dates(ctx));
    for hint in &mut out {
        hint.offset = after_row(ctx.text, hint.offset);
    }
    out
}

/// `offset` itself, or the end of its line when that line is a table row (a `|` begins it
/// and another ends it): the hint then follows the row instead of sitting in a cell.
fn after_row(text: &str, offset: usize) -> usize {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[start..end].trim_end();
    if line.trim_start().starts_with('|') && line.len() > 1 && line.ends_with('|') {
        start + line.len()
    } else {
        offset
    }
}

/// `T−05m`, `T+36m`, `T+1h05m` after each entry's time, relative to the Detection minute.
/// Entries more than 12 hours away wrap around midnight.
fn timeline_offsets(ctx: &Ctx) -> Vec<InlayHint> {
    let Some(detection) = ctx.timestamp(FieldRole::Detection) else {
        return Vec::new();
    };
    let detected = (detection.hour() * 60 + detection.minute()) as i64;
    ctx.timeline
        .lines
        .iter()
        .filter_map(|line| match line {
            TimelineLine::Entry(e) => {
                let mut delta = e.minutes as i64 - detected;
                if delta > 720 {
                    delta -= 1440;
                } else if delta < -720 {
                    delta += 1440;
                }
                Some(InlayHint {
                    offset: e.time.end,
                    label: relative(delta),
                })
            }
            _ => None,
        })
        .collect()
}

fn relative(minutes: i64) -> String {
    let sign = if minutes < 0 { '−' } else { '+' };
    let m = minutes.unsigned_abs();
    if m >= 60 {
        format!("T{sign}{}h{:02}m", m / 60, m % 60)
    } else {
        format!("T{sign}{m:02}m")
    }
}

/// `in 5 days`, `due today`, `3 days overdue` after each valid Prevention target date.
fn target_dates(ctx: &Ctx) -> Vec<InlayHint> {
    let today = ctx.env.now.date_naive();
    ctx.prevention
        .iter()
        .filter_map(|row| {
            let target = row.target.as_ref()?;
            let date = parse_date(ctx.slice(target))?;
            let days = (date - today).num_days();
            let label = match days {
                0 => "due today".to_string(),
                1 => "in 1 day".to_string(),
                -1 => "1 day overdue".to_string(),
                d if d > 0 => format!("in {d} days"),
                d => format!("{} days overdue", -d),
            };
            Some(InlayHint {
                offset: target.end,
                label,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::{Env, parse};

    fn hints(text: &str) -> Vec<(String, String)> {
        let doc = parse(text);
        let env = Env::fixed();
        inlay_hints(&Ctx::new(text, &doc, &env))
            .into_iter()
            .map(|h| {
                (
                    text[..h.offset]
                        .chars()
                        .rev()
                        .take(5)
                        .collect::<String>()
                        .chars()
                        .rev()
                        .collect(),
                    h.label,
                )
            })
            .collect()
    }

    #[test]
    fn timeline_offsets_from_detection() {
        let got = hints(VALID);
        let labels: Vec<&str> = got.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels[..7],
            [
                "T−04m", "T+00m", "T+05m", "T+18m", "T+26m", "T+37m", "T+54m"
            ]
        );
        assert_eq!(got[0].0, "09:22");
    }

    #[test]
    fn target_dates_count_from_today() {
        // Env::fixed() is 2026-06-01.
        let text =
            VALID
                .replacen("2026-04-13", "2026-06-01", 1)
                .replacen("2026-03-28", "2026-06-11", 1);
        let labels: Vec<String> = hints(&text).into_iter().map(|(_, l)| l).skip(7).collect();
        assert_eq!(labels, ["72 days overdue", "in 10 days", "due today"]);
    }

    #[test]
    fn midnight_and_hours() {
        let text = VALID
            .replacen("2026-03-14T09:26:53Z", "2026-03-14T23:50:00Z", 1)
            .replacen("09:22  (source", "00:20  (source", 1)
            .replacen("09:26  (source", "01:55  (source", 1);
        let labels: Vec<String> = hints(&text).into_iter().map(|(_, l)| l).take(2).collect();
        assert_eq!(labels, ["T+30m", "T+2h05m"]);
    }

    /// A table messed up, then formatted: every hint on a row follows its last `|`.
    #[test]
    fn hints_on_a_formatted_table_follow_the_row() {
        let messy = VALID.replacen("| Owner |", "|Owner   |", 1);
        let doc = parse(&messy);
        let env = Env::fixed();
        let mut edits = crate::analysis::format::format(&Ctx::new(&messy, &doc, &env));
        assert!(!edits.is_empty());
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        let mut text = messy.clone();
        for e in edits {
            text.replace_range(e.range, &e.text);
        }
        let doc = parse(&text);
        let found = inlay_hints(&Ctx::new(&text, &doc, &env));
        let mut on_rows = 0;
        for h in &found {
            let start = text[..h.offset].rfind('\n').map_or(0, |i| i + 1);
            let end = text[h.offset..]
                .find('\n')
                .map_or(text.len(), |i| h.offset + i);
            let line = &text[start..end];
            if let (Some(first), Some(last)) = (line.find('|'), line.rfind('|')) {
                let at = h.offset - start;
                assert!(
                    !(first < at && at <= last),
                    "hint {:?} inside the row {line:?}",
                    h.label
                );
                assert_eq!(at, line.trim_end().len(), "{line:?}");
                on_rows += 1;
            }
        }
        assert_eq!(on_rows, 3, "{found:?}");
    }

    #[test]
    fn timeline_hints_stay_after_the_time() {
        assert!(
            hints(VALID)
                .iter()
                .take(7)
                .all(|(before, _)| before.contains(':'))
        );
    }
}
