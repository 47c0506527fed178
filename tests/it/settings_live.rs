//! Settings that change reach the running server without file watchers: over stdio with the
//! real binary and a client that, like Neovim on Linux, cannot watch files
//! (`didChangeWatchedFiles.dynamicRegistration = false`). A `.postmortem.toml` created or
//! edited, or a template edited, applies on the next open or save; the settings' problems
//! show on the first line of the post-mortems they govern, and go once fixed.

use crate::common;

use common::{Client, file_uri};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const DOC: &str = "incidents/review_2026-05-02_queue-stall.md";
const CONFIG: &str = ".postmortem.toml";
const TEMPLATE: &str = "incident-template.md";

/// A repository holding the second team's fixture (tests/fixtures/team): its template and
/// incident review, and its `.postmortem.toml` when `with_config`.
fn workspace(with_config: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::create_dir_all(dir.path().join("incidents")).unwrap();
    let files = [TEMPLATE, DOC]
        .into_iter()
        .chain(with_config.then_some(CONFIG));
    for file in files {
        std::fs::copy(team(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn team(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/team")
        .join(file)
}

/// Starts the server on `root` as a client that watches no files.
fn start(root: &Path) -> Client {
    let mut client = Client::spawn();
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": false } },
        "textDocument": { "synchronization": { "didSave": true } },
    });
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "workspaceFolders": [{ "uri": file_uri(root), "name": "w" }] }),
    );
    // The server asks for saves: without them a client sends none.
    assert_eq!(
        init["result"]["capabilities"]["textDocumentSync"]["save"],
        json!(true),
        "{init}"
    );
    client.notify("initialized", json!({}));
    client
}

/// A note beside the post-mortem, kept open so that closing the post-mortem does not drop
/// the folder's settings (a reopen must look at the disk, not only start afresh).
const NOTES: &str = "incidents/notes.md";

fn open_notes(client: &mut Client, root: &Path) {
    std::fs::write(root.join(NOTES), "# Notes\n\nNothing yet.\n").unwrap();
    open(client, root, NOTES, 1);
}

fn uri(root: &Path, file: &str) -> String {
    file_uri(&root.join(file))
}

fn open(client: &mut Client, root: &Path, file: &str, version: i64) {
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    client.open(&uri(root, file), version, &text);
}

fn save(client: &mut Client, root: &Path, file: &str) {
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri(root, file) } }),
    );
}

/// `(line, code)` of each diagnostic.
fn found(diagnostics: &[Value]) -> Vec<(u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn has(found: &[(u64, String)], line: u64, code: &str) -> bool {
    found.iter().any(|(l, c)| *l == line && c == code)
}

/// The first publication for `uri` whose diagnostics satisfy `wanted`, within 10 s; panics
/// with every publication seen otherwise.
fn wait_until(
    client: &mut Client,
    uri: &str,
    what: &str,
    wanted: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let published = client.wait_for_within(Duration::from_secs(10), |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| wanted(d))
    });
    match published {
        Some(m) => m["params"]["diagnostics"].as_array().cloned().unwrap(),
        None => panic!(
            "never published for {uri}: {what}; seen: {:?}",
            client.published_so_far(uri)
        ),
    }
}

#[test]
fn a_configuration_created_while_the_server_runs_applies_on_save_and_on_reopen() {
    let dir = workspace(false);
    let root = dir.path();
    let mut client = start(root);
    open(&mut client, root, DOC, 1);
    let doc = uri(root, DOC);
    // The built-in settings: the built-in sections are missing, the team's ticket keys
    // are not known.
    let builtin = found(&client.diagnostics(&doc, Some(1)));
    assert!(has(&builtin, 0, "missing-section"), "{builtin:?}");
    assert!(!has(&builtin, 33, "missing-ticket"), "{builtin:?}");
    std::fs::copy(team(CONFIG), root.join(CONFIG)).unwrap();
    save(&mut client, root, DOC);
    let team = found(&wait_until(&mut client, &doc, "the team's settings", |d| {
        !found(d).iter().any(|(_, c)| c == "missing-section")
    }));
    // The team's template is the schema now, and its ticket pattern applies.
    assert!(has(&team, 33, "missing-ticket"), "{team:?}");
    assert!(has(&team, 2, "unfilled-section"), "{team:?}");
    // Reopening finds them too (the server read them once, and keeps them).
    client.close(&doc);
    open(&mut client, root, DOC, 2);
    assert_eq!(found(&client.diagnostics(&doc, Some(2))), team);
    // No watcher was asked of a client that cannot watch.
    assert_eq!(
        client.received("client/registerCapability"),
        Vec::<Value>::new()
    );
}

