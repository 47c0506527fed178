//! Hostile repository files against the real binary (issue 11, cases 1–4 and 10): a path a
//! post-mortem names with `§N`, or a team's `template`, that is a FIFO, `/dev/zero` (through
//! a committed symlink, or named directly), a Unix socket, a symlink loop, a symlink out of
//! the repository, or a 100 MB file. The server reports each (a `broken-reference` on the
//! reference, a problem on the `template` key), keeps answering every request (hovers on the
//! reference included), answers `shutdown` and exits; `check` finishes promptly with the
//! right message and exit code. The fixtures are made in a temporary folder at test time.
//! Every wait has a limit, so a regression fails instead of hanging the suite.

#![cfg(unix)]

use crate::common;

use common::{Client, VALID, file_uri, position};
use serde_json::{Value, json};
use std::os::unix::fs::symlink;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long any one answer may take before the test fails.
const LIMIT: Duration = Duration::from_secs(10);

/// The document's folder, under the repository root.
const DOC: &str = "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";

/// The hostile kinds of file; each is made at `path` by [`Kind::make`].
#[derive(Clone, Copy, Debug)]
enum Kind {
    Fifo,
    DevZero,
    Socket,
    Loop,
    LinkOut,
    Huge,
}

impl Kind {
    /// Makes the file; a socket's listener is returned, to live as long as the test.
    fn make(self, path: &Path, outside: &Path) -> Option<UnixListener> {
        match self {
            Kind::Fifo => {
                let made = Command::new("mkfifo").arg(path).status().unwrap();
                assert!(made.success(), "mkfifo works here");
            }
            Kind::DevZero => symlink("/dev/zero", path).unwrap(),
            Kind::Socket => return Some(UnixListener::bind(path).unwrap()),
            Kind::Loop => symlink(path.file_name().unwrap(), path).unwrap(),
            Kind::LinkOut => symlink(outside, path).unwrap(),
            Kind::Huge => {
                let file = std::fs::File::create(path).unwrap();
                file.set_len(100 << 20).unwrap();
            }
        }
        None
    }

    /// What a `broken-reference` says after the path.
    fn reference_problem(self) -> &'static str {
        match self {
            Kind::Fifo => "is a FIFO (named pipe), not a regular file",
            Kind::Socket => "is a socket, not a regular file",
            Kind::Loop => "is a symlink loop, not a regular file",
            Kind::DevZero | Kind::LinkOut => "points outside the workspace",
            Kind::Huge => "is larger than 4 MiB: it is not read",
        }
    }

    /// What the hover on the reference says.
    fn hover(self) -> &'static str {
        match self {
            Kind::Fifo => "is a FIFO (named pipe), not a regular file",
            Kind::Socket => "is a socket, not a regular file",
            Kind::Loop => "is a symlink loop, not a regular file",
            Kind::DevZero | Kind::LinkOut => "is outside the workspace",
            Kind::Huge => "is larger than 4 MiB: it is not read",
        }
    }

    /// What the problem on the `template` key says.
    fn template_problem(self) -> &'static str {
        match self {
            Kind::Fifo => "it is a FIFO (named pipe), not a regular file: not read",
            Kind::Socket => "it is a socket, not a regular file: not read",
            Kind::Loop => "is a symlink loop, not a regular file: not read",
            Kind::DevZero | Kind::LinkOut => "lies outside the repository: not read",
            Kind::Huge => "it is larger than 4 MiB: not read",
        }
    }
}

/// A repository (with `.git`, so it is the root) beside a folder outside it.
struct Repo {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
    _listener: Option<UnixListener>,
}

