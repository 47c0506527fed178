//! Completion as the typist meets it, over stdio with the real binary: each SHA item
//! replaces exactly what was typed in every cell form (applied both as LSP says and as
//! Neovim does, from the edit's start to the cursor), trigger characters never offer an item
//! that would replace typed text, the Detection/Mitigation/Incident date cells offer what
//! the timeline names, and new Prevention rows take their examples from the document.

use crate::common;
use crate::gitrepo;

use common::features::{at, client, opened, position_params};
use common::{Client, VALID, file_uri};
use serde_json::{Value, json};

/// The items at `$0` in `fixture` (the marker removed), in the server's order.
fn items_at(
    client: &mut Client,
    uri: &str,
    fixture: &str,
    context: Value,
) -> (String, usize, Vec<Value>) {
    let cursor = fixture.find("$0").expect("fixture has a $0 cursor");
    let text = fixture.replacen("$0", "", 1);
    client.change(uri, next_version(), vec![json!({ "text": text })]);
    let mut params = json!({ "textDocument": { "uri": uri }, "position": at(&text, cursor, true) });
    if !context.is_null() {
        params["context"] = context;
    }
    let response = client.request("textDocument/completion", params);
    let result = &response["result"];
    // Items answering a trigger character come as an incomplete list (asked again as the
    // user types on); others as a plain array.
    let list = result.get("items").is_some();
    if list {
        assert_eq!(result["isIncomplete"], true, "{result}");
    }
    let items = if list { &result["items"] } else { result };
    let mut items = items.as_array().cloned().unwrap_or_default();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap_or_default().to_string());
    (text, cursor, items)
}

fn next_version() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static VERSION: AtomicI64 = AtomicI64::new(2);
    VERSION.fetch_add(1, Ordering::Relaxed)
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["label"].as_str().unwrap()).collect()
}

/// Byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset_of(text: &str, pos: &Value) -> usize {
    common::features::offset(text, pos, true)
}

/// `text` with `item` accepted as the protocol says (its whole range replaced) and as Neovim
/// 0.11 does (from the range's start to the cursor; what follows the cursor stays).
fn accepted(text: &str, cursor: usize, item: &Value) -> (String, String) {
    let edit = &item["textEdit"];
    let start = offset_of(text, &edit["range"]["start"]);
    let end = offset_of(text, &edit["range"]["end"]);
    let new = edit["newText"].as_str().unwrap();
    assert!(
        start <= cursor && cursor <= end,
        "the edit holds the cursor"
    );
    let mut lsp = text.to_string();
    lsp.replace_range(start..end, new);
    let mut nvim = text.to_string();
    nvim.replace_range(start..cursor, new);
    (lsp, nvim)
}

fn deploy_line(text: &str) -> &str {
    let start = text.find("| Deploy SHA at incident start |").unwrap();
    let line = &text[start..];
    &line[..line.find('\n').unwrap()]
}

#[test]
fn a_sha_item_replaces_exactly_the_typed_sha_in_every_cell_form() {
    let repo = gitrepo::build();
    let mut client = Client::start_in(json!({}), &[], &[]).0;
    let path = repo.write_doc("9f1c2ab7e4d0", "4be07d13a9c2");
    let uri = file_uri(&path);
    let original = std::fs::read_to_string(&path).unwrap();
    client.open(&uri, 1, &original);
    let short = repo.short("c3");
    let (p3, p5) = (&short[..3], &short[..5]);
    let row = |cell: &str| format!("| Deploy SHA at incident start | {cell} |");
    let done = row(&format!("`{short}`"));
    // (cell as typed, whether Neovim's way of applying gives the same result too)
    let forms = [
        (format!("{p3}$0"), true),
        (format!("`{p3}$0"), true),
        (format!("`{p3}$0`"), true),
        (format!("`{p3}`$0"), true),
        (format!("`{p3}$0{}`", &p5[3..]), false),
        (format!("{p3}$0{}", &p5[3..]), false),
    ];
    for (cell, nvim_too) in forms {
        let fixture = original.replacen(&row("`9f1c2ab7e4d0`"), &row(&cell), 1);
        let (text, cursor, items) = items_at(&mut client, &uri, &fixture, Value::Null);
        let item = items
            .iter()
            .find(|i| i["label"] == short.as_str())
            .unwrap_or_else(|| panic!("{cell}: no item for c3 in {:?}", labels(&items)));
        let start = offset_of(&text, &item["textEdit"]["range"]["start"]);
        let typed = &text[start..cursor];
        let filter = item["filterText"]
            .as_str()
            .unwrap_or(item["label"].as_str().unwrap());
        assert!(
            filter.starts_with(typed),
            "{cell}: filter {filter:?} vs typed {typed:?}"
        );
        assert_eq!(
            item["label"].as_str().unwrap().len(),
            12,
            "the label is the short SHA"
        );
        let (lsp, nvim) = accepted(&text, cursor, item);
        assert_eq!(deploy_line(&lsp), done, "{cell}: applied as LSP says");
        if nvim_too {
            assert_eq!(deploy_line(&nvim), done, "{cell}: applied as Neovim does");
        }
    }
    // An empty cell: the item lands at the cursor, with its backticks.
    let fixture = original.replacen(
        &row("`9f1c2ab7e4d0`"),
        "| Deploy SHA at incident start | $0 |",
        1,
    );
    let (text, cursor, items) = items_at(&mut client, &uri, &fixture, Value::Null);
    let first = &items[0];
    assert_eq!(offset_of(&text, &first["textEdit"]["range"]["end"]), cursor);
    let (lsp, nvim) = accepted(&text, cursor, first);
    assert_eq!(lsp, nvim);
    assert_eq!(
        deploy_line(&lsp),
        row(&format!("`{}`", first["label"].as_str().unwrap()))
    );
}

