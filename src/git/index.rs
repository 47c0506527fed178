//! The staged content of a repository (its index), for `check --staged`: which files the
//! next commit adds, changes or renames, what the index holds for any path, and the blobs
//! themselves, read size-capped like every other file.

use super::command::{Git, Sha};
use crate::fsread::{MAX_BYTES, Refused};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The deadline for listing the whole index or the staged changes: their size grows with
/// the repository (a monorepo's index lists hundreds of thousands of files), so the usual
/// 2 s could cut them short. Reading one blob keeps the usual deadline.
const LIST_TIMEOUT: Duration = Duration::from_secs(30);

/// A repository's index, as the next commit will record it.
pub struct Index {
    /// The repository's top folder, resolved.
    pub top: PathBuf,
    /// The current folder relative to `top`, with `/` and a trailing `/` (empty at the top).
    pub prefix: String,
    /// The index file git is told to use (`GIT_INDEX_FILE` of a `git commit -a` hook), or
    /// `None` for the repository's own.
    file: Option<PathBuf>,
    /// Every regular file of the index (stage 0) and its blob, listed on first use.
    entries: OnceLock<Option<HashMap<String, Sha>>>,
}

impl Index {
    /// The index of the repository holding `cwd`. `GIT_INDEX_FILE`, when set (git sets it for
    /// the hooks of `git commit -a` and `git commit PATH`, whose commit is made from a
    /// temporary index), is used only when it names a file inside the repository's git
    /// folders; another value is refused, so the environment cannot point the check at
    /// some other file.
    pub fn open(cwd: &Path) -> Result<Index, String> {
        let text = Git::new(cwd)
            .arg("rev-parse")
            .arg("--show-toplevel")
            .arg("--git-dir")
            .arg("--git-common-dir")
            .arg("--show-prefix")
            .output()
            .ok_or("could not run git, or it did not answer within 2 s; is it installed?")?;
        let (true, out) = text else {
            return Err("this is not inside a git repository (or it is a bare one)".into());
        };
        let out = String::from_utf8(out).map_err(|_| "git printed a path that is not UTF-8")?;
        let mut lines = out.lines();
        let (Some(top), Some(git_dir), Some(common_dir)) =
            (lines.next(), lines.next(), lines.next())
        else {
            return Err(
                "this is not inside a work tree; run it from the repository's folder".into(),
            );
        };
        let prefix = lines.next().unwrap_or("").to_string();
        let location = super::Location {
            top: PathBuf::from(top),
            git_dir: cwd.join(git_dir),
            common_dir: cwd.join(common_dir),
        };
        if !super::trusted(&location) {
            return Err(format!(
                "the repository at {} is not trusted: its git folder lies outside it, or its \
                 `core.worktree` names another folder",
                location.top.display()
            ));
        }
        let top = location.top.canonicalize().unwrap_or(location.top);
        let file = match std::env::var_os("GIT_INDEX_FILE") {
            None => None,
            Some(value) => {
                let given = cwd.join(PathBuf::from(value));
                let real = given
                    .canonicalize()
                    .map_err(|e| format!("GIT_INDEX_FILE `{}`: {e}", given.display()))?;
                let inside = [git_dir, common_dir].iter().any(|dir| {
                    cwd.join(dir)
                        .canonicalize()
                        .is_ok_and(|dir| real.starts_with(dir))
                });
                if !inside || !real.is_file() {
                    return Err(format!(
                        "GIT_INDEX_FILE `{}` is not an index file inside this repository's \
                         git folder; not used",
                        given.display()
                    ));
                }
                Some(real)
            }
        };
        // Git reads the index with a plain blocking read: a FIFO there would hold the check
        // for the whole listing deadline.
        let index_file = file
            .clone()
            .unwrap_or_else(|| cwd.join(git_dir).join("index"));
        if let Err(refused) = crate::fsread::kind(&index_file)
            && refused != Refused::Missing
        {
            return Err(refused.describe(&index_file.display().to_string()));
        }
        Ok(Index {
            top,
            prefix,
            file,
            entries: OnceLock::new(),
        })
    }

    fn git(&self) -> Git {
        let git = Git::new(&self.top);
        match &self.file {
            Some(file) => git.index_file(file),
            None => git,
        }
    }

