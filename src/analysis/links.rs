//! Links from a document to the repository files it names (the whole file, or the line of
//! the `§N` heading it points at; only paths that exist inside the workspace become links)
//! and from the Prevention table's ticket keys to the team's tracker.

use super::PathKind;
use super::facts::Ctx;
use super::refs::references;
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
                let headings = workspace.headings(&r.path).ok()?;
                headings.iter().find(|h| h.number == *n).map(|h| h.line)
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

/// A ticket key in the Prevention table and its page in the tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLink {
    /// The key as written.
    pub range: Range<usize>,
    pub key: String,
    /// The tracker URL (`tickets.tracker_url`) with the key in place of `{key}`.
    pub url: String,
}

/// Every ticket key in the Prevention table's rows, when a tracker URL is configured. Keys
/// elsewhere are left alone: in prose the default pattern would also take `UTF-8` or
/// `SHA-256` for keys.
pub fn ticket_links(ctx: &Ctx) -> Vec<TicketLink> {
    let Some(template) = &ctx.schema.tracker_url else {
        return Vec::new();
    };
    ctx.prevention
        .iter()
        .flat_map(|row| {
            let text = ctx.slice(&row.range);
            ctx.schema.ticket.find_iter(text).map(move |m| {
                let key = &text[m.clone()];
                TicketLink {
                    range: row.range.start + m.start..row.range.start + m.end,
                    key: key.to_string(),
                    url: template.replace("{key}", &url_encode(key)),
                }
            })
        })
        .collect()
}

/// The ticket key under `offset`.
pub fn ticket_at(ctx: &Ctx, offset: usize) -> Option<TicketLink> {
    ticket_links(ctx)
        .into_iter()
        .find(|l| l.range.start <= offset && offset <= l.range.end)
}

/// `s` safe inside a URL: anything but ASCII letters, digits and `-._~` percent-encoded, so a
/// team pattern that allows `/`, `?` or spaces still gives the key's own page.
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
        fn read(&self, rel: &str) -> Result<Arc<str>, crate::analysis::Unread> {
            let found = self.0.get(rel).map(|s| Arc::from(*s));
            found.ok_or(crate::analysis::Unread::Unreadable)
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

    #[test]
    fn ticket_keys_in_the_prevention_table_link_to_the_tracker() {
        let mut schema = crate::analysis::Schema::builtin();
        schema.ticket = crate::analysis::schema::TicketPattern::new("INC-[0-9]+").unwrap();
        let text = "# Post-mortem: x\n\n## Repair\n\nSee INC-1.\n\n## Prevention\n\n| Owner | Action | Target date |\n|-|-|-|\n| @kim | 🚨 Alert, INC-12 and `INC-3` | 2026-05-20 |\n| @lee | no key, XINC-4 | 2026-05-21 |\n";
        let doc = parse(text);
        let env = Env {
            schema: &schema,
            ..Env::fixed()
        };
        assert!(
            ticket_links(&Ctx::new(text, &doc, &env)).is_empty(),
            "no tracker URL"
        );
        schema.tracker_url = Some("https://t.example/browse/{key}?from=pm".into());
        let env = Env {
            schema: &schema,
            ..Env::fixed()
        };
        let ctx = Ctx::new(text, &doc, &env);
        let got = ticket_links(&ctx);
        let keys: Vec<&str> = got.iter().map(|l| &text[l.range.clone()]).collect();
        assert_eq!(
            keys,
            ["INC-12", "INC-3"],
            "only the table; XINC-4 is no key"
        );
        let at = text.find("INC-12").unwrap();
        assert_eq!(got[0].range, at..at + 6);
        assert_eq!(got[0].url, "https://t.example/browse/INC-12?from=pm");
        assert_eq!(ticket_at(&ctx, at + 6), Some(got[0].clone()));
        assert_eq!(ticket_at(&ctx, text.find("INC-1.").unwrap()), None);
        assert_eq!(url_encode("A B/ü"), "A%20B%2F%C3%BC");
    }
}
