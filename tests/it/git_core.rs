//! The core's completion and hover fed by a real repository through `git::Repo`, the cached
//! (non-blocking) view, and the refresh after the repository changes.

use crate::gitrepo;

use gitrepo::{DOC, build, git};
use postmortem_lsp::analysis::commits::{Commits, Lookup};
use postmortem_lsp::analysis::complete::complete;
use postmortem_lsp::analysis::facts::Ctx;
use postmortem_lsp::analysis::hover::hover;
use postmortem_lsp::analysis::{Env, parse};
use postmortem_lsp::git::Repos;

fn labels(text: &str, offset: usize, commits: &dyn Commits) -> Vec<String> {
    let env = Env {
        commits: Some(commits),
        ..Env::fixed()
    };
    complete(text, &parse(text), &env, offset, None)
        .into_iter()
        .map(|c| c.label)
        .collect()
}

#[test]
fn sha_completion_orders_by_detection_and_ancestry() {
    let repo = build();
    let doc = repo.write_doc("<sha>", "<sha>");
    let text = std::fs::read_to_string(&doc).unwrap();
    let repos = Repos::new();
    let git_repo = repos.for_document(&doc, None).expect("a repository");
    let s = |n: &str| repo.short(n);
    // Deploy: committed before the Detection time (09:26:53 on 03-14) first, newest first;
    // then c4 (11:00 that day).
    let deploy = text.find("| `<sha>` |").unwrap() + 4;
    assert_eq!(
        labels(&text, deploy, &*git_repo),
        [s("c3"), s("s1"), s("c2"), s("c1"), s("c4")]
    );
    // Rollback, with c3 as the deploy: its ancestors first, then the rest (never c3).
    let text = text.replacen("`<sha>`", &format!("`{}`", s("c3")), 1);
    let rollback = text.rfind("| `<sha>` |").unwrap() + 4;
    assert_eq!(
        labels(&text, rollback, &*git_repo),
        [s("c2"), s("c1"), s("c4"), s("s1")]
    );
    // A typed prefix filters.
    let typed = text.replacen("`<sha>`", &format!("`{}`", &repo.shas["s1"][..8]), 1);
    let at = typed.rfind(&repo.shas["s1"][..8]).unwrap() + 8;
    assert_eq!(labels(&typed, at, &*git_repo), [s("s1")]);
}

#[test]
fn hover_shows_subject_author_date_stat_and_link() {
    let repo = build();
    let doc = repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    let text = std::fs::read_to_string(&doc).unwrap();
    let git_repo = Repos::new().for_document(&doc, None).unwrap();
    let env = Env {
        commits: Some(&*git_repo),
        ..Env::fixed()
    };
    let parsed = parse(&text);
    let ctx = Ctx::new(&text, &parsed, &env);
    let at = text.find(&repo.short("c3")).unwrap() + 2;
    let h = hover(&ctx, at).expect("a hover");
    let full = &repo.shas["c3"];
    assert_eq!(
        h.markdown,
        format!(
            "**Upgrade the payments client**\n\nAna Lima · committed 2026-03-13 17:00:00 UTC · `{full}`\n\n\
             ```text\n src/client.rs | 1 +\n src/pool.rs   | 2 +-\n 2 files changed, 2 insertions(+), 1 deletion(-)\n```\n\n\
             [Open the commit](https://github.com/acme/shop/commit/{full})"
        )
    );
}

#[test]
fn the_cached_view_never_runs_git_and_fills_in_after_a_lookup() {
    let repo = build();
    let doc = repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    let git_repo = Repos::new().for_document(&doc, None).unwrap();
    let cached = git_repo.cached();
    let c3 = repo.short("c3");
    assert_eq!(cached.lookup(&c3), Lookup::Pending);
    assert!(cached.recent().is_none());
    assert!(matches!(git_repo.lookup(&c3), Lookup::Found(_)));
    assert!(matches!(cached.lookup(&c3), Lookup::Found(_)));
    assert_eq!(cached.lookup("--output=/tmp/x"), Lookup::Unknown);
}

#[test]
fn new_commits_are_seen_after_the_repository_changes() {
    let repo = build();
    let root = repo.root();
    let doc = root.join(DOC);
    let git_repo = Repos::new().for_document(&doc, Some(&root)).unwrap();
    assert_eq!(git_repo.recent().unwrap().len(), 5);
    gitrepo::put(&root, "late.txt", "x\n");
    git(&root, &["add", "late.txt"], None);
    git(
        &root,
        &["commit", "-q", "-m", "Late"],
        Some("2026-03-20T00:00:00 +0000"),
    );
    let late = git(&root, &["rev-parse", "HEAD"], None);
    std::thread::sleep(postmortem_lsp::git::repo::RESTAT + std::time::Duration::from_millis(50));
    assert!(matches!(git_repo.lookup(&late[..12]), Lookup::Found(c) if c.subject == "Late"));
    assert_eq!(git_repo.recent().unwrap()[0].sha, late);
}

#[test]
fn peek_answers_only_what_was_discovered() {
    let repo = build();
    let doc = repo.write_doc(&repo.short("c3"), &repo.short("c2"));
    let repos = Repos::new();
    // Nothing discovered yet: not known, and no git was run to find out.
    assert!(repos.peek(&doc, None).is_none());
    let found = repos.for_document(&doc, None).expect("a repository");
    let peeked = repos.peek(&doc, None).expect("known after discovery");
    assert!(std::sync::Arc::ptr_eq(
        &found,
        &peeked.expect("the same repository")
    ));
    // Outside any repository: once looked at, known to have none.
    let outside = tempfile::tempdir().unwrap();
    let lone = gitrepo::put(outside.path(), DOC, "# Post-mortem: x\n");
    assert!(repos.peek(&lone, None).is_none());
    assert!(repos.for_document(&lone, None).is_none());
    assert!(matches!(repos.peek(&lone, None), Some(None)));
    // A document with neither a folder nor a root has no repository, without asking git.
    let nowhere = std::path::Path::new("/no/such/folder/x.md");
    assert!(matches!(repos.peek(nowhere, None), Some(None)));
}
