//! Fixture tests of the repository checks, against a fixed set of commits.

use super::*;
use crate::analysis::Env;
use crate::analysis::checks::fixture::{VALID, check_marked_env, run, valid_with};
use crate::analysis::commits::{FixedCommits, NoAnswersYet};
use crate::analysis::values::parse_timestamp;

pub const DEPLOY: &str = "9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788";
pub const ROLLBACK: &str = "4be07d13a9c2aa11bb22cc33dd44ee55ff667788";
/// A commit on a side branch: neither an ancestor nor a descendant of the deploy.
pub const SIDE: &str = "51de0000000011bb22cc33dd44ee55ff66778899";
pub const LATER: &str = "1a7e000000000000000000000000000000000001";

fn commit(sha: &str, time: &str, subject: &str) -> CommitInfo {
    CommitInfo {
        sha: sha.into(),
        subject: subject.into(),
        author: "Ana Lima".into(),
        time: parse_timestamp(time).unwrap(),
        refs: Vec::new(),
    }
}

pub fn repo() -> FixedCommits {
    FixedCommits {
        commits: vec![
            commit(LATER, "2026-03-14T11:00:00Z", "Pin the pool size"),
            commit(
                DEPLOY,
                "2026-03-13T17:00:00Z",
                "Upgrade the payments client",
            ),
            commit(SIDE, "2026-03-12T10:00:00Z", "Experiment on a side branch"),
            commit(ROLLBACK, "2026-03-10T08:00:00Z", "Release 41"),
        ],
        ancestry: vec![
            (ROLLBACK.into(), DEPLOY.into()),
            (ROLLBACK.into(), LATER.into()),
            (DEPLOY.into(), LATER.into()),
        ],
        link_base: Some("https://github.com/acme/shop".into()),
    }
}

fn check_with(check: crate::analysis::checks::Check, fixture: &str) -> Vec<Diagnostic> {
    let repo = repo();
    let env = Env {
        commits: Some(&repo),
        ..Env::fixed()
    };
    check_marked_env(check, fixture, &env)
}

const DEPLOY_ROW: &str = "| Deploy SHA at incident start | `9f1c2ab7e4d0` |";
const ROLLBACK_ROW: &str = "| Rollback SHA (if rolled back) | `4be07d13a9c2` |";

#[test]
fn the_valid_example_is_clean_against_its_history() {
    for check in [commit_exists, rollback_target, deploy_after_detection] {
        check_with(check, VALID);
    }
}

#[test]
fn without_a_repository_nothing_is_reported() {
    let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `0000000` |");
    for check in [commit_exists, rollback_target, deploy_after_detection] {
        assert!(run(check, &text, &Env::fixed()).is_empty());
    }
}

#[test]
fn unknown_commits_in_the_header_and_in_prose() {
    let text = valid_with(
        DEPLOY_ROW,
        "| Deploy SHA at incident start | `«0000000abc»` |",
    )
    .replace("Release `9f1c2ab7e4d0`", "Release `«9f1c2ab7e4d1»`")
    .replace(
        "rollback to `4be07d13a9c2`",
        "rollback to `4be07d13a9c2`, not `«dead0beef»`",
    );
    let diags = check_with(commit_exists, &text);
    assert!(diags.iter().all(|d| d.code == Code::UnknownCommit));
    assert!(
        diags[0]
            .message
            .starts_with("the Deploy SHA `0000000abc` names no commit in this repository"),
        "{}",
        diags[0].message
    );
    assert!(diags[1].message.starts_with("the SHA `9f1c2ab7e4d1`"));
}

#[test]
fn invalid_and_unfilled_values_are_left_to_other_checks() {
    // Not a SHA (invalid-sha reports it), a placeholder, n/a, a number and an English word
    // in backticks: none of them is looked up.
    let text = valid_with(
        DEPLOY_ROW,
        "| Deploy SHA at incident start | `--output=/tmp/x` |",
    )
    .replace(ROLLBACK_ROW, "| Rollback SHA (if rolled back) | n/a |")
    .replace("Release `9f1c2ab7e4d0`", "Release `1000000` `defaced`");
    check_with(commit_exists, &text);
    let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `<sha>` |");
    check_with(commit_exists, &text);
}

#[test]
fn ambiguous_short_shas() {
    // A second commit starting with `1a7e0000` makes that prefix ambiguous.
    let mut repo = repo();
    repo.commits.push(commit(
        &LATER.replace("0001", "0002"),
        "2026-01-01T00:00:00Z",
        "x",
    ));
    let env = Env {
        commits: Some(&repo),
        ..Env::fixed()
    };
    let text = valid_with(
        DEPLOY_ROW,
        "| Deploy SHA at incident start | `«1a7e0000»` |",
    );
    let diags = check_marked_env(commit_exists, &text, &env);
    assert_eq!(diags[0].code, Code::AmbiguousSha);
    assert!(diags[0].message.contains("write more of the SHA"));
}

#[test]
fn rollback_to_the_deploy_itself() {
    let text = valid_with(
        ROLLBACK_ROW,
        "| Rollback SHA (if rolled back) | `«9f1c2ab»` |",
    );
    let diags = check_with(rollback_target, &text);
    assert_eq!(diags[0].code, Code::RollbackIsDeploy);
    assert!(diags[0].message.contains("earlier release"));
}

