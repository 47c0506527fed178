//! End-to-end tests of the git integration through the binary: `check` against a real
//! repository (every git code, shallow clones, worktrees, an empty repository, no git, no
//! repository), `new`, and document values that try to become git options.

use crate::gitrepo;

use gitrepo::{AMBIGUOUS, DOC, TestRepo, build, git, put};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn bin(dir: &Path, args: &[&str], path_env: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    cmd.output().expect("the binary runs")
}

/// `(code, offending text)` of every git diagnostic `check --format json` reports.
fn git_findings(dir: &Path, file: &Path, path_env: Option<&str>) -> Vec<(String, String)> {
    let out = bin(
        dir,
        &["check", "--format", "json", file.to_str().unwrap()],
        path_env,
    );
    let text = std::fs::read_to_string(file).unwrap();
    let items: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    items
        .iter()
        .filter(|i| {
            [
                "unknown-commit",
                "ambiguous-sha",
                "rollback-not-ancestor",
                "rollback-is-deploy",
                "deploy-after-detection",
            ]
            .contains(&i["code"].as_str().unwrap())
        })
        .map(|i| {
            let line = text
                .lines()
                .nth(i["line"].as_u64().unwrap() as usize - 1)
                .unwrap();
            let chars: Vec<char> = line.chars().collect();
            let (a, b) = (
                i["column"].as_u64().unwrap() as usize - 1,
                i["end_column"].as_u64().unwrap() as usize - 1,
            );
            (
                i["code"].as_str().unwrap().to_string(),
                chars[a..b].iter().collect(),
            )
        })
        .collect()
}

fn pair(code: &str, text: &str) -> (String, String) {
    (code.to_string(), text.to_string())
}

