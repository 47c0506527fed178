//! Quick-fix tests: each fix applied to the text, then the problem checked gone.

use super::*;
use crate::analysis::checks::fixture::{VALID, valid_with};
use crate::analysis::{Code, Diagnostic};
use proptest::prelude::*;

/// The diagnostics with `code`, and the text after applying the preferred action of the
/// first of them.
fn fix_first(text: &str, code: Code) -> (Vec<Action>, String) {
    let env = Env::fixed();
    let diags: Vec<Diagnostic> = analyze(text, &env)
        .into_iter()
        .filter(|d| d.code == code)
        .collect();
    let d = diags
        .first()
        .unwrap_or_else(|| panic!("no {code:?} in text"));
    let doc = parse(text);
    let ctx = Ctx::new(text, &doc, &env);
    let acts = actions(
        &ctx,
        &d.range,
        d.fix.as_ref().expect("diagnostic has a fix"),
    );
    let preferred = acts.iter().find(|a| a.preferred).unwrap_or(&acts[0]);
    let fixed = apply(text, &preferred.edits);
    (acts, fixed)
}

fn codes(text: &str) -> Vec<Code> {
    analyze(text, &Env::fixed())
        .into_iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn timestamp_with_offset_becomes_utc() {
    let text = valid_with("2026-03-14T09:26:53Z", "2026-03-14 10:26:53+01:00");
    let (acts, fixed) = fix_first(&text, Code::InvalidTimestamp);
    assert_eq!(acts[0].title, "Write `2026-03-14T09:26:53Z`");
    assert_eq!(fixed, VALID);
}

#[test]
fn empty_time_cells_get_now_in_each_cell_shape() {
    for cell in [
        "| Detection time (UTC) | |",
        "| Detection time (UTC) |  |",
        "| Detection time (UTC) |",
    ] {
        let text = valid_with("| Detection time (UTC) | 2026-03-14T09:26:53Z |", cell);
        let (acts, fixed) = fix_first(&text, Code::EmptyField);
        let titles: Vec<&str> = acts.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Write `2026-03-14T09:26:00Z` (Timeline 09:26: CheckoutLatencyP99 fires, pages the on-call…)",
                "Write the current UTC time: `2026-06-01T12:00:00Z`"
            ]
        );
        assert!(
            fixed.contains("\n| Detection time (UTC) | 2026-03-14T09:26:00Z |"),
            "{cell:?} →\n{fixed}"
        );
        let now = apply(&text, &acts[1].edits);
        assert!(
            now.contains("\n| Detection time (UTC) | 2026-06-01T12:00:00Z |"),
            "{cell:?} →\n{now}"
        );
    }
}

#[test]
fn empty_mitigation_time_offers_the_rollback_and_recovery_lines() {
    let text = valid_with(
        "| Mitigation time (UTC) | 2026-03-14T10:03:23Z |",
        "| Mitigation time (UTC) | |",
    );
    let (acts, _) = fix_first(&text, Code::EmptyField);
    let values: Vec<String> = acts
        .iter()
        .map(|a| a.edits[0].text.trim().to_string())
        .collect();
    assert_eq!(
        values,
        [
            "2026-03-14T09:52:00Z",
            "2026-03-14T10:03:00Z",
            "2026-06-01T12:00:00Z"
        ]
    );
    assert!(acts.iter().all(|a| !a.preferred));
}

#[test]
fn empty_incident_date_takes_the_detection_date() {
    let text = valid_with(
        "| Incident date | 2026-03-14 |",
        "| Incident date | YYYY-MM-DD |",
    );
    let (acts, fixed) = fix_first(&text, Code::EmptyField);
    assert_eq!(acts[0].title, "Write `2026-03-14`");
    assert_eq!(fixed, VALID);
}

#[test]
fn invalid_value_offers_every_value_closest_first() {
    let text = valid_with(
        "| Affected environment | production |",
        "| Affected environment | Prod |",
    );
    let (acts, fixed) = fix_first(&text, Code::InvalidValue);
    let titles: Vec<&str> = acts.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Write `production`", "Write `staging`"]);
    assert!(acts[0].preferred && !acts[1].preferred);
    assert_eq!(fixed, VALID);
}