#[test]
fn rollback_to_a_commit_that_is_not_an_ancestor() {
    // A later commit, and a commit on a side branch.
    for other in ["1a7e00000000", "51de00000000"] {
        let text = valid_with(
            ROLLBACK_ROW,
            &format!("| Rollback SHA (if rolled back) | `«{other}»` |"),
        );
        let diags = check_with(rollback_target, &text);
        assert_eq!(diags[0].code, Code::RollbackNotAncestor);
        assert!(
            diags[0]
                .message
                .contains("is not an ancestor of the Deploy SHA `9f1c2ab7e4d0`")
        );
    }
    // Unknown rollback: unknown-commit's job, not this check's.
    let text = valid_with(
        ROLLBACK_ROW,
        "| Rollback SHA (if rolled back) | `ffffffff` |",
    );
    check_with(rollback_target, &text);
}

#[test]
fn deploy_committed_after_detection() {
    let text = valid_with(
        DEPLOY_ROW,
        "| Deploy SHA at incident start | «1a7e00000000» |",
    )
    .replace(ROLLBACK_ROW, "| Rollback SHA (if rolled back) | n/a |");
    let diags = check_with(deploy_after_detection, &text);
    assert_eq!(diags[0].code, Code::DeployAfterDetection);
    assert!(
        diags[0].message.contains(
            "committed at 2026-03-14T11:00:00Z, after the Detection time 2026-03-14T09:26:53Z"
        ),
        "{}",
        diags[0].message
    );
    // Without a valid Detection time there is nothing to compare.
    let text = text
        .replace("2026-03-14T09:26:53Z", "soon")
        .replace(['«', '»'], "");
    check_with(deploy_after_detection, &text);
}

#[test]
fn pending_answers_keep_every_check_quiet() {
    let env = Env {
        commits: Some(&NoAnswersYet),
        ..Env::fixed()
    };
    let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `0000000` |");
    for check in [commit_exists, rollback_target, deploy_after_detection] {
        assert!(run(check, &text, &env).is_empty());
    }
}

fn choices(values: &[&str]) -> Option<Fix> {
    Some(Fix::Choose {
        values: values.iter().map(|v| v.to_string()).collect(),
        preferred: false,
    })
}

#[test]
fn unknown_commits_offer_the_commits_whose_sha_starts_alike() {
    let text = valid_with(
        DEPLOY_ROW,
        "| Deploy SHA at incident start | `«0000000abc»` |",
    )
    .replace("Release `9f1c2ab7e4d0`", "Release `«9f1c2ab7e4d1»`")
    .replace("rollback to `4be07d13a9c2`", "rollback to `«4be0ffffffff»`");
    let diags = check_with(commit_exists, &text);
    // Nothing starts as 0000000abc does (four digits at least must agree).
    assert_eq!(diags[0].fix, None);
    assert_eq!(diags[1].fix, choices(&["9f1c2ab7e4d0"]));
    assert_eq!(diags[2].fix, choices(&["4be07d13a9c2"]));
}

#[test]
fn rollback_is_deploy_offers_the_deploys_ancestors() {
    let text = valid_with(
        ROLLBACK_ROW,
        "| Rollback SHA (if rolled back) | `«9f1c2ab»` |",
    );
    let diags = check_with(rollback_target, &text);
    assert_eq!(diags[0].fix, choices(&["4be07d13a9c2"]));
}

#[test]
fn deploy_after_detection_offers_the_commits_made_before_it() {
    let text = valid_with(
        DEPLOY_ROW,
        "| Deploy SHA at incident start | «1a7e00000000» |",
    )
    .replace(ROLLBACK_ROW, "| Rollback SHA (if rolled back) | n/a |");
    let diags = check_with(deploy_after_detection, &text);
    assert_eq!(
        diags[0].fix,
        choices(&["9f1c2ab7e4d0", "51de00000000", "4be07d13a9c2"])
    );
}

#[test]
fn a_tag_or_branch_in_a_sha_cell_offers_its_commit() {
    let mut named = repo();
    named.commits[3].refs = vec!["v41".into()];
    named.commits[0].refs = vec!["main".into(), "origin/main".into()];
    let env = Env {
        commits: Some(&named),
        ..Env::fixed()
    };
    let text = valid_with(ROLLBACK_ROW, "| Rollback SHA (if rolled back) | `«v41»` |");
    let diags = check_marked_env(crate::analysis::checks::header::field_values, &text, &env);
    assert_eq!(diags[0].code, Code::InvalidSha);
    assert_eq!(
        diags[0].message,
        "`v41` is a branch or tag name, not a commit SHA: write the SHA it names, `4be07d13a9c2`"
    );
    assert_eq!(
        diags[0].fix,
        Some(Fix::Replace {
            text: "4be07d13a9c2".into()
        })
    );
    // A name git does not know stays a plain invalid-sha, without a fix.
    let text = valid_with(ROLLBACK_ROW, "| Rollback SHA (if rolled back) | `«v40»` |");
    let diags = check_marked_env(crate::analysis::checks::header::field_values, &text, &env);
    assert_eq!(diags[0].fix, None);
}
