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
type Cached = (Instant, PathKind, Option<Arc<str>>);

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

    fn lookup(&self, rel: &str) -> (PathKind, Option<Arc<str>>) {
        if let Ok(cache) = self.cache.lock()
            && let Some((at, kind, text)) = cache.get(rel)
            && at.elapsed() < TTL
        {
            return (*kind, text.clone());
        }
        let found = match self.resolve(rel) {
            Err(kind) => (kind, None),
            Ok(path) => match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => (PathKind::Dir, None),
                Ok(m) => {
                    let text = (m.len() <= MAX_READ)
                        .then(|| std::fs::read(&path).ok())
                        .flatten()
                        .map(|b| Arc::from(String::from_utf8_lossy(&b).as_ref()));
                    (PathKind::File, text)
                }
                Err(_) => (PathKind::Missing, None),
            },
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(rel.to_string(), (Instant::now(), found.0, found.1.clone()));
        }
        found
    }
}

impl Workspace for FsWorkspace {
    fn kind(&self, rel_path: &str) -> PathKind {
        self.lookup(rel_path).0
    }

    fn read(&self, rel_path: &str) -> Option<Arc<str>> {
        self.lookup(rel_path).1
    }
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
