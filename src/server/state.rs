//! The open documents and workspaces. Everything here is synchronous: handlers apply edits
//! under one `std::sync::Mutex` before their first `.await`, so edits land in arrival order.

use crate::analysis::facts::Ctx;
use crate::analysis::incremental::{self, ParseCache};
use crate::analysis::{Diagnostic, Document, Env};
use crate::config::FILE_NAME;
use crate::config::load::Loaded;
use crate::env::FsWorkspace;
use crate::text::{self, Pos, PositionEncoding};
use ropey::Rope;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use tower_lsp_server::ls_types::Uri;

/// The settings a document is analysed with.
#[derive(Clone)]
pub struct DocConfig {
    /// The configuration in force for the document (the built-in one when there is none).
    pub loaded: Arc<Loaded>,
    /// The document is a team template: the schema, not a post-mortem.
    pub template: bool,
}

static BUILTIN: LazyLock<Arc<Loaded>> = LazyLock::new(|| Arc::new(Loaded::builtin()));

impl Default for DocConfig {
    /// The built-in settings, shared.
    fn default() -> DocConfig {
        DocConfig {
            loaded: BUILTIN.clone(),
            template: false,
        }
    }
}

impl DocConfig {
    fn same(&self, other: &DocConfig) -> bool {
        Arc::ptr_eq(&self.loaded, &other.loaded) && self.template == other.template
    }
}

/// Whether `path` is a configuration file, whose diagnostics are its own problems.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
}

/// Which open documents a settings look-up covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every open document.
    All,
    /// One document (just opened).
    Doc(Uri),
    /// A document and every open one under the same workspace root (in the same folder,
    /// without a root): a save there may have come with a new or edited settings file.
    Near(Uri),
}

/// One open document.
struct Doc {
    rope: Rope,
    /// The client's version; changes carrying a lower one are ignored.
    version: i32,
    /// Our own revision, unique across the whole server (so a document closed and opened
    /// again never reuses one): a result is published only if it is for the latest.
    rev: u64,
    path: Option<PathBuf>,
    workspace: Option<Arc<FsWorkspace>>,
    parses: Arc<Mutex<ParseCache>>,
    /// `None` while the configuration is being loaded: results are not published until
    /// it is known, so a team's document never flashes the built-in rules.
    config: Option<DocConfig>,
}

impl Doc {
    /// Whether the document is a configuration file or a template, whose diagnostics are the
    /// configuration problems published by [`super::configs`], not an analysis.
    fn is_settings_file(&self) -> bool {
        self.path.as_deref().is_some_and(is_config_file)
            || self.config.as_ref().is_some_and(|c| c.template)
    }
}

/// What closing a document left behind.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    /// The document's folder, when no open document is in it any more: what the server
    /// keeps for that folder (settings, repository) can go.
    pub left: Option<PathBuf>,
}

/// The client capabilities the features look at (everything else is fixed by the protocol).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientFeatures {
    /// Completion items may use snippet syntax (`${1:…}`).
    pub snippets: bool,
    /// A workspace edit may rename files.
    pub rename_files: bool,
    /// A workspace edit may create files (and carry `documentChanges`).
    pub create_files: bool,
    /// File watchers may be registered at run time (`workspace/didChangeWatchedFiles`).
    pub watch_files: bool,
}

/// What the analysis of one revision needs, taken so the lock can be dropped.
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub rev: u64,
    pub text: String,
    pub path: Option<PathBuf>,
    pub workspace: Option<Arc<FsWorkspace>>,
    pub encoding: PositionEncoding,
    /// The document's parse cache: each analysis re-parses only the sections that changed.
    pub parses: Arc<Mutex<ParseCache>>,
    /// The settings in force (the built-in ones while the document's are being loaded).
    pub config: DocConfig,
}

impl Snapshot {
    /// Parses the snapshot's text, reusing the unchanged sections of the last parse.
    pub fn parse(&self) -> Document {
        let mut cache = self.parses.lock().unwrap_or_else(|e| e.into_inner());
        cache.parse(&self.text)
    }

