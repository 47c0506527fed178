//! Finds the post-mortems `check` looks at: files named on the command line as they are,
//! and post-mortems found by walking directories (respecting `.gitignore`), judged under
//! each folder's configuration by [`Loaded::is_postmortem`].

use super::parallel;
use crate::analysis::{Document, parse};
use crate::config::load::{Configs, Loaded};
use crate::env::find_root;
use crate::fsread::{self, Refused};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A file to check, already read and parsed.
pub struct Candidate {
    /// The path to show in reports.
    pub display: String,
    /// The path as given or found.
    pub path: PathBuf,
    /// The resolved path (symbolic links and `..` followed), to find the workspace root
    /// from; `path` itself if it could not be resolved.
    pub real: PathBuf,
    pub text: String,
    pub doc: Document,
}

/// What the search found, and whether anything could not be read (reported on stderr).
pub struct Found {
    pub files: Vec<Candidate>,
    pub io_problem: bool,
}

/// Collects the files to check from the command-line paths; with none, the current
/// repository (the nearest ancestor of the working directory holding `.git`, else the
/// working directory itself).
///
/// Listing is sequential (it is cheap and fixes the order, and each folder's configuration
/// is read, and its problems reported, in that order); reading and parsing the files runs
/// on every core; the results are then taken in listing order, so the files and the
/// problems reported on stderr come out the same way on every run.
pub fn collect(paths: &[PathBuf], configs: &Configs) -> Found {
    let mut items = Vec::new();
    let mut walker = Walker {
        configs,
        items: &mut items,
    };
    if paths.is_empty() {
        match std::env::current_dir() {
            Ok(cwd) => {
                let root = cwd
                    .ancestors()
                    .find(|a| a.join(".git").exists())
                    .unwrap_or(&cwd)
                    .to_path_buf();
                walker.walk(&root, Some(&cwd));
            }
            Err(e) => walker.items.push(Item::Problem(format!(
                "cannot read the current directory: {e}"
            ))),
        }
    }
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walker.walk(path, None),
            // Named files are checked whatever their name or content, except the template
            // in force, which is the schema (see `load`).
            Ok(_) => {
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                let judge = path
                    .file_name()
                    .map(|name| walker.folder(parent, name).judge);
                walker.items.push(Item::File {
                    path: path.clone(),
                    real: None,
                    display: None,
                    judge: judge.map(Judge::Named),
                })
            }
            Err(e) => walker.items.push(Item::Problem(format!(
                "{}: {}",
                path.display(),
                io_reason(&e)
            ))),
        }
    }
    let loaded = parallel::map(&items, load);

    let mut found = Found {
        files: Vec::new(),
        io_problem: false,
    };
    // Canonical paths already taken, so a file named twice is reported once.
    let mut seen = HashSet::new();
    for outcome in loaded {
        let problem = match outcome {
            Outcome::Problem(message) => Some(message),
            Outcome::Skipped => None,
            Outcome::Kept(candidate) => {
                if seen.insert(candidate.real.clone()) {
                    found.files.push(*candidate);
                }
                None
            }
            Outcome::NotUtf8(key, message) => seen.insert(key).then_some(message),
            Outcome::Template(display) => {
                eprintln!("postmortem-lsp: {}", template_note(&display));
                None
            }
        };
        if let Some(message) = problem {
            eprintln!("postmortem-lsp: {message}");
            found.io_problem = true;
        }
    }
    found
}

/// One entry of the listing: a file to look at, or a problem met while listing.
enum Item {
    Problem(String),
    File {
        path: PathBuf,
        /// The resolved path, when already known.
        real: Option<PathBuf>,
        /// The path to show, when not the path itself.
        display: Option<String>,
        /// The configuration of its folder and its workspace root, which decide whether
        /// it is checked.
        judge: Option<Judge>,
    },
}

/// How a listed file is judged, under its folder's configuration and root.
enum Judge {
    /// Found by walking: checked when it is a post-mortem ([`Loaded::is_postmortem`]).
    Walked((Arc<Loaded>, Option<PathBuf>)),
    /// Named on the command line: checked whatever its name or content, unless it is the
    /// template in force ([`Loaded::is_template`]), the one file that is the schema.
    Named((Arc<Loaded>, Option<PathBuf>)),
}

/// What became of one listed item. Kept files and undecodable post-mortems carry their
/// resolved path, so duplicates are dropped when the results are gathered.
enum Outcome {
    Problem(String),
    Skipped,
    Kept(Box<Candidate>),
    NotUtf8(PathBuf, String),
    /// A named file that is the template in force: said on stderr, not checked.
    Template(String),
}

