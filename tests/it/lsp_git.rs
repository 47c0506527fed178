//! End-to-end tests of the server's git features over stdio, on throwaway repositories:
//! diagnostics refreshed once git answers, SHA completion and hover, the SHA quick fix,
//! `postmortem.new`, the no-repository and no-git cases, and typing never waiting for git.

use crate::common;
use crate::gitrepo;

use common::features::{at, span};
use common::{Client, file_uri};
use gitrepo::{DOC, TestRepo, build};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GIT_CODES: &[&str] = &[
    "unknown-commit",
    "ambiguous-sha",
    "rollback-not-ancestor",
    "rollback-is-deploy",
    "deploy-after-detection",
];

/// A server started with `vars` and `folders`, able to create files and show documents.
fn server(folders: &[&Path], vars: &[(&str, &str)]) -> Client {
    let capabilities = json!({
        "workspace": { "workspaceEdit": {
            "documentChanges": true, "resourceOperations": ["create", "rename"] } },
        "window": { "showDocument": { "support": true } },
    });
    Client::start_in(capabilities, folders, vars).0
}

/// Writes the example with these SHAs into `repo` and opens it; returns its URI and text.
fn open_doc(
    client: &mut Client,
    repo: &TestRepo,
    deploy: &str,
    rollback: &str,
) -> (String, String) {
    let path = repo.write_doc(deploy, rollback);
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = file_uri(&path);
    client.open(&uri, 1, &text);
    (uri, text)
}

/// Writes `text` at [`DOC`] in `repo` and opens it; returns its URI.
fn open_text(client: &mut Client, repo: &TestRepo, text: &str) -> String {
    let uri = file_uri(&gitrepo::put(&repo.root(), DOC, text));
    client.open(&uri, 1, text);
    uri
}

/// `(code, offending text)` of the git diagnostics in one publication.
fn git_findings(publication: &Value, text: &str) -> Vec<(String, String)> {
    let diagnostics = publication["params"]["diagnostics"].as_array().unwrap();
    diagnostics
        .iter()
        .filter(|d| GIT_CODES.contains(&d["code"].as_str().unwrap_or_default()))
        .map(|d| {
            let r = &d["range"];
            let start = common::features::offset(text, &r["start"], true);
            let end = common::features::offset(text, &r["end"], true);
            (
                d["code"].as_str().unwrap().to_string(),
                text[start..end].to_string(),
            )
        })
        .collect()
}

fn is_publication(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

/// The first publication for `uri` with a git diagnostic, after the one without.
fn first_then_refreshed(client: &mut Client, uri: &str, text: &str) -> Vec<(String, String)> {
    let first = client
        .wait_for(|m| is_publication(m, uri))
        .expect("diagnostics published at once");
    // A fresh server has not met the repository yet: the first pass cannot hold git results.
    assert_eq!(git_findings(&first, text), []);
    assert_eq!(first["params"]["version"], 1);
    let refreshed = client
        .wait_for(|m| is_publication(m, uri) && !git_findings(m, text).is_empty())
        .expect("diagnostics published again once git answered");
    assert_eq!(refreshed["params"]["version"], 1);
    git_findings(&refreshed, text)
}

fn pair(code: &str, text: &str) -> (String, String) {
    (code.to_string(), text.to_string())
}

#[test]
fn unknown_commits_are_published_after_the_git_pass() {
    let repo = build();
    let mut client = server(&[], &[]);
    let (uri, text) = open_doc(&mut client, &repo, "abcdef123456", &repo.short("c2"));
    assert_eq!(
        first_then_refreshed(&mut client, &uri, &text),
        [
            pair("unknown-commit", "abcdef123456"),
            pair("unknown-commit", "abcdef123456")
        ]
    );
    // A change is answered from the caches at once, git results included.
    let new_text = text.replacen("`abcdef123456` |", &format!("`{}` |", repo.short("c3")), 1);
    client.change(&uri, 2, vec![json!({ "text": new_text })]);
    let published = client.wait_for(|m| is_publication(m, &uri) && m["params"]["version"] == 2);
    let found = git_findings(&published.unwrap(), &new_text);
    assert_eq!(found, [pair("unknown-commit", "abcdef123456")]);
}

#[test]
fn a_rollback_outside_the_deploys_history_is_flagged() {
    let repo = build();
    let mut client = server(&[], &[]);
    let (uri, text) = open_doc(&mut client, &repo, &repo.short("c3"), &repo.short("s1"));
    assert_eq!(
        first_then_refreshed(&mut client, &uri, &text),
        [pair("rollback-not-ancestor", &repo.short("s1"))]
    );
}

/// The completion items at the end of `needle` (minus `back` bytes).
fn complete_at(
    client: &mut Client,
    uri: &str,
    text: &str,
    needle: &str,
    back: usize,
) -> Vec<Value> {
    let offset = text.find(needle).unwrap() + needle.len() - back;
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": at(text, offset, true) }),
    );
    let mut items = response["result"].as_array().cloned().unwrap_or_default();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap_or_default().to_string());
    items
}

