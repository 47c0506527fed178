//! Property tests of the pure core on arbitrary text: arbitrary Unicode, markdown-ish text
//! built from template fragments, and mutations of the valid example. Every feature must
//! return without panicking, every range it returns must lie inside the text on character
//! boundaries, and formatting must be idempotent.

use postmortem_lsp::analysis::commits::{CommitDetails, CommitInfo, Commits, Lookup};
use postmortem_lsp::analysis::edit::{self, Edit};
use postmortem_lsp::analysis::facts::Ctx;
use postmortem_lsp::analysis::{
    self, Env, complete, fixes, format, hover, inlay, links, outline, refs,
};
use postmortem_lsp::env::FsWorkspace;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

const VALID: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/acme-shop/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"
));

/// A repository that knows one commit (the example's deploy SHA), so the commit paths of
/// checks, completion and hover run too.
struct OneCommit(Arc<CommitInfo>);

impl Commits for OneCommit {
    fn lookup(&self, sha: &str) -> Lookup {
        if self.0.sha.starts_with(&sha.to_ascii_lowercase()) && sha.len() >= 7 {
            Lookup::Found(self.0.clone())
        } else {
            Lookup::Unknown
        }
    }
    fn recent(&self) -> Option<Arc<[CommitInfo]>> {
        Some(Arc::from(vec![(*self.0).clone()]))
    }
    fn ancestors(&self, _sha: &str) -> Option<Arc<[CommitInfo]>> {
        self.recent()
    }
    fn is_ancestor(&self, _a: &str, _d: &str) -> Option<bool> {
        Some(true)
    }
    fn details(&self, _sha: &str) -> Option<CommitDetails> {
        Some(CommitDetails {
            stat: " src/pool.rs | 2 +-".to_string(),
            link: None,
        })
    }
}

fn in_text(text: &str, r: &Range<usize>, what: &str) -> Result<(), TestCaseError> {
    let ok = r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end);
    prop_assert!(
        ok,
        "{} range {:?} is not inside the text on boundaries",
        what,
        r
    );
    Ok(())
}

fn edits_in_text(text: &str, edits: &[Edit], what: &str) -> Result<(), TestCaseError> {
    for e in edits {
        in_text(text, &e.range, what)?;
    }
    let mut ranges: Vec<&Range<usize>> = edits.iter().map(|e| &e.range).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    for pair in ranges.windows(2) {
        prop_assert!(
            pair[0].end <= pair[1].start,
            "{} edits overlap: {:?}",
            what,
            pair
        );
    }
    Ok(())
}

fn symbols_in_text(text: &str, symbols: &[outline::Symbol]) -> Result<(), TestCaseError> {
    for s in symbols {
        in_text(text, &s.range, "symbol")?;
        in_text(text, &s.selection, "symbol selection")?;
        symbols_in_text(text, &s.children)?;
    }
    Ok(())
}

/// Every char boundary for short texts; for long ones every seventh, plus the end and past it.
fn offsets(text: &str) -> Vec<usize> {
    let step = if text.len() > 1_500 { 7 } else { 1 };
    let mut out: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(step).collect();
    out.extend([text.len(), text.len() + 3]);
    out
}