#[test]
fn trigger_characters_never_offer_an_item_replacing_typed_text() {
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_typing.md", VALID);
    let typed = json!({ "triggerKind": 2, "triggerCharacter": "|" });
    // The pipe opening the Target date cell: dates, at the cursor.
    let fixture = VALID.replacen(
        "| @sam | Load test at production traffic, tracked in OPS-91 | 2026-04-13 |",
        "| @sam | Load test at production traffic, tracked in OPS-91 |$0",
        1,
    );
    let (text, cursor, items) = items_at(&mut client, &uri, &fixture, typed.clone());
    assert_eq!(labels(&items), ["2026-03-21", "2026-03-28", "2026-04-13"]);
    for item in &items {
        let range = &item["textEdit"]["range"];
        assert_eq!(
            (
                offset_of(&text, &range["start"]),
                offset_of(&text, &range["end"])
            ),
            (cursor, cursor)
        );
        assert!(item.get("preselect").is_none_or(|p| p == false));
    }
    // Asked again as the user types on: the list answering the trigger is incomplete (a
    // client keeping it would replace the space typed after the pipe).
    let mut params = position_params(&uri, &text, cursor, true);
    params["context"] = typed.clone();
    let response = client.request("textDocument/completion", params);
    assert_eq!(response["result"]["isIncomplete"], true);
    // A pipe on the line under the table would have its row snippet replace the `|`.
    let fixture = VALID.replacen("| 2026-04-13 |\n", "| 2026-04-13 |\n|$0\n", 1);
    assert!(items_at(&mut client, &uri, &fixture, typed).2.is_empty());
    // `:` and space are not triggers any more; a client sending them gets nothing.
    for (ch, fixture) in [
        (
            ":",
            VALID.replacen(
                "10:20  (source: Slack",
                "10:30  (source:$0\n10:20  (source: Slack",
                1,
            ),
        ),
        (
            " ",
            VALID.replacen(
                "10:20  (source: Slack",
                "10:30  (source: $0\n10:20  (source: Slack",
                1,
            ),
        ),
        (
            "#",
            VALID.replacen("## What went well", "#$0\n\n## What went well", 1),
        ),
    ] {
        let context = json!({ "triggerKind": 2, "triggerCharacter": ch });
        assert!(
            items_at(&mut client, &uri, &fixture, context).2.is_empty(),
            "{ch:?}"
        );
    }
    // Asked for, the sources are there.
    let fixture = VALID.replacen(
        "10:20  (source: Slack",
        "10:30  (source: $0\n10:20  (source: Slack",
        1,
    );
    let (_, _, items) = items_at(&mut client, &uri, &fixture, json!({ "triggerKind": 1 }));
    assert_eq!(labels(&items), ["alert", "Slack", "log file"]);
}

