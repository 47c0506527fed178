//! `evidence-time`: a rollback evidence file whose name's time is not the minute the
//! Timeline says the rollback started.

use crate::analysis::facts::Ctx;
use crate::analysis::facts::evidence::{
    appendix_paths, respelled_time, rollback_start, time_agrees,
};
use crate::analysis::{Code, Diagnostic, Fix};

/// `evidence-time`: each evidence path of the evidence appendix with a readable time that disagrees with the
/// rollback start (the rule is in `facts::evidence::rollback_start`), on the time part,
/// with the time part rewritten as the fix.
pub fn evidence_time(ctx: &Ctx) -> Vec<Diagnostic> {
    // The appendix first: the Timeline is read only when a file name has a time to compare.
    let paths = appendix_paths(ctx);
    if paths.iter().all(|p| p.time.is_none()) {
        return Vec::new();
    }
    let Some(start) = rollback_start(ctx) else {
        return Vec::new();
    };
    paths
        .iter()
        .filter(|p| time_agrees(ctx, p, &start) == Some(false))
        .filter_map(|p| {
            let range = p.time.clone()?;
            let fix = respelled_time(ctx, p, &start)?;
            let said = match &start.entry {
                Some(entry) => format!("the Timeline entry `{}`", ctx.slice(entry)),
                None => "the Mitigation time (no Timeline entry says the rollback started)".into(),
            };
            let renamed = format!(
                "{}{fix}{}",
                ctx.slice(&(p.range.start..range.start)),
                ctx.slice(&(range.end..p.range.end)),
            );
            Some(
                Diagnostic::new(
                    Code::EvidenceTime,
                    range.clone(),
                    format!(
                        "this evidence file is named for {}, but the rollback started at {}Z by {said}: name it `{renamed}`, or fix the Timeline",
                        ctx.slice(&range),
                        start.at.format("%Y-%m-%dT%H:%M"),
                    ),
                )
                .with_fix(Fix::Replace { text: fix }),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};

    const ROLLBACK_LINE: &str =
        "09:52  (source: log file deploy.log) rollback to the previous release started, per §5\n";
    const LOGS: &str = "/var/log/azaion/rollback-2026-03-14T09-52-00Z.log";

    /// The example with a decision at 09:48 before the rollback line, and the evidence log
    /// named `log`.
    fn decided_then_started(log: &str) -> String {
        let lines =
            format!("09:48  (source: Slack #ops-incident) decision to roll back\n{ROLLBACK_LINE}");
        valid_with(ROLLBACK_LINE, &lines).replacen(LOGS, log, 1)
    }

    #[test]
    fn valid_example_and_template_agree() {
        assert_eq!(run(evidence_time, VALID, &Env::fixed()), vec![]);
        let template = include_str!("testdata/template_unfilled.md");
        assert_eq!(run(evidence_time, template, &Env::fixed()), vec![]);
    }

    #[test]
    fn the_rollback_start_is_the_entry_that_says_it_started_not_the_decision() {
        // Named for the start (09:52): right, although a decision came first.
        let text = decided_then_started(LOGS);
        check_marked(evidence_time, &text);
        // Named for the decision (09:48): wrong, and the fix writes the start.
        let text = decided_then_started("/var/log/azaion/rollback-«2026-03-14T09-48-00»Z.log");
        let diags = check_marked(evidence_time, &text);
        assert_eq!(
            diags[0].message,
            "this evidence file is named for 2026-03-14T09-48-00, but the rollback started at 2026-03-14T09:52Z by the Timeline entry `09:52  (source: log file deploy.log) rollback to the previous release started, per §5`: name it `/var/log/azaion/rollback-2026-03-14T09-52-00Z.log`, or fix the Timeline"
        );
        assert_eq!(
            diags[0].fix,
            Some(Fix::Replace {
                text: "2026-03-14T09-52-00".into()
            })
        );
        assert_eq!(diags[0].severity, crate::analysis::Severity::Warning);
    }

    #[test]
    fn without_a_start_word_the_first_rollback_that_is_not_a_decision_counts() {
        let plain = "09:52  (source: log file deploy.log) rolling back to the previous release\n";
        let lines = format!("09:48  (source: Slack #ops-incident) we plan a rollback\n{plain}");
        let text = valid_with(ROLLBACK_LINE, &lines);
        check_marked(evidence_time, &text);
    }

    #[test]
    fn without_a_rollback_entry_the_mitigation_time_counts() {
        let text = valid_with(
            ROLLBACK_LINE,
            "09:52  (source: log file deploy.log) restarted the pool\n",
        )
        .replacen(
            "/var/log/azaion/rollback-2026-03-14T09-52-00Z.log",
            "/var/log/azaion/rollback-«2026-03-14T09-52-00»Z.log",
            1,
        )
        .replacen(
            "rollback-2026-03-14T09-52-00Z.inspect.json",
            "rollback-2026-03-14T10-03-00Z.inspect.json",
            1,
        );
        let diags = check_marked(evidence_time, &text);
        assert!(
            diags[0].message.contains("by the Mitigation time"),
            "{}",
            diags[0].message
        );
        assert!(diags[0].message.contains("2026-03-14T10:03Z"));
    }

    #[test]
    fn the_fix_keeps_the_spelling_and_unreadable_names_are_left_alone() {
        let text = decided_then_started("/var/log/azaion/rollback-«20260314_0948».log");
        let diags = check_marked(evidence_time, &text);
        assert_eq!(
            diags[0].fix,
            Some(Fix::Replace {
                text: "20260314_0952".into()
            })
        );
        for name in [
            "/var/log/azaion/rollback-<timestamp>.log",
            "/var/log/azaion/rollback-latest.log",
            "/var/log/azaion/rollback-2026-03.log",
        ] {
            check_marked(evidence_time, &decided_then_started(name));
        }
    }
}
