//! The team configuration in the server: one load per `.postmortem.toml` (with the editor's
//! settings on top) shared by the documents under it, reloaded when the file, its template
//! or the editor's settings change, and the problems of those files as their diagnostics.
//!
//! Everything that reads files runs in [`Configs::resync`], on the blocking pool, under one
//! lock: loads never race, and their results reach the documents in the order they were made.
//! Nothing on the async thread takes that lock: the editor's settings are stored apart and
//! picked up by the next load. Files are read through the guarded reader ([`crate::fsread`]),
//! never with the `State` lock held.

use super::convert;
use super::lock;
use super::state::{DocConfig, Scope, Snapshot, State, is_config_file};
use crate::config::FILE_NAME;
use crate::config::load::{Loaded, Sources, config_key, load_with};
use crate::text::PositionEncoding;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

/// What a resync asks the server to do once the lock is released.
#[derive(Default)]
pub struct Outcome {
    /// Documents whose settings changed: to check again.
    pub recheck: Vec<Snapshot>,
    /// Every configuration file and template in use with its problems (an empty list clears
    /// them), and the resync's number, so an older list never overwrites a newer one.
    pub problems: (u64, BTreeMap<Uri, Vec<Diagnostic>>),
    /// The files to watch, as glob patterns.
    pub globs: Vec<String>,
    /// Problems in the editor's settings found while loading, not shown before.
    pub warnings: Vec<String>,
}

#[derive(Default)]
struct Inner {
    /// Loads by configuration file (see [`config_key`]); `stale` ones are reloaded, over
    /// their last load, when next needed.
    loads: HashMap<PathBuf, (Arc<Loaded>, bool)>,
    /// The editor's settings as TOML text, as of [`Configs::editor`]'s `editor_seen`th change.
    editor: Option<String>,
    editor_seen: u64,
    /// What the disk said about each load's files when it was read (see [`Inner::moved`]).
    stamps: HashMap<PathBuf, Stamp>,
    /// Editor problems already shown, so each is shown once per setting.
    shown: HashSet<String>,
    resyncs: u64,
}

#[derive(Default)]
pub struct Configs {
    inner: Mutex<Inner>,
    /// The editor's settings as last set, and how many times they were set. Apart from
    /// `inner`, whose lock a load holds while it reads files, so storing them never waits.
    editor: Mutex<(Option<String>, u64)>,
    /// What was last published on each settings file, and by which resync.
    published: tokio::sync::Mutex<(u64, HashMap<Uri, Vec<Diagnostic>>)>,
    /// The glob patterns registered with the client.
    pub watched: tokio::sync::Mutex<Vec<String>>,
}

impl Configs {
    /// Replaces the editor's settings; every configuration is reloaded when next needed.
    /// Returns at once (it runs on the async thread): the next load applies them.
    /// Returns whether they changed: a client may send the same settings again and again.
    pub fn set_editor(&self, toml: Option<String>) -> bool {
        let mut editor = self.editor.lock().unwrap_or_else(|e| e.into_inner());
        if editor.0 == toml {
            return false;
        }
        editor.0 = toml;
        editor.1 += 1;
        true
    }

