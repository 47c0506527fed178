//! Re-parsing and re-checking only what changed: a cache of the last version's parsed
//! pieces (preamble and section bodies), reused for any piece whose text is unchanged,
//! wherever it now stands, together with what the section-local checks found in it.
//!
//! An edit touches one or two sections; on a 10,000-line post-mortem re-parsing and
//! re-checking everything costs milliseconds, re-doing one section and moving the others'
//! ranges, a fraction of one.

use super::checks::{self, look_up_references};
use super::diagnostic::Diagnostic;
use super::facts::Ctx;
use super::model::{Block, Document, shift};
use super::parse::{assemble, parse_block};
use super::refs::{Reference, references};
use super::schema::FieldRole;
use super::{Env, finish};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::ops::Range;

/// The parsed (and checked) pieces of the previous version of one document.
#[derive(Debug, Default)]
pub struct ParseCache {
    pieces: HashMap<Key, Vec<Piece>>,
    /// The document-level values the cached check results were computed with.
    summary: Option<Summary>,
}

#[derive(Debug)]
struct Piece {
    text: Box<str>,
    block: Block,
    /// What the section-local checks found in this piece, for each context it was seen in.
    checked: Vec<Checked>,
}

/// The findings of [`checks::LOCAL`] and the references in one block, at the offset
/// `start` where its heading (or the preamble) stood when they were computed.
#[derive(Debug)]
struct Checked {
    context: Context,
    start: usize,
    diagnostics: Vec<Diagnostic>,
    references: Vec<Reference>,
}

/// What, besides its body's text, the local checks of a block read from the document.
#[derive(Debug, PartialEq)]
struct Context {
    /// The heading line (empty for the preamble).
    heading: Box<str>,
    /// The template section it is, and whether it is the first section that is.
    spec: Option<usize>,
    first: bool,
    /// The Header table's range, relative to `start`, when it stands in this block.
    header: Option<Range<usize>>,
}

/// The Header values the local checks read; a change to any of them (or another schema)
/// invalidates every cached result.
#[derive(Debug, PartialEq)]
struct Summary {
    /// The schema's [`Schema::generation`](super::schema::Schema::generation).
    schema: u64,
    incident: Option<NaiveDate>,
    detection: Option<DateTime<Utc>>,
    mitigation: Option<DateTime<Utc>>,
}

/// A cheap fingerprint of a piece's text: its length and a sample of its bytes. Equal keys
/// are confirmed by comparing the whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key(usize, u64);

fn key(text: &str) -> Key {
    let b = text.as_bytes();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |x: u8| h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    let step = (b.len() / 64).max(1);
    b.iter().take(64).for_each(|&x| mix(x));
    b.iter().step_by(step).for_each(|&x| mix(x));
    b.iter().rev().take(64).for_each(|&x| mix(x));
    Key(b.len(), h)
}

impl ParseCache {
    /// Parses `text`, reusing the blocks of unchanged pieces from the previous call. The
    /// result equals [`super::parse`]'s.
    pub fn parse(&mut self, text: &str) -> Document {
        let mut next: HashMap<Key, Vec<Piece>> = HashMap::new();
        let doc = assemble(text, |range: Range<usize>| {
            let piece = &text[range.clone()];
            let k = key(piece);
            let reused = self.pieces.get_mut(&k).and_then(|list| {
                let i = list.iter().position(|p| &*p.text == piece)?;
                Some(list.swap_remove(i))
            });
            // One copy per piece: a reused block stays in the cache at the offset it was
            // parsed at, and the document gets it moved to where it stands now.
            let (kept, block) = match reused {
                Some(old) => {
                    let delta = range.start as isize - old.block.range.start as isize;
                    let moved = old.block.shifted(delta);
                    (old, moved)
                }
                None => {
                    let block = parse_block(text, range);
                    let kept = Piece {
                        text: piece.into(),
                        block: block.clone(),
                        checked: Vec::new(),
                    };
                    (kept, block)
                }
            };
            next.entry(k).or_default().push(kept);
            block
        });
        self.pieces = next;
        doc
    }

