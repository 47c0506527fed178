//! `postmortem.new`: the file is created and filled through `workspace/applyEdit`, then
//! opened with `window/showDocument`; an existing file or a bad argument is refused.

use super::*;

fn new_command(client: &mut Client, arguments: Value) -> i64 {
    client.send_request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.new", "arguments": arguments }),
    )
}

/// Answers the `applyEdit` of a new file as an editor would (creating it on disk) and
/// returns the URI and text it created.
fn apply_new_file(client: &mut Client) -> (String, String) {
    let apply = client
        .wait_for(|m| m["method"] == "workspace/applyEdit")
        .expect("the server asks the editor to create the file");
    let changes = apply["params"]["edit"]["documentChanges"]
        .as_array()
        .unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    let uri = changes[0]["uri"].as_str().unwrap().to_string();
    assert_eq!(
        changes[0],
        json!({ "kind": "create", "uri": uri,
                "options": { "overwrite": false, "ignoreIfExists": false } })
    );
    assert_eq!(
        changes[1]["textDocument"],
        json!({ "uri": uri, "version": null })
    );
    let edit = &changes[1]["edits"][0];
    assert_eq!(edit["range"], common::range((0, 0), (0, 0)));
    let text = edit["newText"].as_str().unwrap().to_string();
    let path = PathBuf::from(uri.strip_prefix("file://").unwrap());
    assert!(!path.exists(), "the server did not write the file itself");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &text).unwrap();
    client.respond(&apply, json!({ "applied": true }));
    (uri, text)
}

fn shown(client: &mut Client, uri: &str) {
    let show = client
        .wait_for(|m| m["method"] == "window/showDocument")
        .expect("the server opens the new file");
    assert_eq!(show["params"]["uri"], uri);
    assert_eq!(show["params"]["takeFocus"], true);
    client.respond(&show, json!({ "success": true }));
}

#[test]
fn new_creates_a_filled_postmortem_through_the_editor_and_opens_it() {
    let repo = build();
    let root = repo.root().canonicalize().unwrap();
    // The first workspace folder is inside the repository: the file goes to its top level.
    let folder = repo.root().join("src");
    let mut client = server(&[&folder], &[]);
    client
        .manual
        .extend(["workspace/applyEdit", "window/showDocument"]);
    let id = new_command(
        &mut client,
        json!([{ "slug": "checkout", "date": "2026-03-14", "title": "Checkout timeouts" }]),
    );
    let (uri, text) = apply_new_file(&mut client);
    let path = root.join("_docs/06_metrics/postmortem_2026-03-14_checkout.md");
    assert_eq!(uri, file_uri(&path));
    assert!(
        text.starts_with("# Post-mortem: Checkout timeouts\n"),
        "{text}"
    );
    assert!(text.contains("| Incident date | 2026-03-14 |"), "{text}");
    let deploy = format!("| Deploy SHA at incident start | `{}` |", repo.short("c4"));
    assert!(text.contains(&deploy), "HEAD is the default deploy: {text}");
    shown(&mut client, &uri);
    let response = client.response(id).unwrap();
    assert_eq!(response["result"], uri);

    // Positional values, with a branch as the deploy.
    let id = new_command(&mut client, json!(["db", "2026-04-01", "side", null]));
    let (uri, text) = apply_new_file(&mut client);
    assert!(
        uri.ends_with("/_docs/06_metrics/postmortem_2026-04-01_db.md"),
        "{uri}"
    );
    let deploy = format!("| Deploy SHA at incident start | `{}` |", repo.short("s1"));
    assert!(text.contains(&deploy), "{text}");
    shown(&mut client, &uri);
    assert!(client.response(id).unwrap().get("error").is_none());
}

#[test]
fn new_refuses_an_existing_file_and_bad_arguments() {
    let repo = build();
    let existing = gitrepo::put(
        &repo.root(),
        "_docs/06_metrics/postmortem_2026-03-14_checkout.md",
        "mine\n",
    );
    let mut client = server(&[&repo.root()], &[]);
    client
        .manual
        .extend(["workspace/applyEdit", "window/showDocument"]);
    let refused = |client: &mut Client, arguments: Value, says: &str| {
        let id = new_command(client, arguments);
        let response = client.response(id).unwrap();
        let error = response["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(error.contains(says), "{response}");
        let shown = client
            .wait_for(|m| m["method"] == "window/showMessage")
            .expect("the user is told why");
        assert!(shown["params"]["message"].as_str().unwrap().contains(says));
    };
    refused(
        &mut client,
        json!(["checkout", "2026-03-14", null, "Checkout timeouts"]),
        "already exists",
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine\n");
    refused(&mut client, json!([{ "slug": "../../etc" }]), "file name");
    refused(
        &mut client,
        json!([{ "deploy": "--output=/tmp/x" }]),
        "not a revision",
    );
    refused(
        &mut client,
        json!([{ "deploy": "no-such-branch" }]),
        "names no commit",
    );
    refused(&mut client, json!([{ "colour": "red" }]), "`colour`");
    assert!(client.received("workspace/applyEdit").is_empty());
    assert!(client.received("window/showDocument").is_empty());
}

#[test]
fn a_client_that_cannot_create_files_gets_the_file_written_for_it() {
    let repo = build();
    let (mut client, _) = Client::start_in(json!({}), &[&repo.root()], &[]);
    client.manual.push("window/showDocument");
    let id = new_command(&mut client, json!(["plain", "2026-05-01"]));
    let show = client
        .wait_for(|m| m["method"] == "window/showDocument")
        .expect("the new file is opened");
    let path = repo
        .root()
        .canonicalize()
        .unwrap()
        .join("_docs/06_metrics/postmortem_2026-05-01_plain.md");
    assert_eq!(show["params"]["uri"], file_uri(&path));
    client.respond(&show, json!({ "success": true }));
    assert_eq!(client.response(id).unwrap()["result"], file_uri(&path));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("| Incident date | 2026-05-01 |"), "{text}");
    assert!(client.received("workspace/applyEdit").is_empty());
}
