//! Hover on an evidence path (`/var/log/azaion/rollback-….log` or `….inspect.json`): what
//! the file holds, the expected name, the name the document's rollback time implies, and
//! whether it exists on this machine.

use super::{Hover, touches};
use crate::analysis::facts::{Ctx, TimelineLine};
use crate::analysis::schema::FieldRole;
use chrono::{NaiveDateTime, NaiveTime};

pub fn evidence_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    // Where rollback evidence is saved: the schema's evidence folders (configurable).
    let prefixes = &ctx.schema.evidence_prefixes;
    let (range, prefix) = ctx.blocks().flat_map(|b| &b.runs).find_map(|run| {
        let s = ctx.slice(&run.range);
        prefixes.iter().find_map(|prefix| {
            s.match_indices(prefix.as_str()).find_map(|(i, _)| {
                let len = s[i..]
                    .find(|c: char| c.is_whitespace() || c == '`')
                    .unwrap_or(s.len() - i);
                let r = (run.range.start + i)..(run.range.start + i + len);
                touches(&r, offset).then_some((r, prefix.as_str()))
            })
        })
    })?;
    let path = ctx.slice(&range);
    let (holds, ext) = if path.ends_with(".inspect.json") {
        (
            "the `docker inspect` output of the containers, saved when the rollback ran",
            ".inspect.json",
        )
    } else if path.ends_with(".log") {
        ("the container logs, saved when the rollback ran", ".log")
    } else {
        (
            "rollback evidence: container logs (`.log`) or `docker inspect` output (`.inspect.json`)",
            ".log",
        )
    };
    let mut md = format!(
        "**Rollback evidence**: {holds}.\n\nExpected name: `{prefix}<timestamp>{ext}` (any timestamp spelling)."
    );
    if let Some(at) = rollback_time(ctx) {
        let implied = format!("{prefix}{}{ext}", at.format("%Y-%m-%dT%H-%M-%SZ"));
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let agrees = digits(path).starts_with(&digits(&at.format("%Y%m%d%H%M").to_string()));
        let verdict = if agrees {
            "the name here matches it"
        } else {
            "the name here does not match it"
        };
        md.push_str(&format!(
            "\n\nThe rollback began at {}Z, so expect `{implied}`: {verdict}.",
            at.format("%Y-%m-%dT%H:%M")
        ));
    }
    if !path.contains('<') {
        let found = ctx.env.workspace.and_then(|w| w.evidence_exists(path));
        md.push_str(match found {
            Some(true) => "\n\nThe file exists on this machine.",
            Some(false) => {
                "\n\nThe file is not on this machine (it may be on the production host)."
            }
            None => "",
        });
    }
    Some(Hover {
        range,
        markdown: md,
    })
}

/// When the rollback began: the first timeline entry that mentions one, on the Incident
/// date, or else the Mitigation time.
fn rollback_time(ctx: &Ctx) -> Option<NaiveDateTime> {
    let day = ctx
        .date(FieldRole::IncidentDate)
        .or_else(|| ctx.timestamp(FieldRole::Detection).map(|d| d.date_naive()));
    let from_timeline = ctx.timeline.lines.iter().find_map(|line| match line {
        TimelineLine::Entry(e) => {
            let text = ctx.slice(&e.text).to_ascii_lowercase();
            let mentions = ["rollback", "rolled back", "roll back", "rolling back"]
                .iter()
                .any(|w| text.contains(w));
            let time = NaiveTime::from_hms_opt(e.minutes / 60, e.minutes % 60, 0)?;
            mentions.then(|| day.map(|d| d.and_time(time)))?
        }
        _ => None,
    });
    from_timeline.or_else(|| ctx.timestamp(FieldRole::Mitigation).map(|m| m.naive_utc()))
}

#[cfg(test)]
mod tests {
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::facts::Ctx;
    use crate::analysis::hover::hover;
    use crate::analysis::{Env, parse};

    fn hover_md(text: &str, needle: &str) -> String {
        let doc = parse(text);
        let env = Env::fixed();
        let offset = text.find(needle).unwrap() + 5;
        hover(&Ctx::new(text, &doc, &env), offset).unwrap().markdown
    }

    #[test]
    fn log_path_hover_names_the_rollback_time() {
        let md = hover_md(VALID, "/var/log/azaion/rollback-2026-03-14T09-52-00Z.log");
        assert!(
            md.starts_with("**Rollback evidence**: the container logs"),
            "{md}"
        );
        assert!(md.contains("The rollback began at 2026-03-14T09:52Z, so expect `/var/log/azaion/rollback-2026-03-14T09-52-00Z.log`: the name here matches it."), "{md}");
    }

    #[test]
    fn inspect_path_and_a_mismatch() {
        let text = VALID.replacen(
            "rollback-2026-03-14T09-52-00Z.inspect.json",
            "rollback-2026-03-15T01-00-00Z.inspect.json",
            1,
        );
        let md = hover_md(&text, "/var/log/azaion/rollback-2026-03-15");
        assert!(md.contains("`docker inspect` output"));
        assert!(md.contains("does not match it"));
    }
}
