//! One repository: lookups through the cat-file children, lists through `git log`, all
//! cached until the repository changes.
//!
//! Refresh rule: at most every [`RESTAT`], the repository's "state stamp" is read with a
//! handful of `stat` calls and no process: `HEAD`, `logs/HEAD`, `FETCH_HEAD`, `packed-refs`,
//! `config`, `shallow`, `reftable/tables.list`, and the modification time of every folder
//! under `refs/` (a loose ref is written by renaming a file into its folder, which changes
//! the folder's time). A commit, checkout, reset, fetch, branch or tag changes the stamp;
//! then every answer that can change (lookups, which may turn from unknown to found or from
//! found to ambiguous, the recent list, ancestry in a deepened shallow clone, the origin
//! URL) is dropped and the cat-file children are restarted, since a long-lived git process
//! can miss loose objects written after it started. Commit texts and `--stat`s of full
//! SHAs never change and stay cached. A TTL alone would either re-run git needlessly or
//! serve stale answers; the stamp costs microseconds and is exact for everything but a ref
//! changed twice within one [`RESTAT`].

use super::catfile::{Batch, Named};
use super::command::{Git, Sha};
use super::remote::parse_remote;
use crate::analysis::commits::{CommitDetails, CommitInfo, Commits, Lookup};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// How often the state stamp is read.
pub const RESTAT: Duration = Duration::from_millis(500);
/// How many commits the completion lists hold.
pub const LIST_LIMIT: &str = "-n200";
/// How many `--stat` file lines a hover shows.
const STAT_LINES: usize = 12;
/// `--stat-count` for [`STAT_LINES`] lines: git stops listing there.
const STAT_COUNT: &str = "--stat-count=12";

/// Where a repository lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub top: PathBuf,
    pub git_dir: PathBuf,
    pub common_dir: PathBuf,
}

/// One repository's git children and cached answers. Dropping it kills and reaps its
/// cat-file children.
pub struct Repo {
    loc: Location,
    state: Mutex<State>,
}

type Stamp = Vec<(PathBuf, Option<(SystemTime, u64)>)>;

#[derive(Default)]
struct State {
    stamp: Stamp,
    stamped_at: Option<Instant>,
    check: Option<Batch>,
    contents: Option<Batch>,
    /// A cat-file child did not answer in time: none is started again until the
    /// repository changes (its `config` is in the stamp), so a stuck git costs one deadline.
    stalled: bool,
    lookups: HashMap<String, Lookup>,
    commits: HashMap<String, Arc<CommitInfo>>,
    recent: Option<Arc<[CommitInfo]>>,
    ancestors: HashMap<String, Arc<[CommitInfo]>>,
    ancestry: HashMap<(String, String), bool>,
    stats: HashMap<String, String>,
    origin: Option<Option<String>>,
}

impl Repo {
    pub fn new(loc: Location) -> Repo {
        Repo {
            loc,
            state: Mutex::new(State::default()),
        }
    }

    pub fn location(&self) -> &Location {
        &self.loc
    }

