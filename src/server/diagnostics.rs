//! Turning a document snapshot into published diagnostics: run the core (guarded against
//! panics) off the async workers, then publish through one queue so results go out in order
//! and only for the latest revision. The git pass that follows when answers were missing is
//! in [`super::refresh`].

use super::convert;
use super::state::{Snapshot, State};
use super::view::{Files, Git, with_env};
use crate::text::LineIndex;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, mpsc};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

/// One message for the publisher.
pub enum Publish {
    /// The result for one revision of an open document.
    Result {
        uri: Uri,
        version: i32,
        rev: u64,
        postmortem: bool,
        diagnostics: Vec<Diagnostic>,
    },
    /// The document was closed: clear its diagnostics.
    Closed(Uri),
}

/// Runs `f`, turning a panic into `None` after logging it, so one bad input costs one
/// result rather than the whole server.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!("{what} panicked: {message}");
            None
        }
    }
}

/// Checks a snapshot with the commits `git` gives and the workspace files `files` gives.
/// `None` if the core panicked.
pub fn diagnose(
    snapshot: &Snapshot,
    now: DateTime<Utc>,
    git: Git,
    files: Files,
) -> Option<Publish> {
    let outcome = guarded("analysis", || {
        with_env(snapshot, now, git, files, |doc, env| {
            let text = snapshot.text.as_str();
            let found = snapshot.check(doc, env);
            let settings = &snapshot.config.loaded.problems;
            if found.is_empty() && settings.is_empty() {
                // A clean document needs no positions: skip indexing its lines.
                return Vec::new();
            }
            let index = LineIndex::new(text);
            let root = snapshot.workspace.as_deref().map(|w| w.root());
            let notices = convert::config_notices(settings, root, &index, snapshot.encoding);
            found
                .iter()
                .map(|d| convert::diagnostic(d, &index, snapshot.encoding))
                .chain(notices)
                .collect::<Vec<_>>()
        })
    });
    let found = outcome?;
    Some(Publish::Result {
        uri: snapshot.uri.clone(),
        version: snapshot.version,
        rev: snapshot.rev,
        postmortem: found.is_some(),
        diagnostics: found.unwrap_or_default(),
    })
}

/// What waits to be published for one URI: at most a clear and one result, so a client that
/// does not read costs one list per document, not one per keystroke.
#[derive(Default)]
struct Waiting {
    closed: bool,
    result: Option<Publish>,
}

/// The messages not yet published, by URI in the order each URI first arrived.
#[derive(Default)]
struct Backlog {
    order: VecDeque<Uri>,
    waiting: HashMap<Uri, Waiting>,
}

impl Backlog {
    /// Adds `message`, dropping what it supersedes: a clear drops the pending result (the
    /// document is gone), a result drops an older revision's.
    fn put(&mut self, message: Publish) {
        let uri = match &message {
            Publish::Closed(uri) | Publish::Result { uri, .. } => uri.clone(),
        };
        let waiting = self.waiting.entry(uri.clone()).or_insert_with(|| {
            self.order.push_back(uri);
            Waiting::default()
        });
        match message {
            Publish::Closed(_) => {
                waiting.closed = true;
                waiting.result = None;
            }
            Publish::Result { rev, .. } => {
                let newer_waits =
                    matches!(waiting.result, Some(Publish::Result { rev: r, .. }) if r > rev);
                if !newer_waits {
                    waiting.result = Some(message);
                }
            }
        }
    }

    /// The next messages to publish, for one URI: its clear first, then its result.
    fn take(&mut self) -> Option<Vec<Publish>> {
        let uri = self.order.pop_front()?;
        let waiting = self.waiting.remove(&uri).unwrap_or_default();
        let closed = waiting.closed.then_some(Publish::Closed(uri));
        Some(closed.into_iter().chain(waiting.result).collect())
    }
}

