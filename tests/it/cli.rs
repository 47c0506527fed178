//! End-to-end tests of `postmortem-lsp check`: the real binary on fixture repositories,
//! every output format, every exit code, directory walking, and that nothing is written.
//!
//! Fixtures (tests/fixtures/cli/) are the shipped example with one thing broken each:
//! `errors.md` lacks `## Impact` (an error on its emoji/CJK title) and repeats
//! `## What was lucky` (a warning); `warnings.md` swaps two sections (a warning only);
//! `readme.md` is not a post-mortem.

use postmortem_lsp::analysis::Code;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TITLE: &str = "🔥 Post-mortem: 支付 checkout timeouts";
const ERRORS: &str = "_docs/06_metrics/postmortem_2026-03-14_checkout-errors.md";

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest().join("tests/fixtures/cli").join(name)
}

/// Runs `postmortem-lsp check ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn put(root: &Path, rel: &str, contents: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// A git repository (a bare `.git` folder is enough) holding the shipped example plus:
/// the errors fixture as a post-mortem, the warnings fixture as a content-detected
/// post-mortem outside `_docs`, a README, a `.gitignore`d draft and a hidden draft.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    copy_dir(&manifest().join("examples/acme-shop"), root);
    // Keep only the clean example post-mortem; the fixtures bring their own mistakes.
    std::fs::remove_file(root.join(MISTAKES)).unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    let errors = std::fs::read(fixture("errors.md")).unwrap();
    put(root, ERRORS, &errors);
    put(
        root,
        "notes/incident.md",
        &std::fs::read(fixture("warnings.md")).unwrap(),
    );
    put(
        root,
        "README.md",
        &std::fs::read(fixture("readme.md")).unwrap(),
    );
    put(root, ".gitignore", b"drafts/\n");
    put(root, "drafts/postmortem_2026-03-14_draft.md", &errors);
    put(root, ".scratch/postmortem.md", &errors);
    tmp
}

/// Every file under `dir` with its contents, to prove a run wrote nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.insert(path.clone(), Vec::new());
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn json(out: &Output) -> Vec<Value> {
    serde_json::from_str::<Value>(&stdout(out))
        .expect("stdout is JSON")
        .as_array()
        .expect("a JSON array")
        .clone()
}

/// The shipped example with typical mistakes, relative to `examples/acme-shop`.
const MISTAKES: &str = "_docs/06_metrics/postmortem_2026-04-02_search-outage.md";
const CLEAN: &str =
    "examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";

