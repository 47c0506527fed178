//! Checks against the repository's history: SHAs that name no commit or more than one
//! object, a rollback target that is not an earlier deploy, and a deploy made after the
//! incident was detected. All of them stay quiet without a repository, and for any answer
//! git has not given yet.

use crate::analysis::commits::{CommitInfo, Commits, Lookup, is_prose_sha};
use crate::analysis::facts::Ctx;
use crate::analysis::model::RunKind;
use crate::analysis::schema::{FieldRole, SectionRole};
use crate::analysis::values::is_sha;
use crate::analysis::{Code, Diagnostic, Fix};
use std::ops::Range;
use std::sync::Arc;

/// unknown-commit and ambiguous-sha, for the Deploy and Rollback SHAs and every backticked
/// SHA in Root cause and Repair.
pub fn commit_exists(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(commits) = ctx.env.commits else {
        return Vec::new();
    };
    mentions(ctx)
        .into_iter()
        .filter_map(|(range, what)| {
            let sha = ctx.slice(&range);
            let message = match commits.lookup(sha) {
                Lookup::Unknown => (
                    Code::UnknownCommit,
                    format!(
                        "{what} `{sha}` names no commit in this repository: check it for a typo, \
                         or fetch the branch that holds it and write the SHA `git log` shows"
                    ),
                ),
                Lookup::Ambiguous => (
                    Code::AmbiguousSha,
                    format!(
                        "`{sha}` matches more than one object in this repository: write more \
                         of the SHA (12 digits, or all 40) so it names one commit"
                    ),
                ),
                _ => return None,
            };
            let d = Diagnostic::new(message.0, range, message.1);
            let alike = match message.0 {
                Code::UnknownCommit => starting_alike(commits, sha),
                _ => Vec::new(),
            };
            Some(with_choices(d, alike))
        })
        .collect()
}

/// rollback-is-deploy and rollback-not-ancestor.
pub fn rollback_target(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(commits) = ctx.env.commits else {
        return Vec::new();
    };
    let (Some((_, deploy)), Some((range, rollback))) = (
        resolved(ctx, commits, FieldRole::DeploySha),
        resolved(ctx, commits, FieldRole::RollbackSha),
    ) else {
        return Vec::new();
    };
    if deploy.sha == rollback.sha {
        // The commits that fit: the Deploy commit's ancestors, as completion orders them.
        let earlier: Vec<Arc<CommitInfo>> = commits
            .ancestors(&deploy.sha)
            .map(|list| {
                list.iter()
                    .filter(|c| c.sha != deploy.sha)
                    .map(|c| Arc::new(c.clone()))
                    .collect()
            })
            .unwrap_or_default();
        return vec![with_choices(
            Diagnostic::new(
                Code::RollbackIsDeploy,
                range,
                format!(
                    "the Rollback SHA is the Deploy SHA ({}): a rollback returns to an earlier \
                 release, so write the commit that was deployed before `{}`, or `n/a` if \
                 there was no rollback",
                    deploy.short(),
                    deploy.short()
                ),
            ),
            earlier,
        )];
    }
    match commits.is_ancestor(&rollback.sha, &deploy.sha) {
        Some(false) => vec![Diagnostic::new(
            Code::RollbackNotAncestor,
            range,
            format!(
                "`{}` is not an ancestor of the Deploy SHA `{}`: a rollback returns to an \
                 earlier release of the same history, so check that the two SHAs are not \
                 swapped and that the Deploy SHA is the commit that was running",
                rollback.short(),
                deploy.short()
            ),
        )],
        _ => Vec::new(),
    }
}

