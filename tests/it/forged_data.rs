//! Untrusted `Diagnostic.data`, over stdio with the real binary: a quick fix comes back from
//! the client in the diagnostic's `data`, so it may be forged (wrong types, huge or negative
//! numbers, names the template never had, ranges outside the document, another problem's
//! range) or stale (the document changed, the template was reloaded). Each such request gets
//! a well-formed answer with no quick fix, the genuine fix still gets its action, and the
//! server keeps serving.

use crate::common;

use common::features::{apply, client, opened};
use common::{Client, VALID, file_uri, range};
use serde_json::{Value, json};
use std::path::Path;

/// The quick fixes the server offers for `diagnostics` (only that kind, so fix-all, which
/// comes from the document and not from the data, stays out). `None` when the answer is an
/// error; the test fails when it is neither a list, `null` nor an error.
fn quick_fixes(client: &mut Client, uri: &str, diagnostics: &[Value]) -> Option<Vec<Value>> {
    let params = json!({
        "textDocument": { "uri": uri },
        "range": range((0, 0), (0, 0)),
        "context": { "diagnostics": diagnostics, "only": ["quickfix"] },
    });
    let response = client.request("textDocument/codeAction", params);
    if response.get("error").is_some() {
        assert!(response["error"]["code"].is_i64(), "{response}");
        return None;
    }
    match &response["result"] {
        Value::Null => Some(Vec::new()),
        Value::Array(actions) => Some(actions.clone()),
        other => panic!("not a code action answer: {other}"),
    }
}

fn titles(actions: &[Value]) -> Vec<&str> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

/// `diagnostic` with its `data` replaced.
fn with_data(diagnostic: &Value, data: Value) -> Value {
    let mut d = diagnostic.clone();
    d["data"] = data;
    d
}

#[test]
fn forged_fixes_get_no_action_and_the_server_keeps_serving() {
    let mut client = client(false, true);
    let text =
        VALID
            .replacen("## Impact", "## Impactt", 1)
            .replacen("| production |", "| prod |", 1);
    let uri = opened(&mut client, "postmortem_2026-03-14_forged.md", &text);
    let published = client.diagnostics(&uri, Some(1));
    let find = |code: &str| {
        published
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {published:?}"))
            .clone()
    };
    let missing = find("missing-section");
    let invalid = find("invalid-value");
    assert_eq!(
        missing["data"],
        json!({ "fix": "insert-section", "name": "Impact" })
    );

    // The genuine fix works.
    let actions = quick_fixes(&mut client, &uri, std::slice::from_ref(&missing)).unwrap();
    assert_eq!(titles(&actions), ["Insert the `## Impact` section"]);
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    assert!(apply(&text, edits, true).contains("\n## Impact\n"));

    // Keys the fix does not have are ignored: this is the genuine fix.
    let extra = with_data(
        &missing,
        json!({ "fix": "insert-section", "name": "Impact", "index": 18_446_744_073_709_551_615u64 }),
    );
    let actions = quick_fixes(&mut client, &uri, &[extra]).unwrap();
    assert_eq!(titles(&actions), ["Insert the `## Impact` section"]);
    // A reversed range is read as the same span (as for edits).
    let mut reversed = missing.clone();
    reversed["range"] =
        json!({ "start": missing["range"]["end"], "end": missing["range"]["start"] });
    let actions = quick_fixes(&mut client, &uri, &[reversed]).unwrap();
    assert_eq!(titles(&actions), ["Insert the `## Impact` section"]);

    let huge = json!({ "line": 4_294_967_295u64, "character": 4_294_967_295u64 });
    let mut forged: Vec<Value> = [
        json!({ "fix": "insert-section", "index": 99 }),
        json!({ "fix": "insert-section", "index": 1 }),
        json!({ "fix": "insert-section", "index": -1 }),
        json!({ "fix": "insert-section", "index": 1e300 }),
        json!({ "fix": "insert-section", "name": "Nope" }),
        json!({ "fix": "insert-section", "name": 12 }),
        json!({ "fix": "insert-section", "name": null }),
        json!({ "fix": "insert-field", "name": "Severity" }),
        json!({ "fix": "insert-field", "index": 4 }),
        json!({ "fix": "choose", "values": "x", "preferred": 1 }),
        json!({ "fix": "choose", "values": ["production"], "preferred": true }),
        json!({ "fix": "replace", "text": "## Owned" }),
        json!({ "fix": "rename", "name": "../../../etc/passwd" }),
        json!({ "fix": "now" }),
        json!({ "fix": "sort-timeline" }),
        json!({ "fix": "reorder-sections" }),
        json!({ "fix": "nope" }),
        json!({ "fix": 7 }),
        json!({}),
        json!([]),
        json!("insert-section"),
        json!(null),
        json!(-1),
        json!({ "fix": { "fix": "insert-section" } }),
    ]
    .into_iter()
    .map(|data| with_data(&missing, data))
    .collect();
    // The genuine data at places it was not given for.
    let mut moved = missing.clone();
    moved["range"] = range((2, 0), (2, 9));
    forged.push(moved);
    let mut outside = missing.clone();
    outside["range"] = json!({ "start": huge, "end": huge });
    forged.push(outside);
    let mut swapped = invalid.clone();
    swapped["data"] = missing["data"].clone();
    forged.push(swapped);
    let mut other = missing.clone();
    other["data"] = invalid["data"].clone();
    forged.push(other);
    for d in &forged {
        let answer = quick_fixes(&mut client, &uri, std::slice::from_ref(d));
        assert_eq!(answer, Some(Vec::new()), "forged: {d}");
    }
    // All at once, with the genuine two: exactly the genuine actions.
    let mut all = forged.clone();
    all.push(missing.clone());
    all.push(invalid.clone());
    let actions = quick_fixes(&mut client, &uri, &all).unwrap();
    assert_eq!(
        titles(&actions),
        [
            "Insert the `## Impact` section",
            "Write `production`",
            "Write `staging`"
        ]
    );

    // Positions that are not positions: an error answer (invalid params), not a crash.
    for bad in [
        json!({ "start": { "line": -1, "character": 0 }, "end": { "line": 0, "character": 0 } }),
        json!({ "start": { "line": 1e300, "character": 0 }, "end": huge }),
        json!({ "start": { "line": 5_000_000_000u64, "character": 0 }, "end": huge }),
        json!("everywhere"),
    ] {
        let mut d = missing.clone();
        d["range"] = bad.clone();
        assert_eq!(quick_fixes(&mut client, &uri, &[d]), None, "{bad}");
    }
    client.assert_serving("after-forged-data");
}

