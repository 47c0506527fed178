//! Bounded resources, through the real binary over stdio: a client that stops reading holds
//! the server back (it stops computing answers nobody reads, and its memory stays bounded),
//! superseded diagnostics are dropped rather than queued, and what is kept per folder goes
//! when the folder's last open document closes.
//!
//! The client here is raw (its own framing) because it must be able *not* to read.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);
/// The example post-mortem: 11 sections, so a document made of copies has many symbols.
const VALID: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
));

/// The server, with a reader thread that reads its output only while `reading` is set.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Value>,
    /// Each `()` sent lets the reader take one more message.
    reading: mpsc::Sender<()>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        let (reading, allowed) = mpsc::channel::<()>();
        std::thread::spawn(move || read_all(stdout, &tx, &allowed));
        let mut server = Server {
            stdin: child.stdin.take(),
            child,
            incoming,
            reading,
        };
        server.send(&json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize",
                             "params": { "processId": null, "capabilities": {} } }));
        server.next_matching(|m| m["id"] == 0);
        server.send(&json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
        server
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        stdin.flush().expect("flush");
    }

    /// Reads messages until one matches; panics after [`TIMEOUT`].
    fn next_matching(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let _ = self.reading.send(());
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.incoming.recv_timeout(left).expect("a message in time");
            if matches(&message) {
                return message;
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
        self.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen",
                           "params": { "textDocument": doc } }));
    }

    fn close(&mut self, uri: &str) {
        self.send(
            &json!({ "jsonrpc": "2.0", "method": "textDocument/didClose",
                           "params": { "textDocument": { "uri": uri } } }),
        );
    }

    /// The diagnostics published for `uri` with `version` (`Null`: a clear on close).
    fn diagnostics(&mut self, uri: &str, version: Value) -> Vec<Value> {
        let found = self.next_matching(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        found["params"]["diagnostics"].as_array().cloned().unwrap()
    }

    /// A line of `/proc/PID/status` (`VmRSS`, say) in kB.
    fn status_kb(&self, field: &str) -> u64 {
        crate::common::status_kb(self.child.id(), field)
    }

    fn rss_mb(&self) -> f64 {
        self.status_kb("VmRSS:") as f64 / 1024.0
    }

    /// CPU time used so far (user + system), in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // The fields after the command name, which is in parentheses.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    }

    /// Waits until the server has used no CPU for `quiet`; panics after [`TIMEOUT`].
    fn wait_idle(&self, quiet: Duration) {
        let deadline = Instant::now() + TIMEOUT;
        let mut last = self.cpu_ticks();
        let mut since = Instant::now();
        while since.elapsed() < quiet {
            assert!(Instant::now() < deadline, "the server never went idle");
            std::thread::sleep(Duration::from_millis(50));
            let now = self.cpu_ticks();
            if now != last {
                (last, since) = (now, Instant::now());
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reader thread: one message per permit, each checked to be a well-formed frame.
fn read_all(stdout: ChildStdout, tx: &mpsc::Sender<Value>, allowed: &mpsc::Receiver<()>) {
    let mut reader = BufReader::new(stdout);
    while allowed.recv().is_ok() {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let value = line
                .strip_prefix("Content-Length:")
                .expect("a length header");
            length = Some(value.trim().parse::<usize>().expect("a length"));
        }
        let mut body = vec![0; length.expect("a Content-Length")];
        reader.read_exact(&mut body).expect("the whole body");
        let message = serde_json::from_slice(&body).expect("a well-formed JSON message");
        if tx.send(message).is_err() {
            return;
        }
    }
}

#[test]
fn a_client_that_does_not_read_holds_the_server_back() {
    let mut server = Server::start();
    // 25 copies of the example: about 94 KB, whose outline is about 67 KB of JSON.
    let uri = "untitled:large-outline";
    server.open(uri, &VALID.repeat(25));
    server.next_matching(|m| m["method"] == "textDocument/publishDiagnostics");
    // From here on nothing is read: the answers fill the server's output and stop there.
    // (Fewer requests than tower-lsp-server queues, 100, so that all are read at once.)
    const REQUESTS: i64 = 90;
    let before = server.cpu_ticks();
    for id in 1..=REQUESTS {
        server.send(
            &json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                             "params": { "textDocument": { "uri": uri } } }),
        );
    }
    server.wait_idle(Duration::from_millis(600));
    let rss = server.rss_mb();
    assert!(rss < 100.0, "{rss:.0} MB while the client is not reading");
    let unread = server.cpu_ticks();
    let mut answered = Vec::new();
    for _ in 1..=REQUESTS {
        let response = server.next_matching(|m| m.get("id").is_some() && m.get("method").is_none());
        let id = response["id"].as_i64().expect("a numeric id");
        let symbols = response["result"].as_array().expect("a symbol list");
        assert_eq!(symbols.len(), 25 * 11, "request {id}");
        answered.push(id);
    }
    answered.sort_unstable();
    assert_eq!(answered, (1..=REQUESTS).collect::<Vec<_>>());
    // The work is measured in CPU time, not wall time, so a loaded machine cannot change
    // the verdict. A server that ran ahead of its client did (almost) all of it unread;
    // this one stopped once its output was full (about 30 answers) and did the rest, the
    // larger part, only once the client read.
    let (ahead, after) = (unread - before, server.cpu_ticks() - unread);
    assert!(
        after * 2 >= ahead,
        "{ahead} ticks of work before the client read, {after} after: the server ran ahead"
    );
    // And it still serves.
    server.send(&json!({ "jsonrpc": "2.0", "id": 1000, "method": "shutdown" }));
    let response = server.next_matching(|m| m["id"] == 1000);
    assert_eq!(response["result"], Value::Null, "{response}");
}

#[test]
fn a_client_that_does_not_read_stops_being_read() {
    // Requests the guard answers itself (an unknown `$/` request is answered with its
    // method name as data): nothing for the server to compute, so only the bound on
    // queued output stops the reading.
    let mut server = Server::start();
    let mut stdin = server.stdin.take().expect("stdin");
    const REQUESTS: usize = 10_000;
    let method = format!("$/{}", "x".repeat(1000));
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        for id in 1..=REQUESTS {
            let body = json!({ "jsonrpc": "2.0", "id": id, "method": method }).to_string();
            let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
            if stdin.write_all(frame.as_bytes()).is_err() {
                return;
            }
        }
        let _ = stdin.flush();
        let _ = done_tx.send(stdin);
    });
    server.wait_idle(Duration::from_millis(600));
    let rss = server.rss_mb();
    assert!(rss < 100.0, "{rss:.0} MB while the client is not reading");
    // About 11 MB of answers would be waiting: the server stopped reading well before.
    assert!(
        done.try_recv().is_err(),
        "the server read all {REQUESTS} requests while none of its answers was read"
    );
    for id in 1..=REQUESTS {
        let answer = server.next_matching(|m| m.get("id").is_some());
        assert_eq!(answer["id"], id, "answers come in order");
        assert_eq!(answer["error"]["code"], -32601, "{id}");
    }
    let stdin = done.recv_timeout(TIMEOUT).expect("every request was sent");
    server.stdin = Some(stdin);
    server.send(&json!({ "jsonrpc": "2.0", "id": 0, "method": "shutdown" }));
    let response = server.next_matching(|m| m["id"] == 0);
    assert_eq!(response["result"], Value::Null, "{response}");
}

