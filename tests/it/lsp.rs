//! End-to-end tests of the language server: the real binary driven over stdio.

use crate::common;

use common::{Client, VALID, example_uri, position, range};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::time::Duration;

const SECTION_CODES: &[&str] = &[
    "missing-section",
    "duplicate-section",
    "section-order",
    "empty-section",
];

/// The section diagnostics (the checks these tests rely on) as `(code, range)`.
fn section_problems(diagnostics: &[Value]) -> Vec<(String, Value)> {
    diagnostics
        .iter()
        .filter(|d| SECTION_CODES.iter().any(|c| d["code"] == *c))
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["range"].clone(),
            )
        })
        .collect()
}

/// `VALID` without its `## Impact` section.
fn without_impact() -> String {
    let start = VALID.find("## Impact\n").expect("VALID has ## Impact");
    let end = start
        + VALID[start..]
            .find("\n## Root cause")
            .expect("Root cause follows")
        + 1;
    format!("{}{}", &VALID[..start], &VALID[end..])
}

/// The H1 text's range (after `# `) in UTF-16 units.
fn title_range(text: &str) -> Value {
    let title = text.lines().next().unwrap_or_default();
    let units = title.encode_utf16().count() as u32;
    range((0, 2), (0, units))
}

#[test]
fn initialize_negotiates_the_position_encoding() {
    let (_default, result) = Client::start(None);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(result["serverInfo"]["name"], "postmortem-lsp");
    let (_utf8, result) = Client::start(Some(&["utf-16", "utf-8"]));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let (_utf32, result) = Client::start(Some(&["utf-32"]));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn open_change_and_close_publish_exact_diagnostics() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_open-change-close.md");
    let text = without_impact();
    client.open(&uri, 1, &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(
        section_problems(&diagnostics),
        vec![("missing-section".to_string(), title_range(&text))]
    );
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "missing-section")
        .unwrap();
    assert_eq!(missing["severity"], 1);
    assert_eq!(missing["source"], "postmortem");
    assert!(
        missing["message"].as_str().unwrap().contains("## Impact"),
        "{missing}"
    );

    // Add an empty `## Impact` before `## Root cause`: now it is empty, not missing.
    let at = text.find("## Root cause").unwrap();
    let (line, _) = position(&text, at, true);
    client.change(
        &uri,
        2,
        vec![json!({ "range": range((line, 0), (line, 0)), "text": "## Impact\n\n" })],
    );
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(
        section_problems(&diagnostics),
        vec![("empty-section".to_string(), range((line, 3), (line, 9)))]
    );

    // Fill it in: no section problems left.
    client.change(
        &uri,
        3,
        vec![json!({ "range": range((line + 1, 0), (line + 1, 0)), "text": "- none\n" })],
    );
    assert_eq!(section_problems(&client.diagnostics(&uri, Some(3))), vec![]);

    client.close(&uri);
    assert_eq!(client.diagnostics(&uri, None), Vec::<Value>::new());
}

#[test]
fn the_example_post_mortem_is_clean() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_checkout-timeouts.md");
    client.open(&uri, 1, VALID);
    assert_eq!(client.diagnostics(&uri, Some(1)), Vec::<Value>::new());
}

#[test]
fn other_markdown_gets_an_empty_list() {
    let (mut client, _) = Client::start(None);
    let readme = "file:///tmp/postmortem-lsp-test/README.md";
    client.open(
        readme,
        1,
        "# Project\n\nSome text.\n\n## Usage\n\nRun it.\n",
    );
    assert_eq!(client.diagnostics(readme, Some(1)), Vec::<Value>::new());

    // A scratch file whose title makes it a post-mortem, until the title changes.
    let notes = "untitled:Untitled-1";
    client.open(notes, 1, "# Post-mortem: draft\n");
    assert!(!client.diagnostics(notes, Some(1)).is_empty());
    client.change(
        notes,
        2,
        vec![json!({ "range": range((0, 2), (0, 20)), "text": "Notes" })],
    );
    assert_eq!(client.diagnostics(notes, Some(2)), Vec::<Value>::new());
}

