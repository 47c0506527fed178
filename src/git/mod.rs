//! Git, the real implementation of the core's [`Commits`](crate::analysis::commits::Commits)
//! trait: which repository a document belongs to, and the cached answers about its commits.
//!
//! Everything here runs the `git` program (see [`command`] for how arguments are kept
//! safe and repository-configured programs off, and [`child`] for the deadline on every
//! run). Without git on PATH, outside a repository, in a bare one, or when git does not
//! answer in time, the functions return `None` and the git checks stay quiet; a repository
//! git refuses is named once ([`Repos::take_refusals`]).

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
    locate(dir).ok()
}

/// Why [`locate`] found no repository.
#[derive(Debug, PartialEq, Eq)]
enum NotFound {
    /// Git did not answer within its deadline.
    Silent,
    /// Git answered with an error (outside a repository, or one it cannot read).
    Failed,
    /// Git found one, but its git folders are not to be trusted (see [`trusted`]).
    Untrusted,
}

fn locate(dir: &Path) -> Result<Location, NotFound> {
    let out = Git::new(dir)
        .arg("rev-parse")
        .arg("--show-toplevel")
        .arg("--git-dir")
        .arg("--git-common-dir")
        .output()
        .ok_or(NotFound::Silent)?;
    let text = match out {
        (true, out) => String::from_utf8_lossy(&out).trim().to_string(),
        (false, _) => return Err(NotFound::Failed),
    };
    let mut lines = text.lines();
    let (Some(top), Some(git_dir), Some(common_dir)) = (lines.next(), lines.next(), lines.next())
    else {
        return Err(NotFound::Failed);
    };
    // `--git-dir` and `--git-common-dir` may be relative to the folder git ran in.
    let loc = Location {
        top: PathBuf::from(top),
        git_dir: dir.join(git_dir),
        common_dir: dir.join(common_dir),
    };
    if trusted(&loc) {
        Ok(loc)
    } else {
        Err(NotFound::Untrusted)
    }
}

/// Why git gives no repository for `dir` although one is there (a `.git` in `dir` or a
/// folder above it), given how [`locate`] failed: git's own first error line (an
/// `include.path` loop in `.git/config`, a broken `HEAD`; asked again, with its stderr),
/// that it did not answer in time, or that the repository is not trusted. `None` when there
/// is no repository to speak of.
fn why_not(dir: &Path, failed: NotFound) -> Option<(PathBuf, String)> {
    let holder = dir.ancestors().find(|a| a.join(".git").exists())?;
    let why = match failed {
        NotFound::Silent => format!("git did not answer within {} s", child::TIMEOUT.as_secs()),
        NotFound::Untrusted => "its git folder lies outside it (a `.git` file naming another \
                                repository), or its `core.worktree` names another folder, so \
                                its history is not shown"
            .to_string(),
        NotFound::Failed => {
            let (_, err) = Git::new(dir).arg("rev-parse").arg("--git-dir").stderr()?;
            let err = String::from_utf8_lossy(&err);
            let line = err.lines().map(str::trim).find(|l| !l.is_empty())?;
            if line.contains("not a git repository") {
                return None;
            }
            let line: String = line.chars().take(300).collect();
            format!("git says `{line}`")
        }
    };
    Some((holder.to_path_buf(), why))
}

