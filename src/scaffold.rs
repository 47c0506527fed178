//! A new post-mortem: where it goes and what it starts with, by the team's configuration
//! (`[postmortems] directory` and `name`, by default
//! `_docs/06_metrics/postmortem_<date>_<slug>.md`) and its template (configured, found next
//! to the post-mortems, else the built-in one), with the Incident date, Deploy SHA and title
//! filled in. Shared by the CLI's `new` and the server's `postmortem.new`, which differ only
//! in how they write the file.
//!
//! The root is the git top level of the folder asked from, or that folder outside a
//! repository. The configuration is the one a document in that folder would get; its folder
//! (else the root) is where the post-mortem folder is.

use crate::analysis::fill::{NewValues, builtin_template, fill};
use crate::analysis::values;
use crate::config::load::{Configs, Loaded};
use crate::git::{self, Rev};
use chrono::{DateTime, Utc};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// What the user asked for; every part is optional and checked by [`plan`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// The file name's slug. Default: from the title, else `incident`.
    pub slug: Option<String>,
    /// The Incident date, `YYYY-MM-DD`. Default: today (UTC).
    pub date: Option<String>,
    /// The deploy running when the incident started: a commit, branch or tag. Default: HEAD.
    pub deploy: Option<String>,
    pub title: Option<String>,
}

/// The new post-mortem, not written yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The repository root (or the folder asked from, outside a repository).
    pub root: PathBuf,
    /// The absolute path of the new file.
    pub path: PathBuf,
    pub text: String,
    /// Whether the Deploy SHA was left to fill by hand: no git, no repository, or no commit.
    pub no_deploy: bool,
    /// Problems in the configuration or template in force (`path:line:col: message`).
    pub problems: Vec<String>,
}

/// Works out the new post-mortem for `request`, asked from the folder `dir`, with `now`
/// as today. Runs git (to find the root and resolve the deploy). Errors are sentences
/// for the user.
pub fn plan(dir: &Path, request: &Request, now: DateTime<Utc>) -> Result<Planned, String> {
    let settings = |root: &Path| Configs::new().for_document(&dir.join("_"), Some(root), |_| {});
    plan_with(dir, request, now, &settings)
}

