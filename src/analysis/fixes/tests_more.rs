//! Quick-fix tests for the fixes whose message knows the answer: each action applied to the
//! text, then the exact new text and the problem gone checked.

use super::*;
use crate::analysis::Code;
use crate::analysis::checks::fixture::{VALID, valid_with};

/// The actions of the first diagnostic with `code`, each applied on its own to `text`.
fn each_fix(text: &str, code: Code) -> Vec<(Action, String)> {
    let env = Env::fixed();
    let mut diagnostics = analyze(text, &env);
    sort_for_lookup(&mut diagnostics);
    let d = diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code:?} in text"));
    let doc = parse(text);
    let ctx = Ctx::new(text, &doc, &env);
    let fix = d.fix.as_ref().expect("the diagnostic carries a fix");
    let offered = checked_actions(&ctx, &diagnostics, &d.range, fix);
    assert!(!offered.is_empty(), "{code:?} offers nothing");
    offered
        .into_iter()
        .map(|a| {
            let fixed = apply(text, &a.edits);
            (a, fixed)
        })
        .collect()
}

fn count(text: &str, code: Code) -> usize {
    analyze(text, &Env::fixed())
        .iter()
        .filter(|d| d.code == code)
        .count()
}

const DETECTED: &str = "09:26  (source: alert) CheckoutLatencyP99 fires";

#[test]
fn timeline_seconds_are_dropped() {
    let text = valid_with(
        DETECTED,
        "09:26:40  (source: alert) CheckoutLatencyP99 fires",
    );
    let fixes = each_fix(&text, Code::TimelineFormat);
    assert_eq!(fixes.len(), 1);
    assert_eq!(fixes[0].0.title, "Write `09:26`");
    assert!(fixes[0].0.preferred);
    assert_eq!(fixes[0].1, VALID);
}

#[test]
fn timeline_one_space_becomes_two() {
    let text = valid_with(DETECTED, "09:26 (source: alert) CheckoutLatencyP99 fires");
    let fixes = each_fix(&text, Code::TimelineFormat);
    assert_eq!(fixes[0].1, VALID);
    // Fix-all takes it too: the repair is certain.
    let edit = fix_all(&text, &Env::fixed()).expect("fix-all changes the text");
    assert_eq!(apply(&text, &[edit]), VALID);
}

#[test]
fn timeline_missing_source_offers_each_template_source() {
    let text = valid_with(DETECTED, "09:26 CheckoutLatencyP99 fires");
    let fixes = each_fix(&text, Code::TimelineFormat);
    let sources = &Env::fixed().schema.timeline_sources;
    assert_eq!(fixes.len(), sources.len());
    assert_eq!(fixes[0].0.title, "Insert `(source: alert)`");
    assert!(fixes.iter().all(|(a, _)| !a.preferred));
    // The first source is the one the example uses; the others are written the same way.
    assert_eq!(fixes[0].1, VALID);
    assert_eq!(count(&fixes[0].1, Code::TimelineFormat), 0);
    let slack = valid_with(DETECTED, "09:26  (source: Slack) CheckoutLatencyP99 fires");
    assert!(fixes.iter().any(|(_, t)| *t == slack));
    // Not a certain repair: fix-all leaves it.
    assert_eq!(fix_all(&text, &Env::fixed()), None);
}

#[test]
fn timeline_unknown_source_offers_the_known_ones() {
    let text = valid_with(DETECTED, "09:26  (source: pager) CheckoutLatencyP99 fires");
    let fixes = each_fix(&text, Code::TimelineFormat);
    assert_eq!(fixes[0].0.title, "Write `alert`");
    assert_eq!(fixes[0].1, VALID);
}

#[test]
fn owner_without_at_gets_one() {
    let text = valid_with("| @sam |", "| sam |");
    let fixes = each_fix(&text, Code::InvalidOwner);
    assert_eq!(fixes.len(), 1);
    assert_eq!(fixes[0].0.title, "Write `@sam`");
    assert_eq!(fixes[0].1, VALID);
    let edit = fix_all(&text, &Env::fixed()).expect("fix-all changes the text");
    assert_eq!(apply(&text, &[edit]), VALID);
}

#[test]
fn missing_event_inserts_an_entry_in_time_order() {
    // No entry at the detection minute: one goes between 09:22 and 09:31.
    let text = valid_with(
        "09:26  (source: alert) CheckoutLatencyP99 fires, pages the on-call engineer\n",
        "",
    );
    let fixes = each_fix(&text, Code::TimelineMissingEvent);
    assert_eq!(fixes[0].0.title, "Insert a Timeline entry at 09:26");
    let expected = valid_with(
        "09:26  (source: alert) CheckoutLatencyP99 fires, pages the on-call engineer\n",
        "09:26  (source: …) \n",
    );
    assert_eq!(fixes[0].1, expected);
    assert_eq!(count(&fixes[0].1, Code::TimelineMissingEvent), 0);
    // The mitigation minute after every entry goes last, before the closing fence.
    let late = text.replace("10:03  (source: alert)", "10:30  (source: alert)");
    let late = late.replace("2026-03-14T10:03:23Z", "2026-03-14T10:40:00Z");
    let late = late.replace("| 41:10 |", "| 74:00 |");
    let env = Env::fixed();
    let missing: Vec<_> = analyze(&late, &env)
        .into_iter()
        .filter(|d| d.code == Code::TimelineMissingEvent)
        .collect();
    assert_eq!(missing.len(), 2);
    let doc = parse(&late);
    let ctx = Ctx::new(&late, &doc, &env);
    let acts = actions(&ctx, &missing[1].range, missing[1].fix.as_ref().unwrap());
    let fixed = apply(&late, &acts[0].edits);
    assert!(
        fixed.contains("post-mortem owner assigned\n10:40  (source: …) \n```"),
        "{fixed}"
    );
}

#[test]
fn a_forged_or_stale_entry_time_gives_nothing() {
    let env = Env::fixed();
    let doc = parse(VALID);
    let ctx = Ctx::new(VALID, &doc, &env);
    let forged = Fix::InsertEntry {
        time: "09:26".into(),
    };
    let heading = VALID.find("Timeline (UTC)").unwrap();
    let range = heading..heading + "Timeline (UTC)".len();
    assert_eq!(
        checked_actions(&ctx, &analyze(VALID, &env), &range, &forged),
        vec![]
    );
    assert_eq!(reorder::insert_entry(&ctx, "25:00"), None);
}
