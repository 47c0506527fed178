//! The writing-assistance handlers: each takes a snapshot of the document, runs one core
//! feature off the async workers (guarded against panics), and converts its result.

use super::view::{self, Git, View};
use super::{Backend, convert, lock, state};
use crate::analysis::{complete, format, hover, inlay, outline};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CompletionList, CompletionParams, CompletionResponse, DocumentFormattingParams,
    DocumentSymbolParams, DocumentSymbolResponse, FoldingRange, FoldingRangeParams, Hover,
    HoverParams, InlayHint, InlayHintParams, TextEdit, Uri,
};

/// How long a request waits for git before it is answered without git's help.
const GIT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// The error a request gets when the core failed on it (the details are in the log).
pub fn internal_error(what: &str) -> Error {
    Error {
        message: format!("{what} failed inside the server; see its log").into(),
        ..Error::internal_error()
    }
}

impl Backend {
    /// Runs `f` on the current text of `uri`, without git. `Ok(None)` when the document is
    /// not open or is not a post-mortem; an internal error when the core panicked.
    pub(super) async fn with_view<T: Send + 'static>(
        &self,
        uri: &Uri,
        what: &'static str,
        f: impl FnOnce(&View) -> T + Clone + Send + 'static,
    ) -> Result<Option<T>> {
        self.view_of(uri, what, false, f).await
    }

    /// [`Backend::with_view`] with the document's repository, asking git for what its
    /// caches do not hold (the request waits for git; typing does not).
    pub(super) async fn with_git_view<T: Send + 'static>(
        &self,
        uri: &Uri,
        what: &'static str,
        f: impl FnOnce(&View) -> T + Clone + Send + 'static,
    ) -> Result<Option<T>> {
        self.view_of(uri, what, true, f).await
    }

    async fn view_of<T: Send + 'static, F>(
        &self,
        uri: &Uri,
        what: &'static str,
        git: bool,
        f: F,
    ) -> Result<Option<T>>
    where
        F: FnOnce(&View) -> T + Clone + Send + 'static,
    {
        // A document opened a moment ago may still be waiting for its settings: load them
        // now rather than answer with the wrong ones.
        if lock(&self.state).config_pending(uri) {
            self.resync_now(Vec::new(), state::Scope::Doc(uri.clone()), false)
                .await;
        }
        let snapshot = lock(&self.state).get(uri);
        let Some(snapshot) = snapshot else {
            return Ok(None);
        };
        let now = (self.clock)();
        let repos = self.repos.clone();
        let snapshot = std::sync::Arc::new(snapshot);
        // The blocking pool, because some features read workspace files or run git.
        let run = |git: bool, f: F| {
            let (repos, snapshot) = (repos.clone(), snapshot.clone());
            tokio::task::spawn_blocking(move || {
                let git = if git { Git::Resolve(&repos) } else { Git::Off };
                view::on_postmortem(what, &snapshot, now, git, f)
            })
        };
        let joined = if git {
            // A git that hangs must not hold the request (the client waits, and the server
            // only runs a few requests at once): past the patience, answer without it.
            match tokio::time::timeout(GIT_PATIENCE, run(true, f.clone())).await {
                Ok(joined) => joined,
                Err(_) => {
                    tracing::warn!("{what}: git is slow to answer; answering without it");
                    run(false, f).await
                }
            }
        } else {
            run(false, f).await
        };
        match joined {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(view::Panicked)) => Err(internal_error(what)),
            Err(e) => {
                tracing::error!("{what} task failed: {e}");
                Err(internal_error(what))
            }
        }
    }

    pub(super) async fn on_completion(
        &self,
        params: CompletionParams,
    ) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let trigger = convert::trigger(params.context.as_ref());
        let snippets = lock(&self.state).client.snippets;
        let items = self
            .with_git_view(&at.text_document.uri, "completion", move |v| {
                let offset = convert::offset(&v.index, at.position, v.enc);
                let ctx = &v.ctx;
                complete::complete(ctx.text, ctx.doc, ctx.env, offset, trigger)
                    .iter()
                    .enumerate()
                    .map(|(i, c)| convert::completion(c, i, &v.index, v.enc, snippets))
                    .collect()
            })
            .await?;
        // Items answering a trigger character were computed for the cursor right after it;
        // a client keeping them while the user types on (Neovim does) would replace what was
        // typed since. Marked incomplete, they are asked for again at the next keystroke.
        Ok(items.map(|items: Vec<_>| {
            if trigger.is_some() && !items.is_empty() {
                CompletionResponse::List(CompletionList {
                    is_incomplete: true,
                    items,
                })
            } else {
                CompletionResponse::Array(items)
            }
        }))
    }

    pub(super) async fn on_hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let found = self
            .with_git_view(&at.text_document.uri, "hover", move |v| {
                let offset = convert::offset(&v.index, at.position, v.enc);
                hover::hover(&v.ctx, offset).map(|h| convert::hover(&h, &v.index, v.enc))
            })
            .await?;
        Ok(found.flatten())
    }

    pub(super) async fn on_document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let symbols = self
            .with_view(&params.text_document.uri, "document symbols", |v| {
                outline::symbols(&v.ctx)
                    .iter()
                    .map(|s| convert::symbol(s, &v.index, v.enc))
                    .collect()
            })
            .await?;
        Ok(symbols.map(DocumentSymbolResponse::Nested))
    }

    pub(super) async fn on_folding_range(
        &self,
        params: FoldingRangeParams,
    ) -> Result<Option<Vec<FoldingRange>>> {
        self.with_view(&params.text_document.uri, "folding ranges", |v| {
            outline::folding(&v.ctx)
                .iter()
                .filter_map(|r| convert::folding(r, &v.index))
                .collect()
        })
        .await
    }

    pub(super) async fn on_formatting(
        &self,
        params: DocumentFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.with_view(&params.text_document.uri, "formatting", |v| {
            format::format(&v.ctx)
                .iter()
                .map(|e| convert::text_edit(e, &v.index, v.enc))
                .collect()
        })
        .await
    }

    pub(super) async fn on_inlay_hint(
        &self,
        params: InlayHintParams,
    ) -> Result<Option<Vec<InlayHint>>> {
        let range = params.range;
        self.with_view(&params.text_document.uri, "inlay hints", move |v| {
            let wanted = convert::byte_range(&v.index, range, v.enc);
            inlay::inlay_hints(&v.ctx)
                .iter()
                .filter(|h| wanted.start <= h.offset && h.offset <= wanted.end)
                .map(|h| convert::inlay_hint(h, &v.index, v.enc))
                .collect()
        })
        .await
    }
}