    /// Checks `doc`, the document this cache last parsed from `text`. The result equals
    /// [`super::check`]'s. The section-local checks ([`checks::LOCAL`]) and reference finding
    /// run only over blocks whose text or context changed since they were last checked; the
    /// document-level checks run in full, and references are looked up in the workspace
    /// every time.
    pub fn check(&mut self, text: &str, doc: &Document, env: &Env) -> Vec<Diagnostic> {
        let ctx = Ctx::new(text, doc, env);
        let (local, found) = self.local(&ctx);
        complete(&ctx, local, &found)
    }

    /// The section-local half of [`ParseCache::check`]: the local checks' findings and the
    /// references found, from the cache where the blocks are unchanged. Pure computation, so
    /// a caller may hold the cache's lock over it (and not over [`complete`]).
    pub fn local(&mut self, ctx: &Ctx) -> (Vec<Diagnostic>, Vec<Reference>) {
        let doc = ctx.doc;
        let summary = Summary {
            schema: ctx.env.schema.generation,
            incident: ctx.date(FieldRole::IncidentDate),
            detection: ctx.timestamp(FieldRole::Detection),
            mitigation: ctx.timestamp(FieldRole::Mitigation),
        };
        if self.summary.as_ref() != Some(&summary) {
            self.pieces
                .values_mut()
                .flatten()
                .for_each(|p| p.checked.clear());
            self.summary = Some(summary);
        }
        let mut out: Vec<Diagnostic> = Vec::new();
        let mut found: Vec<Reference> = Vec::new();
        let blocks = std::iter::once((None, &doc.preamble))
            .chain(doc.sections.iter().map(|s| (Some(s), &s.body)));
        for (i, (section, block)) in blocks.enumerate() {
            let start = section.map_or(block.range.start, |s| s.heading_line.start);
            let spec = i.checked_sub(1).and_then(|k| ctx.section_specs[k]);
            let context = Context {
                heading: section.map_or("", |s| ctx.slice(&s.heading_line)).into(),
                spec,
                first: i > 0 && !ctx.section_specs[..i - 1].contains(&spec),
                header: ctx
                    .header
                    .as_ref()
                    .map(|h| h.range.clone())
                    .filter(|h| block.range.contains(&h.start))
                    .map(|h| shift(&h, -(start as isize))),
            };
            let piece = self.piece_mut(ctx.slice(&block.range));
            if let Some(c) = piece
                .as_ref()
                .and_then(|p| p.checked.iter().find(|c| c.context == context))
            {
                let delta = start as isize - c.start as isize;
                out.extend(c.diagnostics.iter().map(|d| Diagnostic {
                    range: shift(&d.range, delta),
                    ..d.clone()
                }));
                found.extend(c.references.iter().map(|r| Reference {
                    range: shift(&r.range, delta),
                    path: r.path.clone(),
                    section: r.section.clone().map(|(s, n)| (shift(&s, delta), n)),
                }));
                continue;
            }
            let scoped = ctx.narrowed(i);
            let diagnostics: Vec<Diagnostic> =
                checks::LOCAL.iter().flat_map(|c| c(&scoped)).collect();
            let refs = references(&scoped);
            out.extend(diagnostics.iter().cloned());
            found.extend(refs.iter().cloned());
            if let Some(piece) = piece {
                // A piece seen in many contexts (say, an empty section under several
                // headings) keeps only the latest few.
                if piece.checked.len() >= 4 {
                    piece.checked.remove(0);
                }
                piece.checked.push(Checked {
                    context,
                    start,
                    diagnostics,
                    references: refs,
                });
            }
        }
        (out, found)
    }

    /// The cached piece holding exactly `text`, if any.
    fn piece_mut(&mut self, text: &str) -> Option<&mut Piece> {
        let list = self.pieces.get_mut(&key(text))?;
        list.iter_mut().find(|p| &*p.text == text)
    }
}

