//! `check --staged`: the post-mortems of the next commit as it will record them, read from
//! the index (not the working tree) and checked under the paths they will have, each under
//! its configuration and template as the index holds them.
//!
//! Which files: without paths, the staged additions, modifications, copies and renames
//! (`git diff --cached`, renamed files under their new name, deleted ones not at all); with
//! paths, every file of the index under them (what the pre-commit framework passes, and
//! `pre-commit run --all-files`). Of those, the `.md` files outside hidden folders that
//! [`Loaded::is_postmortem`] calls post-mortems, judged on their staged text: the same rule
//! as `check .`, so the template in force is never checked as a post-mortem.
//!
//! Configuration and template: found where `check` finds them (they must exist in the work
//! tree), and read from the index when it holds them, from the disk when they are not
//! tracked, so a commit is checked under the settings it records. Files a post-mortem refers
//! to (evidence, procedures) are looked up on disk, as `check` does.

use super::walk::{self, Candidate, Found};
use crate::analysis::{Document, parse};
use crate::config::load::{Loaded, Sources, config_key, load_with};
use crate::env::find_root;
use crate::fsread::{self, Refused};
use crate::git::index::Index;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The index of the repository holding the current folder, and the configurations loaded
/// from it.
pub struct Staged {
    index: Index,
    /// The current folder, resolved: reports show paths relative to it.
    cwd: PathBuf,
    configs: Mutex<HashMap<Option<PathBuf>, Arc<Loaded>>>,
}

/// A staged file to read and judge.
struct Pending {
    rel: String,
    abs: PathBuf,
    display: String,
    loaded: Arc<Loaded>,
    root: Option<PathBuf>,
}

enum Outcome {
    Kept(Box<Candidate>),
    Skipped,
    Problem(String),
}

impl Staged {
    pub fn open() -> Result<Staged, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
        let cwd = cwd.canonicalize().unwrap_or(cwd);
        let index = Index::open(&cwd)?;
        Ok(Staged {
            index,
            cwd,
            configs: Mutex::new(HashMap::new()),
        })
    }

    /// The staged post-mortems (see the module's documentation), read and parsed, in path
    /// order. Problems (a path not in the index, a blob too large or not UTF-8, git failing)
    /// are said on stderr and make the check incomplete.
    pub fn collect(&self, paths: &[PathBuf]) -> Found {
        let mut found = Found {
            files: Vec::new(),
            io_problem: false,
        };
        let problem = |message: String| {
            eprintln!("postmortem-lsp: {message}");
            true
        };
        let listed = if paths.is_empty() {
            self.index.staged()
        } else {
            self.index.paths().map(|all| {
                let mut chosen = Vec::new();
                for path in paths {
                    match self.under(path, &all) {
                        Ok(mut rels) => chosen.append(&mut rels),
                        Err(message) => found.io_problem |= problem(message),
                    }
                }
                chosen.sort_unstable();
                chosen.dedup();
                chosen
            })
        };
        let Some(listed) = listed else {
            found.io_problem |=
                problem("git could not list the staged files (or took longer than 30 s)".into());
            return found;
        };
        // Each file's configuration is loaded in path order, so its problems come out in
        // the same order on every run; the blobs are then read on every core.
        let mut pending = Vec::new();
        for rel in listed.into_iter().filter(|rel| wanted_name(rel)) {
            let abs = self.index.top.join(&rel);
            let root = find_root(&abs);
            let loaded = self.config_for(&abs, root.as_deref());
            let display = walk::relative(&abs, &self.cwd);
            if loaded.is_template(&abs) {
                eprintln!("postmortem-lsp: {}", walk::template_note(&display));
                continue;
            }
            pending.push(Pending {
                rel,
                abs,
                display,
                loaded,
                root,
            });
        }
        for outcome in super::parallel::map(&pending, |p| self.load(p)) {
            match outcome {
                Outcome::Kept(candidate) => found.files.push(*candidate),
                Outcome::Skipped => {}
                Outcome::Problem(message) => found.io_problem |= problem(message),
            }
        }
        found
    }

    /// The index paths under `path` (a file or folder, relative to the current folder).
    fn under(&self, path: &Path, all: &[&str]) -> Result<Vec<String>, String> {
        let abs = crate::fsread::lexical(&self.cwd.join(path));
        let abs = abs.canonicalize().unwrap_or(abs);
        let Some(rel) = self.index.relative(&abs) else {
            return Err(format!(
                "{}: outside the repository; skipped",
                path.display()
            ));
        };
        let chosen = within(all, &rel);
        if chosen.is_empty() {
            return Err(format!(
                "{}: not in the index (not staged, or not a regular file); skipped",
                path.display()
            ));
        }
        Ok(chosen)
    }

    /// Reads one staged blob, keeps it when it is a post-mortem.
    fn load(&self, p: &Pending) -> Outcome {
        let bytes = match self.index.read(&p.rel) {
            Ok(bytes) => bytes,
            Err(refused) => {
                return Outcome::Problem(format!(
                    "{} (staged); skipped",
                    refused.describe(&p.display)
                ));
            }
        };
        let wanted = |text: &str, doc: &Document| {
            p.loaded.is_postmortem(&p.abs, p.root.as_deref(), text, doc)
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                let doc = parse(&text);
                if !wanted(&text, &doc) {
                    return Outcome::Skipped;
                }
                Outcome::Kept(Box::new(Candidate {
                    display: p.display.clone(),
                    path: p.abs.clone(),
                    real: p.abs.clone(),
                    text,
                    doc,
                }))
            }
            // As for walked files: reported only when it would have been checked.
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes());
                if wanted(&lossy, &parse(&lossy)) {
                    Outcome::Problem(format!(
                        "{}: staged text is not valid UTF-8; skipped",
                        p.display
                    ))
                } else {
                    Outcome::Skipped
                }
            }
        }
    }

    /// The configuration for the staged file at `file` under `root`, its configuration file
    /// and template read from the index when it holds them; its problems go to stderr the
    /// first time it is loaded, as `check` does.
    pub fn config_for(&self, file: &Path, root: Option<&Path>) -> Arc<Loaded> {
        let key = config_key(file, root);
        let mut configs = self.configs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(loaded) = configs.get(&key) {
            return loaded.clone();
        }
        let read = |path: &Path| self.read_config_file(path);
        let loaded = Arc::new(match &key {
            Some(path) => load_with(
                path,
                &Sources {
                    read: &read,
                    editor: None,
                    previous: None,
                },
            ),
            None => Loaded::builtin(),
        });
        for p in &loaded.problems {
            eprintln!("postmortem-lsp: {}", p.render());
        }
        configs.insert(key, loaded.clone());
        loaded
    }

    /// A configuration file or template: the index's version when it holds one, else the
    /// disk's (an untracked file), through the guarded reader.
    fn read_config_file(&self, path: &Path) -> std::io::Result<String> {
        let staged = self
            .index
            .relative(&crate::fsread::lexical(path))
            .filter(|rel| self.index.blob(rel).is_some());
        let Some(rel) = staged else {
            return fsread::read_to_string(path);
        };
        let bytes = self.index.read(&rel).map_err(Refused::into_io)?;
        String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "its staged text is not valid UTF-8",
            )
        })
    }
}