    /// `inner`, with the editor's settings brought up to date.
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (toml, set) = self
            .editor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if set != inner.editor_seen {
            inner.editor = toml;
            inner.editor_seen = set;
            inner.shown.clear();
            for (_, stale) in inner.loads.values_mut() {
                *stale = true;
            }
        }
        inner
    }

    /// The settings a new document in `dir` under `root` gets: the load the open documents
    /// there share, the editor's settings included. Reads files: call it on the blocking pool.
    pub fn for_folder(&self, state: &Mutex<State>, dir: &Path, root: &Path) -> Arc<Loaded> {
        let key = config_key(&dir.join("_"), Some(root)).unwrap_or_else(|| root.join(FILE_NAME));
        let mut inner = self.inner();
        inner.get(&key, &|path| read(state, path))
    }

    /// Reloads what `changed` touches (configuration files and templates) and gives the open
    /// documents in `scope` the settings now in force. With `stat`, the files their settings
    /// came from are also looked at on the disk (a `stat` each, see [`Inner::moved`]), and
    /// any that changed are read again: what a client that watches no files needs (Neovim on
    /// Linux). Every open document whose settings were read again then gets them, in `scope`
    /// or not. Reads files: call it on the blocking pool.
    pub fn resync(
        &self,
        state: &Mutex<State>,
        changed: &[PathBuf],
        scope: &Scope,
        stat: bool,
    ) -> Outcome {
        let mut inner = self.inner();
        let inner = &mut *inner;
        // A file open in the editor is read from its open text, which a stat cannot see;
        // anything else is read again only when its stat moved, so a storm of change
        // notifications for an unchanged 4 MB template costs a stat each, not a parse.
        let open: Vec<bool> = {
            let state = lock(state);
            changed.iter().map(|c| state.text_of(c).is_some()).collect()
        };
        let mut touched = Vec::new();
        for (key, (loaded, stale)) in inner.loads.iter_mut() {
            let template = loaded.template_path.as_deref();
            let hits = |c: &PathBuf| same_file(c, key) || template.is_some_and(|t| same_file(c, t));
            if changed.iter().zip(&open).any(|(c, open)| *open && hits(c)) {
                *stale = true;
            } else if changed.iter().any(hits) {
                touched.push(key.clone());
            }
        }
        for key in touched {
            if !inner.stamps.contains_key(&key) {
                if let Some((_, stale)) = inner.loads.get_mut(&key) {
                    *stale = true;
                }
            } else {
                inner.moved(&key);
            }
        }
        let (files, encoding) = {
            let state = lock(state);
            (state.files_in(scope), state.encoding)
        };
        // Looked for again each time (a stat per folder searched): a `.postmortem.toml`
        // created nearer to a document since it was opened is its configuration now.
        let mut keyed: Vec<_> = files.into_iter().filter_map(with_key).collect();
        if stat {
            let keys: HashSet<PathBuf> = keyed.iter().map(|(_, _, key)| key.clone()).collect();
            for key in keys {
                inner.moved(&key);
            }
        }
        // Every document whose settings are read again gets them, in `scope` or not.
        let others: Vec<_> = {
            let stale = inner.loads.values().filter(|(_, stale)| *stale);
            let state = lock(state);
            stale.flat_map(|(l, _)| state.using(l)).collect()
        };
        for file in others {
            if !keyed.iter().any(|(uri, _, _)| *uri == file.0)
                && let Some(k) = with_key(file)
            {
                keyed.push(k);
            }
        }
        let read = |path: &Path| read(state, path);
        let mut configs = Vec::with_capacity(keyed.len());
        for (uri, path, key) in keyed {
            let loaded = inner.get(&key, &read);
            if is_config_file(&path) {
                // Loaded so that its problems show while it is open.
                continue;
            }
            // The one rule `check` and the hook use too, asked here, off the state's lock.
            let template = loaded.is_template(&path);
            configs.push((uri, loaded, template));
        }
        let mut outcome = Outcome::default();
        {
            let mut state = lock(state);
            for (uri, loaded, template) in configs {
                let config = DocConfig { loaded, template };
                outcome.recheck.extend(state.set_config(&uri, config));
            }
        }
        // Configurations no open document uses any more are reloaded too, so the problems
        // shown on their files stay true.
        let stale: Vec<PathBuf> = inner
            .loads
            .iter()
            .filter(|(_, (_, stale))| *stale)
            .map(|(key, _)| key.clone())
            .collect();
        for key in stale {
            inner.get(&key, &read);
        }
        inner.resyncs += 1;
        outcome.problems = (inner.resyncs, inner.problems(encoding));
        outcome.globs = inner.globs();
        for (loaded, _) in inner.loads.values() {
            for warning in &loaded.editor_problems {
                if inner.shown.insert(warning.clone()) {
                    outcome
                        .warnings
                        .push(format!("Post-mortem setting `template`: {warning}."));
                }
            }
        }
        outcome
    }

    /// Publishes `problems`: each file whose list changed since the last resync published.
    /// A list from an older resync than the last published is dropped whole.
    pub async fn publish(
        &self,
        client: &Client,
        (resync, problems): (u64, BTreeMap<Uri, Vec<Diagnostic>>),
    ) {
        // Held while sending, so two resyncs' lists go out in order.
        let mut published = self.published.lock().await;
        if resync < published.0 {
            return;
        }
        published.0 = resync;
        // Files no longer in use lose their problems.
        let gone: Vec<Uri> = published
            .1
            .keys()
            .filter(|u| !problems.contains_key(*u))
            .cloned()
            .collect();
        for uri in gone {
            if published.1.remove(&uri).is_some_and(|d| !d.is_empty()) {
                client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
        for (uri, diagnostics) in problems {
            if published.1.get(&uri) != Some(&diagnostics) {
                published.1.insert(uri.clone(), diagnostics.clone());
                client.publish_diagnostics(uri, diagnostics, None).await;
            }
        }
    }
}

/// An open document with its configuration's key: a configuration file is its own.
fn with_key((uri, path, root): (Uri, PathBuf, Option<PathBuf>)) -> Option<(Uri, PathBuf, PathBuf)> {
    let key = if is_config_file(&path) {
        Some(path.clone())
    } else {
        config_key(&path, root.as_deref()).or_else(|| path.parent().map(|dir| dir.join(FILE_NAME)))
    };
    Some((uri, path, key?))
}

/// What `stat` says about a file: enough to tell that it was replaced, edited or created.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
    inode: u64,
}

