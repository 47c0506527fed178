//! `check` in a hostile checkout. An ignore file (`.gitignore`, `.ignore`) that is a FIFO or
//! a link to `/dev/zero` would hang the walk or fill memory, since the walking library reads
//! it with a plain read: such folders are skipped and named on stderr, and the rest of the
//! tree is still checked. A configuration or template sized to make loading slow (thousands
//! of globs or Header rows) is cut to size with a problem, a tracker URL that would run
//! an editor command on a click is refused, and a walk goes at most 100 folders deep.

#![cfg(unix)]

use crate::common::VALID;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs `check .` in `dir`, failing the test if it has not finished within 10 s.
fn check_within(dir: &Path) -> (Output, Duration) {
    crate::common::cli_within(dir, &["check", "."], Duration::from_secs(10))
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn repo_with_two_postmortems() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["_docs/06_metrics", "team-b/_docs/06_metrics"] {
        let dir = tmp.path().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("postmortem_2026-03-14_checkout-timeouts.md"),
            VALID,
        )
        .unwrap();
    }
    tmp
}

#[test]
fn a_fifo_gitignore_in_a_subfolder_skips_that_folder_only() {
    let tmp = repo_with_two_postmortems();
    mkfifo(&tmp.path().join("team-b/.gitignore"));
    let (out, _) = check_within(tmp.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "team-b/.gitignore: is a FIFO (named pipe), not a regular file, not read; folder skipped"
        ),
        "{stderr}"
    );
    // The other post-mortem is still checked.
    assert!(stdout.contains("in 1 file"), "{stdout}");
}