    /// A view that answers only from the cache and says `Pending` for anything else: the
    /// server publishes with it at once, asks the blocking [`Repo`] on a worker thread, and
    /// publishes again.
    pub fn cached(&self) -> Cached<'_> {
        Cached(self)
    }

    fn shallow(&self) -> bool {
        self.loc.common_dir.join("shallow").exists()
    }

    /// Locks the state, refreshing it first if the repository changed. With `wait` false
    /// a busy lock (another thread is talking to git) gives `None` instead of waiting.
    fn state(&self, wait: bool) -> Option<MutexGuard<'_, State>> {
        let mut state = if wait {
            self.state.lock().unwrap_or_else(|e| e.into_inner())
        } else {
            self.state.try_lock().ok()?
        };
        if state.stamped_at.is_none_or(|at| at.elapsed() >= RESTAT) {
            let stamp = self.stamp();
            if stamp != state.stamp {
                let commits = std::mem::take(&mut state.commits);
                let stats = std::mem::take(&mut state.stats);
                *state = State {
                    stamp,
                    commits,
                    stats,
                    ..State::default()
                };
            }
            state.stamped_at = Some(Instant::now());
        }
        Some(state)
    }

    fn stamp(&self) -> Stamp {
        let (g, c) = (&self.loc.git_dir, &self.loc.common_dir);
        let mut paths = vec![
            g.join("HEAD"),
            g.join("logs/HEAD"),
            g.join("FETCH_HEAD"),
            c.join("FETCH_HEAD"),
            c.join("packed-refs"),
            c.join("config"),
            c.join("shallow"),
            c.join("reftable/tables.list"),
        ];
        let mut dirs = vec![c.join("refs")];
        while let Some(dir) = dirs.pop() {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    if e.file_type().is_ok_and(|t| t.is_dir()) && paths.len() < 10_000 {
                        dirs.push(e.path());
                    }
                }
            }
            paths.push(dir);
        }
        paths
            .into_iter()
            .map(|p| {
                let meta = std::fs::metadata(&p).ok();
                let m = meta.and_then(|m| Some((m.modified().ok()?, m.len())));
                (p, m)
            })
            .collect()
    }

    fn lookup_in(&self, state: &mut State, sha: &Sha, fetch: bool) -> Lookup {
        if let Some(known) = state.lookups.get(sha.as_str()) {
            return known.clone();
        }
        if !fetch {
            return Lookup::Pending;
        }
        let answer = self.resolve(state, sha).unwrap_or(Lookup::Pending);
        if answer != Lookup::Pending {
            state
                .lookups
                .insert(sha.as_str().to_string(), answer.clone());
        }
        answer
    }

    /// Asks the cat-file children. `None` when git is not available.
    fn resolve(&self, state: &mut State, sha: &Sha) -> Option<Lookup> {
        let named = ask_check(state, &self.loc.top, sha, "")?;
        let oid = match named {
            Named::Ambiguous => return Some(Lookup::Ambiguous),
            Named::Missing if self.shallow() => return Some(Lookup::Unverifiable),
            Named::Missing => return Some(Lookup::Unknown),
            Named::Object { kind, .. } if kind == "tag" => {
                // An annotated tag's SHA: the commit it points to.
                match ask_check(state, &self.loc.top, sha, "^{commit}")? {
                    Named::Object { oid, .. } => oid,
                    _ => return Some(Lookup::Unknown),
                }
            }
            Named::Object { oid, kind } if kind == "commit" => oid,
            Named::Object { .. } => return Some(Lookup::Unknown),
        };
        self.commit_in(state, &oid).map(Lookup::Found)
    }

    fn commit_in(&self, state: &mut State, oid: &str) -> Option<Arc<CommitInfo>> {
        if let Some(c) = state.commits.get(oid) {
            return Some(c.clone());
        }
        let full = Sha::parse(oid)?;
        if state.stalled {
            return None;
        }
        if state.contents.is_none() {
            state.contents = Batch::contents(&self.loc.top);
        }
        let info = state.contents.as_mut()?.commit(&full);
        let Some(info) = info else {
            // A child out of step is not reused; a stuck one is not replaced either.
            state.stalled |= state.contents.as_ref().is_some_and(Batch::timed_out);
            state.contents = None;
            return None;
        };
        let info = Arc::new(info);
        state.commits.insert(oid.to_string(), info.clone());
        Some(info)
    }

    /// `git log` over `starts` (or the branches, tags, remotes and HEAD), newest first.
    fn log(&self, start: Option<&Sha>) -> Option<Arc<[CommitInfo]>> {
        let base = || {
            Git::new(&self.loc.top)
                .arg("log")
                .arg(LIST_LIMIT)
                .arg("--no-color")
                .arg("--no-show-signature")
                .arg("--no-ext-diff")
                .arg("--no-textconv")
                // Names, subjects and ref names cut by git itself (a repository can hold a
                // 50 MB one-line message, and the list goes out in every completion).
                .arg("--format=%H%x1f%<(80,trunc)%an%x1f%ct%x1f%<(200,trunc)%s%x1f%<(200,trunc)%D%x1e")
        };
        let out = match start {
            Some(sha) => base().sha(sha).arg("--").output()?,
            None => {
                let all = || base().arg("--branches").arg("--tags").arg("--remotes");
                match all().arg("HEAD").arg("--").output()? {
                    // No HEAD (a repository without commits, or an unborn branch).
                    (false, _) => all().arg("--").output()?,
                    ok => ok,
                }
            }
        };
        let (true, out) = out else {
            return Some(Arc::from(Vec::new()));
        };
        let mut list: Vec<CommitInfo> = String::from_utf8_lossy(&out)
            .split('\x1e')
            .filter_map(|record| {
                let mut f = record.trim_start_matches('\n').split('\x1f');
                let (sha, author, time, subject) = (f.next()?, f.next()?, f.next()?, f.next()?);
                Some(CommitInfo {
                    sha: sha.to_string(),
                    // `%<(N,trunc)` pads short values with spaces.
                    author: author.trim_end().to_string(),
                    time: chrono::DateTime::from_timestamp(time.parse().ok()?, 0)?,
                    subject: subject.trim_end().to_string(),
                    // A name cut short ends in `..`, which no ref name holds: it matches
                    // nothing.
                    refs: ref_names(f.next().unwrap_or("").trim_end()),
                })
            })
            .collect();
        list.sort_by_key(|c| std::cmp::Reverse(c.time));
        Some(list.into())
    }

    fn stat(&self, sha: &Sha) -> Option<String> {
        let text = Git::new(&self.loc.top)
            .arg("show")
            .arg("--no-show-signature")
            .arg("--no-ext-diff")
            .arg("--no-textconv")
            .arg("--no-color")
            .arg("--stat=72")
            // A commit touching 100,000 files would make a hover of as many lines.
            .arg(STAT_COUNT)
            .arg("--format=")
            .arg("-m")
            .arg("--first-parent")
            .sha(sha)
            .arg("--")
            .output()?;
        // Not trimmed as a whole: the stat lines start with a space that aligns them.
        let (true, text) = text else {
            return None;
        };
        Some(trim_stat(&String::from_utf8_lossy(&text)))
    }

    fn origin(&self, state: &mut State) -> Option<String> {
        if state.origin.is_none() {
            let url = Git::new(&self.loc.top)
                .arg("remote")
                .arg("get-url")
                .arg("origin")
                .text();
            state.origin = Some(url);
        }
        state.origin.clone().flatten()
    }

    fn answer<T>(
        &self,
        wait: bool,
        f: impl FnOnce(&Repo, &mut State, bool) -> Option<T>,
    ) -> Option<T> {
        let mut state = self.state(wait)?;
        f(self, &mut state, wait)
    }
}

