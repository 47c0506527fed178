//! The LSP server: tower-lsp-server glue with thin handlers. Documents live in [`state`],
//! LSP types are built only in [`convert`], diagnostics are computed and published by
//! [`diagnostics`], and [`refresh`] keeps git off the keystroke path. The team's settings
//! are loaded by [`configs`] and kept true by [`reload`].

mod actions;
mod capabilities;
mod commands;
mod configs;
pub mod convert;
mod diagnostics;
mod features;
mod newdoc;
mod refresh;
mod reload;
mod settings;
mod state;
mod stdio;
mod transport;
mod view;

use crate::env::{self, Clock};
use crate::git::Repos;
use configs::Configs;
use diagnostics::Publish;
use refresh::Refresher;
use state::{Snapshot, State};
use std::future::Future;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, CompletionParams, CompletionResponse,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentFormattingParams, DocumentLink, DocumentLinkParams,
    DocumentSymbolParams, DocumentSymbolResponse, ExecuteCommandParams, FoldingRange,
    FoldingRangeParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams,
    InitializeParams, InitializeResult, InitializedParams, InlayHint, InlayHintParams, LSPAny,
    ServerInfo, TextEdit,
};
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    publisher: UnboundedSender<Publish>,
    clock: Clock,
    shutdown: Arc<AtomicBool>,
    /// Every repository the documents live in, shared by all requests.
    repos: Arc<Repos>,
    refresher: Arc<Refresher>,
    /// The team configurations and the editor's settings.
    configs: Arc<Configs>,
    /// Warnings about the `initializationOptions`, shown once the client is initialized.
    init_warnings: Mutex<Vec<String>>,
    /// The settings reloads waiting to run.
    reloads: reload::Reloads,
}

/// Locks the state, recovering it if a panic elsewhere poisoned the lock: the documents are
/// still consistent because every edit is applied by one call that cannot panic midway.
pub(crate) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Backend {
    /// A backend whose diagnostics see `clock` as "now". Must be called inside a tokio
    /// runtime (it starts the publisher task).
    pub fn new(client: Client, clock: Clock, shutdown: Arc<AtomicBool>) -> Backend {
        let state = Arc::new(Mutex::new(State::default()));
        let publisher = diagnostics::spawn_publisher(client.clone(), state.clone());
        let repos = Arc::new(Repos::new());
        let refresher = Arc::new(Refresher::new(
            state.clone(),
            repos.clone(),
            publisher.clone(),
            clock.clone(),
            client.clone(),
        ));
        Backend {
            client,
            state,
            publisher,
            clock,
            shutdown,
            repos,
            refresher,
            configs: Arc::default(),
            init_warnings: Mutex::default(),
            reloads: reload::Reloads::default(),
        }
    }

    /// Checks a snapshot with the git answers already cached and queues the result for
    /// publishing; then, if git answers were missing, starts the git pass without waiting for
    /// it. A revision already superseded is not analysed at all: its result would be dropped.
    ///
    /// A small document is checked right here on the async worker: that takes about 0.1 ms
    /// (workspace files come from `FsWorkspace`'s cache, git only from the repository's), and
    /// a hop to the blocking pool and back cost more than the analysis. A large one goes to
    /// the blocking pool, so it never holds up the workers reading the client's messages.
    async fn diagnose(&self, snapshot: Snapshot) {
        if !lock(&self.state).is_latest(&snapshot.uri, snapshot.rev) {
            return;
        }
        let now = (self.clock)();
        let uri = snapshot.uri.clone();
        let result = if snapshot.text.len() <= INLINE_BYTES {
            Ok(refresh::first_pass(&snapshot, now, &self.repos))
        } else {
            let repos = self.repos.clone();
            let state = self.state.clone();
            tokio::task::spawn_blocking(move || {
                // Edits may have arrived while this waited for a thread.
                if !lock(&state).is_latest(&snapshot.uri, snapshot.rev) {
                    return None;
                }
                refresh::first_pass(&snapshot, now, &repos)
            })
            .await
        };
        match result {
            Ok(Some(first)) => {
                if let Some(publish) = first.publish {
                    let _ = self.publisher.send(publish);
                }
                if first.second_pass {
                    self.refresher.request(uri);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::error!("analysis task failed: {e}"),
        }
    }
}

impl Backend {
    /// Drops what was kept for `dir`, the folder of `closed`, now that no open document is
    /// in it: its repository and the settings no open document needs. Without this, every
    /// folder ever opened kept its settings (about 115 KB each) for the life of the server.
    async fn forget_folder(
        &self,
        dir: std::path::PathBuf,
        closed: tower_lsp_server::ls_types::Uri,
    ) {
        let (repos, configs, state) =
            (self.repos.clone(), self.configs.clone(), self.state.clone());
        // Off the async workers: a running settings load holds the lock this waits for.
        let forgotten = tokio::task::spawn_blocking(move || {
            repos.forget(&dir);
            configs.forget_unused(&state)
        })
        .await;
        if forgotten.unwrap_or(false) {
            // The problems shown on the dropped settings' files, and their watchers, go too.
            self.resync(Vec::new(), Some(closed)).await;
        }
    }
}

/// Documents up to this size are checked on the async worker that received the edit; the
/// normal post-mortem is about 6 KB and takes 0.1 ms, 64 KB about 1 ms.
const INLINE_BYTES: usize = 64 << 10;

/// The service and its socket, for `run_stdio` and for in-process tests. The flag turns true
/// once `shutdown` was requested.
pub fn service(clock: Clock) -> (LspService<Backend>, ClientSocket, Arc<AtomicBool>) {
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, clock, flag));
    (service, socket, shutdown)
}