/// [`plan`] with the settings in force for a document in `dir` given by `settings`, which
/// takes the root (the server passes its own loads, the editor's settings included).
pub fn plan_with(
    dir: &Path,
    request: &Request,
    now: DateTime<Utc>,
    settings: &dyn Fn(&Path) -> Arc<Loaded>,
) -> Result<Planned, String> {
    let date = match &request.date {
        Some(d) => values::parse_date(d)
            .ok_or_else(|| format!("`{d}` is not a date: write it as YYYY-MM-DD"))?,
        None => now.date_naive(),
    };
    let slug = match (&request.slug, &request.title) {
        (Some(s), _) => s.clone(),
        (None, Some(t)) => slugify(t),
        (None, None) => "incident".to_string(),
    };
    // A slug the user chose says what the incident was: the title, until they write one.
    let title = request
        .title
        .clone()
        .or_else(|| request.slug.as_deref().map(title_of));
    if !is_slug(&slug) {
        return Err(format!(
            "`{slug}` cannot be part of a file name: use lowercase letters, digits, `-` and `_` \
             (for example checkout-timeouts)"
        ));
    }
    let repo = git::discover(dir);
    let root = repo.as_ref().map_or(dir.to_path_buf(), |l| l.top.clone());
    let deploy = match &request.deploy {
        Some(rev) => {
            let parsed = Rev::parse(rev).ok_or_else(|| {
                format!("`{rev}` is not a revision: name a commit, branch or tag (no leading `-`)")
            })?;
            if repo.is_none() {
                // Not asked again: git either found no repository or did not answer.
                return Err(format!(
                    "`{rev}` cannot be looked up: {} is not in a git repository, or git did \
                     not answer",
                    root.display()
                ));
            }
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
    // The settings a document in the folder asked from would get: a template that cannot
    // be read gives way to the skeleton, and the problems go back to the caller.
    let loaded = settings(&root);
    let schema = &loaded.schema;
    let template = loaded
        .template_path
        .as_ref()
        .and_then(|path| crate::fsread::read_to_string(path).ok())
        .unwrap_or_else(|| builtin_template(schema, now));
    let text = fill(
        &template,
        schema,
        &NewValues {
            date,
            deploy: deploy.as_ref().map(|s| s.chars().take(12).collect()),
            title,
        },
    );
    let name = schema
        .file_name
        .format(&date.format("%Y-%m-%d").to_string(), &slug);
    let folder = loaded.base(Some(&root)).unwrap_or(&root);
    let path = folder.join(&schema.postmortem_directory).join(name);
    Ok(Planned {
        path,
        root,
        text,
        no_deploy: deploy.is_none(),
        problems: loaded.problems.iter().map(|p| p.render()).collect(),
    })
}

/// The message for a new post-mortem whose file is already there.
pub fn exists_message(path: &Path) -> String {
    format!(
        "{} already exists; it was left as it is: edit it, or choose another slug",
        path.display()
    )
}

/// Checks that the new file at `path` would be inside `root` by real path: its deepest
/// existing folder, symbolic links resolved, lies under `root`'s real path, and the
/// folders still to create are plain names. A committed symlink (`_docs -> /etc`) cannot
/// take the file out of the repository. Errors are sentences for the user.
pub fn check_inside(root: &Path, path: &Path) -> Result<(), String> {
    inside(root, path).map(|_| ())
}

/// The real path of the deepest existing folder of `path`, and the names still to create
/// below it, when all of it is inside `root`.
fn inside(root: &Path, path: &Path) -> Result<(PathBuf, Vec<OsString>), String> {
    let outside = || {
        format!(
            "{} is outside the repository at {} (a symbolic link or `..` leads out of it); \
             nothing was written",
            path.display(),
            root.display()
        )
    };
    let real_root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", root.display()))?;
    let mut missing = Vec::new();
    let mut folder = path.parent().ok_or_else(outside)?;
    let real = loop {
        match folder.canonicalize() {
            Ok(real) => break real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot resolve {}: {e}", folder.display())),
        }
        // A missing folder: it is created by name, so it must be one (a dangling
        // symlink is not missing to `create_dir`, and fails there).
        match folder.components().next_back() {
            Some(Component::Normal(name)) => missing.push(name.to_os_string()),
            _ => return Err(outside()),
        }
        folder = folder.parent().ok_or_else(outside)?;
    };
    if !real.starts_with(&real_root) {
        return Err(outside());
    }
    if !real.is_dir() {
        return Err(format!("{} is not a folder", folder.display()));
    }
    missing.reverse();
    Ok((real, missing))
}

/// Writes `text` to a file that must not exist yet, inside `root` (see [`check_inside`]).
/// Missing folders are created one at a time, each a real folder and not a link; the file
/// is created with `O_CREAT | O_EXCL` (and `O_NOFOLLOW`), so neither a file nor a symbolic
/// link appearing meanwhile is followed or overwritten.
pub fn write_new(root: &Path, path: &Path, text: &str) -> Result<(), String> {
    write_new_with_mode(root, path, text, 0o666)
}

/// [`write_new`] creating the file with `mode` (before the umask): `0o755` for a hook.
pub fn write_new_with_mode(root: &Path, path: &Path, text: &str, mode: u32) -> Result<(), String> {
    let (mut dir, missing) = inside(root, path)?;
    for name in missing {
        dir.push(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", dir.display())),
        }
        // Whatever is there now must be a plain folder (a link made meanwhile is refused).
        let plain = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
        if !plain {
            return Err(format!(
                "{} is not a folder; nothing was written",
                dir.display()
            ));
        }
    }
    let name = path
        .file_name()
        .ok_or_else(|| format!("{} names no file", path.display()))?;
    let target = dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(&target).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => exists_message(path),
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    // A folder swapped for a link between the checks and the open: undo, and refuse.
    if inside(root, &target).is_err() {
        let _ = std::fs::remove_file(&target);
        return Err(inside(root, path).err().unwrap_or_else(|| {
            format!(
                "{} moved while it was written; nothing was written",
                path.display()
            )
        }));
    }
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

/// A title from a slug: its words, the first capitalised (`redis_pool` → `Redis pool`).
pub fn title_of(slug: &str) -> String {
    let words: Vec<&str> = slug.split(['-', '_']).filter(|w| !w.is_empty()).collect();
    let mut title = words.join(" ");
    if let Some(first) = title.get(..1) {
        title.replace_range(..1, &first.to_ascii_uppercase());
    }
    title
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

    #[test]
    fn a_slug_gives_the_title_until_one_is_written() {
        assert_eq!(title_of("redis_pool"), "Redis pool");
        assert_eq!(title_of("checkout-timeouts_2"), "Checkout timeouts 2");
        let dir = tempfile::tempdir().unwrap();
        let now = values::parse_timestamp("2026-01-02T10:07:00Z").unwrap();
        let with = |slug: Option<&str>, title: Option<&str>| {
            let request = Request {
                slug: slug.map(Into::into),
                title: title.map(Into::into),
                ..Request::default()
            };
            plan(dir.path(), &request, now).unwrap().text
        };
        assert!(with(Some("redis_pool"), None).starts_with("# Post-mortem: Redis pool\n"));
        assert!(
            with(Some("redis_pool"), Some("Pool gone")).starts_with("# Post-mortem: Pool gone\n")
        );
        // No slug and no title: nothing to say yet.
        let bare = with(None, None);
        assert!(bare.starts_with("# Post-mortem: …\n"));
        // The Timeline is not stamped with the minute the file was made.
        assert!(
            bare.contains("```\nHH:MM  (source: alert) …\n```"),
            "{bare}"
        );
        assert!(!bare.contains("10:07"), "{bare}");
    }

    #[test]
    fn outside_a_repository_the_folder_is_the_root_and_the_deploy_is_left_open() {
        let dir = tempfile::tempdir().unwrap();
        let now = values::parse_timestamp("2026-01-02T10:00:00Z").unwrap();
        let request = Request {
            title: Some("Search down".into()),
            ..Request::default()
        };
        let planned = plan(dir.path(), &request, now).unwrap();
        assert_eq!(
            planned.path,
            dir.path()
                .join("_docs/06_metrics/postmortem_2026-01-02_search-down.md")
        );
        assert!(planned.no_deploy);
        assert!(planned.text.starts_with("# Post-mortem: Search down\n"));
        assert!(planned.text.contains("| Incident date | 2026-01-02 |"));
        let bad = |r: Request| plan(dir.path(), &r, now).unwrap_err();
        assert!(
            bad(Request {
                slug: Some("../x".into()),
                ..Request::default()
            })
            .contains("file name")
        );
        assert!(
            bad(Request {
                date: Some("2026-02-30".into()),
                ..Request::default()
            })
            .contains("YYYY-MM-DD")
        );
        assert!(
            bad(Request {
                deploy: Some("--output=/tmp/x".into()),
                ..Request::default()
            })
            .contains("not a revision")
        );
    }

    #[test]
    fn the_team_configuration_names_places_and_fills_the_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join(crate::config::FILE_NAME),
            "template = \"t.md\"\n[postmortems]\ndirectory = \"ops/incidents\"\nname = \"{date}-{slug}.md\"\n",
        )
        .unwrap();
        std::fs::write(
            root.join("t.md"),
            "# Review: <what>\n\n## Summary\n\nSay it.\n\n## Header\n\n| Field | Value |\n|-|-|\n| Incident date | YYYY-MM-DD |\n| Tier | gold / silver |\n",
        )
        .unwrap();
        let now = values::parse_timestamp("2026-01-02T10:00:00Z").unwrap();
        let request = Request {
            title: Some("Queue stall".into()),
            ..Request::default()
        };
        let planned = plan(root, &request, now).unwrap();
        assert_eq!(
            planned.path,
            root.join("ops/incidents/2026-01-02-queue-stall.md")
        );
        assert!(
            planned.text.contains("## Summary\n\nSay it."),
            "{}",
            planned.text
        );
        assert!(
            planned.text.contains("| Incident date | 2026-01-02 |"),
            "{}",
            planned.text
        );
        assert!(
            planned.text.contains("| Tier | gold / silver |"),
            "{}",
            planned.text
        );
    }

    #[cfg(unix)]
    #[test]
    fn new_files_stay_inside_the_root_whatever_the_links() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, away) = (tmp.path().join("repo"), tmp.path().join("away"));
        std::fs::create_dir_all(root.join("inner")).unwrap();
        std::fs::create_dir(&away).unwrap();
        // A link out of the root, at the top and further down.
        std::os::unix::fs::symlink(&away, root.join("_docs")).unwrap();
        std::os::unix::fs::symlink(&away, root.join("inner/out")).unwrap();
        for rel in [
            "_docs/06_metrics/p.md",
            "_docs/p.md",
            "inner/out/p.md",
            "../away/p.md",
        ] {
            let err = write_new(&root, &root.join(rel), "x").unwrap_err();
            assert!(err.contains("outside the repository"), "{rel}: {err}");
            assert!(check_inside(&root, &root.join(rel)).is_err(), "{rel}");
        }
        assert_eq!(
            std::fs::read_dir(&away).unwrap().count(),
            0,
            "nothing written away"
        );
        // A link that stays inside is followed; missing folders are made.
        std::os::unix::fs::symlink(root.join("inner"), root.join("docs")).unwrap();
        write_new(&root, &root.join("docs/a/b/p.md"), "hi").unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("inner/a/b/p.md")).unwrap(),
            "hi"
        );
        // Never over a file, nor through a link at the file's own name.
        let again = write_new(&root, &root.join("docs/a/b/p.md"), "no").unwrap_err();
        assert!(again.contains("already exists"), "{again}");
        std::os::unix::fs::symlink(away.join("t.md"), root.join("inner/t.md")).unwrap();
        assert!(write_new(&root, &root.join("inner/t.md"), "x").is_err());
        assert!(!away.join("t.md").exists());
    }
}
