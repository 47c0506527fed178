//! `check` in a hostile checkout. An ignore file (`.gitignore`, `.ignore`) that is a FIFO or
//! a link to `/dev/zero` would hang the walk or fill memory, since the walking library reads
//! it with a plain read: such folders are skipped and named on stderr, and the rest of the
//! tree is still checked. A configuration or template sized to make loading slow (thousands
//! of globs or Header rows) is cut to size with a problem, and a tracker URL that would run
//! an editor command on a click is refused.

#![cfg(unix)]

use crate::common::VALID;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `check .` in `dir`, killing it if it has not finished within 10 s.
fn check_within(dir: &Path) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .arg("check")
        .arg(".")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            panic!("check did not finish within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), start.elapsed())
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
