//! Rollback evidence: the evidence paths a post-mortem names, when the Timeline says the
//! rollback started, and whether a path's time agrees. The hover and `evidence-time` both
//! read these, so they cannot disagree.

use super::{Ctx, TimelineLine};
use crate::analysis::model::Block;
use crate::analysis::schema::{FieldRole, SectionRole};
use chrono::{Duration, NaiveDateTime, NaiveTime};
use std::ops::Range;

/// Words that say a Timeline entry is about a rollback.
const ROLLBACK: &[&str] = &[
    "rollback",
    "roll-back",
    "roll back",
    "rolling back",
    "rolled back",
];
/// Words that say the rollback started.
const STARTED: &[&str] = &[
    "start",
    "began",
    "begin",
    "initiat",
    "kicked off",
    "trigger",
];
/// Words that say the entry is about deciding or planning a rollback, not running it.
const DECIDED: &[&str] = &[
    "decid", "decision", "plan", "propos", "agree", "consider", "discuss", "should",
];

/// A rollback evidence path in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidencePath {
    pub range: Range<usize>,
    /// The evidence folder prefix it starts with (from the schema).
    pub prefix: String,
    /// `.log`, `.inspect.json`, or empty for another ending.
    pub ext: &'static str,
    /// The time part of the file name: first digit to last digit after the prefix, when
    /// it holds at least a minute (`YYYYMMDDHHMM`, any separators).
    pub time: Option<Range<usize>>,
}

/// When the rollback started, and the Timeline entry that says so (none when the time is
/// the Mitigation time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackStart {
    pub at: NaiveDateTime,
    pub entry: Option<Range<usize>>,
}

/// Every evidence path in the document (or the block in scope).
pub fn evidence_paths(ctx: &Ctx) -> Vec<EvidencePath> {
    paths_in(ctx, ctx.blocks())
}

/// The evidence paths of the evidence appendix alone: where the post-mortem lists them, and
/// small, so a check can read it on every keystroke of a long document.
pub fn appendix_paths(ctx: &Ctx) -> Vec<EvidencePath> {
    let section = ctx
        .section(SectionRole::Evidence)
        .filter(|s| ctx.in_scope(s));
    paths_in(ctx, section.map(|s| &s.body).into_iter())
}

fn paths_in<'b>(ctx: &Ctx, blocks: impl Iterator<Item = &'b Block>) -> Vec<EvidencePath> {
    let mut out = Vec::new();
    for run in blocks.flat_map(|b| &b.runs) {
        let s = ctx.slice(&run.range);
        for prefix in &ctx.schema.evidence_prefixes {
            for (i, _) in s.match_indices(prefix.as_str()) {
                let len = s[i..]
                    .find(|c: char| c.is_whitespace() || c == '`')
                    .unwrap_or(s.len() - i);
                let range = (run.range.start + i)..(run.range.start + i + len);
                out.push(path_at(ctx, range, prefix));
            }
        }
    }
    out
}

fn path_at(ctx: &Ctx, range: Range<usize>, prefix: &str) -> EvidencePath {
    let path = ctx.slice(&range);
    let ext = if path.ends_with(".inspect.json") {
        ".inspect.json"
    } else if path.ends_with(".log") {
        ".log"
    } else {
        ""
    };
    let name = &path[prefix.len().min(path.len())..path.len() - ext.len()];
    let name_start = range.start + prefix.len();
    let first = name.find(|c: char| c.is_ascii_digit());
    let last = name.rfind(|c: char| c.is_ascii_digit());
    let time = match (first, last) {
        (Some(f), Some(l)) if digits(&name[f..=l]).len() >= 12 && !path.contains('<') => {
            Some(name_start + f..name_start + l + 1)
        }
        _ => None,
    };
    EvidencePath {
        range,
        prefix: prefix.to_string(),
        ext,
        time,
    }
}

/// When the rollback started. The rule (the README's Rules say it too): the first Timeline
/// entry that mentions a rollback and says it started ("start", "began", "initiated",
/// "kicked off", "triggered"); else the first that mentions a rollback and is not about
/// deciding or planning one; else the Mitigation time. The day is the Incident date (or
/// the Detection date), one day later for an entry past midnight.
pub fn rollback_start(ctx: &Ctx) -> Option<RollbackStart> {
    let detection = ctx.timestamp(FieldRole::Detection);
    let day = ctx
        .date(FieldRole::IncidentDate)
        .or_else(|| detection.map(|d| d.date_naive()));
    let entries: Vec<(&Range<usize>, u32, String)> = ctx
        .timeline
        .lines
        .iter()
        .filter_map(|line| match line {
            TimelineLine::Entry(e) => {
                let text = ctx.slice(&e.text).to_lowercase();
                has_any(&text, ROLLBACK).then_some((&e.range, e.minutes, text))
            }
            _ => None,
        })
        .collect();
    let chosen = entries
        .iter()
        .find(|(_, _, t)| has_any(t, STARTED))
        .or_else(|| entries.iter().find(|(_, _, t)| !has_any(t, DECIDED)));
    if let (Some((range, minutes, _)), Some(day)) = (chosen, day) {
        let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0)?;
        let mut at = day.and_time(time);
        // An entry twelve hours before the detection is the next day's.
        if let Some(d) = detection
            && d.naive_utc() - at > Duration::hours(12)
        {
            at += Duration::days(1);
        }
        return Some(RollbackStart {
            at,
            entry: Some((*range).clone()),
        });
    }
    let mitigation = ctx.timestamp(FieldRole::Mitigation)?;
    Some(RollbackStart {
        at: mitigation.naive_utc(),
        entry: None,
    })
}

/// Whether the time part of `path` names the minute the rollback started; `None` when the
/// name has no readable time.
pub fn time_agrees(ctx: &Ctx, path: &EvidencePath, start: &RollbackStart) -> Option<bool> {
    let part = ctx.slice(path.time.as_ref()?);
    Some(digits(part).starts_with(&start.at.format("%Y%m%d%H%M").to_string()))
}

/// The name the rollback start implies for `path`: its prefix, the start time and its
/// ending.
pub fn implied_name(path: &EvidencePath, start: &RollbackStart) -> String {
    let ext = if path.ext.is_empty() {
        ".log"
    } else {
        path.ext
    };
    format!("{}{}{ext}", path.prefix, implied_time(start))
}

/// The time part the rollback start implies, in the template's spelling.
pub fn implied_time(start: &RollbackStart) -> String {
    start.at.format("%Y-%m-%dT%H-%M-%SZ").to_string()
}

/// `path`'s time part rewritten to the rollback start in the same spelling: each digit
/// replaced in order by those of `YYYYMMDDHHMMSS` (any further digits by 0), separators
/// kept.
pub fn respelled_time(ctx: &Ctx, path: &EvidencePath, start: &RollbackStart) -> Option<String> {
    let part = ctx.slice(path.time.as_ref()?);
    let mut new = start
        .at
        .format("%Y%m%d%H%M%S")
        .to_string()
        .into_bytes()
        .into_iter();
    Some(
        part.chars()
            .map(|c| match c.is_ascii_digit() {
                true => new.next().map_or('0', char::from),
                false => c,
            })
            .collect(),
    )
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}
