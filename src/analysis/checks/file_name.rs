//! The file-name check: a post-mortem file is named as the schema says, by default
//! `postmortem_<Incident date>_<slug>.md`.

use crate::analysis::facts::Ctx;
use crate::analysis::schema::FieldRole;
use crate::analysis::values::parse_date;
use crate::analysis::{Code, Diagnostic, Fix};

/// `file-name`: for files whose name starts as the schema's name pattern does
/// (`postmortem_`) or kept in the post-mortem folder, the name must fit the pattern
/// (`postmortem_<YYYY-MM-DD>_<slug>.md`), and its date must be the Incident date when that
/// date is valid.
pub fn file_name(ctx: &Ctx) -> Vec<Diagnostic> {
    let Some(path) = ctx.env.path else {
        return Vec::new();
    };
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let Some((&name, dirs)) = parts.split_last() else {
        return Vec::new();
    };
    let pattern = &ctx.schema.file_name;
    let folder: Vec<&str> = ctx
        .schema
        .postmortem_directory
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let in_folder = !folder.is_empty() && dirs.windows(folder.len()).any(|w| w == folder);
    let prefix = pattern.prefix();
    if !(in_folder || !prefix.is_empty() && name.starts_with(prefix)) {
        return Vec::new();
    }
    let incident = ctx.date(FieldRole::IncidentDate);
    let (problem, slug) = match pattern.split(name) {
        None => (format!("`{name}` is not named `{}`", pattern.shown()), None),
        Some((Some(date), slug)) if incident.is_some_and(|i| Some(i) != parse_date(date)) => (
            format!("the date in the file name ({date}) is not the Incident date"),
            Some(slug),
        ),
        Some(_) => return Vec::new(),
    };
    let date = incident
        .or_else(|| date_in(name))
        .map_or("<YYYY-MM-DD>".to_string(), |d| d.to_string());
    let slug = slug
        .map(str::to_string)
        .or_else(|| Some(slug_of_name(name, prefix)).filter(|s| !s.is_empty()))
        .or_else(|| ctx.doc.title.as_ref().map(|t| title_slug(ctx.slice(t))))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "<slug>".to_string());
    let expected = pattern.format(&date, &slug);
    let msg = format!("{problem}: rename the file to `{expected}`");
    let diagnostic = Diagnostic::new(Code::FileName, ctx.anchor(), msg);
    // Only a name with nothing left to fill in can be applied as a rename.
    if expected.contains('<') {
        return vec![diagnostic];
    }
    vec![diagnostic.with_fix(Fix::Rename { name: expected })]
}

/// The first real `YYYY-MM-DD` date anywhere in the name.
fn date_in(name: &str) -> Option<chrono::NaiveDate> {
    (0..name.len()).find_map(|i| name.get(i..i + 10).and_then(parse_date))
}

/// The writer's own slug in a malformed name: what is left once the extension, the
/// pattern's leading word (`postmortem`) and any date (in whatever order) are taken out.
fn slug_of_name(name: &str, prefix: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let lower = stem.to_lowercase();
    let word = prefix
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let mut rest = [word.as_str(), "postmortem", "post-mortem"]
        .iter()
        .filter(|w| !w.is_empty())
        .find_map(|w| lower.strip_prefix(w))
        .unwrap_or(&lower)
        .to_string();
    if let Some(d) = date_in(&rest) {
        rest = rest.replacen(&d.to_string(), " ", 1);
    }
    let slug = slugify(&rest);
    // A date written in another order (`14-03-2026`) is three numbers at the front.
    let parts: Vec<&str> = slug.split('-').collect();
    let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() > 3 && parts[..3].iter().all(numeric) {
        return parts[3..].join("-");
    }
    slug
}

/// A slug from the title, without the words that only say it is a post-mortem.
fn title_slug(title: &str) -> String {
    let slug = slugify(title);
    let topic = ["post-mortem-", "postmortem-"]
        .iter()
        .find_map(|p| slug.strip_prefix(p));
    topic.unwrap_or(&slug).to_string()
}

