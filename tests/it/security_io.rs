//! No writes and no network, shown on the real binary: a full editing session (open, edits,
//! formatting, hover, completion, code actions, links, commands, save, close) and a `check`
//! run over a git workspace leave every file as it was, and under `strace` neither opens a
//! file for writing nor creates a network socket. The session also runs under `unshare -n`
//! (no network at all) to show nothing depends on one. Each tool is skipped, with the reason
//! printed, where the machine lacks it.

#![cfg(target_os = "linux")]

use crate::common;

use common::{Client, range};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_postmortem-lsp");
const NAME: &str = "postmortem_2026-03-14_checkout-timeouts.md";

/// Every file under `dir` (`.git` included) with its content and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, Option<SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path.clone());
            }
            let content = if meta.is_file() {
                std::fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            out.insert(path, (content, meta.modified().ok()));
        }
    }
    out
}

fn works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The example workspace copied to a temporary git repository with one commit.
fn workspace(tmp: &Path) -> PathBuf {
    let root = tmp.join("ws");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-shop");
    let copied = Command::new("cp")
        .arg("-R")
        .arg(&from)
        .arg(&root)
        .status()
        .unwrap();
    assert!(copied.success());
    if works("git", &["--version"]) {
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-qm",
                "x",
            ],
        ] {
            let ok = Command::new("git")
                .args(args)
                .current_dir(&root)
                .status()
                .unwrap();
            assert!(ok.success());
        }
    }
    root
}

/// The command that runs `args` of the binary: under `unshare -n` and `strace` when they
/// work here. Returns it and the trace file, if tracing.
fn wrapped(args: &[&str], trace: &Path) -> (Command, bool) {
    let mut parts: Vec<String> = Vec::new();
    if works("unshare", &["-n", "true"]) {
        parts.extend(["unshare".into(), "-n".into()]);
    } else {
        println!("skipped: `unshare -n` does not work here; the session runs with the network");
    }
    let traced = works("strace", &["-f", "-o", "/dev/null", "true"]);
    if traced {
        parts.extend(
            [
                "strace",
                "-f",
                "-qq",
                "-e",
                "trace=socket,connect,open,openat,creat,mkdir,mkdirat,rename,renameat,\
                 renameat2,unlink,unlinkat,truncate,link,linkat,symlink,symlinkat",
                "-o",
            ]
            .map(String::from),
        );
        parts.push(trace.display().to_string());
    } else {
        println!("skipped: strace does not work here; only the files are compared");
    }
    parts.push(BIN.to_string());
    parts.extend(args.iter().map(|a| a.to_string()));
    let mut command = Command::new(&parts[0]);
    command.args(&parts[1..]);
    (command, traced)
}

/// The calls in an strace log that write to disk or touch the network.
fn forbidden_calls(trace: &Path) -> Vec<String> {
    let log = std::fs::read_to_string(trace).unwrap_or_default();
    log.lines()
        .filter(|l| {
            let call = l.split_once(' ').map_or(*l, |(_, rest)| rest.trim_start());
            let writes = (call.starts_with("open") || call.starts_with("creat"))
                && ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
                    .iter()
                    .any(|f| call.contains(f))
                && !call.contains("\"/dev/");
            let name = call.split('(').next().unwrap_or("");
            let changes = [
                "creat",
                "mkdir",
                "mkdirat",
                "rename",
                "renameat",
                "renameat2",
                "unlink",
                "unlinkat",
                "truncate",
                "link",
                "linkat",
                "symlink",
                "symlinkat",
            ]
            .contains(&name);
            let network = (call.starts_with("socket(") || call.starts_with("connect("))
                && !call.contains("AF_UNIX");
            writes || changes || network
        })
        .map(str::to_string)
        .collect()
}

