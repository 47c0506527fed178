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
    out.into_iter()
        .map(|(r, number, title)| NumberedHeading {
            number,
            title,
            line: line_of(content, r.start),
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
