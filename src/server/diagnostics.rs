//! Turning a document snapshot into published diagnostics: run the core (guarded against
//! panics) off the async workers, then publish through one queue so results go out in order
//! and only for the latest revision. The git pass that follows when answers were missing is
//! in [`super::refresh`].

use super::convert;
use super::state::{Snapshot, State};
use super::view::{Files, Git, with_env};
use crate::text::LineIndex;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
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
            if found.is_empty() {
                // A clean document needs no positions: skip indexing its lines.
                return Vec::new();
            }
            let index = LineIndex::new(text);
            found
                .iter()
                .map(|d| convert::diagnostic(d, &index, snapshot.encoding))
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

/// Starts the publisher task and returns its queue. Must be called inside a tokio runtime.
///
/// One task sends every notification, so a result checked as "latest" is on the wire before
/// any later one is checked: stale diagnostics can never overwrite newer ones.
pub fn spawn_publisher(client: Client, state: Arc<Mutex<State>>) -> mpsc::UnboundedSender<Publish> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Publish>();
    tokio::spawn(async move {
        // The last list published for each URI, so non-post-mortems get one empty list (and
        // again after they lose their diagnostics), not one per keystroke, and the git pass
        // does not send again what the first pass already sent for the same version.
        let mut sent: HashMap<Uri, (i32, Vec<Diagnostic>)> = HashMap::new();
        while let Some(message) = rx.recv().await {
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
                    let latest = super::lock(&state).is_latest(&uri, rev);
                    let last = sent.get(&uri);
                    let quiet = !postmortem && last.is_some_and(|(_, d)| d.is_empty());
                    let same = last.is_some_and(|(v, d)| *v == version && *d == diagnostics);
                    if !latest || quiet || same {
                        continue;
                    }
                    sent.insert(uri.clone(), (version, diagnostics.clone()));
                    client
                        .publish_diagnostics(uri, diagnostics, Some(version))
                        .await;
                }
            }
        }
    });
    tx
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
}