#[test]
fn duration_mismatch_writes_the_computed_minimum() {
    let text = valid_with(
        "| Duration (user-impacting) | 41:10 |",
        "| Duration (user-impacting) | 12:00 |",
    );
    let (_, fixed) = fix_first(&text, Code::DurationMismatch);
    assert!(fixed.contains("| Duration (user-impacting) | 36:30 |"));
    assert!(!codes(&fixed).contains(&Code::DurationMismatch));
}

#[test]
fn missing_section_is_inserted_where_the_template_puts_it() {
    let start = VALID.find("## Impact\n").unwrap();
    let end = VALID.find("## Root cause\n").unwrap();
    let text = format!("{}{}", &VALID[..start], &VALID[end..]);
    let (acts, fixed) = fix_first(&text, Code::MissingSection);
    assert_eq!(acts[0].title, "Insert the `## Impact` section");
    assert!(fixed.contains("us before the alert.\n\n## Impact\n\n- Users: failed requests, lost orders or data, with numbers.\n- Team: time spent, work set aside.\n- Compliance: anything to report.\n\n- Users: …\n- Team: …\n- Compliance: …\n\n## Root cause\n"), "{fixed}");
    let after = codes(&fixed);
    assert!(!after.contains(&Code::MissingSection) && !after.contains(&Code::SectionOrder));
}

#[test]
fn last_missing_section_is_appended() {
    let cut = VALID.find("## Appendix").unwrap();
    let text = VALID[..cut].trim_end().to_string();
    let (_, fixed) = fix_first(&text, Code::MissingSection);
    assert!(fixed.ends_with("the week before.\n\n## Appendix: evidence links\n\n- Container logs: `/var/log/azaion/rollback-<timestamp>.log`\n- Container inspect: `/var/log/azaion/rollback-<timestamp>.inspect.json`\n- Grafana dashboard snapshot: <link>\n- Slack thread: <link>\n- Deploy ticket: <link>\n"), "{fixed}");
}

#[test]
fn missing_field_row_goes_after_its_predecessor() {
    let text = valid_with("| Severity | High |\n", "");
    let (_, fixed) = fix_first(&text, Code::MissingField);
    assert!(
        fixed.contains(
            "| Detected by | alert |\n| Severity | Critical / High / Medium |\n| Deploy SHA"
        ),
        "{fixed}"
    );
    let first = valid_with("| Incident date | 2026-03-14 |\n", "");
    let (_, fixed) = fix_first(&first, Code::MissingField);
    assert!(
        fixed.contains("|-------|-------|\n| Incident date | YYYY-MM-DD |\n| Detection time"),
        "{fixed}"
    );
}

#[test]
fn fixes_find_lines_by_the_one_rule_in_lone_cr_documents() {
    let cr = VALID.replace('\n', "\r");
    let first = cr.replacen("| Incident date | 2026-03-14 |\r", "", 1);
    let (_, fixed) = fix_first(&first, Code::MissingField);
    assert!(
        fixed.contains("|-------|-------|\r| Incident date | YYYY-MM-DD |\n| Detection time"),
        "{fixed:?}"
    );
    let missing = cr.replacen("| Severity | High |", "| Severity |", 1);
    let (_, fixed) = fix_first(&missing, Code::EmptyField);
    assert!(fixed.contains("\r| Severity | Critical |\r"), "{fixed:?}");
}

