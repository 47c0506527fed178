//! The real environment behind the core's [`Workspace`] trait: files under a workspace root
//! (cached briefly), root discovery, and the clock.

use crate::analysis::refs::{NumberedHeading, numbered_headings};
use crate::analysis::{PathKind, Unread, Workspace};
use crate::fsread::{self, Refused};
use chrono::{DateTime, Utc};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where "now" comes from; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// How long a looked-up path is trusted before it is looked at again.
const TTL: Duration = Duration::from_secs(2);
/// Cached look-ups beyond this many are all forgotten at once.
const MAX_CACHED: usize = 10_000;

/// A looked-up path: when, what it was, and its text if it is a readable file.
/// The text is `None` until someone asks for it: most lookups only need the kind (does the
/// referenced file exist?), and reading every referenced file on each refresh is waste.
struct Entry {
    at: Instant,
    kind: PathKind,
    text: Option<Result<Arc<str>, Unread>>,
    /// The text's numbered headings, found on first use.
    headings: Option<Arc<[NumberedHeading]>>,
}

/// A workspace on disk. Lookups never leave the root: `..`, absolute paths and symlinks
/// that resolve outside it are [`PathKind::Outside`]; every read goes through
/// [`crate::fsread`], so FIFOs, devices, sockets and huge files are never read.
pub struct FsWorkspace {
    root: PathBuf,
    cache: Mutex<HashMap<String, Entry>>,
    /// The texts read, by real path: a file named under many spellings (`a/./b.md`,
    /// `a/././b.md`, links) is read and kept once.
    files: Mutex<Files>,
    evidence: Mutex<HashMap<String, (Instant, bool)>>,
}

/// What the texts read take, bounded by [`MAX_TEXT_BYTES`] in all.
#[derive(Default)]
struct Files {
    by_real: HashMap<PathBuf, Shared>,
    bytes: usize,
}

/// One file's text, when it was read, and its numbered headings once found.
struct Shared {
    at: Instant,
    text: Arc<str>,
    headings: Option<Arc<[NumberedHeading]>>,
}

/// The texts a workspace keeps at most, all files together: each is at most 4 MiB, and a
/// document can name thousands of files. Past it, every text is forgotten at once.
const MAX_TEXT_BYTES: usize = 64 << 20;

impl FsWorkspace {
    pub fn new(root: &Path) -> FsWorkspace {
        FsWorkspace {
            root: fsread::real_root(root),
            cache: Mutex::new(HashMap::new()),
            files: Mutex::default(),
            evidence: Mutex::new(HashMap::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The real path of `rel`, if it stays inside the root.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, PathKind> {
        fsread::resolve(&self.root, rel).map_err(|refused| match refused {
            Refused::Outside => PathKind::Outside,
            Refused::Special(kind) => PathKind::Special(kind),
            _ => PathKind::Missing,
        })
    }

    /// The answers for this workspace's cache alone, for the server's first pass: it never
    /// touches the disk. See [`CachedFiles`].
    pub fn cached(&self) -> CachedFiles<'_> {
        CachedFiles {
            workspace: self,
            pending: Cell::new(false),
            unknown: Cell::new(false),
        }
    }

    /// Looks `rel` up on the disk (and reads it when `want_text`).
    fn look(&self, rel: &str, want_text: bool) -> Entry {
        let found = self
            .resolve(rel)
            .and_then(|path| match fsread::kind(&path) {
                Ok(meta) if meta.is_dir() => Err(PathKind::Dir),
                Ok(_) => Ok(path),
                Err(Refused::Special(kind)) => Err(PathKind::Special(kind)),
                Err(_) => Err(PathKind::Missing),
            });
        let (kind, text) = match found {
            Err(kind) => (kind, None),
            Ok(path) => (PathKind::File, want_text.then(|| self.text(&path))),
        };
        Entry {
            at: Instant::now(),
            kind,
            text,
            headings: None,
        }
    }

    /// The text of the regular file at the real path `path`: the one kept, if read within
    /// the cache's lifetime, else read now and kept.
    fn text(&self, path: &Path) -> Result<Arc<str>, Unread> {
        if let Ok(files) = self.files.lock()
            && let Some(shared) = files.by_real.get(path)
            && shared.at.elapsed() < TTL
        {
            return Ok(shared.text.clone());
        }
        let text: Arc<str> = match fsread::read_text(path) {
            Ok(text) => Arc::from(text),
            Err(Refused::TooLarge) => return Err(Unread::TooLarge),
            Err(_) => return Err(Unread::Unreadable),
        };
        let full = {
            let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
            let full = files.bytes + text.len() > MAX_TEXT_BYTES;
            if full {
                *files = Files::default();
            }
            files.bytes += text.len();
            let old = files.by_real.insert(
                path.to_path_buf(),
                Shared {
                    at: Instant::now(),
                    text: text.clone(),
                    headings: None,
                },
            );
            if let Some(old) = old {
                files.bytes -= old.text.len();
            }
            full
        };
        if full {
            // The entries hold the texts too: let them go, the kinds stay.
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for entry in cache.values_mut() {
                entry.text = None;
                entry.headings = None;
            }
        }
        Ok(text)
    }

    fn lookup(&self, rel: &str, want_text: bool) -> (PathKind, Option<Result<Arc<str>, Unread>>) {
        if let Ok(cache) = self.cache.lock()
            && let Some(e) = cache.get(rel)
            && e.at.elapsed() < TTL
            && (!want_text || e.text.is_some() || e.kind != PathKind::File)
        {
            return (e.kind, e.text.clone());
        }
        // Looked up without the cache's lock held: the lock only guards the map.
        let entry = self.look(rel, want_text);
        let answer = (entry.kind, entry.text.clone());
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > MAX_CACHED {
                cache.clear();
            }
            cache.insert(rel.to_string(), entry);
        }
        answer
    }
}

impl Workspace for FsWorkspace {
    fn kind(&self, rel_path: &str) -> PathKind {
        self.lookup(rel_path, false).0
    }

