//! Reference checks: repository paths the document names exist under the workspace root, and
//! a `§N` after a path names a section that file really has.

use super::prose::spans;
use crate::analysis::facts::Ctx;
use crate::analysis::model::RunKind;
use crate::analysis::{Code, Diagnostic, PathKind, parse};
use std::ops::Range;

/// `broken-reference`: a referenced path that is missing or outside the workspace, or a
/// `§N` that the referenced file has no section for. Quiet when no workspace root is known.
pub fn broken_reference(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(workspace) = ctx.env.workspace else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for range in referenced_paths(ctx) {
        let path = ctx.slice(&range);
        let lookup = path.strip_prefix("./").unwrap_or(path);
        match workspace.kind(lookup) {
            PathKind::Missing => out.push(Diagnostic::new(
                Code::BrokenReference,
                range,
                format!("`{path}` does not exist under the workspace root: fix the path, or drop the reference"),
            )),
            PathKind::Outside => out.push(Diagnostic::new(
                Code::BrokenReference,
                range,
                format!("`{path}` points outside the workspace: refer to a file inside the repository"),
            )),
            PathKind::File => {
                let Some((section, n)) = section_mark(ctx.text, range.end) else {
                    continue;
                };
                let Some(content) = workspace.read(lookup) else {
                    continue;
                };
                let numbered = numbered_headings(&content);
                if numbered.iter().any(|(k, _)| *k == n) {
                    continue;
                }
                let have = if numbered.is_empty() {
                    "it has no numbered sections".to_string()
                } else {
                    let list: Vec<String> = numbered.iter().map(|(k, title)| format!("§{k} {title}")).collect();
                    format!("its sections are {}", list.join(", "))
                };
                out.push(Diagnostic::new(
                    Code::BrokenReference,
                    section,
                    format!("`{path}` has no section {n} (a heading `## {n}. …`): {have}; point at one of those"),
                ));
            }
            PathKind::Dir => {}
        }
    }
    out
}

/// Every repository path the prose or inline code names: the schema's known paths wherever
/// they stand as whole words, and any backticked relative path.
fn referenced_paths(ctx: &Ctx) -> Vec<Range<usize>> {
    let blocks = std::iter::once(&ctx.doc.preamble).chain(ctx.doc.sections.iter().map(|s| &s.body));
    let mut found = Vec::new();
    for block in blocks {
        for span in spans(ctx.text, block, |r| r.kind != RunKind::Html) {
            let s = ctx.slice(&span);
            for known in &ctx.schema.known_paths {
                for (i, _) in s.match_indices(known.as_str()) {
                    if path_bounded(s, i, i + known.len()) {
                        found.push((span.start + i)..(span.start + i + known.len()));
                    }
                }
            }
        }
        for run in block.runs.iter().filter(|r| r.kind == RunKind::Code) {
            let code = ctx.slice(&run.range);
            let inner = code.trim_matches('`');
            let lead = (code.len() - code.trim_start_matches('`').len())
                + (inner.len() - inner.trim_start().len());
            let path = inner.trim();
            if looks_like_path(path) {
                let start = run.range.start + lead;
                found.push(start..start + path.len());
            }
        }
    }
    found.sort_by_key(|r| (r.start, r.end));
    found.dedup();
    found
}

/// Whether backticked text is a relative repository path: no spaces, a `/`, not absolute or
/// home-relative, not a URL or pattern, and ending in a file extension or a `/`.
fn looks_like_path(p: &str) -> bool {
    let last = p.rsplit('/').next().unwrap_or("");
    let has_extension = last
        .rfind('.')
        .is_some_and(|i| i + 1 < last.len() && last[i + 1..].chars().all(char::is_alphanumeric));
    !p.is_empty()
        && !p.contains(char::is_whitespace)
        && p.contains('/')
        && !p.starts_with(['/', '~'])
        && !p.contains("://")
        && !p.contains(['<', '>', '*', '…', ':'])
        && (has_extension || p.ends_with('/'))
}

