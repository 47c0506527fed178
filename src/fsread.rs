//! The one guarded file reader: every file the server or `check` reads from a repository
//! (references, templates, `.postmortem.toml`, procedures, smoke scripts, documents) comes
//! through here. A repository is untrusted, so a path may be a FIFO (a blocking read hangs),
//! a device or a link to `/dev/zero` (an endless read), a socket, a symlink loop, a link out
//! of the repository, or a huge file. Only regular files are opened, and reads are capped.
//!
//! The steps: the path's real location is resolved (and, with a root, must lie under it);
//! its kind is looked up without opening it, so nothing but a regular file is ever opened;
//! it is opened with `O_NONBLOCK` (a FIFO swapped in meanwhile cannot block the open) and the
//! opened file is checked again with `fstat`; then at most [`MAX_BYTES`] + 1 bytes are read,
//! whatever the metadata says, so a file that grows while read still costs a bounded amount.

use crate::analysis::{MAX_FILE_BYTES, Special};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The most that is ever read of one file.
pub const MAX_BYTES: u64 = MAX_FILE_BYTES;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Missing,
    /// Its real path lies outside the root it must stay under.
    Outside,
    Dir,
    Special(Special),
    TooLarge,
    /// Anything else the system reported (permissions, say).
    Failed(String),
}

impl Refused {
    /// What is wrong, after the file's name: "is a FIFO (named pipe), not a regular file".
    pub fn what(&self) -> String {
        match self {
            Refused::Missing => "does not exist".into(),
            Refused::Outside => "lies outside the repository".into(),
            Refused::Dir => "is a folder, not a file".into(),
            Refused::Special(kind) => format!("is {}, not a regular file", kind.describe()),
            Refused::TooLarge => format!("is larger than {} MiB", MAX_BYTES >> 20),
            Refused::Failed(e) => format!("cannot be read: {e}"),
        }
    }

    /// The refusal in words, about the file shown as `shown`: "`x` is larger than 4 MiB:
    /// not read".
    pub fn describe(&self, shown: &str) -> String {
        match self {
            Refused::Missing | Refused::Failed(_) => format!("`{shown}` {}", self.what()),
            _ => format!("`{shown}` {}: not read", self.what()),
        }
    }

    /// As an `io::Error` saying "it …" (a missing file stays `NotFound`, which callers
    /// treat as absent).
    pub fn into_io(self) -> std::io::Error {
        let kind = match self {
            Refused::Missing => std::io::ErrorKind::NotFound,
            _ => std::io::ErrorKind::Other,
        };
        let why = match &self {
            Refused::Missing | Refused::Failed(_) => format!("it {}", self.what()),
            _ => format!("it {}: not read", self.what()),
        };
        std::io::Error::new(kind, why)
    }

    fn from_io(e: &std::io::Error) -> Refused {
        match e.kind() {
            std::io::ErrorKind::NotFound => Refused::Missing,
            _ if is_loop(e) => Refused::Special(Special::SymlinkLoop),
            std::io::ErrorKind::PermissionDenied => Refused::Failed("permission denied".into()),
            _ => Refused::Failed(e.to_string()),
        }
    }
}

fn is_loop(e: &std::io::Error) -> bool {
    // ELOOP is 40 on Linux, 62 on the BSDs and macOS.
    let eloop = if cfg!(target_os = "linux") { 40 } else { 62 };
    e.raw_os_error() == Some(eloop)
}

/// A relative path that stays inside the folder it is relative to, tidied (`./a//b/` is
/// `a/b`); `None` when it is empty, absolute, has a drive or climbs out with `..`. The one
/// rule for every path a repository's settings name (the post-mortem directory, the
/// template); it looks at the text only: [`real_under`] checks where links lead.
pub fn inside(rel: &str) -> Option<String> {
    if rel.starts_with(['/', '\\']) || rel.get(1..2) == Some(":") {
        return None;
    }
    let parts: Vec<&str> = rel
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (!parts.is_empty() && !parts.contains(&"..")).then(|| parts.join("/"))
}

/// The real path of `path` (links resolved), which must lie under `root` (itself a real
/// path, see [`real_root`]).
pub fn real_under(root: &Path, path: &Path) -> Result<PathBuf, Refused> {
    let real = path.canonicalize().map_err(|e| Refused::from_io(&e))?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(Refused::Outside)
    }
}

/// `path` with `.` dropped and `..` taken back, without asking the file system (the path
/// may not exist on disk, or be a path in git's index).
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `root` with its links resolved (as given when it does not exist).
pub fn real_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// `rel` (relative, `/`-separated, no `..`) joined to `root` and resolved; it must stay
/// under `root` by real path.
pub fn resolve(root: &Path, rel: &str) -> Result<PathBuf, Refused> {
    let plain = Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if rel.is_empty() || !plain || rel.contains('\\') {
        return Err(Refused::Outside);
    }
    real_under(root, &root.join(rel))
}

/// What is at `path`, looked up without opening it (links followed): a regular file's
/// metadata, a folder, or the reason it is never read.
pub fn kind(path: &Path) -> Result<Metadata, Refused> {
    let meta = std::fs::metadata(path).map_err(|e| Refused::from_io(&e))?;
    check_kind(&meta)?;
    Ok(meta)
}

