//! End-to-end tests of the editing actions over stdio with the real binary: the
//! insert-timeline-entry command, quick fixes and fix-all, and links into the workspace.

use crate::common;

use common::features::{
    apply, client, doc_params, emoji_doc, is_now, opened, position_params, span,
};
use common::{Client, VALID, example_uri, range};
use serde_json::{Value, json};

#[test]
fn insert_timeline_entry_asks_the_client_to_apply_the_edit() {
    let mut client = client(false, true);
    client.manual.push("workspace/applyEdit");
    let uri = opened(&mut client, "postmortem_2026-03-14_command.md", VALID);
    let id = client.send_request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.insertTimelineEntry", "arguments": [uri] }),
    );
    let request = client
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("the server asks to apply the edit");
    let edits = request["params"]["edit"]["changes"][&uri]
        .as_array()
        .expect("edits for the document");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["range"], range((27, 0), (27, 0)));
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert!(is_now(&new_text[..5]), "{new_text}");
    assert_eq!(&new_text[5..], "  (source: …) \n");
    client.respond(&request, json!({ "applied": true }));
    let response = client.response(id).expect("the command finishes");
    assert_eq!(response["result"], Value::Null);
    assert!(response.get("error").is_none(), "{response}");
}

#[test]
fn insert_timeline_entry_without_a_timeline_tells_the_user_why() {
    let mut client = client(false, true);
    let text = VALID.replacen("## Timeline (UTC)", "## Chronology", 1);
    let uri = opened(&mut client, "postmortem_2026-03-14_no-timeline.md", &text);
    let response = client.request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.insertTimelineEntry", "arguments": [uri] }),
    );
    let message = response["error"]["message"].as_str().expect("an error");
    assert!(
        message.contains("no `## Timeline (UTC)` section"),
        "{message}"
    );
    let shown = client
        .wait_for(|m| m["method"] == "window/showMessage")
        .expect("the user is told");
    assert_eq!(shown["params"]["message"], message);
    // An edit would have been requested before the answer.
    assert_eq!(client.received("workspace/applyEdit"), Vec::<Value>::new());
}

/// The code actions for `diagnostics` (as published), restricted to `only` kinds if given.
fn code_actions(
    client: &mut Client,
    uri: &str,
    diagnostics: &[Value],
    only: Option<&[&str]>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diagnostics });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let params = json!({
        "textDocument": { "uri": uri },
        "range": range((0, 0), (0, 0)),
        "context": context,
    });
    let response = client.request("textDocument/codeAction", params);
    response["result"].as_array().cloned().unwrap_or_default()
}

fn titles(actions: &[Value]) -> Vec<&str> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

#[test]
fn quick_fixes_come_from_the_diagnostic_data() {
    let text = VALID.replacen("| production |", "| prod |", 1);
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_quickfix.md", &text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    let invalid: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "invalid-value")
        .cloned()
        .collect();
    assert_eq!(invalid.len(), 1, "{diagnostics:?}");
    let prod = text.find("| prod |").unwrap() + 2;
    assert_eq!(invalid[0]["range"], span(&text, prod, prod + 4, true));
    assert_eq!(invalid[0]["data"]["fix"], "choose");

    let actions = code_actions(&mut client, &uri, &invalid, None);
    let quick: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    assert_eq!(
        quick
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Write `production`", "Write `staging`"]
    );
    assert_eq!(quick[0]["isPreferred"], true);
    assert_eq!(quick[1]["isPreferred"], false);
    assert_eq!(quick[0]["diagnostics"], json!([invalid[0]]));
    let edits = quick[0]["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(apply(&text, edits, true), VALID);

    // Only our own diagnostics are read: the same data from another server gives nothing.
    let mut foreign = invalid[0].clone();
    foreign["source"] = json!("other-linter");
    let actions = code_actions(&mut client, &uri, &[foreign], Some(&["quickfix"]));
    assert_eq!(actions, Vec::<Value>::new());
}

#[test]
fn fix_all_applies_every_safe_fix_at_once() {
    // A wrong value and two timeline entries out of order.
    let text = VALID
        .replacen("| production |", "| prod |", 1)
        .replacen(
            "09:22  (source: log file api-2026-03-14.log) first checkout request times out after 30 s\n09:26  (source: alert) CheckoutLatencyP99 fires, pages the on-call engineer\n",
            "09:26  (source: alert) CheckoutLatencyP99 fires, pages the on-call engineer\n09:22  (source: log file api-2026-03-14.log) first checkout request times out after 30 s\n",
            1,
        );
    assert_ne!(text, VALID);
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_fixall.md", &text);
        let actions = code_actions(&mut client, &uri, &[], Some(&["source.fixAll"]));
        assert_eq!(titles(&actions), ["Fix all safe post-mortem problems"]);
        assert_eq!(actions[0]["kind"], "source.fixAll.postmortem");
        let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
        assert_eq!(apply(&text, edits, utf16), VALID, "utf16 = {utf16}");
        // Asking for quick fixes only leaves fix-all out.
        let actions = code_actions(&mut client, &uri, &[], Some(&["quickfix"]));
        assert_eq!(actions, Vec::<Value>::new());
    }
    // A clean document has nothing to fix.
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_clean.md", VALID);
    assert_eq!(
        code_actions(&mut client, &uri, &[], Some(&["source"])),
        Vec::<Value>::new()
    );
}

