//! Git, the real implementation of the core's [`Commits`](crate::analysis::commits::Commits)
//! trait: which repository a document belongs to, and the cached answers about its commits.
//!
//! Everything here runs the `git` program (see [`command`] for how arguments are kept
//! safe and repository-configured programs off, and [`child`] for the deadline on every
//! run). Without git on PATH, outside a repository, in a bare one, or when git does not
//! answer in time, the functions return `None` and the git checks stay quiet.

pub mod catfile;
pub mod child;
pub mod command;
pub mod index;
pub mod remote;
pub mod repo;

pub use child::kill_all;
pub use command::{Rev, Sha};
pub use repo::{Cached, Location, Repo};

use command::Git;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// The repository containing `dir` (`git rev-parse --show-toplevel`), with its git folders.
pub fn discover(dir: &Path) -> Option<Location> {
    let text = Git::new(dir)
        .arg("rev-parse")
        .arg("--show-toplevel")
        .arg("--git-dir")
        .arg("--git-common-dir")
        .text()?;
    let mut lines = text.lines();
    let (top, git_dir, common_dir) = (lines.next()?, lines.next()?, lines.next()?);
    // `--git-dir` and `--git-common-dir` may be relative to the folder git ran in.
    let loc = Location {
        top: PathBuf::from(top),
        git_dir: dir.join(git_dir),
        common_dir: dir.join(common_dir),
    };
    trusted(&loc).then_some(loc)
}

/// Whether a repository's history may be shown: its git folders lie inside its work tree,
/// or are the ones git itself made for a linked worktree or a submodule. An unpacked
/// archive can hold a `.git` file saying `gitdir: /home/someone/other-repo/.git`, and
/// completion and hover would then show that other repository's commits.
fn trusted(loc: &Location) -> bool {
    let real = |p: &Path| p.canonicalize().ok();
    let (Some(top), Some(git_dir), Some(common)) =
        (real(&loc.top), real(&loc.git_dir), real(&loc.common_dir))
    else {
        return false;
    };
    if git_dir.starts_with(&top) && common.starts_with(&top) {
        return true;
    }
    // A linked worktree: `<common>/worktrees/<name>`, whose `gitdir` file names this
    // worktree's `.git` (written by `git worktree add`, outside the worktree).
    let worktree = git_dir
        .parent()
        .is_some_and(|p| p == common.join("worktrees"))
        && crate::fsread::read_text(&git_dir.join("gitdir"))
            .is_ok_and(|back| real(Path::new(back.trim())) == real(&top.join(".git")));
    // A submodule: its folder under an enclosing repository's `.git/modules/`.
    let submodule = git_dir == common
        && top
            .ancestors()
            .skip(1)
            .any(|a| git_dir.starts_with(a.join(".git").join("modules")));
    worktree || submodule
}

/// The full SHA of the commit a user revision names (`git rev-parse --verify REV^{commit}`).
pub fn resolve_rev(dir: &Path, rev: &Rev) -> Option<String> {
    let sha = Git::new(dir)
        .arg("rev-parse")
        .arg("--verify")
        .arg("--quiet")
        .rev_commit(rev)
        .text()?;
    Sha::parse(&sha).map(|s| s.as_str().to_string())
}

