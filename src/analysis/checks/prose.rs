//! Prose checks: template placeholders left in the text, a smoke-test detection without its
//! step, "human error" as a root cause, and a rollback without its SHA.

use crate::analysis::facts::{Ctx, lone_ellipses};
use crate::analysis::model::Run;
use crate::analysis::schema::{FieldRole, SectionRole};
use crate::analysis::values::{find_angle_placeholder, is_none_value};
use crate::analysis::{Code, Diagnostic};
use std::ops::Range;

/// `placeholder`: template filler left anywhere outside the Header table (which the header
/// checks own). Code blocks are skipped as samples, except the Timeline's entries. A
/// section still as the skeleton left it is reported once, by `unfilled-section`, instead.
pub fn placeholder(ctx: &Ctx) -> Vec<Diagnostic> {
    let header = ctx.header.as_ref().map(|h| h.range.clone());
    let untouched = super::unfilled::untouched_bodies(ctx);
    let outside_header = |r: &Run| !header.as_ref().is_some_and(|h| h.contains(&r.range.start));
    let mut spans: Vec<Range<usize>> = ctx
        .blocks()
        .flat_map(|b| ctx.spans(b, outside_header))
        .collect();
    if let Some(timeline) = ctx
        .section(SectionRole::Timeline)
        .filter(|s| ctx.in_scope(s))
    {
        spans.extend(timeline.body.code_blocks.iter().map(|c| c.content.clone()));
    }
    let mut out = Vec::new();
    for span in spans {
        for (r, kind) in placeholders(ctx.slice(&span)) {
            let range = (span.start + r.start)..(span.start + r.end);
            let found = ctx.slice(&range);
            let fix = match kind {
                Kind::Ellipsis => "replace it with what actually happened, or delete the line",
                Kind::Clock => "write the time of the entry on a 24-hour UTC clock, such as 09:26",
                Kind::Date => "write a real date, such as 2026-03-14",
                Kind::Timestamp => "write a UTC timestamp, such as 2026-03-14T09:26:53Z",
                Kind::Owner => "write the owner's handle, such as @maria",
                Kind::Angle => "replace it with the real value, or n/a if there is none",
            };
            out.push(Diagnostic::new(
                Code::Placeholder,
                range,
                format!("`{found}` is unfilled template text: {fix}"),
            ));
        }
    }
    out.retain(|d| !untouched.iter().any(|b| b.contains(&d.range.start)));
    out.sort_by_key(|d| d.range.start);
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Ellipsis,
    Clock,
    Date,
    Timestamp,
    Owner,
    Angle,
}

/// Every placeholder in `s`, without overlaps (`<YYYY-MM-DD>` is one placeholder, not two).
fn placeholders(s: &str) -> Vec<(Range<usize>, Kind)> {
    // Most text holds none of the characters a placeholder starts with (`<`, `YYYY`, `HH`,
    // or `…`, whose UTF-8 starts with 0xE2); skip it cheaply, since a long document has
    // thousands of table cells and timeline lines.
    // (A byte scan: substring searches cost more to set up than these strings take to read.)
    if !s.bytes().any(|b| matches!(b, b'<' | b'Y' | b'H' | 0xE2)) {
        return Vec::new();
    }
    let mut found: Vec<(Range<usize>, Kind)> = Vec::new();
    let literals = [
        ("YYYY-MM-DDTHH:MM:SSZ", Kind::Timestamp),
        ("YYYY-MM-DD", Kind::Date),
        ("HH:MM", Kind::Clock),
        ("@…", Kind::Owner),
    ];
    for (pattern, kind) in literals {
        for (i, _) in s.match_indices(pattern) {
            let r = i..i + pattern.len();
            if bounded(s, &r) {
                found.push((r, kind));
            }
        }
    }
    found.extend(lone_ellipses(s).map(|i| (i..i + '…'.len_utf8(), Kind::Ellipsis)));
    let mut from = 0;
    while let Some(r) = find_angle_placeholder(s, from) {
        from = r.end;
        found.push((r, Kind::Angle));
    }
    found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut kept: Vec<(Range<usize>, Kind)> = Vec::new();
    for (r, kind) in found {
        if kept.last().is_none_or(|(k, _)| r.start >= k.end) {
            kept.push((r, kind));
        }
    }
    kept
}

