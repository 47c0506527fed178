//! End-to-end tests of `postmortem-lsp hook install` and of the hook it writes: the real
//! binary and the real `git` in a scratch repository, including commits the hook must stop
//! and commits it must let through.

use std::path::Path;
use std::process::{Command, Output};

const VALID: &str = include_str!(
    "../../examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
);
const VALID_REL: &str = "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // The machine's own git settings (a global core.hooksPath, say) stay out of the test.
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs")
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = git(dir.path(), &["init", "-q", "-b", "main"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn install(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postmortem-lsp"))
        .args(["hook", "install"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("the binary runs")
}

fn hook(dir: &Path) -> std::path::PathBuf {
    dir.join(".git/hooks/pre-commit")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn installs_an_executable_hook_that_calls_this_binary() {
    let dir = repo();
    let out = install(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(hook(dir.path())).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"));
    assert!(text.contains(env!("CARGO_BIN_EXE_postmortem-lsp")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hook(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "the hook must be executable");
    }
}

#[test]
fn an_existing_hook_is_kept_without_force_and_replaced_with_it() {
    let dir = repo();
    write(
        dir.path(),
        ".git/hooks/pre-commit",
        "#!/bin/sh\necho mine\n",
    );
    let out = install(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(hook(dir.path())).unwrap(),
        "#!/bin/sh\necho mine\n"
    );

    let out = install(dir.path(), &["--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(hook(dir.path()))
            .unwrap()
            .contains("postmortem-lsp hook install")
    );
}

#[test]
fn outside_a_repository_it_refuses_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = install(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
    assert!(!dir.path().join(".git").exists());
}

#[test]
fn the_hook_stops_a_commit_of_a_broken_postmortem_and_passes_a_valid_one() {
    let dir = repo();
    assert_eq!(install(dir.path(), &[]).status.code(), Some(0));

    // A commit touching no post-mortem is not checked at all, even though the working tree
    // holds a broken one that is not staged.
    write(dir.path(), "README.md", "# Team docs\n");
    write(
        dir.path(),
        "_docs/06_metrics/postmortem_2026-05-01_broken.md",
        "# Post-mortem: broken\n",
    );
    git(dir.path(), &["add", "README.md"]);
    let out = git(dir.path(), &["commit", "-q", "-m", "readme"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A valid post-mortem passes. Its Deploy and Rollback SHAs must name commits of this
    // repository (the hook checks them): a second commit is the deploy, the first the rollback.
    write(dir.path(), "NOTES.md", "notes\n");
    git(dir.path(), &["add", "NOTES.md"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "notes"]);
    let sha = |rev: &str| {
        let out = git(dir.path(), &["rev-parse", "--short=12", rev]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let valid = VALID
        .replace("9f1c2ab7e4d0", &sha("HEAD"))
        .replace("4be07d13a9c2", &sha("HEAD~1"));
    write(dir.path(), VALID_REL, &valid);
    git(dir.path(), &["add", VALID_REL]);
    let out = git(dir.path(), &["commit", "-q", "-m", "valid"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A broken one is stopped, and the output names what is wrong.
    let broken = VALID.replace("## Impact", "## Impacts");
    let rel = "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";
    write(dir.path(), rel, &broken);
    git(dir.path(), &["add", rel]);
    let out = git(dir.path(), &["commit", "-q", "-m", "broken"]);
    assert!(!out.status.success(), "the hook must stop this commit");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("missing-section"), "{report}");
    let head = git(dir.path(), &["log", "-1", "--format=%s"]);
    assert_eq!(String::from_utf8_lossy(&head.stdout).trim(), "valid");
}
