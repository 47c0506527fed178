//! Hostile positions and edits against the real binary: positions past the end of a line or
//! of the document, inside a surrogate pair or a UTF-8 sequence, reversed ranges, and
//! notifications for documents that are not open. Positions are clamped (and get the answer
//! at the clamped place), and the server's text stays exactly the client's.

use crate::common;

use common::features::{client, emoji_doc};
use common::twin::{Pos, Twin, clamp, line_ends};
use common::{Client, VALID, example_uri, range};
use serde_json::{Value, json};

/// The emoji document with a CRLF before every section heading.
fn mixed_breaks() -> String {
    emoji_doc().replace("\n## ", "\r\n## ")
}

fn at(uri: &str, (line, character): Pos) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

#[test]
fn positions_past_the_end_get_the_answer_at_the_end() {
    let text = mixed_breaks();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = example_uri("postmortem_2026-03-14_past-end.md");
        client.open(&uri, 1, &text);
        let ends = line_ends(&text, utf16);
        let last = *ends.last().unwrap();
        let mut asked: Vec<(Pos, Pos)> = Vec::new();
        for &(line, end) in &ends {
            asked.push(((line, end + 1), (line, end)));
            asked.push(((line, u32::MAX), (line, end)));
        }
        asked.push(((ends.len() as u32, 0), last));
        asked.push(((u32::MAX, u32::MAX), last));
        let mut answered = 0;
        for (past, end) in asked {
            for method in ["textDocument/hover", "textDocument/completion"] {
                let got = client.request(method, at(&uri, past));
                let want = client.request(method, at(&uri, end));
                assert!(got.get("error").is_none(), "{method} {past:?}: {got}");
                assert_eq!(
                    got["result"], want["result"],
                    "{method} {past:?} vs {end:?}"
                );
                answered += usize::from(!got["result"].is_null());
            }
        }
        assert!(
            answered > 20,
            "too few non-empty answers to prove much: {answered}"
        );
        // Inlay hints: a range far past the end, and the same range reversed, are the
        // whole document.
        let hints = |client: &mut Client, r: Value| {
            client.request(
                "textDocument/inlayHint",
                json!({ "textDocument": { "uri": uri }, "range": r }),
            )["result"]
                .clone()
        };
        let whole = hints(&mut client, range((0, 0), last));
        assert!(whole.as_array().is_some_and(|h| h.len() >= 7), "{whole}");
        assert_eq!(
            hints(&mut client, range((0, 0), (u32::MAX, u32::MAX))),
            whole
        );
        assert_eq!(hints(&mut client, range((u32::MAX, 0), (0, 0))), whole);
    }
}

#[test]
fn a_column_inside_a_character_means_its_start() {
    let text = mixed_breaks();
    let emoji = text.find("🚨 CheckoutLatencyP99").unwrap();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = example_uri("postmortem_2026-03-14_inside.md");
        client.open(&uri, 1, &text);
        let (line, col) = common::position(&text, emoji, utf16);
        let inside: &[u32] = if utf16 { &[1] } else { &[1, 2, 3] };
        let want = client.request("textDocument/hover", at(&uri, (line, col)));
        let want_completion = client.request("textDocument/completion", at(&uri, (line, col)));
        for d in inside {
            let got = client.request("textDocument/hover", at(&uri, (line, col + d)));
            assert_eq!(got["result"], want["result"], "utf16={utf16} +{d}");
            let got = client.request("textDocument/completion", at(&uri, (line, col + d)));
            assert_eq!(
                got["result"], want_completion["result"],
                "utf16={utf16} +{d}"
            );
        }
    }
}

#[test]
fn reversed_and_out_of_bounds_edits_keep_the_text_exact() {
    let text = mixed_breaks();
    let emoji = text.find("🚨 CheckoutLatencyP99").unwrap();
    for utf16 in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let client = client(!utf16, true);
        let mut twin = Twin::open(client, dir.path(), &text, utf16);
        twin.step(&[]).unwrap();
        let (eline, ecol) = common::position(&text, emoji, utf16);
        let max = u32::MAX;
        let steps: Vec<Vec<(Pos, Pos, &str)>> = vec![
            // Past the end of a line, and of the document.
            vec![((0, 9_999), (0, 9_999), " 障")],
            vec![((9_999, 5), (10_000, 0), "\n## Impact\n")],
            // Reversed, across lines and a CRLF.
            vec![((4, 99), (1, 1), "x\r\ny")],
            // Inside the emoji's surrogate pair or byte sequence: from its start.
            vec![((eline, ecol + 1), (eline, ecol + 3), "🔥")],
            // Several changes, each against the text the previous one left.
            vec![
                ((2, 0), (2, 0), "🚒\r"),
                ((2, max), (3, 0), ""),
                ((3, 2), (2, 1), "é"),
            ],
            vec![((7, 3), (7, 3), "")],
            // Everything, reversed, replaced.
            vec![((max, max), (0, 0), "# Post-mortem 🚒\r\n\r\n## Header\n")],
            vec![((1, 0), (max, 0), "")],
        ];
        for edits in steps {
            let edits: Vec<(Pos, Pos, String)> = edits
                .into_iter()
                .map(|(a, b, t)| (a, b, t.to_string()))
                .collect();
            if let Err(e) = twin.step(&edits) {
                panic!("utf16={utf16} {edits:?}: {e}");
            }
        }
        assert_eq!(twin.text, "# Post-mortem 🚒\r\n");
    }
}

#[test]
fn the_clamping_model_agrees_with_itself() {
    // The test's own model, checked on its own so that a mismatch above blames the server.
    let text = "a🚒\r\nb\rc\n";
    assert_eq!(clamp(text, (0, 2), true), 1);
    assert_eq!(clamp(text, (0, 3), true), 5);
    assert_eq!(clamp(text, (0, 99), false), 5);
    assert_eq!(clamp(text, (1, 0), true), 7);
    assert_eq!(clamp(text, (2, 1), true), 10);
    assert_eq!(clamp(text, (3, 0), true), 11);
    assert_eq!(clamp(text, (4, 0), true), 11);
}

#[test]
fn notifications_for_documents_that_are_not_open_are_ignored() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_ghost.md");
    client.change(&uri, 2, vec![json!({ "text": "# Post-mortem: ghost\n" })]);
    client.change(
        &uri,
        3,
        vec![json!({ "range": range((0, 0), (0, 1)), "text": "x" })],
    );
    client.close(&uri);
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(symbols["result"], Value::Null);
    assert!(client.published_so_far(&uri).is_empty());
    assert!(client.errors_so_far().is_empty());
    // Opening it now starts from the opened text: nothing of the changes above was kept.
    client.open(&uri, 1, VALID);
    assert_eq!(client.diagnostics(&uri, Some(1)), Vec::<Value>::new());
    client.assert_serving("after-ghost-notifications");
}
