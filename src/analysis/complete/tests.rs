//! Completion fixtures: `$0` marks the cursor.

use super::*;
use crate::analysis::checks::fixture::VALID;
use crate::analysis::parse;

fn at(fixture: &str, trigger: Option<char>) -> (String, Vec<Completion>) {
    let offset = fixture.find("$0").expect("fixture has a $0 cursor");
    let text = fixture.replacen("$0", "", 1);
    let doc = parse(&text);
    let items = complete(&text, &doc, &Env::fixed(), offset, trigger);
    (text, items)
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|i| i.label.as_str()).collect()
}

fn valid_at(from: &str, to: &str, trigger: Option<char>) -> (String, Vec<Completion>) {
    assert!(VALID.contains(from), "{from:?} not in VALID");
    at(&VALID.replacen(from, to, 1), trigger)
}

#[test]
fn detection_time_offers_the_alert_line_then_now_then_now_to_the_minute() {
    let (text, items) = valid_at(
        "| Detection time (UTC) | 2026-03-14T09:26:53Z |",
        "| Detection time (UTC) | $0 |",
        None,
    );
    assert_eq!(
        labels(&items),
        [
            "2026-03-14T09:26:00Z",
            "2026-06-01T12:00:00Z",
            "2026-06-01T12:00:00Z"
        ]
    );
    assert!(items[0].detail.starts_with("Timeline 09:26: "));
    assert_eq!(items[1].detail, "Now (UTC)");
    // An empty cell: insert at the cursor.
    assert!(items[0].range.is_empty());
    assert_eq!(&text[items[0].range.start - 2..items[0].range.start], "| ");
}

#[test]
fn typed_value_is_replaced_whole() {
    let (text, items) = valid_at(
        "| Affected environment | production |",
        "| Affected environment | pro$0d |",
        None,
    );
    assert_eq!(labels(&items), ["staging", "production"]);
    assert_eq!(&text[items[1].range.clone()], "prod");
    assert_eq!(items[1].filter, None);
}

#[test]
fn template_choice_list_is_replaced_and_every_value_survives_filtering() {
    let (text, items) = valid_at(
        "| Severity | High |",
        "| Severity | Critical / High / Medium$0 |",
        None,
    );
    assert_eq!(labels(&items), ["Critical", "High", "Medium"]);
    assert_eq!(&text[items[0].range.clone()], "Critical / High / Medium");
    assert!(items.iter().all(|i| {
        i.filter
            .as_deref()
            .is_some_and(|f| f.starts_with("Critical / High / Medium"))
    }));
}

#[test]
fn incident_date_offers_the_detection_date_first_then_today() {
    let (_, items) = valid_at(
        "| Incident date | 2026-03-14 |",
        "| Incident date | $0 |",
        None,
    );
    assert_eq!(labels(&items), ["2026-03-14", "2026-06-01"]);
}

#[test]
fn duration_is_mitigation_minus_detection() {
    let (_, items) = valid_at(
        "| Duration (user-impacting) | 41:10 |",
        "| Duration (user-impacting) | $0 |",
        None,
    );
    assert_eq!(labels(&items), ["36:30"]);
}

#[test]
fn name_column_and_sha_offer_nothing() {
    assert!(
        valid_at("| Severity | High |", "| Sev$0erity | High |", None)
            .1
            .is_empty()
    );
    assert!(
        valid_at(
            "| Deploy SHA at incident start | `9f1c2ab7e4d0` |",
            "| Deploy SHA at incident start | $0 |",
            None
        )
        .1
        .is_empty()
    );
}

#[test]
fn prevention_target_dates_count_from_the_incident() {
    let (_, items) = valid_at(
        "| @sam | Load test at production traffic, tracked in OPS-91 | 2026-04-13 |",
        "| @sam | Load test, OPS-91 | $0 |",
        None,
    );
    assert_eq!(labels(&items), ["2026-03-21", "2026-03-28", "2026-04-13"]);
    assert_eq!(items[0].detail, "Incident date + 7 days");
}

#[test]
fn prevention_row_snippet_right_under_the_table() {
    let (_, items) = valid_at("| 2026-04-13 |\n", "| 2026-04-13 |\n$0\n", None);
    assert_eq!(labels(&items), ["Prevention row"]);
    assert_eq!(
        items[0].insert.to_snippet(),
        "| @${1:owner} | ${2:…}, ${3:PAY-000} | ${4:2026-03-28} |\n",
        "the table's first key (PAY-412) and the Incident date + 14 days"
    );
}

#[test]
fn timeline_new_line_offers_an_entry_at_the_current_minute() {
    let (text, items) = valid_at("10:20  (source: Slack", "$0\n10:20  (source: Slack", None);
    assert_eq!(labels(&items), ["12:00  (source: …)"]);
    assert_eq!(
        items[0].insert.to_snippet(),
        "12:00  (source: ${1|alert,Slack,log file|}) $0"
    );
    assert_eq!(items[0].insert.to_plain(), "12:00  (source: alert) ");
    assert!(text[items[0].range.end..].starts_with("\n10:20"));
}

