//! Why a Header value is malformed, and the corrected value when one can be worked out
//! (`2026-03-14 09:26:53+02:00` → `2026-03-14T07:26:53Z`, `prod` → `production`).

use super::one_of;
use crate::analysis::{Fix, values};
use chrono::{NaiveDate, NaiveTime, TimeDelta};

/// The message for a malformed date, and a fix when the date meant is certain.
pub(super) fn date_problem(v: &str) -> (String, Option<Fix>) {
    let (why, fix) = diagnose_date(v);
    match fix {
        Some(d) => {
            let text = d.format("%Y-%m-%d").to_string();
            let msg = format!("`{v}` is not a `YYYY-MM-DD` date ({why}): write `{text}`");
            (msg, Some(Fix::Replace { text }))
        }
        None => {
            let msg = format!(
                "`{v}` is not a `YYYY-MM-DD` date ({why}): write the day the incident began"
            );
            (msg, None)
        }
    }
}

/// Why a date is wrong, and the date meant when that is certain.
fn diagnose_date(v: &str) -> (&'static str, Option<NaiveDate>) {
    if let Some(d) = v.get(..10).and_then(values::parse_date)
        && v[10..].starts_with(['T', 't', ' '])
    {
        return ("only the day belongs here, not the time", Some(d));
    }
    let parts: Vec<&str> = v.split(['-', '/', '.']).collect();
    let digits = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || !parts.iter().all(digits) {
        return (
            "write the year, month and day as digits joined by `-`",
            None,
        );
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if parts[2].len() != 4 {
        return ("the year needs four digits", None);
    } else if n[0] > 12 {
        (n[2], n[1], n[0])
    } else if n[1] > 12 {
        (n[2], n[0], n[1])
    } else {
        return ("the order of day and month is ambiguous", None);
    };
    match NaiveDate::from_ymd_opt(y as i32, m, d) {
        None => ("there is no such day in the calendar", None),
        Some(date) if parts[0].len() == 4 && !v.contains(['/', '.']) => {
            ("month and day need two digits", Some(date))
        }
        Some(date) => ("the order is year, month, day, joined by `-`", Some(date)),
    }
}

/// The message for a malformed timestamp, and a fix when the instant meant is certain.
pub(super) fn timestamp_problem(v: &str) -> (String, Option<Fix>) {
    let (why, fix) = diagnose_timestamp(v);
    let why = if why.is_empty() {
        "it is not in that form".to_string()
    } else {
        why.join("; ")
    };
    match fix {
        Some(text) => {
            let msg = format!("`{v}` is not `YYYY-MM-DDTHH:MM:SSZ`: {why}. Write `{text}`");
            (msg, Some(Fix::Replace { text }))
        }
        None => {
            let msg = format!(
                "`{v}` is not `YYYY-MM-DDTHH:MM:SSZ`: {why}. Write the UTC time in that form"
            );
            (msg, None)
        }
    }
}

/// What is wrong with a timestamp, one reason per mistake, and the corrected UTC form when
/// every part could be read.
fn diagnose_timestamp(v: &str) -> (Vec<String>, Option<String>) {
    let mut why: Vec<String> = Vec::new();
    let is_date_shape = |d: &str| {
        d.len() == 10
            && d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    };
    let Some(date_text) = v.get(..10).filter(|d| is_date_shape(d)) else {
        return (
            vec!["it must start with the date as `YYYY-MM-DD`".into()],
            None,
        );
    };
    let date = values::parse_date(date_text);
    if date.is_none() {
        why.push(format!("`{date_text}` is not a real date"));
    }
    let rest = &v[10..];
    let time = match rest.chars().next() {
        Some('T') => &rest[1..],
        Some('t') => {
            why.push("a lower-case `t` instead of `T`".into());
            &rest[1..]
        }
        Some(' ') => {
            why.push("a space instead of `T`".into());
            rest.trim_start()
        }
        None => return (vec!["the time is missing after the date".into()], None),
        Some(_) => return (vec!["`T` must come right after the date".into()], None),
    };
    let two = |s: &str, at: usize| {
        s.get(at..at + 2)
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?
            .parse::<u32>()
            .ok()
    };
    let (Some(h), Some(m), true) = (two(time, 0), two(time, 3), time.get(2..3) == Some(":")) else {
        why.push("the time must be `HH:MM:SS` on a 24-hour clock".into());
        return (why, None);
    };
    let mut tail = &time[5..];
    let mut s = 0;
    match (tail.get(..1), two(tail, 1)) {
        (Some(":"), Some(sec)) => {
            s = sec;
            tail = &tail[3..];
        }
        _ => why.push("the seconds are missing".into()),
    }
    if let Some(frac) = tail.strip_prefix(['.', ',']) {
        why.push("fractional seconds (leave them out)".into());
        tail = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let zone = tail.trim_start();
    let mut utc = |reason: String| {
        why.push(reason);
        Some(0)
    };
    let offset = match zone {
        "Z" if zone.len() < tail.len() => utc("a space before `Z`".into()),
        "Z" => Some(0),
        "z" => utc("a lower-case `z` instead of `Z`".into()),
        "" => utc("no `Z` at the end to mark the time as UTC".into()),
        z if z.eq_ignore_ascii_case("UTC") || z.eq_ignore_ascii_case("GMT") => {
            utc(format!("`{z}` written out instead of `Z`"))
        }
        z => {
            let secs = parse_offset(z);
            why.push(match secs {
                Some(_) => format!("an offset `{z}` instead of `Z` (convert to UTC)"),
                None => format!("unexpected `{z}` after the time"),
            });
            secs
        }
    };
    let Some(t) = NaiveTime::from_hms_opt(h, m, s) else {
        why.push(format!("`{h:02}:{m:02}:{s:02}` is not a real time of day"));
        return (why, None);
    };
    let fix = date.zip(offset).map(|(d, off)| {
        let utc = d.and_time(t) - TimeDelta::seconds(i64::from(off));
        utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    });
    (why, fix)
}

/// `+02:00`, `-0530`, `+02` as seconds east of UTC.
fn parse_offset(z: &str) -> Option<i32> {
    let (sign, rest) = if let Some(r) = z.strip_prefix('+') {
        (1, r)
    } else {
        (-1, z.strip_prefix(['-', '−'])?)
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// The message for a malformed duration, and a fix when the length meant is certain.
pub(super) fn duration_problem(v: &str) -> (String, Option<Fix>) {
    let (why, fix) = diagnose_duration(v);
    match fix {
        Some(secs) => {
            let text = values::format_duration(secs);
            let msg = format!("`{v}` is not `mm:ss` ({why}): write `{text}`");
            (msg, Some(Fix::Replace { text }))
        }
        None => {
            let msg = format!(
                "`{v}` is not `mm:ss` ({why}): write the minutes, a colon and two-digit seconds"
            );
            (msg, None)
        }
    }
}

/// Why a duration is wrong, and its length in seconds when that is certain.
fn diagnose_duration(v: &str) -> (&'static str, Option<u64>) {
    let nums: Option<Vec<u64>> = v
        .split(':')
        .map(|p| {
            (!p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())?
        })
        .collect();
    match nums.as_deref() {
        Some(&[h, m, s]) if m < 60 && s < 60 => {
            ("hours are counted as minutes", Some(h * 3600 + m * 60 + s))
        }
        Some(&[_, _]) if v.split(':').nth(1).is_some_and(|s| s.len() != 2) => {
            ("the seconds need two digits", None)
        }
        Some(&[m, s]) => ("seconds run from 00 to 59", Some(m * 60 + s)),
        _ => match duration_in_words(v) {
            Some(secs) => ("write it with digits and a colon, not units", Some(secs)),
            None => ("minutes may exceed 59; seconds run from 00 to 59", None),
        },
    }
}

/// `41 min`, `1h 5m`, `90s`, `12 minutes 3 seconds` as seconds.
fn duration_in_words(v: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut rest = v.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n: u64 = rest
            .get(..digits)
            .filter(|d| !d.is_empty() && d.len() <= 6)?
            .parse()
            .ok()?;
        let after = rest[digits..].trim_start();
        let letters = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let unit = match after[..letters].to_ascii_lowercase().as_str() {
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            _ => return None,
        };
        total += n * unit;
        rest = after[letters..].trim_start_matches([' ', ',']);
    }
    Some(total)
}

/// The message for a value outside the allowed ones, and a fix offering each allowed value,
/// the closest first.
pub(super) fn choice_problem(v: &str, opts: &[String]) -> (String, Option<Fix>) {
    let best = closest(v, opts);
    let msg = match best {
        Some(best) => format!(
            "`{v}` is not an allowed value: write `{best}` (allowed: {})",
            one_of(opts)
        ),
        None => format!("`{v}` is not an allowed value: write {}", one_of(opts)),
    };
    let mut values: Vec<String> = best.into_iter().map(str::to_string).collect();
    values.extend(opts.iter().filter(|o| Some(o.as_str()) != best).cloned());
    let fix = Fix::Choose {
        values,
        preferred: best.is_some(),
    };
    (msg, Some(fix))
}

/// The allowed value the writer most likely meant: the same words spelled with other
/// separators, a value it begins (`prod` → `production`), or one a small typo away.
fn closest<'o>(v: &str, opts: &'o [String]) -> Option<&'o str> {
    let norm = |s: &str| {
        let spaced = s.to_lowercase().replace(['-', '_'], " ");
        spaced.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let nv = norm(v);
    let score = |o: &String| {
        let no = norm(o);
        let typo = values::edit_distance(&nv, &no);
        if no == nv {
            Some(0)
        } else if nv.chars().count() >= 3 && no.starts_with(&nv) {
            Some(1)
        } else if nv
            .split(' ')
            .collect::<Vec<_>>()
            .windows(no.split(' ').count())
            .any(|w| w.join(" ") == no)
        {
            Some(2)
        } else {
            (typo <= no.chars().count().div_ceil(3)).then_some(2 + typo)
        }
    };
    opts.iter()
        .filter_map(|o| Some((score(o)?, o)))
        .min_by_key(|(s, _)| *s)
        .map(|(_, o)| o.as_str())
}

pub(super) fn sha_problem(v: &str) -> String {
    let n = v.chars().count();
    match v.chars().find(|c| !c.is_ascii_hexdigit()) {
        Some(c) => format!(
            "`{v}` is not a commit SHA (`{c}` is not a hex digit): write the commit's 7–40 hex digits"
        ),
        None if n < 7 => {
            format!("`{v}` is too short for a commit SHA ({n} digits): write at least 7 hex digits")
        }
        None => {
            format!("`{v}` is too long for a commit SHA ({n} digits): write at most 40 hex digits")
        }
    }
}
