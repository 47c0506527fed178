//! Running the core on a document snapshot: parse it, keep to post-mortems, build the
//! environment (the one place the server builds an [`Env`]), and catch any panic so one bad
//! request costs one answer, not the server.

use super::diagnostics::guarded;
use super::state::Snapshot;
use crate::analysis::commits::Commits;
use crate::analysis::facts::Ctx;
use crate::analysis::{self, Document, Env, Workspace};
use crate::git::{Repo, Repos};
use crate::text::{LineIndex, PositionEncoding};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What a feature sees: the analysed document and how to convert its positions.
pub struct View<'a> {
    pub ctx: Ctx<'a>,
    pub index: LineIndex<'a>,
    pub enc: PositionEncoding,
    pub snapshot: &'a Snapshot,
}

/// Where the commits of an analysis come from.
#[derive(Clone, Copy)]
pub enum Git<'a> {
    /// No repository: the git checks, SHA completion and commit hovers stay quiet.
    Off,
    /// Answers given by the caller (the server's cache-only view on the keystroke path).
    Given(&'a dyn Commits),
    /// The document's repository, found (and asked) even if that means running git: only
    /// on the blocking pool. Looked up only once the document is known to be a post-mortem.
    Resolve(&'a Repos),
}

/// Where the workspace files of an analysis come from.
#[derive(Clone, Copy)]
pub enum Files<'a> {
    /// The document's workspace on the disk, through the guarded reader: only on the
    /// blocking pool.
    Disk,
    /// Answers given by the caller (the workspace's cache, on the keystroke path).
    Given(&'a dyn Workspace),
}

/// The repository of a snapshot's document, running git if it was not discovered yet.
pub fn repo_for(repos: &Repos, snapshot: &Snapshot) -> Option<Arc<Repo>> {
    let root = snapshot.workspace.as_deref().map(|w| w.root());
    repos.for_document(snapshot.path.as_deref()?, root)
}

/// The cache-only answer of [`repo_for`]: `None` when the repository is not discovered yet.
pub fn peek_repo(repos: &Repos, snapshot: &Snapshot) -> Option<Option<Arc<Repo>>> {
    let Some(path) = snapshot.path.as_deref() else {
        return Some(None);
    };
    let root = snapshot.workspace.as_deref().map(|w| w.root());
    repos.peek(path, root)
}

/// Runs `f` with the parsed document and its environment when `snapshot` is a post-mortem;
/// `None` for any other document (a team's template included: it is the schema). The schema
/// and rule levels are the document's configuration's. Not guarded: callers wrap it in
/// [`guarded`].
pub fn with_env<T>(
    snapshot: &Snapshot,
    now: DateTime<Utc>,
    git: Git,
    files: Files,
    f: impl FnOnce(&Document, &Env) -> T,
) -> Option<T> {
    let text = snapshot.text.as_str();
    let path = snapshot.path.as_ref().map(|p| p.to_string_lossy());
    let path = path.as_deref();
    if snapshot.config.template {
        return None;
    }
    let loaded = &*snapshot.config.loaded;
    let schema = &loaded.schema;
    let doc = snapshot.parse();
    // The same rule as `check`'s: the team's globs, relative to its configuration's folder.
    // Whether this is the template was settled (off the async thread) with the settings.
    let root = snapshot.workspace.as_deref().map(|w| w.root());
    let postmortem = match snapshot.path.as_deref() {
        Some(p) => loaded.is_postmortem_not_template(p, root, text, &doc),
        None => analysis::is_postmortem(None, text, &doc, schema),
    };
    if !postmortem {
        return None;
    }
    let resolved = match git {
        Git::Resolve(repos) => repo_for(repos, snapshot),
        _ => None,
    };
    let commits = match git {
        Git::Off => None,
        Git::Given(commits) => Some(commits),
        Git::Resolve(_) => resolved.as_deref().map(|r| r as &dyn Commits),
    };
    let env = Env {
        schema,
        now,
        path,
        workspace: match files {
            Files::Disk => snapshot.workspace.as_deref().map(|w| w as &dyn Workspace),
            Files::Given(given) => snapshot.workspace.is_some().then_some(given),
        },
        commits,
        rules: Some(&loaded.config.rules),
    };
    Some(f(&doc, &env))
}

/// The core panicked; the panic has been logged.
#[derive(Debug, PartialEq, Eq)]
pub struct Panicked;

/// Runs `f` on `snapshot` when it is a post-mortem (by the same rule as diagnostics);
/// `Ok(None)` for any other document.
pub fn on_postmortem<T>(
    what: &str,
    snapshot: &Snapshot,
    now: DateTime<Utc>,
    git: Git,
    f: impl FnOnce(&View) -> T,
) -> Result<Option<T>, Panicked> {
    let outcome = guarded(what, || {
        with_env(snapshot, now, git, Files::Disk, |doc, env| {
            let text = snapshot.text.as_str();
            let view = View {
                ctx: Ctx::new(text, doc, env),
                index: LineIndex::new(text),
                enc: snapshot.encoding,
                snapshot,
            };
            f(&view)
        })
    });
    outcome.ok_or(Panicked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::commits::{CommitInfo, FixedCommits};

    fn snapshot(text: &str) -> Snapshot {
        Snapshot {
            uri: "file:///w/x.md".parse().unwrap(),
            version: 1,
            rev: 1,
            text: text.to_string(),
            path: None,
            workspace: None,
            encoding: PositionEncoding::Utf16,
            parses: Default::default(),
            config: Default::default(),
        }
    }

    #[test]
    fn post_mortems_only_and_panics_become_errors() {
        let now = Utc::now();
        let pm = snapshot("# Post-mortem: checkout\n\n## Header\n");
        let sections = on_postmortem("t", &pm, now, Git::Off, |v| v.ctx.doc.sections.len());
        assert_eq!(sections, Ok(Some(1)));
        let readme = snapshot("# README\n\n## Header\n");
        assert_eq!(on_postmortem("t", &readme, now, Git::Off, |_| 1), Ok(None));
        let boom: Result<Option<()>, _> =
            on_postmortem("t", &pm, now, Git::Off, |_| panic!("boom"));
        assert_eq!(boom, Err(Panicked));
    }

    #[test]
    fn the_environment_carries_the_commits_it_was_given() {
        let now = Utc::now();
        let pm = snapshot("# Post-mortem: checkout\n");
        let repo = FixedCommits {
            commits: vec![CommitInfo {
                sha: "9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788".into(),
                subject: "s".into(),
                author: "a".into(),
                time: now,
                refs: Vec::new(),
            }],
            ..FixedCommits::default()
        };
        let has = |git| with_env(&pm, now, git, Files::Disk, |_, env| env.commits.is_some());
        assert_eq!(has(Git::Given(&repo)), Some(true));
        assert_eq!(has(Git::Off), Some(false));
        // A snapshot without a path has no repository, and resolving it runs no git.
        assert_eq!(has(Git::Resolve(&Repos::new())), Some(false));
        assert_eq!(
            peek_repo(&Repos::new(), &pm).map(|r| r.is_none()),
            Some(true)
        );
    }
}
