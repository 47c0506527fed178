//! The two diagnostics passes that keep git and the disk from ever blocking typing.
//!
//! The first pass, on every open and change (on the async thread for small documents), asks
//! only caches: the repository's ([`Repo::cached`], [`Repos::peek`]) and the workspace's
//! ([`crate::env::FsWorkspace::cached`]). Anything git has not answered yet is `Pending`, any
//! path not looked at yet is [`crate::analysis::PathKind::Pending`], and their checks stay
//! quiet, so the result is published at once. A stale cached answer is still used (nothing
//! flickers) but counts as missing. When an answer was missing, [`Refresher::request`] starts
//! a second pass on the blocking pool that asks git and the disk (through the guarded reader,
//! filling the caches) and publishes again. At most one second pass per document runs at a
//! time; a request made while one runs makes it go round once more on the then-latest
//! revision, so a burst of keystrokes costs one or two such passes, never one each.

use super::diagnostics::{self, Publish};
use super::lock;
use super::state::{Snapshot, State};
use super::view::{self, Files, Git};
use crate::analysis::commits::{CommitDetails, CommitInfo, Commits, Lookup};
use crate::env::Clock;
use crate::git::Repos;
use chrono::{DateTime, Utc};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageType, Uri};

/// Wraps a set of answers and remembers whether any of them was not known yet.
struct Recorder<C> {
    inner: C,
    pending: Cell<bool>,
}

impl<C> Recorder<C> {
    fn note<T>(&self, answer: Option<T>) -> Option<T> {
        if answer.is_none() {
            self.pending.set(true);
        }
        answer
    }
}

impl<C: Commits> Commits for Recorder<C> {
    fn lookup(&self, sha: &str) -> Lookup {
        let answer = self.inner.lookup(sha);
        if answer == Lookup::Pending {
            self.pending.set(true);
        }
        answer
    }
    fn recent(&self) -> Option<Arc<[CommitInfo]>> {
        self.note(self.inner.recent())
    }
    fn ancestors(&self, sha: &str) -> Option<Arc<[CommitInfo]>> {
        self.note(self.inner.ancestors(sha))
    }
    // From the cache, `None` is "not asked yet" (a shallow clone's `None` also lands here,
    // and costs one more git pass per change, which the pool absorbs).
    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Option<bool> {
        self.note(self.inner.is_ancestor(ancestor, descendant))
    }
    fn details(&self, sha: &str) -> Option<CommitDetails> {
        self.note(self.inner.details(sha))
    }
}

/// What the first pass found.
pub struct FirstPass {
    /// What to publish now. `None` when a repository file the document names was never
    /// looked at and git has nothing left to answer: the second pass, a stat away,
    /// publishes instead, so one version is not published twice with different findings.
    /// (When git has to answer too, the first pass is published at once: git may take up
    /// to its deadline.)
    pub publish: Option<Publish>,
    /// Whether a second pass should follow: a post-mortem whose repository is not
    /// discovered yet, or that needed an answer git or the disk has not given.
    pub second_pass: bool,
}

/// The first pass: checks `snapshot` with cached git answers and cached workspace files
/// only. `None` if the core panicked.
pub fn first_pass(snapshot: &Snapshot, now: DateTime<Utc>, repos: &Repos) -> Option<FirstPass> {
    let peeked = view::peek_repo(repos, snapshot);
    let recorder = peeked.as_ref().and_then(|found| {
        let repo = found.as_deref()?;
        Some(Recorder {
            inner: repo.cached(),
            pending: Cell::new(false),
        })
    });
    let git = match &recorder {
        Some(r) => Git::Given(r),
        None => Git::Off,
    };
    // The workspace's files from its cache only: the disk is looked at by the second pass.
    let cached = snapshot.workspace.as_deref().map(|w| w.cached());
    let files = match &cached {
        Some(cached) => Files::Given(cached),
        None => Files::Disk,
    };
    let publish = diagnostics::diagnose(snapshot, now, git, files)?;
    let postmortem = matches!(
        publish,
        Publish::Result {
            postmortem: true,
            ..
        }
    );
    let unknown_files = cached.as_ref().is_some_and(|c| c.unknown());
    let waits_for_git = peeked.is_none() || recorder.is_some_and(|r| r.pending.get());
    let missing = waits_for_git || cached.is_some_and(|c| c.pending());
    let second_pass = postmortem && missing;
    // Held only when nothing but the disk is missing: a second pass that must wait for git
    // (up to its deadline) would hold the findings too long.
    let hold = second_pass && unknown_files && !waits_for_git;
    Some(FirstPass {
        publish: (!hold).then_some(publish),
        second_pass,
    })
}

/// Runs the git passes, one document at a time.
pub struct Refresher {
    pub state: Arc<Mutex<State>>,
    pub repos: Arc<Repos>,
    pub publisher: UnboundedSender<Publish>,
    pub clock: Clock,
    /// For telling the user, once, of a repository git refused.
    pub client: Client,
    /// The documents whose git pass is running, and whether it should go round once more.
    running: Mutex<HashMap<Uri, bool>>,
}

