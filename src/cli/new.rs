//! `postmortem-lsp new`: creates `_docs/06_metrics/postmortem_<date>_<slug>.md` at the
//! repository root with the Incident date, Deploy SHA and title filled in, and prints its
//! path. It never overwrites a file.
//!
//! The text comes from the repository's template when it has one, the first of
//! [`TEMPLATES`] that exists, else from the built-in skeleton. The root is the git top level
//! of the current folder, or the current folder outside a repository.
//!
//! Exit codes: 0 created; 2 for a bad argument, an existing file, a `--deploy` that names
//! no commit, or a file that cannot be written.

use super::NewArgs;
use crate::analysis::fill::{NewValues, builtin_template, fill};
use crate::analysis::{Schema, values};
use crate::git::{self, Rev};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a repository keeps its own post-mortem template, in order of preference.
pub const TEMPLATES: &[&str] = &[
    "_docs/06_metrics/postmortem_template.md",
    "_docs/templates/postmortem.md",
];

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
    let date = match &args.date {
        Some(d) => values::parse_date(d)
            .ok_or_else(|| format!("`{d}` is not a date: write --date YYYY-MM-DD"))?,
        None => chrono::Utc::now().date_naive(),
    };
    let slug = match (&args.slug, &args.title) {
        (Some(s), _) => s.clone(),
        (None, Some(t)) => slugify(t),
        (None, None) => "incident".to_string(),
    };
    if !is_slug(&slug) {
        return Err(format!(
            "`{slug}` cannot be part of a file name: use lowercase letters, digits, `-` and `_` \
             (for example --slug checkout-timeouts)"
        ));
    }
    let repo = git::discover(&cwd);
    let root = repo.as_ref().map_or(cwd.clone(), |l| l.top.clone());
    let deploy = match &args.deploy {
        Some(rev) => {
            let parsed = Rev::parse(rev).ok_or_else(|| {
                format!("`{rev}` is not a revision: name a commit, branch or tag (no leading `-`)")
            })?;
            let sha = git::resolve_rev(&root, &parsed).ok_or_else(|| {
                format!(
                    "`{rev}` names no commit in the repository at {}",
                    root.display()
                )
            })?;
            Some(sha)
        }
        None => repo
            .as_ref()
            .and_then(|_| git::resolve_rev(&root, &Rev::parse("HEAD")?)),
    };
    if deploy.is_none() {
        eprintln!("postmortem-lsp new: no commit to take the Deploy SHA from; fill it in by hand");
    }
    let schema = Schema::builtin_ref();
    let template = TEMPLATES
        .iter()
        .find_map(|rel| std::fs::read_to_string(root.join(rel)).ok())
        .unwrap_or_else(|| builtin_template(schema, chrono::Utc::now()));
    let text = fill(
        &template,
        schema,
        &NewValues {
            date,
            deploy: deploy.map(|s| s.chars().take(12).collect()),
            title: args.title.clone(),
        },
    );
    let rel = format!(
        "_docs/06_metrics/postmortem_{}_{slug}.md",
        date.format("%Y-%m-%d")
    );
    let path = root.join(&rel);
    write_new(&path, &text)?;
    Ok(path
        .strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or(path))
}

/// Writes `text` to a file that must not exist yet (checked and created in one step, so
/// a file appearing meanwhile is not overwritten either).
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{} already exists; it was left as it is: edit it, or choose another --slug",
                path.display()
            ),
            _ => format!("cannot create {}: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A file-name slug from a title: lowercase ASCII words joined by `-`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        "incident".to_string()
    } else {
        slug
    }
}

/// Lowercase letters, digits, `-` and `_`, starting with a letter or digit: nothing that
/// could leave the folder (`/`, `..`) or surprise a shell.
pub fn is_slug(s: &str) -> bool {
    s.len() <= 100
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Checkout timeouts (EU)!"), "checkout-timeouts-eu");
        assert_eq!(slugify("支付"), "incident");
        assert!(is_slug("checkout-timeouts_2"));
        for bad in ["", "../x", "a/b", "-rf", "Upper", "a b", ".hidden"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }
}