fn ask_check(state: &mut State, top: &Path, sha: &Sha, suffix: &'static str) -> Option<Named> {
    if state.stalled {
        return None;
    }
    if state.check.is_none() {
        state.check = Batch::check(top);
    }
    let answer = state.check.as_mut()?.name(sha, suffix);
    if answer.is_none() {
        state.stalled |= state.check.as_ref().is_some_and(Batch::timed_out);
        state.check = None;
    }
    answer
}

/// Keeps the first [`STAT_LINES`] file lines and the summary line.
pub fn trim_stat(stat: &str) -> String {
    let lines: Vec<&str> = stat.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some((summary, files)) = lines.split_last() else {
        return String::new();
    };
    // `--stat-count` ends the file lines with ` ...`; the summary says how many there are.
    let files: Vec<&&str> = files.iter().filter(|l| l.trim() != "...").collect();
    let total = summary
        .split_whitespace()
        .next()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(files.len());
    let mut out: Vec<String> = files
        .iter()
        .take(STAT_LINES)
        .map(|l| l.to_string())
        .collect();
    if total > out.len() {
        out.push(format!(" … and {} more files", total - out.len()));
    }
    out.push(summary.to_string());
    out.join("\n")
}

/// The shared implementation of the blocking and the cached answers.
fn commits_answer(repo: &Repo, wait: bool) -> impl Commits + '_ {
    struct View<'a>(&'a Repo, bool);
    impl Commits for View<'_> {
        fn lookup(&self, sha: &str) -> Lookup {
            let Some(sha) = Sha::parse(sha) else {
                return Lookup::Unknown;
            };
            self.0
                .answer(self.1, |r, s, fetch| Some(r.lookup_in(s, &sha, fetch)))
                .unwrap_or(Lookup::Pending)
        }

        fn recent(&self) -> Option<Arc<[CommitInfo]>> {
            self.0.answer(self.1, |r, s, fetch| {
                if s.recent.is_none() && fetch {
                    s.recent = r.log(None);
                }
                s.recent.clone()
            })
        }

        fn ancestors(&self, sha: &str) -> Option<Arc<[CommitInfo]>> {
            let sha = Sha::parse(sha)?;
            self.0.answer(self.1, |r, s, fetch| {
                if !s.ancestors.contains_key(sha.as_str()) && fetch {
                    let list = r.log(Some(&sha))?;
                    s.ancestors.insert(sha.as_str().to_string(), list);
                }
                s.ancestors.get(sha.as_str()).cloned()
            })
        }

        fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Option<bool> {
            let (a, d) = (Sha::parse(ancestor)?, Sha::parse(descendant)?);
            let key = (a.as_str().to_string(), d.as_str().to_string());
            self.0.answer(self.1, |r, s, fetch| {
                if let Some(known) = s.ancestry.get(&key) {
                    return Some(*known);
                }
                if !fetch {
                    return None;
                }
                let (ok, _) = Git::new(&r.loc.top)
                    .arg("merge-base")
                    .arg("--is-ancestor")
                    .sha(&a)
                    .sha(&d)
                    .output()?;
                // Exit 1 means "not an ancestor"; errors (a missing object in a shallow
                // clone) also fail, so a `false` from a shallow clone is not trusted.
                if !ok && r.shallow() {
                    return None;
                }
                s.ancestry.insert(key, ok);
                Some(ok)
            })
        }

        fn details(&self, sha: &str) -> Option<CommitDetails> {
            let sha = Sha::parse(sha)?;
            self.0.answer(self.1, |r, s, fetch| {
                if !s.stats.contains_key(sha.as_str()) && fetch {
                    let stat = r.stat(&sha)?;
                    s.stats.insert(sha.as_str().to_string(), stat);
                }
                let stat = s.stats.get(sha.as_str())?.clone();
                let origin = if fetch {
                    r.origin(s)
                } else {
                    s.origin.clone().flatten()
                };
                let link = origin
                    .and_then(|url| parse_remote(&url))
                    .map(|web| web.commit_url(sha.as_str()));
                Some(CommitDetails { stat, link })
            })
        }
    }
    View(repo, wait)
}

