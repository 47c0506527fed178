//! The pre-commit gate checks what the commit records: real repositories with staged and
//! unstaged changes, committed through the hook `hook install` writes (so `git commit` runs
//! it as users do) and checked with `check --staged` directly.

use crate::common::{self, Client};
use crate::gitrepo::{self, DOC, TestRepo, put};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const TEMPLATE: &str = include_str!("../../src/analysis/schema/builtin_template.md");
const TEMPLATE_REL: &str = "_docs/06_metrics/postmortem_template.md";
/// The example's Affected environment row, on line 11.
const GOOD_ROW: &str = "| Affected environment | production |";
const BAD_ROW: &str = "| Affected environment | prod |";

fn env(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ana Lima")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com")
        .env("GIT_COMMITTER_NAME", "Ana Lima")
        .env("GIT_COMMITTER_EMAIL", "ana@example.com")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
}

/// `git ARGS` in `dir`, whatever its outcome.
fn git(dir: &Path, args: &[&str]) -> Output {
    env(Command::new("git").args(args).current_dir(dir))
        .output()
        .expect("git runs")
}

fn bin(dir: &Path, args: &[&str]) -> Output {
    env(Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(args)
        .current_dir(dir))
    .output()
    .expect("the binary runs")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A repository with the hook installed and a clean post-mortem at [`DOC`] (committed when
/// `commit` is set), plus the text of that clean post-mortem.
fn setup(commit: bool) -> (TestRepo, String) {
    let repo = gitrepo::build();
    let root = repo.root();
    let out = bin(&root, &["hook", "install"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    let good = std::fs::read_to_string(&doc).unwrap();
    assert!(good.lines().nth(10) == Some(GOOD_ROW), "line 11 moved");
    git(&root, &["add", "_docs", "config"]);
    if commit {
        let out = git(&root, &["commit", "-q", "-m", "post-mortem"]);
        assert!(out.status.success(), "{}", text(&out));
    }
    (repo, good)
}

fn head_subject(root: &Path) -> String {
    let out = git(root, &["log", "-1", "--format=%s"]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_bad_staged_copy_is_refused_though_the_disk_copy_is_fixed() {
    let (repo, good) = setup(false);
    let root = repo.root();
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    git(&root, &["add", DOC]);
    // Fixed on disk, not staged: the commit would still record `prod`.
    put(&root, DOC, &good);
    assert_eq!(bin(&root, &["check", DOC]).status.code(), Some(0));

    let out = bin(&root, &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains(&format!("{DOC}:11:")), "{report}");
    assert!(report.contains("prod"), "{report}");

    let out = git(&root, &["commit", "-q", "-m", "bad"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    let report = text(&out);
    assert!(report.contains(&format!("{DOC}:11:")), "{report}");
    assert_eq!(head_subject(&root), "Pin the pool size");

    // Positions are the staged text's: on disk two lines more above the same mistake.
    let shifted = good.replace(GOOD_ROW, BAD_ROW).replacen("\n", "\n\n\n", 1);
    put(&root, DOC, &shifted);
    let out = bin(&root, &["check", "--format", "github", DOC]);
    assert!(
        text(&out).contains(&format!("file={DOC},line=13,")),
        "{}",
        text(&out)
    );
    let out = bin(&root, &["check", "--staged", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("file={DOC},line=11,")),
        "{}",
        text(&out)
    );
    let out = bin(&root, &["check", "--staged", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], DOC, "{sarif}");
    assert_eq!(region["region"]["startLine"], 11, "{sarif}");
}

#[test]
fn a_good_staged_copy_commits_though_the_disk_copy_is_broken() {
    let (repo, good) = setup(false);
    let root = repo.root();
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    assert_eq!(bin(&root, &["check", DOC]).status.code(), Some(1));

    let out = bin(&root, &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = git(&root, &["commit", "-q", "-m", "good"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(head_subject(&root), "good");
}

#[test]
fn git_commit_all_checks_what_it_records() {
    // `git commit -a` commits the disk copy through a temporary index it names in
    // GIT_INDEX_FILE: the hook must read that one.
    let (repo, good) = setup(true);
    let root = repo.root();
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    let out = git(&root, &["commit", "-q", "-a", "-m", "all"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    assert!(text(&out).contains(&format!("{DOC}:11:")), "{}", text(&out));
    assert_eq!(head_subject(&root), "post-mortem");
}

#[test]
fn partial_staging_is_judged_on_the_hunks_staged() {
    let (repo, good) = setup(true);
    let root = repo.root();
    let reworded = good.replacen("production traffic", "production-level traffic", 1);
    assert_ne!(reworded, good);
    // A patch of the harmless hunk only, as `git add -p` would stage it.
    put(&root, DOC, &reworded);
    let patch = git(&root, &["diff", "--", DOC]).stdout;
    let patch_file = repo.tmp.path().join("hunk.patch");
    std::fs::write(&patch_file, patch).unwrap();
    // On disk: that hunk and a broken one.
    put(&root, DOC, &reworded.replace(GOOD_ROW, BAD_ROW));
    let out = git(&root, &["apply", "--cached", patch_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let staged = git(&root, &["show", &format!(":{DOC}")]).stdout;
    assert_eq!(String::from_utf8(staged).unwrap(), reworded);

    let out = git(&root, &["commit", "-q", "-m", "reword"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(head_subject(&root), "reword");

    // Staging the rest stages the broken hunk.
    git(&root, &["add", DOC]);
    let out = git(&root, &["commit", "-q", "-m", "rest"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    assert!(text(&out).contains(&format!("{DOC}:11:")), "{}", text(&out));
}

#[test]
fn a_renamed_postmortem_is_checked_under_its_new_name() {
    let (repo, _) = setup(true);
    let root = repo.root();
    // A misnamed file is a warning by default; this team makes it an error.
    put(
        &root,
        ".postmortem.toml",
        "[rules]\nfile-name = \"error\"\n",
    );
    git(&root, &["add", ".postmortem.toml"]);
    git(&root, &["commit", "-q", "-m", "settings"]);
    let renamed = "_docs/06_metrics/postmortem_2026-03-15_checkout-timeouts.md";
    git(&root, &["mv", DOC, renamed]);
    let out = bin(&root, &["check", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<(&str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [(renamed, "file-name")]);

    let out = git(&root, &["commit", "-q", "-m", "rename"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    assert!(text(&out).contains("file-name"), "{}", text(&out));
}

#[test]
fn a_deleted_postmortem_is_not_checked() {
    let (repo, good) = setup(true);
    let root = repo.root();
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    git(
        &root,
        &["commit", "-q", "-a", "--no-verify", "-m", "broken"],
    );
    git(&root, &["rm", "-q", DOC]);
    let out = bin(&root, &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Nothing to say on a commit that records no post-mortem: the hook runs on all.
    assert_eq!(text(&out), "");
    let out = bin(&root, &["check", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    let out = git(&root, &["commit", "-q", "-m", "remove"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(head_subject(&root), "remove");
}

#[test]
fn the_template_commits_and_check_path_agrees() {
    let (repo, _) = setup(true);
    let root = repo.root();
    put(&root, TEMPLATE_REL, TEMPLATE);
    git(&root, &["add", TEMPLATE_REL]);

    let note = format!("{TEMPLATE_REL}: the team template in force");
    let by_path = bin(&root, &["check", TEMPLATE_REL]);
    let staged = bin(&root, &["check", "--staged"]);
    let with_paths = bin(&root, &["check", "--staged", TEMPLATE_REL]);
    for out in [&by_path, &staged, &with_paths] {
        assert_eq!(out.status.code(), Some(0), "{}", text(out));
        assert!(text(out).contains(&note), "{}", text(out));
    }
    // The whole tree skips it too, and still checks the post-mortem under it.
    let out = bin(&root, &["check", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");

    let out = git(&root, &["commit", "-q", "-m", "template"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(head_subject(&root), "template");

    // The server, asked through the same rule, gives the open template no post-mortem
    // diagnostics, and still checks the post-mortem next to it.
    let (mut client, _) = Client::start_in(serde_json::json!({}), &[&root], &[]);
    let template = common::file_uri(&root.join(TEMPLATE_REL));
    client.open(&template, 1, TEMPLATE);
    assert_eq!(client.diagnostics(&template, None), Vec::<Value>::new());
    let doc = common::file_uri(&root.join(DOC));
    let bad = std::fs::read_to_string(root.join(DOC))
        .unwrap()
        .replace(GOOD_ROW, BAD_ROW);
    client.open(&doc, 1, &bad);
    let lines: Vec<u64> = client
        .diagnostics(&doc, Some(1))
        .iter()
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [10]);
    let published = client.published_so_far(&template);
    assert!(
        published
            .iter()
            .all(|m| m["params"]["diagnostics"] == serde_json::json!([])),
        "{published:?}"
    );
}

#[test]
fn named_paths_read_the_index_as_the_pre_commit_framework_passes_them() {
    let (repo, good) = setup(true);
    let root = repo.root();
    // Unchanged in the index, broken on disk: `pre-commit run --all-files` passes it.
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    let out = bin(&root, &["check", "--staged", DOC]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = bin(&root, &["check", "--staged", "_docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    git(&root, &["add", DOC]);
    let out = bin(&root, &["check", "--staged", "_docs"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // From a subfolder, paths are the subfolder's, and so are the reports.
    let out = bin(&root.join("_docs"), &["check", "--staged", "06_metrics"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("06_metrics/postmortem_2026-03-14_checkout-timeouts.md:11:"),
        "{}",
        text(&out)
    );
    // A path the index does not hold makes the check incomplete.
    let out = bin(&root, &["check", "--staged", "nowhere.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not in the index"), "{}", text(&out));
}

#[test]
fn the_staged_configuration_is_the_one_in_force() {
    let (repo, _) = setup(true);
    let root = repo.root();
    let renamed = "_docs/06_metrics/postmortem_2026-03-15_checkout-timeouts.md";
    git(&root, &["mv", DOC, renamed]);
    // Staged: the file-name rule off. On disk, not staged: back on.
    put(&root, ".postmortem.toml", "[rules]\nfile-name = \"off\"\n");
    git(&root, &["add", ".postmortem.toml"]);
    put(
        &root,
        ".postmortem.toml",
        "[rules]\nfile-name = \"error\"\n",
    );
    assert_eq!(bin(&root, &["check", renamed]).status.code(), Some(1));
    let out = bin(&root, &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = git(&root, &["commit", "-q", "-m", "rename"]);
    assert!(out.status.success(), "{}", text(&out));

    // The other way round: staged on, disk off.
    git(
        &root,
        &[
            "mv",
            renamed,
            "_docs/06_metrics/postmortem_2026-03-16_checkout-timeouts.md",
        ],
    );
    put(
        &root,
        ".postmortem.toml",
        "[rules]\nfile-name = \"error\"\n",
    );
    git(&root, &["add", ".postmortem.toml"]);
    put(&root, ".postmortem.toml", "[rules]\nfile-name = \"off\"\n");
    let out = git(&root, &["commit", "-q", "-m", "again"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    assert!(text(&out).contains("file-name"), "{}", text(&out));
}

#[test]
fn outside_a_repository_staged_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path(), &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("not inside a git repository"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_index_file_outside_the_git_folder_is_refused() {
    let (repo, _) = setup(false);
    let root = repo.root();
    let elsewhere = repo.tmp.path().join("index");
    std::fs::copy(root.join(".git/index"), &elsewhere).unwrap();
    let out = env(Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(["check", "--staged"])
        .current_dir(&root))
    .env("GIT_INDEX_FILE", &elsewhere)
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("GIT_INDEX_FILE"), "{}", text(&out));
}

#[test]
fn the_pre_commit_framework_hooks_run_the_same_check_as_the_plain_hook() {
    let manifest = include_str!("../../.pre-commit-hooks.yaml");
    let entries: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .collect();
    assert_eq!(entries, ["postmortem-lsp check --staged"; 2]);
    let (repo, good) = setup(false);
    let hook = std::fs::read_to_string(repo.root().join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("exec \"$PM\" check --staged\n"), "{hook}");
    // Given every staged markdown file, as pre-commit passes them, the verdict is the
    // plain hook's: the template and a non-post-mortem note are skipped, the post-mortem
    // checked.
    let root = repo.root();
    put(&root, TEMPLATE_REL, TEMPLATE);
    put(&root, "NOTES.md", "# Notes\n\nNothing to see.\n");
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    git(&root, &["add", TEMPLATE_REL, "NOTES.md", DOC]);
    let out = bin(
        &root,
        &[
            "check",
            "--staged",
            "--format",
            "json",
            TEMPLATE_REL,
            "NOTES.md",
            DOC,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let places: Vec<(&str, u64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(places, [(DOC, 11)]);
    let plain = bin(&root, &["check", "--staged", "--format", "json"]);
    assert_eq!(plain.stdout, out.stdout);
}

#[test]
fn the_staged_template_is_the_schema_in_force() {
    let (repo, good) = setup(false);
    let root = repo.root();
    put(&root, TEMPLATE_REL, TEMPLATE);
    git(&root, &["add", TEMPLATE_REL]);
    let out = git(&root, &["commit", "-q", "-m", "template"]);
    assert!(out.status.success(), "{}", text(&out));
    // Staged: a template asking for one more section, and a reworded post-mortem. On
    // disk: the template as committed.
    let asking = format!("{TEMPLATE}\n## Follow-up review\n\nWho reviews the fixes, and when?\n");
    put(&root, TEMPLATE_REL, &asking);
    let reworded = good.replacen("production traffic", "production-level traffic", 1);
    put(&root, DOC, &reworded);
    git(&root, &["add", TEMPLATE_REL, DOC]);
    put(&root, TEMPLATE_REL, TEMPLATE);
    assert_eq!(bin(&root, &["check", DOC]).status.code(), Some(0));

    let out = bin(&root, &["check", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(&str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "missing-section");
    assert!(found[0].1.contains("Follow-up review"), "{found:?}");
    let out = git(&root, &["commit", "-q", "-m", "stricter"]);
    assert!(!out.status.success(), "the hook must stop this commit");
}

#[test]
fn reading_the_index_runs_no_program_the_repository_names() {
    let (repo, good) = setup(true);
    let root = repo.root();
    let marker = repo.tmp.path().join("ran");
    let program = repo.tmp.path().join("marker.sh");
    std::fs::write(
        &program,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\ncat\n", marker.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    git(&root, &["add", DOC]);
    // Set after staging, so the test's own `git add` runs none of them.
    let program = program.to_str().unwrap();
    put(&root, ".gitattributes", "*.md filter=mark diff=mark\n");
    for (key, value) in [
        ("core.fsmonitor", program),
        ("diff.external", program),
        ("diff.mark.textconv", program),
        ("filter.mark.clean", program),
        ("filter.mark.smudge", program),
        ("core.pager", program),
    ] {
        git(&root, &["config", key, value]);
    }
    let out = bin(&root, &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(&format!("{DOC}:11:")), "{}", text(&out));
    assert!(
        !marker.exists(),
        "{}",
        std::fs::read_to_string(&marker).unwrap()
    );
}

#[test]
fn a_linked_worktree_is_checked_from_its_own_index() {
    let (repo, good) = setup(true);
    let root = repo.root();
    let linked = repo.tmp.path().join("linked");
    let out = git(&root, &["worktree", "add", "-q", linked.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    // The main work tree's index holds a broken copy; the linked one's does not.
    put(&root, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    git(&root, &["add", DOC]);
    put(&linked, "NOTES.md", "notes\n");
    git(&linked, &["add", "NOTES.md"]);
    let out = git(&linked, &["commit", "-q", "-m", "notes"]);
    assert!(out.status.success(), "{}", text(&out));
    // In the linked work tree, `commit -a` of a broken copy goes through its own
    // temporary index.
    put(&linked, DOC, &good.replace(GOOD_ROW, BAD_ROW));
    let out = git(&linked, &["commit", "-q", "-a", "-m", "broken"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    assert!(text(&out).contains(&format!("{DOC}:11:")), "{}", text(&out));
    assert_eq!(head_subject(&linked), "notes");
}
