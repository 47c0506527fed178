//! Line index and position encodings: byte offsets ⇄ `(line, column)` in UTF-8 or UTF-16
//! code units (the editor's), or 1-based lines and character columns (the CLI's and the
//! configuration problems'), display widths, and applying editor edits to a rope. The one
//! position rule of the program: the CLI, the server and configuration problems all count
//! here, so they always agree.
//!
//! Lines break at `\n`, `\r\n` and a lone `\r`, exactly as ropey does when built with
//! `cr_lines` and without `unicode_lines`, so the index and the rope never disagree. Every
//! conversion clamps: a column past the end of a line means the end of that line's content, a
//! line past the end means the end of the text, and a column that falls inside a character
//! (inside a UTF-16 surrogate pair, or inside a multibyte UTF-8 sequence) means that
//! character's start. Nothing here panics on any position an editor may send.

use ropey::Rope;
use std::cell::Cell;
use unicode_width::UnicodeWidthStr;

/// How many terminal columns `s` takes, per grapheme cluster as terminals draw it: CJK and
/// emoji take two (a ZWJ sequence such as 👩‍👩‍👧 is one emoji), combining marks none, and a tab
/// four (the human report prints tabs as four spaces). The one measure of display width:
/// formatting pads with it and the CLI underlines with it.
pub fn display_width(s: &str) -> usize {
    let tabs = s.matches('\t').count();
    s.split('\t').map(UnicodeWidthStr::width).sum::<usize>() + 4 * tabs
}

/// How columns are counted, as negotiated with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Columns are bytes.
    Utf8,
    /// Columns are UTF-16 code units (the LSP default, and all VS Code speaks).
    Utf16,
}

impl PositionEncoding {
    /// How many code units `c` takes.
    pub fn width(self, c: char) -> u32 {
        match self {
            PositionEncoding::Utf8 => c.len_utf8() as u32,
            PositionEncoding::Utf16 => c.len_utf16() as u32,
        }
    }