#[test]
fn timeline_sort_keeps_continuations_with_their_entry() {
    let text = valid_with(
        "09:44  (source: Slack #ops-incident) connection pool of the payments client found exhausted\n         (pool size dropped from 64 to 8 in the new client's defaults)\n",
        "",
    )
    .replacen(
        "09:52  (source: log file deploy.log)",
        "09:44  (source: Slack #ops-incident) connection pool of the payments client found exhausted\n         (pool size dropped from 64 to 8 in the new client's defaults)\n09:52  (source: log file deploy.log)",
        1,
    )
    .replacen("09:31  (source: Slack", "09:50  (source: Slack", 1);
    let (acts, fixed) = fix_first(&text, Code::TimelineOrder);
    assert_eq!(acts[0].title, "Sort the timeline by time");
    assert_eq!(fixed, VALID.replacen("09:31  (source: Slack", "09:50  (source: Slack", 1).replacen(
        "09:50  (source: Slack #ops-incident) on-call acknowledges, starts looking at the payments dashboard\n09:44  (source: Slack #ops-incident) connection pool of the payments client found exhausted\n         (pool size dropped from 64 to 8 in the new client's defaults)\n",
        "09:44  (source: Slack #ops-incident) connection pool of the payments client found exhausted\n         (pool size dropped from 64 to 8 in the new client's defaults)\n09:50  (source: Slack #ops-incident) on-call acknowledges, starts looking at the payments dashboard\n",
        1,
    ));
}

#[test]
fn file_name_fix_is_a_rename() {
    let env = Env {
        path: Some("/r/_docs/06_metrics/postmortem_2026-03-15_checkout-timeouts.md"),
        ..Env::fixed()
    };
    let d = analyze(VALID, &env)
        .into_iter()
        .find(|d| d.code == Code::FileName)
        .unwrap();
    let doc = parse(VALID);
    let acts = actions(
        &Ctx::new(VALID, &doc, &env),
        &d.range,
        d.fix.as_ref().unwrap(),
    );
    assert_eq!(
        acts[0].rename.as_deref(),
        Some("postmortem_2026-03-14_checkout-timeouts.md")
    );
    assert!(acts[0].edits.is_empty());
}

#[test]
fn fix_all_repairs_the_safe_problems_and_leaves_the_rest() {
    let text = include_str!(
        "../../../examples/acme-shop/_docs/06_metrics/postmortem_2026-04-02_search-outage.md"
    );
    let env = Env::fixed();
    let edit = fix_all(text, &env).expect("something to fix");
    let fixed = apply(text, &[edit]);
    let after = codes(&fixed);
    for gone in [
        Code::InvalidTimestamp,
        Code::InvalidDuration,
        Code::MissingSection,
        Code::TimelineOrder,
    ] {
        assert!(!after.contains(&gone), "{gone:?} still in {after:?}");
    }
    assert!(fixed.contains("| Affected environment | production |"));
    // Not safe to guess: no allowed value is close to `Sev2`, and renames need the user.
    assert!(after.contains(&Code::InvalidValue) && after.contains(&Code::HumanError));
    assert_eq!(fix_all(VALID, &env), None);
}

#[test]
fn diff_is_minimal_and_char_safe() {
    let d = diff("a🚒b", "a🚀b");
    assert_eq!((d.range, d.text.as_str()), (1..5, "🚀"));
    let d = diff("abc", "abbc");
    assert_eq!(apply("abc", &[d]), "abbc");
}

#[test]
fn a_fix_from_the_client_is_taken_only_while_the_analysis_still_gives_it() {
    let text = VALID.replacen("## Impact", "## Impactt", 1);
    let env = Env::fixed();
    let mut current = analyze(&text, &env);
    sort_for_lookup(&mut current);
    let missing = current
        .iter()
        .find(|d| d.code == Code::MissingSection)
        .expect("Impact is missing");
    let fix = missing.fix.clone().unwrap();
    assert_eq!(
        fix,
        Fix::InsertSection {
            name: "Impact".into()
        }
    );
    let doc = parse(&text);
    let ctx = Ctx::new(&text, &doc, &env);
    let offered = checked_actions(&ctx, &current, &missing.range, &fix);
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].title, "Insert the `## Impact` section");
    let r = missing.range.clone();
    let forged = [
        (r.start + 1..r.end + 1, fix.clone()),
        (0..usize::MAX, fix.clone()),
        (usize::MAX..usize::MAX, fix.clone()),
        (
            r.clone(),
            Fix::InsertSection {
                name: "Nope".into(),
            },
        ),
        (
            r.clone(),
            Fix::InsertField {
                name: "Severity".into(),
            },
        ),
        (
            r.clone(),
            Fix::Replace {
                text: "rm -rf".into(),
            },
        ),
        (
            r.clone(),
            Fix::Rename {
                name: "../../x.md".into(),
            },
        ),
        (r.clone(), Fix::SortTimeline),
    ];
    for (range, fix) in forged {
        assert_eq!(
            checked_actions(&ctx, &current, &range, &fix),
            Vec::new(),
            "{range:?} {fix:?}"
        );
    }
}