/// deploy-after-detection.
pub fn deploy_after_detection(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(commits) = ctx.env.commits else {
        return Vec::new();
    };
    let (Some((range, deploy)), Some(detection)) = (
        resolved(ctx, commits, FieldRole::DeploySha),
        ctx.timestamp(FieldRole::Detection),
    ) else {
        return Vec::new();
    };
    if deploy.time <= detection {
        return Vec::new();
    }
    // The commits that fit: those made before the detection, newest first, as completion
    // orders them.
    let before: Vec<Arc<CommitInfo>> = commits
        .recent()
        .map(|list| {
            list.iter()
                .filter(|c| c.time <= detection)
                .map(|c| Arc::new(c.clone()))
                .collect()
        })
        .unwrap_or_default();
    vec![with_choices(
        Diagnostic::new(
            Code::DeployAfterDetection,
            range,
            format!(
                "`{}` was committed at {}, after the Detection time {}: it cannot have been \
             running when the incident started; write the SHA of the release that was deployed \
             then",
                deploy.short(),
                deploy.time.format("%Y-%m-%dT%H:%M:%SZ"),
                detection.format("%Y-%m-%dT%H:%M:%SZ"),
            ),
        ),
        before,
    )]
}

/// At most this many commits are offered as fixes.
const MAX_CHOICES: usize = 3;

/// `d` with a fix offering the first few of `commits` in their 12-digit form (none when
/// there are none); the user picks, so none is preferred.
fn with_choices(d: Diagnostic, commits: Vec<Arc<CommitInfo>>) -> Diagnostic {
    let values: Vec<String> = commits
        .iter()
        .take(MAX_CHOICES)
        .map(|c| c.short().to_string())
        .collect();
    if values.is_empty() {
        return d;
    }
    d.with_fix(Fix::Choose {
        values,
        preferred: false,
    })
}

/// The recent commits whose SHA starts as `sha` does (at least four digits alike), the
/// longest shared start first: a typo late in a SHA still finds its commit.
fn starting_alike(commits: &dyn Commits, sha: &str) -> Vec<Arc<CommitInfo>> {
    let sha = sha.to_ascii_lowercase();
    let shared = |c: &CommitInfo| {
        c.sha
            .bytes()
            .zip(sha.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut alike: Vec<(usize, Arc<CommitInfo>)> = commits
        .recent()
        .map(|list| {
            list.iter()
                .map(|c| (shared(c), Arc::new(c.clone())))
                .filter(|(n, _)| *n >= 4)
                .collect()
        })
        .unwrap_or_default();
    // Stable: equally alike commits stay newest first.
    alike.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    alike.into_iter().map(|(_, c)| c).collect()
}

/// The commit a Header SHA field names, with the value's range.
fn resolved(
    ctx: &Ctx,
    commits: &dyn Commits,
    role: FieldRole,
) -> Option<(Range<usize>, Arc<CommitInfo>)> {
    let row = ctx.field(role)?;
    let sha = ctx.slice(&row.value);
    if !is_sha(sha) {
        return None;
    }
    match commits.lookup(sha) {
        Lookup::Found(info) => Some((row.value.clone(), info)),
        _ => None,
    }
}

/// Every SHA the document names that git should know: the Header's Deploy and Rollback
/// values (when they are SHAs at all; invalid-sha covers the rest) and backticked SHAs in
/// Root cause and Repair. Each comes with how to call it in a message.
pub fn mentions(ctx: &Ctx) -> Vec<(Range<usize>, &'static str)> {
    let mut out = Vec::new();
    for (role, what) in [
        (FieldRole::DeploySha, "the Deploy SHA"),
        (FieldRole::RollbackSha, "the Rollback SHA"),
    ] {
        if let Some(row) = ctx.field(role)
            && is_sha(ctx.slice(&row.value))
        {
            out.push((row.value.clone(), what));
        }
    }
    for role in [SectionRole::RootCause, SectionRole::Repair] {
        let Some(section) = ctx.section(role) else {
            continue;
        };
        for run in &section.body.runs {
            if run.kind != RunKind::Code {
                continue;
            }
            let inner = run.range.start + 1..run.range.end.saturating_sub(1);
            let word = ctx.slice(&inner);
            if inner.start < inner.end && is_prose_sha(word) {
                out.push((inner, "the SHA"));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "commits_tests.rs"]
pub(crate) mod tests;
