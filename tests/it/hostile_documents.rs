//! Hostile documents against the real binary: 10 MB, a 1 MB line, 100,000 table rows, 10,000
//! nested block quotes and lists, NUL bytes, emoji everywhere. Each gets its diagnostics
//! (a hang fails the test by timeout; a stack overflow or panic would kill the server), the
//! document answers requests, and the server keeps serving.
//!
//! Speed is proven by the benchmarks, not here: the waits are generous on purpose (a debug
//! build answers a 23 MB symbol list slowly), but a hang still fails.

use crate::common;

use common::raw::HEAVY;
use common::{Client, VALID, example_uri};
use serde_json::{Value, json};

/// `VALID` with `extra` inserted before the line that starts with `before`.
fn with_before(text: &str, before: &str, extra: &str) -> String {
    let at = text
        .find(&format!("\n{before}"))
        .unwrap_or_else(|| panic!("no line {before:?}"))
        + 1;
    format!("{}{extra}{}", &text[..at], &text[at..])
}

/// Opens `text` in a fresh server, waits for its diagnostics, asks for its symbols, folding
/// ranges and formatting, and checks the server still serves. Returns the diagnostics.
fn survives(name: &str, text: &str) -> Vec<Value> {
    let (mut client, _) = Client::start(None);
    let uri = example_uri(&format!("postmortem_2026-03-14_{name}.md"));
    client.open(&uri, 1, text);
    let diagnostics = client.diagnostics_within(&uri, 1, HEAVY);
    let doc = json!({ "textDocument": { "uri": uri } });
    for method in [
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/formatting",
    ] {
        let mut params = doc.clone();
        params["options"] = json!({ "tabSize": 4, "insertSpaces": true });
        let response = client.request_within(method, params, HEAVY);
        assert!(response["result"].is_array(), "{name} {method}: {response}");
    }
    // An edit at the very end is analysed as well.
    let end = common::position(text, text.len(), true);
    client.change(
        &uri,
        2,
        vec![json!({ "range": common::range(end, end), "text": "\n" })],
    );
    client.diagnostics_within(&uri, 2, HEAVY);
    client.assert_serving(&format!("after-{name}"));
    diagnostics
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    let mut codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

#[test]
fn ten_megabytes() {
    let mut timeline = String::new();
    let mut rows = String::new();
    for i in 0..20_000 {
        timeline.push_str(&format!(
            "10:20  (source: Slack #ops-incident) follow-up note {i} 🚒 `x|y`\n"
        ));
        rows.push_str(&format!("| @sam | Action {i}, OPS-{i} | 2026-04-13 |\n"));
    }
    let mut text = with_before(VALID, "10:20  (source: Slack", &timeline);
    text = with_before(&text, "\n## What went well", &rows);
    let mut prose = String::new();
    let line = "- A long impact line with `code`, a | pipe, ## hashes and 障害 🚒 text.\n";
    while text.len() + prose.len() < 10_000_000 {
        prose.push_str(line);
    }
    text = with_before(&text, "\n## Root cause", &prose);
    assert!(text.len() >= 10_000_000);
    let diagnostics = survives("ten-megabytes", &text);
    // The timeline entries at 10:20 follow the 10:20 closing entry: in order, so quiet;
    // the document as a whole still analyses like the valid one it extends.
    assert!(
        !codes(&diagnostics).contains(&"missing-section"),
        "{:?}",
        codes(&diagnostics)
    );
}

#[test]
fn a_one_megabyte_line() {
    let prose = format!("{}\n", "word `tick` | pipe 🚒 ".repeat(1 << 20 >> 5));
    survives("long-prose", &with_before(VALID, "\n## Root cause", &prose));
    // The same length as a table row of 250,000 cells, in the Header table.
    let row = format!("| Severity {}|\n", "| x ".repeat(1 << 18));
    let diagnostics = survives(
        "long-row",
        &with_before(VALID, "| Deploy SHA at incident start", &row),
    );
    assert!(
        !diagnostics.is_empty(),
        "a second Severity row is a problem"
    );
}

#[test]
fn a_hundred_thousand_table_rows() {
    let mut rows = String::with_capacity(6_000_000);
    for i in 0..100_000 {
        rows.push_str(&format!("| @sam | Action {i}, OPS-{i} | 2026-04-13 |\n"));
    }
    let text = with_before(VALID, "\n## What went well", &rows);
    let diagnostics = survives("many-rows", &text);
    assert!(
        !codes(&diagnostics).contains(&"missing-section"),
        "{:?}",
        codes(&diagnostics)
    );
}

#[test]
fn ten_thousand_nested_block_quotes_and_lists() {
    for (name, nested) in [
        ("quotes", format!("{}deep\n", "> ".repeat(10_000))),
        ("bullets", format!("{}deep\n", "- ".repeat(10_000))),
        ("numbers", format!("{}deep\n", "1. ".repeat(10_000))),
        (
            "quote-lines",
            (1..=10_000)
                .map(|i| format!("{}q\n", ">".repeat(i % 200 + 1)))
                .collect(),
        ),
        (
            "brackets",
            format!("{}x{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        (
            "emphasis",
            format!("{}x{}\n", "*_".repeat(10_000), "_*".repeat(10_000)),
        ),
    ] {
        // In the preamble, in a section, and in a table cell.
        let text = with_before(VALID, "\n## Header", &nested);
        survives(&format!("nested-{name}-top"), &text);
        let text = with_before(VALID, "\n## Root cause", &nested);
        survives(&format!("nested-{name}-section"), &text);
    }
    let cell = format!("| Severity | {} |\n", "> ".repeat(10_000));
    survives("nested-cell", &with_before(VALID, "| Deploy SHA", &cell));
}

#[test]
fn nul_bytes_and_control_characters() {
    let text = VALID
        .replacen("# Post-mortem", "# Post-mortem\0", 1)
        .replacen("| High |", "| Hi\0gh |", 1)
        .replacen("09:26  (source", "09:26\0 (source", 1)
        .replacen("## Impact", "## Imp\0act", 1)
        .replace("timeout", "time\0\u{1b}[31mout\u{7f}");
    let diagnostics = survives("nul", &text);
    // The damaged Severity value and section name are reported, not silently accepted.
    assert!(!diagnostics.is_empty());
    let all_nul = "\0".repeat(100_000);
    survives(
        "only-nul",
        &format!("# Post-mortem\n{all_nul}\n## Header\n{all_nul}"),
    );
}

#[test]
fn emoji_and_combining_characters_everywhere() {
    // Every field value, cell and entry begins and ends with astral characters and
    // combining marks, so every range the server computes has a multibyte edge.
    let text: String = VALID
        .split_inclusive('\n')
        .map(|line| {
            line.replace("| ", "| 🚒e\u{301}")
                .replace(" |", "👩‍🚒 |")
                .replacen("  (source", " 🇺🇦 (source", 1)
        })
        .collect();
    for utf16 in [true, false] {
        let encodings: &[&str] = if utf16 { &["utf-16"] } else { &["utf-8"] };
        let (mut client, _) = Client::start(Some(encodings));
        let uri = example_uri("postmortem_2026-03-14_emoji-edges.md");
        client.open(&uri, 1, &text);
        let diagnostics = client.diagnostics(&uri, Some(1));
        assert!(!diagnostics.is_empty());
        // Every range lands on a character boundary of the text, in the client's units.
        let ends = common::twin::line_ends(&text, utf16);
        for d in &diagnostics {
            for end in ["start", "end"] {
                let pos = &d["range"][end];
                let line = pos["line"].as_u64().unwrap() as u32;
                let col = pos["character"].as_u64().unwrap() as u32;
                let offset = common::twin::clamp(&text, (line, col), utf16);
                assert_eq!(
                    common::position(&text, offset, utf16),
                    (line, col),
                    "{d} is not on a boundary"
                );
                assert!(col <= ends[line as usize].1, "{d}");
            }
        }
    }
}

/// An editor asks for the code actions of a whole-document selection with every finding in
/// it: 800 timeline entries out of order, each carrying the fix that sorts them all, once
/// made as many whole-Timeline edits (5,000 of them did not answer in a minute).
#[test]
fn code_actions_for_thousands_of_findings_offer_each_document_wide_fix_once() {
    let mut lines = String::new();
    for i in (0..800).rev() {
        lines.push_str(&format!(
            "{:02}:{:02}  (source: alert) step {i}\n",
            9 + i / 60,
            i % 60
        ));
    }
    let text = VALID.replacen("```\n09:22", &format!("```\n{lines}09:22"), 1);
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_many-fixes.md");
    client.open(&uri, 1, &text);
    let diagnostics = client.diagnostics_within(&uri, 1, HEAVY);
    let order = diagnostics
        .iter()
        .filter(|d| d["code"] == "timeline-order")
        .count();
    assert!(order > 500, "{order}");
    let end = common::position(&text, text.len(), true);
    let response = client.request_within(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": common::range((0, 0), end),
            "context": { "diagnostics": diagnostics, "only": ["quickfix"] },
        }),
        std::time::Duration::from_secs(20),
    );
    let actions = response["result"].as_array().expect("actions");
    let sorts = actions
        .iter()
        .filter(|a| a["title"] == "Sort the timeline by time")
        .count();
    assert_eq!(sorts, 1, "{}", actions.len());
    client.assert_serving("after-many-fixes");
}