/// What walking needs: where configurations come from and where items go.
struct Walker<'a> {
    configs: &'a Configs,
    items: &'a mut Vec<Item>,
}

/// The folder a walk is in: its path, resolved path, root and configuration.
struct Folder {
    dir: PathBuf,
    real: Option<PathBuf>,
    judge: (Arc<Loaded>, Option<PathBuf>),
}

impl Walker<'_> {
    /// Walks `dir` for `.md` files. Hidden files and folders are skipped as `ignore` does
    /// by default (`_docs` is not hidden). `.gitignore` is honoured even outside a git
    /// checkout, so an unpacked archive is checked the same way as its repository.
    /// `relative_to`: show paths relative to this folder (used when no path was given).
    fn walk(&mut self, dir: &Path, relative_to: Option<&Path>) {
        // `ignore` reads the ignore files of the folder, its parents and each folder it
        // enters with a plain blocking read, so a FIFO `.gitignore` would hang the walk and
        // a link to `/dev/zero` would fill memory. Such folders are left out, said on stderr.
        let unreadable = dir.ancestors().find_map(unreadable_ignore_file);
        if let Some(problem) = unreadable {
            self.items.push(Item::Problem(format!(
                "{problem}; {} skipped",
                dir.display()
            )));
            return;
        }
        let skipped = Arc::new(std::sync::Mutex::new(Vec::new()));
        let skipped_in_walk = skipped.clone();
        let walker = ignore::WalkBuilder::new(dir)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(move |entry| {
                if !entry.file_type().is_some_and(|t| t.is_dir()) {
                    return true;
                }
                let problem = if entry.depth() > MAX_DEPTH {
                    Some(format!(
                        "{}: nested more than {MAX_DEPTH} folders deep",
                        entry.path().display()
                    ))
                } else {
                    unreadable_ignore_file(entry.path())
                };
                let Some(problem) = problem else {
                    return true;
                };
                if let Ok(mut skipped) = skipped_in_walk.lock() {
                    skipped.push(problem);
                }
                false
            })
            .build();
        // The last folder resolved: files come folder by folder.
        let mut folder: Option<Folder> = None;
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.items.push(Item::Problem(format!(
                        "while searching {}: {e}",
                        dir.display()
                    )));
                    continue;
                }
            };
            let is_md = entry
                .path()
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"));
            if !(entry.file_type().is_some_and(|t| t.is_file()) && is_md) {
                continue;
            }
            let path = entry.into_path();
            let display = relative_to.map(|base| relative(&path, base));
            // The walk does not follow links, so a walked file is not one itself: its
            // resolved path is its resolved folder and its name. Resolving each folder once
            // instead of each file saves a handful of system calls per file; the root and
            // the configuration only depend on the folder too.
            let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
                continue;
            };
            if folder.as_ref().is_none_or(|f| f.dir != parent) {
                folder = Some(self.folder(parent, name));
            }
            let Some(folder) = &folder else { continue };
            self.items.push(Item::File {
                real: folder.real.as_ref().map(|dir| dir.join(name)),
                path,
                display,
                judge: Some(Judge::Walked(folder.judge.clone())),
            });
        }
        let skipped = std::mem::take(&mut *skipped.lock().unwrap_or_else(|e| e.into_inner()));
        for problem in skipped {
            self.items
                .push(Item::Problem(format!("{problem}; folder skipped")));
        }
    }

    /// Resolves `dir` (holding the file `name`) and finds its root and configuration.
    fn folder(&self, dir: &Path, name: &std::ffi::OsStr) -> Folder {
        let real = dir.canonicalize().ok();
        let file = real
            .clone()
            .or_else(|| std::path::absolute(dir).ok())
            .unwrap_or_else(|| dir.to_path_buf())
            .join(name);
        let root = find_root(&file);
        let loaded = super::config::for_file(self.configs, &file, root.as_deref());
        Folder {
            dir: dir.to_path_buf(),
            real,
            judge: (loaded, root),
        }
    }
}

/// How deep a walk goes below the folder it starts from. Each folder costs work that grows
/// with its path's length (the kernel resolves every component), so a repository of 2,000
/// nested folders took minutes; no post-mortem project nests this deep.
const MAX_DEPTH: usize = 100;

/// The ignore files `ignore` reads in a folder.
const IGNORE_FILES: [&str; 3] = [".gitignore", ".ignore", ".git/info/exclude"];