/// Runs every core feature on `text` and checks what comes back.
fn every_feature(text: &str) -> Result<(), TestCaseError> {
    let workspace =
        FsWorkspace::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme-shop"));
    let commits = OneCommit(Arc::new(CommitInfo {
        sha: "9f1c2ab7e4d0aa55bb66cc77dd88ee99ff001122".to_string(),
        subject: "Upgrade the payments client".to_string(),
        author: "Sam".to_string(),
        time: chrono::DateTime::from_timestamp(1_773_480_000, 0).unwrap_or_default(),
        refs: Vec::new(),
    }));
    let env = Env {
        path: Some("/r/_docs/06_metrics/postmortem_2026-03-14_checkout-timeouts.md"),
        workspace: Some(&workspace),
        commits: Some(&commits),
        ..Env::fixed()
    };
    let doc = analysis::parse(text);
    let _ = analysis::is_postmortem(env.path, text, &doc, env.schema);
    let ctx = Ctx::new(text, &doc, &env);
    for d in analysis::check(text, &doc, &env) {
        in_text(text, &d.range, d.code.as_str())?;
        if let Some(fix) = &d.fix {
            for action in fixes::actions(&ctx, &d.range, fix) {
                edits_in_text(text, &action.edits, "quick fix")?;
            }
        }
    }
    for offset in offsets(text) {
        for trigger in [None, Some('|'), Some(':'), Some('#'), Some(' ')] {
            if trigger.is_some() && offset % 5 != 0 {
                continue;
            }
            for c in complete::complete(text, &doc, &env, offset, trigger) {
                in_text(text, &c.range, "completion")?;
            }
        }
        if let Some(h) = hover::hover(&ctx, offset) {
            in_text(text, &h.range, "hover")?;
            let at = offset.min(text.len());
            prop_assert!(
                h.range.start <= at && at <= h.range.end,
                "hover at {} is about {:?}",
                offset,
                h.range
            );
        }
        if let Some(link) = links::link_at(&ctx, offset) {
            in_text(text, &link.range, "link at")?;
        }
    }
    symbols_in_text(text, &outline::symbols(&ctx))?;
    for r in outline::folding(&ctx) {
        in_text(text, &r, "folding")?;
    }
    for h in inlay::inlay_hints(&ctx) {
        in_text(text, &(h.offset..h.offset), "inlay hint")?;
    }
    for link in links::links(&ctx) {
        in_text(text, &link.range, "link")?;
    }
    for r in refs::references(&ctx) {
        in_text(text, &r.range, "reference")?;
    }
    if let Ok(e) = edit::insert_timeline_entry(&ctx) {
        edits_in_text(text, &[e], "timeline entry")?;
    }
    formatting_is_idempotent(text, &env)?;
    if let Some(e) = fixes::fix_all(text, &env) {
        edits_in_text(text, std::slice::from_ref(&e), "fix all")?;
        let fixed = fixes::apply(text, &[e]);
        let _ = analysis::analyze(&fixed, &env);
    }
    Ok(())
}

fn formatting_is_idempotent(text: &str, env: &Env) -> Result<(), TestCaseError> {
    let format_once = |t: &str| {
        let doc = analysis::parse(t);
        format::format(&Ctx::new(t, &doc, env))
    };
    let edits = format_once(text);
    edits_in_text(text, &edits, "format")?;
    let once = fixes::apply(text, &edits);
    let again = format_once(&once);
    edits_in_text(&once, &again, "format again")?;
    prop_assert_eq!(
        fixes::apply(&once, &again),
        once,
        "formatting twice changed more"
    );
    Ok(())
}

/// Pieces of post-mortems and of markdown that tends to confuse parsers.
const FRAGMENTS: &[&str] = &[
    "# Post-mortem: x\n",
    "## Header\n",
    "## Timeline (UTC)\n",
    "## Prevention\n",
    "## Repair\n",
    "## Impact\n",
    "| Field | Value |\n",
    "|---|---|\n",
    "|-|-|-|\n",
    "| Incident date | 2026-03-14 |\n",
    "| Severity | High |\n",
    "| Severity | |\n",
    "| Duration (user-impacting) | 41:10 |\n",
    "| Detection time (UTC) | 2026-03-14T09:26:53Z |\n",
    "| Deploy SHA at incident start | `9f1c2ab7e4d0` |\n",
    "| Rollback SHA (if rolled back) | n/a |\n",
    "| Owner | Action | Target date |\n",
    "| @sam | Alert, OPS-1 | 2026-04-13 |\n",
    "```\n",
    "~~~\n",
    "````\n",
    "09:22  (source: alert) x\n",
    "         (cont)\n",
    "10:03  (source: log file deploy.log) y\n",
    "`_docs/04_deploy/deployment_procedures.md` §5",
    "`scripts/smoke.sh`",
    "`../secret.txt`",
    "`/etc/passwd`",
    "<!--",
    "-->",
    "> ",
    "- ",
    "1. ",
    "|",
    "`",
    "``",
    "##",
    "#",
    "§",
    "\\|",
    "🚒",
    "障害",
    "e\u{301}",
    "👩‍🚒",
    "\u{200d}",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    " ",
    "   ",
    "\t",
    "\0",
    "<placeholder>",
    "<",
    ">",
    "n/a",
    "[x](y)",
    "9f1c2ab",
    "rollback-2026.log",
    "/var/log/rollback-1.log",
    "*",
    "_",
    "\\",
    "&amp;",
];

