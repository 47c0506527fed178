//! Links from a document to the repository files it names: the whole file, or the line of
//! the `§N` heading it points at. Only paths that exist inside the workspace become links.

use super::PathKind;
use super::facts::Ctx;
use super::refs::{numbered_headings, references};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The path as written in the document.
    pub range: Range<usize>,
    /// The target, relative to the workspace root.
    pub path: String,
    /// 0-based line to open the target at (the `§N` heading), if any.
    pub line: Option<usize>,
}

/// Every link in the document. Empty without a workspace.
pub fn links(ctx: &Ctx) -> Vec<Link> {
    let Some(workspace) = ctx.env.workspace else {
        return Vec::new();
    };
    references(ctx)
        .into_iter()
        .filter(|r| matches!(workspace.kind(&r.path), PathKind::File | PathKind::Dir))
        .map(|r| {
            let line = r.section.as_ref().and_then(|(_, n)| {
                let content = workspace.read(&r.path)?;
                numbered_headings(&content)
                    .into_iter()
                    .find(|h| h.number == *n)
                    .map(|h| h.line)
            });
            Link {
                range: r.range,
                path: r.path,
                line,
            }
        })
        .collect()
}

/// The link under `offset` (go to definition).
pub fn link_at(ctx: &Ctx, offset: usize) -> Option<Link> {
    links(ctx)
        .into_iter()
        .find(|l| l.range.start <= offset && offset <= l.range.end)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::{Env, Workspace, parse};
    use std::collections::HashMap;
    use std::sync::Arc;

    /// The example repository's files, in memory.
    pub struct Files(pub HashMap<&'static str, &'static str>);

    impl Workspace for Files {
        fn kind(&self, rel: &str) -> PathKind {
            if rel.starts_with('/') || rel.split('/').any(|p| p == "..") {
                PathKind::Outside
            } else if self.0.contains_key(rel) {
                PathKind::File
            } else {
                PathKind::Missing
            }
        }
        fn read(&self, rel: &str) -> Option<Arc<str>> {
            self.0.get(rel).map(|s| Arc::from(*s))
        }
    }

    pub fn example_files() -> Files {
        Files(HashMap::from([
            (
                "_docs/04_deploy/deployment_procedures.md",
                include_str!("../../examples/acme-shop/_docs/04_deploy/deployment_procedures.md"),
            ),
            (
                "scripts/smoke.sh",
                include_str!("../../examples/acme-shop/scripts/smoke.sh"),
            ),
            (
                ".cursor/rules/tracker.mdc",
                include_str!("../../examples/acme-shop/.cursor/rules/tracker.mdc"),
            ),
        ]))
    }

    #[test]
    fn existing_paths_link_and_sections_open_at_their_heading() {
        let files = example_files();
        let env = Env {
            workspace: Some(&files),
            ..Env::fixed()
        };
        let doc = parse(VALID);
        let ctx = Ctx::new(VALID, &doc, &env);
        let got = links(&ctx);
        // `config/payments.toml` is not in the in-memory workspace, so it is no link.
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "_docs/04_deploy/deployment_procedures.md");
        assert_eq!(got[0].line, Some(18), "the line of `## 5. Rollback`");
        let at = link_at(&ctx, got[0].range.start + 3).unwrap();
        assert_eq!(at, got[0]);
        assert_eq!(link_at(&ctx, 0), None);
        let no_workspace = Env::fixed();
        assert!(links(&Ctx::new(VALID, &doc, &no_workspace)).is_empty());
    }
}
