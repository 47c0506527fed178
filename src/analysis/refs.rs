//! Repository paths a document refers to (the template's known files and any backticked
//! relative path), with the `§N` section mark that may follow, and the numbered headings of
//! a referenced markdown file. Shared by the broken-reference check, links and hover.

use super::facts::Ctx;
use super::model::RunKind;
use super::parse;
use std::ops::Range;

/// One reference to a repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The path as written (without backticks).
    pub range: Range<usize>,
    /// The path relative to the workspace root (a leading `./` removed).
    pub path: String,
    /// A `§N` right after the path: its range and N.
    pub section: Option<(Range<usize>, u32)>,
}

/// A numbered heading (`## 5. Rollback`) of a referenced file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedHeading {
    pub number: u32,
    pub title: String,
    /// 0-based line of the heading in the file.
    pub line: usize,
}

/// Every reference in the document, in document order.
pub fn references(ctx: &Ctx) -> Vec<Reference> {
    referenced_paths(ctx)
        .into_iter()
        .map(|range| {
            let written = ctx.slice(&range);
            Reference {
                path: written.strip_prefix("./").unwrap_or(written).to_string(),
                section: section_mark(ctx.text, range.end),
                range,
            }
        })
        .collect()
}

/// Every repository path the prose or inline code names: the schema's known paths wherever
/// they stand as whole words, and any backticked relative path.
fn referenced_paths(ctx: &Ctx) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let candidates = Occurrences::new(ctx);
    for block in ctx.blocks() {
        for span in ctx.spans(block, |r| r.kind != RunKind::Html) {
            if !candidates.overlap(&span) {
                continue;
            }
            let s = ctx.slice(&span);
            for known in &ctx.schema.known_paths {
                for (i, _) in s.match_indices(known.as_str()) {
                    if path_bounded(s, i, i + known.len()) {
                        found.push((span.start + i)..(span.start + i + known.len()));
                    }
                }
            }
        }
        for run in block.runs.iter().filter(|r| r.kind == RunKind::Code) {
            let code = ctx.slice(&run.range);
            let inner = code.trim_matches('`');
            let lead = (code.len() - code.trim_start_matches('`').len())
                + (inner.len() - inner.trim_start().len());
            let path = inner.trim();
            if looks_like_path(path) {
                let start = run.range.start + lead;
                found.push(start..start + path.len());
            }
        }
    }
    found.sort_by_key(|r| (r.start, r.end));
    found.dedup();
    found
}

/// Where the schema's known paths occur anywhere in the text, as a cheap first filter.
///
/// Searching every text span for every known path built a substring searcher per span and
/// path: in a 10,000-line document (tens of thousands of table cells) that was a quarter of
/// the server's time per keystroke. The whole text is searched once per path instead, and
/// only spans that overlap an occurrence are searched as before, so the result is the same:
/// a match inside a span is a match in the text, found by the text-wide search or overlapped
/// by one it found.
struct Occurrences {
    /// Start of each occurrence, sorted.
    starts: Vec<usize>,
    /// `reach[i]`: the furthest end among the first `i + 1` occurrences.
    reach: Vec<usize>,
}

impl Occurrences {
    fn new(ctx: &Ctx) -> Occurrences {
        // Only the text in scope holds the spans searched: a re-check of one block of a
        // long document searches that block, not the whole text.
        let scope = ctx.scope_range();
        let text = ctx.slice(&scope);
        let mut all: Vec<(usize, usize)> = ctx
            .schema
            .known_paths
            .iter()
            .filter(|known| !known.is_empty())
            .flat_map(|known| {
                text.match_indices(known.as_str())
                    .map(|(i, _)| (scope.start + i, scope.start + i + known.len()))
            })
            .collect();
        all.sort_unstable();
        let reach = all
            .iter()
            .scan(0, |furthest, &(_, end)| {
                *furthest = end.max(*furthest);
                Some(*furthest)
            })
            .collect();
        Occurrences {
            starts: all.into_iter().map(|(start, _)| start).collect(),
            reach,
        }
    }