#[test]
fn a_root_ignore_file_that_is_a_fifo_or_dev_zero_stops_the_walk_at_once() {
    for make in [(|p: &Path| mkfifo(p)) as fn(&Path), |p| {
        std::os::unix::fs::symlink("/dev/zero", p).unwrap()
    }] {
        let tmp = repo_with_two_postmortems();
        make(&tmp.path().join(".ignore"));
        let (out, took) = check_within(tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        // The FIFO is refused for what it is, the link for where it leads.
        assert!(
            stderr.contains(".ignore: is a FIFO (named pipe), not a regular file, not read")
                || stderr.contains(".ignore: lies outside the repository, not read"),
            "{stderr}"
        );
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

#[test]
fn thousands_of_nested_folders_are_walked_promptly_and_the_deepest_named() {
    // Each folder once cost a resolution of its whole path, component by component: 500
    // levels took 2 s, 1,200 about half a minute.
    let tmp = repo_with_two_postmortems();
    let mut deep = tmp.path().join("nested");
    for _ in 0..1_200 {
        deep.push("x");
    }
    std::fs::create_dir_all(&deep).unwrap();
    let (out, took) = check_within(tmp.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("nested more than 100 folders deep; folder skipped"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "said once: {stderr}");
    assert!(stdout.contains("in 2 files"), "{stdout}");
}

#[test]
fn an_oversized_gitignore_is_not_read() {
    let tmp = repo_with_two_postmortems();
    let big = std::fs::File::create(tmp.path().join("team-b/.gitignore")).unwrap();
    big.set_len(100 << 20).unwrap();
    let (out, _) = check_within(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("team-b/.gitignore: is larger than 4 MiB, not read"),
        "{stderr}"
    );
}

#[test]
fn a_template_with_40000_header_rows_loads_promptly_and_says_what_it_left_out() {
    let tmp = repo_with_two_postmortems();
    let mut template =
        String::from("# Post-mortem: <x>\n\n## Header\n\n| Field | Value |\n|---|---|\n");
    for i in 0..40_000 {
        template.push_str(&format!("| F{i} | a / b |\n"));
    }
    std::fs::write(tmp.path().join("t.md"), template).unwrap();
    std::fs::write(tmp.path().join(".postmortem.toml"), "template = \"t.md\"\n").unwrap();
    let (out, took) = check_within(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "t.md:207:3: the Header table has more than 200 fields; only the first 200 are used"
        ),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn thousands_of_globs_are_refused_before_they_are_compiled() {
    let tmp = repo_with_two_postmortems();
    let globs: Vec<String> = (0..5000).map(|i| format!("\"d{i}/**/*.md\"")).collect();
    let config = format!("[postmortems]\nglobs = [{}]\n", globs.join(", "));
    std::fs::write(tmp.path().join(".postmortem.toml"), config).unwrap();
    let (out, took) = check_within(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            ".postmortem.toml:2:9: a list of at most 100 entries is expected, this one has 5000"
        ),
        "{stderr}"
    );
    // Both post-mortems are still found by their built-in name.
    assert!(String::from_utf8_lossy(&out.stdout).contains("in 2 files"));
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_tracker_url_that_runs_an_editor_command_is_refused() {
    let tmp = repo_with_two_postmortems();
    let config = "[tickets]\ntracker_url = \"command:workbench.action.terminal.new?{key}\"\n";
    std::fs::write(tmp.path().join(".postmortem.toml"), config).unwrap();
    let (out, _) = check_within(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".postmortem.toml:2:15: the tracker URL must start with `https://`"),
        "{stderr}"
    );
}

#[test]
fn an_ignore_file_linked_to_proc_is_not_read() {
    // `/proc/self/pagemap` says it is a regular file of 0 bytes, and reads without end.
    let tmp = repo_with_two_postmortems();
    std::os::unix::fs::symlink("/proc/self/pagemap", tmp.path().join("team-b/.gitignore")).unwrap();
    let (out, took) = check_within(tmp.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("team-b/.gitignore: lies outside the repository, not read; folder skipped"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// A repository file with 20,000 numbered sections, and a post-mortem that names a section
/// it lacks: finding a heading's line once took a walk from the top for each heading.
fn repo_with_a_long_procedure() -> (tempfile::TempDir, String) {
    let tmp = repo_with_two_postmortems();
    let mut procedure = String::new();
    for i in 1..=20_000 {
        procedure.push_str(&format!("## {i}. Step {i}\n\ntext\n\n"));
    }
    std::fs::create_dir_all(tmp.path().join("docs")).unwrap();
    std::fs::write(tmp.path().join("docs/a.md"), procedure).unwrap();
    let doc = VALID.replace(
        "- Side-effects:",
        "- See `docs/a.md` §99999 and `docs/a.md` §99998 and `docs/a.md` §20000.\n- Side-effects:",
    );
    (tmp, doc)
}

#[test]
fn a_reference_into_a_file_of_20000_sections_is_checked_promptly() {
    let (tmp, doc) = repo_with_a_long_procedure();
    let path = tmp
        .path()
        .join("_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md");
    std::fs::write(&path, &doc).unwrap();
    let (out, took) = check_within(tmp.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("has no section 99999") || l.contains("§99999"))
        .unwrap_or_else(|| panic!("{stdout}"));
    // The message names the first sections and how many more there are, not all 20,000.
    assert!(line.contains("§1 Step 1, §2 Step 2"), "{line}");
    assert!(line.contains("and 19988 more"), "{line}");
    assert!(line.len() < 1000, "{}", line.len());
    // §20000 exists: no finding for it.
    assert!(!stdout.contains("§20000`"), "{stdout}");
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn keystrokes_and_hovers_stay_prompt_with_a_reference_into_20000_sections() {
    use crate::common::{Client, file_uri};
    use serde_json::json;
    let (tmp, doc) = repo_with_a_long_procedure();
    let path = tmp
        .path()
        .join("_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md");
    let uri = file_uri(&path);
    let (mut client, _) = Client::start_in(json!({}), &[tmp.path()], &[]);
    client.open(&uri, 1, &doc);
    let has_section_problem = |m: &serde_json::Value, version: i64| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && m["params"]["version"] == version
            && m.to_string().contains("99999")
    };
    client
        .wait_for_within(Duration::from_secs(10), |m| has_section_problem(m, 1))
        .expect("the missing section is reported");
    // Each keystroke's diagnostics keep the finding, from the cached headings.
    let line = doc.lines().position(|l| l.contains("§99999")).unwrap() as u32;
    let started = Instant::now();
    for version in 2..=21 {
        let at = json!({ "line": line, "character": 0 });
        client.change(
            &uri,
            version,
            vec![json!({ "range": { "start": at, "end": at }, "text": "" })],
        );
        client
            .wait_for_within(Duration::from_secs(5), |m| has_section_problem(m, version))
            .unwrap_or_else(|| panic!("no diagnostics for version {version}"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Hover on the path before `§99998` (UTF-16 columns; the line is ASCII up to there).
    let text = doc.lines().nth(line as usize).unwrap();
    let character = text.find("docs/a.md` §99998").unwrap() as u32 + 2;
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
    );
    assert!(
        hover["result"].to_string().contains("has no section 99998"),
        "{hover}"
    );
}

/// 8,000 missing paths on one line: each finding's UTF-16 column was counted from the
/// line's start (12,000 took 100 s before the first diagnostics).
#[test]
fn thousands_of_findings_on_one_line_are_published_promptly() {
    use crate::common::{Client, file_uri};
    use serde_json::json;
    let tmp = repo_with_two_postmortems();
    let paths: Vec<String> = (0..8000).map(|i| format!("`d/🚀{i}.md`")).collect();
    let doc = VALID.replace(
        "- Side-effects:",
        &format!("- Also {}\n- Side-effects:", paths.join(" ")),
    );
    let path = tmp
        .path()
        .join("_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md");
    let uri = file_uri(&path);
    let (mut client, _) = Client::start_in(json!({}), &[tmp.path()], &[]);
    let started = Instant::now();
    client.open(&uri, 1, &doc);
    let published = client
        .wait_for_within(Duration::from_secs(30), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.len() > 8000)
        })
        .expect("the 8,000 findings are published");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The last one's column, counted in UTF-16 (each rocket is two units).
    let line = doc.lines().position(|l| l.starts_with("- Also")).unwrap();
    let text = doc.lines().nth(line).unwrap();
    let last = text.rfind("`d/🚀7999.md`").unwrap() + 1;
    let column = text[..last].encode_utf16().count();
    let found = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["range"]["start"] == json!({ "line": line, "character": column }));
    assert!(found, "no finding at {line}:{column}");
}