    /// How many code units `s` takes, saturating rather than wrapping on absurd lengths.
    pub fn units(self, s: &str) -> u32 {
        let n = match self {
            PositionEncoding::Utf8 => s.len(),
            PositionEncoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// Walks one line's content until `col` code units are covered and returns how many chars and
/// bytes that is. A column inside a character stops before it; a column past the end stops at
/// the end.
fn walk_columns(
    line: impl Iterator<Item = char>,
    col: u32,
    enc: PositionEncoding,
) -> (usize, usize) {
    let (mut units, mut chars, mut bytes) = (0u32, 0usize, 0usize);
    for c in line {
        let w = enc.width(c);
        if units.saturating_add(w) > col {
            break;
        }
        units += w;
        chars += 1;
        bytes += c.len_utf8();
    }
    (chars, bytes)
}

/// The byte offset where the line holding `offset` starts: just after the last `\n` or
/// `\r` before it (the rule [`LineIndex`] counts by), or 0.
pub fn line_start(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The line starts of a text, for converting between byte offsets and positions.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts; the first is always 0. A text ending in a line
    /// break has a last, empty line after it (as in ropey and in editors).
    starts: Vec<usize>,
    /// The last UTF-16 column counted: its line, byte in the line and units. Positions are
    /// mostly asked for in document order, so the next one on the same line counts on from
    /// there; 10,000 findings on one long line otherwise cost a walk from the line's start
    /// each (minutes).
    last: Cell<(usize, usize, u32)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            // A `\r` directly followed by `\n` is one break, counted at the `\n`.
            let breaks = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if breaks {
                starts.push(i + 1);
            }
        }
        LineIndex {
            text,
            starts,
            last: Cell::new((usize::MAX, 0, 0)),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where `line`'s content ends (before its line break).
    fn content_end(&self, line: usize) -> usize {
        match self.starts.get(line + 1) {
            Some(&next) if self.text[..next].ends_with("\r\n") => next - 2,
            Some(&next) => next - 1,
            None => self.text.len(),
        }
    }

    /// The line of a byte offset, that line's content (no line break) and the offset
    /// within it, clamped: an offset past the end is the end of the text; one inside a
    /// character is that character's start; one inside a line break is the end of that
    /// line's content.
    fn locate(&self, offset: usize) -> (usize, &'a str, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // `starts[0] == 0 <= offset`, so the partition point is at least 1.
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let end = self.content_end(line);
        (line, &self.text[start..end], offset.min(end) - start)
    }

    /// The position of a byte offset in the editor's encoding, clamped as [`Self::locate`].
    pub fn position(&self, offset: usize, enc: PositionEncoding) -> (u32, u32) {
        let (line, content, at) = self.locate(offset);
        let col = match enc {
            PositionEncoding::Utf8 => enc.units(&content[..at]),
            PositionEncoding::Utf16 => {
                let (last_line, last_at, last_units) = self.last.get();
                let (from, units) = if last_line == line && last_at <= at {
                    (last_at, last_units)
                } else {
                    (0, 0)
                };
                let col = units.saturating_add(enc.units(&content[from..at]));
                self.last.set((line, at, col));
                col
            }
        };
        (u32::try_from(line).unwrap_or(u32::MAX), col)
    }

    /// The 1-based line and character (Unicode scalar) column of a byte offset, as the CLI
    /// and configuration problems report it; clamped like [`Self::position`], which gives
    /// the same line (0-based) and the same place in the line.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (line, content, at) = self.locate(offset);
        (line + 1, content[..at].chars().count() + 1)
    }

    /// The content (no line break) of the line holding `offset`, and the offset's byte
    /// position inside it, clamped like [`Self::position`].
    pub fn line_at(&self, offset: usize) -> (&'a str, usize) {
        let (_, content, at) = self.locate(offset);
        (content, at)
    }

    /// The byte offset of a position, clamped as described in the module documentation.
    pub fn offset(&self, line: u32, col: u32, enc: PositionEncoding) -> usize {
        let line = line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let content = &self.text[start..self.content_end(line)];
        start + walk_columns(content.chars(), col, enc).1
    }
}

/// The char index of a position in a rope, clamped like [`LineIndex::offset`].
pub fn rope_char(rope: &Rope, line: u32, col: u32, enc: PositionEncoding) -> usize {
    let line = line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let slice = rope.line(line);
    let len = slice.len_chars();
    let last = (len > 0).then(|| slice.char(len - 1));
    let before_last = (len > 1).then(|| slice.char(len - 2));
    let break_len = match (before_last, last) {
        (Some('\r'), Some('\n')) => 2,
        (_, Some('\n' | '\r')) => 1,
        _ => 0,
    };
    let content = slice.chars().take(len - break_len);
    rope.line_to_char(line) + walk_columns(content, col, enc).0
}

/// A position as `(line, column)` in the negotiated encoding.
pub type Pos = (u32, u32);

/// Applies one editor change to `rope`: `range: None` replaces the whole text, otherwise the
/// range (clamped) is replaced by `text`. A reversed range (end before start) is taken to mean
/// the same span with its ends swapped, since that is the only edit it can sensibly describe.
pub fn apply_change(rope: &mut Rope, range: Option<(Pos, Pos)>, text: &str, enc: PositionEncoding) {
    let Some((start, end)) = range else {
        *rope = Rope::from_str(text);
        return;
    };
    let a = rope_char(rope, start.0, start.1, enc);
    let b = rope_char(rope, end.0, end.1, enc);
    let (from, to) = (a.min(b), a.max(b));
    rope.remove(from..to);
    rope.insert(from, text);
}

#[cfg(test)]
mod tests {
    use super::PositionEncoding::{Utf8, Utf16};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_break_at_lf_crlf_and_lone_cr() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(Rope::from_str(text).len_lines(), 4);
        assert_eq!(idx.offset(1, 0, Utf8), 2);
        assert_eq!(idx.offset(2, 0, Utf8), 5);
        assert_eq!(idx.offset(3, 0, Utf8), 7);
        assert_eq!(idx.position(7, Utf16), (3, 0));
        // A trailing break opens an empty last line.
        assert_eq!(LineIndex::new("x\r\n").line_count(), 2);
        assert_eq!(LineIndex::new("").line_count(), 1);
    }

    #[test]
    fn astral_characters_take_two_utf16_units_and_four_bytes() {
        let text = "a🚒b";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(5, Utf8), (0, 5));
        assert_eq!(idx.position(5, Utf16), (0, 3));
        assert_eq!(idx.offset(0, 3, Utf16), 5);
        assert_eq!(idx.offset(0, 5, Utf8), 5);
        // Inside the surrogate pair or the byte sequence: the emoji's start.
        assert_eq!(idx.offset(0, 2, Utf16), 1);
        assert_eq!(idx.offset(0, 3, Utf8), 1);
        assert_eq!(idx.position(3, Utf16), (0, 1));
    }

