//! A small JSON-RPC client that drives the real `postmortem-lsp` binary over stdio:
//! Content-Length framing, a reader thread, and waits with timeouts.

#![allow(dead_code)]

pub mod features;
pub mod raw;
pub mod twin;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages received but not yet asked for.
    pending: Vec<Value>,
    next_id: i64,
    /// Server-to-client request methods the test answers itself (see [`Client::respond`]);
    /// any other request from the server is answered with `null`.
    pub manual: Vec<&'static str>,
}

impl Client {
    /// Starts the binary. Its log goes to this process's stderr when `POSTMORTEM_TEST_LOG`
    /// is set, else nowhere (the tests provoke warnings on purpose).
    pub fn spawn() -> Client {
        Client::spawn_with(&[])
    }

    /// [`Client::spawn`] with extra environment variables for the server (`PATH`, say).
    pub fn spawn_with(vars: &[(&str, &str)]) -> Client {
        let mut command = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"));
        command.arg("lsp").envs(vars.iter().copied());
        Client::spawn_command(command)
    }

    /// Starts `command`, which runs the server (possibly under a wrapper such as `strace`).
    pub fn spawn_command(mut command: Command) -> Client {
        let stderr = if std::env::var_os("POSTMORTEM_TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming,
            pending: Vec::new(),
            next_id: 0,
            manual: Vec::new(),
        }
    }

    /// Starts the binary and completes the `initialize` handshake. `encodings` goes to
    /// `general.positionEncodings` when given. Returns the `initialize` result.
    pub fn start(encodings: Option<&[&str]>) -> (Client, Value) {
        let mut capabilities = json!({});
        if let Some(encodings) = encodings {
            capabilities = json!({ "general": { "positionEncodings": encodings } });
        }
        Client::start_with(capabilities)
    }

    /// Starts the binary and completes the `initialize` handshake with these client
    /// capabilities. Returns the `initialize` result.
    pub fn start_with(capabilities: Value) -> (Client, Value) {
        Client::start_in(capabilities, &[], &[])
    }

