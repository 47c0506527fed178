//! The team configuration in the language server, over stdio with the real binary: the
//! team template and rule levels drive diagnostics and features, editor settings override
//! the file key by key, broken files are reported on themselves while the last good settings
//! stay, and changes apply live to every open document.

use crate::common;

use common::{Client, file_uri, position};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const DOC: &str = "incidents/review_2026-05-02_queue-stall.md";

/// A repository holding the second team's fixture (tests/fixtures/team): its
/// `.postmortem.toml`, template and incident review.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let team = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/team");
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::create_dir_all(dir.path().join("incidents")).unwrap();
    for file in [".postmortem.toml", "incident-template.md", DOC] {
        std::fs::copy(team.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// Starts the server on `root` with these `initializationOptions`, watching files.
fn start(root: &Path, options: Value) -> Client {
    let mut client = Client::spawn();
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    });
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "workspaceFolders": [{ "uri": file_uri(root), "name": "w" }],
                "initializationOptions": options }),
    );
    client.notify("initialized", json!({}));
    client
}

fn text(root: &Path, file: &str) -> String {
    std::fs::read_to_string(root.join(file)).unwrap()
}

fn uri(root: &Path, file: &str) -> String {
    file_uri(&root.join(file))
}

/// `(line, code, severity)` of each diagnostic.
fn found(diagnostics: &[Value]) -> Vec<(u64, String, u64)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap_or_default().to_string(),
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(found: &[(u64, String, u64)], line: u64, code: &str, severity: u64) -> bool {
    found
        .iter()
        .any(|(l, c, s)| *l == line && c == code && *s == severity)
}

fn codes(found: &[(u64, String, u64)]) -> Vec<&str> {
    found.iter().map(|(_, c, _)| c.as_str()).collect()
}

/// `found` without the one notice of the settings' problems on line 1 (tested in
/// `settings_live`), after checking it is there.
fn without_notice(found: Vec<(u64, String, u64)>) -> Vec<(u64, String, u64)> {
    assert!(has(&found, 0, "config-problem", 2), "{found:?}");
    found
        .into_iter()
        .filter(|(_, c, _)| c != "config-problem")
        .collect()
}

fn open_doc(client: &mut Client, root: &Path) -> Vec<(u64, String, u64)> {
    let doc = uri(root, DOC);
    client.open(&doc, 1, &text(root, DOC));
    found(&client.diagnostics(&doc, Some(1)))
}

/// Tells the server the configuration file changed on disk.
fn config_changed(client: &mut Client, root: &Path, config: &str) {
    std::fs::write(root.join(".postmortem.toml"), config).unwrap();
    let changes = [json!({ "uri": uri(root, ".postmortem.toml"), "type": 2 })];
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": changes }),
    );
}

#[test]
fn the_team_template_and_rule_levels_drive_diagnostics_and_completion() {
    let dir = workspace();
    let root = dir.path();
    let mut client = start(root, Value::Null);
    let found = open_doc(&mut client, root);
    // The team's values (SEV1–SEV3), sources, ticket keys and levels; lines are 0-based.
    assert!(has(&found, 14, "invalid-value", 1), "{found:?}");
    assert!(has(&found, 22, "timeline-format", 2), "{found:?}");
    assert!(has(&found, 33, "missing-ticket", 1), "{found:?}");
    assert!(has(&found, 27, "human-error", 4), "{found:?}");
    assert!(has(&found, 2, "unfilled-section", 2), "{found:?}");
    for absent in ["file-name", "missing-section", "missing-field"] {
        assert!(!codes(&found).contains(&absent), "{found:?}");
    }
    // Completion in the team's own field offers its values.
    let line = text(root, DOC).lines().nth(15).unwrap().to_string();
    let at = line.find("enterprise").unwrap() as u32;
    let response = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri(root, DOC) },
                "position": { "line": 15, "character": at } }),
    );
    let labels: Vec<&str> = response["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"business"), "{labels:?}");
    // The watchers cover configuration files and the template in use.
    let registered = client
        .wait_for(|m| {
            m["method"] == "client/registerCapability"
                && m["params"].to_string().contains("**/incident-template.md")
        })
        .expect("the template is watched");
    assert!(
        registered["params"]
            .to_string()
            .contains("**/.postmortem.toml"),
        "{registered}"
    );
}

