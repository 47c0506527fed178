//! Code actions (quick fixes from the fix each diagnostic carries, while the document still
//! has that problem; the SHA forms; fix-all) and the links from a post-mortem to the repository files it names and to the
//! tracker's tickets.

use super::{Backend, convert, lock};
use crate::analysis::commits::{sha_at, sha_fixes};
use crate::analysis::{self, Env, Fix, fixes, links};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionParams, CodeActionResponse, DocumentLink, DocumentLinkParams,
    GotoDefinitionParams, GotoDefinitionResponse,
};

impl Backend {
    pub(super) async fn on_code_action(
        &self,
        params: CodeActionParams,
    ) -> Result<Option<CodeActionResponse>> {
        let can_rename = lock(&self.state).client.rename_files;
        let uri = params.text_document.uri;
        let context = params.context;
        let only = context.only.as_deref();
        let quick_fixes = convert::kind_wanted(only, &CodeActionKind::QUICKFIX);
        // Fix-all re-analyses the document until it settles, so it is computed only when
        // asked for by kind, or when the request concerns at least one of our problems.
        let fix_all = match only {
            Some(_) => convert::kind_wanted(only, &convert::fix_all_kind()),
            None => context
                .diagnostics
                .iter()
                .any(|d| convert::fix_of(d).is_some()),
        };
        let diagnostics = context.diagnostics;
        let requested = params.range;
        let target = uri.clone();
        self.with_git_view(&target, "code actions", move |v| {
            let mut out = Vec::new();
            let path = v.snapshot.path.as_deref();
            // Fix-all needs no git: none of its safe fixes depends on the history. The
            // check of the client's fixes does, since the commit fixes (unknown-commit,
            // rollback-is-deploy, deploy-after-detection) offer commits: it runs with the
            // view's cached answers, as the published diagnostics did.
            let env = Env {
                commits: None,
                ..*v.ctx.env
            };
            let ours: Vec<_> = diagnostics
                .iter()
                .filter(|_| quick_fixes)
                .filter_map(|d| Some((d, convert::fix_of(d)?)))
                .collect();
            // A fix in `data` comes from the client: forged or stale ones (a section gone
            // after a template reload, a range that moved) are refused by comparing with
            // what the document shows now.
            let mut current = match ours.is_empty() {
                true => Vec::new(),
                false => analysis::check(v.ctx.text, v.ctx.doc, v.ctx.env),
            };
            fixes::sort_for_lookup(&mut current);
            // A fix whose edit does not depend on where its finding is (sort the Timeline,
            // rename the file) is offered once: 5,000 out-of-order entries each carry it, and
            // each edit rewrites the whole Timeline.
            let mut whole_document: Vec<Fix> = Vec::new();
            for (d, fix) in ours {
                let document_wide = matches!(
                    fix,
                    Fix::SortTimeline
                        | Fix::ReorderSections
                        | Fix::Rename { .. }
                        | Fix::InsertSection { .. }
                        | Fix::InsertField { .. }
                );
                if document_wide && whole_document.contains(&fix) {
                    continue;
                }
                let range = convert::byte_range(&v.index, d.range, v.enc);
                let offered = fixes::checked_actions(&v.ctx, &current, &range, &fix);
                if document_wide && !offered.is_empty() {
                    whole_document.push(fix.clone());
                }
                out.extend(offered.iter().filter_map(|a| {
                    convert::quick_fix(a, d, &uri, path, can_rename, &v.index, v.enc)
                }));
            }
            // A SHA under the range: its 12-digit and full forms, when git knows the commit.
            let wanted = convert::byte_range(&v.index, requested, v.enc);
            let sha = sha_at(&v.ctx, wanted.start).or_else(|| sha_at(&v.ctx, wanted.end));
            if let (true, Some(at), Some(commits)) = (quick_fixes, sha, v.ctx.env.commits) {
                for (title, form) in sha_fixes(commits, v.ctx.text, at.clone()) {
                    out.push(convert::sha_fix(&title, &form, &at, &uri, &v.index, v.enc));
                }
            }
            if fix_all && let Some(edit) = fixes::fix_all(v.ctx.text, &env) {
                out.push(convert::fix_all(&edit, &uri, &v.index, v.enc));
            }
            out
        })
        .await
    }

    pub(super) async fn on_document_link(
        &self,
        params: DocumentLinkParams,
    ) -> Result<Option<Vec<DocumentLink>>> {
        self.with_view(&params.text_document.uri, "document links", |v| {
            // Ticket keys open the team's tracker (`tickets.tracker_url`).
            let mut out: Vec<DocumentLink> = links::ticket_links(&v.ctx)
                .iter()
                .filter_map(|l| {
                    Some(DocumentLink {
                        range: convert::range(&v.index, &l.range, v.enc),
                        target: Some(l.url.parse().ok()?),
                        tooltip: Some(format!("Open {} in the tracker", l.key)),
                        data: None,
                    })
                })
                .collect();
            // Targets resolve under the document's own workspace root, never elsewhere.
            if let Some(workspace) = v.snapshot.workspace.as_deref() {
                out.extend(
                    links::links(&v.ctx)
                        .iter()
                        .filter_map(|l| convert::document_link(l, workspace, &v.index, v.enc)),
                );
            }
            out
        })
        .await
    }

    pub(super) async fn on_goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let found = self
            .with_view(&at.text_document.uri, "definition", move |v| {
                let workspace = v.snapshot.workspace.as_deref()?;
                let offset = convert::offset(&v.index, at.position, v.enc);
                let link = links::link_at(&v.ctx, offset)?;
                convert::location(&link, workspace).map(GotoDefinitionResponse::Scalar)
            })
            .await?;
        Ok(found.flatten())
    }
}