/// Every repository the process has seen, shared so that documents of one repository share
/// its cat-file children and caches.
#[derive(Default)]
pub struct Repos {
    by_top: Mutex<HashMap<PathBuf, Arc<Repo>>>,
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl Repos {
    pub fn new() -> Repos {
        Repos::default()
    }

    /// The repository a document belongs to: the git top level of its folder, or of
    /// `workspace_root` when the folder does not exist (an unsaved or deleted file).
    ///
    /// A post-mortem whose `_docs/` folder is not at the top level of its repository
    /// belongs to a project that is not this repository (a shipped example, a test fixture,
    /// a vendored copy): its SHAs name another history, so it gets no repository and the
    /// git checks stay quiet for it.
    ///
    /// Runs git the first time a folder is seen; see [`Repos::peek`] for the answer that
    /// never waits.
    pub fn for_document(&self, doc: &Path, workspace_root: Option<&Path>) -> Option<Arc<Repo>> {
        self.find(doc, workspace_root, true).flatten()
    }

    /// [`Repos::for_document`] from the caches only: never starts a process and never
    /// waits for a thread that does. `None` when the answer is not known yet (the folder
    /// or its repository has not been discovered); `Some(None)` when the document has no
    /// repository. For the server's keystroke path, which must not wait for git.
    pub fn peek(&self, doc: &Path, workspace_root: Option<&Path>) -> Option<Option<Arc<Repo>>> {
        self.find(doc, workspace_root, false)
    }

    fn find(
        &self,
        doc: &Path,
        workspace_root: Option<&Path>,
        wait: bool,
    ) -> Option<Option<Arc<Repo>>> {
        let folder = doc.parent().filter(|d| d.is_dir());
        let Some(dir) = folder.or(workspace_root) else {
            return Some(None);
        };
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let Some(top) = self.top_of(&dir, wait)? else {
            return Some(None);
        };
        if let Some(docs_root) = postmortem_project_root(&dir)
            && docs_root.canonicalize().unwrap_or(docs_root) != top
        {
            return Some(None);
        }
        let known = locked(&self.by_top, wait)?.get(&top).cloned();
        if let Some(repo) = known {
            return Some(Some(repo));
        }
        if !wait {
            return None;
        }
        // Discovered without holding the lock, so that `peek` never waits for git; if two
        // threads discover the same repository, the first one stored is kept.
        let Some(loc) = discover(&top) else {
            return Some(None);
        };
        let mut repos = locked(&self.by_top, true)?;
        let repo = repos
            .entry(top)
            .or_insert_with(|| Arc::new(Repo::new(loc)))
            .clone();
        Some(Some(repo))
    }

    /// The top level of the repository holding `dir` (`Some(None)`: none). `None` when it
    /// is not cached and `wait` is false.
    fn top_of(&self, dir: &Path, wait: bool) -> Option<Option<PathBuf>> {
        if let Some(known) = locked(&self.by_dir, wait)?.get(dir) {
            return Some(known.clone());
        }
        if !wait {
            return None;
        }
        let top = discover(dir).map(|l| l.top.canonicalize().unwrap_or(l.top));
        let mut by_dir = self.by_dir.lock().unwrap_or_else(|e| e.into_inner());
        if by_dir.len() > 10_000 {
            by_dir.clear();
        }
        by_dir.insert(dir.to_path_buf(), top.clone());
        Some(top)
    }
}

impl Repos {
    /// Forgets what was found for `dir` (a folder no open document is in any more), and
    /// its repository once no other known folder is in it, so memory follows the open
    /// documents rather than every folder ever seen.
    pub fn forget(&self, dir: &Path) {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let mut by_dir = self.by_dir.lock().unwrap_or_else(|e| e.into_inner());
        let Some(Some(top)) = by_dir.remove(&dir) else {
            return;
        };
        if !by_dir.values().any(|t| t.as_ref() == Some(&top)) {
            drop(by_dir);
            let mut by_top = self.by_top.lock().unwrap_or_else(|e| e.into_inner());
            by_top.remove(&top);
        }
    }
}

/// Locks `m`, recovering it from a panic elsewhere (the maps stay consistent: each is
/// changed by one call that cannot panic midway). With `wait` false a busy lock gives
/// `None` instead of waiting.
fn locked<T>(m: &Mutex<T>, wait: bool) -> Option<MutexGuard<'_, T>> {
    if wait {
        return Some(m.lock().unwrap_or_else(|e| e.into_inner()));
    }
    match m.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(e)) => Some(e.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// The folder holding `_docs/` when `dir` is `…/_docs/06_metrics`.
fn postmortem_project_root(dir: &Path) -> Option<PathBuf> {
    (dir.file_name()? == "06_metrics" && dir.parent()?.file_name()? == "_docs")
        .then(|| dir.parent()?.parent().map(Path::to_path_buf))?
}

#[cfg(test)]
mod trust_tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn a_git_file_pointing_at_another_repository_is_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let (secret, repo) = (tmp.path().join("secret"), tmp.path().join("repo"));
        std::fs::create_dir_all(&secret).unwrap();
        std::fs::create_dir_all(&repo).unwrap();
        git(&secret, &["init", "-q"]);
        git(&secret, &["commit", "-q", "--allow-empty", "-m", "SECRET"]);
        assert!(discover(&secret).is_some());
        std::fs::write(
            repo.join(".git"),
            format!("gitdir: {}\n", secret.join(".git").display()),
        )
        .unwrap();
        // Git itself follows the file; we do not.
        git(&repo, &["log", "-1"]);
        assert!(discover(&repo).is_none());
    }

    #[test]
    fn linked_worktrees_and_submodules_are_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let main = tmp.path().join("main");
        std::fs::create_dir_all(&main).unwrap();
        git(&main, &["init", "-q"]);
        git(&main, &["commit", "-q", "--allow-empty", "-m", "one"]);
        let linked = tmp.path().join("linked");
        git(&main, &["worktree", "add", "-q", linked.to_str().unwrap()]);
        let loc = discover(&linked).expect("a linked worktree");
        assert!(
            !loc.git_dir
                .canonicalize()
                .unwrap()
                .starts_with(linked.canonicalize().unwrap())
        );
        // A submodule's git folder lives in the enclosing repository's `.git/modules`.
        let sub_src = tmp.path().join("sub-src");
        std::fs::create_dir_all(&sub_src).unwrap();
        git(&sub_src, &["init", "-q"]);
        git(&sub_src, &["commit", "-q", "--allow-empty", "-m", "sub"]);
        git(
            &main,
            &[
                "-c",
                "protocol.file.allow=always",
                "submodule",
                "add",
                "-q",
                sub_src.to_str().unwrap(),
                "sub",
            ],
        );
        let loc = discover(&main.join("sub")).expect("a submodule");
        assert!(
            loc.git_dir
                .canonicalize()
                .unwrap()
                .starts_with(main.join(".git/modules").canonicalize().unwrap())
        );
    }
}