#[test]
fn timeline_source_values_replace_the_typed_word() {
    let (text, items) = valid_at(
        "10:20  (source: Slack #ops-incident)",
        "10:20  (source: Sl$0ack #ops-incident)",
        Some(' '),
    );
    assert!(
        items.is_empty(),
        "a space typed inside a word is not a trigger here"
    );
    // Typing `:` is no trigger (it once inserted `alert` before the `Slack` being typed);
    // asked for, the sources are there.
    let (_, items) = valid_at(
        "10:20  (source: Slack #ops-incident)",
        "10:20  (source:$0",
        Some(':'),
    );
    assert!(items.is_empty());
    let (_, items) = valid_at(
        "10:20  (source: Slack #ops-incident)",
        "10:20  (source:$0",
        None,
    );
    assert_eq!(labels(&items), ["alert", "Slack", "log file"]);
    let (text2, items) = valid_at(
        "10:20  (source: Slack #ops-incident)",
        "10:20  (source: lo$0g)",
        None,
    );
    assert_eq!(&text2[items[0].range.clone()], "log");
    let _ = text;
}

#[test]
fn line_start_offers_missing_sections_in_template_order() {
    let text = VALID.replacen("## Impact\n", "## Impacts\n", 1).replacen(
        "## What was lucky\n",
        "## Lucky?\n",
        1,
    );
    let (_, items) = at(&format!("{text}\n## $0"), Some('#'));
    assert!(items.is_empty(), "typing `#` is no trigger");
    let (_, items) = at(&format!("{text}\n## $0"), None);
    assert_eq!(labels(&items), ["## Impact", "## What was lucky"]);
    assert!(items[0].insert.to_plain().starts_with(
        "## Impact\n\n- Users: failed requests, lost orders or data, with numbers.\n"
    ));
    let (_, none) = at(&format!("{text}\nsome prose $0"), None);
    assert!(none.is_empty());
}

#[test]
fn empty_file_offers_the_whole_document() {
    let (_, items) = at("$0", None);
    assert_eq!(labels(&items), ["post-mortem"]);
    let plain = items[0].insert.to_plain();
    assert!(plain.starts_with("# Post-mortem: …\n\n## Header\n"));
    assert!(plain.contains("## Appendix: evidence links\n"));
}

#[test]
fn code_blocks_outside_the_timeline_and_prose_triggers_stay_quiet() {
    let (_, items) = valid_at(
        "## What went well\n",
        "## What went well\n\n```\n$0\n```\n",
        None,
    );
    assert!(items.is_empty());
    let (_, items) = valid_at(
        "No user report reached",
        "No user report: $0reached",
        Some(':'),
    );
    assert!(items.is_empty());
    let (_, items) = valid_at(
        "No user report reached",
        "No user report $0reached",
        Some(' '),
    );
    assert!(items.is_empty());
}

#[test]
fn cursor_in_a_multibyte_character_is_clamped() {
    let text = "# Post-mortem 🚒\n\n";
    let doc = parse(text);
    let inside_emoji = text.find('🚒').unwrap() + 2;
    let items = complete(text, &doc, &Env::fixed(), inside_emoji, None);
    assert!(items.is_empty());
    let items = complete(text, &doc, &Env::fixed(), usize::MAX, None);
    assert!(!items.is_empty(), "end of text is a line start");
}

#[test]
fn a_pipe_triggers_only_items_landing_in_an_empty_cell_at_the_cursor() {
    // Right after the pipe that opens the Target date cell: the dates, inserted at the cursor.
    let (_, items) = valid_at(
        "| @sam | Load test at production traffic, tracked in OPS-91 | 2026-04-13 |",
        "| @sam | Load test at production traffic, tracked in OPS-91 |$0",
        Some('|'),
    );
    assert_eq!(labels(&items), ["2026-03-21", "2026-03-28", "2026-04-13"]);
    // The pipe closing a row, or one opening a cell of prose, offers nothing.
    let (_, items) = valid_at("| 2026-04-13 |", "| 2026-04-13 |$0", Some('|'));
    assert!(items.is_empty());
    let (_, items) = valid_at("| @sam |", "| @sam |$0", Some('|'));
    assert!(items.is_empty());
    // The row snippet would replace the typed `|`: asked for only, never on the keystroke.
    let (_, items) = valid_at("| 2026-04-13 |\n", "| 2026-04-13 |\n|$0\n", Some('|'));
    assert!(items.is_empty());
    let (_, items) = valid_at("| 2026-04-13 |\n", "| 2026-04-13 |\n|$0\n", None);
    assert_eq!(labels(&items), ["Prevention row"]);
    // In the timeline a pipe is prose.
    let (_, items) = valid_at(
        "10:20  (source: Slack",
        "10:20  |$0(source: Slack",
        Some('|'),
    );
    assert!(items.is_empty());
}

#[test]
fn only_the_pipe_is_a_trigger_character() {
    assert_eq!(TRIGGERS, ['|']);
}

#[test]
fn mitigation_time_offers_the_rollback_and_recovery_lines_then_now() {
    let (_, items) = valid_at(
        "| Mitigation time (UTC) | 2026-03-14T10:03:23Z |",
        "| Mitigation time (UTC) | $0 |",
        None,
    );
    assert_eq!(
        labels(&items),
        [
            "2026-03-14T09:52:00Z",
            "2026-03-14T10:03:00Z",
            "2026-06-01T12:00:00Z",
            "2026-06-01T12:00:00Z"
        ]
    );
}