    #[test]
    fn cjk_takes_one_utf16_unit_and_three_bytes() {
        let text = "# 障害 x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(x, Utf16), (0, 5));
        assert_eq!(idx.position(x, Utf8), (0, 9));
        assert_eq!(idx.offset(0, 5, Utf16), x);
        assert_eq!(idx.offset(0, 4, Utf8), 2, "inside 障 is its start");
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\r\ncd\ref";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(0, 99, Utf16),
            2,
            "end of content, before the CRLF"
        );
        assert_eq!(idx.offset(1, 99, Utf8), 6, "before the lone CR");
        assert_eq!(idx.offset(2, 99, Utf8), text.len());
        assert_eq!(idx.offset(9, 0, Utf8), text.len());
        assert_eq!(idx.offset(u32::MAX, u32::MAX, Utf16), text.len());
        // Offsets inside a line break or past the end.
        assert_eq!(idx.position(3, Utf16), (0, 2));
        assert_eq!(idx.position(999, Utf16), (2, 2));
    }

    #[test]
    fn cli_lines_and_character_columns_follow_the_same_breaks() {
        let text = "ab\ncd\r\nef\rgh";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(2), (1, 3));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (3, 1));
        assert_eq!(idx.line_col(10), (4, 1));
        assert_eq!(idx.line_col(12), (4, 3));
        assert_eq!(idx.line_at(8), ("ef", 1));
        // A trailing break opens an empty last line.
        assert_eq!(LineIndex::new("a\n").line_col(2), (2, 1));
        assert_eq!(LineIndex::new("a\n").line_at(2), ("", 0));
    }

    #[test]
    fn character_columns_count_scalars_not_bytes_nor_utf16_units() {
        // 🔥 is 4 bytes and 2 UTF-16 units, 支 and 付 3 bytes and 1 unit each.
        let text = "x\r🔥 支付 ok\n";
        let idx = LineIndex::new(text);
        let ok = text.find("ok").unwrap();
        assert_eq!(idx.line_col(ok), (2, 6));
        assert_eq!(idx.position(ok, Utf16), (1, 6));
        assert_eq!(idx.position(ok, Utf8), (1, 12));
        assert_eq!(idx.line_col(text.find('付').unwrap()), (2, 4));
    }

    #[test]
    fn character_columns_clamp_like_editor_positions() {
        let text = "a🔥\r\nb";
        let idx = LineIndex::new(text);
        // Inside the emoji: its start. Between `\r` and `\n`: the end of line 1.
        assert_eq!(idx.line_col(2), (1, 2));
        assert_eq!(idx.line_col(6), (1, 3));
        assert_eq!(idx.line_col(999), (2, 2));
        assert_eq!(LineIndex::new("").line_col(5), (1, 1));
    }

    #[test]
    fn line_starts_follow_every_break() {
        let text = "ab\ncd\r\nef\rgh";
        assert_eq!(line_start(text, 1), 0);
        assert_eq!(line_start(text, 4), 3);
        assert_eq!(line_start(text, 8), 7);
        assert_eq!(line_start(text, 11), 10);
        assert_eq!(line_start(text, 99), 10);
    }

    #[test]
    fn display_widths_go_by_grapheme_cluster() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("支付"), 4);
        assert_eq!(display_width("🔥🚀"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width("👩\u{200d}👩\u{200d}👧"), 2, "one ZWJ family");
        assert_eq!(display_width("👍🏽"), 2, "a skin tone joins its emoji");
        assert_eq!(display_width("🇯🇵"), 2, "a flag is two regional indicators");
        assert_eq!(display_width("\t"), 4);
        assert_eq!(display_width("a\tb"), 6);
        assert_eq!(display_width(""), 0);
    }

    fn edited(text: &str, range: Option<(Pos, Pos)>, new: &str, enc: PositionEncoding) -> String {
        let mut rope = Rope::from_str(text);
        apply_change(&mut rope, range, new, enc);
        rope.to_string()
    }

    #[test]
    fn rope_edits_clamp_and_respect_encodings() {
        let t = "a🚒b\r\n障\rz";
        assert_eq!(
            edited(t, Some(((0, 3), (0, 4))), "X", Utf16),
            "a🚒X\r\n障\rz"
        );
        assert_eq!(
            edited(t, Some(((0, 5), (0, 6))), "X", Utf8),
            "a🚒X\r\n障\rz"
        );
        // A cross-line deletion from inside the emoji (its start) to past the end of line 1.
        assert_eq!(edited(t, Some(((0, 2), (1, 50))), "", Utf16), "a\rz");
        assert_eq!(
            edited(t, Some(((7, 0), (9, 9))), "!", Utf8),
            "a🚒b\r\n障\rz!"
        );
        assert_eq!(edited(t, None, "new", Utf8), "new");
        // Inserting a LF after a lone CR turns the two lines into one CRLF break.
        let joined = edited(t, Some(((2, 0), (2, 0))), "\n", Utf16);
        assert_eq!(Rope::from_str(&joined).len_lines(), 3);
    }

    #[test]
    fn reversed_ranges_are_swapped() {
        let t = "hello world";
        assert_eq!(edited(t, Some(((0, 5), (0, 0))), "bye", Utf16), "bye world");
        assert_eq!(edited(t, Some(((0, 0), (0, 5))), "bye", Utf16), "bye world");
    }

    const PIECES: &[&str] = &["a", "é", "障", "🚒", "\n", "\r", "\r\n", " "];

    fn text_strategy() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|v| v.concat())
    }

    fn enc_strategy() -> impl Strategy<Value = PositionEncoding> {
        prop::sample::select(vec![Utf8, Utf16])
    }

    type Edit = (Pos, Pos, String);

    fn edit_strategy() -> impl Strategy<Value = Edit> {
        ((0u32..8, 0u32..12), (0u32..8, 0u32..12), text_strategy())
    }

    proptest! {
        #[test]
        fn rope_edits_match_a_string_model(
            start in text_strategy(),
            edits in prop::collection::vec(edit_strategy(), 1..12),
            enc in enc_strategy(),
        ) {
            let mut rope = Rope::from_str(&start);
            let mut model = start;
            for (a, b, new) in edits {
                apply_change(&mut rope, Some((a, b)), &new, enc);
                let idx = LineIndex::new(&model);
                let x = idx.offset(a.0, a.1, enc);
                let y = idx.offset(b.0, b.1, enc);
                model.replace_range(x.min(y)..x.max(y), &new);
                prop_assert_eq!(rope.to_string(), model.clone());
                prop_assert_eq!(rope.len_lines(), LineIndex::new(&model).line_count());
            }
        }

        #[test]
        fn offsets_round_trip_through_positions(text in text_strategy(), enc in enc_strategy()) {
            let idx = LineIndex::new(&text);
            for (o, c) in text.char_indices().chain([(text.len(), 'x')]) {
                let in_break = c == '\n' && text[..o].ends_with('\r');
                if !in_break {
                    let (line, col) = idx.position(o, enc);
                    prop_assert_eq!(idx.offset(line, col, enc), o);
                }
            }
        }
    }

    /// Positions asked in any order equal those of a fresh index: the remembered column
    /// only ever shortens the count.
    #[test]
    fn positions_in_any_order_match_a_fresh_count() {
        let text = "a😀b 障害 `x`\r\nline two 👩‍👩‍👧 end\rlast 🚀🚀 line";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len()).collect();
        let order: Vec<usize> = offsets
            .iter()
            .copied()
            .chain(offsets.iter().rev().copied())
            .chain(offsets.iter().step_by(3).copied())
            .chain(offsets.iter().rev().step_by(2).copied())
            .collect();
        for at in order {
            for enc in [PositionEncoding::Utf16, PositionEncoding::Utf8] {
                assert_eq!(
                    index.position(at, enc),
                    LineIndex::new(text).position(at, enc),
                    "{at} {enc:?}"
                );
            }
        }
    }
}
