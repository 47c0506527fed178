//! Commits for the Deploy and Rollback SHA cells, from the repository's recent history.
//!
//! Deploy SHA: the commits made before the Detection time come first (the release that was
//! running must predate detection), newest first, then the later ones. Rollback SHA: the
//! Deploy commit's ancestors first (a rollback returns to an earlier release), then the
//! other recent commits. What is typed in the cell filters by SHA prefix.

use super::{Completion, CompletionKind};
use crate::analysis::commits::{CommitInfo, Lookup};
use crate::analysis::facts::Ctx;
use crate::analysis::schema::FieldRole;
use crate::analysis::snippet::Snippet;
use crate::analysis::values::{is_placeholder_text, is_sha};
use std::ops::Range;

/// At most this many items are offered.
const MAX_ITEMS: usize = 100;

pub fn sha_items(
    ctx: &Ctx,
    role: FieldRole,
    content: Range<usize>,
    target: Range<usize>,
) -> Vec<Completion> {
    let Some(commits) = ctx.env.commits else {
        return Vec::new();
    };
    let current = ctx.slice(&content);
    let placeholder = is_placeholder_text(current);
    let bare = current.trim_matches('`').trim();
    let typed = if bare.bytes().all(|b| b.is_ascii_hexdigit()) && !placeholder {
        bare.to_ascii_lowercase()
    } else {
        String::new()
    };
    let recent = commits.recent().unwrap_or_else(|| Vec::new().into());
    let mut ordered: Vec<CommitInfo> = match role {
        FieldRole::RollbackSha => {
            let deploy = ctx
                .value(FieldRole::DeploySha)
                .filter(|v| is_sha(v))
                .and_then(|v| match commits.lookup(v) {
                    Lookup::Found(c) => Some(c),
                    _ => None,
                });
            let ancestors = deploy
                .as_ref()
                .and_then(|d| commits.ancestors(&d.sha))
                .unwrap_or_else(|| Vec::new().into());
            // The Deploy commit itself is never offered: rolling back to it changes nothing.
            let not_deploy = |c: &&CommitInfo| deploy.as_ref().is_none_or(|d| d.sha != c.sha);
            let first: Vec<CommitInfo> = ancestors.iter().filter(not_deploy).cloned().collect();
            let rest = recent
                .iter()
                .filter(not_deploy)
                .filter(|c| !first.iter().any(|f| f.sha == c.sha));
            let rest: Vec<CommitInfo> = rest.cloned().collect();
            first.into_iter().chain(rest).collect()
        }
        _ => {
            let detection = ctx.timestamp(FieldRole::Detection);
            let before = |c: &CommitInfo| detection.is_none_or(|d| c.time <= d);
            let (early, late): (Vec<CommitInfo>, Vec<CommitInfo>) =
                recent.iter().cloned().partition(before);
            early.into_iter().chain(late).collect()
        }
    };
    ordered.retain(|c| c.sha.starts_with(&typed));
    if ordered.is_empty()
        && is_sha(&typed)
        && let Lookup::Found(c) = commits.lookup(&typed)
    {
        ordered.push((*c).clone());
    }
    ordered
        .iter()
        .take(MAX_ITEMS)
        .map(|c| {
            let label = c.short().to_string();
            let filter = if placeholder {
                format!("{current} {label}")
            } else if current.starts_with('`') {
                format!("`{}", c.sha)
            } else {
                c.sha.clone()
            };
            Completion {
                insert: Snippet::new().text(&format!("`{label}`")),
                detail: c.subject.clone(),
                documentation: Some(format!(
                    "{} · committed {} UTC\n\n`{}`",
                    c.author,
                    c.time.format("%Y-%m-%d %H:%M:%S"),
                    c.sha
                )),
                kind: CompletionKind::Value,
                range: target.clone(),
                filter: Some(filter),
                label,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::analysis::checks::commit_fixture::repo;
    use crate::analysis::checks::fixture::valid_with;
    use crate::analysis::complete::complete;
    use crate::analysis::{Env, parse};

    const DEPLOY_ROW: &str = "| Deploy SHA at incident start | `9f1c2ab7e4d0` |";

    fn labels_at(text: &str, needle: &str, back: usize) -> Vec<String> {
        let repo = repo();
        let env = Env {
            commits: Some(&repo),
            ..Env::fixed()
        };
        let offset = text.find(needle).unwrap() + needle.len() - back;
        complete(text, &parse(text), &env, offset, None)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn deploy_cell_lists_commits_before_detection_first() {
        let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `<sha>` |");
        // Detection is 2026-03-14T09:26:53Z; the 11:00 commit comes last.
        assert_eq!(
            labels_at(&text, "`<sha>`", 2),
            [
                "9f1c2ab7e4d0",
                "51de00000000",
                "4be07d13a9c2",
                "1a7e00000000"
            ]
        );
    }

    #[test]
    fn rollback_cell_lists_ancestors_of_the_deploy_first() {
        let text = crate::analysis::checks::fixture::VALID;
        // Typing nothing: the cell holds `4be07d13a9c2`; put the cursor in an empty cell.
        let text = text.replace("`4be07d13a9c2` |", " |");
        let labels = labels_at(&text, "| Rollback SHA (if rolled back) | ", 0);
        assert_eq!(labels, ["4be07d13a9c2", "1a7e00000000", "51de00000000"]);
    }

    #[test]
    fn typed_prefix_filters_and_items_carry_documentation() {
        let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `51d` |");
        assert_eq!(labels_at(&text, "`51d", 0), ["51de00000000"]);
        let repo = repo();
        let env = Env {
            commits: Some(&repo),
            ..Env::fixed()
        };
        let offset = text.find("`51d").unwrap() + 2;
        let items = complete(&text, &parse(&text), &env, offset, None);
        let item = &items[0];
        assert_eq!(item.detail, "Experiment on a side branch");
        assert_eq!(item.insert.to_plain(), "`51de00000000`");
        assert_eq!(&text[item.range.clone()], "`51d`");
        assert_eq!(
            item.documentation.as_deref(),
            Some(
                "Ana Lima · committed 2026-03-12 10:00:00 UTC\n\n`51de0000000011bb22cc33dd44ee55ff66778899`"
            )
        );
        // Nothing matches: nothing offered.
        assert!(labels_at(&text.replace("`51d`", "`ccc`"), "`ccc", 0).is_empty());
    }

    #[test]
    fn without_a_repository_sha_cells_offer_nothing() {
        let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `<sha>` |");
        let offset = text.find("`<sha>`").unwrap() + 2;
        assert!(complete(&text, &parse(&text), &Env::fixed(), offset, None).is_empty());
    }
}