#[test]
fn a_configuration_created_then_reopening_applies_it() {
    let dir = workspace(false);
    let root = dir.path();
    let mut client = start(root);
    open_notes(&mut client, root);
    open(&mut client, root, DOC, 1);
    let doc = uri(root, DOC);
    assert!(has(
        &found(&client.diagnostics(&doc, Some(1))),
        0,
        "missing-section"
    ));
    std::fs::copy(team(CONFIG), root.join(CONFIG)).unwrap();
    client.close(&doc);
    open(&mut client, root, DOC, 2);
    let reopened = found(&client.diagnostics(&doc, Some(2)));
    assert!(has(&reopened, 33, "missing-ticket"), "{reopened:?}");
    assert!(!has(&reopened, 0, "missing-section"), "{reopened:?}");
}

#[test]
fn an_edited_configuration_applies_when_any_document_in_its_folder_is_saved() {
    let dir = workspace(true);
    let root = dir.path();
    let mut client = start(root);
    open(&mut client, root, DOC, 1);
    let doc = uri(root, DOC);
    assert!(has(
        &found(&client.diagnostics(&doc, Some(1))),
        27,
        "human-error"
    ));
    open_notes(&mut client, root);
    let config = std::fs::read_to_string(team(CONFIG)).unwrap();
    let off = config.replace("human-error = \"hint\"", "human-error = \"off\"");
    assert_ne!(off, config);
    std::fs::write(root.join(CONFIG), off).unwrap();
    // The other document's save is what the server hears of.
    save(&mut client, root, NOTES);
    let after = found(&wait_until(&mut client, &doc, "human-error off", |d| {
        !found(d).iter().any(|(_, c)| c == "human-error")
    }));
    // Only the level changed: the team's other findings stay.
    assert!(has(&after, 14, "invalid-value"), "{after:?}");
}

#[test]
fn an_edited_template_applies_on_reopen() {
    let dir = workspace(true);
    let root = dir.path();
    let mut client = start(root);
    open_notes(&mut client, root);
    open(&mut client, root, DOC, 1);
    let doc = uri(root, DOC);
    assert!(has(
        &found(&client.diagnostics(&doc, Some(1))),
        14,
        "invalid-value"
    ));
    let template = std::fs::read_to_string(root.join(TEMPLATE)).unwrap();
    let widened = template.replace("SEV1 / SEV2 / SEV3", "SEV1 / SEV2 / SEV3 / SEV4");
    assert_ne!(widened, template);
    std::fs::write(root.join(TEMPLATE), widened).unwrap();
    client.close(&doc);
    open(&mut client, root, DOC, 2);
    let reopened = found(&client.diagnostics(&doc, Some(2)));
    assert!(!has(&reopened, 14, "invalid-value"), "{reopened:?}");
    assert!(has(&reopened, 27, "human-error"), "{reopened:?}");
}