#[test]
fn unread_diagnostics_are_superseded_and_the_latest_comes_last() {
    let mut server = Server::start();
    let uri = "untitled:typing";
    server.open(uri, VALID);
    server.next_matching(|m| m["method"] == "textDocument/publishDiagnostics");
    // Each change adds a line to the Timeline, whose entries must be in order: the list of
    // findings changes every time. Nothing is read while they are sent.
    const CHANGES: i64 = 200;
    let line = VALID
        .lines()
        .position(|l| l.starts_with("## Timeline"))
        .unwrap() as i64
        + 1;
    for version in 2..=CHANGES + 1 {
        let text = format!(
            "- 2026-03-14T0{}:00:00Z out of order {version}\n",
            version % 10
        );
        let at = json!({ "line": line, "character": 0 });
        server.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version },
                        "contentChanges": [{ "range": { "start": at, "end": at }, "text": text }] } }));
    }
    server.wait_idle(Duration::from_millis(400));
    server.send(&json!({ "jsonrpc": "2.0", "id": 1, "method": "shutdown" }));
    let mut versions = Vec::new();
    loop {
        let message = server.next_matching(|_| true);
        if message["id"] == 1 {
            break;
        }
        if message["method"] == "textDocument/publishDiagnostics" {
            versions.push(message["params"]["version"].as_i64().expect("a version"));
        }
    }
    assert_eq!(versions.last(), Some(&(CHANGES + 1)), "{versions:?}");
    assert!(versions.is_sorted(), "{versions:?}");
    assert!(
        versions.len() <= 10,
        "{} publications queued: {versions:?}",
        versions.len()
    );
}

