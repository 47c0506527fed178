//! Reference checks: repository paths the document names exist under the workspace root, and
//! a `§N` after a path names a section that file really has.

use crate::analysis::facts::Ctx;
use crate::analysis::refs::{Reference, references};
use crate::analysis::{Code, Diagnostic, Fix, MAX_FILE_BYTES, PathKind, Unread};

/// `broken-reference`: a referenced path that is missing or outside the workspace, or a
/// `§N` that the referenced file has no section for. Quiet when no workspace root is known.
pub fn broken_reference(ctx: &Ctx) -> Vec<Diagnostic> {
    if ctx.env.workspace.is_none() {
        return Vec::new();
    }
    look_up(ctx, &references(ctx))
}

/// The broken-reference findings for references already found: the workspace is asked on
/// every run (its answers change as files come and go), the text is not read again.
/// At most this many of a file's sections are named in a message.
const LISTED: usize = 12;

pub fn look_up(ctx: &Ctx, references: &[Reference]) -> Vec<Diagnostic> {
    let Some(workspace) = ctx.env.workspace else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for reference in references {
        let range = reference.range.clone();
        let path = ctx.slice(&range);
        let lookup = reference.path.as_str();
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
                let Some((section, n)) = reference.section.clone() else {
                    continue;
                };
                let content = match workspace.read(lookup) {
                    Ok(content) => content,
                    Err(Unread::Pending) => continue,
                    Err(Unread::TooLarge) => {
                        out.push(Diagnostic::new(
                            Code::BrokenReference,
                            section,
                            format!("`{path}` is larger than {} MiB: it is not read, so its section {n} cannot be checked; refer to a smaller file", MAX_FILE_BYTES >> 20),
                        ));
                        continue;
                    }
                    Err(Unread::Unreadable) => {
                        out.push(Diagnostic::new(
                            Code::BrokenReference,
                            section,
                            format!("`{path}` cannot be read, so its section {n} cannot be checked; make it a readable file"),
                        ));
                        continue;
                    }
                };
                drop(content);
                let Ok(numbered) = workspace.headings(lookup) else {
                    continue;
                };
                if numbered.iter().any(|h| h.number == n) {
                    continue;
                }
                let have = if numbered.is_empty() {
                    "it has no numbered sections".to_string()
                } else {
                    // A file with 20,000 sections must not make a 1 MB message.
                    let mut list: Vec<String> = numbered.iter().take(LISTED).map(|h| format!("§{} {}", h.number, h.title)).collect();
                    if numbered.len() > LISTED {
                        list.push(format!("and {} more", numbered.len() - LISTED));
                    }
                    format!("its sections are {}", list.join(", "))
                };
                let d = Diagnostic::new(
                    Code::BrokenReference,
                    section,
                    format!("`{path}` has no section {n} (a heading `## {n}. …`): {have}; point at one of those"),
                );
                // One fix per section the file has, in its order (the first few, as the
                // message lists them).
                let mut values: Vec<String> = Vec::new();
                for h in numbered.iter() {
                    let mark = format!("§{}", h.number);
                    if !values.contains(&mark) {
                        values.push(mark);
                    }
                    if values.len() == LISTED {
                        break;
                    }
                }
                out.push(match values.is_empty() {
                    true => d,
                    false => d.with_fix(Fix::Choose {
                        values,
                        preferred: false,
                    }),
                });
            }
            PathKind::Special(kind) => out.push(Diagnostic::new(
                Code::BrokenReference,
                range,
                format!("`{path}` is {}, not a regular file: it is not read; refer to a file in the repository", kind.describe()),
            )),
            PathKind::Dir | PathKind::Pending => {}
        }
    }
    out
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
        fn read(&self, rel: &str) -> Result<Arc<str>, crate::analysis::Unread> {
            let found = self.0.get(rel).map(|s| Arc::from(*s));
            found.ok_or(crate::analysis::Unread::Unreadable)
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
        // One fix per section the file has.
        assert_eq!(
            diags[0].fix,
            Some(Fix::Choose {
                values: vec!["§1".into(), "§4".into(), "§5".into()],
                preferred: false,
            })
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

    /// Every path is `kind`, and reading gives `read`.
    struct Odd(PathKind, Result<&'static str, Unread>);

    impl Workspace for Odd {
        fn kind(&self, _: &str) -> PathKind {
            self.0
        }
        fn read(&self, _: &str) -> Result<Arc<str>, Unread> {
            self.1.map(Arc::from)
        }
    }

    #[test]
    fn unreadable_references_are_reported_and_pending_ones_stay_quiet() {
        let text = valid_with(
            "deployment_procedures.md` §5.",
            "deployment_procedures.md` §5.",
        );
        let messages = |ws: &Odd| {
            with_repo_of(ws, |env| run(broken_reference, &text, env))
                .into_iter()
                .map(|d| d.message)
                .collect::<Vec<_>>()
        };
        let fifo = messages(&Odd(
            PathKind::Special(crate::analysis::Special::Fifo),
            Err(Unread::Unreadable),
        ));
        assert!(fifo.iter().any(|m| m == "`_docs/04_deploy/deployment_procedures.md` is a FIFO (named pipe), not a regular file: it is not read; refer to a file in the repository"), "{fifo:?}");
        let big = messages(&Odd(PathKind::File, Err(Unread::TooLarge)));
        assert!(
            big.iter().any(|m| m.starts_with(
                "`_docs/04_deploy/deployment_procedures.md` is larger than 4 MiB: it is not read"
            )),
            "{big:?}"
        );
        assert_eq!(
            messages(&Odd(PathKind::Pending, Err(Unread::Pending))),
            Vec::<String>::new()
        );
        assert_eq!(
            messages(&Odd(PathKind::File, Err(Unread::Pending))),
            Vec::<String>::new()
        );
    }

    fn with_repo_of<T>(ws: &Odd, f: impl FnOnce(&Env) -> T) -> T {
        f(&Env {
            workspace: Some(ws),
            ..Env::fixed()
        })
    }
}