#[test]
fn a_broken_configuration_is_reported_on_itself_and_the_last_good_settings_stay() {
    let dir = workspace();
    let root = dir.path();
    let mut client = start(root, Value::Null);
    let before = open_doc(&mut client, root);
    let config_uri = uri(root, ".postmortem.toml");
    assert_eq!(client.diagnostics(&config_uri, None), Vec::<Value>::new());
    // A bad pattern after non-ASCII text, a bad level, an unknown key, broken TOML.
    let broken = "template = \"incident-template.md\" # équipe\n[tickets]\npattern = \"ÄÄ-[0-9\"\npatern = \"x\"\n[rules]\nhuman-error = \"loud\"\nbroken = = 1\n";
    config_changed(&mut client, root, broken);
    let problems = client.diagnostics(&config_uri, None);
    let value = broken.find("\"ÄÄ").unwrap();
    let end = value + "\"ÄÄ-[0-9\"".len();
    let bad_pattern = problems
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("ticket pattern"))
        .expect("the bad pattern is reported");
    let expect = |offset| {
        let (line, character) = position(broken, offset, true);
        json!({ "line": line, "character": character })
    };
    assert_eq!(bad_pattern["range"]["start"], expect(value));
    assert_eq!(bad_pattern["range"]["end"], expect(end));
    assert_eq!(bad_pattern["range"]["end"]["character"], 19);
    assert_eq!(bad_pattern["severity"], 1);
    assert_eq!(bad_pattern["source"], "postmortem");
    let messages: Vec<&str> = problems
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("did you mean `pattern`")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("not valid TOML")),
        "{messages:?}"
    );
    // The last good settings are still in force: the same findings after an edit.
    let doc = uri(root, DOC);
    client.change(&doc, 2, vec![json!({ "text": text(root, DOC) })]);
    assert_eq!(
        without_notice(found(&client.diagnostics(&doc, Some(2)))),
        before
    );
    // Fixed: the problems are cleared.
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/team/.postmortem.toml");
    config_changed(&mut client, root, &std::fs::read_to_string(good).unwrap());
    let cleared = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == config_uri
                && m["params"]["diagnostics"] == json!([])
        })
        .expect("the problems are cleared");
    assert_eq!(cleared["params"]["version"], Value::Null);
}

#[test]
fn a_changed_configuration_rechecks_every_open_document() {
    let dir = workspace();
    let root = dir.path();
    let second: PathBuf = root.join("incidents/review_2026-05-03_copy.md");
    std::fs::copy(root.join(DOC), &second).unwrap();
    let mut client = start(root, Value::Null);
    let first = open_doc(&mut client, root);
    assert!(has(&first, 27, "human-error", 4), "{first:?}");
    let second_uri = file_uri(&second);
    client.open(&second_uri, 1, &text(root, DOC));
    assert!(has(
        &found(&client.diagnostics(&second_uri, Some(1))),
        27,
        "human-error",
        4
    ));
    let config =
        text(root, ".postmortem.toml").replace("human-error = \"hint\"", "human-error = \"off\"");
    config_changed(&mut client, root, &config);
    for doc in [uri(root, DOC), second_uri] {
        let now = found(&client.diagnostics(&doc, Some(1)));
        assert!(!codes(&now).contains(&"human-error"), "{doc}: {now:?}");
        assert!(has(&now, 14, "invalid-value", 1), "{now:?}");
    }
}

#[test]
fn editor_settings_override_the_file_key_by_key_and_live() {
    let dir = workspace();
    let root = dir.path();
    let options = json!({ "rules": { "human-error": "error" },
                           "tickets": { "pattern": "OPS-[0-9]+" } });
    let mut client = start(root, options);
    let found1 = open_doc(&mut client, root);
    assert!(has(&found1, 27, "human-error", 1), "{found1:?}");
    // OPS-12 is a ticket now, INC-7 is not; the file's timeline sources still apply.
    assert!(has(&found1, 34, "missing-ticket", 1), "{found1:?}");
    assert!(!has(&found1, 33, "missing-ticket", 1), "{found1:?}");
    assert!(has(&found1, 22, "timeline-format", 2), "{found1:?}");
    // A live change, wrapped as VS Code sends it, with one bad value: the rest applies
    // (the file's ticket pattern comes back), and the bad key is named.
    let settings = json!({ "postmortem": { "rules": { "human-error": "off" },
                                           "tickets": { "pattern": "INC-[0-9" } } });
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": settings }),
    );
    let warning = client
        .wait_for(|m| m["method"] == "window/showMessage")
        .expect("a warning about the bad setting");
    let message = warning["params"]["message"].as_str().unwrap();
    assert!(message.contains("`tickets.pattern`"), "{message}");
    assert!(message.contains("write one such as"), "{message}");
    assert_eq!(warning["params"]["type"], 2);
    let now = found(&client.diagnostics(&uri(root, DOC), Some(1)));
    assert!(!codes(&now).contains(&"human-error"), "{now:?}");
    assert!(has(&now, 33, "missing-ticket", 1), "{now:?}");
    assert!(!has(&now, 34, "missing-ticket", 1), "{now:?}");
}

