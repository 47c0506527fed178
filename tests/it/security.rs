//! The workspace boundary, over stdio with the real binary: references that leave the root
//! (`../`, paths through symlinks that point outside, template paths that are such symlinks)
//! get no link, no definition and no content in hover, and `broken-reference` says they are
//! outside. A control reference inside the root shows that the same requests do read files.

#![cfg(unix)]

use crate::common;

use common::{Client, VALID, position};
use serde_json::{Value, json};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// What only the files outside the workspace contain.
const SECRET: &str = "TOPSECRET";

/// References the test adds to the Repair section, each on its own line.
const OUTSIDE: &[&str] = &[
    "../outside/secret.md",
    "docs/../../outside/secret.txt",
    "docs/link.md",
    "up/secret.txt",
];

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
    uri: String,
    text: String,
}

/// A workspace whose template paths and some others are symlinks to files outside it.
fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let outside = base.join("outside");
    let root = base.join("ws");
    for dir in [
        outside.clone(),
        root.join("_docs/06_metrics"),
        root.join("_docs/04_deploy"),
        root.join("scripts"),
        root.join("docs"),
    ] {
        fs::create_dir_all(dir).unwrap();
    }
    let secret_md = format!("# Secret\n\n## 5. Rollback {SECRET}\n\n{SECRET} steps\n");
    fs::write(outside.join("secret.md"), &secret_md).unwrap();
    fs::write(outside.join("secret.txt"), SECRET).unwrap();
    fs::write(
        outside.join("secret.sh"),
        format!("# Steps:\n#   1. {SECRET} step\n"),
    )
    .unwrap();
    fs::write(
        root.join("docs/ok.md"),
        "# Ok\n\n## 5. Rollback steps\n\nRoll back.\n",
    )
    .unwrap();
    symlink(
        outside.join("secret.md"),
        root.join("_docs/04_deploy/deployment_procedures.md"),
    )
    .unwrap();
    symlink(outside.join("secret.sh"), root.join("scripts/smoke.sh")).unwrap();
    symlink("../../outside/secret.md", root.join("docs/link.md")).unwrap();
    symlink(&outside, root.join("up")).unwrap();

    let mut extra = String::from("- Control: `docs/ok.md` §5.\n");
    for path in OUTSIDE {
        extra.push_str(&format!("- Leaves the root: `{path}` §5.\n"));
    }
    extra.push_str("- Absolute: `/etc/passwd`, home: `~/secret.txt`, smoke: `scripts/smoke.sh`.\n");
    let at = VALID.find("\n## Detection gaps").unwrap();
    let text = format!("{}{extra}{}", &VALID[..at + 1], &VALID[at + 1..]);
    let path = root.join("_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md");
    fs::write(&path, &text).unwrap();
    Setup {
        uri: format!("file://{}", path.display()),
        root,
        outside,
        text,
        _tmp: tmp,
    }
}

fn at(uri: &str, text: &str, offset: usize) -> Value {
    let (line, character) = position(text, offset, true);
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

/// The offset of the first character of the backticked `path` (after the backtick).
fn offset_of(text: &str, path: &str) -> usize {
    text.find(&format!("`{path}`")).unwrap() + 1
}

/// Neither the outside files' content nor their real location appears in `value` (the paths
/// as the document writes them may: they are the user's own words).
fn assert_no_secret(what: &str, value: &Value, outside: &Path) {
    let s = value.to_string();
    assert!(!s.contains(SECRET), "{what} reveals the outside: {s}");
    let real = outside.display().to_string();
    assert!(!s.contains(&real), "{what} names a real path outside: {s}");
}

#[test]
fn references_that_leave_the_root_are_refused() {
    let s = setup();
    let (mut client, _) = Client::start(None);
    client.open(&s.uri, 1, &s.text);
    // Workspace files are looked up by the second pass (the first answers from the cache).
    let published = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == s.uri.as_str()
                && m.to_string().contains("broken-reference")
        })
        .expect("the references are reported");
    let diagnostics = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .clone();
    assert_no_secret("diagnostics", &json!(diagnostics), &s.outside);
    let broken: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d["code"] == "broken-reference")
        .filter_map(|d| d["message"].as_str())
        .collect();
    for path in OUTSIDE
        .iter()
        .chain(&["_docs/04_deploy/deployment_procedures.md"])
    {
        let said = format!("`{path}` points outside the workspace");
        assert!(
            broken.iter().any(|m| m.starts_with(&said)),
            "{path}: {broken:?}"
        );
    }
    assert!(
        !broken.iter().any(|m| m.contains("docs/ok.md")),
        "{broken:?}"
    );

    // Links: only the control, and only inside the root.
    let links = client.request(
        "textDocument/documentLink",
        json!({ "textDocument": { "uri": s.uri } }),
    )["result"]
        .clone();
    assert_no_secret("links", &links, &s.outside);
    let targets: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["target"].as_str())
        .collect();
    let root_uri = format!("file://{}/", s.root.display());
    assert!(
        targets.iter().all(|t| t.starts_with(&root_uri)),
        "{targets:?}"
    );
    assert!(
        targets.iter().any(|t| t.ends_with("/ws/docs/ok.md#L3")),
        "{targets:?}"
    );
    assert!(!targets.iter().any(|t| t.contains("deployment_procedures")));

    // Definition and hover on every reference that leaves the root: nothing from outside.
    let outside_refs = OUTSIDE.iter().chain(&[
        "_docs/04_deploy/deployment_procedures.md",
        "scripts/smoke.sh",
    ]);
    for path in outside_refs {
        let params = at(&s.uri, &s.text, offset_of(&s.text, path) + 1);
        let definition = client.request("textDocument/definition", params.clone());
        assert_eq!(definition["result"], Value::Null, "{path}: {definition}");
        let hover = client.request("textDocument/hover", params);
        assert_no_secret(path, &hover, &s.outside);
        let said = hover["result"]["contents"]["value"].as_str().unwrap_or("");
        assert!(said.contains("outside the workspace"), "{path}: {said}");
    }
    for path in ["/etc/passwd", "~/secret.txt"] {
        let params = at(&s.uri, &s.text, offset_of(&s.text, path) + 1);
        let definition = client.request("textDocument/definition", params.clone());
        assert_eq!(definition["result"], Value::Null, "{path}");
        let hover = client.request("textDocument/hover", params);
        assert_eq!(hover["result"], Value::Null, "{path}: {hover}");
    }

    // The control: the same requests do read a file inside the root.
    let params = at(&s.uri, &s.text, offset_of(&s.text, "docs/ok.md") + 1);
    let hover = client.request("textDocument/hover", params.clone());
    let said = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(said.contains("Roll back."), "{hover}");
    let definition = client.request("textDocument/definition", params);
    let target = definition["result"]["uri"]
        .as_str()
        .or_else(|| definition["result"][0]["uri"].as_str())
        .unwrap_or("");
    assert!(target.ends_with("/ws/docs/ok.md"), "{definition}");
}

#[test]
fn the_cli_refuses_them_too() {
    let s = setup();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(["check", "--format", "json"])
        .arg(Path::new(&s.uri["file://".len()..]))
        .current_dir(&s.root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(SECRET), "{stdout}");
    for path in OUTSIDE {
        assert!(
            stdout.contains(&format!("`{path}` points outside the workspace")),
            "{path}: {stdout}"
        );
    }
}