fn check_kind(meta: &Metadata) -> Result<(), Refused> {
    let kind = meta.file_type();
    if kind.is_file() || kind.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(Refused::Special(Special::Fifo));
        }
        if kind.is_socket() {
            return Err(Refused::Special(Special::Socket));
        }
    }
    Err(Refused::Special(Special::Device))
}

/// The bytes of the regular file at `path`, at most [`MAX_BYTES`] of them.
pub fn read(path: &Path) -> Result<Vec<u8>, Refused> {
    let before = kind(path)?;
    if before.is_dir() {
        return Err(Refused::Dir);
    }
    if before.len() > MAX_BYTES {
        return Err(Refused::TooLarge);
    }
    let file = open(path).map_err(|e| Refused::from_io(&e))?;
    // The path may have been swapped for something else since it was looked up.
    let opened = file.metadata().map_err(|e| Refused::from_io(&e))?;
    check_kind(&opened)?;
    if !opened.is_file() {
        return Err(Refused::Dir);
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refused::from_io(&e))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Refused::TooLarge);
    }
    Ok(bytes)
}

/// [`read`] as text (invalid UTF-8 replaced).
pub fn read_text(path: &Path) -> Result<String, Refused> {
    read(path).map(|bytes| match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// [`read_text`] of a file whose real path must lie under `root` (a real path).
pub fn read_under(root: &Path, path: &Path) -> Result<String, Refused> {
    read_text(&real_under(root, path)?)
}

/// [`read_text`] for callers that speak `io::Result` (configuration loading).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    read_text(path).map_err(Refused::into_io)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)
}

// Elsewhere only regular files reach the open (see `kind`), and `fstat` checks again after.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn root() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = real_root(&tmp.path().join("repo"));
        std::fs::create_dir_all(&root).unwrap();
        let root = real_root(&root);
        (tmp, root)
    }

    #[test]
    fn regular_files_are_read_whole() {
        let (_tmp, root) = root();
        std::fs::write(root.join("a.md"), "## 1. One\n").unwrap();
        assert_eq!(read_text(&root.join("a.md")).unwrap(), "## 1. One\n");
        assert_eq!(
            read_under(&root, &root.join("a.md")).unwrap(),
            "## 1. One\n"
        );
        assert_eq!(read(&root.join("nope")), Err(Refused::Missing));
        assert_eq!(read(&root), Err(Refused::Dir));
        let missing = read_to_string(&root.join("nope")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        let (_tmp, root) = root();
        std::fs::write(root.join("b.md"), b"a\xffb").unwrap();
        assert_eq!(read_text(&root.join("b.md")).unwrap(), "a\u{fffd}b");
    }

    #[test]
    fn files_over_the_cap_are_refused_without_reading_them() {
        let (_tmp, root) = root();
        let exact = root.join("exact");
        File::create(&exact).unwrap().set_len(MAX_BYTES).unwrap();
        assert_eq!(read(&exact).map(|b| b.len() as u64), Ok(MAX_BYTES));
        let big = root.join("big");
        File::create(&big).unwrap().set_len(100 << 20).unwrap();
        let started = Instant::now();
        assert_eq!(read(&big), Err(Refused::TooLarge));
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(
            Refused::TooLarge.describe("big"),
            "`big` is larger than 4 MiB: not read"
        );
    }

    #[cfg(unix)]
    #[test]
    fn fifos_sockets_and_devices_are_never_opened() {
        let (_tmp, root) = root();
        let fifo = root.join("p.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        assert_eq!(read(&fifo), Err(Refused::Special(Special::Fifo)));
        let sock = root.join("s.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        assert_eq!(read(&sock), Err(Refused::Special(Special::Socket)));
        assert_eq!(
            read(Path::new("/dev/zero")),
            Err(Refused::Special(Special::Device))
        );
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.md")).unwrap();
        assert_eq!(
            read(&root.join("zero.md")),
            Err(Refused::Special(Special::Device))
        );
        assert_eq!(
            read_under(&root, &root.join("zero.md")),
            Err(Refused::Outside)
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_links_out_are_refused() {
        let (tmp, root) = root();
        std::os::unix::fs::symlink("b", root.join("a")).unwrap();
        std::os::unix::fs::symlink("a", root.join("b")).unwrap();
        assert_eq!(
            read(&root.join("a")),
            Err(Refused::Special(Special::SymlinkLoop))
        );
        assert_eq!(
            resolve(&root, "a"),
            Err(Refused::Special(Special::SymlinkLoop))
        );
        std::fs::write(tmp.path().join("secret"), "s3cret").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("out")).unwrap();
        assert_eq!(resolve(&root, "out"), Err(Refused::Outside));
        assert_eq!(resolve(&root, "../secret"), Err(Refused::Outside));
        assert_eq!(resolve(&root, "/etc/passwd"), Err(Refused::Outside));
    }

    #[test]
    fn inside_keeps_relative_paths_that_stay_in() {
        assert_eq!(inside("./a//b/").as_deref(), Some("a/b"));
        assert_eq!(inside("t.md").as_deref(), Some("t.md"));
        for out in [
            "",
            "/etc/passwd",
            "../../etc/passwd",
            "a/../../b",
            "C:/x",
            "\\x",
        ] {
            assert_eq!(inside(out), None, "{out}");
        }
    }
}