    /// Checks the document [`Snapshot::parse`] gave, re-running the section-local checks
    /// only for the sections that changed since the last check.
    pub fn check(&self, doc: &Document, env: &Env) -> Vec<Diagnostic> {
        let ctx = Ctx::new(&self.text, doc, env);
        let (local, found) = {
            let mut cache = self.parses.lock().unwrap_or_else(|e| e.into_inner());
            cache.local(&ctx)
        };
        // Not under the lock: these checks may wait for git, and a keystroke's analysis of
        // the same document must not wait with them.
        incremental::complete(&ctx, local, &found)
    }
}

pub struct State {
    pub encoding: PositionEncoding,
    /// What the client said it can do, for the features whose output depends on it.
    pub client: ClientFeatures,
    /// Workspace folders from the client, used for documents with no root of their own.
    pub roots: Vec<PathBuf>,
    /// One workspace (with its file cache) per root, shared by the documents under it.
    workspaces: HashMap<PathBuf, Arc<FsWorkspace>>,
    docs: HashMap<Uri, Doc>,
    next_rev: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            encoding: PositionEncoding::Utf16,
            client: ClientFeatures::default(),
            roots: Vec::new(),
            workspaces: HashMap::new(),
            docs: HashMap::new(),
            next_rev: 0,
        }
    }
}

impl State {
    /// Opens (or re-opens) a document. `found_root` is [`crate::env::find_root`]'s answer,
    /// computed by the caller; without one the innermost workspace folder holding the
    /// document is its root.
    pub fn open(
        &mut self,
        uri: Uri,
        version: i32,
        text: &str,
        path: Option<PathBuf>,
        found_root: Option<PathBuf>,
    ) -> Snapshot {
        let root = found_root.or_else(|| {
            let path = path.as_ref()?;
            self.roots
                .iter()
                .filter(|r| path.starts_with(r))
                .max_by_key(|r| r.components().count())
                .cloned()
        });
        let workspace = root.map(|r| self.workspace(&r));
        let rev = self.bump();
        // A document without a file has no configuration to load: the built-in one.
        let config = path.is_none().then(DocConfig::default);
        let doc = Doc {
            rope: Rope::from_str(text),
            version,
            rev,
            path,
            workspace,
            parses: Arc::default(),
            config,
        };
        let snapshot = self.snapshot(&uri, &doc);
        self.docs.insert(uri, doc);
        snapshot
    }