    /// Whether any occurrence overlaps `span`.
    fn overlap(&self, span: &Range<usize>) -> bool {
        let before_end = self.starts.partition_point(|&start| start < span.end);
        before_end > 0 && self.reach[before_end - 1] > span.start
    }
}

/// Whether backticked text is a relative repository path: no spaces, a `/`, not absolute or
/// home-relative, not a URL or pattern, and ending in a file extension or a `/`.
fn looks_like_path(p: &str) -> bool {
    let last = p.rsplit('/').next().unwrap_or("");
    let has_extension = last
        .rfind('.')
        .is_some_and(|i| i + 1 < last.len() && last[i + 1..].chars().all(char::is_alphanumeric));
    !p.is_empty()
        && !p.contains(char::is_whitespace)
        && p.contains('/')
        && !p.starts_with(['/', '~'])
        && !p.contains("://")
        && !p.contains(['<', '>', '*', '…', ':'])
        && (has_extension || p.ends_with('/'))
}

/// Whether `s[start..end]` stands alone as a path, not as part of a longer one.
fn path_bounded(s: &str, start: usize, end: usize) -> bool {
    let part_of_path = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '/');
    let before = s[..start].chars().next_back();
    let mut after = s[end..].chars();
    let next = after.next();
    let extends = next.is_some_and(part_of_path)
        || (next == Some('.') && after.next().is_some_and(char::is_alphanumeric));
    !before.is_some_and(|c| part_of_path(c) || c == '.') && !extends
}

/// A `§N` right after a path (past a closing backtick and one optional space): its range and N.
pub fn section_mark(text: &str, path_end: usize) -> Option<(Range<usize>, u32)> {
    let rest = text.get(path_end..)?;
    let mut at = path_end + (rest.len() - rest.trim_start_matches('`').len());
    let space = |s: &str| {
        s.chars()
            .next()
            .filter(|c| *c == ' ' || *c == '\u{a0}')
            .map_or(0, char::len_utf8)
    };
    at += space(text.get(at..)?);
    let start = at;
    at += text.get(at..)?.strip_prefix('§').map(|_| '§'.len_utf8())?;
    at += space(text.get(at..)?);
    let digits = text
        .get(at..)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let n = text.get(at..at + digits)?.parse().ok()?;
    Some((start..at + digits, n))
}

/// The numbered headings (`## 5. Rollback`, `### 5 Rollback`, any level from 2) of a
/// markdown file, in file order.
pub fn numbered_headings(content: &str) -> Vec<NumberedHeading> {
    let doc = parse(content);
    let section_names = doc.sections.iter().map(|s| s.name.clone());
    let sub_headings = std::iter::once(&doc.preamble)
        .chain(doc.sections.iter().map(|s| &s.body))
        .flat_map(|b| {
            b.headings
                .iter()
                .filter(|h| h.level >= 2)
                .map(|h| h.text.clone())
        });
    let mut out: Vec<(Range<usize>, u32, String)> = section_names
        .chain(sub_headings)
        .filter_map(|r| {
            let heading = content.get(r.clone())?;
            let digits = heading.bytes().take_while(u8::is_ascii_digit).count();
            let after = &heading[digits..];
            let title = after.strip_prefix('.').unwrap_or(after);
            if digits == 0 || !(title.is_empty() || title.starts_with(char::is_whitespace)) {
                return None;
            }
            Some((r, heading[..digits].parse().ok()?, title.trim().to_string()))
        })
        .collect();
    out.sort_by_key(|(r, _, _)| r.start);
    // One walk over the lines for all the headings, in order (a walk from the top for
    // each was quadratic: 20,000 headings took 40 s).
    let mut lines = parse::lines(content).enumerate().peekable();
    out.into_iter()
        .map(|(r, number, title)| {
            while lines
                .next_if(|(_, (start, line))| start + line.len() <= r.start)
                .is_some()
            {}
            let line = lines.peek().map_or(0, |(i, _)| *i);
            NumberedHeading {
                number,
                title,
                line,
            }
        })
        .collect()
}