/// Whether `s[start..end]` stands alone as a path, not as part of a longer one.
fn path_bounded(s: &str, start: usize, end: usize) -> bool {
    let part_of_path = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '/');
    let before = s[..start].chars().next_back();
    let mut after = s[end..].chars();
    let next = after.next();
    let extends = next.is_some_and(part_of_path)
        || (next == Some('.') && after.next().is_some_and(char::is_alphanumeric));
    !before.is_some_and(|c| part_of_path(c) || c == '.') && !extends
}

/// A `§N` right after a path (past a closing backtick and one optional space): its range and N.
fn section_mark(text: &str, path_end: usize) -> Option<(Range<usize>, u32)> {
    let rest = text.get(path_end..)?;
    let mut at = path_end + (rest.len() - rest.trim_start_matches('`').len());
    let space = |s: &str| {
        s.chars()
            .next()
            .filter(|c| *c == ' ' || *c == '\u{a0}')
            .map_or(0, char::len_utf8)
    };
    at += space(text.get(at..)?);
    let start = at;
    at += text.get(at..)?.strip_prefix('§').map(|_| '§'.len_utf8())?;
    at += space(text.get(at..)?);
    let digits = text
        .get(at..)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let n = text.get(at..at + digits)?.parse().ok()?;
    Some((start..at + digits, n))
}