/// Blocking answers: git is asked whenever the cache has nothing. For the CLI, and for the
/// server's worker threads.
impl Commits for Repo {
    fn lookup(&self, sha: &str) -> Lookup {
        commits_answer(self, true).lookup(sha)
    }
    fn recent(&self) -> Option<Arc<[CommitInfo]>> {
        commits_answer(self, true).recent()
    }
    fn ancestors(&self, sha: &str) -> Option<Arc<[CommitInfo]>> {
        commits_answer(self, true).ancestors(sha)
    }
    fn is_ancestor(&self, a: &str, d: &str) -> Option<bool> {
        commits_answer(self, true).is_ancestor(a, d)
    }
    fn details(&self, sha: &str) -> Option<CommitDetails> {
        commits_answer(self, true).details(sha)
    }
}

/// Cache-only answers (see [`Repo::cached`]). Never starts a process and never waits for a
/// thread that is talking to git; anything not cached is `Pending` / `None`.
pub struct Cached<'a>(&'a Repo);

impl Commits for Cached<'_> {
    fn lookup(&self, sha: &str) -> Lookup {
        commits_answer(self.0, false).lookup(sha)
    }
    fn recent(&self) -> Option<Arc<[CommitInfo]>> {
        commits_answer(self.0, false).recent()
    }
    fn ancestors(&self, sha: &str) -> Option<Arc<[CommitInfo]>> {
        commits_answer(self.0, false).ancestors(sha)
    }
    fn is_ancestor(&self, a: &str, d: &str) -> Option<bool> {
        commits_answer(self.0, false).is_ancestor(a, d)
    }
    fn details(&self, sha: &str) -> Option<CommitDetails> {
        commits_answer(self.0, false).details(sha)
    }
}