#[test]
fn ranges_follow_the_negotiated_encoding() {
    let text = "# Post-mortem 🚒 障害\n\n## Header\n";
    for (offered, end) in [(None, 19), (Some(&["utf-8"][..]), 25)] {
        let (mut client, _) = Client::start(offered);
        let uri = example_uri("postmortem_2026-03-14_encodings.md");
        client.open(&uri, 1, text);
        let problems = section_problems(&client.diagnostics(&uri, Some(1)));
        let missing: Vec<_> = problems
            .iter()
            .filter(|(c, _)| c == "missing-section")
            .collect();
        assert_eq!(missing.len(), 10, "every section but Header: {problems:?}");
        assert!(
            missing.iter().all(|(_, r)| *r == range((0, 2), (0, end))),
            "{problems:?}"
        );
        assert!(problems.contains(&("empty-section".to_string(), range((2, 3), (2, 9)))));
    }
}

#[test]
fn versions_that_go_backwards_are_ignored() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_versions.md");
    client.open(&uri, 1, &without_impact());
    client.change(&uri, 3, vec![json!({ "text": VALID })]);
    client.change(&uri, 2, vec![json!({ "text": "# Post-mortem: stale\n" })]);
    // Positions valid in VALID (version 3), not in the stale text: blank the Impact heading.
    let at = VALID.find("## Impact").unwrap();
    let (line, _) = position(VALID, at, true);
    client.change(
        &uri,
        4,
        vec![json!({ "range": range((line, 3), (line, 9)), "text": "Effects" })],
    );
    let diagnostics = client.diagnostics(&uri, Some(4));
    let problems = section_problems(&diagnostics);
    let missing: Vec<_> = problems
        .iter()
        .filter(|(c, _)| c == "missing-section")
        .collect();
    assert_eq!(missing.len(), 1, "only Impact is missing: {problems:?}");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["message"].as_str().unwrap_or("").contains("## Impact"))
    );
    let stale: Vec<_> = client
        .published_so_far(&uri)
        .into_iter()
        .filter(|m| m["params"]["version"] == 2)
        .collect();
    assert!(
        stale.is_empty(),
        "published for the ignored version: {stale:?}"
    );
}

#[test]
fn a_burst_of_edits_is_applied_in_order() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_burst.md");
    client.open(&uri, 1, "# Post-mortem\n\n## Header\n");
    // Each edit appends to the title at the column the previous one left: any edit applied
    // out of order (or dropped as "older") leaves the title shorter than expected.
    let mut col = 13;
    for version in 2..=301 {
        let piece = if version % 3 == 0 { "🚒" } else { "x" };
        client.change(
            &uri,
            version,
            vec![json!({ "range": range((0, col), (0, col)), "text": piece })],
        );
        col += piece.encode_utf16().count() as u32;
    }
    let problems = section_problems(&client.diagnostics(&uri, Some(301)));
    assert!(
        problems.contains(&("missing-section".to_string(), range((0, 2), (0, col)))),
        "{problems:?}"
    );
}

#[test]
fn positions_past_the_end_are_clamped() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_clamp.md");
    client.open(&uri, 1, "# Post-mortem 🚒\n\n## Header\n");
    client.diagnostics(&uri, Some(1));
    // Past the end of line 0: appended to the title.
    client.change(
        &uri,
        2,
        vec![json!({ "range": range((0, 999), (0, 999)), "text": " 障" })],
    );
    let problems = section_problems(&client.diagnostics(&uri, Some(2)));
    assert!(
        problems.contains(&("missing-section".to_string(), range((0, 2), (0, 18)))),
        "{problems:?}"
    );
    // Past the last line: appended to the text.
    client.change(
        &uri,
        3,
        vec![json!({ "range": range((999, 5), (1000, 0)), "text": "\n## Impact\n" })],
    );
    let problems = section_problems(&client.diagnostics(&uri, Some(3)));
    assert!(
        problems.contains(&("empty-section".to_string(), range((4, 3), (4, 9)))),
        "{problems:?}"
    );
    // A reversed range is the same span swapped.
    client.change(
        &uri,
        4,
        vec![json!({ "range": range((2, 99), (2, 3)), "text": "Timeline (UTC)" })],
    );
    let problems = section_problems(&client.diagnostics(&uri, Some(4)));
    assert!(
        problems.contains(&("empty-section".to_string(), range((2, 3), (2, 17)))),
        "{problems:?}"
    );
    let response = client.request("shutdown", Value::Null);
    assert!(response.get("error").is_none(), "{response}");
}