/// The numbered headings (`## 5. Rollback`, `### 5 Rollback`, any level from 2) of a
/// markdown file, as (number, title).
fn numbered_headings(content: &str) -> Vec<(u32, String)> {
    let doc = parse(content);
    let section_names = doc.sections.iter().map(|s| s.name.clone());
    let sub_headings = std::iter::once(&doc.preamble)
        .chain(doc.sections.iter().map(|s| &s.body))
        .flat_map(|b| {
            b.headings
                .iter()
                .filter(|h| h.level >= 2)
                .map(|h| h.text.clone())
        });
    let mut out: Vec<(Range<usize>, u32, String)> = section_names
        .chain(sub_headings)
        .filter_map(|r| {
            let heading = content.get(r.clone())?;
            let digits = heading.bytes().take_while(u8::is_ascii_digit).count();
            let after = &heading[digits..];
            let title = after.strip_prefix('.').unwrap_or(after);
            if digits == 0 || !(title.is_empty() || title.starts_with(char::is_whitespace)) {
                return None;
            }
            Some((r, heading[..digits].parse().ok()?, title.trim().to_string()))
        })
        .collect();
    out.sort_by_key(|(r, _, _)| r.start);
    out.into_iter().map(|(_, n, title)| (n, title)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::{VALID, check_marked_env, run, valid_with};
    use crate::analysis::{Env, Workspace};
    use std::collections::HashMap;
    use std::sync::Arc;

    const TEMPLATE: &str = include_str!("testdata/template_unfilled.md");
    const PROCEDURES: &str = "# Deployment procedures\n\n## 1. Preparing a release\n\n```\n## 7. not a heading\n```\n\n### 4 Verification\n\n## 5. Rollback\n";

    /// A workspace made of a few files held in memory.
    struct FakeWorkspace(HashMap<&'static str, &'static str>);

    impl Workspace for FakeWorkspace {
        fn kind(&self, rel: &str) -> PathKind {
            if rel.starts_with('/') || rel.split('/').any(|part| part == "..") {
                PathKind::Outside
            } else if self.0.contains_key(rel) {
                PathKind::File
            } else if self
                .0
                .keys()
                .any(|k| k.starts_with(rel.trim_end_matches('/')) && rel.ends_with('/'))
            {
                PathKind::Dir
            } else {
                PathKind::Missing
            }
        }
        fn read(&self, rel: &str) -> Option<Arc<str>> {
            self.0.get(rel).map(|s| Arc::from(*s))
        }
    }

    fn repo() -> FakeWorkspace {
        FakeWorkspace(HashMap::from([
            ("_docs/04_deploy/deployment_procedures.md", PROCEDURES),
            ("scripts/smoke.sh", "#!/bin/sh\n"),
            (".cursor/rules/tracker.mdc", "tickets\n"),
            ("config/payments.toml", "pool = 64\n"),
        ]))
    }

    fn with_repo<T>(ws: &FakeWorkspace, f: impl FnOnce(&Env) -> T) -> T {
        f(&Env {
            workspace: Some(ws),
            ..Env::fixed()
        })
    }

    #[test]
    fn quiet_without_a_workspace_and_on_valid_documents() {
        let text = valid_with("`config/payments.toml`", "`config/nope.toml`");
        assert_eq!(run(broken_reference, &text, &Env::fixed()), vec![]);
        with_repo(&repo(), |env| {
            assert_eq!(run(broken_reference, VALID, env), vec![])
        });
        with_repo(&repo(), |env| {
            assert_eq!(run(broken_reference, TEMPLATE, env), vec![])
        });
    }

    #[test]
    fn template_in_an_empty_repository_reports_its_three_documents() {
        let empty = FakeWorkspace(HashMap::new());
        let diags = with_repo(&empty, |env| run(broken_reference, TEMPLATE, env));
        let paths: Vec<&str> = diags.iter().map(|d| &TEMPLATE[d.range.clone()]).collect();
        assert_eq!(
            paths,
            [
                "_docs/04_deploy/deployment_procedures.md",
                "scripts/smoke.sh",
                ".cursor/rules/tracker.mdc"
            ]
        );
    }

    #[test]
    fn missing_and_outside_paths_are_reported_on_the_path() {
        let text = valid_with(
            "- A dashboard panel",
            "- 🚒 日本 `«config/nope.toml»` and `«../secrets/key.pem»`, plain «scripts/smoke.sh», `docs/` dir, `origin/main`, `/etc/x.conf`, `http://a/b.md`, `src/*.rs`, `«./gone/»`, `a/b.rs:12`\n- A dashboard panel",
        );
        let empty = FakeWorkspace(HashMap::from([
            ("config/payments.toml", ""),
            ("docs/x.md", ""),
            ("_docs/04_deploy/deployment_procedures.md", PROCEDURES),
        ]));
        let diags = with_repo(&empty, |env| check_marked_env(broken_reference, &text, env));
        assert!(
            diags[0]
                .message
                .contains("does not exist under the workspace root")
        );
        assert!(diags[1].message.contains("points outside the workspace"));
    }

    #[test]
    fn known_paths_must_stand_alone() {
        let text = valid_with(
            "- A dashboard panel",
            "- see examples/scripts/smoke.sh and scripts/smoke.sh.bak\n- A dashboard panel",
        );
        let none = FakeWorkspace(HashMap::from([
            ("config/payments.toml", ""),
            (
                "_docs/04_deploy/deployment_procedures.md",
                "## 5 Rollback\n",
            ),
        ]));
        assert_eq!(
            with_repo(&none, |env| run(broken_reference, &text, env)),
            vec![]
        );
    }

    #[test]
    fn section_marks_must_name_an_existing_numbered_heading() {
        let text = valid_with(
            "- A dashboard panel",
            "- `_docs/04_deploy/deployment_procedures.md`«§7», _docs/04_deploy/deployment_procedures.md «§ 2», `_docs/04_deploy/deployment_procedures.md` §4 and §1, `_docs/04_deploy/deployment_procedures.md` §1\n- A dashboard panel",
        );
        let diags = with_repo(&repo(), |env| {
            check_marked_env(broken_reference, &text, env)
        });
        assert_eq!(
            diags[0].message,
            "`_docs/04_deploy/deployment_procedures.md` has no section 7 (a heading `## 7. …`): its sections are §1 Preparing a release, §4 Verification, §5 Rollback; point at one of those"
        );
        let bare = FakeWorkspace(HashMap::from([
            ("config/payments.toml", ""),
            ("_docs/04_deploy/deployment_procedures.md", "# Procedures\n"),
        ]));
        let text = valid_with(
            "deployment_procedures.md` §5.",
            "deployment_procedures.md` «§5».",
        );
        let diags = with_repo(&bare, |env| check_marked_env(broken_reference, &text, env));
        assert!(diags[0].message.contains("it has no numbered sections"));
    }
}
