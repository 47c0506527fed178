//! Header checks: every required row is present, and every value is filled in and well formed.

use crate::analysis::facts::{Ctx, FieldRow};
use crate::analysis::schema::{FieldKind, FieldSpec, SectionRole};
use crate::analysis::values::{self, is_none_value, is_placeholder_text};
use crate::analysis::{Code, Diagnostic};
use chrono::{NaiveDate, NaiveTime, TimeDelta};

/// `missing-field`: one diagnostic per required template field without a Header row.
pub fn missing_field(ctx: &Ctx) -> Vec<Diagnostic> {
    let section = ctx.section(SectionRole::Header);
    // With neither a Header section nor a header table, `missing-section` says it all.
    if section.is_none() && ctx.header.is_none() {
        return Vec::new();
    }
    let anchor = section.map_or_else(|| ctx.anchor(), |s| s.name.clone());
    let present: Vec<usize> = ctx
        .header
        .iter()
        .flat_map(|h| &h.rows)
        .filter_map(|r| r.spec)
        .collect();
    let fields = &ctx.schema.fields;
    (0..fields.len())
        .filter(|i| fields[*i].required && !present.contains(i))
        .map(|i| {
            let f = &fields[i];
            let msg = format!(
                "the Header has no `{}` row: add one holding {}",
                f.name,
                expects(&f.kind)
            );
            Diagnostic::new(Code::MissingField, anchor.clone(), msg)
        })
        .collect()
}

/// `empty-field` and `invalid-*`: each Header value naming a template field, by its kind.
pub fn field_values(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(header) = &ctx.header else {
        return Vec::new();
    };
    header
        .rows
        .iter()
        .filter_map(|row| check_value(ctx, row, ctx.schema.fields.get(row.spec?)?))
        .collect()
}

fn check_value(ctx: &Ctx, row: &FieldRow, spec: &FieldSpec) -> Option<Diagnostic> {
    let v = ctx.slice(&row.value).trim();
    let name = &spec.name;
    let or_none = if spec.required {
        ""
    } else {
        ", or `n/a` if it does not apply"
    };
    if v.is_empty() || v == "``" {
        // An optional field may stay empty; a required one may not.
        let msg = format!("`{name}` is empty: write {}{or_none}", expects(&spec.kind));
        return spec
            .required
            .then(|| Diagnostic::new(Code::EmptyField, row.name.clone(), msg));
    }
    if !spec.required && is_none_value(v) {
        return None;
    }
    let at = row.value.clone();
    if is_template_text(v, spec) {
        let msg = match &spec.kind {
            FieldKind::Choice(opts) => format!(
                "`{name}` still lists the template's choices: keep only {}",
                one_of(opts)
            ),
            kind => format!(
                "`{name}` still holds the template's placeholder: write {}{or_none}",
                expects(kind)
            ),
        };
        return Some(Diagnostic::new(Code::EmptyField, at, msg));
    }
    let (code, msg) = match &spec.kind {
        FieldKind::Date if values::parse_date(v).is_none() => (Code::InvalidDate, date_problem(v)),
        FieldKind::Timestamp if values::parse_timestamp(v).is_none() => {
            (Code::InvalidTimestamp, timestamp_problem(v))
        }
        FieldKind::Duration if values::parse_duration(v).is_none() => {
            (Code::InvalidDuration, duration_problem(v))
        }
        FieldKind::Choice(opts) if !opts.iter().any(|o| o.to_lowercase() == v.to_lowercase()) => {
            (Code::InvalidValue, choice_problem(v, opts))
        }
        FieldKind::Sha if !values::is_sha(v) => (Code::InvalidSha, sha_problem(v)),
        _ => return None,
    };
    Some(Diagnostic::new(code, at, msg))
}

/// What a field of this kind should hold, for messages.
fn expects(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Date => "the date as `YYYY-MM-DD`".into(),
        FieldKind::Timestamp => "the UTC time as `YYYY-MM-DDTHH:MM:SSZ`".into(),
        FieldKind::Duration => "how long users were affected, as `mm:ss`".into(),
        FieldKind::Choice(opts) => one_of(opts),
        FieldKind::Sha => "the commit SHA (7–40 hex digits)".into(),
        FieldKind::Text => "a value".into(),
    }
}