#[test]
fn a_correct_history_is_clean() {
    let repo = build();
    let doc = repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    assert_eq!(git_findings(&repo.root(), &doc, None), []);
    let out = bin(&repo.root(), &["check", "--strict", DOC], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn every_git_code_is_reported_on_its_value() {
    let repo = build();
    // Deploy made after detection; rollback to a side-branch commit; an unknown SHA in
    // Root cause.
    let doc = repo.write_doc(&repo.short("c4"), &repo.short("s1"));
    let text = std::fs::read_to_string(&doc).unwrap().replacen(
        &format!("Release `{}`", repo.short("c4")),
        "Release `abcdef123456`",
        1,
    );
    std::fs::write(&doc, text).unwrap();
    assert_eq!(
        git_findings(&repo.root(), &doc, None),
        [
            pair("deploy-after-detection", &repo.short("c4")),
            pair("rollback-not-ancestor", &repo.short("s1")),
            pair("unknown-commit", "abcdef123456"),
        ]
    );
    // Rollback to the deploy itself, and an ambiguous short SHA.
    let doc = repo.write_doc(&repo.short("c3"), &repo.shas["c3"][..9]);
    let text = std::fs::read_to_string(&doc).unwrap().replacen(
        &format!("rollback to `{}`", &repo.shas["c3"][..9]),
        &format!("rollback to `{AMBIGUOUS}`"),
        1,
    );
    std::fs::write(&doc, text).unwrap();
    assert_eq!(
        git_findings(&repo.root(), &doc, None),
        [
            pair("rollback-is-deploy", &repo.shas["c3"][..9]),
            pair("ambiguous-sha", AMBIGUOUS),
        ]
    );
}

#[test]
fn shallow_clones_worktrees_and_empty_repositories() {
    let repo = build();
    let tmp = repo.tmp.path();
    // A shallow clone holds only c4: older SHAs cannot be checked, so they are not errors.
    let url = format!("file://{}", repo.root().display());
    git(tmp, &["clone", "-q", "--depth", "1", &url, "shallow"], None);
    let shallow = tmp.join("shallow");
    let text = gitrepo::VALID
        .replace("9f1c2ab7e4d0", &repo.short("c3"))
        .replace("4be07d13a9c2", &repo.short("c2"));
    let doc = put(&shallow, DOC, &text);
    assert_eq!(git_findings(&shallow, &doc, None), []);
    let doc = put(
        &shallow,
        DOC,
        &text.replace(&repo.short("c3"), &repo.short("c4")),
    );
    assert_eq!(
        git_findings(&shallow, &doc, None),
        [pair("deploy-after-detection", &repo.short("c4"))]
    );
    // A worktree on a detached HEAD sees the whole history.
    git(
        &repo.root(),
        &[
            "worktree",
            "add",
            "-q",
            "--detach",
            "../wt",
            &repo.shas["c2"],
        ],
        None,
    );
    let doc = put(
        &tmp.join("wt"),
        DOC,
        &text.replace(&repo.short("c2"), &repo.short("s1")),
    );
    assert_eq!(
        git_findings(&tmp.join("wt"), &doc, None),
        [pair("rollback-not-ancestor", &repo.short("s1"))]
    );
    // A repository without commits knows no SHA.
    std::fs::create_dir(tmp.join("empty")).unwrap();
    git(&tmp.join("empty"), &["init", "-q"], None);
    let doc = put(&tmp.join("empty"), DOC, &text);
    let found = git_findings(&tmp.join("empty"), &doc, None);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found.iter().all(|(c, _)| c == "unknown-commit"));
}

#[test]
fn without_git_or_outside_a_repository_git_checks_stay_quiet() {
    let repo = build();
    let doc = repo.write_doc("abcdef123456", &repo.short("s1"));
    let no_git = repo.tmp.path().join("empty-bin");
    std::fs::create_dir(&no_git).unwrap();
    assert_eq!(
        git_findings(&repo.root(), &doc, Some(no_git.to_str().unwrap())),
        []
    );
    let out = bin(
        &repo.root(),
        &["check", DOC],
        Some(no_git.to_str().unwrap()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same document outside any repository.
    let outside = tempfile::tempdir().unwrap();
    let doc = put(outside.path(), DOC, &std::fs::read_to_string(&doc).unwrap());
    assert_eq!(git_findings(outside.path(), &doc, None), []);
}

#[test]
fn examples_inside_another_repository_are_not_checked_against_it() {
    // The shipped example lies in this project's repository, whose history does not hold
    // its SHAs: its `_docs/` is not at the repository's top level, so it is left alone.
    let repo = build();
    let nested = repo.root().join("examples/shop");
    let doc = put(
        &nested,
        DOC,
        &gitrepo::VALID.replace("9f1c2ab7e4d0", "abcdef123456"),
    );
    assert_eq!(git_findings(&repo.root(), &doc, None), []);
}

/// A `git` wrapper that logs every argument, one per line, before running the real git.
fn logging_git(dir: &Path) -> (String, std::path::PathBuf) {
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let bin = dir.join("logbin");
    std::fs::create_dir(&bin).unwrap();
    let log = dir.join("git-args.log");
    let script = format!(
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\nexec '{}' \"$@\"\n",
        log.display(),
        real.trim()
    );
    let wrapper = bin.join("git");
    std::fs::write(&wrapper, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    (path, log)
}

#[test]
fn document_values_never_become_git_arguments() {
    let repo = build();
    let target = repo.tmp.path().join("x");
    let tmp_x_existed = Path::new("/tmp/x").exists();
    let doc = repo.write_doc(
        &format!("--output={}", target.display()),
        "-c core.pager=touch /tmp/x",
    );
    let text = std::fs::read_to_string(&doc).unwrap().replacen(
        "Release `",
        "Release `--output=/tmp/x` `-c core.pager=touch /tmp/x` `",
        1,
    );
    std::fs::write(&doc, text).unwrap();
    let (path, log) = logging_git(repo.tmp.path());
    let out = bin(
        &repo.root(),
        &["check", "--format", "json", DOC],
        Some(&path),
    );
    let items: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let invalid = items.iter().filter(|i| i["code"] == "invalid-sha").count();
    assert_eq!(invalid, 2, "both values are invalid SHAs");
    assert!(!target.exists());
    assert_eq!(Path::new("/tmp/x").exists(), tmp_x_existed);
    let logged = std::fs::read_to_string(&log).expect("git was run through the wrapper");
    // Every run starts with the fixed sandbox settings, `-c key=value` pairs from our source.
    let sandbox = postmortem_lsp::git::command::SANDBOX;
    let mut args = logged.lines().peekable();
    let mut rest = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "-c" && args.peek().is_some_and(|s| sandbox.contains(s)) {
            args.next();
        } else {
            rest.push(arg);
        }
    }
    for arg in rest {
        let fixed = arg.starts_with("--") || matches!(arg, "-m" | "-n200");
        let word = arg.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        let hex = arg.len() >= 7 && arg.chars().all(|c| c.is_ascii_hexdigit());
        assert!(fixed || word || hex, "unexpected git argument {arg:?}");
        assert!(
            !arg.contains("/tmp/x") && !arg.contains("core.pager") && !arg.contains("--output"),
            "{arg:?}"
        );
    }
}

fn new(repo: &TestRepo, args: &[&str]) -> Output {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    bin(&repo.root().join("src"), &all, None)
}

#[test]
fn new_creates_a_filled_postmortem_at_the_repository_root() {
    let repo = build();
    let out = new(
        &repo,
        &["--title", "Checkout timeouts", "--date", "2026-03-14"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rel = "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed.trim(), repo.root().join(rel).display().to_string());
    let text = std::fs::read_to_string(repo.root().join(rel)).unwrap();
    assert!(
        text.starts_with("# Post-mortem: Checkout timeouts\n"),
        "{text}"
    );
    assert!(text.contains("| Incident date | 2026-03-14 |"));
    assert!(text.contains(&format!(
        "| Deploy SHA at incident start | `{}` |",
        repo.short("c4")
    )));
    // Never overwritten.
    std::fs::write(repo.root().join(rel), "mine\n").unwrap();
    let out = new(
        &repo,
        &["--title", "Checkout timeouts", "--date", "2026-03-14"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(repo.root().join(rel)).unwrap(),
        "mine\n"
    );
}

#[test]
fn new_uses_the_repository_template_and_a_named_deploy() {
    let repo = build();
    put(
        &repo.root(),
        "_docs/templates/postmortem.md",
        "# Incident: …\n\n## Header\n\n| Field | Value |\n|---|---|\n| Incident date | YYYY-MM-DD |\n| Deploy SHA at incident start | `<sha>` |\n\nOur own words.\n",
    );
    let out = new(
        &repo,
        &[
            "--slug",
            "db",
            "--date",
            "2026-04-01",
            "--deploy",
            "side",
            "--title",
            "DB",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(
        repo.root()
            .join("_docs/06_metrics/postmortem_2026-04-01_db.md"),
    )
    .unwrap();
    assert_eq!(
        text,
        format!(
            "# Incident: DB\n\n## Header\n\n| Field | Value |\n|---|---|\n| Incident date | 2026-04-01 |\n| Deploy SHA at incident start | `{}` |\n\nOur own words.\n",
            repo.short("s1")
        )
    );
}

#[test]
fn new_rejects_bad_arguments() {
    let repo = build();
    for args in [
        &["--deploy=--output=/tmp/x"][..],
        &["--deploy", "no-such-branch"],
        &["--date", "2026-02-30"],
        &["--slug", "../../etc"],
    ] {
        let out = new(&repo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    }
    assert!(!repo.root().join("_docs").exists(), "nothing was written");
}

#[test]
fn new_without_git_leaves_the_deploy_sha_to_fill() {
    let dir = tempfile::tempdir().unwrap();
    let no_git = dir.path().join("bin");
    std::fs::create_dir(&no_git).unwrap();
    let out = bin(
        dir.path(),
        &["new", "--date", "2026-01-02"],
        Some(no_git.to_str().unwrap()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(
        dir.path()
            .join("_docs/06_metrics/postmortem_2026-01-02_incident.md"),
    )
    .unwrap();
    assert!(
        text.contains("| Deploy SHA at incident start | `<sha>` |"),
        "{text}"
    );
    assert!(text.contains("| Incident date | 2026-01-02 |"));
}