/// The 0-based line holding byte `offset` (`\n`, `\r\n` and a lone `\r` end lines).
pub fn line_of(text: &str, offset: usize) -> usize {
    parse::lines(text)
        .take_while(|(start, line)| start + line.len() <= offset)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Env, parse as parse_doc};

    #[test]
    fn references_with_and_without_sections() {
        let text = "## Repair\n\n- 🚒 rolled back per `_docs/04_deploy/deployment_procedures.md` §5, see `./config/app.toml` and origin/main.\n";
        let doc = parse_doc(text);
        let env = Env::fixed();
        let refs = references(&Ctx::new(text, &doc, &env));
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].path, "_docs/04_deploy/deployment_procedures.md");
        assert_eq!(
            &text[refs[0].range.clone()],
            "_docs/04_deploy/deployment_procedures.md"
        );
        let (mark, n) = refs[0].section.clone().unwrap();
        assert_eq!((&text[mark], n), ("§5", 5));
        assert_eq!(refs[1].path, "config/app.toml");
        assert_eq!(&text[refs[1].range.clone()], "./config/app.toml");
    }

    /// The search before the text-wide filter: every known path in every span.
    fn known_in_every_span(ctx: &Ctx) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        for block in ctx.blocks() {
            for span in ctx.spans(block, |r| r.kind != RunKind::Html) {
                let s = ctx.slice(&span);
                for known in &ctx.schema.known_paths {
                    for (i, _) in s.match_indices(known.as_str()) {
                        if path_bounded(s, i, i + known.len()) {
                            found.push((span.start + i)..(span.start + i + known.len()));
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_text_wide_filter_finds_what_every_span_would() {
        let mut rows = String::new();
        for i in 0..300 {
            let cell = match i % 4 {
                0 => "scripts/smoke.sh".to_string(),
                1 => format!(
                    "run **scripts/smoke.sh** then _docs/04_deploy/deployment_procedures.md {i}"
                ),
                2 => "<b>scripts/smoke.sh</b> not in html".to_string(),
                _ => format!("plain cell {i}"),
            };
            rows.push_str(&format!("| @a{i} | {cell} | 2026-04-01 |\n"));
        }
        let texts = [
            "## Repair\n\nscripts/smoke.sh, `.cursor/rules/tracker.mdc` and \
             xscripts/smoke.sh or scripts/smoke.sh.bak\n"
                .to_string(),
            format!("## Prevention\n\n| Owner | Action | Target date |\n|---|---|---|\n{rows}"),
            "## Repair\n\n*scripts/*smoke.sh and scripts/smo\nke.sh\n".to_string(),
        ];
        let env = Env::fixed();
        for text in &texts {
            let doc = parse_doc(text);
            let ctx = Ctx::new(text, &doc, &env);
            let mut expected = known_in_every_span(&ctx);
            expected.sort_by_key(|r| (r.start, r.end));
            expected.dedup();
            let got: Vec<_> = referenced_paths(&ctx)
                .into_iter()
                .filter(|r| ctx.schema.known_paths.iter().any(|k| &text[r.clone()] == k))
                .collect();
            assert_eq!(got, expected, "{text}");
        }
        // 75 cells hold one path, 75 hold two, and 75 hold one between inline HTML tags
        // (the tags are skipped, the text between them is prose); 75 hold none.
        let doc = parse_doc(&texts[1]);
        let ctx = Ctx::new(&texts[1], &doc, &env);
        assert_eq!(referenced_paths(&ctx).len(), 75 + 2 * 75 + 75);
    }

    #[test]
    fn numbered_headings_carry_their_lines() {
        let file = "# Procedures\r\n\r\n## 1. Prepare\r\ntext\r\n```\r\n## 7. code\r\n```\r\n### 5 Rollback\n";
        let got = numbered_headings(file);
        let lines: Vec<(u32, &str, usize)> = got
            .iter()
            .map(|h| (h.number, h.title.as_str(), h.line))
            .collect();
        assert_eq!(lines, [(1, "Prepare", 2), (5, "Rollback", 7)]);
        assert_eq!(line_of("a\rb\nc", 4), 2);
    }
}