#[test]
fn the_shipped_example_is_clean() {
    let out = check(manifest(), &[CLEAN]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(stdout(&out), "no problems in 1 file\n");
    let out = check(manifest(), &["--format", "json", "--strict", CLEAN]);
    assert_eq!(code(&out), 0);
    assert_eq!(json(&out), Vec::<Value>::new());
}

#[test]
fn json_positions_are_one_based_characters() {
    let tmp = repo();
    let out = check(tmp.path(), &["--format", "json", ERRORS]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let items = json(&out);
    let missing = items
        .iter()
        .find(|i| {
            i["code"] == "missing-section" && i["message"].as_str().unwrap().contains("`## Impact`")
        })
        .expect("the missing Impact section is reported");
    assert_eq!(missing["path"], ERRORS);
    assert_eq!(missing["severity"], "error");
    assert_eq!(
        (&missing["line"], &missing["column"]),
        (&Value::from(1), &Value::from(3))
    );
    // The title holds an emoji (4 bytes) and two CJK characters (3 bytes each): the end
    // column counts them as one column each.
    let end = 3 + TITLE.chars().count();
    assert_eq!(
        TITLE.len(),
        TITLE.chars().count() + 3 + 2 * 2,
        "bytes and characters differ"
    );
    assert_eq!(
        (&missing["end_line"], &missing["end_column"]),
        (&Value::from(1), &Value::from(end))
    );
    let duplicate = items
        .iter()
        .find(|i| i["code"] == "duplicate-section")
        .expect("the repeated section is reported");
    assert_eq!(duplicate["severity"], "warning");
    assert_eq!(duplicate["column"], 4);
    assert_eq!(duplicate["end_column"], 4 + "What was lucky".len());
    let text = std::fs::read_to_string(tmp.path().join(ERRORS)).unwrap();
    let line = text
        .lines()
        .nth(duplicate["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert_eq!(line, "## What was lucky");
    for item in &items {
        let keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = [
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "message",
        ];
        let mut got = keys.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }
}

#[test]
fn human_format_underlines_by_display_width() {
    let tmp = repo();
    let out = check(tmp.path(), &[ERRORS]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.starts_with(&format!(
                "{ERRORS}:1:3: error[missing-section]: missing section `## Impact`"
            ))
        })
        .unwrap_or_else(|| panic!("no missing-section line in:\n{text}"));
    assert_eq!(lines[at + 1], format!(" 1 | # {TITLE}"));
    // 🔥 and each of 支付 take two terminal columns.
    let width = TITLE.chars().count() + 1 + 2;
    assert_eq!(lines[at + 2], format!("   |   {}", "^".repeat(width)));
    assert!(
        lines
            .iter()
            .any(|l| l.contains(": warning[duplicate-section]: ")),
        "{text}"
    );
    let summary = lines.last().unwrap();
    assert!(summary.ends_with(" in 1 file"), "{summary}");
    assert!(
        !summary.starts_with("0 errors") && summary.contains(" error"),
        "{summary}"
    );
}

#[test]
fn github_workflow_commands() {
    let tmp = repo();
    // A name with a comma and a percent sign, which must be escaped in the `file` property.
    let odd = "notes/pm,100%.md";
    put(
        tmp.path(),
        odd,
        &std::fs::read(fixture("errors.md")).unwrap(),
    );
    let out = check(tmp.path(), &["--format", "github", odd]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let end = 3 + TITLE.chars().count();
    let want = format!(
        "::error file=notes/pm%2C100%25.md,line=1,col=3,endLine=1,endColumn={end},\
         title=postmortem(missing-section)::missing section `## Impact`: add it after `## Detection`"
    );
    assert!(text.lines().any(|l| l == want), "want {want}\nin:\n{text}");
    assert!(text.lines().any(
        |l| l.starts_with("::warning file=notes/pm%2C100%25.md,line=")
            && l.contains(",title=postmortem(duplicate-section)::")
    ));
    assert!(text.lines().all(|l| l.starts_with("::error ")
        || l.starts_with("::warning ")
        || l.starts_with("::notice ")));
}

#[test]
fn sarif_log() {
    let tmp = repo();
    let out = check(tmp.path(), &["--format", "sarif", "."]);
    assert_eq!(code(&out), 1);
    let log: Value = serde_json::from_str(&stdout(&out)).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .contains("sarif-schema-2.1.0")
    );
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "postmortem-lsp");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Code::ALL.len());
    for (rule, code) in rules.iter().zip(Code::ALL) {
        assert_eq!(rule["id"], code.as_str());
        assert_eq!(rule["shortDescription"]["text"], code.description());
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{level}");
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(r["ruleId"], rule["id"]);
        assert!(r["message"]["text"].as_str().is_some_and(|m| !m.is_empty()));
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.contains('\\') && !uri.starts_with('/') && !uri.starts_with("./"),
            "{uri}"
        );
    }
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "missing-section")
        .expect("a missing section");
    assert_eq!(missing["level"], "error");
    let location = &missing["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], ERRORS);
    let region = &location["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["startColumn"], 3);
    assert_eq!(region["endLine"], 1);
    assert_eq!(region["endColumn"], 3 + TITLE.chars().count());
    let order = results
        .iter()
        .find(|r| r["ruleId"] == "section-order")
        .expect("section order");
    assert_eq!(order["level"], "warning");
    assert_eq!(
        order["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "notes/incident.md"
    );
}

#[test]
fn exit_codes() {
    let tmp = repo();
    let dir = tmp.path();
    assert_eq!(code(&check(dir, &[ERRORS])), 1, "an error");
    assert_eq!(
        code(&check(dir, &["notes/incident.md"])),
        0,
        "a warning only"
    );
    assert_eq!(
        code(&check(dir, &["--strict", "notes/incident.md"])),
        1,
        "a warning, strict"
    );
    let clean = "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";
    assert_eq!(code(&check(dir, &["--strict", clean])), 0, "clean, strict");

    let out = check(dir, &["no/such/postmortem.md", clean]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no/such/postmortem.md"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&out),
        "no problems in 1 file\n",
        "the readable file is still checked"
    );
    let out = check(dir, &["no/such/postmortem.md", ERRORS]);
    assert_eq!(
        code(&out),
        2,
        "unreadable paths take precedence over errors"
    );

    let out = check(dir, &["--no-such-flag"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--no-such-flag"));
    assert_eq!(code(&check(dir, &["--format", "xml", clean])), 2);
}

#[test]
fn named_files_are_checked_whatever_their_name() {
    let tmp = repo();
    // A README is skipped when walking but checked when named.
    let out = check(tmp.path(), &["--format", "json", "README.md"]);
    assert_eq!(code(&out), 1);
    let items = json(&out);
    assert!(items.iter().all(|i| i["path"] == "README.md"));
    assert_eq!(
        items
            .iter()
            .filter(|i| i["code"] == "missing-section")
            .count(),
        11
    );
}

#[test]
fn walking_finds_postmortems_and_skips_the_rest() {
    let tmp = repo();
    for args in [&["--format", "json", "."][..], &["--format", "json"]] {
        let out = check(tmp.path(), args);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        let mut paths: Vec<String> = json(&out)
            .iter()
            .map(|i| {
                i["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string()
            })
            .collect();
        paths.dedup();
        assert_eq!(paths, [ERRORS, "notes/incident.md"], "{args:?}");
    }
    // The clean example is walked too: three files, no README, no draft.
    let out = check(tmp.path(), &[]);
    let text = stdout(&out);
    assert!(text.ends_with(" in 3 files\n"), "{text}");
    assert!(!text.contains("README") && !text.contains("drafts/") && !text.contains(".scratch"));
}

#[test]
fn no_path_means_the_enclosing_repository() {
    let tmp = repo();
    let out = check(&tmp.path().join("notes"), &["--format", "json"]);
    assert_eq!(code(&out), 1);
    let mut paths: Vec<String> = json(&out)
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    let up = Path::new("..").join(ERRORS).display().to_string();
    assert_eq!(paths, [up.as_str(), "incident.md"]);
}

#[test]
fn non_utf8_files_are_reported_and_skipped() {
    let tmp = repo();
    let latin1 = "_docs/06_metrics/postmortem_2026-03-14_latin1.md";
    put(
        tmp.path(),
        latin1,
        b"# Post-mortem: caf\xe9 outage\n\n## Header\n",
    );
    // A non-UTF-8 file that is not a post-mortem stays quiet when walking.
    put(tmp.path(), "notes/old.md", b"# Notes caf\xe9\n");
    let out = check(tmp.path(), &["--format", "json", "."]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("postmortem_2026-03-14_latin1.md") && err.contains("UTF-8"),
        "{err}"
    );
    assert!(!err.contains("old.md"), "{err}");
    let items = json(&out);
    assert!(
        items
            .iter()
            .all(|i| !i["path"].as_str().unwrap().contains("latin1"))
    );
    assert!(
        items
            .iter()
            .any(|i| i["path"].as_str().unwrap().ends_with(ERRORS)),
        "others still checked"
    );

    let out = check(tmp.path(), &["notes/old.md"]);
    assert_eq!(code(&out), 2, "a named file is always reported");
    assert!(stderr(&out).contains("notes/old.md"));
}

#[test]
fn nothing_is_written() {
    let tmp = repo();
    let before = snapshot(tmp.path());
    for format in ["human", "json", "github", "sarif"] {
        check(tmp.path(), &["--format", format]);
        check(
            tmp.path(),
            &["--format", format, "--strict", ".", ERRORS, "README.md"],
        );
    }
    assert_eq!(snapshot(tmp.path()), before);
}
