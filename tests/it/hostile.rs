//! Hostile protocol input against the real binary over stdio: broken frames and bodies,
//! wrong parameter types, unknown methods, requests out of order. Each gets the error code
//! JSON-RPC or LSP names for it (or is ignored, for notifications), and the server keeps
//! serving afterwards.

use crate::common;

use common::raw::error_code;
use common::{Client, VALID, example_uri};
use serde_json::{Value, json};
use std::time::Duration;

/// JSON-RPC 2.0's codes, and the one LSP adds for requests before `initialize`.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const SERVER_NOT_INITIALIZED: i64 = -32002;

#[test]
fn bodies_that_are_not_json_get_a_parse_error() {
    let (mut client, _) = Client::start(None);
    let bodies: [&[u8]; 5] = [
        b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ",
        b"not json at all",
        b"{\"jsonrpc\": \"2.0\", \"method\": \"x\", \"params\": \"\xff\xfe\"}",
        b"",
        b"\0\0\0\0",
    ];
    for body in bodies {
        client.send_frame(body);
        let error = client.null_id_error();
        assert_eq!(error["code"], PARSE_ERROR, "{body:?}: {error}");
    }
    client.assert_serving("after-parse-errors");
}

#[test]
fn json_nested_too_deep_to_parse_is_a_parse_error() {
    let (mut client, _) = Client::start(None);
    // The JSON parser stops at 128 levels rather than exhaust the stack, so this body cannot
    // be read as JSON at all.
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    client.send_frame(deep.as_bytes());
    assert_eq!(client.null_id_error()["code"], PARSE_ERROR);
    client.assert_serving("after-deep-json");
}

#[test]
fn json_that_is_not_a_message_is_an_invalid_request() {
    let (mut client, _) = Client::start(None);
    let bodies = [
        "[]",
        "42",
        "\"initialize\"",
        r#"{"id": 7, "method": "textDocument/hover"}"#,
        r#"{"jsonrpc": "1.0", "id": 7, "method": "shutdown"}"#,
        r#"{"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"}"#,
        r#"{"jsonrpc": "2.0", "id": 1.5, "method": "shutdown"}"#,
        r#"{"jsonrpc": "2.0", "id": 8, "method": 12}"#,
        r#"[{"jsonrpc": "2.0", "id": 9, "method": "shutdown"}]"#,
    ];
    for body in bodies {
        client.send_frame(body.as_bytes());
        let error = client.null_id_error();
        assert_eq!(error["code"], INVALID_REQUEST, "{body}: {error}");
    }
    // None of them was taken for a `shutdown`.
    client.assert_serving("after-invalid-requests");
}

#[test]
fn broken_headers_are_skipped_up_to_the_next_frame() {
    let (mut client, _) = Client::start(None);
    let mut endless = b"X-Junk: ".to_vec();
    endless.extend(std::iter::repeat_n(b'a', 1 << 20));
    endless.extend_from_slice(b"\r\n\r\n");
    let broken: [&[u8]; 6] = [
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}",
        b"Content-Length: twelve\r\n\r\n{}",
        b"Content-Length: -5\r\n\r\n",
        b"Content-Length 12\r\n\r\n{\"jsonrpc\":1}",
        b"\xff\xfe\r\n\r\n",
        &endless,
    ];
    // Each is answered with one parse error, and the frame that follows is read normally
    // (the garbage up to it is skipped).
    for (i, bytes) in broken.into_iter().enumerate() {
        client.send_raw(bytes);
        assert_eq!(client.null_id_error()["code"], PARSE_ERROR, "case {i}");
        let response = client.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": example_uri("postmortem_2026-03-14_none.md") } }),
        );
        assert_eq!(response["result"], Value::Null, "case {i}: {response}");
    }
    client.assert_serving("after-broken-headers");
    assert_eq!(client.errors_so_far(), Vec::<Value>::new());
}