fn repo() -> Repo {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let root = base.join("ws");
    let outside = base.join("outside.md");
    for dir in [".git", "_docs/06_metrics", "docs"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    std::fs::write(&outside, "# Outside\n\n## 5. SECRET\n").unwrap();
    Repo {
        _tmp: tmp,
        root,
        outside,
        _listener: None,
    }
}

/// `VALID` with a reference to `docs/p.md` §5 in its Repair section.
fn document() -> String {
    let at = VALID.find("\n## Detection gaps").unwrap() + 1;
    let extra = "- Hostile: `docs/p.md` §5.\n";
    format!("{}{extra}{}", &VALID[..at], &VALID[at..])
}

/// Starts the server (its pid written by the shell it `exec`s from) and initializes it on
/// `root`, watching files, with `options`. Returns the client and the server's pid.
fn start(root: &Path, options: Value) -> (Client, u32) {
    let pid_file = root.join(".git/server.pid");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("echo $$ > \"$1\"; exec \"$2\" lsp")
        .arg("sh")
        .arg(&pid_file)
        .arg(env!("CARGO_BIN_EXE_postmortem-lsp"));
    let mut client = Client::spawn_command(command);
    let capabilities = json!({
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    });
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities,
                "workspaceFolders": [{ "uri": file_uri(root), "name": "w" }],
                "initializationOptions": options }),
    );
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    client.notify("initialized", json!({}));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    (client, pid.trim().parse().unwrap())
}

/// Sends a request and waits at most [`LIMIT`] for its answer.
fn ask(client: &mut Client, method: &str, params: Value) -> Value {
    let id = client.send_request(method, params);
    let started = Instant::now();
    let answer = client
        .wait_for_within(LIMIT, |m| m["id"] == id && m.get("method").is_none())
        .unwrap_or_else(|| panic!("no answer to {method} within {LIMIT:?}"));
    assert!(started.elapsed() < LIMIT);
    answer
}

/// The first publication for `uri` whose diagnostics say `wanted`, within [`LIMIT`].
fn published_saying(client: &mut Client, uri: &str, wanted: &str) -> Vec<Value> {
    let found = client.wait_for_within(LIMIT, |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| says(d, wanted)))
    });
    let found = found.unwrap_or_else(|| {
        let so_far = client.published_so_far(uri);
        panic!("no diagnostics for {uri} saying {wanted:?}; published: {so_far:#?}")
    });
    found["params"]["diagnostics"].as_array().unwrap().clone()
}

fn says(diagnostic: &Value, wanted: &str) -> bool {
    diagnostic["message"]
        .as_str()
        .is_some_and(|m| m.contains(wanted))
}

/// The server's peak resident memory, in MB.
fn peak_mb(pid: u32) -> u64 {
    common::status_kb(pid, "VmHWM:") / 1024
}

/// Many hovers and another request still answer; then `shutdown` answers and `exit` ends
/// the process with 0.
fn keeps_serving_then_exits(client: &mut Client, uri: &str, text: &str, at: usize) {
    let (line, character) = position(text, at, true);
    let params = json!({ "textDocument": { "uri": uri },
                         "position": { "line": line, "character": character } });
    for _ in 0..10 {
        let hover = ask(client, "textDocument/hover", params.clone());
        assert!(hover.get("error").is_none(), "{hover}");
    }
    let symbols = ask(
        client,
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(symbols["result"].is_array(), "{symbols}");
    let untitled = "untitled:Untitled-1";
    client.open(untitled, 1, "# Post-mortem: x\n");
    let folding = ask(
        client,
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": untitled } }),
    );
    assert!(folding.get("error").is_none(), "{folding}");
    let shutdown = ask(client, "shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    client.notify("exit", Value::Null);
    let status = client
        .wait_exit(LIMIT)
        .expect("the server exits after `exit`");
    assert!(status.success(), "{status:?}");
}

/// Case 1 and 10: a reference to each kind of file. Diagnostics arrive with the
/// `broken-reference` that says what the path is, hovers on it answer, and so does the rest.
fn a_reference_to(kind: Kind) {
    let mut repo = repo();
    repo._listener = kind.make(&repo.root.join("docs/p.md"), &repo.outside);
    let text = document();
    let path = repo.root.join(DOC);
    std::fs::write(&path, &text).unwrap();
    let (mut client, pid) = start(&repo.root, Value::Null);
    let uri = file_uri(&path);
    client.open(&uri, 1, &text);
    let diagnostics = published_saying(&mut client, &uri, kind.reference_problem());
    let broken: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("`docs/p.md` ")
        })
        .collect();
    assert_eq!(broken.len(), 1, "{kind:?}: {broken:#?}");
    assert_eq!(broken[0]["code"], "broken-reference", "{kind:?}");
    assert!(says(broken[0], kind.reference_problem()), "{kind:?}");

    // The hover on the reference answers, and says what the path is.
    let at = text.find("`docs/p.md`").unwrap() + 2;
    let (line, character) = position(&text, at, true);
    let hover = ask(
        &mut client,
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri },
                "position": { "line": line, "character": character } }),
    );
    let said = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(said.contains(kind.hover()), "{kind:?}: {hover}");
    assert!(!said.contains("SECRET"), "{kind:?}: {said}");
    assert!(peak_mb(pid) < 100, "{kind:?}: peak {} MB", peak_mb(pid));
    keeps_serving_then_exits(&mut client, &uri, &text, at);
}

