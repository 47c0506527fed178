//! Turning a document snapshot into published diagnostics: run the core (guarded against
//! panics) off the async workers, then publish through one queue so results go out in order
//! and only for the latest revision.

use super::convert;
use super::state::{Snapshot, State};
use crate::analysis::{self, Env, Schema, Workspace};
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
        snapshot: Snapshot,
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

/// Checks a snapshot. `None` if the core panicked.
pub fn diagnose(snapshot: Snapshot, now: DateTime<Utc>) -> Option<Publish> {
    let outcome = guarded("analysis", || {
        let text = snapshot.text.as_str();
        let path = snapshot.path.as_ref().map(|p| p.to_string_lossy());
        let path = path.as_deref();
        let schema = Schema::builtin_ref();
        let doc = analysis::parse(text);
        if !analysis::is_postmortem(path, text, &doc, schema) {
            return (false, Vec::new());
        }
        let env = Env {
            schema,
            now,
            path,
            workspace: snapshot.workspace.as_deref().map(|w| w as &dyn Workspace),
            commits: None,
        };
        let found = analysis::check(text, &doc, &env);
        let index = LineIndex::new(text);
        let converted = found
            .iter()
            .map(|d| convert::diagnostic(d, &index, snapshot.encoding))
            .collect();
        (true, converted)
    });
    let (postmortem, diagnostics) = outcome?;
    Some(Publish::Result {
        snapshot,
        postmortem,
        diagnostics,
    })
}

/// Starts the publisher task and returns its queue. Must be called inside a tokio runtime.
///
/// One task sends every notification, so a result checked as "latest" is on the wire before
/// any later one is checked: stale diagnostics can never overwrite newer ones.
pub fn spawn_publisher(client: Client, state: Arc<Mutex<State>>) -> mpsc::UnboundedSender<Publish> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Publish>();
    tokio::spawn(async move {
        // Whether the last list published for a URI was non-empty, so non-post-mortems get
        // one empty list (and again after they lose their diagnostics), not one per keystroke.
        let mut had: HashMap<Uri, bool> = HashMap::new();
        while let Some(message) = rx.recv().await {
            match message {
                Publish::Closed(uri) => {
                    had.remove(&uri);
                    client.publish_diagnostics(uri, Vec::new(), None).await;
                }
                Publish::Result {
                    snapshot,
                    postmortem,
                    diagnostics,
                } => {
                    let latest = super::lock(&state).is_latest(&snapshot.uri, snapshot.rev);
                    if !latest || (!postmortem && had.get(&snapshot.uri) == Some(&false)) {
                        continue;
                    }
                    had.insert(snapshot.uri.clone(), !diagnostics.is_empty());
                    client
                        .publish_diagnostics(snapshot.uri, diagnostics, Some(snapshot.version))
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
