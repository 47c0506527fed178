//! Shared by the benchmarks: the documents (the shipped example and a generated
//! 10,000-line post-mortem), a small LSP client over stdio, and timing statistics.
//!
//! It lives in a folder so that Cargo does not take it for a bench target of its own.
// Each bench uses only part of this module.
#![allow(dead_code)]

pub mod client;
pub mod stats;

/// Where the clean example lives, relative to the repository.
pub const NORMAL_PATH: &str =
    "examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md";

/// The clean example post-mortem (87 lines).
pub const NORMAL: &str = include_str!(
    "../../examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
);

/// The example with `entries` extra timeline entries and `rows` extra Prevention rows,
/// all valid, so the checks do their full work and report nothing.
pub fn large(entries: usize, rows: usize) -> String {
    let mut timeline = String::new();
    for i in 0..entries {
        let minute = 9 * 60 + 27 + (i * 4) / entries.max(1);
        timeline.push_str(&format!(
            "{:02}:{:02}  (source: Slack #ops-incident) status update {i}: still investigating\n",
            minute / 60,
            minute % 60
        ));
    }
    let mut table = String::new();
    for i in 0..rows {
        table.push_str(&format!(
            "| @owner{i} | Follow-up action number {i}, OPS-{} | 2026-04-{:02} |\n",
            1000 + i,
            1 + i % 28
        ));
    }
    NORMAL
        .replacen(
            "09:31  (source: Slack",
            &format!("{timeline}09:31  (source: Slack"),
            1,
        )
        .replacen("| @sam |", &format!("{table}| @sam |"), 1)
}

/// The clean example as a post-mortem being written looks: about 150 lines with the usual
/// mistakes (a timestamp with a space and no `Z`, a shortened environment, timeline lines
/// without a source, Prevention rows without a ticket or an `@owner`, a person blamed), so
/// about 35 findings spread over the sections.
pub fn mistakes() -> String {
    let mut timeline = String::new();
    for i in 0..42 {
        let minute = 9 * 60 + 27 + i / 11;
        if i % 3 == 0 {
            timeline.push_str(&format!(
                "{}:{:02} - looked at dashboard {i}\n",
                minute / 60,
                minute % 60
            ));
        } else {
            timeline.push_str(&format!(
                "{:02}:{:02}  (source: Slack #ops-incident) checked replica {i}, still slow\n",
                minute / 60,
                minute % 60
            ));
        }
    }
    let mut table = String::new();
    for i in 0..24 {
        let owner = if i % 4 == 0 {
            format!("team{i}")
        } else {
            format!("@dev{i}")
        };
        let ticket = if i % 2 == 0 {
            String::new()
        } else {
            format!(", OPS-{}", 200 + i)
        };
        table.push_str(&format!(
            "| {owner} | Follow-up {i}: add a check{ticket} | 2026-04-{:02} |\n",
            1 + i % 28
        ));
    }
    NORMAL
        .replacen("| 2026-03-14T09:26:53Z |", "| 2026-03-14 09:26:53 |", 1)
        .replacen("| production |", "| prod |", 1)
        .replacen(
            "09:31  (source: Slack",
            &format!("{timeline}09:31  (source: Slack"),
            1,
        )
        .replacen("| @sam |", &format!("{table}| @sam |"), 1)
        .replacen(
            "## Repair\n",
            "Human error: the pool size was not checked by the reviewer.\n\n## Repair\n",
            1,
        )
}

/// A 10,000-line post-mortem full of problems: `entries` timeline entries, four in five of
/// them in a bad format (no source), and `rows` Prevention rows, none with a ticket or an
/// `@owner`: about 14,000 findings, nearly all in the Timeline and Prevention sections.
pub fn large_mistakes(entries: usize, rows: usize) -> String {
    let mut timeline = String::new();
    for i in 0..entries {
        let minute = 9 * 60 + 27 + (i * 4) / entries.max(1);
        let (h, m) = (minute / 60, minute % 60);
        if i % 5 == 0 {
            timeline.push_str(&format!(
                "{h:02}:{m:02}  (source: Slack #ops-incident) status update {i}: still investigating\n"
            ));
        } else {
            timeline.push_str(&format!(
                "{h:02}:{m:02} status update {i}: still investigating\n"
            ));
        }
    }
    let mut table = String::new();
    for i in 0..rows {
        table.push_str(&format!(
            "| owner{i} | Follow-up action number {i} | 2026-04-{:02} |\n",
            1 + i % 28
        ));
    }
    NORMAL
        .replacen(
            "09:31  (source: Slack",
            &format!("{timeline}09:31  (source: Slack"),
            1,
        )
        .replacen("| @sam |", &format!("{table}| @sam |"), 1)
}