#[test]
fn a_fifo_reference_is_reported_and_every_request_answers() {
    a_reference_to(Kind::Fifo);
}

#[test]
fn a_dev_zero_reference_is_outside_and_never_read() {
    a_reference_to(Kind::DevZero);
}

#[test]
fn a_socket_reference_is_reported() {
    a_reference_to(Kind::Socket);
}

#[test]
fn a_symlink_loop_reference_is_reported() {
    a_reference_to(Kind::Loop);
}

#[test]
fn a_reference_through_a_symlink_out_is_outside() {
    a_reference_to(Kind::LinkOut);
}

#[test]
fn a_huge_reference_is_not_read() {
    a_reference_to(Kind::Huge);
}

/// Cases 2 and 3: a template of each kind. The problem is on the `template` key, the
/// built-in schema stays, and the server keeps serving.
fn a_template_that_is(kind: Kind) {
    let mut repo = repo();
    repo._listener = kind.make(&repo.root.join("t.md"), &repo.outside);
    let config = repo.root.join(".postmortem.toml");
    let toml = "template = \"t.md\"\n";
    std::fs::write(&config, toml).unwrap();
    let text = VALID.to_string();
    let path = repo.root.join(DOC);
    std::fs::write(&path, &text).unwrap();
    let (mut client, pid) = start(&repo.root, Value::Null);
    let uri = file_uri(&path);
    client.open(&uri, 1, &text);
    let problems = published_saying(&mut client, &file_uri(&config), kind.template_problem());
    let [problem] = &problems[..] else {
        panic!("{kind:?}: {problems:#?}")
    };
    let range = json!({ "start": { "line": 0, "character": 11 },
                        "end": { "line": 0, "character": 17 } });
    assert_eq!(problem["range"], range, "{kind:?}");
    // The built-in schema checks the example: it is a complete post-mortem.
    let found = client.diagnostics(&uri, Some(1));
    assert!(
        found.iter().all(|d| d["code"] != "missing-section"),
        "{kind:?}: {found:#?}"
    );
    assert!(peak_mb(pid) < 100, "{kind:?}: peak {} MB", peak_mb(pid));
    let at = text.find("## Header").unwrap();
    keeps_serving_then_exits(&mut client, &uri, &text, at);
}

#[test]
fn a_fifo_template_is_refused_and_requests_keep_answering() {
    a_template_that_is(Kind::Fifo);
}

#[test]
fn a_template_linked_to_dev_zero_is_refused_unread() {
    a_template_that_is(Kind::DevZero);
}

#[test]
fn a_socket_template_is_refused() {
    a_template_that_is(Kind::Socket);
}