/// A load's files (see [`watched`]), each as the disk had it (`None`: missing).
type Stamp = Vec<(PathBuf, Option<FileStamp>)>;

fn stat(path: &Path) -> Option<FileStamp> {
    // Only metadata: a FIFO or a device is never opened here.
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(FileStamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

/// The files whose change changes the load for `key`: the configuration file (there or
/// not), its template, and, when no template is named, every place one is looked for.
fn watched(key: &Path, loaded: Option<&Loaded>) -> Vec<PathBuf> {
    let mut files = vec![key.to_path_buf()];
    let builtin = crate::config::Config::default();
    let config = loaded.map_or(&builtin, |l| &l.config);
    files.extend(loaded.and_then(|l| l.template_path.clone()));
    if config.template.is_none()
        && let Some(dir) = key.parent()
    {
        for candidate in crate::config::discover::template_candidates(dir, config) {
            if !files.contains(&candidate) {
                files.push(candidate);
            }
        }
    }
    files
}

impl Inner {
    /// Whether the files the load for `key` came from changed on the disk since it was
    /// read; if so, it is marked stale. A load never read has nothing to compare.
    fn moved(&mut self, key: &Path) -> bool {
        let Some(stamp) = self.stamps.get(key) else {
            return false;
        };
        let moved = stamp.iter().any(|(path, was)| stat(path) != *was);
        if moved && let Some((_, stale)) = self.loads.get_mut(key) {
            *stale = true;
        }
        moved
    }

    /// The load for `key`, reading it when missing or stale.
    fn get(&mut self, key: &Path, read: &dyn Fn(&Path) -> std::io::Result<String>) -> Arc<Loaded> {
        if let Some((loaded, false)) = self.loads.get(key) {
            return loaded.clone();
        }
        let previous = self.loads.get(key).map(|(l, _)| l.clone());
        // Stamped before reading: a file changed while it is read is read again next time.
        let before: Stamp = watched(key, previous.as_deref())
            .into_iter()
            .map(|path| {
                let stamp = stat(&path);
                (path, stamp)
            })
            .collect();
        let loaded = Arc::new(load_with(
            key,
            &Sources {
                read,
                editor: self.editor.as_deref(),
                previous: previous.as_deref(),
            },
        ));
        let stamp = watched(key, Some(&loaded))
            .into_iter()
            .map(|path| {
                let was = before.iter().find(|(p, _)| *p == path);
                let stamp = was.map_or_else(|| stat(&path), |(_, s)| s.clone());
                (path, stamp)
            })
            .collect();
        self.stamps.insert(key.to_path_buf(), stamp);
        self.loads
            .insert(key.to_path_buf(), (loaded.clone(), false));
        loaded
    }

    /// Every configuration file and template loaded, with its problems as diagnostics.
    fn problems(&self, encoding: PositionEncoding) -> BTreeMap<Uri, Vec<Diagnostic>> {
        let mut out: BTreeMap<Uri, Vec<Diagnostic>> = BTreeMap::new();
        for (loaded, _) in self.loads.values() {
            let files = loaded.config_path.iter().chain(&loaded.template_path);
            for file in files {
                if let Some(uri) = Uri::from_file_path(file) {
                    out.entry(uri).or_default();
                }
            }
            for p in &loaded.problems {
                let Some(uri) = Uri::from_file_path(&p.path) else {
                    continue;
                };
                let list = out.entry(uri).or_default();
                let d = convert::config_problem(p, encoding);
                // Two configurations sharing a template report its problems once.
                if !list.contains(&d) {
                    list.push(d);
                }
            }
        }
        out
    }

    /// Glob patterns for every configuration file and the templates in use.
    fn globs(&self) -> Vec<String> {
        let mut globs = vec![format!("**/{FILE_NAME}")];
        let templates = self
            .loads
            .values()
            .filter_map(|(l, _)| l.template_path.as_deref()?.file_name());
        for name in templates {
            let glob = format!("**/{}", escape_glob(&name.to_string_lossy()));
            if !globs.contains(&glob) {
                globs.push(glob);
            }
        }
        globs.sort();
        globs
    }
}

impl Configs {
    /// Drops the loads no open document needs (see [`State::needs`]), so a folder's
    /// settings do not outlive its last open document; whether any was dropped (the
    /// problems and watchers published then need a resync). Waits for a running load: call
    /// it on the blocking pool.
    pub fn forget_unused(&self, state: &Mutex<State>) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let state = lock(state);
        let before = inner.loads.len();
        inner
            .loads
            .retain(|key, (loaded, _)| state.needs(loaded, key));
        let Inner { loads, stamps, .. } = &mut *inner;
        stamps.retain(|key, _| loads.contains_key(key));
        inner.loads.len() < before
    }
}

/// A settings file's text: an open document's (the truth for a file being edited), else the
/// disk's, through the guarded reader. The state's lock is released before the disk is
/// touched: every request takes that lock.
fn read(state: &Mutex<State>, path: &Path) -> std::io::Result<String> {
    let open = lock(state).text_of(path);
    match open {
        Some(text) => Ok(text),
        None => crate::fsread::read_to_string(path),
    }
}

/// A file name as a glob matching only itself.
fn escape_glob(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '*' | '?' | '[' | ']' | '{' | '}' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}

/// Whether two paths name the same file: equal once `.` and `..` are resolved, or once
/// links are (when the file exists).
fn same_file(a: &Path, b: &Path) -> bool {
    if crate::fsread::lexical(a) == crate::fsread::lexical(b) {
        return true;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_settings_are_stored_without_waiting_for_a_load() {
        let configs = Configs::default();
        // A load in progress holds `inner` while it reads files.
        let loading = configs.inner.lock().unwrap();
        configs.set_editor(Some("template = \"t.md\"\n".into()));
        drop(loading);
        let inner = configs.inner();
        assert_eq!(inner.editor.as_deref(), Some("template = \"t.md\"\n"));
        assert_eq!(inner.editor_seen, 1);
    }

    fn no_open_documents(path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    #[test]
    fn a_load_is_stale_once_its_file_or_template_changes_on_disk() {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join(FILE_NAME);
        let mut inner = Inner::default();
        // No file yet: the defaults, and nothing moved until one is created.
        let first = inner.get(&key, &no_open_documents);
        assert!(first.config_path.is_none());
        assert!(!inner.moved(&key));
        std::fs::write(&key, "template = \"t.md\"\n").unwrap();
        assert!(inner.moved(&key));
        assert!(inner.loads[&key].1, "marked stale");
        let second = inner.get(&key, &no_open_documents);
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(second.template_path, Some(tmp.path().join("t.md")));
        // The named template, missing when read, is watched too.
        assert!(!inner.moved(&key));
        std::fs::write(tmp.path().join("t.md"), "# T\n\n## Summary\n").unwrap();
        assert!(inner.moved(&key));
        inner.get(&key, &no_open_documents);
        assert!(!inner.moved(&key));
        // An edit that keeps the size still changes the inode (written anew, then renamed).
        let edited = tmp.path().join("edited");
        std::fs::write(&edited, "template = \"u.md\"\n").unwrap();
        std::fs::rename(&edited, &key).unwrap();
        assert!(inner.moved(&key));
    }

    #[test]
    fn without_a_named_template_the_places_one_is_found_are_watched() {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join(FILE_NAME);
        let mut inner = Inner::default();
        let loaded = inner.get(&key, &no_open_documents);
        assert!(loaded.template_path.is_none());
        let found = tmp.path().join("_docs/templates/postmortem.md");
        assert!(watched(&key, Some(&loaded)).contains(&found));
        std::fs::create_dir_all(found.parent().unwrap()).unwrap();
        std::fs::write(&found, "# T\n\n## Summary\n").unwrap();
        assert!(inner.moved(&key));
        let reloaded = inner.get(&key, &no_open_documents);
        assert_eq!(reloaded.template_path.as_deref(), Some(found.as_path()));
    }

    #[test]
    fn paths_compare_lexically_and_through_links() {
        assert!(same_file(Path::new("/a/b/../t.md"), Path::new("/a/./t.md")));
        assert!(!same_file(Path::new("/a/t.md"), Path::new("/b/t.md")));
        assert_eq!(escape_glob("t[1]*.md"), "t[[]1[]][*].md");
    }
}
