//! Strict parsers for the template's value formats: dates, UTC timestamps, `mm:ss`
//! durations, SHAs, and recognisers for unfilled placeholders.
//!
//! chrono's own parsers are lenient (spaces, offsets, lower-case `z`, fractions, leap
//! seconds), so every parser here checks the exact shape first and only then asks chrono
//! whether the date is real.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// `YYYY-MM-DD` naming a real calendar date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(num(&b[0..4])? as i32, num(&b[5..7])?, num(&b[8..10])?)
}

/// Exactly `YYYY-MM-DDTHH:MM:SSZ` naming a real UTC instant.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let date = parse_date(&s[..10])?;
    let time = NaiveTime::from_hms_opt(num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?)?;
    Some(date.and_time(time).and_utc())
}

/// `mm:ss` (one or more minute digits, seconds 00–59) as a number of seconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let (m, sec) = s.split_once(':')?;
    if m.is_empty() || m.len() > 9 || sec.len() != 2 {
        return None;
    }
    let seconds = num(sec.as_bytes())?;
    if seconds > 59 {
        return None;
    }
    Some(u64::from(num(m.as_bytes())?) * 60 + u64::from(seconds))
}

/// `HH:MM` on a 24-hour clock, as minutes after midnight.
pub fn parse_clock(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let (h, m) = (num(&b[0..2])?, num(&b[3..5])?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Formats seconds as `mm:ss` (minutes not capped at 59).
pub fn format_duration(seconds: u64) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

/// 7 to 40 hexadecimal digits.
pub fn is_sha(s: &str) -> bool {
    (7..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The values that mean "nothing here" for optional things.
pub fn is_none_value(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "n/a" | "na" | "none" | "-" | "—"
    )
}

/// Whether a whole value is still template text: `…`, `...`, or contains a `<…>` placeholder.
pub fn is_placeholder_text(s: &str) -> bool {
    let t = s.trim();
    t == "…" || t == "..." || t == "@…" || find_angle_placeholder(t, 0).is_some()
}

/// The byte range of the first `<word>` placeholder at or after `from` (such as `<sha>`,
/// `<link>`, `<YYYY-MM-DD>`). HTML tags, autolinks and generic types such as `Vec<String>`
/// are not placeholders.
pub fn find_angle_placeholder(s: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let b = s.as_bytes();
    let mut i = from;
    while let Some(off) = s.get(i..)?.find('<') {
        let start = i + off;
        let after_word = start > 0 && (b[start - 1].is_ascii_alphanumeric());
        if let Some(len) = s[start + 1..].find('>') {
            let inner = &s[start + 1..start + 1 + len];
            let end = start + len + 2;
            if !after_word && is_placeholder_word(inner) {
                return Some(start..end);
            }
        }
        i = start + 1;
    }
    None
}

fn is_placeholder_word(inner: &str) -> bool {
    const HTML: &[&str] = &[
        "a",
        "b",
        "i",
        "u",
        "p",
        "s",
        "q",
        "br",
        "hr",
        "em",
        "tt",
        "li",
        "ol",
        "ul",
        "dl",
        "dt",
        "dd",
        "td",
        "th",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "sub",
        "sup",
        "del",
        "ins",
        "kbd",
        "var",
        "img",
        "div",
        "pre",
        "span",
        "code",
        "mark",
        "samp",
        "small",
        "table",
        "thead",
        "tbody",
        "strong",
        "details",
        "summary",
        "center",
        "cite",
        "abbr",
        "wbr",
        "big",
        "blockquote",
        "figure",
        "figcaption",
        "picture",
        "video",
        "audio",
        "source",
        "section",
    ];
    !inner.is_empty()
        && inner.len() <= 40
        && inner
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' ' | '…' | '.'))
        && !inner.starts_with([' ', '-'])
        && !HTML.contains(&inner.to_ascii_lowercase().as_str())
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// Levenshtein distance over characters (for "did you mean" suggestions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict_and_real() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-2-09").is_none());
        assert!(parse_date("2024-13-01").is_none());
        assert!(parse_date("２０２４-01-01").is_none());
    }

    #[test]
    fn timestamps_reject_lenient_forms() {
        assert!(parse_timestamp("2026-03-14T09:26:53Z").is_some());
        for bad in [
            "2026-03-14 09:26:53Z",
            "2026-03-14T09:26:53+00:00",
            "2026-03-14T09:26:53z",
            "2026-03-14T09:26:53",
            "2026-03-14T09:26:53.5Z",
            "2026-03-14T23:59:60Z",
            "2026-03-14T24:00:00Z",
            "2026-02-30T10:00:00Z",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn durations_allow_long_minutes_but_not_60_seconds() {
        assert_eq!(parse_duration("36:30"), Some(2190));
        assert_eq!(parse_duration("125:00"), Some(7500));
        assert_eq!(parse_duration("0:05"), Some(5));
        assert_eq!(parse_duration("10:60"), None);
        assert_eq!(parse_duration("10:5"), None);
        assert_eq!(parse_duration("1h"), None);
        assert_eq!(format_duration(2190), "36:30");
    }

    #[test]
    fn clock_and_sha() {
        assert_eq!(parse_clock("23:59"), Some(1439));
        assert_eq!(parse_clock("24:00"), None);
        assert!(is_sha("a1b2c3d"));
        assert!(!is_sha("a1b2c3"));
        assert!(!is_sha("--output=/tmp/x"));
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder_text("`<sha>`"));
        assert!(is_placeholder_text("…"));
        assert_eq!(
            find_angle_placeholder("rollback-<timestamp>.log", 0),
            Some(9..20)
        );
        assert_eq!(
            find_angle_placeholder("Vec<String> <br> <https://x>", 0),
            None
        );
    }
}