    fn read(&self, rel_path: &str) -> Result<Arc<str>, Unread> {
        self.lookup(rel_path, true)
            .1
            .unwrap_or(Err(Unread::Unreadable))
    }

    fn headings(&self, rel_path: &str) -> Result<Arc<[NumberedHeading]>, Unread> {
        let text = self.read(rel_path)?;
        if let Ok(cache) = self.cache.lock()
            && let Some(headings) = cache.get(rel_path).and_then(|e| e.headings.clone())
        {
            return Ok(headings);
        }
        // Another spelling of the same file may have found them already.
        let real = self.resolve(rel_path).ok();
        let shared = real.as_ref().and_then(|real| {
            let files = self.files.lock().ok()?;
            let shared = files.by_real.get(real)?;
            Arc::ptr_eq(&shared.text, &text).then(|| shared.headings.clone())?
        });
        // Found without the caches' locks held, and kept with the text they came from.
        let headings: Arc<[NumberedHeading]> =
            shared.unwrap_or_else(|| numbered_headings(&text).into());
        if let Some(real) = &real
            && let Ok(mut files) = self.files.lock()
            && let Some(shared) = files.by_real.get_mut(real)
            && Arc::ptr_eq(&shared.text, &text)
        {
            shared.headings = Some(headings.clone());
        }
        if let Ok(mut cache) = self.cache.lock()
            && let Some(entry) = cache.get_mut(rel_path)
            && entry
                .text
                .as_ref()
                .is_some_and(|t| t.as_ref().is_ok_and(|t| Arc::ptr_eq(t, &text)))
        {
            entry.headings = Some(headings.clone());
        }
        Ok(headings)
    }

    fn url(&self, rel_path: &str) -> Option<String> {
        let path = self.resolve(rel_path).ok()?;
        Some(file_url(&path))
    }

    /// Only rollback evidence files are looked at: an absolute, plain path whose file name
    /// starts with `rollback-`. Nothing else outside the workspace is ever touched.
    fn evidence_exists(&self, abs_path: &str) -> Option<bool> {
        let path = Path::new(abs_path);
        let plain = path.is_absolute()
            && path
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        let name = path.file_name()?.to_str()?;
        if !(plain && name.starts_with("rollback-")) {
            return None;
        }
        let exists = path.is_file();
        if let Ok(mut cache) = self.evidence.lock() {
            if cache.len() > MAX_CACHED {
                cache.clear();
            }
            cache.insert(abs_path.to_string(), (Instant::now(), exists));
        }
        Some(exists)
    }
}

/// A workspace's cached answers only, like git's `Repo::cached`: a path never looked at is
/// [`PathKind::Pending`] (its checks stay quiet), an answer older than the cache's lifetime
/// is still given (so nothing flickers) and, like a missing one, marks the view
/// [`CachedFiles::pending`], so the caller looks again on the disk, off the async thread.
pub struct CachedFiles<'a> {
    workspace: &'a FsWorkspace,
    pending: Cell<bool>,
    unknown: Cell<bool>,
}