#[test]
fn configuration_problems_show_on_the_first_line_of_the_post_mortems_until_fixed() {
    let dir = workspace(true);
    let root = dir.path();
    let mut client = start(root);
    open(&mut client, root, DOC, 1);
    let doc = uri(root, DOC);
    let good = found(&client.diagnostics(&doc, Some(1)));
    assert!(!good.iter().any(|(_, c)| c == "config-problem"), "{good:?}");
    // An unknown setting on line 5 (1-based) and a bad level further down.
    let config = std::fs::read_to_string(team(CONFIG)).unwrap();
    let broken = config
        .replacen("[postmortems]\n", "[postmortems]\nglobz = 1\n", 1)
        .replace("file-name = \"error\"", "file-name = \"loud\"");
    assert_eq!(broken.lines().nth(4), Some("globz = 1"), "{broken}");
    std::fs::write(root.join(CONFIG), &broken).unwrap();
    save(&mut client, root, DOC);
    let shown = wait_until(&mut client, &doc, "a config-problem", |d| {
        found(d).iter().any(|(_, c)| c == "config-problem")
    });
    let notices: Vec<&Value> = shown
        .iter()
        .filter(|d| d["code"] == "config-problem")
        .collect();
    assert_eq!(notices.len(), 1, "one notice per settings file: {shown:?}");
    let notice = notices[0];
    let title = "# Incident review: queue stall";
    assert_eq!(
        notice["range"],
        json!({ "start": { "line": 0, "character": 0 },
                "end": { "line": 0, "character": title.len() } })
    );
    assert_eq!(notice["source"], "postmortem");
    assert_eq!(notice["severity"], 2);
    let message = notice["message"].as_str().unwrap();
    assert!(
        message.starts_with("`.postmortem.toml` line 5: ") && message.contains("globz"),
        "{message}"
    );
    assert!(
        message.contains("(and 1 more problem in this file)"),
        "{message}"
    );
    // Every problem, where it stands in the file.
    let related = notice["relatedInformation"].as_array().unwrap();
    assert_eq!(related.len(), 2, "{related:?}");
    assert_eq!(related[0]["location"]["uri"], uri(root, CONFIG));
    assert_eq!(related[0]["location"]["range"]["start"]["line"], 4);
    assert!(
        related[1]["message"]
            .as_str()
            .unwrap()
            .contains("`file-name` must be"),
        "{related:?}"
    );
    // The other findings stay as they were.
    let rest: Vec<_> = found(&shown)
        .into_iter()
        .filter(|(_, c)| c != "config-problem")
        .collect();
    assert_eq!(rest, good);
    // Fixed: the notice goes with the next save.
    std::fs::write(root.join(CONFIG), &config).unwrap();
    save(&mut client, root, DOC);
    let fixed = found(&wait_until(&mut client, &doc, "no config-problem", |d| {
        !found(d).iter().any(|(_, c)| c == "config-problem")
    }));
    assert_eq!(fixed, good);
}

#[test]
fn settings_read_again_on_one_reopen_reach_every_document_sharing_them() {
    let dir = workspace(true);
    let root = dir.path();
    let copy = "incidents/review_2026-05-03_copy.md";
    std::fs::copy(root.join(DOC), root.join(copy)).unwrap();
    let mut client = start(root);
    open(&mut client, root, DOC, 1);
    open(&mut client, root, copy, 1);
    let (doc, other) = (uri(root, DOC), uri(root, copy));
    assert!(has(
        &found(&client.diagnostics(&doc, Some(1))),
        27,
        "human-error"
    ));
    assert!(has(
        &found(&client.diagnostics(&other, Some(1))),
        27,
        "human-error"
    ));
    let config = std::fs::read_to_string(team(CONFIG)).unwrap();
    let off = config.replace("human-error = \"hint\"", "human-error = \"off\"");
    std::fs::write(root.join(CONFIG), off).unwrap();
    client.close(&doc);
    open(&mut client, root, DOC, 2);
    let reopened = found(&client.diagnostics(&doc, Some(2)));
    assert!(
        !reopened.iter().any(|(_, c)| c == "human-error"),
        "{reopened:?}"
    );
    // The other one was neither reopened nor saved.
    wait_until(&mut client, &other, "human-error off there too", |d| {
        !found(d).iter().any(|(_, c)| c == "human-error")
    });
}

#[test]
fn a_configuration_created_nearer_than_the_root_one_wins_on_save() {
    let dir = workspace(true);
    let root = dir.path();
    let mut client = start(root);
    open(&mut client, root, DOC, 1);
    let doc = uri(root, DOC);
    assert!(has(
        &found(&client.diagnostics(&doc, Some(1))),
        27,
        "human-error"
    ));
    std::fs::write(
        root.join("incidents").join(CONFIG),
        "[rules]\nhuman-error = \"off\"\n",
    )
    .unwrap();
    save(&mut client, root, DOC);
    // The nearer file is the whole configuration now: the built-in schema, human-error off.
    let near = found(&wait_until(&mut client, &doc, "the nearer file", |d| {
        has(&found(d), 0, "missing-section")
    }));
    assert!(!near.iter().any(|(_, c)| c == "human-error"), "{near:?}");
}
