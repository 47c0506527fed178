//! What the core knows about the repository's commits: a small trait the environment
//! implements (with `git` in `src/git/`, with a fixed list in tests), and the rules for
//! which words of a document count as commit SHAs.
//!
//! Every answer may be "not known yet" (`Pending`, `None`): the server answers from a cache
//! without waiting for git, and the checks stay quiet until the answer arrives.

use super::facts::Ctx;
use super::schema::FieldRole;
use super::values::is_sha;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// One commit, as plain data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitInfo {
    /// The full SHA, lowercase.
    pub sha: String,
    pub subject: String,
    pub author: String,
    /// The committer time: when the commit was made in the form it has (after any rebase).
    pub time: DateTime<Utc>,
    /// The branch and tag names pointing at it (`main`, `v41`, `origin/main`), as far as
    /// the commit came from [`Commits::recent`]; empty otherwise.
    pub refs: Vec<String>,
}

impl CommitInfo {
    /// The 12-digit form the project writes in documents.
    pub fn short(&self) -> &str {
        self.sha.get(..12).unwrap_or(&self.sha)
    }
}

/// The answer to "which commit does this SHA name?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Arc<CommitInfo>),
    /// The repository holds no commit by that name (nor anything it could be peeled to).
    Unknown,
    /// The short SHA matches more than one object.
    Ambiguous,
    /// The repository cannot tell: a shallow clone lacks the older history.
    Unverifiable,
    /// Not known yet; ask again later.
    Pending,
}

/// The file changes of one commit and where to see it on the web, for hover.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitDetails {
    /// `git show --stat` lines, already trimmed to a readable length.
    pub stat: String,
    /// The commit's page on the remote's web site, when `origin` is a known host.
    pub link: Option<String>,
}

/// The repository as the core sees it. Implementations take any string and must not trust
/// it: callers pass SHAs found in documents, validated by [`is_sha`], but an implementation
/// checks again before anything reaches git.
pub trait Commits {
    /// The commit a (short or full) SHA names.
    fn lookup(&self, sha: &str) -> Lookup;
    /// Recent commits of the branches, tags and HEAD, newest first (a bounded number).
    fn recent(&self) -> Option<Arc<[CommitInfo]>>;
    /// Commits reachable from `sha` (a full SHA), newest first, `sha` itself included
    /// (a bounded number).
    fn ancestors(&self, sha: &str) -> Option<Arc<[CommitInfo]>>;
    /// Whether `ancestor` is an ancestor of (or the same as) `descendant`; both full SHAs.
    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Option<bool>;
    /// The changed files and web link of a commit (a full SHA).
    fn details(&self, sha: &str) -> Option<CommitDetails>;
}

