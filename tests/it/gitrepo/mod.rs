//! Throwaway git repositories with a known history, for the git tests.
//!
//! History (committer and author dates fixed, UTC):
//! ```text
//! c1 Release 40                   2026-03-01T08:00:00Z  main
//! c2 Release 41                   2026-03-10T08:00:00Z  main   (the rollback target)
//! s1 Try a bigger pool            2026-03-12T10:00:00Z  side   (branched from c2)
//! c3 Upgrade the payments client  2026-03-13T17:00:00Z  main   (the deploy)
//! c4 Pin the pool size            2026-03-14T11:00:00Z  main   (HEAD, after detection)
//! ```
//! plus two blobs whose SHAs share the prefix `c67420a`, and `origin` on GitHub.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The shipped clean example; its Detection time is 2026-03-14T09:26:53Z.
pub const VALID: &str = include_str!(
    "../../../examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
);
pub const DOC: &str = "_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";
pub const AMBIGUOUS: &str = "c67420a";

pub struct TestRepo {
    pub tmp: tempfile::TempDir,
    pub shas: HashMap<&'static str, String>,
}

impl TestRepo {
    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    pub fn short(&self, name: &str) -> String {
        self.shas[name][..12].to_string()
    }

    /// Writes the example with its two SHAs replaced, at [`DOC`].
    pub fn write_doc(&self, deploy: &str, rollback: &str) -> PathBuf {
        let text = VALID
            .replace("9f1c2ab7e4d0", deploy)
            .replace("4be07d13a9c2", rollback);
        // The files the example refers to, so only git findings can make it unclean.
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-shop");
        for rel in [
            "_docs/04_deploy/deployment_procedures.md",
            "config/payments.toml",
        ] {
            let content = std::fs::read_to_string(example.join(rel)).unwrap();
            put(&self.root(), rel, &content);
        }
        put(&self.root(), DOC, &text)
    }
}

pub fn put(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the test's own git (isolated from the user's configuration) and returns stdout.
pub fn git(dir: &Path, args: &[&str], date: Option<&str>) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ana Lima")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com")
        .env("GIT_COMMITTER_NAME", "Ana Lima")
        .env("GIT_COMMITTER_EMAIL", "ana@example.com");
    if let Some(d) = date {
        cmd.env("GIT_AUTHOR_DATE", d).env("GIT_COMMITTER_DATE", d);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn commit(root: &Path, file: &str, text: &str, subject: &str, date: &str) -> String {
    put(root, file, text);
    git(root, &["add", file], None);
    git(root, &["commit", "-q", "-m", subject], Some(date));
    git(root, &["rev-parse", "HEAD"], None)
}

pub fn build() -> TestRepo {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    git(&root, &["init", "-q", "-b", "main"], None);
    let mut shas = HashMap::new();
    let d = |s: &str| format!("{s} +0000");
    shas.insert(
        "c1",
        commit(
            &root,
            "src/pool.rs",
            "64\n",
            "Release 40",
            &d("2026-03-01T08:00:00"),
        ),
    );
    shas.insert(
        "c2",
        commit(
            &root,
            "README.md",
            "shop\n",
            "Release 41",
            &d("2026-03-10T08:00:00"),
        ),
    );
    git(&root, &["checkout", "-q", "-b", "side"], None);
    shas.insert(
        "s1",
        commit(
            &root,
            "src/pool.rs",
            "128\n",
            "Try a bigger pool",
            &d("2026-03-12T10:00:00"),
        ),
    );
    git(&root, &["checkout", "-q", "main"], None);
    put(&root, "src/client.rs", "upgrade\n");
    git(&root, &["add", "src/client.rs"], None);
    shas.insert(
        "c3",
        commit(
            &root,
            "src/pool.rs",
            "8\n",
            "Upgrade the payments client",
            &d("2026-03-13T17:00:00"),
        ),
    );
    shas.insert(
        "c4",
        commit(
            &root,
            "config.toml",
            "pool = 64\n",
            "Pin the pool size",
            &d("2026-03-14T11:00:00"),
        ),
    );
    for blob in ["ambiguous 4523\n", "ambiguous 14795\n"] {
        let path = put(&root, "blob.txt", blob);
        git(&root, &["hash-object", "-w", path.to_str().unwrap()], None);
    }
    std::fs::remove_file(root.join("blob.txt")).unwrap();
    git(
        &root,
        &["remote", "add", "origin", "git@github.com:acme/shop.git"],
        None,
    );
    TestRepo { tmp, shas }
}