/// Why `dir` cannot be walked safely: one of its ignore files exists but is not a regular
/// file inside `dir` by real path (a FIFO, a device, a socket, a link to one, or a link
/// out, such as to `/proc/self/pagemap`, which says it is empty and reads without end), or
/// is too large to read. The same rule as every other repository file ([`fsread`]).
fn unreadable_ignore_file(dir: &Path) -> Option<String> {
    IGNORE_FILES.iter().find_map(|name| {
        let path = dir.join(name);
        // Absent is fine, and so is a folder of that name: `ignore` skips both.
        std::fs::symlink_metadata(&path).ok()?;
        // Resolved only when there is a file to judge: most folders have none.
        let real_dir = fsread::real_root(dir);
        let refused =
            match fsread::real_under(&real_dir, &path).and_then(|real| fsread::kind(&real)) {
                Ok(meta) if meta.is_dir() || meta.len() <= fsread::MAX_BYTES => return None,
                Ok(_) => Refused::TooLarge,
                Err(refused) => refused,
            };
        Some(format!("{}: {}, not read", path.display(), refused.what()))
    })
}

/// Reads and parses one file; keeps it when it was named or is a post-mortem.
fn load(item: &Item) -> Outcome {
    let (path, real, display, judge) = match item {
        Item::Problem(message) => return Outcome::Problem(message.clone()),
        Item::File {
            path,
            real,
            display,
            judge,
        } => (path, real, display, judge),
    };
    let key = real
        .clone()
        .or_else(|| path.canonicalize().ok())
        .unwrap_or_else(|| path.clone());
    let display = display.clone().unwrap_or_else(|| tidy(path));
    if let Some(Judge::Named((loaded, _))) = judge
        && loaded.is_template(&key)
    {
        return Outcome::Template(display);
    }
    // Through the guarded reader: a named FIFO or device is refused, never read.
    let bytes = match fsread::read(path) {
        Ok(bytes) => bytes,
        Err(Refused::Missing) => {
            return Outcome::Problem(format!("{display}: no such file or directory; skipped"));
        }
        Err(Refused::Failed(e)) => return Outcome::Problem(format!("{display}: {e}; skipped")),
        Err(refused) => {
            return Outcome::Problem(format!("{}; skipped", refused.describe(&display)));
        }
    };
    // A walked file is judged by its resolved path, which is where its configuration
    // and root were found from.
    let wanted = |text: &str, doc: &Document| match judge {
        None | Some(Judge::Named(_)) => true,
        Some(Judge::Walked((loaded, root))) => {
            loaded.is_postmortem(&key, root.as_deref(), text, doc)
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let doc = parse(&text);
            if wanted(&text, &doc) {
                let candidate = Candidate {
                    display,
                    path: path.clone(),
                    real: key,
                    text,
                    doc,
                };
                Outcome::Kept(Box::new(candidate))
            } else {
                Outcome::Skipped
            }
        }
        Err(e) => {
            // A walked file that is not UTF-8 is reported only when it would have been
            // checked (judged on a lossy decoding), so stray Latin-1 notes stay quiet.
            let lossy = String::from_utf8_lossy(e.as_bytes());
            let doc = parse(&lossy);
            if wanted(&lossy, &doc) {
                Outcome::NotUtf8(key, format!("{display}: not valid UTF-8; skipped"))
            } else {
                Outcome::Skipped
            }
        }
    }
}

/// What `check` says about the template in force when it is named or staged: it is the
/// schema the post-mortems are checked against (its own problems are the configuration's,
/// printed when it is loaded), never checked as a post-mortem.
pub fn template_note(display: &str) -> String {
    format!("{display}: the team template in force (the schema), not a post-mortem; not checked")
}

/// An I/O error in words, without the "(os error 2)" noise.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// A path for reports: as given, without a leading `./` (walking `.` adds one to each).
fn tidy(path: &Path) -> String {
    let mut parts = path.components().peekable();
    while parts.next_if_eq(&Component::CurDir).is_some() {}
    let rest: PathBuf = parts.collect();
    if rest.as_os_str().is_empty() {
        path.display().to_string()
    } else {
        rest.display().to_string()
    }
}

/// `path` relative to `base` (both absolute), with `..` where it lies outside `base`.
pub fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.display().to_string();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn relative_paths() {
        let r = |p: &str, b: &str| relative(Path::new(p), Path::new(b));
        assert_eq!(r("/r/_docs/a.md", "/r"), "_docs/a.md");
        assert_eq!(r("/r/_docs/a.md", "/r/src"), "../_docs/a.md");
        assert_eq!(r("/r/a.md", "/r/x/y"), "../../a.md");
        assert_ne!(r("/r/a.md", "/r/x"), "a.md");
        assert_eq!(tidy(Path::new("./_docs/a.md")), "_docs/a.md");
        assert_eq!(tidy(Path::new("a/./b.md")), "a/b.md");
        assert_eq!(tidy(Path::new(".")), ".");
    }
}
