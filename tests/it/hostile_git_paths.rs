//! Git settings that name folders, in a cloned repository's `.git/config` or `.git`
//! contents (untrusted, issue 11): `core.worktree` must not make the folder the clone sits in
//! the repository (and so the place `new` writes), and `core.hooksPath` or a linked
//! `hooks/pre-commit` must not make `hook install` write outside the repository, and an index
//! that is a FIFO must not hold `check --staged`. Through the real binary and the real git;
//! the fixtures are made at test time.

#![cfg(unix)]

use crate::common;
use crate::gitrepo::{self, TestRepo};

use common::Client;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

fn cli(dir: &Path, args: &[&str]) -> Output {
    common::cli_within(dir, args, Duration::from_secs(10)).0
}

fn git_config(repo: &Path, key: &str, value: &str) {
    gitrepo::git(repo, &["config", key, value], None);
}

/// Every file under `dir`, except those inside `skip`.
fn files_under(dir: &Path, skip: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(folder) = todo.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.starts_with(skip) {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                todo.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// A repository whose `.git/config` says its work tree is the folder the clone sits in
/// (`core.worktree` is relative to the git folder).
fn worktree_above() -> TestRepo {
    let repo = gitrepo::build();
    git_config(&repo.root(), "core.worktree", "../..");
    repo
}

#[test]
fn core_worktree_naming_the_folder_above_never_takes_cli_new_out_of_the_clone() {
    let repo = worktree_above();
    let out = cli(
        &repo.root(),
        &["new", "--slug", "out", "--date", "2026-04-01"],
    );
    assert_eq!(
        files_under(repo.tmp.path(), &repo.root()),
        Vec::<PathBuf>::new(),
        "written beside the clone: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let made = repo
        .root()
        .join("_docs/06_metrics/postmortem_2026-04-01_out.md");
    assert!(made.exists(), "{out:?}");
}

#[test]
fn core_worktree_naming_the_folder_above_never_takes_postmortem_new_out_of_the_clone() {
    let repo = worktree_above();
    let capabilities = json!({ "window": { "showDocument": { "support": true } } });
    let mut client = Client::start_in(capabilities, &[&repo.root()], &[]).0;
    let id = client.send_request(
        "workspace/executeCommand",
        json!({ "command": "postmortem.new",
                "arguments": [{ "slug": "out", "date": "2026-04-01" }] }),
    );
    let answer = client
        .wait_for_within(Duration::from_secs(5), |m| {
            m["id"] == id && m.get("method").is_none()
        })
        .expect("postmortem.new answers");
    assert_eq!(
        files_under(repo.tmp.path(), &repo.root()),
        Vec::<PathBuf>::new(),
        "written beside the clone: {answer}"
    );
    let uri = answer["result"].as_str().unwrap_or_default();
    assert!(
        uri.ends_with("/repo/_docs/06_metrics/postmortem_2026-04-01_out.md"),
        "{answer}"
    );
    let id = client.send_request("shutdown", Value::Null);
    assert!(client.response(id).is_some());
    client.notify("exit", Value::Null);
    assert!(client.wait_exit(Duration::from_secs(2)).is_some());
}

fn install(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["hook", "install"];
    all.extend_from_slice(args);
    cli(dir, &all)
}

#[test]
fn hook_install_never_writes_where_a_repository_core_hooks_path_leads_out() {
    let repo = gitrepo::build();
    let away = repo.tmp.path().join("away");
    git_config(
        &repo.root(),
        "core.hooksPath",
        away.join("bin").to_str().unwrap(),
    );
    for args in [&[][..], &["--force"][..]] {
        let out = install(&repo.root(), args);
        assert!(!away.exists(), "hook written outside: {out:?}");
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("outside the repository"), "{stderr}");
    }
    // A hooks folder inside the repository is where the team keeps its hooks: used.
    git_config(&repo.root(), "core.hooksPath", ".githooks");
    let out = install(&repo.root(), &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(repo.root().join(".githooks/pre-commit").is_file());
}

#[test]
fn hook_install_never_writes_through_a_hook_that_is_a_link_out() {
    let repo = gitrepo::build();
    let away = repo.tmp.path().join("away");
    std::fs::create_dir(&away).unwrap();
    let hook = repo.root().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    // A dangling link: `exists()` says no, and a plain create would make its target.
    std::os::unix::fs::symlink(away.join("pre-commit"), &hook).unwrap();
    let out = install(&repo.root(), &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(std::fs::read_dir(&away).unwrap().count(), 0, "{out:?}");
    // `--force` replaces the link itself, never what it points at.
    let out = install(&repo.root(), &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(std::fs::read_dir(&away).unwrap().count(), 0, "{out:?}");
    let kind = std::fs::symlink_metadata(&hook).unwrap();
    assert!(kind.is_file(), "the hook is a plain file now");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(kind.permissions().mode() & 0o111, 0o111, "executable");
    // A hooks folder that is a link out is refused too.
    std::fs::remove_dir_all(repo.root().join(".git/hooks")).unwrap();
    std::os::unix::fs::symlink(&away, repo.root().join(".git/hooks")).unwrap();
    let out = install(&repo.root(), &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(std::fs::read_dir(&away).unwrap().count(), 0, "{out:?}");
}

#[test]
fn check_staged_refuses_an_index_that_is_a_fifo_at_once() {
    // Git reads the index with a blocking read: the check once waited for its 30 s
    // listing deadline.
    let repo = gitrepo::build();
    let index = repo.root().join(".git/index");
    std::fs::remove_file(&index).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&index)
        .status()
        .unwrap();
    assert!(status.success());
    let (out, took) = common::cli_within(
        &repo.root(),
        &["check", "--staged"],
        Duration::from_secs(10),
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a FIFO (named pipe)"), "{stderr}");
}

#[test]
fn check_staged_refuses_a_core_worktree_naming_the_folder_above() {
    let repo = worktree_above();
    let out = cli(&repo.root(), &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not trusted"), "{stderr}");
}