/// The branch and tag names of a `%D` decoration (`HEAD -> main, tag: v41, origin/main`):
/// `main`, `v41`, `origin/main` (HEAD itself is not a name the document would use).
fn ref_names(decoration: &str) -> Vec<String> {
    decoration
        .split(", ")
        .map(|r| {
            r.trim()
                .trim_start_matches("HEAD -> ")
                .trim_start_matches("tag: ")
        })
        .filter(|r| !r.is_empty() && *r != "HEAD")
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many processes work in `dir` now (zombies have no folder and do not count).
    fn working_in(dir: &Path) -> usize {
        let dir = dir.canonicalize().unwrap();
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|e| std::fs::read_link(e.path().join("cwd")).is_ok_and(|c| c == dir))
            .count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dropping_a_repo_kills_and_reaps_its_git_children() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "A")
                .env("GIT_AUTHOR_EMAIL", "a@x")
                .env("GIT_COMMITTER_NAME", "A")
                .env("GIT_COMMITTER_EMAIL", "a@x")
                .output()
                .unwrap();
            assert!(out.status.success());
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        };
        git(&["init", "-q"]);
        git(&["commit", "-q", "--allow-empty", "-m", "one"]);
        let head = git(&["rev-parse", "HEAD"]);
        let repo = Repo::new(super::super::discover(dir).unwrap());
        assert!(matches!(repo.lookup(&head), Lookup::Found(c) if c.subject == "one"));
        assert_eq!(
            working_in(dir),
            2,
            "the two cat-file children stay for the next lookup"
        );
        drop(repo);
        assert_eq!(working_in(dir), 0);
    }

    #[test]
    fn long_stats_keep_the_first_files_and_the_summary() {
        let files: Vec<String> = (0..20).map(|i| format!(" f{i} | 1 +")).collect();
        let stat = format!(
            "\n{}\n 20 files changed, 20 insertions(+)\n",
            files.join("\n")
        );
        let trimmed = trim_stat(&stat);
        let lines: Vec<&str> = trimmed.lines().collect();
        assert_eq!(lines.len(), 14);
        assert_eq!(lines[0], " f0 | 1 +");
        assert_eq!(lines[12], " … and 8 more files");
        assert_eq!(lines[13], " 20 files changed, 20 insertions(+)");
        assert_eq!(trim_stat(""), "");
        // As `--stat-count` gives it: twelve lines, ` ...`, and the summary's real count.
        let counted = format!(
            "{}\n ...\n 100000 files changed, 100000 insertions(+)\n",
            files[..12].join("\n")
        );
        let lines: Vec<String> = trim_stat(&counted).lines().map(String::from).collect();
        assert_eq!(lines.len(), 14);
        assert_eq!(lines[12], " … and 99988 more files");
    }

    #[test]
    fn huge_subjects_and_names_are_cut_by_git() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir)
                .env("GIT_AUTHOR_NAME", "A".repeat(10_000))
                .env("GIT_AUTHOR_EMAIL", "a@example.com")
                .env("GIT_COMMITTER_NAME", "c")
                .env("GIT_COMMITTER_EMAIL", "c@example.com")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        git(&["init", "-q"]);
        std::fs::write(dir.join("msg"), "x".repeat(5 << 20)).unwrap();
        git(&["commit", "-q", "--allow-empty", "-F", "msg"]);
        let repo = Repo::new(crate::git::discover(dir).unwrap());
        let recent = repo.recent().unwrap();
        assert_eq!(recent.len(), 1);
        assert!(
            recent[0].subject.len() <= 200,
            "{}",
            recent[0].subject.len()
        );
        assert!(recent[0].author.len() <= 80, "{}", recent[0].author.len());
        assert!(recent[0].subject.starts_with("xxxx"));
    }
}
