//! The real environment behind the core's [`Workspace`] trait: files under a workspace root
//! (cached briefly), root discovery, and the clock.

use crate::analysis::{PathKind, Workspace};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where "now" comes from; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Files larger than this are not read for references (their headings are not looked at).
const MAX_READ: u64 = 4 * 1024 * 1024;
/// How long a looked-up path is trusted before it is looked at again.
const TTL: Duration = Duration::from_secs(2);

/// A looked-up path: when, what it was, and its text if it is a readable file.
/// The text is `None` until someone asks for it: most lookups only need the kind (does the
/// referenced file exist?), and reading every referenced file on each refresh is waste.
type Cached = (Instant, PathKind, Option<Option<Arc<str>>>);

/// A workspace on disk. Lookups never leave the root: `..`, absolute paths and symlinks
/// that resolve outside it are [`PathKind::Outside`].
pub struct FsWorkspace {
    root: PathBuf,
    cache: Mutex<HashMap<String, Cached>>,
}

impl FsWorkspace {
    pub fn new(root: &Path) -> FsWorkspace {
        FsWorkspace {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of `rel`, if it stays inside the root.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, PathKind> {
        let rel_path = Path::new(rel);
        let plain = rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if rel.is_empty() || !plain || rel.contains('\\') {
            return Err(PathKind::Outside);
        }
        let joined = self.root.join(rel_path);
        match joined.canonicalize() {
            Ok(real) if real.starts_with(&self.root) => Ok(real),
            Ok(_) => Err(PathKind::Outside),
            Err(_) => Err(PathKind::Missing),
        }
    }

    fn lookup(&self, rel: &str, want_text: bool) -> (PathKind, Option<Arc<str>>) {
        if let Ok(cache) = self.cache.lock()
            && let Some((at, kind, text)) = cache.get(rel)
            && at.elapsed() < TTL
            && (!want_text || text.is_some() || *kind != PathKind::File)
        {
            return (*kind, text.clone().flatten());
        }
        let (kind, text) = match self.resolve(rel) {
            Err(kind) => (kind, None),
            Ok(path) => match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => (PathKind::Dir, None),
                Ok(m) => {
                    let text = want_text.then(|| {
                        (m.len() <= MAX_READ)
                            .then(|| std::fs::read(&path).ok())
                            .flatten()
                            .map(|b| Arc::from(String::from_utf8_lossy(&b).as_ref()))
                    });
                    (PathKind::File, text)
                }
                Err(_) => (PathKind::Missing, None),
            },
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(rel.to_string(), (Instant::now(), kind, text.clone()));
        }
        (kind, text.flatten())
    }
}

impl Workspace for FsWorkspace {
    fn kind(&self, rel_path: &str) -> PathKind {
        self.lookup(rel_path, false).0
    }

    fn read(&self, rel_path: &str) -> Option<Arc<str>> {
        self.lookup(rel_path, true).1
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
        (plain && name.starts_with("rollback-")).then(|| path.is_file())
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
        assert_eq!(ws.read("../secret.txt"), None);
        assert_eq!(ws.kind("/etc/passwd"), PathKind::Outside);
        #[cfg(unix)]
        assert_eq!(ws.kind("link.txt"), PathKind::Outside);
        assert_eq!(
            ws.read("scripts/smoke.sh").as_deref(),
            Some("# 1. health\n")
        );
        let url = ws.url("scripts/smoke.sh").unwrap();
        assert!(
            url.starts_with("file:///") && url.ends_with("/repo/scripts/smoke.sh"),
            "{url}"
        );
        assert_eq!(ws.url("../secret.txt"), None);
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