/// The rest of [`ParseCache::check`] after [`ParseCache::local`]: the document-level checks
/// and the references' workspace look-ups. These may wait for git or files, so they run
/// without the cache held.
pub fn complete(ctx: &Ctx, mut out: Vec<Diagnostic>, found: &[Reference]) -> Vec<Diagnostic> {
    out.extend(checks::DOCUMENT.iter().flat_map(|c| c(ctx)));
    out.extend(look_up_references(ctx, found));
    finish(ctx.text, out, ctx.env.rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::schema::Schema;
    use crate::analysis::{PathKind, Workspace, check, parse};
    use proptest::prelude::*;
    use std::sync::Arc;

    #[test]
    fn reused_sections_move_with_the_text() {
        let mut cache = ParseCache::default();
        assert_eq!(cache.parse(VALID), parse(VALID));
        let edited = VALID.replacen("## Header\n", "## Header 🚒 edited\n\nA new line.\n", 1);
        assert_eq!(cache.parse(&edited), parse(&edited));
        assert_eq!(cache.parse(VALID), parse(VALID));
        // Two identical sections each get their own block.
        let twice = format!("{VALID}\n## Impact\n\n- x\n\n## Impact\n\n- x\n");
        assert_eq!(cache.parse(&twice), parse(&twice));
        assert_eq!(cache.parse(""), parse(""));
    }

    /// A workspace holding the runbook with sections 1 and 5; every other path is missing.
    struct Runbook;

    impl Workspace for Runbook {
        fn kind(&self, rel: &str) -> PathKind {
            match rel {
                "_docs/04_deploy/deployment_procedures.md" => PathKind::File,
                "_docs" => PathKind::Dir,
                _ => PathKind::Missing,
            }
        }
        fn read(&self, _: &str) -> Result<Arc<str>, crate::analysis::Unread> {
            Ok("## 1. Prepare\n\n## 5. Rollback\n".into())
        }
    }

    /// `VALID` with `n` more Timeline entries and Prevention rows, shaped like the benches'
    /// 10,000-line document.
    fn long(n: usize) -> String {
        let entries: String = (0..n)
            .map(|i| format!("09:{:02}  (source: Slack #ops) update {i}\n", 27 + i % 3))
            .collect();
        let rows: String = (0..n)
            .map(|i| {
                format!(
                    "| @o{i} | Action {i}, OPS-{i} | 2026-04-{:02} |\n",
                    1 + i % 28
                )
            })
            .collect();
        VALID
            .replacen("09:31  (source:", &format!("{entries}09:31  (source:"), 1)
            .replacen("| @sam |", &format!("{rows}| @sam |"), 1)
    }

    /// One edit: where, how much to delete, what to insert. The inserts favour what the
    /// checks look at: times, sources, ticket keys, dates, placeholders, headings, pipes.
    fn edit() -> impl Strategy<Value = (prop::sample::Index, usize, String)> {
        let insert = prop_oneof![
            "[a-z#|`\n🚒 ]{0,12}",
            Just("09:1".to_string()),
            Just("(source: alert) x".to_string()),
            Just("OPS-".to_string()),
            Just("2026-03-1".to_string()),
            Just("HH:MM …".to_string()),
            Just("<fill>".to_string()),
            Just("\n## Timeline (UTC)\n".to_string()),
            Just("\n## Prevention\n".to_string()),
            Just("_docs/04_deploy/deployment_procedures.md §".to_string()),
            Just("| @x | y | 2020-01-01 |\n".to_string()),
        ];
        (any::<prop::sample::Index>(), 0usize..40, insert)
    }

    /// A new schema (a reloaded configuration) is never mistaken for the old one, even when
    /// it is built in the same place in memory.
    #[test]
    fn another_schema_discards_cached_results() {
        let builtin = Env::fixed();
        let mut cache = ParseCache::default();
        let doc = cache.parse(VALID);
        assert_eq!(
            cache.check(VALID, &doc, &builtin),
            check(VALID, &doc, &builtin)
        );
        let mut schema = Schema::builtin();
        for round in 0..3 {
            // Alert is no longer a timeline source: the cached Timeline results are wrong.
            let config = crate::config::Config {
                timeline_sources: Some(vec![format!("pager{round}")]),
                ..Default::default()
            };
            config.apply(&mut schema);
            let env = Env {
                schema: &schema,
                ..Env::fixed()
            };
            let cached = cache.check(VALID, &doc, &env);
            assert_eq!(cached, check(VALID, &doc, &env));
            assert!(
                cached
                    .iter()
                    .any(|d| d.code == crate::analysis::Code::TimelineFormat)
            );
        }
    }

    /// Edits that change what unchanged blocks are checked against: the Header values,
    /// which section is the first Timeline, where the Header table stands.
    #[test]
    fn context_changes_reach_cached_blocks() {
        let env = Env::fixed();
        let mut cache = ParseCache::default();
        let mut text = long(30);
        let mut last = Vec::new();
        let steps: [(&str, &str); 7] = [
            (
                "| Incident date | 2026-03-14 |",
                "| Incident date | 2026-04-20 |",
            ),
            ("T09:26:53Z", "T09:50:53Z"),
            (
                "## Detection\n",
                "## Timeline (UTC)\n\n```\n08:00  x\n```\n\n## Detection\n",
            ),
            ("## Timeline (UTC)\n\n```\n09:22", "## Notes\n\n```\n09:22"),
            ("## Header\n", "## Summary\n"),
            (
                "# Post-mortem:",
                concat!(
                    "| Incident date | 2026-04-20 |\n|-|-|\n",
                    "| Detection time (UTC) | 2026-03-14T09:50:53Z |\n",
                    "| Mitigation time (UTC) | 2026-03-14T10:03:23Z |\n",
                    "| Severity | YYYY-MM-DD |\n\n# Post-mortem:",
                ),
            ),
            // The preamble's table stops being the Header (with the same values, so only the
            // block's context tells): its placeholder is reported now.
            ("## Summary\n", "## Header\n"),
        ];
        for (from, to) in steps {
            assert!(text.contains(from), "{from}");
            text = text.replacen(from, to, 1);
            let doc = cache.parse(&text);
            let fresh = check(&text, &parse(&text), &env);
            assert_ne!(fresh, last, "the edit `{to}` changes the findings");
            assert_eq!(cache.check(&text, &doc, &env), fresh, "after `{to}`");
            last = fresh;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// A sequence of random edits checks the same through the cache as from scratch,
        /// on the clean example and on a long one.
        #[test]
        fn cached_check_equals_fresh_check(long_doc in any::<bool>(), edits in prop::collection::vec(edit(), 1..10)) {
            let env = Env { workspace: Some(&Runbook as &dyn Workspace), ..Env::fixed() };
            let mut cache = ParseCache::default();
            let mut text = if long_doc { long(40) } else { VALID.to_string() };
            let doc = cache.parse(&text);
            prop_assert_eq!(cache.check(&text, &doc, &env), check(&text, &parse(&text), &env));
            for (at, len, insert) in edits {
                let mut start = at.index(text.len() + 1);
                while !text.is_char_boundary(start) { start -= 1; }
                let mut end = (start + len).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(start..end, &insert);
                let doc = cache.parse(&text);
                prop_assert_eq!(cache.check(&text, &doc, &env), check(&text, &parse(&text), &env));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A sequence of random edits parses the same through the cache as from scratch.
        #[test]
        fn cached_parse_equals_fresh_parse(edits in prop::collection::vec((0usize..4000, 0usize..40, "[a-z#|`\\n🚒 ]{0,12}"), 1..12)) {
            let mut cache = ParseCache::default();
            let mut text = VALID.to_string();
            cache.parse(&text);
            for (at, len, insert) in edits {
                let mut start = at.min(text.len());
                while !text.is_char_boundary(start) { start -= 1; }
                let mut end = (start + len).min(text.len());
                while !text.is_char_boundary(end) { end -= 1; }
                text.replace_range(start..end, &insert);
                prop_assert_eq!(cache.parse(&text), parse(&text));
            }
        }
    }
}