    /// Starts the binary with extra environment variables and completes the `initialize`
    /// handshake with these capabilities and workspace folders (absolute paths).
    pub fn start_in(
        capabilities: Value,
        folders: &[&std::path::Path],
        vars: &[(&str, &str)],
    ) -> (Client, Value) {
        let mut client = Client::spawn_with(vars);
        let folders: Vec<Value> = folders
            .iter()
            .map(|f| json!({ "uri": file_uri(f), "name": "folder" }))
            .collect();
        let folders = if folders.is_empty() {
            Value::Null
        } else {
            Value::from(folders)
        };
        let response = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                    "workspaceFolders": folders }),
        );
        client.notify("initialized", json!({}));
        (client, response["result"].clone())
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to server");
        stdin.flush().expect("flush to server");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response (the whole message, `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
            .unwrap_or_else(|| panic!("no response to {method} within {TIMEOUT:?}"))
    }

    /// Sends a request without waiting; returns its id for [`Client::response`].
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// The response to request `id`, once it arrives; `None` after [`TIMEOUT`].
    pub fn response(&mut self, id: i64) -> Option<Value> {
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// Answers a request the server sent (one whose method is in `manual`).
    pub fn respond(&mut self, request: &Value, result: Value) {
        let id = request["id"].clone();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    /// The first message (received or still to come) matching `matches`, removed from the
    /// queue; `None` after [`TIMEOUT`]. Requests from the server are answered with `null`.
    pub fn wait_for(&mut self, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        self.wait_for_within(TIMEOUT, matches)
    }

    /// [`Client::wait_for`] giving up after `limit`.
    pub fn wait_for_within(
        &mut self,
        limit: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self.pending.iter().position(&matches) {
            return Some(self.pending.remove(i));
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            };
            let method = message["method"].as_str().unwrap_or_default();
            let manual = self.manual.contains(&method);
            if message.get("method").is_some() && message.get("id").is_some() && !manual {
                let id = message["id"].clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            if matches(&message) {
                return Some(message);
            }
            self.pending.push(message);
        }
    }

    /// Waits for diagnostics published for `uri` with `version` (`None`: no version, as on
    /// close), dropping earlier publications for that URI. Returns the diagnostics.
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let is_for_uri = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        let wanted = version.map_or(Value::Null, Value::from);
        let found = self
            .wait_for(|m| is_for_uri(m) && m["params"]["version"] == wanted)
            .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version:?}"));
        self.pending.retain(|m| !is_for_uri(m));
        found["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Waits until no diagnostics have been published for any of `uris` for `quiet`
    /// (at most [`TIMEOUT`]), and drops those publications.
    pub fn settle(&mut self, uris: &[&str], quiet: Duration) {
        let started = std::time::Instant::now();
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && uris.iter().any(|u| m["params"]["uri"] == *u)
        };
        while started.elapsed() < TIMEOUT {
            if self.wait_for_within(quiet, is_for).is_none() {
                break;
            }
        }
        self.pending.retain(|m| !is_for(m));
    }

    /// Every message with `method` received so far and not yet consumed (no waiting).
    pub fn received(&mut self, method: &str) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.pending.push(message);
        }
        self.pending
            .iter()
            .filter(|m| m["method"] == method)
            .cloned()
            .collect()
    }

    /// Every diagnostics publication for `uri` received so far and not yet consumed.
    pub fn published_so_far(&mut self, uri: &str) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.pending.push(message);
        }
        self.pending
            .iter()
            .filter(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            })
            .cloned()
            .collect()
    }

    pub fn open(&mut self, uri: &str, version: i64, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "markdown", "version": version, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// Sends one `didChange` with the given content changes (each `json!({range, text})`
    /// or `json!({text})`).
    pub fn change(&mut self, uri: &str, version: i64, changes: Vec<Value>) {
        let params = json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": changes,
        });
        self.notify("textDocument/didChange", params);
    }

    pub fn close(&mut self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits up to `limit` for the process to end.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one framed message; `None` at end of stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A range as LSP JSON.
pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": { "line": start.0, "character": start.1 },
        "end": { "line": end.0, "character": end.1 },
    })
}

/// The LSP position of byte `offset` in `text`, counted independently of the server's code:
/// lines break at `\n`, `\r\n` and a lone `\r`; columns are UTF-16 units or bytes.
pub fn position(text: &str, offset: usize, utf16: bool) -> (u32, u32) {
    let (mut line, mut col) = (0u32, 0u32);
    let mut chars = text[..offset].chars().peekable();
    while let Some(c) = chars.next() {
        let breaks = c == '\n' || (c == '\r' && chars.peek() != Some(&'\n'));
        if breaks {
            line += 1;
            col = 0;
        } else if c != '\r' {
            col += if utf16 { c.len_utf16() } else { c.len_utf8() } as u32;
        }
    }
    (line, col)
}

/// The `file:` URI of an absolute path (no characters that need escaping, as in tests).
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// A `file:` URI for a post-mortem named `name` inside the example workspace, so the server
/// finds a real root (`examples/acme-shop`) for it.
pub fn example_uri(name: &str) -> String {
    format!(
        "file://{}/examples/acme-shop/_docs/06_metrics/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The complete, correct example post-mortem.
pub const VALID: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
));

/// Runs the binary with `args` in `dir`, failing the test if it takes more than `limit`
/// (a hang fails instead of holding the suite). Returns its output and how long it took.
pub fn cli_within(
    dir: &std::path::Path,
    args: &[&str],
    limit: Duration,
) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`postmortem-lsp {}` ran longer than {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

/// A `/proc/PID/status` field (`VmRSS:`, `VmHWM:`) of a running process, in kB. Panics when
/// it cannot be read, so a memory bound is never checked against a missing value.
pub fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("process {pid} is not running: {e}"));
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