/// `smoke-test-step`: Detected by says "smoke test" but the Detection section does not say
/// which step failed, or names a step the smoke test does not have.
pub fn smoke_test_step(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(field) = ctx.field(FieldRole::DetectedBy) else {
        return Vec::new();
    };
    let by = ctx.slice(&field.value);
    let Some(section) = ctx.section(SectionRole::Detection) else {
        return Vec::new(); // `missing-section` already asks for the section.
    };
    if !by.trim().eq_ignore_ascii_case("smoke test") {
        return Vec::new();
    }
    let steps = ctx.schema.smoke_steps.clone();
    let (first, last) = (*steps.start(), *steps.end());
    let named: Vec<(Range<usize>, Option<u32>)> = ctx
        .spans(&section.body, |_| true)
        .into_iter()
        .flat_map(|span| {
            step_numbers(ctx.slice(&span))
                .into_iter()
                .map(move |(r, n)| ((span.start + r.start)..(span.start + r.end), n))
        })
        .collect();
    if named.is_empty() {
        return vec![Diagnostic::new(
            Code::SmokeTestStep,
            field.value.clone(),
            format!(
                "detected by the smoke test, but the Detection section names no step: say which step ({first}–{last}) failed, e.g. \"step {first}\""
            ),
        )];
    }
    named
        .into_iter()
        .filter(|(_, n)| !n.is_some_and(|n| steps.contains(&n)))
        .map(|(r, _)| {
            let written = ctx.slice(&r);
            Diagnostic::new(
                Code::SmokeTestStep,
                r,
                format!("the smoke test has steps {first}–{last}, so there is no step {written}: name the step that failed"),
            )
        })
        .collect()
}

/// The step numbers named in `s` ("step 3", "Step #3", "steps 2 and 4", "steps 2–4"), each
/// with its range. A number too large to read comes back as `None`.
fn step_numbers(s: &str) -> Vec<(Range<usize>, Option<u32>)> {
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    for (at, _) in lower.match_indices("step") {
        if !bounded_left(s, at) {
            continue;
        }
        let mut i = at + 4;
        let plural = lower[i..].starts_with('s');
        i += usize::from(plural);
        let mut first = true;
        loop {
            i = skip(&lower, i, char::is_whitespace);
            if !first {
                // A list goes on after a separator; anything else ends it.
                let sep = ["and", "or", ",", "&", "–", "—", "-", "to", "through"]
                    .into_iter()
                    .find(|sep| lower[i..].starts_with(sep));
                let Some(sep) = sep else { break };
                i = skip(&lower, i + sep.len(), char::is_whitespace);
            }
            i = skip(&lower, i, |c| c == '#');
            let digits = skip(&lower, i, |c| c.is_ascii_digit());
            if digits == i || !bounded(s, &(i..digits)) {
                break;
            }
            out.push((i..digits, s[i..digits].parse().ok()));
            i = digits;
            first = false;
            if !plural {
                break;
            }
        }
    }
    out
}

/// `missing-rollback-sha`: Repair or the Timeline says a rollback happened, but the Header
/// has no Rollback SHA.
pub fn missing_rollback_sha(ctx: &Ctx) -> Vec<Diagnostic> {
    let row = ctx.field(FieldRole::RollbackSha);
    let value = row.map(|r| ctx.slice(&r.value).trim());
    if value.is_some_and(|v| !v.is_empty() && !is_none_value(v)) {
        return Vec::new(); // a SHA, or text the header checks report
    }
    let phrases: [&[&str]; 4] = [
        &["rollback"],
        &["rolled", "back"],
        &["roll", "back"],
        &["rolling", "back"],
    ];
    let mention = [SectionRole::Repair, SectionRole::Timeline]
        .into_iter()
        .find_map(|role| {
            let section = ctx.section(role)?;
            let mut spans = ctx.spans(&section.body, |r| !r.quoted);
            spans.extend(section.body.code_blocks.iter().map(|c| c.content.clone()));
            spans.into_iter().find_map(|span| {
                let s = ctx.slice(&span);
                phrases
                    .iter()
                    .flat_map(|p| find_phrase(s, p))
                    .map(|r| (span.start + r.start)..(span.start + r.end))
                    .find(|r| !negated(ctx.text, section.body.range.start, r.start, 3))
                    .map(|r| (section, r))
            })
        });
    let Some((section, mention)) = mention else {
        return Vec::new();
    };
    let (range, state) = match (row, value) {
        (Some(r), Some(v)) if !v.is_empty() => (r.value.clone(), format!("\"{v}\"")),
        (Some(r), _) => (r.name.clone(), "empty".to_string()),
        (None, _) => match ctx.section(SectionRole::Header) {
            Some(h) => (h.name.clone(), "missing".to_string()),
            None => (ctx.anchor(), "missing".to_string()),
        },
    };
    vec![Diagnostic::new(
        Code::MissingRollbackSha,
        range,
        format!(
            "`## {}` says \"{}\", but the Rollback SHA is {state}: write the SHA of the release you rolled back to",
            ctx.slice(&section.name),
            ctx.slice(&mention),
        ),
    )]
}