fn session(client: &mut Client, root: &Path) {
    let uri = format!("file://{}/_docs/06_metrics/{NAME}", root.display());
    let text = std::fs::read_to_string(root.join("_docs/06_metrics").join(NAME)).unwrap();
    client.open(&uri, 1, &text);
    client.diagnostics(&uri, Some(1));
    // Damage the Header so fixes, completions and hovers have work to do.
    client.change(
        &uri,
        2,
        vec![json!({ "range": range((12, 13), (12, 17)), "text": "Hgh" })],
    );
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert!(!diagnostics.is_empty());
    let doc = json!({ "uri": uri });
    let at = |needle: &str| {
        let (line, character) = common::position(&text, text.find(needle).unwrap() + 2, true);
        json!({ "textDocument": doc, "position": { "line": line, "character": character } })
    };
    let sha = at("9f1c2ab7e4d0");
    let reference = at("_docs/04_deploy/deployment_procedures.md");
    let everything = range((0, 0), (200, 0));
    let requests = [
        (
            "textDocument/formatting",
            json!({ "textDocument": doc, "options": { "tabSize": 4, "insertSpaces": true } }),
        ),
        ("textDocument/hover", sha),
        ("textDocument/hover", reference.clone()),
        (
            "textDocument/completion",
            json!({ "textDocument": doc, "position": { "line": 12, "character": 14 } }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": doc, "range": everything,
            "context": { "diagnostics": diagnostics } }),
        ),
        ("textDocument/documentLink", json!({ "textDocument": doc })),
        ("textDocument/definition", reference),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": doc, "range": everything }),
        ),
        (
            "textDocument/documentSymbol",
            json!({ "textDocument": doc }),
        ),
        ("textDocument/foldingRange", json!({ "textDocument": doc })),
        (
            "workspace/executeCommand",
            json!({ "command": "postmortem.insertTimelineEntry", "arguments": [uri] }),
        ),
    ];
    for (method, params) in requests {
        let response = client.request(method, params);
        assert!(
            response.get("result").is_some() || method.ends_with("Command"),
            "{method}: {response}"
        );
    }
    client.notify("textDocument/didSave", json!({ "textDocument": doc }));
    client.close(&uri);
    client.diagnostics(&uri, None);
    assert_eq!(
        client.request("shutdown", Value::Null)["result"],
        Value::Null
    );
    client.notify("exit", Value::Null);
    let status = client.wait_exit(Duration::from_secs(10)).expect("exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_session_and_a_check_write_nothing_and_use_no_network() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let root = workspace(&base);
    let traces = tempfile::tempdir().unwrap();
    let before = snapshot(&base);

    let trace = traces.path().join("lsp.trace");
    let (mut command, traced) = wrapped(&["lsp"], &trace);
    command.current_dir(&root);
    let mut client = Client::spawn_command(command);
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": format!("file://{}", root.display()),
                "capabilities": {} }),
    );
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    client.notify("initialized", json!({}));
    session(&mut client, &root);

    let check_trace = traces.path().join("check.trace");
    let (mut command, _) = wrapped(&["check", "--format", "json", "--strict"], &check_trace);
    let out = command.current_dir(&root).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with('['),
        "{out:?}"
    );

    assert_eq!(snapshot(&base), before, "files changed under the workspace");
    if traced {
        for trace in [&trace, &check_trace] {
            let log = std::fs::read_to_string(trace).unwrap();
            assert!(log.contains("openat("), "the trace recorded nothing: {log}");
            assert_eq!(forbidden_calls(trace), Vec::<String>::new());
        }
    }
}

#[test]
fn the_trace_filter_catches_writes_and_sockets() {
    // The filter above, checked on lines strace really prints, so that an empty result
    // means something.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t");
    std::fs::write(
        &trace,
        "1 openat(AT_FDCWD, \"/w/a.md\", O_RDONLY|O_CLOEXEC) = 3\n\
         1 openat(AT_FDCWD, \"/dev/null\", O_RDWR|O_CLOEXEC) = 4\n\
         2 openat(AT_FDCWD, \"/w/b.md\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 5\n\
         3 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 6\n\
         3 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 7\n\
         4 renameat2(AT_FDCWD, \"a\", AT_FDCWD, \"b\", 0) = 0\n\
         4 unlink(\"/w/c\") = 0\n",
    )
    .unwrap();
    let found = forbidden_calls(&trace);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found[0].contains("b.md") && found[1].contains("AF_INET"));
}