#[test]
fn a_symlink_loop_template_is_refused() {
    a_template_that_is(Kind::Loop);
}

#[test]
fn a_template_linked_out_of_the_repository_is_refused() {
    a_template_that_is(Kind::LinkOut);
}

#[test]
fn a_huge_template_is_refused() {
    a_template_that_is(Kind::Huge);
}

/// Every publication so far is for a file under `root`.
fn published_only_under(client: &mut Client, root: &Path) {
    let inside = format!("{}/", file_uri(root));
    for published in client.received("textDocument/publishDiagnostics") {
        let uri = published["params"]["uri"].as_str().unwrap_or("");
        assert!(
            uri.starts_with(&inside) || uri.starts_with("untitled:"),
            "published outside the repository: {uri}"
        );
    }
}

/// Case 4 (and case 3's direct path): templates that leave the repository by their text are
/// refused on the `template` key, not used as the schema, never watched, and nothing is
/// published for the files they name.
#[test]
fn templates_outside_the_repository_are_refused_never_watched() {
    for template in ["../../../../etc/passwd", "/dev/zero", "/etc/passwd"] {
        let repo = repo();
        let config = repo.root.join(".postmortem.toml");
        let toml = format!("template = \"{template}\"\n");
        std::fs::write(&config, &toml).unwrap();
        let path = repo.root.join(DOC);
        std::fs::write(&path, VALID).unwrap();
        let (mut client, _) = start(&repo.root, Value::Null);
        let uri = file_uri(&path);
        client.open(&uri, 1, VALID);
        let problems = published_saying(
            &mut client,
            &file_uri(&config),
            &format!("the template `{template}` lies outside the repository: not read"),
        );
        assert_eq!(problems.len(), 1, "{template}: {problems:#?}");
        let end = 11 + template.len() as u64 + 2;
        let range = json!({ "start": { "line": 0, "character": 11 },
                            "end": { "line": 0, "character": end } });
        assert_eq!(problems[0]["range"], range, "{template}");
        let found = client.diagnostics(&uri, Some(1));
        assert!(
            found.iter().all(|d| d["code"] != "missing-section"),
            "{template}: the template became the schema: {found:#?}"
        );
        // A request round trip, so every registration sent before it has arrived.
        ask(
            &mut client,
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        let registrations = client.received("client/registerCapability");
        assert!(!registrations.is_empty(), "the configuration is watched");
        for r in &registrations {
            let globs = r["params"].to_string();
            assert!(
                !globs.contains("passwd") && !globs.contains("zero"),
                "{globs}"
            );
        }
        published_only_under(&mut client, &repo.root);
    }
}

/// The same rule for a template named in the editor's settings, at start and on a change.
#[test]
fn an_editor_template_outside_the_repository_is_refused() {
    let repo = repo();
    let path = repo.root.join(DOC);
    std::fs::write(&path, VALID).unwrap();
    let (mut client, _) = start(&repo.root, json!({ "template": "/dev/zero" }));
    let uri = file_uri(&path);
    client.open(&uri, 1, VALID);
    let warned = client
        .wait_for_within(LIMIT, |m| m["method"] == "window/showMessage")
        .expect("the setting is refused with a message");
    let message = warned["params"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("the template `/dev/zero` lies outside the repository: not read"),
        "{message}"
    );
    let found = client.diagnostics(&uri, Some(1));
    assert!(found.iter().all(|d| d["code"] != "missing-section"));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "postmortem": { "template": "../../../../etc/passwd" } } }),
    );
    let warned = client
        .wait_for_within(LIMIT, |m| m["method"] == "window/showMessage")
        .expect("the new setting is refused too");
    let message = warned["params"]["message"].as_str().unwrap_or("");
    assert!(message.contains("lies outside the repository"), "{message}");
    ask(
        &mut client,
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    for r in client.received("client/registerCapability") {
        let globs = r["params"].to_string();
        assert!(
            !globs.contains("passwd") && !globs.contains("zero"),
            "{globs}"
        );
    }
    published_only_under(&mut client, &repo.root);
}