#[test]
fn the_template_gets_no_post_mortem_diagnostics_only_its_own_problems() {
    let dir = workspace();
    let root = dir.path();
    let mut client = start(root, Value::Null);
    let before = open_doc(&mut client, root);
    let template = uri(root, "incident-template.md");
    let template_text = text(root, "incident-template.md");
    client.open(&template, 1, &template_text);
    assert_eq!(client.diagnostics(&template, None), Vec::<Value>::new());
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": template },
                "position": { "line": 10, "character": 3 } }),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    // The open text is the truth: a template with no sections is reported on itself, and
    // the documents keep the last good schema.
    client.change(&template, 2, vec![json!({ "text": "no sections here\n" })]);
    let problems = client.diagnostics(&template, None);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("no `##` sections")
    );
    let doc = uri(root, DOC);
    client.change(&doc, 2, vec![json!({ "text": text(root, DOC) })]);
    assert_eq!(
        without_notice(found(&client.diagnostics(&doc, Some(2)))),
        before
    );
    client.change(&template, 3, vec![json!({ "text": template_text })]);
    assert_eq!(client.diagnostics(&template, None), Vec::<Value>::new());
    let published = client.published_so_far(&template);
    assert!(
        published
            .iter()
            .all(|m| m["params"]["diagnostics"] == json!([])),
        "{published:?}"
    );
}

#[test]
fn team_globs_pick_the_post_mortems_and_ticket_keys_link_to_the_tracker() {
    let dir = workspace();
    let root = dir.path();
    // A file that only the team's glob (`incidents/review_*.md`) calls a post-mortem: no
    // post-mortem title and no header table.
    let bare = "incidents/review_2026-05-09_bare.md";
    std::fs::write(root.join(bare), "# Queue notes\n\nNothing yet.\n").unwrap();
    let mut client = start(root, Value::Null);
    client.open(&uri(root, bare), 1, &text(root, bare));
    let found = found(&client.diagnostics(&uri(root, bare), Some(1)));
    assert!(codes(&found).contains(&"missing-section"), "{found:?}");
    // The same text elsewhere is not a post-mortem, so it gets an empty list.
    let notes = "incidents/notes.md";
    std::fs::write(root.join(notes), text(root, bare)).unwrap();
    client.open(&uri(root, notes), 1, &text(root, notes));
    assert_eq!(
        client.diagnostics(&uri(root, notes), Some(1)),
        Vec::<Value>::new()
    );
    // Ticket keys in the Prevention table link to the team's tracker.
    open_doc(&mut client, root);
    let response = client.request(
        "textDocument/documentLink",
        json!({ "textDocument": { "uri": uri(root, DOC) } }),
    );
    let links = response["result"].as_array().cloned().unwrap_or_default();
    let line = text(root, DOC)
        .lines()
        .position(|l| l.contains("INC-7"))
        .unwrap();
    let tracker = links
        .iter()
        .find(|l| l["target"] == "https://tracker.example/browse/INC-7")
        .unwrap_or_else(|| panic!("no tracker link in {links:?}"));
    let column = text(root, DOC)
        .lines()
        .nth(line)
        .unwrap()
        .find("INC-7")
        .unwrap();
    let at = |c: usize| json!({ "line": line, "character": c });
    assert_eq!(
        tracker["range"],
        json!({ "start": at(column), "end": at(column + 5) })
    );
}

#[test]
fn new_follows_the_team_template_and_the_editor_settings() {
    let dir = workspace();
    let root = dir.path().canonicalize().unwrap();
    let mut client = Client::spawn();
    let capabilities = json!({
        "workspace": { "workspaceEdit": {
            "documentChanges": true, "resourceOperations": ["create"] } },
        "window": { "showDocument": { "support": true } },
    });
    // The editor renames new files; everything else comes from the team's file.
    let options = json!({ "postmortem": { "postmortems": { "name": "ir_{date}_{slug}.md" } } });
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "workspaceFolders": [{ "uri": file_uri(&root), "name": "w" }],
                "initializationOptions": options }),
    );
    client.notify("initialized", json!({}));
    client
        .manual
        .extend(["workspace/applyEdit", "window/showDocument"]);
    client.send_request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.new",
                "arguments": [{ "slug": "disk", "date": "2026-05-09", "title": "Disk full" }] }),
    );
    let apply = client
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("the server asks the editor to create the file");
    let changes = &apply["params"]["edit"]["documentChanges"];
    assert_eq!(
        changes[0]["uri"],
        uri(&root, "incidents/ir_2026-05-09_disk.md"),
        "{changes}"
    );
    let text = changes[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(text.starts_with("# Incident review: Disk full\n"), "{text}");
    assert!(text.contains("## Customer comms"), "{text}");
    assert!(
        text.contains("| Customer tier | enterprise / business / free |"),
        "{text}"
    );
}
