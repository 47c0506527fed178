//! Byte offsets to 1-based (line, column) pairs for the CLI's reports, plus display widths
//! for the human format's underlines.
//!
//! Columns count Unicode scalar values (what editors call "characters"), not bytes and not
//! UTF-16 units. `\n`, `\r\n` and a lone `\r` all end a line, as they do for editors.
//! This is deliberately private to the CLI; it will be unified with `crate::text` later.

/// Where each line of a text starts and where its content (without the line break) ends.
pub struct Lines<'a> {
    text: &'a str,
    /// `(start, content_end)` byte offsets, one per line; there is always at least one.
    spans: Vec<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let bytes = text.as_bytes();
        let mut spans = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    spans.push((start, i));
                    start = i + 1;
                }
                b'\r' => {
                    spans.push((start, i));
                    // A `\r\n` pair is one break, a lone `\r` is a break of its own.
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        spans.push((start, bytes.len()));
        Lines { text, spans }
    }

    /// The 1-based line and character column of a byte offset. Offsets past the end, inside
    /// a character, or inside a line break are clamped to the nearest earlier position that
    /// exists, so a bad range can never make the report panic.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor(offset);
        let line = self.spans.partition_point(|&(start, _)| start <= offset) - 1;
        let (start, end) = self.spans[line];
        let col = self.text[start..offset.min(end)].chars().count();
        (line + 1, col + 1)
    }

    /// The content of the line holding `offset` (no line break) and the offset's byte
    /// position inside it.
    pub fn line_at(&self, offset: usize) -> (&'a str, usize) {
        let offset = self.floor(offset);
        let line = self.spans.partition_point(|&(start, _)| start <= offset) - 1;
        let (start, end) = self.spans[line];
        (&self.text[start..end], offset.min(end) - start)
    }

    /// The largest char boundary at or before `offset`, within the text.
    fn floor(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// How many terminal columns `s` takes: East Asian wide and fullwidth characters and emoji
/// take two, combining marks and zero-width characters none, tabs four (the human format
/// prints them as four spaces). This covers the common ranges without a new dependency;
/// a rare character judged wrongly only shifts an underline.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let c = c as u32;
    if c == 0x09 {
        return 4;
    }
    let zero = [
        (0x0300, 0x036F), // combining diacritical marks
        (0x0483, 0x0489),
        (0x0591, 0x05BD),
        (0x200B, 0x200F), // zero-width space, joiners, direction marks
        (0x20D0, 0x20FF), // combining marks for symbols
        (0xFE00, 0xFE0F), // variation selectors
        (0xFE20, 0xFE2F),
        (0x1F3FB, 0x1F3FF), // skin-tone modifiers
        (0xE0100, 0xE01EF),
    ];
    let wide = [
        (0x1100, 0x115F), // Hangul Jamo
        (0x231A, 0x231B), // watch, hourglass
        (0x23E9, 0x23EC),
        (0x23F0, 0x23F0),
        (0x23F3, 0x23F3),
        (0x25FD, 0x25FE),
        (0x2614, 0x2615),
        (0x2648, 0x2653),
        (0x26A1, 0x26A1),
        (0x26AA, 0x26AB),
        (0x26BD, 0x26BE),
        (0x26C4, 0x26C5),
        (0x26D4, 0x26D4),
        (0x26EA, 0x26EA),
        (0x26F2, 0x26F5),
        (0x26FA, 0x26FD),
        (0x2705, 0x2705),
        (0x270A, 0x270B),
        (0x2728, 0x2728),
        (0x274C, 0x274C),
        (0x2753, 0x2755),
        (0x2757, 0x2757),
        (0x2795, 0x2797),
        (0x27B0, 0x27B0),
        (0x2B1B, 0x2B1C),
        (0x2B50, 0x2B50),
        (0x2B55, 0x2B55),
        (0x2E80, 0x303E), // CJK radicals, punctuation
        (0x3041, 0x33FF), // kana, CJK symbols
        (0x3400, 0x4DBF), // CJK extension A
        (0x4E00, 0x9FFF), // CJK unified ideographs
        (0xA000, 0xA4CF), // Yi
        (0xAC00, 0xD7A3), // Hangul syllables
        (0xF900, 0xFAFF), // CJK compatibility ideographs
        (0xFE30, 0xFE4F), // CJK compatibility forms
        (0xFF00, 0xFF60), // fullwidth forms
        (0xFFE0, 0xFFE6),
        (0x1F004, 0x1F004),
        (0x1F0CF, 0x1F0CF),
        (0x1F18E, 0x1F18E),
        (0x1F191, 0x1F19A),
        (0x1F200, 0x1F2FF),
        (0x1F300, 0x1F64F), // pictographs, emoticons
        (0x1F680, 0x1F6FF), // transport and map symbols
        (0x1F7E0, 0x1F7EB),
        (0x1F90C, 0x1F9FF), // supplemental symbols and pictographs
        (0x1FA70, 0x1FAFF),
        (0x20000, 0x3FFFD), // CJK extensions B and later
    ];
    let within = |ranges: &[(u32, u32)]| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
    if within(&zero) {
        0
    } else if within(&wide) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_break_ends_a_line() {
        let text = "ab\ncd\r\nef\rgh";
        let lines = Lines::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(2), (1, 3));
        assert_eq!(lines.position(3), (2, 1));
        assert_eq!(lines.position(7), (3, 1));
        assert_eq!(lines.position(10), (4, 1));
        assert_eq!(lines.position(12), (4, 3));
        assert_eq!(lines.line_at(8), ("ef", 1));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // 🔥 is 4 bytes, 支 and 付 3 bytes each: byte offsets and columns differ.
        let text = "x\n🔥 支付 ok\n";
        let lines = Lines::new(text);
        let ok = text.find("ok").unwrap();
        assert_eq!(lines.position(ok), (2, 6));
        assert_eq!(lines.position(text.find('付').unwrap()), (2, 4));
        assert_ne!(
            lines.position(ok).1,
            ok - 2 + 1,
            "a byte count would be wrong"
        );
    }

    #[test]
    fn bad_offsets_are_clamped_not_panicking() {
        let text = "a🔥\r\nb";
        let lines = Lines::new(text);
        // Inside the emoji: clamped back to its start.
        assert_eq!(lines.position(2), (1, 2));
        // Between `\r` and `\n`: the end of line 1.
        assert_eq!(lines.position(6), (1, 3));
        assert_eq!(lines.position(999), (2, 2));
        assert_eq!(Lines::new("").position(5), (1, 1));
    }

    #[test]
    fn a_trailing_break_opens_an_empty_last_line() {
        let lines = Lines::new("a\n");
        assert_eq!(lines.position(2), (2, 1));
        assert_eq!(lines.line_at(2), ("", 0));
    }

    #[test]
    fn display_widths() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("支付"), 4);
        assert_eq!(width("🔥🚀"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("\t"), 4);
        assert_eq!(width(""), 0);
    }
}
