//! Header checks: every required row is present, and every value is filled in and well formed.

use crate::analysis::facts::{Ctx, FieldRow};
use crate::analysis::schema::{FieldKind, FieldRole, FieldSpec, SectionRole};
use crate::analysis::values::{self, is_none_value, is_placeholder_text};
use crate::analysis::{Code, Diagnostic, Fix};
mod diagnose;

use diagnose::{choice_problem, date_problem, duration_problem, sha_problem, timestamp_problem};

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
            Diagnostic::new(Code::MissingField, anchor.clone(), msg).with_fix(Fix::InsertField {
                name: f.name.clone(),
            })
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
        if !spec.required {
            return None;
        }
        let diagnostic = Diagnostic::new(Code::EmptyField, row.name.clone(), msg);
        return Some(match fill_fix(ctx, spec) {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
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
        let diagnostic = Diagnostic::new(Code::EmptyField, at, msg);
        return Some(match fill_fix(ctx, spec) {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        });
    }
    let (code, (msg, fix)) = match &spec.kind {
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
        FieldKind::Sha if !values::is_sha(v) => (Code::InvalidSha, named_commit(ctx, v)),
        _ => return None,
    };
    let diagnostic = Diagnostic::new(code, at, msg);
    Some(match fix {
        Some(fix) => diagnostic.with_fix(fix),
        None => diagnostic,
    })
}

/// The fix for an empty or placeholder value: the value the rest of the document implies,
/// the current time, or the allowed values.
fn fill_fix(ctx: &Ctx, spec: &FieldSpec) -> Option<Fix> {
    match (&spec.kind, spec.role?) {
        (FieldKind::Timestamp, _) => Some(Fix::Now),
        (FieldKind::Date, FieldRole::IncidentDate) => {
            let detection = ctx.timestamp(FieldRole::Detection)?;
            Some(Fix::Replace {
                text: detection.format("%Y-%m-%d").to_string(),
            })
        }
        (FieldKind::Duration, _) => Some(Fix::Replace {
            text: values::format_duration(mitigation_minus_detection(ctx)?),
        }),
        (FieldKind::Choice(values), _) => Some(Fix::Choose {
            values: values.clone(),
            preferred: false,
        }),
        _ => None,
    }
}

/// Mitigation − Detection in seconds, when both parse and are in order.
pub(crate) fn mitigation_minus_detection(ctx: &Ctx) -> Option<u64> {
    let (d, m) = (
        ctx.timestamp(FieldRole::Detection)?,
        ctx.timestamp(FieldRole::Mitigation)?,
    );
    u64::try_from((m - d).num_seconds()).ok()
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

/// The message for a Header SHA that is not one, and the fix when it is a branch or tag
/// name the repository knows (`v41`, `main`): that commit's SHA.
fn named_commit(ctx: &Ctx, v: &str) -> (String, Option<Fix>) {
    // Only what could be a ref name is compared (it never reaches git: the names come
    // from the history already listed), so other junk does not even ask for the list.
    let could_be_ref = !v.is_empty()
        && !v.starts_with(['-', '/', '.'])
        && !v.contains("..")
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'));
    let commits = ctx.env.commits.filter(|_| could_be_ref);
    let named = commits.and_then(|c| c.recent()).and_then(|recent| {
        recent
            .iter()
            .find(|c| c.refs.iter().any(|r| r == v))
            .map(|c| c.short().to_string())
    });
    match named {
        Some(sha) => (
            format!(
                "`{v}` is a branch or tag name, not a commit SHA: write the SHA it names, `{sha}`"
            ),
            Some(Fix::Replace { text: sha }),
        ),
        None => (sha_problem(v), None),
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
        let template = include_str!("../testdata/template_unfilled.md");
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
