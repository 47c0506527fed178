//! The process ends within a second of `exit` (code 0 after `shutdown`, 1 without) or of the
//! end of its input, whatever the server is still waiting for from the client: a
//! `client/registerCapability` never answered, or a client gone right after `initialize`.
//! Each case runs ten times (in parallel, to keep the test fast) so a race shows.

use crate::common;

use common::Client;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How long the process may take to end.
const WITHIN: Duration = Duration::from_secs(1);
const RUNS: usize = 10;

/// A client that can watch files, so the server registers watchers from `initialized`.
fn watching() -> Value {
    json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } })
}

/// Starts a server whose `client/registerCapability` requests are never answered, and waits
/// until the first one has been sent (so it is surely pending).
fn ignoring_registrations() -> Client {
    let mut client = Client::spawn();
    client.manual = vec!["client/registerCapability"];
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": watching() }),
    );
    assert!(init.get("result").is_some(), "{init}");
    client.notify("initialized", json!({}));
    let register = client.wait_for(|m| m["method"] == "client/registerCapability");
    assert!(register.is_some(), "the server registers its watchers");
    client
}

/// The exit code of `client`'s process, which must end within [`WITHIN`] from now.
fn exit_code(client: &mut Client, what: &str) -> Option<i32> {
    let started = Instant::now();
    let status = client.wait_exit(WITHIN);
    let status = status.unwrap_or_else(|| panic!("{what}: still running after {WITHIN:?}"));
    assert!(started.elapsed() <= WITHIN + Duration::from_millis(100));
    status.code()
}

/// Runs `case` [`RUNS`] times at once and returns the exit codes. Every run is joined
/// before any failure is reported, so each run's server is killed (when its client drops)
/// even if it hangs.
fn repeated(case: fn() -> Option<i32>) -> Vec<Option<i32>> {
    let runs: Vec<_> = (0..RUNS).map(|_| std::thread::spawn(case)).collect();
    let joined: Vec<_> = runs.into_iter().map(|run| run.join()).collect();
    joined
        .into_iter()
        .map(|run| run.expect("the case passes"))
        .collect()
}

#[test]
fn shutdown_and_exit_end_the_process_while_a_registration_is_unanswered() {
    let codes = repeated(|| {
        let mut client = ignoring_registrations();
        let response = client.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        client.notify("exit", Value::Null);
        exit_code(&mut client, "shutdown + exit")
    });
    assert_eq!(codes, vec![Some(0); RUNS]);
}

#[test]
fn exit_alone_ends_the_process_with_code_one_while_a_registration_is_unanswered() {
    let codes = repeated(|| {
        let mut client = ignoring_registrations();
        client.notify("exit", Value::Null);
        exit_code(&mut client, "exit")
    });
    assert_eq!(codes, vec![Some(1); RUNS]);
}

#[test]
fn the_end_of_input_ends_the_process_while_a_registration_is_unanswered() {
    let codes = repeated(|| {
        let mut client = ignoring_registrations();
        client.close_stdin();
        exit_code(&mut client, "end of input")
    });
    assert_eq!(codes, vec![Some(1); RUNS]);
}

#[test]
fn closing_stdin_right_after_initialize_ends_the_process() {
    let codes = repeated(|| {
        let mut client = Client::spawn();
        let init = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": watching() }),
        );
        assert!(init.get("result").is_some(), "{init}");
        client.close_stdin();
        exit_code(&mut client, "stdin closed after initialize")
    });
    assert_eq!(codes, vec![Some(1); RUNS]);
}

#[test]
fn closing_stdin_right_after_initialized_ends_the_process() {
    let codes = repeated(|| {
        let mut client = Client::spawn();
        client.manual = vec!["client/registerCapability"];
        let init = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": watching() }),
        );
        assert!(init.get("result").is_some(), "{init}");
        client.notify("initialized", json!({}));
        client.close_stdin();
        exit_code(&mut client, "stdin closed after initialized")
    });
    assert_eq!(codes, vec![Some(1); RUNS]);
}

#[test]
fn a_client_that_answers_everything_can_shut_down_right_after_initialized() {
    let codes = repeated(|| {
        // Every request from the server is answered (with `null`) as it arrives.
        let (mut client, _) = Client::start_with(watching());
        let response = client.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        client.notify("exit", Value::Null);
        exit_code(&mut client, "shutdown + exit after initialized")
    });
    assert_eq!(codes, vec![Some(0); RUNS]);
}

#[test]
fn exit_ends_the_process_while_a_document_waits_for_its_settings() {
    // `didOpen` of a file starts a settings load that registers watchers (never answered
    // here), and a request is left in flight: neither holds the process.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("postmortem_2026-03-14_db.md");
    std::fs::write(&path, "# Post-mortem\n").expect("write");
    let uri = common::file_uri(&path);
    let mut client = ignoring_registrations();
    client.open(&uri, 1, "# Post-mortem\n");
    client.send_request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    client.notify("exit", Value::Null);
    assert_eq!(exit_code(&mut client, "exit with work pending"), Some(1));
}

#[test]
fn shutdown_and_exit_end_the_process_while_an_edit_is_unanswered() {
    // `workspace/applyEdit`, sent while a command runs, is never answered: the command's
    // own request stays open, and neither holds the process. (The command must also not
    // wait for the unanswered registration: it loads the document's settings first.)
    let mut client = ignoring_registrations();
    client.manual.push("workspace/applyEdit");
    let uri = common::example_uri("postmortem_2026-03-14_lifecycle.md");
    client.open(&uri, 1, common::VALID);
    client.send_request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.insertTimelineEntry", "arguments": [uri] }),
    );
    let edit = client.wait_for(|m| m["method"] == "workspace/applyEdit");
    assert!(edit.is_some(), "the server asks to apply the edit");
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null, "{response}");
    client.notify("exit", Value::Null);
    assert_eq!(exit_code(&mut client, "exit with an edit pending"), Some(0));
}
