//! A minimal LSP client for the end-to-end benchmark: it starts the real server binary,
//! writes JSON-RPC messages to its stdin and reads its stdout on the calling thread (no
//! reader thread, so no thread hand-off is added to the latencies it measures).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running server.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Dropping it tells the watchdog the server ended normally.
    _watchdog: mpsc::Sender<()>,
}

impl Server {
    /// Starts `bin` serving LSP on stdio. If the server is still running after `limit` (a
    /// hung benchmark), a watchdog kills it, so reads fail instead of waiting forever.
    pub fn spawn(bin: &Path, limit: Duration) -> Server {
        let mut child = Command::new(bin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped stdout"));
        let (tx, rx) = mpsc::channel::<()>();
        let pid = child.id();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
                eprintln!("e2e: server {pid} still running after {limit:?}; killing it");
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        });
        Server {
            child,
            stdin,
            stdout,
            next_id: 0,
            _watchdog: tx,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("JSON serializes");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.stdin
            .write_all(&frame)
            .expect("server reads its stdin");
        self.stdin.flush().expect("server reads its stdin");
    }

    /// Reads the next frame's body.
    fn frame(&mut self) -> Vec<u8> {
        let mut length = None;
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line).expect("server output");
            assert!(n > 0, "the server closed its output (crashed or killed)");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                length = v.trim().parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.stdout.read_exact(&mut body).expect("a whole message");
        body
    }

    /// Parses one body. Requests from the server get an empty answer, so a server that asks
    /// the client something never blocks the benchmark: `None` for those.
    fn message(&mut self, body: &[u8]) -> Option<Value> {
        let message: Value = serde_json::from_slice(body).expect("the server writes JSON");
        if message.get("method").is_some() && message.get("id").is_some() {
            let id = message["id"].clone();
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            return None;
        }
        Some(message)
    }

    /// Reads the next message (answering the server's requests on the way).
    fn read(&mut self) -> Value {
        loop {
            let body = self.frame();
            if let Some(message) = self.message(&body) {
                return message;
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result (panics on an error answer).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.read();
            if message.get("id") == Some(&json!(id)) {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
        }
    }

    /// Waits for the diagnostics of `uri` at `version` and returns the message's body as it
    /// came, unparsed: an editor's JSON parsing is not the server's time, and on a document
    /// with 14,000 findings it would be most of what is measured. The publish is recognised
    /// by its method, URI and version as raw bytes, looked for only in the body's first 4 KB
    /// and last 4 KB, so recognising it costs nothing per finding (outside JSON strings
    /// `"` is never escaped, so these keys cannot be matched inside a message text); the
    /// version is the body's last `"version":`. Diagnostics for other
    /// versions are skipped (the server never sends stale ones, but a late one for an
    /// earlier version would not count as the answer to this edit).
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<u8> {
        let uri_key = format!("\"uri\":\"{uri}\"").into_bytes();
        loop {
            let body = self.frame();
            let head = &body[..body.len().min(4096)];
            let publish = find(head, b"\"method\":\"textDocument/publishDiagnostics\"").is_some();
            if !publish {
                self.message(&body);
                continue;
            }
            // tower-lsp-server writes `params` through `serde_json::Value`, keys sorted: the
            // URI and version follow the diagnostics.
            let tail = &body[body.len().saturating_sub(4096)..];
            let version_at = published_version(tail).or_else(|| published_version(head));
            let names_uri = find(head, &uri_key)
                .or_else(|| find(tail, &uri_key))
                .is_some();
            if names_uri && version_at == Some(version) {
                return body;
            }
        }
    }

    /// `initialize` (UTF-16 positions, snippets, versioned diagnostics) and `initialized`.
    pub fn initialize(&mut self, root_uri: &str) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": root_uri,
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": true}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {"versionSupport": true}
                    }
                }
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// The server's peak resident memory so far (`VmHWM`), in kilobytes.
    pub fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// `shutdown` and `exit`, then waits for the process (killing it if it lingers).
    pub fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The LSP position (line, UTF-16 column) of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The `version` in part of a raw `publishDiagnostics` body: the number after its last
/// `"version":` (the key of `params`; a diagnostic has none).
fn published_version(body: &[u8]) -> Option<i64> {
    let key = b"\"version\":";
    let at = body.windows(key.len()).rposition(|w| w == key)? + key.len();
    let digits: Vec<u8> = body[at..]
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| b.is_ascii_digit())
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// How many diagnostics a raw `publishDiagnostics` body carries (parses it: call it
/// outside the timed part).
pub fn count_diagnostics(body: &[u8]) -> usize {
    let message: Value = serde_json::from_slice(body).expect("the server writes JSON");
    message["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len)
}
