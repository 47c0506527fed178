//! Raw frames for the hostile-input tests: bytes written to the server exactly as given
//! (bad headers, bodies that are not JSON), and checks that the server still answers.

use super::{Client, VALID, example_uri};
use serde_json::{Value, json};
use std::io::Write;

impl Client {
    /// Writes `bytes` to the server's stdin as they are, with no framing added.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush to server");
    }

    /// Writes `body` in a correct frame, whatever it holds.
    pub fn send_frame(&mut self, body: &[u8]) {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.send_raw(&frame);
    }

    /// The next error response that has no id (`id: null`), the only answer JSON-RPC allows
    /// to a message whose id could not be read. Panics if none comes in time.
    pub fn null_id_error(&mut self) -> Value {
        let found = self.wait_for(|m| {
            m.get("id").is_some_and(Value::is_null)
                && m.get("method").is_none()
                && m.get("error").is_some()
        });
        found.expect("an error response with `id: null`")["error"].clone()
    }

    /// Opens the example post-mortem under a new name and checks that two requests get their
    /// exact, normal answers: the proof that the server still serves after hostile input.
    pub fn assert_serving(&mut self, name: &str) {
        let uri = example_uri(&format!("postmortem_2026-03-14_{name}.md"));
        self.open(&uri, 1, VALID);
        assert_eq!(self.diagnostics(&uri, Some(1)), Vec::<Value>::new());
        let symbols = self.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        assert_eq!(
            symbols["result"].as_array().map(Vec::len),
            Some(11),
            "{symbols}"
        );
        // Line 9 is `| Duration (user-impacting) | 41:10 |`.
        let hover = self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 9, "character": 5 } }),
        );
        assert_eq!(
            hover["result"]["range"],
            super::range((9, 2), (9, 27)),
            "{hover}"
        );
    }
}

/// The `error.code` of a response (panics when it is not an error).
pub fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error response: {response}"))
}

impl Client {
    /// Every error response received so far and not yet consumed (no waiting): after a run of
    /// messages that must be ignored, this must be empty.
    pub fn errors_so_far(&mut self) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.pending.push(message);
        }
        self.pending
            .iter()
            .filter(|m| m.get("error").is_some())
            .cloned()
            .collect()
    }
}

/// Waits for heavy answers (huge documents in a debug build): long enough never to fail a
/// slow machine, short enough that a hang still fails the test.
pub const HEAVY: std::time::Duration = std::time::Duration::from_secs(90);

impl Client {
    /// [`Client::request`] with a longer wait, for requests on huge documents.
    pub fn request_within(
        &mut self,
        method: &str,
        params: Value,
        limit: std::time::Duration,
    ) -> Value {
        let id = self.send_request(method, params);
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(response) = self.response(id) {
                return response;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no response to {method} within {limit:?}"
            );
        }
    }

    /// [`Client::diagnostics`] with a longer wait, for huge documents.
    pub fn diagnostics_within(
        &mut self,
        uri: &str,
        version: i64,
        limit: std::time::Duration,
    ) -> Vec<Value> {
        let deadline = std::time::Instant::now() + limit;
        let published = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        };
        loop {
            if let Some(found) = self.wait_for(published) {
                // Put it back for `diagnostics`, which also drops earlier publications.
                self.pending.push(found);
                return self.diagnostics(uri, Some(version));
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no diagnostics for {uri} version {version} within {limit:?}"
            );
        }
    }
}
