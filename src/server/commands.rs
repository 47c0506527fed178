//! `workspace/executeCommand`: the commands an editor can bind to keys. Each computes its
//! edit and asks the client to apply it with `workspace/applyEdit`.

use super::{Backend, convert};
use crate::analysis::edit;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, MessageType, Uri};

/// Appends a timeline entry at the current UTC minute. Argument: the document's URI.
pub const INSERT_TIMELINE_ENTRY: &str = "postmortem.insertTimelineEntry";

/// Creates a new post-mortem and opens it (see [`super::newdoc`] for its arguments).
pub const NEW: &str = "postmortem.new";

/// Every command the server executes, for its capabilities.
pub const COMMANDS: &[&str] = &[INSERT_TIMELINE_ENTRY, NEW];

impl Backend {
    pub(super) async fn on_execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<Value>> {
        if params.command == NEW {
            return self.new_postmortem(&params.arguments).await;
        }
        if params.command != INSERT_TIMELINE_ENTRY {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`; the server executes `{INSERT_TIMELINE_ENTRY}` and `{NEW}`",
                params.command
            )));
        }
        let uri = params
            .arguments
            .first()
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<Uri>().ok());
        let Some(uri) = uri else {
            return self
                .refuse(format!(
                    "`{INSERT_TIMELINE_ENTRY}` needs the document's URI as its argument."
                ))
                .await;
        };
        let found = self
            .with_view(&uri, "insert timeline entry", |v| {
                edit::insert_timeline_entry(&v.ctx).map(|e| convert::text_edit(&e, &v.index, v.enc))
            })
            .await?;
        let text_edit = match found {
            Some(Ok(text_edit)) => text_edit,
            Some(Err(why)) => {
                return self
                    .refuse(format!("Cannot insert a timeline entry: {why}."))
                    .await;
            }
            None => {
                return self
                    .refuse(
                        "Cannot insert a timeline entry: this document is not an open post-mortem."
                            .to_string(),
                    )
                    .await;
            }
        };
        let response = self
            .client
            .apply_edit(convert::workspace_edit(uri, vec![text_edit]))
            .await?;
        if !response.applied {
            let why = response.failure_reason.unwrap_or_default();
            tracing::warn!("the client did not apply the timeline entry: {why}");
        }
        Ok(None)
    }

    /// Tells the user why a command did nothing, and fails the request with the same words.
    pub(super) async fn refuse(&self, message: String) -> Result<Option<Value>> {
        self.client
            .show_message(MessageType::WARNING, &message)
            .await;
        Err(Error::invalid_params(message))
    }
}
