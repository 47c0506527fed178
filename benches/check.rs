//! `cargo bench --bench check`: `postmortem-lsp check --format json DIR` end to end on 1,000
//! generated post-mortems (the shipped example repository, its post-mortems replaced by
//! 1,000 variants of the clean one, one in ten with a wrong Severity). Several runs after a
//! warm-up; prints the median and the fastest, and writes `<target dir>/check-bench.json`.
//!
//! Under `cargo bench` the binary is the optimized build; under `cargo test --all-targets`
//! this checks 20 files once as a smoke test. `POSTMORTEM_LSP_BIN=path` measures another
//! binary.

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::stats::{Samples, load, ms};

mod support;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (files, runs): (usize, usize) = if full { (1_000, 7) } else { (20, 1) };
    let bin = std::env::var_os("POSTMORTEM_LSP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_postmortem-lsp")));
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let root = tmp.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-shop"),
        root,
    );
    let folder = root.join("_docs/06_metrics");
    for entry in std::fs::read_dir(&folder).expect("the example's post-mortems") {
        std::fs::remove_file(entry.expect("a folder entry").path()).expect("removable");
    }
    for i in 0..files {
        // Every file differs a little, as real post-mortems would; every tenth has an error.
        let mut text = support::NORMAL.replace(
            "first checkout request times out",
            &format!("first checkout request #{i} times out"),
        );
        if i % 10 == 0 {
            text = text.replace("| Severity | High |", "| Severity | Huge |");
        }
        let name = format!("postmortem_2026-03-14_incident-{i:04}.md");
        std::fs::write(folder.join(name), text).expect("writable temporary folder");
    }

    let run = || {
        let started = Instant::now();
        let out = Command::new(&bin)
            .args(["check", "--format", "json"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .expect("the binary runs");
        let took = started.elapsed();
        // Exit 1: the files with a wrong Severity are errors.
        assert_eq!(out.status.code(), Some(1), "check found the planted errors");
        let findings: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("check prints JSON");
        let errors = findings
            .as_array()
            .expect("a JSON array")
            .iter()
            .filter(|f| f["code"] == "invalid-value")
            .count();
        assert_eq!(errors, files.div_ceil(10), "one error per planted mistake");
        took
    };
    if full {
        run(); // Warm the page cache and the binary.
    }
    let load_before = load();
    let times: Vec<Duration> = (0..runs).map(|_| run()).collect();
    let samples = Samples::new(times);
    let result = json!({
        "binary": bin.display().to_string(),
        "files": files,
        "runs": runs,
        "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "median_ms": ms(samples.p50()),
        "min_ms": ms(samples.min()),
        "max_ms": ms(samples.max()),
        "load_before": load_before,
        "load_after": load(),
    });
    println!(
        "check --format json on {files} post-mortems, {runs} runs: median {:.1} ms, fastest {:.1} ms (target < 250 ms; load {} → {})",
        ms(samples.p50()),
        ms(samples.min()),
        result["load_before"].as_str().unwrap_or("?"),
        result["load_after"].as_str().unwrap_or("?"),
    );
    let text = serde_json::to_string_pretty(&result).expect("JSON serializes");
    println!("{text}");
    if full {
        let exe = Path::new(env!("CARGO_BIN_EXE_postmortem-lsp"));
        if let Some(target) = exe.parent().and_then(Path::parent) {
            let out = target.join("check-bench.json");
            match std::fs::write(&out, text + "\n") {
                Ok(()) => println!("written to {}", out.display()),
                Err(e) => eprintln!("cannot write {}: {e}", out.display()),
            }
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("writable temporary folder");
    for entry in std::fs::read_dir(from).expect("readable example") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copyable file");
        }
    }
}
