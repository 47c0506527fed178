//! `check` reads and checks files on several threads; these tests pin down that its reports
//! are nevertheless in a fixed order (walking order, then command-line order), that a file
//! named twice is reported once, and that the problems on stderr come in listing order.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const CLEAN: &str = include_str!(
    "../../examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
);

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// A folder of `count` post-mortems; every third has a wrong Severity (one error each),
/// and their names sort in a different order from their creation order.
fn many(count: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("_docs/06_metrics");
    std::fs::create_dir_all(&dir).unwrap();
    for i in (0..count).rev() {
        let text = if i % 3 == 0 {
            CLEAN.replace("| Severity | High |", "| Severity | Huge |")
        } else {
            CLEAN.to_string()
        };
        let name = format!("postmortem_2026-03-14_incident-{i:03}.md");
        std::fs::write(dir.join(name), text).unwrap();
    }
    tmp
}

/// The files with a wrong Severity, in report order. (The generated folder lacks the files
/// the example refers to, so every file also has reference findings; they are left out.)
fn paths(out: &Output) -> Vec<String> {
    let items: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    items
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter(|i| i["code"] == "invalid-value")
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn findings_come_in_walking_order_on_every_run() {
    let tmp = many(90);
    let first = check(tmp.path(), &["--format", "json", "."]);
    assert_eq!(first.status.code(), Some(1));
    let found = paths(&first);
    let expected: Vec<String> = (0..90)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("_docs/06_metrics/postmortem_2026-03-14_incident-{i:03}.md"))
        .collect();
    assert_eq!(found, expected);
    for _ in 0..3 {
        let again = check(tmp.path(), &["--format", "json", "."]);
        assert_eq!(again.stdout, first.stdout);
    }
}

#[test]
fn named_files_keep_their_order_and_duplicates_are_reported_once() {
    let tmp = many(9);
    let a = "_docs/06_metrics/postmortem_2026-03-14_incident-006.md";
    let b = "_docs/06_metrics/postmortem_2026-03-14_incident-003.md";
    let out = check(tmp.path(), &["--format", "json", a, b, a, "."]);
    assert_eq!(out.status.code(), Some(1));
    // `a` and `b` as named, then the rest of the folder's findings in walking order;
    // the second `a` and the walked copies of `a` and `b` are dropped.
    let walked = "_docs/06_metrics/postmortem_2026-03-14_incident-000.md";
    assert_eq!(paths(&out), [a, b, walked]);
}

#[test]
fn problems_are_reported_in_listing_order() {
    let tmp = many(4);
    let dir = tmp.path().join("_docs/06_metrics");
    std::fs::write(
        dir.join("postmortem_2026-03-14_latin1.md"),
        b"# Post-mortem: caf\xe9 outage\n\n## Header\n",
    )
    .unwrap();
    let out = check(
        tmp.path(),
        &["--format", "json", "missing-one.md", ".", "missing-two.md"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let one = err
        .find("missing-one.md")
        .expect("first missing path reported");
    let latin = err.find("latin1.md").expect("undecodable file reported");
    let two = err
        .find("missing-two.md")
        .expect("second missing path reported");
    assert!(one < latin && latin < two, "{err}");
    // The readable files were still checked.
    assert_eq!(paths(&out).len(), 2);
}

#[test]
#[cfg(unix)]
fn a_file_reached_through_a_linked_folder_is_the_same_file() {
    let tmp = many(3);
    let link = tempfile::tempdir().unwrap();
    let linked = link.path().join("repo");
    std::os::unix::fs::symlink(tmp.path(), &linked).unwrap();
    let named = tmp
        .path()
        .join("_docs/06_metrics/postmortem_2026-03-14_incident-000.md");
    let out = check(
        link.path(),
        &["--format", "json", "repo", named.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    // Walked through the link first, so it is shown that way, and only once.
    assert_eq!(
        paths(&out),
        ["repo/_docs/06_metrics/postmortem_2026-03-14_incident-000.md"]
    );
}