/// Whether a repository's history may be shown: its git folders lie inside its work tree,
/// or are the ones git itself made for a linked worktree or a submodule. An unpacked
/// archive can hold a `.git` file saying `gitdir: /home/someone/other-repo/.git`, and
/// completion and hover would then show that other repository's commits.
pub(crate) fn trusted(loc: &Location) -> bool {
    let real = |p: &Path| p.canonicalize().ok();
    let (Some(top), Some(git_dir), Some(common)) =
        (real(&loc.top), real(&loc.git_dir), real(&loc.common_dir))
    else {
        return false;
    };
    // The plain case: the `.git` at the top of the work tree is (or names) the git folder.
    // Inside is not enough: a `core.worktree = ../..` in the repository's `.git/config`
    // makes the folder the clone sits in the "top level", and `new` would then write there.
    if git_dir.starts_with(&top) && common.starts_with(&top) && names(&top.join(".git"), &git_dir) {
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

/// Whether the `.git` at `dot_git` is the git folder `git_dir` (a real path), or a file
/// saying `gitdir: <it>` (relative to the file's folder, as git reads it).
fn names(dot_git: &Path, git_dir: &Path) -> bool {
    let real = |p: &Path| p.canonicalize().ok();
    if dot_git.is_dir() {
        return real(dot_git).as_deref() == Some(git_dir);
    }
    let Some(folder) = dot_git.parent() else {
        return false;
    };
    crate::fsread::read_text(dot_git).is_ok_and(|text| {
        text.trim()
            .strip_prefix("gitdir:")
            .is_some_and(|named| real(&folder.join(named.trim())).as_deref() == Some(git_dir))
    })
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
    /// The repositories git refused, each said once, and what is still to be said.
    refused: Mutex<(std::collections::HashSet<PathBuf>, Vec<String>)>,
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
        let found = locate(dir);
        let top = found
            .as_ref()
            .ok()
            .map(|l| l.top.canonicalize().unwrap_or_else(|_| l.top.clone()));
        if let Err(failed) = found
            && let Some((repo, why)) = why_not(dir, failed)
        {
            let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
            if refused.0.insert(repo.clone()) {
                refused.1.push(format!(
                    "Git cannot read the repository at {}: {why}. The deploy and rollback \
                     SHAs of its post-mortems are not checked.",
                    repo.display()
                ));
            }
        }
        let mut by_dir = self.by_dir.lock().unwrap_or_else(|e| e.into_inner());
        if by_dir.len() > 10_000 {
            by_dir.clear();
        }
        by_dir.insert(dir.to_path_buf(), top.clone());
        Some(top)
    }
}

impl Repos {
    /// What is to be told about repositories git refused, each once per process: the
    /// git checks of their documents are off, and the user should know why.
    pub fn take_refusals(&self) -> Vec<String> {
        std::mem::take(&mut self.refused.lock().unwrap_or_else(|e| e.into_inner()).1)
    }

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
        // Git itself follows the file; we do not, and say why.
        git(&repo, &["log", "-1"]);
        assert!(discover(&repo).is_none());
        assert_eq!(locate(&repo), Err(NotFound::Untrusted));
        let (holder, why) = why_not(&repo, NotFound::Untrusted).unwrap();
        assert_eq!(holder, repo);
        assert!(why.contains("naming another repository"), "{why}");
    }

    #[test]
    fn a_repository_git_refuses_is_named_with_gits_reason_and_said_once() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("_docs/06_metrics")).unwrap();
        git(&repo, &["init", "-q"]);
        let config = repo.join(".git/config");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str("[include]\n\tpath = config\n");
        std::fs::write(&config, text).unwrap();
        let docs = repo.join("_docs/06_metrics");
        assert_eq!(locate(&docs), Err(NotFound::Failed));
        let (holder, why) = why_not(&docs, NotFound::Failed).unwrap();
        assert_eq!(holder, repo);
        assert!(
            why.starts_with("git says `fatal: exceeded maximum include depth"),
            "{why}"
        );
        let repos = Repos::new();
        for doc in ["a.md", "b.md"] {
            assert!(repos.for_document(&docs.join(doc), None).is_none());
        }
        assert!(repos.for_document(&repo.join("c.md"), None).is_none());
        let told = repos.take_refusals();
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0].contains(&repo.display().to_string()), "{told:?}");
        assert!(told[0].ends_with("are not checked."), "{told:?}");
        assert!(repos.take_refusals().is_empty());
    }

    #[test]
    fn a_folder_outside_any_repository_is_not_a_refusal() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(locate(tmp.path()), Err(NotFound::Failed));
        assert_eq!(why_not(tmp.path(), NotFound::Failed), None);
        // A `.git` git does not recognise is no repository either.
        std::fs::create_dir(tmp.path().join(".git")).unwrap();
        assert_eq!(why_not(tmp.path(), NotFound::Failed), None);
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