#[test]
fn names_the_schema_no_longer_has_give_no_action() {
    let env = Env::fixed();
    let doc = parse(VALID);
    let ctx = Ctx::new(VALID, &doc, &env);
    for fix in [
        Fix::InsertSection {
            name: "Gone".into(),
        },
        Fix::InsertField {
            name: "Gone".into(),
        },
        Fix::InsertSection {
            name: String::new(),
        },
    ] {
        assert_eq!(actions(&ctx, &(0..0), &fix), Vec::new(), "{fix:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Shuffling the sections and reordering them gives back the document byte for byte.
    #[test]
    fn reordering_shuffled_sections_restores_the_document(order in Just((0..11usize).collect::<Vec<_>>()).prop_shuffle()) {
        let doc = parse(VALID);
        let chunks: Vec<&str> = doc.sections.iter().map(|s| &VALID[s.range()]).collect();
        let head = &VALID[..doc.sections[0].heading_line.start];
        let mut shuffled = head.to_string();
        for &i in &order {
            shuffled.push_str(chunks[i]);
        }
        let env = Env::fixed();
        let doc = parse(&shuffled);
        let ctx = Ctx::new(&shuffled, &doc, &env);
        let restored = match reorder::reorder_sections(&ctx) {
            Some(edit) => apply(&shuffled, &[edit]),
            None => shuffled.clone(),
        };
        prop_assert_eq!(restored, VALID);
    }
}

#[test]
fn a_fix_is_found_among_many_findings_at_the_same_and_other_ranges() {
    let text = VALID.replacen("## Impact", "## Impactt", 1);
    let env = Env::fixed();
    let doc = parse(&text);
    let ctx = Ctx::new(&text, &doc, &env);
    let fix_at = |name: &str, at: usize| {
        let mut d = Diagnostic::new(Code::MissingSection, at..at + 1, "m");
        d.fix = Some(Fix::InsertSection { name: name.into() });
        d
    };
    // Several findings share one range; the one asked for is not the first of them.
    let mut current: Vec<Diagnostic> = (0..2000).rev().map(|i| fix_at("Nope", i)).collect();
    current.push(fix_at("Impact", 500));
    current.push(fix_at("Other", 500));
    sort_for_lookup(&mut current);
    let impact = Fix::InsertSection {
        name: "Impact".into(),
    };
    assert_eq!(
        checked_actions(&ctx, &current, &(500..501), &impact).len(),
        1
    );
    assert_eq!(
        checked_actions(&ctx, &current, &(501..502), &impact),
        Vec::new()
    );
    assert_eq!(
        checked_actions(&ctx, &current, &(500..502), &impact),
        Vec::new()
    );
}

#[test]
fn a_long_timeline_is_sorted_in_one_walk() {
    // 20,000 entries in reverse order: each line's time is looked up once, not searched for.
    let mut entries = String::new();
    for i in (0..20_000).rev() {
        entries.push_str(&format!(
            "{:02}:{:02}  (source: alert) e{i}\n",
            9 + i / 1500,
            i / 25 % 60
        ));
    }
    let text = VALID.replacen("```\n09:22", &format!("```\n{entries}09:22"), 1);
    let env = Env::fixed();
    let doc = parse(&text);
    let ctx = Ctx::new(&text, &doc, &env);
    let edit = reorder::sort_timeline(&ctx).expect("out of order");
    let sorted = apply(&text, &[edit]);
    let times: Vec<&str> = sorted
        .lines()
        .filter(|l| l.contains("(source: alert) e"))
        .map(|l| &l[..5])
        .collect();
    assert_eq!(times.len(), 20_000);
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
}
