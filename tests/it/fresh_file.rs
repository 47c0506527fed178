//! A post-mortem as `new` writes it: the template's questions kept as guidance, one
//! `unfilled-section` warning per untouched section instead of one error per `…`, the
//! guidance in the heading hover, and inlay hints after table rows.

use crate::common;

use common::features::{client, opened, position_params};
use common::{VALID, range};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn new_keeps_the_questions_and_check_reports_one_finding_per_untouched_section() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["new", "--slug", "redis_pool", "--date", "2026-05-03"];
    let (code, out, err) = run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    let path = out.trim().to_string();
    assert_eq!(path, "_docs/06_metrics/postmortem_2026-05-03_redis_pool.md");
    let text = std::fs::read_to_string(dir.path().join(&path)).unwrap();
    // The slug is the title until one is written, and the Timeline holds no event stamped
    // with the minute the file was made.
    assert!(text.starts_with("# Post-mortem: Redis pool\n"), "{text}");
    assert!(
        text.contains("```\nHH:MM  (source: alert) …\n```\n"),
        "{text}"
    );
    for question in [
        "- Which alert, and was its threshold right?\n",
        "- Which smoke-test step failed?\n",
        "- What stopped the user impact?\n",
        "Write one line per page, message and action, so that a reader can replay the incident.\n",
    ] {
        assert!(text.contains(question), "{question} missing in\n{text}");
    }

    let (code, json, err) = run(dir.path(), &["check", "--format", "json", &path]);
    assert_eq!(code, 1, "{err}");
    let found: Vec<Value> = serde_json::from_str(&json).unwrap();
    let codes = |code: &str| -> Vec<u64> {
        found
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["line"].as_u64().unwrap())
            .collect()
    };
    let headings: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("## ") && *l != "## Header")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert_eq!(headings.len(), 10);
    assert_eq!(codes("unfilled-section"), headings, "{json}");
    // The sections' `…` are left to unfilled-section, and the title is written.
    assert_eq!(codes("placeholder"), Vec::<u64>::new(), "{json}");
    // The Header's unfilled values: detection, mitigation, duration, environment,
    // detected by, severity and the deploy SHA (no repository here).
    assert_eq!(codes("empty-field"), [8, 9, 10, 11, 12, 13, 14], "{json}");
    assert_eq!(found.len(), 17, "{json}");
}

#[test]
fn a_section_written_in_keeps_its_placeholder_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out, _) = run(dir.path(), &["new", "--slug", "y", "--date", "2026-05-03"]);
    let file = dir.path().join(out.trim());
    let text = std::fs::read_to_string(&file).unwrap();
    let written = text.replacen("- Signal: …", "- Signal: the p99 alert", 1);
    std::fs::write(&file, &written).unwrap();
    let (_, json, _) = run(dir.path(), &["check", "--format", "json", out.trim()]);
    let found: Vec<Value> = serde_json::from_str(&json).unwrap();
    let noticed = written
        .lines()
        .position(|l| l == "- Noticed after: …")
        .unwrap() as u64
        + 1;
    let placeholders: Vec<u64> = found
        .iter()
        .filter(|d| d["code"] == "placeholder")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(placeholders, [noticed], "{json}");
    let unfilled = found.iter().filter(|d| d["code"] == "unfilled-section");
    assert_eq!(unfilled.count(), 9, "{json}");
}

#[test]
fn hover_on_a_heading_shows_the_templates_questions() {
    let mut client = client(false, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_heading.md", VALID);
    let heading = VALID.find("## Detection\n").unwrap() + 5;
    let response = client.request(
        "textDocument/hover",
        position_params(&uri, VALID, heading, true),
    );
    let markdown = response["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("- Which alert, and was its threshold right?\n")
            && markdown.starts_with("**Detection**"),
        "{markdown}"
    );
    let line = VALID[..heading].matches('\n').count() as u32;
    assert_eq!(response["result"]["range"], range((line, 0), (line, 12)));
}

#[test]
fn inlay_hints_never_sit_inside_a_table_row() {
    let mut client = client(true, true);
    let uri = opened(&mut client, "postmortem_2026-03-14_rows.md", VALID);
    let whole = json!({ "textDocument": { "uri": uri }, "range": range((0, 0), (200, 0)) });
    let response = client.request("textDocument/inlayHint", whole);
    let hints = response["result"].as_array().unwrap();
    let lines: Vec<&str> = VALID.lines().collect();
    let mut on_rows = 0;
    for hint in hints {
        let line = lines[hint["position"]["line"].as_u64().unwrap() as usize];
        let at = hint["position"]["character"].as_u64().unwrap() as usize;
        if line.starts_with('|') {
            assert_eq!(at, line.len(), "{hint} inside {line:?}");
            on_rows += 1;
        }
    }
    assert_eq!(on_rows, 3, "{hints:?}");
}
