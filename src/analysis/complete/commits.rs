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

/// What a SHA item replaces in its cell, and what the client should filter on.
#[derive(Debug, PartialEq)]
pub(super) struct ShaEdit {
    /// The byte range the item replaces.
    pub range: Range<usize>,
    /// The hex digits typed before the cursor (lowercase), which filter the commits.
    pub typed: String,
    /// Whether the typed text starts with a backtick (the filter text must too).
    pub opened: bool,
    /// Whether a closing backtick stays after the edit (the item must not add another).
    pub closed: bool,
    /// The cursor is past a closing backtick (the filter text must end with one too).
    pub past_close: bool,
    /// The cell still holds template text (`<sha>`, `n/a`, …): it is replaced whole.
    pub placeholder: bool,
}

/// The edit for a SHA cell whose trimmed content is `content`, with the cursor at `offset`.
///
/// A cell holding a SHA being typed (`e30`, `` `e30 ``, `` `e30` ``, or empty) is replaced
/// from its start up to the end of the hex word under the cursor, never past it: a closing
/// backtick already there stays, and the item then brings none. Clients such as Neovim
/// replace only from the edit's start to the cursor, so with the cursor at the end of the
/// word (the normal case while typing) every client gets the same text. Any other content
/// is template text, replaced whole.
pub(super) fn sha_edit(text: &str, content: Range<usize>, offset: usize) -> ShaEdit {
    let current = text.get(content.clone()).unwrap_or("");
    let inside = content.start <= offset && offset <= content.end;
    let opened = current.starts_with('`');
    let word_start = content.start + usize::from(opened);
    let hex_end = |from: usize| {
        let rest = text.get(from..content.end).unwrap_or("");
        from + rest.bytes().take_while(u8::is_ascii_hexdigit).count()
    };
    let word_end = hex_end(word_start);
    let rest = text.get(word_end..content.end).unwrap_or("");
    let sha_shaped = rest.is_empty() || (opened && rest == "`");
    if !inside || current.is_empty() {
        return ShaEdit {
            range: offset..offset,
            typed: String::new(),
            opened: false,
            closed: false,
            past_close: false,
            placeholder: false,
        };
    }
    if !sha_shaped || is_placeholder_text(current) || offset < word_start {
        return ShaEdit {
            range: content,
            typed: String::new(),
            opened: false,
            closed: false,
            past_close: false,
            placeholder: true,
        };
    }
    let cursor = offset.min(word_end);
    // The cursor after a closing backtick: the whole cell, backticks included, is replaced.
    let closed = opened && rest == "`" && offset <= word_end;
    let end = if closed { word_end } else { content.end };
    ShaEdit {
        range: content.start..end,
        typed: text[word_start..cursor].to_ascii_lowercase(),
        opened,
        closed,
        past_close: opened && rest == "`" && offset > word_end,
        placeholder: false,
    }
}

