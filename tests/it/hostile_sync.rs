//! Document sync under random edits, checked after every step: each `didChange` (multibyte
//! characters, every kind of line break, deletions across lines, positions past the end or
//! inside a character, reversed ranges) goes to one copy incrementally and the client's text
//! goes whole to a twin; the two must get identical diagnostics and symbols every time. In
//! UTF-16 and in UTF-8.

use crate::common;

use common::features::client;
use common::twin::{Pos, Twin, line_ends};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::RefCell;

/// Short, dense in headings, multibyte characters and every kind of line break, so that most
/// edits change what the section checks report.
const START: &str = "# Post-mortem 🚒 障害 é\r\n\r\n## Header\n\n| Severity | High |\n|-|-|\n\
    ## Timeline (UTC)\r\n\r\n```\n09:22  (source: log) 🚒 x\n```\r## Impact\n\n- é 障\n\
    ## Root cause\n## Repair\n\nx\n";

const PIECES: &[&str] = &[
    "🚒",
    "障",
    "é",
    "x",
    " ",
    "|",
    "`",
    "\n",
    "\r\n",
    "\r",
    "## Impact\n",
    "\n## ",
    "```\n",
];

/// Where a position falls, relative to the text when the edit is made: which line (past the
/// last sometimes), and which column (past the end of the line sometimes, or far past).
#[derive(Debug, Clone)]
struct Spot {
    line: f64,
    col: f64,
    far: bool,
}

fn spot() -> impl Strategy<Value = Spot> {
    (0.0..1.1f64, 0.0..1.2f64, prop::bool::weighted(0.05)).prop_map(|(line, col, far)| Spot {
        line,
        col,
        far,
    })
}

impl Spot {
    fn resolve(&self, ends: &[Pos]) -> Pos {
        if self.far {
            return (u32::MAX, u32::MAX);
        }
        let line = ((self.line * ends.len() as f64) as usize).min(ends.len());
        let width = ends.get(line).map_or(0, |e| e.1);
        (line as u32, (self.col * (f64::from(width) + 1.0)) as u32)
    }
}

/// One edit: its start, its end (on the same line nearby, or anywhere, before or after the
/// start), and what it inserts.
fn edit() -> impl Strategy<Value = (Spot, Option<Spot>, u32, String)> {
    let insert = prop::collection::vec(prop::sample::select(PIECES), 0..4).prop_map(|v| v.concat());
    (spot(), prop::option::weighted(0.4, spot()), 0..6u32, insert)
}

fn sync_matches_after_every_step(utf16: bool) {
    let dir = tempfile::tempdir().unwrap();
    let twin = RefCell::new(Twin::open(client(!utf16, true), dir.path(), START, utf16));
    let steps = prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..6);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let outcome = runner.run(&steps, |steps| {
        let mut twin = twin.borrow_mut();
        // Each case starts over from the same text (a full replacement, itself checked).
        twin.step(&[((0, 0), (u32::MAX, u32::MAX), START.to_string())])
            .map_err(TestCaseError::fail)?;
        for step in steps {
            // Positions are resolved against the text as it will be when each change is
            // applied, as an editor would compute them.
            let mut text = twin.text.clone();
            let mut edits = Vec::new();
            for (start, end, near, insert) in step {
                let ends = line_ends(&text, utf16);
                let a = start.resolve(&ends);
                let b = match end {
                    Some(end) => end.resolve(&ends),
                    None => (a.0, a.1.saturating_add(near)),
                };
                let x = common::twin::clamp(&text, a, utf16);
                let y = common::twin::clamp(&text, b, utf16);
                text.replace_range(x.min(y)..x.max(y), &insert);
                edits.push((a, b, insert));
            }
            twin.step(&edits).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&twin.text, &text);
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[test]
fn sync_matches_after_every_step_utf16() {
    sync_matches_after_every_step(true);
}

#[test]
fn sync_matches_after_every_step_utf8() {
    sync_matches_after_every_step(false);
}