#[test]
fn time_cells_offer_what_the_timeline_names_before_now() {
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_times.md", VALID);
    let cases = [
        (
            "| Detection time (UTC) | 2026-03-14T09:26:53Z |",
            "| Detection time (UTC) | $0 |",
            vec!["2026-03-14T09:26:00Z"],
        ),
        (
            "| Mitigation time (UTC) | 2026-03-14T10:03:23Z |",
            "| Mitigation time (UTC) | $0 |",
            vec!["2026-03-14T09:52:00Z", "2026-03-14T10:03:00Z"],
        ),
    ];
    for (from, to, named) in cases {
        let (text, _, items) =
            items_at(&mut client, &uri, &VALID.replacen(from, to, 1), Value::Null);
        let got = labels(&items);
        assert_eq!(got[..named.len()], named[..], "{to}");
        assert_eq!(
            got.len(),
            named.len() + 2,
            "then now and now to the minute: {got:?}"
        );
        assert!(
            items[0]["detail"]
                .as_str()
                .unwrap()
                .starts_with("Timeline ")
        );
        let (lsp, _) = accepted(
            &text,
            text.find(&to.replace("$0 |", "")).unwrap() + to.len() - 4,
            &items[0],
        );
        assert!(lsp.contains(&to.replace("$0", named[0])), "{to}");
    }
    let (_, _, items) = items_at(
        &mut client,
        &uri,
        &VALID.replacen(
            "| Incident date | 2026-03-14 |",
            "| Incident date | $0 |",
            1,
        ),
        Value::Null,
    );
    assert_eq!(labels(&items)[0], "2026-03-14");
    assert_eq!(items[0]["detail"], "The date of the Detection time");
}

#[test]
fn a_new_prevention_row_takes_its_examples_from_the_document() {
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_rows.md", VALID);
    let fixture = VALID.replacen("| 2026-04-13 |\n", "| 2026-04-13 |\n$0\n", 1);
    let (_, _, items) = items_at(&mut client, &uri, &fixture, Value::Null);
    assert_eq!(labels(&items), ["Prevention row"]);
    assert_eq!(
        items[0]["textEdit"]["newText"],
        "| @${1:owner} | ${2:…}, ${3:PAY-000} | ${4:2026-03-28} |\n"
    );
}

#[test]
fn without_keys_in_the_document_the_tracker_rules_give_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    gitrepo::put(
        root,
        ".cursor/rules/tracker.mdc",
        "---\ndescription: tracking\n---\nEvery action is a ticket in the PAY project, such as PAY-231.\n",
    );
    let text = VALID
        .replace("PAY-412", "a ticket")
        .replace("(OPS-88)", "")
        .replace("OPS-91", "a ticket")
        .replace("browse/OPS-85", "browse");
    let path = gitrepo::put(
        root,
        "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md",
        &text,
    );
    let caps = json!({ "textDocument": { "completion": { "completionItem": { "snippetSupport": false } } } });
    let mut client = Client::start_in(caps, &[root], &[]).0;
    let uri = file_uri(&path);
    client.open(&uri, 1, &text);
    let fixture = text.replacen("| 2026-04-13 |\n", "| 2026-04-13 |\n$0\n", 1);
    let cursor = fixture.find("$0").unwrap();
    let plain = fixture.replacen("$0", "", 1);
    // The rules file is read off the request path; ask until it is in (at most ~5 s).
    let mut last = Value::Null;
    for _ in 0..50 {
        let response = client.request(
            "textDocument/completion",
            position_params(&uri, &plain, cursor, true),
        );
        last = response["result"][0]["textEdit"]["newText"].clone();
        if last.as_str().is_some_and(|t| t.contains("PAY-000")) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(last, "| @owner | …, PAY-000 | 2026-03-28 |\n");
}

#[test]
fn the_empty_time_fix_offers_the_timeline_times_then_now() {
    let text = VALID.replacen(
        "| Mitigation time (UTC) | 2026-03-14T10:03:23Z |",
        "| Mitigation time (UTC) |  |",
        1,
    );
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_emptytime.md", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let empty: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "empty-field")
        .cloned()
        .collect();
    assert_eq!(empty.len(), 1, "{diagnostics:?}");
    let params = json!({
        "textDocument": { "uri": uri },
        "range": empty[0]["range"],
        "context": { "diagnostics": empty, "only": ["quickfix"] },
    });
    let actions = client.request("textDocument/codeAction", params)["result"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles[0].starts_with("Write `2026-03-14T09:52:00Z` (Timeline 09:52: rollback"),
        "{titles:?}"
    );
    assert!(
        titles[1].starts_with("Write `2026-03-14T10:03:00Z` (Timeline 10:03: "),
        "{titles:?}"
    );
    assert!(
        titles[2].starts_with("Write the current UTC time: `"),
        "{titles:?}"
    );
    let edits = actions[1]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = common::features::apply(&text, edits, true);
    assert!(
        fixed.contains("\n| Mitigation time (UTC) | 2026-03-14T10:03:00Z |\n"),
        "{fixed}"
    );
}
