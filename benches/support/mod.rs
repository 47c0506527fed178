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
