//! Finds the post-mortems `check` looks at: files named on the command line as they are,
//! and post-mortems found by walking directories (respecting `.gitignore`).

use super::parallel;
use crate::analysis::{Document, Schema, is_postmortem, parse};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

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
    /// Named on the command line (rather than found by walking a folder).
    pub named: bool,
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
/// Listing is sequential (it is cheap and fixes the order); reading and parsing the files
/// runs on every core; the results are then taken in listing order, so the files and the
/// problems reported on stderr come out the same way on every run.
pub fn collect(paths: &[PathBuf], schema: &Schema) -> Found {
    let mut items = Vec::new();
    if paths.is_empty() {
        match std::env::current_dir() {
            Ok(cwd) => {
                let root = cwd
                    .ancestors()
                    .find(|a| a.join(".git").exists())
                    .unwrap_or(&cwd)
                    .to_path_buf();
                walk(&root, Some(&cwd), &mut items);
            }
            Err(e) => items.push(Item::Problem(format!(
                "cannot read the current directory: {e}"
            ))),
        }
    }
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, None, &mut items),
            // Named files are checked whatever their name or content.
            Ok(_) => items.push(Item::File {
                path: path.clone(),
                real: None,
                display: None,
                named: true,
            }),
            Err(e) => items.push(Item::Problem(format!(
                "{}: {}",
                path.display(),
                io_reason(&e)
            ))),
        }
    }
    let loaded = parallel::map(&items, |item| load(item, schema));

    let mut found = Found {
        files: Vec::new(),
        io_problem: false,
    };
    // Canonical paths already taken, so a file named twice is reported once.
    let mut seen = HashSet::new();
    for outcome in loaded {
        let problem = match outcome {
            Loaded::Problem(message) => Some(message),
            Loaded::Skipped => None,
            Loaded::Kept(candidate) => {
                if seen.insert(candidate.real.clone()) {
                    found.files.push(*candidate);
                }
                None
            }
            Loaded::NotUtf8(key, message) => seen.insert(key).then_some(message),
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
        /// Named on the command line: checked whatever its name or content.
        named: bool,
    },
}

/// What became of one listed item. Kept files and undecodable post-mortems carry their
/// resolved path, so duplicates are dropped when the results are gathered.
enum Loaded {
    Problem(String),
    Skipped,
    Kept(Box<Candidate>),
    NotUtf8(PathBuf, String),
}

/// Walks `dir` for `.md` post-mortems. Hidden files and folders are skipped as `ignore`
/// does by default (`_docs` is not hidden). `.gitignore` is honoured even outside a git
/// checkout, so an unpacked archive is checked the same way as its repository.
/// `relative_to`: show paths relative to this folder (used when no path was given).
fn walk(dir: &Path, relative_to: Option<&Path>, items: &mut Vec<Item>) {
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    // The last folder resolved, and what it resolved to: files come folder by folder.
    let mut folder: Option<(PathBuf, Option<PathBuf>)> = None;
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                items.push(Item::Problem(format!(
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
        if entry.file_type().is_some_and(|t| t.is_file()) && is_md {
            let path = entry.into_path();
            let display = relative_to.map(|base| relative(&path, base));
            // The walk does not follow links, so a walked file is not one itself: its
            // resolved path is its resolved folder and its name. Resolving each folder once
            // instead of each file saves a handful of system calls per file.
            let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
                continue;
            };
            if folder.as_ref().is_none_or(|(dir, _)| dir != parent) {
                folder = Some((parent.to_path_buf(), parent.canonicalize().ok()));
            }
            let real = folder
                .as_ref()
                .and_then(|(_, real)| real.as_ref())
                .map(|dir| dir.join(name));
            items.push(Item::File {
                path,
                real,
                display,
                named: false,
            });
        }
    }
}

/// Reads and parses one file; keeps it when it was named or is a post-mortem.
fn load(item: &Item, schema: &Schema) -> Loaded {
    let (path, real, display, named) = match item {
        Item::Problem(message) => return Loaded::Problem(message.clone()),
        Item::File {
            path,
            real,
            display,
            named,
        } => (path, real, display, *named),
    };
    let key = real
        .clone()
        .or_else(|| path.canonicalize().ok())
        .unwrap_or_else(|| path.clone());
    let display = display.clone().unwrap_or_else(|| tidy(path));
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Loaded::Problem(format!("{display}: {}; skipped", io_reason(&e))),
    };
    let path_str = path.to_string_lossy();
    match String::from_utf8(bytes) {
        Ok(text) => {
            let doc = parse(&text);
            if named || is_postmortem(Some(&path_str), &text, &doc, schema) {
                let candidate = Candidate {
                    display,
                    path: path.clone(),
                    real: key,
                    text,
                    doc,
                    named,
                };
                Loaded::Kept(Box::new(candidate))
            } else {
                Loaded::Skipped
            }
        }
        Err(e) => {
            // A walked file that is not UTF-8 is reported only when it would have been
            // checked (judged on a lossy decoding), so stray Latin-1 notes stay quiet.
            let lossy = String::from_utf8_lossy(e.as_bytes());
            let doc = parse(&lossy);
            if named || is_postmortem(Some(&path_str), &lossy, &doc, schema) {
                Loaded::NotUtf8(key, format!("{display}: not valid UTF-8; skipped"))
            } else {
                Loaded::Skipped
            }
        }
    }
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
fn relative(path: &Path, base: &Path) -> String {
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