#[test]
fn extra_and_differently_cased_headers_are_accepted() {
    let (mut client, _) = Client::start(None);
    let body = json!({ "jsonrpc": "2.0", "id": 500, "method": "textDocument/documentSymbol",
        "params": { "textDocument": { "uri": example_uri("postmortem_2026-03-14_none.md") } } })
    .to_string();
    // A Content-Type without a charset, an unknown header and a lower-case length: clients
    // are allowed all three, and none may cost the session.
    let frame = format!(
        "Content-Type: application/vscode-jsonrpc\r\nX-Trace: 1\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    client.send_raw(frame.as_bytes());
    let response = client
        .response(500)
        .expect("an answer to the framed request");
    assert_eq!(response["result"], Value::Null, "{response}");
    client.assert_serving("after-extra-headers");
}

#[test]
fn a_huge_content_length_is_refused_without_allocating_it() {
    let (mut client, _) = Client::start(None);
    // 10^12 bytes announced, a few sent: the server must not wait for (or reserve) a
    // terabyte; it answers a parse error and reads on from the next frame.
    client.send_raw(b"Content-Length: 1000000000000\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1}");
    assert_eq!(client.null_id_error()["code"], PARSE_ERROR);
    // A length that does not even fit in 64 bits.
    client.send_raw(b"Content-Length: 99999999999999999999999\r\n\r\n");
    assert_eq!(client.null_id_error()["code"], PARSE_ERROR);
    client.assert_serving("after-huge-length");
}

#[test]
fn a_frame_cut_short_by_the_end_of_input_ends_the_session_cleanly() {
    let (mut client, _) = Client::start(None);
    client.send_raw(b"Content-Length: 5000\r\n\r\n{\"jsonrpc\":");
    client.close_stdin();
    let status = client
        .wait_exit(Duration::from_secs(5))
        .expect("exits when its input ends");
    // No `shutdown` came first, so the exit code says the session ended abnormally.
    assert_eq!(status.code(), Some(1));
}

#[test]
fn wrong_parameter_types_are_invalid_params() {
    let (mut client, _) = Client::start(None);
    let uri = example_uri("postmortem_2026-03-14_params.md");
    client.open(&uri, 1, VALID);
    client.diagnostics(&uri, Some(1));
    let doc = json!({ "uri": uri });
    let cases = [
        (
            "textDocument/hover",
            json!({ "textDocument": doc, "position": "line 9" }),
        ),
        (
            "textDocument/hover",
            json!({ "textDocument": doc, "position": { "line": -1, "character": 0 } }),
        ),
        (
            "textDocument/completion",
            json!({ "textDocument": doc, "position": { "line": 1e30, "character": 0 } }),
        ),
        ("textDocument/documentSymbol", json!({ "textDocument": 5 })),
        ("textDocument/documentSymbol", json!([uri])),
        ("textDocument/formatting", Value::Null),
        ("textDocument/foldingRange", json!({})),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": doc, "range": [0, 1] }),
        ),
        ("workspace/executeCommand", json!({ "command": 42 })),
    ];
    for (method, params) in cases {
        let response = client.request(method, params.clone());
        assert_eq!(
            error_code(&response),
            INVALID_PARAMS,
            "{method} {params}: {response}"
        );
    }
    // Notifications with the wrong types are dropped without a word, and leave the document
    // as it was.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": doc, "contentChanges": "everything" }),
    );
    client.notify("textDocument/didOpen", json!({ "textDocument": 1 }));
    client.notify("textDocument/didClose", json!(null));
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": doc }),
    );
    assert_eq!(symbols["result"].as_array().map(Vec::len), Some(11));
    assert_eq!(client.errors_so_far(), Vec::<Value>::new());
    client.assert_serving("after-wrong-params");
}

#[test]
fn unknown_requests_are_method_not_found_and_unknown_notifications_are_ignored() {
    let (mut client, _) = Client::start(None);
    for method in [
        "textDocument/teleport",
        "$/unknownRequest",
        "postmortem/secret",
        "",
    ] {
        let response = client.request(method, json!({}));
        assert_eq!(
            error_code(&response),
            METHOD_NOT_FOUND,
            "{method}: {response}"
        );
    }
    for method in [
        "$/unknownNotification",
        "textDocument/didTeleport",
        "$/cancelRequest",
    ] {
        client.notify(method, json!({ "id": 12345 }));
    }
    client.assert_serving("after-unknown-methods");
    assert_eq!(client.errors_so_far(), Vec::<Value>::new());
}

#[test]
fn requests_before_initialize_are_refused_and_notifications_dropped() {
    let mut client = Client::spawn();
    let uri = example_uri("postmortem_2026-03-14_early.md");
    // Dropped: the spec says notifications before `initialize` are ignored (except `exit`).
    client.open(&uri, 1, VALID);
    // (A method the server does not have is `MethodNotFound` even now: tower-lsp-server
    // routes it before looking at the state, and that answer is true as well.)
    for method in [
        "textDocument/documentSymbol",
        "textDocument/hover",
        "shutdown",
    ] {
        let response = client.request(method, json!({ "textDocument": { "uri": uri } }));
        assert_eq!(
            error_code(&response),
            SERVER_NOT_INITIALIZED,
            "{method}: {response}"
        );
    }
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    client.notify("initialized", json!({}));
    // The early `didOpen` was not applied.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(symbols["result"], Value::Null, "{symbols}");
    assert!(client.published_so_far(&uri).is_empty());
    client.assert_serving("after-early-requests");
}

#[test]
fn a_second_initialize_is_an_invalid_request_and_changes_nothing() {
    let (mut client, first) = Client::start(None);
    assert_eq!(first["capabilities"]["positionEncoding"], "utf-16");
    let again = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null,
                "capabilities": { "general": { "positionEncodings": ["utf-8"] } } }),
    );
    assert_eq!(error_code(&again), INVALID_REQUEST, "{again}");
    // Still UTF-16: the emoji counts two units, so the title ends at column 16, not 18.
    let uri = example_uri("postmortem_2026-03-14_reinit.md");
    client.open(&uri, 1, "# Post-mortem 🚒\n\n## Header\n");
    let diagnostics = client.diagnostics(&uri, Some(1));
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "missing-section")
        .expect("sections are missing");
    assert_eq!(missing["range"]["end"]["character"], 16, "{missing}");
    client.assert_serving("after-second-initialize");
}

#[test]
fn requests_after_shutdown_are_invalid_requests() {
    let (mut client, _) = Client::start(None);
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    let response = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": example_uri("postmortem_2026-03-14_late.md") } }),
    );
    assert_eq!(error_code(&response), INVALID_REQUEST, "{response}");
    client.notify("exit", Value::Null);
    let status = client.wait_exit(Duration::from_secs(5)).expect("exits");
    assert_eq!(status.code(), Some(0));
}