/// Runs `check` in `dir` with `args`, failing the test if it takes longer than [`LIMIT`].
fn check(dir: &Path, args: &[&str]) -> Output {
    let args: Vec<&str> = std::iter::once("check")
        .chain(args.iter().copied())
        .collect();
    common::cli_within(dir, &args, LIMIT).0
}

/// Case 1 in the CLI: a FIFO reference is a `broken-reference`, promptly.
#[test]
fn check_reports_a_fifo_reference_without_hanging() {
    let repo = repo();
    Kind::Fifo.make(&repo.root.join("docs/p.md"), &repo.outside);
    std::fs::write(repo.root.join(DOC), document()).unwrap();
    let out = check(&repo.root, &["--strict", DOC]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // `broken-reference` is a warning: `--strict` makes it fail the run.
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("`docs/p.md` is a FIFO (named pipe), not a regular file: it is not read"),
        "{stdout}"
    );
}

/// Cases 2–4 in the CLI: a FIFO, `/dev/zero` or `../../etc/passwd` template is a
/// configuration problem, promptly, and the document is checked with the built-in schema.
#[test]
fn check_refuses_hostile_templates_without_hanging() {
    let cases: [(&str, Option<Kind>, &str); 4] = [
        (
            "t.md",
            Some(Kind::Fifo),
            "it is a FIFO (named pipe), not a regular file: not read",
        ),
        (
            "t.md",
            Some(Kind::DevZero),
            "the template `t.md` lies outside the repository: not read",
        ),
        (
            "/dev/zero",
            None,
            "the template `/dev/zero` lies outside the repository: not read",
        ),
        (
            "../../etc/passwd",
            None,
            "the template `../../etc/passwd` lies outside the repository: not read",
        ),
    ];
    for (template, kind, wanted) in cases {
        let repo = repo();
        if let Some(kind) = kind {
            kind.make(&repo.root.join(template), &repo.outside);
        }
        let toml = format!("template = \"{template}\"\n");
        std::fs::write(repo.root.join(".postmortem.toml"), toml).unwrap();
        std::fs::write(repo.root.join(DOC), VALID).unwrap();
        let started = Instant::now();
        let out = check(&repo.root, &[DOC]);
        assert!(started.elapsed() < Duration::from_secs(5), "{template}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains(wanted), "{template}: {all}");
        assert!(all.contains(".postmortem.toml:1:12:"), "{template}: {all}");
        assert!(!all.contains("root:x:0"), "{template}: {all}");
        assert!(!all.contains("missing-section"), "{template}: {all}");
        // A configuration problem is reported, not fatal: the document itself has only
        // warnings (references to files this repository lacks).
        assert_eq!(out.status.code(), Some(0), "{template}: {all}");
    }
}

/// `check` named a FIFO or a device as the document: it is skipped with a reason, not read.
#[test]
fn check_skips_a_named_fifo_or_device() {
    let repo = repo();
    Kind::Fifo.make(&repo.root.join("p.md"), &repo.outside);
    let out = check(&repo.root, &["p.md", "/dev/zero"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`p.md` is a FIFO (named pipe), not a regular file: not read; skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`/dev/zero` is a device, not a regular file: not read; skipped"),
        "{stderr}"
    );
}

/// One 4 MB file named under 300 spellings (`refs/./big.md`, `refs/././big.md`, …): each
/// spelling kept its own copy of the text (1.2 GB). Texts are kept by real path now.
#[test]
fn a_big_file_named_under_many_spellings_is_kept_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("refs")).unwrap();
    std::fs::create_dir_all(root.join("_docs/06_metrics")).unwrap();
    let mut big = String::new();
    let mut n = 0;
    while big.len() < 4_000_000 {
        n += 1;
        big.push_str(&format!("## {n}. Section {n}\n{}\n", "x".repeat(2000)));
    }
    std::fs::write(root.join("refs/big.md"), &big).unwrap();
    let mut extra: String = (1..=300)
        .map(|i| format!("- see `refs/{}big.md` §{i}\n", "./".repeat(i)))
        .collect();
    extra.push_str("- see `refs/big.md` §99999\n");
    let at = VALID.find("\n## Detection gaps").unwrap() + 1;
    let text = format!("{}{extra}{}", &VALID[..at], &VALID[at..]);
    let doc = root.join("_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md");
    std::fs::write(&doc, &text).unwrap();
    let uri = file_uri(&doc);
    let (mut client, pid) = start(root, json!({}));
    client.open(&uri, 1, &text);
    client
        .wait_for_within(Duration::from_secs(30), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m.to_string().contains("99999")
        })
        .expect("the missing section is reported");
    assert!(peak_mb(pid) < 100, "peak {} MB", peak_mb(pid));
}