impl Refresher {
    pub fn new(
        state: Arc<Mutex<State>>,
        repos: Arc<Repos>,
        publisher: UnboundedSender<Publish>,
        clock: Clock,
        client: Client,
    ) -> Refresher {
        Refresher {
            state,
            repos,
            publisher,
            clock,
            client,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Starts (or, when one is running, queues) a git pass over the latest revision of
    /// `uri`. Returns at once; must be called inside the tokio runtime.
    pub fn request(self: &Arc<Self>, uri: Uri) {
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(again) = running.get_mut(&uri) {
                *again = true;
                return;
            }
            running.insert(uri.clone(), false);
        }
        let this = self.clone();
        // Not awaited: the handler that asked returns at once, so a slow git holds neither
        // the client's messages nor the transport's request slots.
        drop(tokio::task::spawn_blocking(move || this.run(uri)));
    }

    fn run(&self, uri: Uri) {
        loop {
            // The latest revision, taken afresh each round: an older one is not worth git's
            // time, and the publisher would drop its result anyway.
            let snapshot = lock(&self.state).get(&uri);
            if let Some(snapshot) = snapshot {
                let now = (self.clock)();
                let git = Git::Resolve(&self.repos);
                if let Some(publish) = diagnostics::diagnose(&snapshot, now, git, Files::Disk) {
                    let _ = self.publisher.send(publish);
                }
            }
            // The git checks of a refused repository's documents are off: say why, once.
            for refusal in self.repos.take_refusals() {
                let client = self.client.clone();
                drop(tokio::spawn(async move {
                    client.show_message(MessageType::WARNING, refusal).await;
                }));
            }
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            match running.get_mut(&uri) {
                Some(again) if *again => *again = false,
                _ => {
                    running.remove(&uri);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::commits::{FixedCommits, NoAnswersYet};

    fn recorder<C>(inner: C) -> Recorder<C> {
        Recorder {
            inner,
            pending: Cell::new(false),
        }
    }

    fn snapshot(text: &str, path: Option<&str>) -> Snapshot {
        Snapshot {
            uri: "file:///w/x.md".parse().unwrap(),
            version: 1,
            rev: 1,
            text: text.to_string(),
            path: path.map(Into::into),
            workspace: None,
            encoding: crate::text::PositionEncoding::Utf16,
            parses: Default::default(),
            config: Default::default(),
        }
    }

    #[test]
    fn a_git_pass_follows_only_for_post_mortems_whose_repository_is_unknown() {
        let repos = Repos::new();
        let now = Utc::now();
        let git_pass = |text: &str, path: Option<&str>| {
            first_pass(&snapshot(text, path), now, &repos).map(|f| f.second_pass)
        };
        let pm = "# Post-mortem: checkout\n";
        // No path: no repository, and nothing to wait for.
        assert_eq!(git_pass(pm, None), Some(false));
        // A folder not looked at yet: the git pass will find out.
        let dir = std::env::temp_dir().join("postmortem-refresh-test.md");
        assert_eq!(git_pass(pm, dir.to_str()), Some(true));
        // Not a post-mortem: git is never needed.
        assert_eq!(git_pass("# README\n", dir.to_str()), Some(false));
    }

    #[test]
    fn the_first_pass_reads_no_file_and_asks_for_the_second() {
        let tmp = tempfile::tempdir().unwrap();
        let workspace = Arc::new(crate::env::FsWorkspace::new(tmp.path()));
        let text = "# Post-mortem: checkout\n\n## Repair\n\n- See `docs/gone.md`.\n";
        let mut pm = snapshot(text, None);
        pm.workspace = Some(workspace.clone());
        let broken = |publish: &Publish| match publish {
            Publish::Result { diagnostics, .. } => diagnostics
                .iter()
                .filter(|d| d.message.starts_with("`docs/gone.md`"))
                .count(),
            Publish::Closed(_) => 0,
        };
        let repos = Repos::new();
        // Never looked at: nothing to publish yet, and the second pass is asked for.
        let first = first_pass(&pm, Utc::now(), &repos).unwrap();
        assert!(first.publish.is_none());
        assert!(first.second_pass);
        // The second pass looks at the disk (here, as it would) and fills the cache.
        let now = Utc::now();
        let disk = diagnostics::diagnose(&pm, now, Git::Off, Files::Disk).unwrap();
        assert_eq!(broken(&disk), 1);
        let first = first_pass(&pm, now, &repos).unwrap();
        assert_eq!(first.publish.as_ref().map(broken), Some(1));
        assert!(!first.second_pass);
    }

    #[test]
    fn the_recorder_notices_missing_answers_only() {
        let known = recorder(FixedCommits::default());
        assert_eq!(known.lookup("9f1c2ab"), Lookup::Unknown);
        assert_eq!(known.is_ancestor("a", "a"), Some(true));
        assert!(known.recent().is_some());
        assert!(!known.pending.get());
        for ask in [
            &(|r: &Recorder<NoAnswersYet>| drop(r.lookup("9f1c2ab")))
                as &dyn Fn(&Recorder<NoAnswersYet>),
            &|r| drop(r.recent()),
            &|r| drop(r.ancestors("9f1c2ab")),
            &|r| {
                let _ = r.is_ancestor("a", "b");
            },
            &|r| drop(r.details("9f1c2ab")),
        ] {
            let empty = recorder(NoAnswersYet);
            ask(&empty);
            assert!(empty.pending.get());
        }
    }
}