#[test]
fn sha_cells_complete_commits_in_the_specified_order() {
    let repo = build();
    let mut client = server(&[], &[]);
    let text = gitrepo::VALID
        .replace("`9f1c2ab7e4d0` |", "`<sha>` |")
        .replace("`4be07d13a9c2` |", " |");
    let uri = open_text(&mut client, &repo, &text);
    // Deploy: the commits made before detection (09:26 on the 14th) newest first, then c4.
    let items = complete_at(&mut client, &uri, &text, "`<sha>`", 2);
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    let expected: Vec<String> = ["c3", "s1", "c2", "c1", "c4"]
        .iter()
        .map(|c| repo.short(c))
        .collect();
    assert_eq!(labels, expected);
    assert_eq!(items[0]["detail"], "Upgrade the payments client");
    assert_eq!(
        items[0]["documentation"],
        json!({ "kind": "markdown", "value": format!(
            "Ana Lima · committed 2026-03-13 17:00:00 UTC\n\n`{}`", repo.shas["c3"]) })
    );
    assert_eq!(
        items[0]["textEdit"]["newText"],
        format!("`{}`", repo.short("c3"))
    );
    // Rollback, with the Deploy cell naming c3: its ancestors first, then the rest.
    let text = text.replacen("`<sha>`", &format!("`{}`", repo.short("c3")), 1);
    client.change(&uri, 2, vec![json!({ "text": text })]);
    let items = complete_at(
        &mut client,
        &uri,
        &text,
        "| Rollback SHA (if rolled back) | ",
        0,
    );
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    let expected: Vec<String> = ["c2", "c1", "c4", "s1"]
        .iter()
        .map(|c| repo.short(c))
        .collect();
    assert_eq!(labels, expected);
}

#[test]
fn hover_on_a_sha_shows_the_commit() {
    let repo = build();
    let mut client = server(&[], &[]);
    let (uri, text) = open_doc(&mut client, &repo, &repo.short("c3"), &repo.short("c2"));
    let offset = text.find(&repo.short("c3")).unwrap() + 3;
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": at(&text, offset, true) }),
    );
    let hover = &response["result"];
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**Upgrade the payments client**"), "{md}");
    assert!(
        md.contains("Ana Lima · committed 2026-03-13 17:00:00 UTC"),
        "{md}"
    );
    assert!(md.contains(&repo.shas["c3"]), "{md}");
    assert!(md.contains("src/pool.rs"), "{md}");
    assert!(
        md.contains(&format!(
            "https://github.com/acme/shop/commit/{}",
            repo.shas["c3"]
        )),
        "{md}"
    );
    let start = text.find(&repo.short("c3")).unwrap();
    assert_eq!(hover["range"], span(&text, start, start + 12, true));
    // A word that is not a SHA has no commit hover.
    let offset = text.find("Release").unwrap() + 2;
    let response = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": at(&text, offset, true) }),
    );
    assert!(!response["result"].to_string().contains("committed"));
}

#[test]
fn a_short_sha_gets_quick_fixes_to_its_longer_forms() {
    let repo = build();
    let mut client = server(&[], &[]);
    let short = &repo.shas["c3"][..7];
    let (uri, text) = open_doc(&mut client, &repo, short, &repo.short("c2"));
    let start = text.find(short).unwrap();
    let actions = |client: &mut Client, range: Value| {
        let response = client.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": range,
                    "context": { "diagnostics": [] } }),
        );
        response["result"].as_array().cloned().unwrap_or_default()
    };
    let found = actions(&mut client, span(&text, start + 2, start + 2, true));
    let titles: Vec<&str> = found.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            format!("Write the 12-digit SHA `{}`", repo.short("c3")),
            format!("Write the full SHA `{}`", repo.shas["c3"]),
        ]
    );
    for (action, form) in found
        .iter()
        .zip([repo.short("c3"), repo.shas["c3"].clone()])
    {
        assert_eq!(action["kind"], "quickfix");
        let edits = &action["edit"]["changes"][&uri];
        assert_eq!(edits[0]["range"], span(&text, start, start + 7, true));
        assert_eq!(edits[0]["newText"], form);
    }
    // Elsewhere in the document: no SHA fix.
    let elsewhere = text.find("Release").unwrap();
    let found = actions(&mut client, span(&text, elsewhere, elsewhere, true));
    assert!(
        found
            .iter()
            .all(|a| !a["title"].as_str().unwrap().contains("SHA"))
    );
}

#[path = "lsp_git/new_command.rs"]
mod new_command;
#[path = "lsp_git/quiet.rs"]
mod quiet;
