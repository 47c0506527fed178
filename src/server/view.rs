//! Running one core feature on a document snapshot: parse it, keep to post-mortems, build the
//! environment, and catch any panic so one bad request costs one answer, not the server.

use super::diagnostics::guarded;
use super::state::Snapshot;
use crate::analysis::facts::Ctx;
use crate::analysis::{self, Env, Schema, Workspace};
use crate::text::{LineIndex, PositionEncoding};
use chrono::{DateTime, Utc};

/// What a feature sees: the analysed document and how to convert its positions.
pub struct View<'a> {
    pub ctx: Ctx<'a>,
    pub index: LineIndex<'a>,
    pub enc: PositionEncoding,
    pub snapshot: &'a Snapshot,
}

/// The core panicked; the panic has been logged.
#[derive(Debug, PartialEq, Eq)]
pub struct Panicked;

/// Runs `f` on `snapshot` when it is a post-mortem (by the same rule as diagnostics);
/// `Ok(None)` for any other document.
pub fn on_postmortem<T>(
    what: &str,
    snapshot: &Snapshot,
    now: DateTime<Utc>,
    f: impl FnOnce(&View) -> T,
) -> Result<Option<T>, Panicked> {
    let outcome = guarded(what, || {
        let text = snapshot.text.as_str();
        let path = snapshot.path.as_ref().map(|p| p.to_string_lossy());
        let path = path.as_deref();
        let schema = Schema::builtin_ref();
        let doc = analysis::parse(text);
        if !analysis::is_postmortem(path, text, &doc, schema) {
            return None;
        }
        let env = Env {
            schema,
            now,
            path,
            workspace: snapshot.workspace.as_deref().map(|w| w as &dyn Workspace),
            commits: None,
        };
        let view = View {
            ctx: Ctx::new(text, &doc, &env),
            index: LineIndex::new(text),
            enc: snapshot.encoding,
            snapshot,
        };
        Some(f(&view))
    });
    outcome.ok_or(Panicked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(text: &str) -> Snapshot {
        Snapshot {
            uri: "file:///w/x.md".parse().unwrap(),
            version: 1,
            rev: 1,
            text: text.to_string(),
            path: None,
            workspace: None,
            encoding: PositionEncoding::Utf16,
        }
    }

    #[test]
    fn post_mortems_only_and_panics_become_errors() {
        let now = Utc::now();
        let pm = snapshot("# Post-mortem: checkout\n\n## Header\n");
        let sections = on_postmortem("t", &pm, now, |v| v.ctx.doc.sections.len());
        assert_eq!(sections, Ok(Some(1)));
        let readme = snapshot("# README\n\n## Header\n");
        assert_eq!(on_postmortem("t", &readme, now, |_| 1), Ok(None));
        let boom: Result<Option<()>, _> = on_postmortem("t", &pm, now, |_| panic!("boom"));
        assert_eq!(boom, Err(Panicked));
    }
}
