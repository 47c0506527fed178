//! Re-parsing only what changed: a cache of the last version's parsed pieces (preamble and
//! section bodies), reused for any piece whose text is unchanged, wherever it now stands.
//!
//! An edit touches one or two sections; on a 10,000-line post-mortem re-parsing everything
//! costs milliseconds, re-parsing one section and moving the others' ranges, microseconds.

use super::model::{Block, Document};
use super::parse::{assemble, parse_block};
use std::collections::HashMap;
use std::ops::Range;

/// The parsed pieces of the previous version of one document.
#[derive(Debug, Default)]
pub struct ParseCache {
    pieces: HashMap<Key, Vec<Piece>>,
}

#[derive(Debug)]
struct Piece {
    text: Box<str>,
    block: Block,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::parse;
    use proptest::prelude::*;

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