/// Lower-case ASCII letters and digits, with every other run of characters as one `-`.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked_env, run, valid_with};

    const TITLE: &str = "# Post-mortem: checkout timeouts after the payments client upgrade";
    const MARKED: &str = "# «Post-mortem: checkout timeouts after the payments client upgrade»";

    fn at(path: &str) -> Env<'_> {
        Env {
            path: Some(path),
            ..Env::fixed()
        }
    }

    /// The message for `text` (with its title marked) saved at `path`.
    fn message(text: &str, path: &str) -> String {
        let diags = check_marked_env(file_name, &text.replacen(TITLE, MARKED, 1), &at(path));
        diags[0].message.clone()
    }

    #[test]
    fn well_named_files_and_unrelated_files_pass() {
        for path in [
            "/r/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md",
            "C:\\r\\_docs\\06_metrics\\postmortem_2026-03-14_api.v2_DB-pool.md",
            "postmortem_2026-03-14_x.md",
            "/r/notes/outage.md",
            "/r/my_docs/06_metrics/outage.md",
        ] {
            assert_eq!(run(file_name, VALID, &at(path)), vec![], "{path}");
        }
        assert_eq!(run(file_name, VALID, &Env::fixed()), vec![]);
    }

    #[test]
    fn a_date_other_than_the_incident_date_is_reported_with_the_right_name() {
        let msg = message(
            VALID,
            "/r/_docs/06_metrics/postmortem_2026-03-15_checkout.md",
        );
        assert_eq!(
            msg,
            "the date in the file name (2026-03-15) is not the Incident date: \
             rename the file to `postmortem_2026-03-14_checkout.md`"
        );
    }

    #[test]
    fn malformed_names_get_a_derived_name() {
        let folder = "/r/_docs/06_metrics/";
        let cases = [
            (
                "postmortem-2026-03-14-db_pool.md",
                "postmortem_2026-03-14_db-pool.md",
            ),
            (
                "postmortem_2026-03-14.md",
                "postmortem_2026-03-14_checkout-timeouts-after-the-payments-client-upgrade.md",
            ),
            ("postmortem_2026-03-14_-x.md", "postmortem_2026-03-14_x.md"),
            (
                "postmortem_2026-03-14_checkout.MD",
                "postmortem_2026-03-14_checkout.md",
            ),
            ("Outage Report.md", "postmortem_2026-03-14_outage-report.md"),
        ];
        for (name, expected) in cases {
            let msg = message(VALID, &format!("{folder}{name}"));
            assert!(
                msg.ends_with(&format!("rename the file to `{expected}`")),
                "{name}: {msg}"
            );
        }
    }

    #[test]
    fn with_an_invalid_incident_date_only_the_shape_counts() {
        let text = valid_with(
            "| Incident date | 2026-03-14 |",
            "| Incident date | 14/03/2026 |",
        );
        let ok = at("/r/_docs/06_metrics/postmortem_2026-03-01_checkout.md");
        assert_eq!(run(file_name, &text, &ok), vec![]);
        let msg = message(
            &text,
            "/r/_docs/06_metrics/postmortem_01-03-2026_checkout.md",
        );
        assert!(
            msg.ends_with("`postmortem_<YYYY-MM-DD>_checkout.md`"),
            "{msg}"
        );
    }

    #[test]
    fn without_a_title_the_first_line_is_the_anchor() {
        let text = "«Notes 📝 on the outage»\n\n## Header\n";
        let diags = check_marked_env(file_name, text, &at("postmortem_.md"));
        assert!(
            diags[0]
                .message
                .ends_with("`postmortem_<YYYY-MM-DD>_<slug>.md`"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn a_team_name_pattern_and_folder_decide_names() {
        let mut schema = crate::analysis::Schema::builtin();
        schema.file_name =
            crate::analysis::schema::NamePattern::new("review_{date}_{slug}.md").unwrap();
        schema.postmortem_directory = "team/incidents".into();
        let env = |path| Env {
            schema: &schema,
            path: Some(path),
            ..Env::fixed()
        };
        for ok in [
            "/r/team/incidents/review_2026-03-14_checkout.md",
            "/r/_docs/06_metrics/postmortem_2026-03-01_checkout.md",
            "/r/incidents/outage.md",
        ] {
            assert_eq!(run(file_name, VALID, &env(ok)), vec![], "{ok}");
        }
        let marked = VALID.replacen(TITLE, MARKED, 1);
        let msg = |path| {
            check_marked_env(file_name, &marked, &env(path))[0]
                .message
                .clone()
        };
        assert_eq!(
            msg("/r/team/incidents/postmortem_2026-03-14_checkout.md"),
            "`postmortem_2026-03-14_checkout.md` is not named `review_<YYYY-MM-DD>_<slug>.md`: \
             rename the file to `review_2026-03-14_checkout.md`"
        );
        assert_eq!(
            msg("/r/team/incidents/review-2026-03-14-db.md"),
            "`review-2026-03-14-db.md` is not named `review_<YYYY-MM-DD>_<slug>.md`: \
             rename the file to `review_2026-03-14_db.md`"
        );
        assert!(
            msg("/r/team/incidents/review_2026-03-15_x.md")
                .starts_with("the date in the file name (2026-03-15) is not the Incident date")
        );
    }
}
