//! Hover on an evidence path (`/var/log/azaion/rollback-….log` or `….inspect.json`): what
//! the file holds, the expected name, the name the document's rollback time implies, and
//! whether it exists on this machine.

use super::{Hover, touches};
use crate::analysis::facts::Ctx;
use crate::analysis::facts::evidence::{evidence_paths, implied_name, rollback_start, time_agrees};

pub fn evidence_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    // Where rollback evidence is saved: the schema's evidence folders (configurable).
    let found = evidence_paths(ctx)
        .into_iter()
        .find(|p| touches(&p.range, offset))?;
    let range = found.range.clone();
    let path = ctx.slice(&range);
    let prefix = &found.prefix;
    let (holds, ext) = match found.ext {
        ".inspect.json" => (
            "the `docker inspect` output of the containers, saved when the rollback ran",
            ".inspect.json",
        ),
        ".log" => ("the container logs, saved when the rollback ran", ".log"),
        _ => (
            "rollback evidence: container logs (`.log`) or `docker inspect` output (`.inspect.json`)",
            ".log",
        ),
    };
    let mut md = format!(
        "**Rollback evidence**: {holds}.\n\nExpected name: `{prefix}<timestamp>{ext}` (any timestamp spelling)."
    );
    if let Some(start) = rollback_start(ctx) {
        let implied = implied_name(&found, &start);
        let verdict = match time_agrees(ctx, &found, &start) {
            Some(true) => "the name here matches it",
            Some(false) => "the name here does not match it",
            None => "the name here has no time to compare",
        };
        let source = match &start.entry {
            Some(entry) => format!(" (Timeline: `{}`)", ctx.slice(entry)),
            None => " (the Mitigation time; no Timeline entry says the rollback started)".into(),
        };
        md.push_str(&format!(
            "\n\nThe rollback began at {}Z{source}, so expect `{implied}`: {verdict}.",
            start.at.format("%Y-%m-%dT%H:%M")
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
        assert!(md.contains("The rollback began at 2026-03-14T09:52Z (Timeline: `09:52  (source: log file deploy.log) rollback to the previous release started, per §5`), so expect `/var/log/azaion/rollback-2026-03-14T09-52-00Z.log`: the name here matches it."), "{md}");
    }

    #[test]
    fn a_decision_to_roll_back_is_not_the_rollback_start() {
        let line = "09:52  (source: log file deploy.log) rollback to the previous release started, per §5\n";
        let text = VALID.replacen(
            line,
            &format!("09:48  (source: Slack #ops-incident) decision to roll back\n{line}"),
            1,
        );
        let md = hover_md(&text, "/var/log/azaion/rollback-2026-03-14T09-52-00Z.log");
        assert!(
            md.contains("The rollback began at 2026-03-14T09:52Z"),
            "{md}"
        );
        assert!(md.contains("the name here matches it"), "{md}");
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