/// Whether a word in prose reads as a commit SHA: 7–40 hex digits with at least one digit
/// and one letter, so that numbers (`1000000`) and hex-only English words (`defaced`) are
/// not taken for commits. Header SHA cells accept any 7–40 hex digits.
pub fn is_prose_sha(word: &str) -> bool {
    is_sha(word)
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The hex word around `offset` in `text` (bounded by anything but ASCII letters and
/// digits), with its byte range.
pub fn hex_word_at(text: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let is_word = |b: u8| b.is_ascii_alphanumeric();
    let mut start = offset;
    while start > 0 && is_word(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is_word(bytes[end]) {
        end += 1;
    }
    (start < end && is_sha(&text[start..end])).then_some(start..end)
}

/// The commit SHA around `offset`, by the rule hover and the SHA quick fixes share: in a
/// Header SHA cell any 7–40 hex digits; in prose the word must also mix digits and letters,
/// so `1000000` and `defaced` are not looked up.
pub fn sha_at(ctx: &Ctx, offset: usize) -> Option<std::ops::Range<usize>> {
    let range = hex_word_at(ctx.text, offset)?;
    let in_sha_cell = [FieldRole::DeploySha, FieldRole::RollbackSha]
        .into_iter()
        .filter_map(|role| ctx.field(role))
        .any(|row| row.value == range);
    (in_sha_cell || is_prose_sha(ctx.slice(&range))).then_some(range)
}

/// The quick fixes for the SHA at `range`: its 12-digit and full forms, when the
/// repository knows the commit and the text is not already in that form. Each is a label
/// and the replacement for `range`.
pub fn sha_fixes(
    commits: &dyn Commits,
    text: &str,
    range: std::ops::Range<usize>,
) -> Vec<(String, String)> {
    let Some(word) = text.get(range).filter(|w| is_sha(w)) else {
        return Vec::new();
    };
    let Lookup::Found(c) = commits.lookup(word) else {
        return Vec::new();
    };
    [c.short(), c.sha.as_str()]
        .into_iter()
        .filter(|form| *form != word)
        .map(|form| {
            let what = if form.len() == 40 {
                "the full SHA"
            } else {
                "the 12-digit SHA"
            };
            (format!("Write {what} `{form}`"), form.to_string())
        })
        .collect()
}

/// A repository that has answered nothing yet (every lookup `Pending`), like an empty
/// cache: for tests that the git checks stay quiet until answers arrive.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAnswersYet;

impl Commits for NoAnswersYet {
    fn lookup(&self, _: &str) -> Lookup {
        Lookup::Pending
    }
    fn recent(&self) -> Option<Arc<[CommitInfo]>> {
        None
    }
    fn ancestors(&self, _: &str) -> Option<Arc<[CommitInfo]>> {
        None
    }
    fn is_ancestor(&self, _: &str, _: &str) -> Option<bool> {
        None
    }
    fn details(&self, _: &str) -> Option<CommitDetails> {
        None
    }
}

/// A fixed set of commits, for tests of the core (and of anything else that needs a fake
/// repository). Short SHAs resolve by prefix, like git.
#[derive(Debug, Default, Clone)]
pub struct FixedCommits {
    /// Newest first.
    pub commits: Vec<CommitInfo>,
    /// `(ancestor, descendant)` pairs of full SHAs; a commit is its own ancestor.
    pub ancestry: Vec<(String, String)>,
    pub link_base: Option<String>,
}

impl Commits for FixedCommits {
    fn lookup(&self, sha: &str) -> Lookup {
        if !is_sha(sha) {
            return Lookup::Unknown;
        }
        let sha = sha.to_ascii_lowercase();
        let mut found = self.commits.iter().filter(|c| c.sha.starts_with(&sha));
        match (found.next(), found.next()) {
            (Some(c), None) => Lookup::Found(Arc::new(c.clone())),
            (Some(_), Some(_)) => Lookup::Ambiguous,
            _ => Lookup::Unknown,
        }
    }

    fn recent(&self) -> Option<Arc<[CommitInfo]>> {
        Some(self.commits.clone().into())
    }

    fn ancestors(&self, sha: &str) -> Option<Arc<[CommitInfo]>> {
        let list: Vec<CommitInfo> = self
            .commits
            .iter()
            .filter(|c| self.is_ancestor(&c.sha, sha) == Some(true))
            .cloned()
            .collect();
        Some(list.into())
    }

    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Option<bool> {
        Some(
            ancestor == descendant
                || self
                    .ancestry
                    .iter()
                    .any(|(a, d)| a == ancestor && d == descendant),
        )
    }

    fn details(&self, sha: &str) -> Option<CommitDetails> {
        Some(CommitDetails {
            stat: " src/lib.rs | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)".into(),
            link: self.link_base.as_ref().map(|b| format!("{b}/commit/{sha}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_shas_need_a_digit_and_a_letter() {
        assert!(is_prose_sha("9f1c2ab"));
        assert!(!is_prose_sha("1000000"));
        assert!(!is_prose_sha("defaced"));
        assert!(!is_prose_sha("9f1c2a"));
        assert!(!is_prose_sha("--output=/tmp/x"));
    }

    #[test]
    fn fixes_offer_the_12_digit_and_full_forms() {
        let repo = FixedCommits {
            commits: vec![CommitInfo {
                sha: "9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788".into(),
                subject: "s".into(),
                author: "a".into(),
                time: DateTime::default(),
                refs: Vec::new(),
            }],
            ..FixedCommits::default()
        };
        let text = "see 9f1c2ab here";
        let fixes = sha_fixes(&repo, text, 4..11);
        assert_eq!(
            fixes,
            [
                (
                    "Write the 12-digit SHA `9f1c2ab7e4d0`".to_string(),
                    "9f1c2ab7e4d0".to_string()
                ),
                (
                    "Write the full SHA `9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788`".to_string(),
                    "9f1c2ab7e4d0aa11bb22cc33dd44ee55ff667788".to_string()
                ),
            ]
        );
        assert_eq!(sha_fixes(&repo, "9f1c2ab7e4d0", 0..12).len(), 1);
        assert!(sha_fixes(&repo, "0000000", 0..7).is_empty());
        assert!(sha_fixes(&repo, "abc", 0..9).is_empty());
    }

    #[test]
    fn hex_words_stop_at_non_word_characters() {
        let text = "see `9f1c2ab7e4d0`, then x9f1c2abz";
        let at = text.find("2ab").unwrap();
        assert_eq!(hex_word_at(text, at), Some(5..17));
        assert_eq!(hex_word_at(text, 5), Some(5..17));
        assert_eq!(hex_word_at(text, 17), Some(5..17));
        assert_eq!(hex_word_at(text, text.find("x9f").unwrap() + 2), None);
        assert_eq!(hex_word_at(text, 0), None);
        assert_eq!(hex_word_at("", 3), None);
    }
}