/// Starts the publisher and returns its queue. Must be called inside a tokio runtime.
///
/// One task sends every notification, so a result checked as "latest" is on the wire before
/// any later one is checked: stale diagnostics can never overwrite newer ones. Another takes
/// the queue at once into a [`Backlog`], so while the client is slow to read, superseded
/// results are dropped rather than stored.
pub fn spawn_publisher(client: Client, state: Arc<Mutex<State>>) -> mpsc::UnboundedSender<Publish> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Publish>();
    let backlog = Arc::new(Mutex::new(Backlog::default()));
    let arrived = Arc::new(Notify::new());
    let (into, rung) = (backlog.clone(), arrived.clone());
    tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            into.lock().unwrap_or_else(|e| e.into_inner()).put(message);
            rung.notify_one();
        }
    });
    tokio::spawn(async move {
        // The last list published for each URI, so non-post-mortems get one empty list (and
        // again after they lose their diagnostics), not one per keystroke, and the git pass
        // does not send again what the first pass already sent for the same version.
        let mut sent: HashMap<Uri, (i32, Vec<Diagnostic>)> = HashMap::new();
        loop {
            let next = backlog.lock().unwrap_or_else(|e| e.into_inner()).take();
            let Some(messages) = next else {
                arrived.notified().await;
                continue;
            };
            for message in messages {
                publish(&client, &state, &mut sent, message).await;
            }
        }
    });
    tx
}

/// Sends one message, unless it is a result that is no longer the latest or that says
/// nothing new.
async fn publish(
    client: &Client,
    state: &Mutex<State>,
    sent: &mut HashMap<Uri, (i32, Vec<Diagnostic>)>,
    message: Publish,
) {
    match message {
        Publish::Closed(uri) => {
            sent.remove(&uri);
            client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        Publish::Result {
            uri,
            version,
            rev,
            postmortem,
            diagnostics,
        } => {
            let latest = super::lock(state).is_latest(&uri, rev);
            let last = sent.get(&uri);
            let quiet = !postmortem && last.is_some_and(|(_, d)| d.is_empty());
            let same = last.is_some_and(|(v, d)| *v == version && *d == diagnostics);
            if !latest || quiet || same {
                return;
            }
            sent.insert(uri.clone(), (version, diagnostics.clone()));
            client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_none_and_a_value_passes_through() {
        assert_eq!(guarded("test", || 7), Some(7));
        let none: Option<()> = guarded("test", || panic!("boom {}", 1));
        assert_eq!(none, None);
    }

    fn result(uri: &Uri, rev: u64) -> Publish {
        Publish::Result {
            uri: uri.clone(),
            version: rev as i32,
            rev,
            postmortem: true,
            diagnostics: Vec::new(),
        }
    }

    /// What the backlog gives, as (URI, rev) with rev 0 for a clear.
    fn drain(backlog: &mut Backlog) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        while let Some(messages) = backlog.take() {
            for m in messages {
                out.push(match m {
                    Publish::Closed(uri) => (uri.as_str().to_string(), 0),
                    Publish::Result { uri, rev, .. } => (uri.as_str().to_string(), rev),
                });
            }
        }
        out
    }

    #[test]
    fn the_backlog_keeps_one_clear_and_the_newest_result_per_document_in_arrival_order() {
        let a: Uri = "file:///w/a.md".parse().unwrap();
        let b: Uri = "file:///w/b.md".parse().unwrap();
        let mut backlog = Backlog::default();
        for rev in 1..=1000 {
            backlog.put(result(&a, rev));
        }
        backlog.put(result(&b, 1001));
        // A late result for an older revision never replaces a newer one.
        backlog.put(result(&a, 7));
        assert_eq!(
            drain(&mut backlog),
            [
                ("file:///w/a.md".into(), 1000),
                ("file:///w/b.md".into(), 1001)
            ]
        );
        // A close drops the waiting result; a reopened document's result follows the clear.
        backlog.put(result(&a, 1002));
        backlog.put(Publish::Closed(a.clone()));
        backlog.put(result(&a, 1003));
        assert_eq!(
            drain(&mut backlog),
            [
                ("file:///w/a.md".into(), 0),
                ("file:///w/a.md".into(), 1003)
            ]
        );
        assert!(backlog.take().is_none());
        assert!(backlog.waiting.is_empty());
    }
}