impl CachedFiles<'_> {
    /// Whether an answer was missing or stale.
    pub fn pending(&self) -> bool {
        self.pending.get()
    }

    /// Whether an answer was missing altogether (not merely stale): what was found is then
    /// less than the truth, where a stale answer is only possibly out of date.
    pub fn unknown(&self) -> bool {
        self.unknown.get()
    }

    fn note(&self, at: Option<Instant>) {
        if at.is_none_or(|at| at.elapsed() >= TTL) {
            self.pending.set(true);
        }
    }
}

impl Workspace for CachedFiles<'_> {
    fn kind(&self, rel_path: &str) -> PathKind {
        let cache = self.workspace.cache.lock();
        let entry = cache.as_ref().ok().and_then(|c| c.get(rel_path));
        self.note(entry.map(|e| e.at));
        if entry.is_none() {
            self.unknown.set(true);
        }
        entry.map_or(PathKind::Pending, |e| e.kind)
    }

    fn read(&self, rel_path: &str) -> Result<Arc<str>, Unread> {
        let cache = self.workspace.cache.lock();
        let entry = cache.as_ref().ok().and_then(|c| c.get(rel_path));
        match entry {
            Some(e) if e.kind != PathKind::File => {
                self.note(Some(e.at));
                Err(Unread::Unreadable)
            }
            Some(Entry {
                at,
                text: Some(text),
                ..
            }) => {
                self.note(Some(*at));
                text.clone()
            }
            _ => {
                self.pending.set(true);
                self.unknown.set(true);
                Err(Unread::Pending)
            }
        }
    }

    /// Only headings already found: finding them parses the file, which is the second
    /// pass's work.
    fn headings(&self, rel_path: &str) -> Result<Arc<[NumberedHeading]>, Unread> {
        self.read(rel_path)?;
        let cache = self.workspace.cache.lock();
        let headings = cache
            .as_ref()
            .ok()
            .and_then(|c| c.get(rel_path)?.headings.clone());
        headings.ok_or_else(|| {
            self.pending.set(true);
            self.unknown.set(true);
            Unread::Pending
        })
    }

    fn evidence_exists(&self, abs_path: &str) -> Option<bool> {
        let cache = self.workspace.evidence.lock();
        let entry = cache.as_ref().ok().and_then(|c| c.get(abs_path).copied());
        self.note(entry.map(|e| e.0));
        entry.map(|e| e.1)
    }
}