/// Folders opened one after another, each with one document opened and closed. Each folder
/// without eviction kept about 115 KB; a settings load costs about 20 ms in a debug build,
/// so the count is kept to what shows a leak plainly (about 18 MB) in a few seconds.
const FOLDERS: usize = 200;
/// Folders opened before the baseline is measured (allocator and caches warm).
const WARM: usize = 40;
const TEXT: &str = "# Post-mortem\n";

/// Opens and closes one document in `dir`, waiting for its diagnostics; returns them.
fn visit(server: &mut Server, dir: &Path) -> Vec<Value> {
    let path = dir.join("postmortem_2026-03-14_db.md");
    std::fs::write(&path, TEXT).unwrap();
    let uri = format!("file://{}", path.display());
    server.open(&uri, TEXT);
    let found = server.diagnostics(&uri, json!(1));
    server.close(&uri);
    server.diagnostics(&uri, Value::Null);
    found
}

/// The severities of the diagnostics coded `code`.
fn severities(diagnostics: &[Value], code: &str) -> Vec<i64> {
    let mut found: Vec<i64> = diagnostics
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["severity"].as_i64().unwrap())
        .collect();
    found.dedup();
    found
}

#[test]
fn what_is_kept_for_a_folder_goes_with_its_last_document() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Server::start();
    // The first folder has its own settings: missing sections are only hints there.
    let first = tmp.path().join("f0");
    std::fs::create_dir(&first).unwrap();
    std::fs::write(
        first.join(".postmortem.toml"),
        "[rules]\nmissing-section = \"hint\"\n",
    )
    .unwrap();
    assert_eq!(
        severities(&visit(&mut server, &first), "missing-section"),
        [4]
    );
    let mut baseline = 0.0;
    for i in 1..FOLDERS {
        if i == WARM {
            baseline = server.rss_mb();
        }
        let dir = tmp.path().join(format!("f{i}"));
        std::fs::create_dir(&dir).unwrap();
        // Elsewhere the built-in level applies.
        let found = visit(&mut server, &dir);
        if i == 1 {
            assert_eq!(severities(&found, "missing-section"), [1]);
        }
    }
    let grown = server.rss_mb() - baseline;
    assert!(
        grown < 6.0,
        "{grown:.1} MB more after {} more folders",
        FOLDERS - WARM
    );
    // A folder opened again is read again: its settings still apply.
    assert_eq!(
        severities(&visit(&mut server, &first), "missing-section"),
        [4]
    );
    std::fs::write(
        first.join(".postmortem.toml"),
        "[rules]\nmissing-section = \"warning\"\n",
    )
    .unwrap();
    assert_eq!(
        severities(&visit(&mut server, &first), "missing-section"),
        [2]
    );
}
