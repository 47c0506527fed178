//! The shipped examples, checked through the CLI binary: the clean one has nothing to say,
//! the one with typical mistakes reports exactly the problems it was written with.

use std::path::Path;
use std::process::Command;

const MISTAKES: &str = "examples/acme-shop/_docs/06_metrics/postmortem_2026-04-02_search-outage.md";

fn check(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .arg("check")
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn mistakes_example_reports_each_planted_problem() {
    let (code, out) = check(&["--format", "json", MISTAKES]);
    assert_eq!(code, 1);
    let found: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON");
    let summary: Vec<String> = found
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["line"],
                d["column"],
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!(summary.join("\n"));
}

#[test]
fn mistakes_example_human_output() {
    let (_, out) = check(&[MISTAKES]);
    insta::assert_snapshot!(out);
}