/// A `file://` URL for an absolute path, with the characters URLs reserve escaped.
pub fn file_url(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The workspace root for a document: the folder holding `_docs/` when the document lies in
/// `_docs/06_metrics/`, else the nearest ancestor with a `.git`.
pub fn find_root(doc: &Path) -> Option<PathBuf> {
    let dir = doc.parent()?;
    if dir.file_name()? == "06_metrics"
        && let Some(docs) = dir.parent()
        && docs.file_name().is_some_and(|n| n == "_docs")
    {
        return docs.parent().map(Path::to_path_buf);
    }
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Special;

    #[test]
    fn lookups_stay_inside_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("scripts")).unwrap();
        std::fs::write(root.join("scripts/smoke.sh"), "# 1. health\n").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "s3cret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("link.txt")).unwrap();
        let ws = FsWorkspace::new(&root);
        assert_eq!(ws.kind("scripts/smoke.sh"), PathKind::File);
        assert_eq!(ws.kind("scripts"), PathKind::Dir);
        assert_eq!(ws.kind("./scripts/smoke.sh"), PathKind::File);
        assert_eq!(ws.kind("scripts/nope.sh"), PathKind::Missing);
        assert_eq!(ws.kind("../secret.txt"), PathKind::Outside);
        assert_eq!(ws.read("../secret.txt"), Err(Unread::Unreadable));
        assert_eq!(ws.kind("/etc/passwd"), PathKind::Outside);
        #[cfg(unix)]
        assert_eq!(ws.kind("link.txt"), PathKind::Outside);
        assert_eq!(ws.read("scripts/smoke.sh").as_deref(), Ok("# 1. health\n"));
        let url = ws.url("scripts/smoke.sh").unwrap();
        assert!(
            url.starts_with("file:///") && url.ends_with("/repo/scripts/smoke.sh"),
            "{url}"
        );
        assert_eq!(ws.url("../secret.txt"), None);
    }

    #[cfg(unix)]
    #[test]
    fn fifos_devices_and_big_files_are_never_read() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("p.md"))
            .status();
        assert!(made.unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.md")).unwrap();
        std::os::unix::fs::symlink("loop.md", root.join("loop.md")).unwrap();
        let big = std::fs::File::create(root.join("big.md")).unwrap();
        big.set_len(100 << 20).unwrap();
        let ws = FsWorkspace::new(root);
        assert_eq!(ws.kind("p.md"), PathKind::Special(Special::Fifo));
        assert_eq!(ws.read("p.md"), Err(Unread::Unreadable));
        assert_eq!(ws.kind("zero.md"), PathKind::Outside);
        assert_eq!(ws.kind("loop.md"), PathKind::Special(Special::SymlinkLoop));
        assert_eq!(ws.kind("big.md"), PathKind::File);
        assert_eq!(ws.read("big.md"), Err(Unread::TooLarge));
    }

    #[test]
    fn the_cached_view_answers_only_what_was_looked_up() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.md"), "## 1. One\n").unwrap();
        let ws = FsWorkspace::new(tmp.path());
        let cold = ws.cached();
        assert_eq!(cold.kind("a.md"), PathKind::Pending);
        assert_eq!(cold.read("a.md"), Err(Unread::Pending));
        assert!(cold.pending());
        // The disk is looked at (as the second pass does); then the cache answers.
        assert_eq!(ws.kind("a.md"), PathKind::File);
        let kind_only = ws.cached();
        assert_eq!(kind_only.kind("a.md"), PathKind::File);
        assert!(!kind_only.pending());
        assert_eq!(kind_only.read("a.md"), Err(Unread::Pending));
        assert!(kind_only.pending());
        assert_eq!(ws.read("a.md").as_deref(), Ok("## 1. One\n"));
        let warm = ws.cached();
        assert_eq!(warm.read("a.md").as_deref(), Ok("## 1. One\n"));
        assert_eq!(warm.kind("nope.md"), PathKind::Pending);
        let _ = ws.kind("nope.md");
        let warm = ws.cached();
        assert_eq!(warm.kind("nope.md"), PathKind::Missing);
        assert_eq!(warm.read("a.md").as_deref(), Ok("## 1. One\n"));
        assert!(!warm.pending());
    }

    #[test]
    fn a_stale_answer_is_given_and_asks_for_a_new_look() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("a.md"), "x").unwrap();
        let ws = FsWorkspace::new(tmp.path());
        assert_eq!(ws.kind("a.md"), PathKind::File);
        if let Ok(mut cache) = ws.cache.lock()
            && let Some(e) = cache.get_mut("a.md")
        {
            e.at -= TTL;
        }
        let stale = ws.cached();
        assert_eq!(stale.kind("a.md"), PathKind::File);
        assert!(stale.pending());
    }

    #[test]
    fn evidence_lookups_are_limited_to_rollback_files() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = FsWorkspace::new(tmp.path());
        let log = tmp.path().join("rollback-2026-03-14.log");
        std::fs::write(&log, "x").unwrap();
        assert_eq!(ws.evidence_exists(log.to_str().unwrap()), Some(true));
        let missing = tmp.path().join("rollback-none.log");
        assert_eq!(ws.evidence_exists(missing.to_str().unwrap()), Some(false));
        assert_eq!(ws.evidence_exists("/etc/passwd"), None);
        assert_eq!(ws.evidence_exists("/var/log/../../etc/rollback-x"), None);
        assert_eq!(ws.evidence_exists("rollback-relative.log"), None);
    }

    #[test]
    fn file_urls_escape_reserved_characters() {
        assert_eq!(
            file_url(Path::new("/a b/é#.md")),
            "file:///a%20b/%C3%A9%23.md"
        );
    }

    #[test]
    fn root_is_the_folder_holding_docs() {
        let tmp = tempfile::tempdir().unwrap();
        let doc = tmp.path().join("r/_docs/06_metrics/postmortem_x.md");
        assert_eq!(find_root(&doc), Some(tmp.path().join("r")));
        std::fs::create_dir_all(tmp.path().join("g/.git")).unwrap();
        assert_eq!(
            find_root(&tmp.path().join("g/a/b.md")),
            Some(tmp.path().join("g"))
        );
    }
}