#[test]
fn a_wrong_file_name_is_fixed_by_a_rename_when_the_client_can_rename() {
    let name = "postmortem_2026-03-15_checkout-timeouts.md";
    let renaming = json!({
        "workspace": { "workspaceEdit": { "documentChanges": true, "resourceOperations": ["rename"] } },
    });
    for can_rename in [true, false] {
        let capabilities = if can_rename {
            renaming.clone()
        } else {
            json!({})
        };
        let (mut client, _) = Client::start_with(capabilities);
        let uri = opened(&mut client, name, VALID);
        let diagnostics = client.diagnostics(&uri, Some(1));
        let file_name: Vec<Value> = diagnostics
            .iter()
            .filter(|d| d["code"] == "file-name")
            .cloned()
            .collect();
        assert_eq!(file_name.len(), 1, "{diagnostics:?}");
        let actions = code_actions(&mut client, &uri, &file_name, Some(&["quickfix"]));
        if !can_rename {
            assert_eq!(actions, Vec::<Value>::new());
            continue;
        }
        assert_eq!(
            titles(&actions),
            ["Rename the file to `postmortem_2026-03-14_checkout-timeouts.md`"]
        );
        assert_eq!(
            actions[0]["edit"]["documentChanges"],
            json!([{
                "kind": "rename",
                "oldUri": uri,
                "newUri": example_uri("postmortem_2026-03-14_checkout-timeouts.md"),
            }])
        );
    }
}

/// The 1-based line of `## 5. Rollback` in the example deployment procedures.
fn rollback_line() -> usize {
    let procedures = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/acme-shop/_docs/04_deploy/deployment_procedures.md"
    ));
    procedures
        .lines()
        .position(|l| l == "## 5. Rollback")
        .expect("the example has a Rollback section")
        + 1
}

fn procedures_uri() -> String {
    format!(
        "file://{}/examples/acme-shop/_docs/04_deploy/deployment_procedures.md",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn document_links_open_the_referenced_section() {
    assert_eq!(rollback_line(), 19);
    let text = emoji_doc();
    let path = "_docs/04_deploy/deployment_procedures.md";
    let at_path = text.find(path).unwrap();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_links.md", &text);
        let response = client.request("textDocument/documentLink", doc_params(&uri));
        let links = response["result"].as_array().unwrap();
        let to_procedures: Vec<&Value> = links
            .iter()
            .filter(|l| {
                l["target"]
                    .as_str()
                    .unwrap()
                    .contains("deployment_procedures")
            })
            .collect();
        assert_eq!(to_procedures.len(), 1, "{links:?}");
        let link = to_procedures[0];
        assert_eq!(link["target"], format!("{}#L19", procedures_uri()));
        assert_eq!(
            link["range"],
            span(&text, at_path, at_path + path.len(), utf16)
        );
        assert_eq!(link["tooltip"], format!("Open {path} at line 19"));
        // The Repair line also names `config/payments.toml`: a link to the whole file.
        let config = format!(
            "file://{}/examples/acme-shop/config/payments.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        assert!(links.iter().any(|l| l["target"] == config), "{links:?}");
    }
}

#[test]
fn go_to_definition_lands_on_the_section_heading() {
    let text = emoji_doc();
    let at_path = text
        .find("_docs/04_deploy/deployment_procedures.md")
        .unwrap();
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_definition.md", &text);
    let response = client.request(
        "textDocument/definition",
        position_params(&uri, &text, at_path + 5, true),
    );
    assert_eq!(
        response["result"],
        json!({ "uri": procedures_uri(), "range": range((18, 0), (18, 0)) })
    );
    // Prose is no reference.
    let prose = text.find("fired four minutes").unwrap();
    let response = client.request(
        "textDocument/definition",
        position_params(&uri, &text, prose, true),
    );
    assert_eq!(response["result"], Value::Null);
}

#[test]
fn paths_outside_the_workspace_never_become_links() {
    let text = VALID.replacen(
        "in `config/payments.toml`",
        "in `../../Cargo.toml` and `config/payments.toml`",
        1,
    );
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_outside.md", &text);
    let response = client.request("textDocument/documentLink", doc_params(&uri));
    let targets: Vec<&str> = response["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert!(
        targets.iter().all(|t| !t.ends_with("/Cargo.toml")),
        "{targets:?}"
    );
    assert!(targets.iter().any(|t| t.ends_with("/config/payments.toml")));
    let outside = text.find("../../Cargo.toml").unwrap();
    let response = client.request(
        "textDocument/definition",
        position_params(&uri, &text, outside + 3, true),
    );
    assert_eq!(response["result"], Value::Null);
    // The core does see the path, and says where it points.
    let response = client.request(
        "textDocument/hover",
        position_params(&uri, &text, outside + 3, true),
    );
    let markdown = response["result"]["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("outside the workspace"), "{markdown}");
}

#[test]
fn hover_on_a_reference_shows_the_section_after_emoji() {
    let text = emoji_doc();
    let path = "_docs/04_deploy/deployment_procedures.md";
    let at_path = text.find(path).unwrap();
    let end = at_path + text[at_path..].find("§5").unwrap() + "§5".len();
    for utf16 in [true, false] {
        let mut client = client(!utf16, true);
        let uri = opened(&mut client, "postmortem_2026-03-14_ref-hover.md", &text);
        let response = client.request(
            "textDocument/hover",
            position_params(&uri, &text, at_path + 3, utf16),
        );
        let hover = &response["result"];
        assert_eq!(hover["range"], span(&text, at_path, end, utf16));
        let markdown = hover["contents"]["value"].as_str().unwrap();
        assert!(markdown.contains("## 5. Rollback"), "{markdown}");
        assert!(
            markdown.contains(&format!("{}#L19", procedures_uri())),
            "{markdown}"
        );
    }
}