    /// The paths (relative to the top, with `/`) the next commit adds, modifies, copies or
    /// renames (under their new name), against `HEAD` or, before the first commit, against
    /// nothing. Deleted files are not listed. `None` when git failed or took too long.
    pub fn staged(&self) -> Option<Vec<String>> {
        let (ok, out) = self
            .git()
            .arg("diff")
            .arg("--cached")
            .arg("--name-only")
            .arg("-z")
            .arg("--diff-filter=ACMR")
            .arg("-M")
            .arg("--no-textconv")
            .arg("--no-ext-diff")
            .arg("--ignore-submodules")
            .output_within(LIST_TIMEOUT)?;
        ok.then(|| nul_separated(&out).map(str::to_owned).collect())
    }

    /// Every path of the index, relative to the top: the regular files at stage 0 (no
    /// links, submodules or unresolved conflicts). `None` when git failed or took too long.
    pub fn paths(&self) -> Option<Vec<&str>> {
        let entries = self.entries()?;
        let mut paths: Vec<&str> = entries.keys().map(String::as_str).collect();
        paths.sort_unstable();
        Some(paths)
    }

    /// The blob the index holds at `rel` (relative to the top, with `/`), if it is a
    /// regular file there.
    pub fn blob(&self, rel: &str) -> Option<&Sha> {
        self.entries()?.get(rel)
    }

    fn entries(&self) -> Option<&HashMap<String, Sha>> {
        self.entries
            .get_or_init(|| {
                let (ok, out) = self
                    .git()
                    .arg("ls-files")
                    .arg("--stage")
                    .arg("-z")
                    .output_within(LIST_TIMEOUT)?;
                ok.then(|| parse_stage(&out))
            })
            .as_ref()
    }

    /// The staged content at `rel`, read whole up to [`MAX_BYTES`]: `Refused::Missing` when
    /// the index holds no regular file there.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, Refused> {
        let sha = self.blob(rel).ok_or(Refused::Missing)?;
        let size = Git::new(&self.top)
            .arg("cat-file")
            .arg("-s")
            .sha(sha)
            .text()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| Refused::Failed("git could not say the staged blob's size".into()))?;
        if size > MAX_BYTES {
            return Err(Refused::TooLarge);
        }
        match Git::new(&self.top)
            .arg("cat-file")
            .arg("blob")
            .sha(sha)
            .output()
        {
            Some((true, bytes)) if bytes.len() as u64 == size => Ok(bytes),
            _ => Err(Refused::Failed(
                "git could not read the staged blob within 2 s".into(),
            )),
        }
    }

    /// `path` (absolute, resolved) relative to the top with `/`, when it lies under it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.top).ok()?;
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        Some(parts?.join("/"))
    }
}

fn nul_separated(out: &[u8]) -> impl Iterator<Item = &str> {
    out.split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .filter_map(|s| std::str::from_utf8(s).ok())
}

/// `git ls-files --stage -z` lines, `MODE SHA STAGE\tPATH`: the regular files (modes
/// 100644 and 100755) at stage 0.
fn parse_stage(out: &[u8]) -> HashMap<String, Sha> {
    nul_separated(out)
        .filter_map(|line| {
            let (meta, path) = line.split_once('\t')?;
            let mut meta = meta.split(' ');
            let (mode, sha, stage) = (meta.next()?, meta.next()?, meta.next()?);
            let regular = mode == "100644" || mode == "100755";
            (regular && stage == "0").then_some(())?;
            Some((path.to_string(), Sha::parse(sha)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_at_stage_zero_are_entries() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let out = format!(
            "100644 {a} 0\tdocs/x.md\0100755 {b} 0\trun.sh\0120000 {a} 0\tlink.md\0\
             160000 {a} 0\tsub\0100644 {a} 1\tboth.md\0100644 {b} 2\tboth.md\0"
        );
        let entries = parse_stage(out.as_bytes());
        let mut keys: Vec<&str> = entries.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["docs/x.md", "run.sh"]);
        assert_eq!(entries["run.sh"].as_str(), b);
    }

    #[test]
    fn names_with_spaces_and_newlines_survive_nul_separation() {
        let names: Vec<&str> = nul_separated(b"a b.md\0new\nline.md\0\0").collect();
        assert_eq!(names, ["a b.md", "new\nline.md"]);
    }
}