/// The paths of `all` (sorted) that are `rel` or lie in the folder `rel` (everything when it
/// is empty): found by binary search, as the pre-commit framework may pass thousands of
/// files of an index holding many more.
fn within(all: &[&str], rel: &str) -> Vec<String> {
    if all.binary_search(&rel).is_ok() {
        return vec![rel.to_string()];
    }
    let folder = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let start = all.partition_point(|p| *p < folder.as_str());
    all[start..]
        .iter()
        .take_while(|p| p.starts_with(&folder))
        .map(|p| p.to_string())
        .collect()
}

/// Whether a staged path is one `check .` would look at: a `.md` file with no hidden
/// folder or name on its way (`ignore`'s default, which the walk keeps).
fn wanted_name(rel: &str) -> bool {
    let is_md = Path::new(rel)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"));
    is_md && !rel.split('/').any(|part| part.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_markdown_files_are_looked_at() {
        assert!(wanted_name("_docs/06_metrics/postmortem_2026-03-14_x.md"));
        assert!(wanted_name("NOTES.MD"));
        assert!(!wanted_name("_docs/06_metrics/postmortem_x.txt"));
        assert!(!wanted_name(".github/postmortem_x.md"));
        assert!(!wanted_name("_docs/.drafts/postmortem_x.md"));
    }

    #[test]
    fn paths_are_chosen_by_file_or_folder() {
        let all = ["_docs/a.md", "_docs/b/c.md", "_docs2/d.md", "e.md"];
        assert_eq!(within(&all, "_docs/a.md"), ["_docs/a.md"]);
        assert_eq!(within(&all, "_docs"), ["_docs/a.md", "_docs/b/c.md"]);
        assert_eq!(within(&all, "_docs/b"), ["_docs/b/c.md"]);
        assert_eq!(within(&all, ""), all);
        assert!(within(&all, "_doc").is_empty());
        assert!(within(&all, "e").is_empty());
    }

    #[test]
    fn lexical_paths_drop_dots() {
        assert_eq!(
            crate::fsread::lexical(Path::new("/r/a/./b/../c.md")),
            Path::new("/r/a/c.md")
        );
    }
}