pub fn sha_items(
    ctx: &Ctx,
    role: FieldRole,
    content: Range<usize>,
    offset: usize,
) -> Vec<Completion> {
    let Some(commits) = ctx.env.commits else {
        return Vec::new();
    };
    let current = ctx.slice(&content);
    let edit = sha_edit(ctx.text, content.clone(), offset);
    let typed = edit.typed.clone();
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
            // What the client matches the typed text (edit start to cursor) against.
            // Past a closing backtick the typed SHA is complete: the server has filtered by
            // it, and the filter text starts with the cell so the client keeps the item.
            let filter = if edit.placeholder || edit.past_close {
                format!("{current} {label}")
            } else if edit.opened {
                format!("`{}", c.sha)
            } else {
                c.sha.clone()
            };
            let close = if edit.closed { "" } else { "`" };
            Completion {
                insert: Snippet::new().text(&format!("`{label}{close}")),
                detail: c.subject.clone(),
                documentation: Some(format!(
                    "{} · committed {} UTC\n\n`{}`",
                    c.author,
                    c.time.format("%Y-%m-%d %H:%M:%S"),
                    c.sha
                )),
                kind: CompletionKind::Value,
                range: edit.range.clone(),
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
        let offset = text.find("`51d").unwrap() + 4;
        let items = complete(&text, &parse(&text), &env, offset, None);
        let item = &items[0];
        assert_eq!(item.detail, "Experiment on a side branch");
        assert_eq!(
            item.documentation.as_deref(),
            Some(
                "Ana Lima · committed 2026-03-12 10:00:00 UTC\n\n`51de0000000011bb22cc33dd44ee55ff66778899`"
            )
        );
        // Nothing matches: nothing offered.
        assert!(labels_at(&text.replace("`51d`", "`ccc`"), "`ccc", 0).is_empty());
    }

    /// The cell after accepting the first item offered with the cursor at `$0`, checking
    /// that the client's filter (edit start to cursor) keeps the item.
    fn accept_first(cell: &str) -> String {
        let row = format!("| Deploy SHA at incident start | {cell} |");
        let fixture = valid_with(DEPLOY_ROW, &row);
        let offset = fixture.find("$0").unwrap();
        let text = fixture.replacen("$0", "", 1);
        let repo = repo();
        let env = Env {
            commits: Some(&repo),
            ..Env::fixed()
        };
        let items = complete(&text, &parse(&text), &env, offset, None);
        let item = items
            .first()
            .unwrap_or_else(|| panic!("no item for {cell:?}"));
        assert!(item.range.start <= offset && offset <= item.range.end);
        let typed = &text[item.range.start..offset];
        let filter = item.filter.as_deref().unwrap_or(&item.label);
        assert!(
            filter.starts_with(typed),
            "{filter:?} does not match {typed:?}"
        );
        let mut out = text.clone();
        out.replace_range(item.range.clone(), &item.insert.to_plain());
        let start = out.find("| Deploy SHA at incident start | ").unwrap();
        let line = &out[start..];
        line[..line.find('\n').unwrap()].to_string()
    }

    #[test]
    fn accepting_a_sha_leaves_one_pair_of_backticks_in_every_cell_form() {
        let done = "| Deploy SHA at incident start | `51de00000000` |";
        for cell in ["51d$0", "`51d$0", "`51d$0`", "`51d`$0", "`5$01d`", "5$01d"] {
            assert_eq!(accept_first(cell), done, "cell {cell:?}");
        }
        // An empty cell gets the item at the cursor; template text is replaced whole. The
        // first item is the newest commit before Detection.
        let first = "| Deploy SHA at incident start | `9f1c2ab7e4d0` |";
        for cell in ["$0", "`<sha>$0`", "$0`<sha>`", "n/a$0"] {
            assert_eq!(accept_first(cell), first, "cell {cell:?}");
        }
    }

    #[test]
    fn the_edit_stops_at_a_closing_backtick_and_filters_on_what_was_typed() {
        let text = "| `e30` |";
        let content = 2..7;
        let edit = super::sha_edit(text, content.clone(), 6);
        assert_eq!(&text[edit.range.clone()], "`e30");
        assert_eq!(
            (edit.typed.as_str(), edit.opened, edit.closed),
            ("e30", true, true)
        );
        let edit = super::sha_edit(text, content.clone(), 4);
        assert_eq!(&text[edit.range.clone()], "`e30");
        assert_eq!(edit.typed, "e");
        let edit = super::sha_edit(text, content, 7);
        assert_eq!(&text[edit.range], "`e30`");
        assert!(!edit.closed);
        let bare = "| E30 |";
        let edit = super::sha_edit(bare, 2..5, 5);
        assert_eq!(
            (edit.range, edit.typed.as_str(), edit.opened),
            (2..5, "e30", false)
        );
    }

    #[test]
    fn without_a_repository_sha_cells_offer_nothing() {
        let text = valid_with(DEPLOY_ROW, "| Deploy SHA at incident start | `<sha>` |");
        let offset = text.find("`<sha>`").unwrap() + 2;
        assert!(complete(&text, &parse(&text), &Env::fixed(), offset, None).is_empty());
    }
}
