//! Keeping the documents' settings true: the editor's settings as they arrive, the files
//! watched for changes, and, after each change, the affected documents checked again and the
//! settings files' own problems published (the loading itself is in [`super::configs`]).

use super::configs::Outcome;
use super::state::Scope;
use super::{Backend, convert, lock, settings};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Mutex;
use tower_lsp_server::ls_types::{MessageType, Uri};

/// One reload asked for: the files that changed, the documents to look at, and whether to
/// look at the disk.
struct Reload {
    changed: Vec<PathBuf>,
    scope: Scope,
    stat: bool,
}

impl Reload {
    /// One reload that does what both would: every changed file, every document either
    /// covers (all of them when they differ), and the disk if either looks.
    fn merge(&mut self, other: Reload) {
        // Duplicates are dropped once, when the reload is taken: a search here would cost
        // the product of two large change lists.
        self.changed.extend(other.changed);
        if self.scope != other.scope {
            self.scope = Scope::All;
        }
        self.stat |= other.stat;
    }
}

/// The reloads waiting, and whether a handler is running them.
#[derive(Default)]
pub(super) struct Reloads(Mutex<(Option<Reload>, bool)>);

impl Reloads {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<Reload>, bool)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `reload`, merged with any waiting; true if the caller is to run the queue
    /// (none was running).
    fn push(&self, reload: Reload) -> bool {
        let mut queue = self.lock();
        match &mut queue.0 {
            Some(waiting) => waiting.merge(reload),
            None => queue.0 = Some(reload),
        }
        !std::mem::replace(&mut queue.1, true)
    }

    /// The next reload to run; `None` (and no runner any more) when the queue is empty.
    fn next(&self) -> Option<Reload> {
        let mut queue = self.lock();
        let mut next = queue.0.take();
        queue.1 = next.is_some();
        if let Some(reload) = &mut next {
            reload.changed.sort();
            reload.changed.dedup();
        }
        next
    }
}

/// The handler running the queue, and whether it ran it to the end; if it is dropped
/// midway, the next caller runs what is left.
struct Runner<'a>(&'a Reloads, bool);

impl Drop for Runner<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.lock().1 = false;
        }
    }
}

impl Backend {
    /// Reads the editor's settings (`initializationOptions` or a configuration change);
    /// returns the warnings to show and whether the settings changed. `null` keeps the
    /// settings in force.
    pub(super) fn take_settings(&self, value: &Value) -> (Vec<String>, bool) {
        let read = settings::read(value);
        let changed =
            (read.toml.is_some() || !value.is_null()) && self.configs.set_editor(read.toml);
        (read.warnings, changed)
    }

    pub(super) async fn warn(&self, warnings: Vec<String>) {
        for warning in warnings {
            self.client
                .show_message(MessageType::WARNING, warning)
                .await;
        }
    }

    /// Reloads what `changed` touches and gives the open documents (only `only`, if given)
    /// their settings, on the blocking pool; then checks again every document whose
    /// settings changed and publishes the settings files' problems.
    ///
    /// Reloads queue up: while one runs, the changes that arrive are merged into the next
    /// one, and their handlers return at once. A storm of 1,000 different settings costs
    /// two reloads, not 1,000 one after another holding every request behind them.
    pub(super) async fn resync(&self, changed: Vec<PathBuf>, only: Option<Uri>) {
        let scope = only.map_or(Scope::All, Scope::Doc);
        self.resync_in(changed, scope, false).await;
    }

    /// Looks at the disk for the settings of the documents in `scope` (a `stat` of each
    /// configuration file and template, and a search for a `.postmortem.toml` created
    /// nearer), reads again whatever changed, and checks again the documents it governs.
    /// On every open and save: a client that watches no files tells of no other change.
    /// Queued as [`Backend::resync`] is.
    pub(super) async fn restat(&self, scope: Scope) {
        self.resync_in(Vec::new(), scope, true).await;
    }

    /// Queues a reload; the first caller to find none running runs them all, one after
    /// another, until the queue is empty.
    pub(super) async fn resync_in(&self, changed: Vec<PathBuf>, scope: Scope, stat: bool) {
        if !self.reloads.push(Reload {
            changed,
            scope,
            stat,
        }) {
            return;
        }
        let mut runner = Runner(&self.reloads, false);
        while let Some(next) = self.reloads.next() {
            self.resync_now(next.changed, next.scope, next.stat).await;
        }
        // `next` found the queue empty and gave up the running itself.
        runner.1 = true;
    }