    /// Applies a batch of changes in order. `None` when the document is not open or the
    /// version goes backwards (a reordered or duplicated message).
    pub fn change<'t>(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: impl IntoIterator<Item = (Option<(Pos, Pos)>, &'t str)>,
    ) -> Option<Snapshot> {
        let rev = self.next_rev + 1;
        let encoding = self.encoding;
        let doc = self.docs.get_mut(uri)?;
        if version < doc.version {
            tracing::warn!(
                uri = uri.as_str(),
                version,
                current = doc.version,
                "ignoring an older version"
            );
            return None;
        }
        for (range, new_text) in changes {
            text::apply_change(&mut doc.rope, range, new_text, encoding);
        }
        doc.version = version;
        doc.rev = rev;
        self.next_rev = rev;
        let doc = self.docs.get(uri)?;
        Some(self.snapshot(uri, doc))
    }

    /// The current revision of an open document, taken so the lock can be dropped.
    pub fn get(&self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.docs.get(uri)?;
        Some(self.snapshot(uri, doc))
    }

    /// Forgets a document; `None` if it was not open. Its workspace (and the files cached
    /// in it) goes with the last open document under its root.
    pub fn close(&mut self, uri: &Uri) -> Option<Closed> {
        let doc = self.docs.remove(uri)?;
        if let Some(workspace) = &doc.workspace
            && !self.docs.values().any(|d| {
                d.workspace
                    .as_ref()
                    .is_some_and(|w| Arc::ptr_eq(w, workspace))
            })
        {
            self.workspaces.remove(workspace.root());
        }
        let dir = doc.path.as_deref().and_then(Path::parent);
        let left = dir.filter(|dir| {
            !self
                .docs
                .values()
                .any(|d| d.path.as_deref().and_then(Path::parent) == Some(*dir))
        });
        Some(Closed {
            left: left.map(Path::to_path_buf),
        })
    }

    /// Whether an open document needs the settings `loaded`: it uses them, or it is their
    /// configuration file or template.
    pub fn needs(&self, loaded: &Arc<Loaded>, key: &Path) -> bool {
        let files = [Some(key), loaded.config_path.as_deref()];
        let files = files.into_iter().chain([loaded.template_path.as_deref()]);
        let files: Vec<&Path> = files.flatten().collect();
        self.docs.values().any(|d| {
            d.config
                .as_ref()
                .is_some_and(|c| Arc::ptr_eq(&c.loaded, loaded))
                || d.path.as_deref().is_some_and(|p| files.contains(&p))
        })
    }

    /// Whether a result for `rev` may be published: it is the latest revision of an open
    /// document whose configuration is known, and the document is not a configuration file
    /// or template (those carry their configuration problems instead).
    pub fn is_latest(&self, uri: &Uri, rev: u64) -> bool {
        self.docs
            .get(uri)
            .is_some_and(|d| d.rev == rev && d.config.is_some() && !d.is_settings_file())
    }

    /// Whether `uri` is open and its settings are still being loaded.
    pub fn config_pending(&self, uri: &Uri) -> bool {
        self.docs.get(uri).is_some_and(|d| d.config.is_none())
    }

    /// Whether `uri` is an open configuration file or template.
    pub fn is_settings_file(&self, uri: &Uri) -> bool {
        self.docs.get(uri).is_some_and(Doc::is_settings_file)
    }

    /// The open documents with a file in `scope`: URI, path and workspace root.
    pub fn files_in(&self, scope: &Scope) -> Vec<(Uri, PathBuf, Option<PathBuf>)> {
        let near = match scope {
            Scope::Near(uri) => self.docs.get(uri).map(|d| {
                let root = d.workspace.as_ref().map(|w| w.root().to_path_buf());
                let dir = d
                    .path
                    .as_deref()
                    .and_then(Path::parent)
                    .map(Path::to_path_buf);
                (root, dir)
            }),
            _ => None,
        };
        let within = |uri: &Uri, d: &Doc| match scope {
            Scope::All => true,
            Scope::Doc(only) => only == uri,
            Scope::Near(saved) => {
                saved == uri
                    || near.as_ref().is_some_and(|(root, dir)| match root {
                        Some(root) => d.workspace.as_ref().is_some_and(|w| w.root() == root),
                        None => {
                            dir.is_some()
                                && d.path.as_deref().and_then(Path::parent) == dir.as_deref()
                        }
                    })
            }
        };
        self.docs
            .iter()
            .filter(|(uri, d)| within(uri, d))
            .filter_map(|(uri, d)| {
                let root = d.workspace.as_ref().map(|w| w.root().to_path_buf());
                Some((uri.clone(), d.path.clone()?, root))
            })
            .collect()
    }

    /// The open documents with a file whose settings are `loaded`.
    pub fn using(&self, loaded: &Arc<Loaded>) -> Vec<(Uri, PathBuf, Option<PathBuf>)> {
        self.docs
            .iter()
            .filter(|(_, d)| {
                d.config
                    .as_ref()
                    .is_some_and(|c| Arc::ptr_eq(&c.loaded, loaded))
            })
            .filter_map(|(uri, d)| {
                let root = d.workspace.as_ref().map(|w| w.root().to_path_buf());
                Some((uri.clone(), d.path.clone()?, root))
            })
            .collect()
    }

    /// The text of the open document at `path`: the truth for a file being edited.
    pub fn text_of(&self, path: &Path) -> Option<String> {
        let doc = self
            .docs
            .values()
            .find(|d| d.path.as_deref() == Some(path))?;
        Some(doc.rope.to_string())
    }

    /// Gives a document its settings. When they changed, it gets a new revision (so results
    /// computed with the old settings are not published) and its snapshot is returned.
    pub fn set_config(&mut self, uri: &Uri, config: DocConfig) -> Option<Snapshot> {
        let rev = self.next_rev + 1;
        let doc = self.docs.get_mut(uri)?;
        if doc.config.as_ref().is_some_and(|c| c.same(&config)) {
            return None;
        }
        doc.config = Some(config);
        doc.rev = rev;
        self.next_rev = rev;
        let doc = self.docs.get(uri)?;
        Some(self.snapshot(uri, doc))
    }

    fn bump(&mut self) -> u64 {
        self.next_rev += 1;
        self.next_rev
    }

    fn workspace(&mut self, root: &Path) -> Arc<FsWorkspace> {
        self.workspaces
            .entry(root.to_path_buf())
            .or_insert_with(|| Arc::new(FsWorkspace::new(root)))
            .clone()
    }

    fn snapshot(&self, uri: &Uri, doc: &Doc) -> Snapshot {
        Snapshot {
            uri: uri.clone(),
            version: doc.version,
            rev: doc.rev,
            text: doc.rope.to_string(),
            path: doc.path.clone(),
            workspace: doc.workspace.clone(),
            encoding: self.encoding,
            parses: doc.parses.clone(),
            config: doc.config.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri() -> Uri {
        "file:///w/a.md".parse().unwrap()
    }

    #[test]
    fn older_versions_are_ignored_and_revisions_only_grow() {
        let mut state = State::default();
        let first = state.open(uri(), 1, "abc", None, None);
        let second = state
            .change(&uri(), 3, [(Some(((0, 3), (0, 3))), "d")])
            .unwrap();
        assert_eq!(second.text, "abcd");
        assert!(state.change(&uri(), 2, [(None, "stale")]).is_none());
        assert!(state.is_latest(&uri(), second.rev));
        assert!(!state.is_latest(&uri(), first.rev));
        assert_eq!(
            state.get(&uri()).map(|s| (s.text, s.rev)),
            Some(("abcd".into(), second.rev))
        );
        assert_eq!(state.close(&uri()), Some(Closed { left: None }));
        assert!(state.get(&uri()).is_none());
        assert!(!state.is_latest(&uri(), second.rev));
        let reopened = state.open(uri(), 1, "x", None, None);
        assert!(reopened.rev > second.rev);
        assert!(
            state
                .change(&"file:///w/other.md".parse().unwrap(), 9, [(None, "x")])
                .is_none()
        );
    }

    #[test]
    fn the_innermost_workspace_folder_is_the_fallback_root() {
        let mut state = State {
            roots: vec![PathBuf::from("/w"), PathBuf::from("/w/inner")],
            ..State::default()
        };
        let path = Some(PathBuf::from("/w/inner/doc.md"));
        let snap = state.open(uri(), 1, "", path, None);
        assert_eq!(snap.workspace.unwrap().root(), Path::new("/w/inner"));
        let elsewhere = state.open(uri(), 1, "", Some(PathBuf::from("/elsewhere/d.md")), None);
        assert!(elsewhere.workspace.is_none());
    }

    #[test]
    fn results_wait_for_the_settings_and_settings_files_get_none() {
        let mut state = State::default();
        let path = Some(PathBuf::from("/w/pm.md"));
        let opened = state.open(uri(), 1, "x", path, None);
        // Loading: nothing is published, whatever the revision.
        assert!(state.config_pending(&uri()));
        assert!(!state.is_latest(&uri(), opened.rev));
        let set = state.set_config(&uri(), DocConfig::default()).unwrap();
        assert!(set.rev > opened.rev);
        assert!(state.is_latest(&uri(), set.rev));
        // The same settings again: no new revision, nothing to check again.
        assert!(state.set_config(&uri(), DocConfig::default()).is_none());
        let template = DocConfig {
            template: true,
            ..DocConfig::default()
        };
        let as_template = state.set_config(&uri(), template).unwrap();
        assert!(as_template.config.template);
        assert!(state.is_settings_file(&uri()));
        assert!(!state.is_latest(&uri(), as_template.rev));
        let config: Uri = "file:///w/.postmortem.toml".parse().unwrap();
        let toml = Some(PathBuf::from("/w/.postmortem.toml"));
        state.open(config.clone(), 1, "", toml, None);
        let snap = state.set_config(&config, DocConfig::default()).unwrap();
        assert!(state.is_settings_file(&config));
        assert!(!state.is_latest(&config, snap.rev));
        assert_eq!(state.text_of(Path::new("/w/pm.md")).as_deref(), Some("x"));
        assert_eq!(state.files_in(&Scope::Doc(config.clone())).len(), 1);
        assert_eq!(state.files_in(&Scope::All).len(), 2);
        // Without a root, a save covers the documents in the same folder.
        assert_eq!(state.files_in(&Scope::Near(config.clone())).len(), 2);
        let elsewhere: Uri = "file:///v/b.md".parse().unwrap();
        state.open(
            elsewhere.clone(),
            1,
            "",
            Some(PathBuf::from("/v/b.md")),
            None,
        );
        assert_eq!(state.files_in(&Scope::Near(elsewhere)).len(), 1);
    }
}
