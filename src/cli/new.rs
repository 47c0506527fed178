//! `postmortem-lsp new`: creates `_docs/06_metrics/postmortem_<date>_<slug>.md` at the
//! repository root of the current folder with the Incident date, Deploy SHA and title
//! filled in, and prints its path. It never overwrites a file, and never writes outside
//! the repository (a symlinked `_docs` that leads out of it is refused). What the file is and holds
//! is worked out by [`crate::scaffold`], which the server's `postmortem.new` shares.
//!
//! Exit codes: 0 created; 2 for a bad argument, an existing file, a `--deploy` that names
//! no commit, or a file that cannot be written.

use super::NewArgs;
use crate::scaffold::{self, Request};
use std::path::{Path, PathBuf};

pub fn run(args: &NewArgs) -> u8 {
    match create(args) {
        Ok(path) => {
            println!("{}", path.display());
            0
        }
        Err(message) => {
            eprintln!("postmortem-lsp new: {message}");
            2
        }
    }
}

fn create(args: &NewArgs) -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let request = Request {
        slug: args.slug.clone(),
        date: args.date.clone(),
        deploy: args.deploy.clone(),
        title: args.title.clone(),
    };
    let planned = scaffold::plan(&cwd, &request, chrono::Utc::now())?;
    for problem in &planned.problems {
        eprintln!("postmortem-lsp new: warning: {problem}");
    }
    if planned.no_deploy {
        eprintln!("postmortem-lsp new: no commit to take the Deploy SHA from; fill it in by hand");
    }
    scaffold::write_new(&planned.root, &planned.path, &planned.text)?;
    Ok(planned
        .path
        .strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or(planned.path))
}