    /// Runs one reload now, whatever else is queued: for a request that must answer with
    /// the settings loaded.
    pub(super) async fn resync_now(&self, changed: Vec<PathBuf>, scope: Scope, stat: bool) {
        let configs = self.configs.clone();
        let state = self.state.clone();
        let outcome =
            tokio::task::spawn_blocking(move || configs.resync(&state, &changed, &scope, stat))
                .await;
        match outcome {
            Ok(outcome) => self.apply(outcome).await,
            Err(e) => tracing::error!("loading the configuration failed: {e}"),
        }
    }

    async fn apply(&self, outcome: Outcome) {
        let Outcome {
            recheck,
            problems,
            globs,
            warnings,
        } = outcome;
        self.warn(warnings).await;
        self.configs.publish(&self.client, problems).await;
        self.watch(globs).await;
        for snapshot in recheck {
            self.diagnose(snapshot).await;
        }
    }

    /// Asks the client to watch `globs` (configuration files and the templates in use),
    /// replacing the last registration when the set changed. Returns at once: the client
    /// may never answer, and nothing (a handler, a resync, the next registration's lock)
    /// may wait for that; registrations still go out one after another.
    pub(super) async fn watch(&self, globs: Vec<String>) {
        if !lock(&self.state).client.watch_files {
            return;
        }
        let (client, configs) = (self.client.clone(), self.configs.clone());
        drop(tokio::spawn(async move {
            let mut watched = configs.watched.lock().await;
            if *watched == globs {
                return;
            }
            if !watched.is_empty() {
                let gone = vec![convert::watch_unregistration()];
                if let Err(e) = client.unregister_capability(gone).await {
                    tracing::warn!("the client did not drop the file watchers: {e}");
                }
            }
            let registration = vec![convert::watch_registration(&globs)];
            match client.register_capability(registration).await {
                Ok(()) => *watched = globs,
                Err(e) => {
                    watched.clear();
                    tracing::warn!("the client did not watch the configuration files: {e}");
                }
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reload(path: &str, scope: Scope, stat: bool) -> Reload {
        Reload {
            changed: vec![PathBuf::from(path)],
            scope,
            stat,
        }
    }

    #[test]
    fn reloads_that_arrive_while_one_runs_are_merged_into_the_next() {
        let reloads = Reloads::default();
        assert!(
            reloads.push(reload("a", Scope::All, false)),
            "none running: run it"
        );
        let first = reloads.next().unwrap();
        assert_eq!(first.changed, [PathBuf::from("a")]);
        let doc: Uri = "file:///w/pm.md".parse().unwrap();
        assert!(!reloads.push(reload("b", Scope::Doc(doc.clone()), false)));
        assert!(!reloads.push(reload("b", Scope::Doc(doc.clone()), true)));
        let merged = reloads.next().unwrap();
        assert_eq!(merged.changed, [PathBuf::from("b")]);
        assert_eq!(merged.scope, Scope::Doc(doc.clone()));
        assert!(merged.stat);
        assert!(!reloads.push(reload("c", Scope::Doc(doc), false)));
        assert!(!reloads.push(reload("d", Scope::All, false)));
        let wider = reloads.next().unwrap();
        assert_eq!(
            wider.scope,
            Scope::All,
            "two different scopes: every document"
        );
        assert!(!wider.stat);
        assert!(reloads.next().is_none());
        assert!(
            reloads.push(reload("e", Scope::All, false)),
            "the queue ran dry"
        );
    }

    #[test]
    fn a_runner_dropped_midway_leaves_the_queue_to_the_next_caller() {
        let reloads = Reloads::default();
        assert!(reloads.push(reload("a", Scope::All, false)));
        drop(Runner(&reloads, false));
        assert!(reloads.push(reload("b", Scope::All, false)));
        let next = reloads.next().unwrap();
        assert_eq!(next.changed, [PathBuf::from("a"), PathBuf::from("b")]);
        let finished = Runner(&reloads, true);
        assert!(!reloads.push(reload("c", Scope::All, false)));
        drop(finished);
        assert!(
            !reloads.push(reload("d", Scope::All, false)),
            "still running"
        );
    }
}