/// Case-insensitive matches of `words` in `s`, separated by white space or one hyphen,
/// standing as whole words (a plural `s` on the last word is allowed).
pub(super) fn find_phrase(s: &str, words: &[&str]) -> Vec<Range<usize>> {
    let lower = s.to_ascii_lowercase();
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    'outer: for (start, _) in lower.match_indices(first) {
        if !bounded_left(s, start) {
            continue;
        }
        let mut i = start + first.len();
        for word in &words[1..] {
            let next = if lower[i..].starts_with('-') {
                i + 1
            } else {
                skip(&lower, i, char::is_whitespace)
            };
            if next == i || !lower[next..].starts_with(word) {
                continue 'outer;
            }
            i = next + word.len();
        }
        if lower[i..].starts_with('s') {
            i += 1;
        }
        if bounded(s, &(start..i)) {
            out.push(start..i);
        }
    }
    out
}

/// Whether a denial stands within `window` words before `at`, in the same clause: "not",
/// "no", "never", "without", "avoid", "wasn't", "rather than", "instead of" and the like.
pub(super) fn negated(text: &str, floor: usize, at: usize, window: usize) -> bool {
    let mut from = at.saturating_sub(120).max(floor);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text.get(from..at).unwrap_or("");
    let clause_start = before
        .rfind(['.', '!', '?', ';', ',', ':', '\n'])
        .map_or(0, |i| i + 1);
    let clause = before[clause_start..].to_ascii_lowercase();
    let words: Vec<&str> = clause
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .collect();
    let tail = &words[words.len().saturating_sub(window)..];
    const DENIALS: &[&str] = &["not", "no", "never", "nor", "without", "neither"];
    tail.iter().enumerate().any(|(k, w)| {
        let next = tail.get(k + 1).copied().unwrap_or("");
        DENIALS.contains(w)
            || w.starts_with("avoid")
            || w.ends_with("n't")
            || w.ends_with("n’t")
            || (*w == "rather" && next == "than")
            || (*w == "instead" && next == "of")
    })
}

fn skip(s: &str, from: usize, pred: impl Fn(char) -> bool) -> usize {
    s[from..]
        .find(|c: char| !pred(c))
        .map_or(s.len(), |i| from + i)
}

