//! Helpers for the feature tests: clients with chosen capabilities, positions in either
//! encoding, applying the edits a server returns, and a document with CJK and emoji.

use super::{Client, VALID, example_uri, position, range};
use chrono::{Timelike, Utc};
use serde_json::{Value, json};

/// A client negotiating UTF-8 or UTF-16 columns, with or without snippet support.
pub fn client(utf8: bool, snippets: bool) -> Client {
    let encodings = if utf8 { vec!["utf-8"] } else { vec!["utf-16"] };
    let (client, _) = Client::start_with(json!({
        "general": { "positionEncodings": encodings },
        "textDocument": { "completion": { "completionItem": { "snippetSupport": snippets } } },
    }));
    client
}

/// `text` opened as a post-mortem named `name` in the example workspace.
pub fn opened(client: &mut Client, name: &str, text: &str) -> String {
    let uri = example_uri(name);
    client.open(&uri, 1, text);
    uri
}

pub fn at(text: &str, offset: usize, utf16: bool) -> Value {
    let (line, character) = position(text, offset, utf16);
    json!({ "line": line, "character": character })
}

pub fn span(text: &str, start: usize, end: usize, utf16: bool) -> Value {
    range(position(text, start, utf16), position(text, end, utf16))
}

/// The byte offset of an LSP position (the inverse of [`position`], for `\n` texts).
pub fn offset(text: &str, pos: &Value, utf16: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let mut col = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut at = start;
    for c in text[start..].chars().take_while(|&c| c != '\n') {
        let width = if utf16 { c.len_utf16() } else { c.len_utf8() };
        if col < width {
            break;
        }
        col -= width;
        at += c.len_utf8();
    }
    at
}

/// `text` with LSP text edits applied (they do not overlap).
pub fn apply(text: &str, edits: &[Value], utf16: bool) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let new = e["newText"].as_str().unwrap();
            (
                offset(text, &r["start"], utf16),
                offset(text, &r["end"], utf16),
                new,
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

pub fn doc_params(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri } })
}

pub fn position_params(uri: &str, text: &str, offset: usize, utf16: bool) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": at(text, offset, utf16) })
}

/// VALID with CJK and emoji before the positions the tests use.
pub fn emoji_doc() -> String {
    VALID
        .replacen(
            "09:26  (source: alert) CheckoutLatencyP99 fires",
            "09:26  (source: alert) 🚨 CheckoutLatencyP99 障害 fires",
            1,
        )
        .replacen(
            "| @maria.k | Pool saturation alert, PAY-412 | 2026-03-21 |",
            "| @maria.k | 池 saturation alert 🚨, PAY-412 | 2026-03-21 |",
            1,
        )
        .replacen(
            "- Mitigation: rollback to",
            "- Mitigation: 🔙 巻き戻し rollback to",
            1,
        )
}

/// Minutes since midnight of an `HH:MM` label.
pub fn minutes(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

/// Whether `HH:MM` is the current UTC minute (or the one before, if the clock ticked).
pub fn is_now(hhmm: &str) -> bool {
    let now = Utc::now();
    let now = (now.hour() * 60 + now.minute()) as i64;
    (now - minutes(hhmm)).rem_euclid(1440) <= 1
}