/// A repository whose team template is 1.5 MB (150 long extra sections), with the example
/// post-mortem open in a server: its folder, the template, the document's URI, the client
/// and the first diagnostics published for it.
fn big_template_repo() -> (tempfile::TempDir, PathBuf, String, Client, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("_docs/06_metrics")).unwrap();
    let template = root.join("_docs/06_metrics/postmortem_template.md");
    let mut text = crate::common::VALID.to_string();
    for i in 0..150 {
        text.push_str(&format!("\n## Extra {i}\n\n{}\n", "Why? ".repeat(2000)));
    }
    std::fs::write(&template, &text).unwrap();
    let doc = root.join(DOC);
    std::fs::write(&doc, VALID).unwrap();
    let uri = file_uri(&doc);
    let (mut client, _) = start(root, json!({}));
    client.open(&uri, 1, VALID);
    let first = client
        .wait_for_within(Duration::from_secs(20), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        })
        .expect("diagnostics under the team template");
    (tmp, template, uri, client, first)
}

/// 300 change notifications for a template that did not change: each read and parsed the
/// 1.5 MB template again, one after another, and requests waited behind them. Now an
/// unchanged file (same stat) is not read again.
#[test]
fn a_storm_of_change_notifications_for_an_unchanged_template_costs_a_stat_each() {
    let (_tmp, template, uri, mut client, _) = big_template_repo();
    let changes = json!({ "changes": [{ "uri": file_uri(&template), "type": 2 }] });
    for _ in 0..300 {
        client.notify("workspace/didChangeWatchedFiles", changes.clone());
    }
    let started = Instant::now();
    ask(
        &mut client,
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// 1,000 different editor settings in a row, under a 1.5 MB template: each reloaded and
/// parsed the template again, one after another (85 s in a debug build), and requests waited
/// behind them. Now the settings that arrive while one reload runs are merged into the next:
/// requests are answered at once, and the last settings are the ones in force.
#[test]
fn a_storm_of_different_settings_reloads_once_more_not_a_thousand_times() {
    let (_tmp, _, uri, mut client, first) = big_template_repo();
    let tickets = |m: &Value| m.to_string().matches("\"missing-ticket\"").count();
    assert_eq!(tickets(&first), 0, "{first}");
    let started = Instant::now();
    // Each differs from the one before it; none changes what the document gets.
    for i in 0..1000 {
        let level = ["warning", "error"][i % 2];
        client.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "postmortem": { "rules": { "human-error": level } } } }),
        );
    }
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "postmortem": { "tickets": { "pattern": "INC-[0-9]+" } } } }),
    );
    ask(
        &mut client,
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the request waited {:?} behind the reloads",
        started.elapsed()
    );
    let last = client
        .wait_for_within(Duration::from_secs(20), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && tickets(m) > 0
        })
        .expect("the last settings apply");
    // The three Prevention rows, none of whose keys is an INC ticket.
    assert_eq!(tickets(&last), 3, "{last}");
}