#[test]
fn shutdown_then_exit_ends_with_code_zero() {
    let (mut client, _) = Client::start(None);
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    assert!(response.get("error").is_none());
    client.notify("exit", Value::Null);
    let status = client
        .wait_exit(Duration::from_secs(5))
        .expect("exits after `exit`");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let (mut client, _) = Client::start(None);
    client.notify("exit", Value::Null);
    let status = client
        .wait_exit(Duration::from_secs(5))
        .expect("exits after `exit`");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_process() {
    let (mut client, _) = Client::start(None);
    client.close_stdin();
    assert!(
        client.wait_exit(Duration::from_secs(5)).is_some(),
        "still running after stdin closed"
    );
}

/// A short post-mortem, dense in headings, multibyte characters and every kind of line
/// break, so that most random edits change what the section checks report (the title is the
/// anchor of every `missing-section`, and heading names carry `empty-section`).
const PROP_START: &str = "# Post-mortem 🚒 障害 é\r\n\r\n## Header\n\n障 🚒 x\n## Timeline (UTC)\r\n\r\n\
    ## Detection\r🚒\r## Impact\n\n- é 障\n## Root cause\n## Repair\n\nx\n";

/// Pieces random edits insert: multibyte characters, line breaks of every kind, headings.
const PIECES: &[&str] = &[
    "🚒",
    "障",
    "é",
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "## Impact\n",
    "## Repair\n",
    "\n## ",
];

/// One random edit: where (a fraction of the text), how much to delete, and what to insert.
fn edit_strategy() -> impl Strategy<Value = (f64, usize, String)> {
    let insert = prop::collection::vec(prop::sample::select(PIECES), 0..4).prop_map(|v| v.concat());
    (0.0..1.0f64, prop_oneof![0..4usize, 0..60usize], insert)
}

/// Snaps `offset` to a char boundary that is not between the `\r` and `\n` of a CRLF (no
/// LSP position names that spot).
fn snap(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset)
        || (text[..offset].ends_with('\r') && text[offset..].starts_with('\n'))
    {
        offset -= 1;
    }
    offset
}

fn incremental_edits_match_a_fresh_open(utf16: bool) {
    let offered: &[&str] = if utf16 {
        &["utf-16"]
    } else {
        &["utf-8", "utf-16"]
    };
    let client = RefCell::new(Client::start(Some(offered)).0);
    let case = RefCell::new(0);
    let strategy = prop::collection::vec(prop::collection::vec(edit_strategy(), 1..4), 1..8);
    let mut runner = TestRunner::new(Config {
        cases: 8,
        ..Config::default()
    });
    let outcome = runner.run(&strategy, |batches| {
        let mut client = client.borrow_mut();
        *case.borrow_mut() += 1;
        let uri = example_uri(&format!(
            "postmortem_2026-03-14_prop-{utf16}-{}.md",
            case.borrow()
        ));
        let mut model = PROP_START.to_string();
        client.open(&uri, 1, &model);
        let mut version = 1;
        for batch in batches {
            let mut changes = Vec::new();
            for (at, delete, insert) in batch {
                let start = snap(&model, (at * model.len() as f64) as usize);
                let end = snap(&model, start + delete);
                let lsp_range = range(position(&model, start, utf16), position(&model, end, utf16));
                changes.push(json!({ "range": lsp_range, "text": insert }));
                model.replace_range(start..end, &insert);
            }
            version += 1;
            client.change(&uri, version, changes);
        }
        let incremental = client.diagnostics(&uri, Some(version));
        client.close(&uri);
        client.diagnostics(&uri, None);
        client.open(&uri, version + 1, &model);
        let fresh = client.diagnostics(&uri, Some(version + 1));
        prop_assert_eq!(incremental, fresh);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[test]
fn incremental_edits_match_a_fresh_open_utf16() {
    incremental_edits_match_a_fresh_open(true);
}

#[test]
fn incremental_edits_match_a_fresh_open_utf8() {
    incremental_edits_match_a_fresh_open(false);
}