fn one_of(opts: &[String]) -> String {
    let quoted: Vec<String> = opts.iter().map(|o| format!("`{o}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("one of {} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// Whether a value is still the template's text: its placeholder (spaces folded, any case),
/// the choice list, a `<…>` placeholder, an ellipsis, or the date/time pattern letters.
fn is_template_text(v: &str, spec: &FieldSpec) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    if fold(v) == fold(spec.placeholder.trim_matches('`')) || is_placeholder_text(v) {
        return true;
    }
    match &spec.kind {
        FieldKind::Text => false,
        FieldKind::Choice(opts) => {
            let parts: Vec<&str> = v.split('/').map(str::trim).collect();
            parts.len() >= 2
                && parts
                    .iter()
                    .all(|p| opts.iter().any(|o| o.to_lowercase() == p.to_lowercase()))
        }
        FieldKind::Date | FieldKind::Timestamp | FieldKind::Duration => {
            const PATTERN: &[&str] = &["YYYY", "MM-DD", "-DD", "HH:", ":MM", ":SS", "mm:", ":ss"];
            v.contains('…') || v.contains("...") || PATTERN.iter().any(|p| v.contains(p))
        }
        FieldKind::Sha => v.contains('…') || v.contains("..."),
    }
}

fn date_problem(v: &str) -> String {
    let (why, fix) = diagnose_date(v);
    match fix {
        Some(d) => format!(
            "`{v}` is not a `YYYY-MM-DD` date ({why}): write `{}`",
            d.format("%Y-%m-%d")
        ),
        None => {
            format!("`{v}` is not a `YYYY-MM-DD` date ({why}): write the day the incident began")
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

fn timestamp_problem(v: &str) -> String {
    let (why, fix) = diagnose_timestamp(v);
    let why = if why.is_empty() {
        "it is not in that form".to_string()
    } else {
        why.join("; ")
    };
    match fix {
        Some(fix) => format!("`{v}` is not `YYYY-MM-DDTHH:MM:SSZ`: {why}. Write `{fix}`"),
        None => {
            format!("`{v}` is not `YYYY-MM-DDTHH:MM:SSZ`: {why}. Write the UTC time in that form")
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

fn duration_problem(v: &str) -> String {
    let (why, fix) = diagnose_duration(v);
    match fix {
        Some(secs) => format!(
            "`{v}` is not `mm:ss` ({why}): write `{}`",
            values::format_duration(secs)
        ),
        None => format!(
            "`{v}` is not `mm:ss` ({why}): write the minutes, a colon and two-digit seconds"
        ),
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

fn choice_problem(v: &str, opts: &[String]) -> String {
    match closest(v, opts) {
        Some(best) => format!(
            "`{v}` is not an allowed value: write `{best}` (allowed: {})",
            one_of(opts)
        ),
        None => format!("`{v}` is not an allowed value: write {}", one_of(opts)),
    }
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
        let typo = edit_distance(&nv, &no);
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

fn edit_distance(a: &str, b: &str) -> usize {
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

fn sha_problem(v: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};
    use crate::analysis::checks::{file_name, times};

    /// `VALID` with one Header row's value replaced, the new value marked as expected.
    fn with_value(row: &str, value: &str) -> String {
        let line = VALID
            .lines()
            .find(|l| l.starts_with(&format!("| {row} |")))
            .expect("row in VALID");
        valid_with(line, &format!("| {row} | {value} |"))
    }

    fn message(check: crate::analysis::checks::Check, row: &str, value: &str) -> String {
        let diags = check_marked(check, &with_value(row, value));
        assert_eq!(diags.len(), 1);
        diags[0].message.clone()
    }

    #[test]
    fn valid_document_has_no_header_problems() {
        assert_eq!(run(missing_field, VALID, &Env::fixed()), vec![]);
        assert_eq!(run(field_values, VALID, &Env::fixed()), vec![]);
    }

    #[test]
    fn unfilled_template_gives_only_empty_fields() {
        let template = include_str!("testdata/template_unfilled.md");
        let env = Env {
            path: Some("_docs/06_metrics/postmortem_2026-03-14_x.md"),
            ..Env::fixed()
        };
        let mine = [
            missing_field,
            field_values,
            times::time_order,
            times::duration_mismatch,
        ];
        let more = [
            times::date_mismatch,
            times::future_time,
            file_name::file_name,
        ];
        let diags: Vec<_> = mine
            .iter()
            .chain(&more)
            .flat_map(|c| run(*c, template, &env))
            .collect();
        assert_eq!(diags.len(), 9, "{diags:#?}");
        assert!(
            diags.iter().all(|d| d.code == Code::EmptyField),
            "{diags:#?}"
        );
    }

    #[test]
    fn missing_rows_are_reported_on_the_header_heading() {
        let text = valid_with("| Severity | High |\n", "").replacen("## Header", "## «Header»", 1);
        let diags = check_marked(missing_field, &text);
        assert!(
            diags[0].message.contains("`Severity`")
                && diags[0].message.contains("`Critical`, `High` or `Medium`")
        );
        // The optional Rollback SHA row may be left out.
        let text = valid_with("| Rollback SHA (if rolled back) | `4be07d13a9c2` |\n", "");
        assert_eq!(run(missing_field, &text, &Env::fixed()), vec![]);
    }

    #[test]
    fn a_header_without_table_misses_every_required_row_but_no_section_means_silence() {
        let text = "# T\n\n## Header\n\nTBD\n\n## Timeline\n";
        let diags = run(missing_field, text, &Env::fixed());
        assert_eq!(diags.len(), 8);
        assert!(diags.iter().all(|d| &text[d.range.clone()] == "Header"));
        check_marked(missing_field, "# T\n\n## Timeline (UTC)\n\nx\n");
        // A header table written before any section anchors on the title.
        check_marked(
            missing_field,
            "# «T 🚒»\n\n| Incident date | 2026-01-02 |\n|-|-|\n| Severity | High |\n| Detected by | alert |\n| Duration | 1:00 |\n| Affected environment | staging |\n| Deploy SHA | abcdef0 |\n| Detection time | 2026-01-02T00:00:00Z |\n",
        );
    }

    #[test]
    fn empty_values_anchor_on_the_name_and_optional_ones_may_be_none() {
        let text = with_value("Severity", "").replacen("| Severity |", "| «Severity» |", 1);
        check_marked(field_values, &text);
        let text = valid_with(
            "| Deploy SHA at incident start | `9f1c2ab7e4d0` |",
            "| «Deploy SHA» | `` |",
        );
        check_marked(field_values, &text);
        for none in ["", "n/a", "None", "-"] {
            check_marked(
                field_values,
                &with_value("Rollback SHA (if rolled back)", none),
            );
        }
    }

    #[test]
    fn template_text_is_an_empty_field() {
        for (row, value) in [
            ("Incident date", "«yyyy-mm-dd»"),
            ("Detection time (UTC)", "«YYYY-MM-DDTHH:MM:SSZ»"),
            ("Mitigation time (UTC)", "«2026-03-14THH:MM:SSZ»"),
            ("Duration (user-impacting)", "«mm:ss»"),
            ("Affected environment", "«staging/production»"),
            (
                "Detected by",
                "«alert /  smoke test / user report / operator»",
            ),
            ("Severity", "«…»"),
            ("Deploy SHA at incident start", "`«<sha>»`"),
            ("Rollback SHA (if rolled back)", "`«<sha>»`"),
        ] {
            let diags = check_marked(field_values, &with_value(row, value));
            assert_eq!(diags[0].code, Code::EmptyField, "{row}");
        }
        let msg = message(field_values, "Severity", "«Critical / High / Medium»");
        assert_eq!(
            msg,
            "`Severity` still lists the template's choices: keep only one of `Critical`, `High` or `Medium`"
        );
    }

    #[test]
    fn timestamps_say_what_is_wrong_and_how_to_write_it() {
        let cases = [
            (
                "«2026-03-14 09:26:53+02:00»",
                &[
                    "a space instead of `T`",
                    "offset `+02:00`",
                    "`2026-03-14T07:26:53Z`",
                ][..],
            ),
            (
                "«2026-03-14T09:26:53»",
                &["no `Z`", "`2026-03-14T09:26:53Z`"],
            ),
            (
                "«2026-03-14T09:26:53.250Z»",
                &["fractional seconds", "`2026-03-14T09:26:53Z`"],
            ),
            (
                "«2026-03-14t09:26:53z»",
                &["lower-case `t`", "lower-case `z`", "`2026-03-14T09:26:53Z`"],
            ),
            ("«2026-03-14T00:30:00-05:30»", &["`2026-03-14T06:00:00Z`"]),
            (
                "«2026-03-14T09:26 UTC»",
                &[
                    "seconds are missing",
                    "`UTC` written out",
                    "`2026-03-14T09:26:00Z`",
                ],
            ),
            (
                "«2026-03-14T24:00:00Z»",
                &["not a real time of day", "Write the UTC time"],
            ),
            (
                "«2026-02-30T10:00:00Z»",
                &["`2026-02-30` is not a real date", "Write the UTC time"],
            ),
            ("«09:26:53Z»", &["start with the date"]),
        ];
        for (value, parts) in cases {
            let msg = message(field_values, "Detection time (UTC)", value);
            assert!(parts.iter().all(|p| msg.contains(p)), "{value}: {msg}");
        }
    }

    #[test]
    fn dates_durations_and_shas() {
        let date = |v| message(field_values, "Incident date", v);
        assert!(date("«2026-02-30»").contains("no such day"));
        assert!(date("«2026/03/14»").ends_with("write `2026-03-14`"));
        assert!(date("«14.03.2026»").ends_with("write `2026-03-14`"));
        assert!(date("«03.04.2026»").contains("ambiguous"));
        assert!(date("«2026-03-14T09:00:00Z»").ends_with("write `2026-03-14`"));
        let dur = |v| message(field_values, "Duration (user-impacting)", v);
        assert!(dur("«1:02:03»").ends_with("write `62:03`"));
        assert!(dur("«10:75»").ends_with("write `11:15`"));
        assert!(dur("«41 min 10s»").ends_with("write `41:10`"));
        assert!(dur("«10:5»").contains("two digits"));
        assert!(
            message(
                field_values,
                "Deploy SHA at incident start",
                "`«--output=/tmp/x»`"
            )
            .contains("`-` is not a hex digit")
        );
        assert!(
            message(field_values, "Deploy SHA at incident start", "«abc12»").contains("too short")
        );
        check_marked(
            field_values,
            &with_value("Deploy SHA at incident start", "ABCDEF0123"),
        );
        check_marked(
            field_values,
            &with_value("Rollback SHA (if rolled back)", "«nope»"),
        );
    }

    #[test]
    fn choices_are_case_insensitive_and_suggest_the_closest() {
        check_marked(
            field_values,
            &with_value("Affected environment", "PRODUCTION"),
        );
        check_marked(field_values, &with_value("Detected by", "Smoke Test"));
        let msg = message(field_values, "Affected environment", "«prod»");
        assert_eq!(
            msg,
            "`prod` is not an allowed value: write `production` (allowed: one of `staging` or `production`)"
        );
        assert!(
            message(field_values, "Detected by", "«smoke-test»").contains("write `smoke test`")
        );
        assert!(message(field_values, "Severity", "«Hihg»").contains("write `High`"));
        assert!(
            message(field_values, "Severity", "«P1»")
                .starts_with("`P1` is not an allowed value: write one of")
        );
    }

    #[test]
    fn ranges_stay_exact_around_emoji_and_cjk() {
        let text = valid_with(
            "| Severity | High |",
            "| 重大度 🔥 | x |\n| Severity | «高 🔥» |",
        );
        check_marked(field_values, &text);
        let diags = check_marked(field_values, &with_value("Detected by", "«🚨 alert»"));
        assert!(diags[0].message.contains("write `alert`"));
        let text = with_value("Incident date", "«２０２６-03-14»");
        check_marked(field_values, &text);
    }

    #[test]
    fn odd_values_never_panic() {
        let odd = [
            "2026-03-1é",
            "2026-03-14Té",
            "2026-03-14T09:2é",
            "2026-03-14T09:26:5é",
            "2026-03-14T09:26:53+é",
            "2026-03-14T09:26:53−02:00",
            "2026-03-14T09:26:53+99:99",
            "9999999999:99",
            "1:2:3:4",
            "::",
            "🔥",
            "1 🔥",
            "5h",
            "ü:ü",
            "`",
            "<",
            "/",
            " / ",
            "\u{200b}",
            "0000-00-00",
            "12.5.",
        ];
        let rows = VALID
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains(" | ") && !l.contains("Owner"));
        for line in rows.skip(1).take(9) {
            let row = line
                .split(" | ")
                .next()
                .unwrap_or("")
                .trim_start_matches("| ");
            for v in odd {
                let text = with_value(row, v);
                let _ = run(field_values, &text, &Env::fixed());
                let _ = run(times::future_time, &text, &Env::fixed());
            }
        }
    }
}
