//! Ticket patterns: whether one can match empty text, and an example key for a team's
//! pattern, written into snippets where the key goes.

use super::{DEFAULT_TICKET_PATTERN, TicketPattern};
use regex_syntax::hir::{Class, Hir, HirKind};

/// What a snippet shows when no example fits the pattern.
const FALLBACK: &str = "ticket key";

impl TicketPattern {
    /// A key the pattern matches whole: `OPS-000` for the default pattern, else one built
    /// from the pattern (`INC-[0-9]+` gives `INC-000`), else `ticket key`.
    pub fn example(&self) -> String {
        if self.source == DEFAULT_TICKET_PATTERN {
            return "OPS-000".into();
        }
        let mut out = String::new();
        let built = regex_syntax::parse(&self.source)
            .ok()
            .and_then(|hir| sample(&hir, &mut out));
        let whole = self.find_iter(&out).next() == Some(0..out.len());
        if built.is_some() && whole && !out.is_empty() {
            out
        } else {
            FALLBACK.into()
        }
    }
}

/// Whether `source` can match empty text anywhere, not only in an empty string: `\b[A-Z]*`
/// never matches `""` but matches nothing between two words, which would make every line
/// "have" a ticket. Asked of the parsed pattern (its shortest match), so no sample text can
/// miss a case. A pattern that does not parse is not asked (compiling it reports why).
pub(super) fn can_match_empty(source: &str) -> bool {
    regex_syntax::parse(source).is_ok_and(|hir| hir.properties().minimum_len() == Some(0))
}

/// Appends a short text `hir` matches: the first branch of each alternation, `0` (else the
/// first character) of each class, three of each unbounded repetition. `None` when that
/// grows long or needs a character that is not text.
fn sample(hir: &Hir, out: &mut String) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(std::str::from_utf8(&lit.0).ok()?),
        HirKind::Class(Class::Unicode(class)) => {
            let digit = class
                .ranges()
                .iter()
                .any(|r| r.start() <= '0' && '0' <= r.end());
            out.push(if digit {
                '0'
            } else {
                class.ranges().first()?.start()
            });
        }
        HirKind::Class(Class::Bytes(class)) => {
            let byte = class.ranges().first()?.start();
            out.push(char::from(byte).is_ascii().then_some(char::from(byte))?);
        }
        HirKind::Repetition(rep) => {
            let times = match rep.max {
                None => rep.min.max(3),
                Some(max) => rep.min.max(1).min(max),
            };
            for _ in 0..times {
                sample(&rep.sub, out)?;
                if out.len() > 64 {
                    return None;
                }
            }
        }
        HirKind::Capture(capture) => sample(&capture.sub, out)?,
        HirKind::Concat(parts) => {
            for part in parts {
                sample(part, out)?;
            }
        }
        HirKind::Alternation(branches) => sample(branches.first()?, out)?,
    }
    (out.len() <= 64).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_fit_their_pattern() {
        let example = |p: &str| TicketPattern::new(p).unwrap().example();
        assert_eq!(TicketPattern::default().example(), "OPS-000");
        assert_eq!(example("INC-[0-9]+"), "INC-000");
        assert_eq!(example(r"(?:SEC|INC)-\d{4}"), "SEC-0000");
        assert_eq!(example("[a-z]+#[0-9]{2,}"), "aaa#000");
        assert_eq!(example(r"^PRJ-\d+$"), "PRJ-000");
        // Too long to be an example.
        assert_eq!(example("X{100}"), FALLBACK);
    }

    #[test]
    fn patterns_too_costly_to_match_are_refused() {
        for costly in [
            r"\w{1,100}\w{1,100}Q",
            r"(?:\w|\pL){1,60}X(?:\w|\pL){1,60}-[0-9]+",
        ] {
            let e = TicketPattern::new(costly).unwrap_err();
            assert!(e.contains("size limit"), "{costly}: {e}");
        }
        for fine in [
            "OPS-[0-9]+",
            r"(?:SEC|INC)-\d{4}",
            r"[A-Z][A-Z0-9]{1,9}-\d{1,6}",
        ] {
            assert!(TicketPattern::new(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn patterns_that_can_match_empty_text_anywhere_are_refused() {
        for p in [
            r"\b[A-Z]*",
            "[A-Z]*[0-9]*",
            "(?:INC-[0-9]+)?",
            r"\b",
            "^",
            "$",
            "(?m)^$",
            "INC-[0-9]+|",
            "(?:)",
            "a{0}",
        ] {
            assert_eq!(
                TicketPattern::new(p).err().as_deref(),
                Some("the pattern matches empty text"),
                "{p}"
            );
        }
        for p in [
            r"INC-[0-9]+",
            r"\bOPS-\d+\b",
            "(?i)sec-[0-9]{2,}",
            "^PRJ-\\d+$",
        ] {
            assert!(TicketPattern::new(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn keys_are_never_zero_width() {
        // Bypasses the check, as a pattern built some other way could.
        let p = TicketPattern {
            source: r"\b[A-Z]*".into(),
            regex: regex::Regex::new(r"\b[A-Z]*").unwrap(),
        };
        let keys: Vec<_> = p.find_iter("fix it, OPS later").collect();
        assert_eq!(keys, vec![8..11]);
    }
}