fn markdownish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat())
}

/// The valid example with lines dropped, doubled, swapped for fragments, and split anywhere.
fn mutated_valid() -> impl Strategy<Value = String> {
    let lines: Vec<&'static str> = VALID.split_inclusive('\n').collect();
    let n = lines.len();
    let op = (0..n, 0..4u8, prop::sample::select(FRAGMENTS), 0..60usize);
    prop::collection::vec(op, 1..12).prop_map(move |ops| {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for (i, kind, fragment, cut) in ops {
            let i = i.min(out.len().saturating_sub(1));
            match kind {
                _ if out.is_empty() => out.push(fragment.to_string()),
                0 => {
                    out.remove(i);
                }
                1 => {
                    let copy = out[i].clone();
                    out.insert(i, copy);
                }
                2 => out[i] = fragment.to_string(),
                _ => {
                    let line = &mut out[i];
                    let mut at = cut.min(line.len());
                    while !line.is_char_boundary(at) {
                        at -= 1;
                    }
                    line.insert_str(at, fragment);
                }
            }
        }
        out.concat()
    })
}

fn run(cases: u32, strategy: impl Strategy<Value = String>) {
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, |text| every_feature(&text)) {
        panic!("{e}");
    }
}

#[test]
fn arbitrary_unicode() {
    run(48, any::<String>());
    run(
        48,
        prop::collection::vec(any::<char>(), 0..200).prop_map(String::from_iter),
    );
}

#[test]
fn markdownish_text() {
    run(96, markdownish());
}

#[test]
fn mutations_of_the_valid_example() {
    run(16, mutated_valid());
}

#[test]
fn the_valid_example_and_its_crlf_twin() {
    every_feature(VALID).unwrap();
    every_feature(&VALID.replace('\n', "\r\n")).unwrap();
    every_feature(&VALID.replace('\n', "\r")).unwrap();
    every_feature("").unwrap();
}

#[test]
fn deep_nesting_does_not_exhaust_the_stack() {
    // 50,000 levels on a test thread's 2 MiB stack (the server's analysis threads have the
    // same): any recursion over the nesting would overflow long before.
    let env = Env::fixed();
    for unit in ["> ", "- ", "1. ", "[", "*", "<a>", "  - x\n", "> - ", "`"] {
        let nested = unit.repeat(50_000);
        let text = format!(
            "# Post-mortem\n\n## Impact\n\n{nested}x\n\n## Header\n\n| Severity | {} |\n|-|-|\n",
            unit.repeat(10_000)
        );
        let doc = analysis::parse(&text);
        let _ = analysis::check(&text, &doc, &env);
        let ctx = Ctx::new(&text, &doc, &env);
        symbols_in_text(&text, &outline::symbols(&ctx)).unwrap();
        edits_in_text(&text, &format::format(&ctx), "format").unwrap();
        let _ = hover::hover(&ctx, text.len() / 2);
        let _ = complete::complete(&text, &doc, &env, text.len() - 3, None);
    }
}
