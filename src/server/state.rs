//! The open documents and workspaces. Everything here is synchronous: handlers apply edits
//! under one `std::sync::Mutex` before their first `.await`, so edits land in arrival order.

use crate::analysis::incremental::ParseCache;
use crate::analysis::{Diagnostic, Document, Env};
use crate::env::FsWorkspace;
use crate::text::{self, Pos, PositionEncoding};
use ropey::Rope;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tower_lsp_server::ls_types::Uri;

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
        let mut cache = self.parses.lock().unwrap_or_else(|e| e.into_inner());
        cache.check(&self.text, doc, env)
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
        let doc = Doc {
            rope: Rope::from_str(text),
            version,
            rev,
            path,
            workspace,
            parses: Arc::default(),
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

    /// Forgets a document; whether it was open.
    pub fn close(&mut self, uri: &Uri) -> bool {
        self.docs.remove(uri).is_some()
    }

    /// Whether `rev` is still the latest revision of an open document.
    pub fn is_latest(&self, uri: &Uri, rev: u64) -> bool {
        self.docs.get(uri).is_some_and(|d| d.rev == rev)
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
        assert!(state.close(&uri()));
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
}