#[test]
fn a_fix_for_text_that_changed_since_is_refused() {
    let mut client = client(false, true);
    let text = VALID.replacen("| production |", "| prod |", 1);
    let uri = opened(&mut client, "postmortem_2026-03-14_stale.md", &text);
    let published = client.diagnostics(&uri, Some(1));
    let invalid: Vec<Value> = published
        .iter()
        .filter(|d| d["code"] == "invalid-value")
        .cloned()
        .collect();
    assert_eq!(invalid.len(), 1, "{published:?}");
    // The user fixes the value by hand; the editor still holds the old diagnostic.
    client.change(&uri, 2, vec![json!({ "text": VALID })]);
    assert_eq!(client.diagnostics(&uri, Some(2)), Vec::<Value>::new());
    assert_eq!(quick_fixes(&mut client, &uri, &invalid), Some(Vec::new()));
    // A line above the value grows: the range no longer points at the value.
    let shifted = text.replacen("## Header", "## Header\n\nNote.", 1);
    client.change(&uri, 3, vec![json!({ "text": shifted })]);
    let now = client.diagnostics(&uri, Some(3));
    assert!(now.iter().any(|d| d["code"] == "invalid-value"), "{now:?}");
    assert_eq!(quick_fixes(&mut client, &uri, &invalid), Some(Vec::new()));
    // The fresh diagnostic does get its fix.
    let fresh: Vec<Value> = now
        .into_iter()
        .filter(|d| d["code"] == "invalid-value")
        .collect();
    let actions = quick_fixes(&mut client, &uri, &fresh).unwrap();
    assert_eq!(titles(&actions), ["Write `production`", "Write `staging`"]);
}

const DOC: &str = "incidents/review_2026-05-02_queue-stall.md";

#[test]
fn a_fix_for_a_section_or_field_the_reloaded_template_dropped_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let team = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/team");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("incidents")).unwrap();
    for file in [".postmortem.toml", "incident-template.md"] {
        std::fs::copy(team.join(file), root.join(file)).unwrap();
    }
    // The review without its last section and without its `Customer tier` row.
    let review = std::fs::read_to_string(team.join(DOC)).unwrap();
    let comms = review.find("## Customer comms").unwrap();
    let text = review[..comms].replace("| Customer tier | enterprise |\n", "");
    std::fs::write(root.join(DOC), &text).unwrap();

    let (mut client, _) = Client::start_in(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
        &[root],
        &[],
    );
    let uri = file_uri(&root.join(DOC));
    client.open(&uri, 1, &text);
    let published = client.diagnostics(&uri, Some(1));
    let stale: Vec<Value> = published
        .iter()
        .filter(|d| d["data"]["fix"] == "insert-section" || d["data"]["fix"] == "insert-field")
        .cloned()
        .collect();
    let data: Vec<&Value> = stale.iter().map(|d| &d["data"]).collect();
    assert_eq!(
        data,
        [
            &json!({ "fix": "insert-section", "name": "Customer comms" }),
            &json!({ "fix": "insert-field", "name": "Customer tier" }),
        ],
        "{published:?}"
    );
    assert_eq!(quick_fixes(&mut client, &uri, &stale).unwrap().len(), 2);

    // The template loses that section and that row (so an index into the old lists would
    // now be out of range), and is reloaded.
    let template = std::fs::read_to_string(root.join("incident-template.md")).unwrap();
    let cut = template.find("## Customer comms").unwrap();
    let shorter = template[..cut].replace("| Customer tier | enterprise / business / free |\n", "");
    std::fs::write(root.join("incident-template.md"), shorter).unwrap();
    let changes = [json!({ "uri": file_uri(&root.join("incident-template.md")), "type": 2 })];
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
    let after = client.diagnostics(&uri, Some(1));
    assert!(
        after
            .iter()
            .all(|d| d["code"] != "missing-section" && d["code"] != "missing-field"),
        "{after:?}"
    );
    assert_eq!(quick_fixes(&mut client, &uri, &stale), Some(Vec::new()));
    client.assert_serving("after-template-reload");
}