// The document handlers are written as plain functions returning a future so that the edit is
// applied when the handler is first polled, strictly before anything can `.await`: the
// transport polls handlers in arrival order, so edits are applied in arrival order even though
// handlers then run concurrently.
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = convert::negotiate_encoding(&params.capabilities);
        {
            let mut state = lock(&self.state);
            state.encoding = encoding;
            state.client = convert::client_features(&params.capabilities);
            state.roots = convert::workspace_roots(&params);
            tracing::info!(?encoding, roots = ?state.roots, "initialized");
        }
        if let Some(options) = &params.initialization_options {
            let (warnings, _) = self.take_settings(options);
            *self.init_warnings.lock().unwrap_or_else(|e| e.into_inner()) = warnings;
        }
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(encoding),
            server_info: Some(ServerInfo {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let warnings =
            std::mem::take(&mut *self.init_warnings.lock().unwrap_or_else(|e| e.into_inner()));
        self.warn(warnings).await;
        // Configuration files are watched from the start, so one created later is noticed.
        self.watch(vec![format!("**/{}", crate::config::FILE_NAME)])
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn did_open(&self, params: DidOpenTextDocumentParams) -> impl Future<Output = ()> + Send {
        let doc = params.text_document;
        let path = convert::file_path(&doc.uri);
        let root = path.as_deref().and_then(env::find_root);
        let has_file = path.is_some();
        let uri = doc.uri.clone();
        let snapshot = lock(&self.state).open(doc.uri, doc.version, &doc.text, path, root);
        async move {
            // A file's settings are loaded first (off the async workers); checking it
            // follows from there, as for any document whose settings change.
            if has_file {
                // Its settings files are looked at on the disk: a client that watches no
                // files tells of no change, and reopening is how a user asks for one.
                self.restat(state::Scope::Doc(uri)).await;
            } else {
                self.diagnose(snapshot).await;
            }
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        // A save may come with a settings file written beside it (or be one): the disk
        // is looked at for every document near it, as a file watcher would have told.
        let changed = convert::file_path(&uri).into_iter().collect();
        self.resync_in(changed, state::Scope::Near(uri), true).await;
    }

    fn did_change(&self, params: DidChangeTextDocumentParams) -> impl Future<Output = ()> + Send {
        let doc = params.text_document;
        let changes = params.content_changes.iter().map(convert::change);
        let (snapshot, settings_file) = {
            let mut state = lock(&self.state);
            let snapshot = state.change(&doc.uri, doc.version, changes);
            (snapshot, state.is_settings_file(&doc.uri))
        };
        async move {
            match snapshot {
                // A configuration file or template being edited: its open text applies.
                Some(snapshot) if settings_file => {
                    let changed = snapshot.path.into_iter().collect();
                    self.resync(changed, None).await;
                }
                Some(snapshot) => self.diagnose(snapshot).await,
                None => {}
            }
        }
    }

    fn did_close(&self, params: DidCloseTextDocumentParams) -> impl Future<Output = ()> + Send {
        let uri = params.text_document.uri;
        let (closed, settings_file) = {
            let mut state = lock(&self.state);
            let settings_file = state.is_settings_file(&uri);
            (state.close(&uri), settings_file)
        };
        async move {
            let Some(closed) = closed else { return };
            if settings_file {
                // The file on disk applies again, and its problems stay shown.
                let changed = convert::file_path(&uri).into_iter().collect();
                self.resync(changed, None).await;
            } else {
                let _ = self.publisher.send(Publish::Closed(uri.clone()));
            }
            if let Some(dir) = closed.left {
                self.forget_folder(dir, uri).await;
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let (warnings, changed) = self.take_settings(&params.settings);
        self.warn(warnings).await;
        // The same settings sent again change nothing: no reload.
        if changed {
            self.resync(Vec::new(), None).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changed = params
            .changes
            .iter()
            .filter_map(|c| convert::file_path(&c.uri))
            .collect();
        self.resync(changed, None).await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.on_completion(params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.on_hover(params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.on_document_symbol(params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.on_folding_range(params).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.on_formatting(params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.on_inlay_hint(params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.on_code_action(params).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.on_document_link(params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        self.on_goto_definition(params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        self.on_execute_command(params).await
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let removed: Vec<_> = params
            .event
            .removed
            .iter()
            .filter_map(|f| convert::file_path(&f.uri))
            .collect();
        let added = params
            .event
            .added
            .iter()
            .filter_map(|f| convert::file_path(&f.uri));
        let mut state = lock(&self.state);
        state.roots.retain(|r| !removed.contains(r));
        state.roots.extend(added);
    }
}

/// Keeps glibc to one malloc arena. By default each thread that allocates gets its own
/// arena, each keeping its own high-water mark; the analyses run on several threads, so a
/// large document's peak memory was counted several times over (33 MB instead of 16 MB for
/// a 10,000-line post-mortem, with no measurable change in latency).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before the runtime
    // starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Installs the stderr logger; `POSTMORTEM_LSP_LOG` filters it (default `warn`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTMORTEM_LSP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Serves LSP on stdin/stdout until `exit` or until stdin closes. Exit code 0 only if the
/// client asked for `shutdown` first, as the protocol specifies.
pub fn run_stdio() -> ExitCode {
    init_logging();
    limit_malloc_arenas();
    tracing::info!(
        "{} {} serving LSP on stdio",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION")
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (output, drained) = stdio::stdout();
    let shutdown = runtime.block_on(async {
        let (service, socket, shutdown) = service(env::system_clock());
        transport::serve(stdio::stdin(), output, service, socket).await;
        shutdown
    });
    // The last answers (to `shutdown`, say) are still being written: wait for them, but not
    // for a client that stopped reading.
    let _ = drained.recv_timeout(std::time::Duration::from_millis(200));
    on_exit();
    // The stdin thread may still be waiting for input after `exit`, and a blocking task for a
    // slow git or file: don't wait for them (returning from `main` ends every thread).
    runtime.shutdown_background();
    if shutdown.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The one place for what must happen before the process ends, once the client is served:
/// the children the server started (git) are ended here.
fn on_exit() {
    crate::git::kill_all();
}
