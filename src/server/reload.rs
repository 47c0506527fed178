//! Keeping the documents' settings true: the editor's settings as they arrive, the files
//! watched for changes, and, after each change, the affected documents checked again and the
//! settings files' own problems published (the loading itself is in [`super::configs`]).

use super::configs::Outcome;
use super::state::Scope;
use super::{Backend, convert, lock, settings};
use serde_json::Value;
use std::path::PathBuf;
use tower_lsp_server::ls_types::{MessageType, Uri};

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
    pub(super) async fn resync(&self, changed: Vec<PathBuf>, only: Option<Uri>) {
        let scope = only.map_or(Scope::All, Scope::Doc);
        self.resync_in(changed, scope, false).await;
    }

    /// Looks at the disk for the settings of the documents in `scope` (a `stat` of each
    /// configuration file and template, and a search for a `.postmortem.toml` created
    /// nearer), reads again whatever changed, and checks again the documents it governs.
    /// On every open and save: a client that watches no files tells of no other change.
    pub(super) async fn restat(&self, scope: Scope) {
        self.resync_in(Vec::new(), scope, true).await;
    }

    pub(super) async fn resync_in(&self, changed: Vec<PathBuf>, scope: Scope, stat: bool) {
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
