//! `postmortem-lsp check`: finds post-mortems (in the working tree, or with `--staged` in the
//! index, see `cli/staged.rs`), analyzes each with the same core the server uses, prints a
//! report and turns it into an exit code. It never writes a file.
//!
//! Exit codes: 0 when there are no errors (warnings and hints allowed), 1 when there is an
//! error (or, with `--strict`, a warning), 2 for usage errors and for any path that could
//! not be read (missing, unreadable, not UTF-8). Unreadable paths win over findings: a
//! check that skipped a file is incomplete, and CI should not take its 1 or 0 at face value.
//! The readable files are still checked and reported.

use super::output::{self, Checked, Counts};
use super::parallel;
use super::staged;
use super::walk;
use super::{CheckArgs, Format};
use crate::analysis::commits::Commits;
use crate::analysis::{Env, Workspace, check};
use crate::config::load::{Configs, Loaded};
use crate::env::{FsWorkspace, find_root};
use crate::git::{Repo, Repos};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file's folder and workspace root: all that decides which repository it belongs to.
type Place<'a> = (Option<&'a Path>, Option<&'a Path>);

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> u8 {
    if args.staged {
        return match staged::Staged::open() {
            Ok(staged) => {
                let found = staged.collect(&args.paths);
                // The hooks run on every commit: one that records no post-mortem passes
                // without a word (the machine formats still print their empty report).
                if found.files.is_empty() && !found.io_problem && args.format == Format::Human {
                    return 0;
                }
                report(args, found, &|file, root| staged.config_for(file, root))
            }
            Err(e) => {
                eprintln!("postmortem-lsp check --staged: {e}");
                2
            }
        };
    }
    let configs = Configs::new();
    let found = walk::collect(&args.paths, &configs);
    report(args, found, &|file, root| {
        super::config::for_file(&configs, file, root)
    })
}

/// Checks the files found, each under the configuration `config_for` gives for its resolved
/// path and root, prints the report and returns the exit code.
fn report(
    args: &CheckArgs,
    found: walk::Found,
    config_for: &dyn Fn(&Path, Option<&Path>) -> Arc<Loaded>,
) -> u8 {
    let now = chrono::Utc::now();

    // Where each file belongs, found on every core (it is all file-system calls). The
    // working directory is asked once, not once per relative path.
    let cwd = std::env::current_dir().ok();
    let absolute = |path: &Path| match &cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let places = parallel::map(&found.files, |file| {
        // `real` is already resolved, so `..` and links lead to the folder holding `_docs/`
        // or `.git`.
        let real = absolute(&file.real);
        (find_root(&real), absolute(&file.path), real)
    });
    // One workspace per root, so files of the same repository share its lookup cache.
    let mut workspaces: HashMap<PathBuf, FsWorkspace> = HashMap::new();
    // SHAs are checked against the repository each file lives in; without git or outside
    // a repository the git checks stay quiet. The repository only depends on the file's
    // folder and root, so git is asked once per folder, here, before the threads start,
    // rather than by several threads racing on the same folder.
    let repos = Repos::new();
    let mut repo_of: HashMap<Place, Option<Arc<Repo>>> = HashMap::new();
    let mut jobs = Vec::with_capacity(found.files.len());
    for (file, (root, absolute, real)) in found.files.iter().zip(&places) {
        // The team's settings, found from the resolved path as the walk found them.
        let config = config_for(real, root.as_deref());
        if let Some(root) = root {
            workspaces
                .entry(root.clone())
                .or_insert_with(|| FsWorkspace::new(root));
        }
        let repo = repo_of
            .entry((absolute.parent(), root.as_deref()))
            .or_insert_with(|| repos.for_document(absolute, root.as_deref()))
            .clone();
        jobs.push((file, root.as_ref(), repo, config));
    }
    for refusal in repos.take_refusals() {
        eprintln!("postmortem-lsp: warning: {refusal}");
    }

    let diagnostics = parallel::map(&jobs, |(file, root, repo, config)| {
        let path = file.path.to_string_lossy();
        let env = Env {
            schema: &config.schema,
            now,
            path: Some(&path),
            workspace: root
                .and_then(|root| workspaces.get(root))
                .map(|w| w as &dyn Workspace),
            commits: repo.as_deref().map(|r| r as &dyn Commits),
            rules: Some(&config.config.rules),
        };
        check(&file.text, &file.doc, &env)
    });
    drop(jobs);
    let checked: Vec<Checked> = found
        .files
        .into_iter()
        .zip(diagnostics)
        .map(|(file, diagnostics)| Checked {
            display: file.display,
            text: file.text,
            diagnostics,
        })
        .collect();

    let mut stdout = std::io::stdout().lock();
    let written = output::write(args.format, &checked, &mut stdout).and_then(|()| stdout.flush());
    if let Err(e) = written {
        // A closed pipe (`| head`) is not worth a message, but it is not a clean run either.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("postmortem-lsp: cannot write the report: {e}");
        }
        return 2;
    }
    exit_code(Counts::of(&checked), args.strict, found.io_problem)
}

fn exit_code(counts: Counts, strict: bool, io_problem: bool) -> u8 {
    if io_problem {
        2
    } else if counts.errors > 0 || (strict && counts.warnings > 0) {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        let c = |errors, warnings, hints| Counts {
            errors,
            warnings,
            hints,
        };
        assert_eq!(exit_code(c(0, 0, 0), false, false), 0);
        assert_eq!(exit_code(c(0, 3, 2), false, false), 0);
        assert_eq!(exit_code(c(0, 3, 0), true, false), 1);
        assert_eq!(exit_code(c(0, 0, 5), true, false), 0);
        assert_eq!(exit_code(c(1, 0, 0), false, false), 1);
        assert_eq!(exit_code(c(1, 0, 0), false, true), 2);
        assert_eq!(exit_code(c(0, 0, 0), false, true), 2);
    }
}