fn bounded_left(s: &str, at: usize) -> bool {
    !s[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

/// Whether `r` stands as a whole word: no letter or digit directly before or after it.
fn bounded(s: &str, r: &Range<usize>) -> bool {
    bounded_left(s, r.start) && !s[r.end..].chars().next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};

    const TEMPLATE: &str = include_str!("testdata/template_unfilled.md");

    #[test]
    fn valid_document_has_no_prose_problems() {
        for check in [placeholder, smoke_test_step, missing_rollback_sha] {
            assert_eq!(run(check, VALID, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn unfilled_template_reports_each_placeholder_and_nothing_else() {
        let diags = run(placeholder, TEMPLATE, &Env::fixed());
        let found: Vec<&str> = diags.iter().map(|d| &TEMPLATE[d.range.clone()]).collect();
        #[rustfmt::skip]
        assert_eq!(found, [
            "<YYYY-MM-DD>", "<slug>", "HH:MM", "HH:MM", "…",
            "@…", "YYYY-MM-DD", "@…", "…", "YYYY-MM-DD", "…", "…",
        ]);
        // The evidence list is still the skeleton's, word for word: unfilled-section
        // reports it once on its heading instead.
        for check in [smoke_test_step, missing_rollback_sha] {
            assert_eq!(run(check, TEMPLATE, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn placeholders_outside_the_header_table_are_reported_exactly() {
        let text = valid_with(
            "- Two engineers spent",
            "- «…»\n- and so on… 🚒 «HH:MM» at «YYYY-MM-DD» or «YYYY-MM-DDTHH:MM:SSZ»\n- ask «@…» see «<link>» and `log-«<timestamp>».txt`\n- Two engineers spent",
        );
        let diags = check_marked(placeholder, &text);
        assert!(diags[1].message.contains("24-hour UTC clock"));
        // Header values, HTML comments, code samples, and generic types are not placeholders.
        let text = "# T\n<!-- <link> -->\n## Header\n\n| Field | Value |\n|-|-|\n| Incident date | YYYY-MM-DD |\n\nUse «<sha>» here.\n\n## Impact\n\n```\nHH:MM  …\n```\n\n`Vec<String>` a…b\n";
        check_marked(placeholder, text);
    }

    #[test]
    fn timeline_code_lines_are_scanned() {
        let text = valid_with(
            "10:20  (source: Slack #ops-incident) incident closed",
            "«HH:MM»  «…»",
        );
        check_marked(placeholder, &text);
    }

    fn smoke(detection: &str) -> String {
        valid_with("| Detected by | alert |", "| Detected by | «smoke test» |").replacen(
            "The `CheckoutLatencyP99` alert fired four minutes",
            detection,
            1,
        )
    }

    #[test]
    fn smoke_test_must_name_a_step_in_range() {
        let diags = check_marked(smoke_test_step, &smoke("The smoke test failed"));
        assert!(diags[0].message.contains("names no step"));
        for ok in [
            "Step #3 failed",
            "smoke step 6 failed",
            "steps 2 and 4",
            "steps 2–4",
            "Steps 1, 2 or 5",
        ] {
            let text = smoke(ok).replace(['«', '»'], "");
            assert_eq!(run(smoke_test_step, &text, &Env::fixed()), vec![], "{ok}");
        }
        let text = smoke("Steps 2–«9» and «0», then step «12345678901» 🚒 step «7»");
        let text = text.replacen("«smoke test»", "SMOKE TEST", 1);
        let diags = check_marked(smoke_test_step, &text);
        assert!(
            diags[0]
                .message
                .contains("steps 1–6, so there is no step 9")
        );
    }

    #[test]
    fn rollback_mentioned_needs_a_rollback_sha() {
        let empty = valid_with(
            "| Rollback SHA (if rolled back) | `4be07d13a9c2` |",
            "| «Rollback SHA (if rolled back)» | |",
        );
        let diags = check_marked(missing_rollback_sha, &empty);
        assert!(
            diags[0]
                .message
                .starts_with("`## Repair` says \"rollback\", but the Rollback SHA is empty")
        );
        let none = valid_with(
            "| Rollback SHA (if rolled back) | `4be07d13a9c2` |",
            "| Rollback SHA | «n/a» |",
        );
        check_marked(missing_rollback_sha, &none);
        let absent = valid_with("| Rollback SHA (if rolled back) | `4be07d13a9c2` |\n", "")
            .replacen("## Header", "## «Header»", 1);
        check_marked(missing_rollback_sha, &absent);
    }

    #[test]
    fn negated_or_absent_rollbacks_do_not_count() {
        let no_sha = |repair: &str, timeline: &str| {
            valid_with(
                "| Rollback SHA (if rolled back) | `4be07d13a9c2` |",
                "| Rollback SHA | - |",
            )
            .replacen("- Mitigation: rollback to `4be07d13a9c2`", repair, 1)
            .replacen("rollback to the previous release started", timeline, 1)
        };
        for negated in [
            "No rollback was needed",
            "we did not roll back",
            "Not rolled back.",
            "fixed without a rollback",
            "we didn't roll back",
            "there was no need to roll back",
            "We decided not to roll back",
        ] {
            let text = no_sha(negated, "restart started");
            assert_eq!(
                run(missing_rollback_sha, &text, &Env::fixed()),
                vec![],
                "{negated}"
            );
        }
        // The Timeline counts too; a quoted mention in Repair does not.
        let text = no_sha(
            "> someone said rollback",
            "rolling back 🚒 to the previous release",
        );
        let diags = run(missing_rollback_sha, &text, &Env::fixed());
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0]
                .message
                .contains("`## Timeline (UTC)` says \"rolling back\"")
        );
    }
}
