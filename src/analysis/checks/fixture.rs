//! Test fixtures for checks: mark the expected ranges in the text with `«` and `»`.

use super::Check;
use crate::analysis::facts::Ctx;
use crate::analysis::{Diagnostic, Env, parse};

/// A complete, correct post-mortem: every check must find nothing in it.
pub const VALID: &str = include_str!(
    "../../../examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
);

/// Runs one check over `text`.
pub fn run(check: Check, text: &str, env: &Env) -> Vec<Diagnostic> {
    let doc = parse(text);
    check(&Ctx::new(text, &doc, env))
}

/// Runs one check over a fixture whose expected diagnostic ranges are marked `«like this»`,
/// asserts the check reports exactly those ranges (in order), and returns the diagnostics so
/// the test can look at their messages.
pub fn check_marked(check: Check, fixture: &str) -> Vec<Diagnostic> {
    check_marked_env(check, fixture, &Env::fixed())
}

pub fn check_marked_env(check: Check, fixture: &str, env: &Env) -> Vec<Diagnostic> {
    let (text, expected) = unmark(fixture);
    let mut got = run(check, &text, env);
    got.sort_by_key(|d| (d.range.start, d.range.end));
    let got_ranges: Vec<_> = got.iter().map(|d| d.range.clone()).collect();
    assert_eq!(
        got_ranges,
        expected,
        "\nreported: {:?}\nexpected: {:?}\nmessages: {:#?}",
        got_ranges
            .iter()
            .map(|r| &text[r.clone()])
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|r| &text[r.clone()])
            .collect::<Vec<_>>(),
        got.iter().map(|d| &d.message).collect::<Vec<_>>(),
    );
    got
}

/// Removes the `«»` markers, returning the text and the marked byte ranges.
pub fn unmark(fixture: &str) -> (String, Vec<std::ops::Range<usize>>) {
    let mut text = String::with_capacity(fixture.len());
    let mut ranges = Vec::new();
    let mut open = Vec::new();
    for c in fixture.chars() {
        match c {
            '«' => open.push(text.len()),
            '»' => ranges.push(open.pop().expect("unbalanced »")..text.len()),
            c => text.push(c),
        }
    }
    assert!(open.is_empty(), "unbalanced «");
    ranges.sort_by_key(|r| (r.start, r.end));
    (text, ranges)
}

/// `VALID` with `from` replaced by `to` once (panics if `from` is absent, so a stale
/// fixture fails loudly).
pub fn valid_with(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "fixture text {from:?} not in VALID");
    VALID.replacen(from, to, 1)
}

#[test]
fn unmark_finds_ranges() {
    let (text, ranges) = unmark("a «b» c «dé»");
    assert_eq!(text, "a b c dé");
    assert_eq!(ranges, vec![2..3, 6..9]);
}
