//! Markdown to `Document`: a line scan cuts the text at top-level `##` headings, then
//! pulldown-cmark parses each piece on its own.
//!
//! A `##` heading at column 0 outside a fenced code block or HTML comment always starts a new
//! top-level block in CommonMark, so each section parses the same alone as in the whole text.
//! That independence is what lets a caller re-parse only the sections an edit touched.

use super::model::{Block, CodeBlock, Document, Heading, Row, Run, RunKind, Section, Table};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Parses a whole document.
pub fn parse(text: &str) -> Document {
    assemble(text, |range| parse_block(text, range))
}

/// Cuts `text` into pieces and builds the document from the block `block_of` gives for each
/// piece's range (the preamble first, then each section body in order).
pub fn assemble(text: &str, mut block_of: impl FnMut(Range<usize>) -> Block) -> Document {
    let pieces = split(text);
    let preamble = block_of(pieces.preamble);
    let sections = pieces
        .sections
        .into_iter()
        .map(|p| Section {
            name: p.name,
            heading_line: p.heading_line,
            body: block_of(p.body),
        })
        .collect();
    Document {
        title: title_of(&preamble),
        preamble,
        sections,
    }
}

/// The text of the document's H1: the first level-1 heading before the first section.
pub fn title_of(preamble: &Block) -> Option<Range<usize>> {
    preamble
        .headings
        .iter()
        .find(|h| h.level == 1)
        .map(|h| h.text.clone())
}

/// Where each top-level section stands, before any markdown parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Pieces {
    pub preamble: Range<usize>,
    pub sections: Vec<SectionPiece>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionPiece {
    pub heading_line: Range<usize>,
    pub name: Range<usize>,
    pub body: Range<usize>,
}

/// Cuts the text at every `##` heading that starts at column 0 outside fenced code and HTML
/// comments.
pub fn split(text: &str) -> Pieces {
    let mut heads: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut in_comment = false;
    for (start, line) in lines(text) {
        // Most lines start with none of the bytes that matter here; they are passed over
        // without looking further (a long Timeline is thousands of them).
        let first = line.as_bytes().first().copied().unwrap_or(b'\n');
        if let Some((ch, len)) = fence {
            if (first == ch || first == b' ')
                && closes_fence(line.trim_end_matches(['\n', '\r']), ch, len)
            {
                fence = None;
            }
            continue;
        }
        let content = line.trim_end_matches(['\n', '\r']);
        if in_comment {
            in_comment = !content.contains("-->");
            continue;
        }
        if !matches!(first, b'#' | b'`' | b'~' | b'<' | b' ') {
            continue;
        }
        let indent = content.len() - content.trim_start_matches(' ').len();
        if indent <= 3 {
            let rest = &content[indent..];
            if let Some(f) = opens_fence(rest) {
                fence = Some(f);
                continue;
            }
            if let Some(after) = rest.strip_prefix("<!--") {
                in_comment = !after.contains("-->");
                continue;
            }
        }
        if let Some(name) = section_heading_name(content) {
            let name = (start + name.start)..(start + name.end);
            heads.push((start..start + line.len(), name));
        }
    }
    let preamble_end = heads.first().map_or(text.len(), |h| h.0.start);
    let sections = heads
        .iter()
        .enumerate()
        .map(|(i, (line, name))| SectionPiece {
            heading_line: line.clone(),
            name: name.clone(),
            body: line.end..heads.get(i + 1).map_or(text.len(), |h| h.0.start),
        })
        .collect();
    Pieces {
        preamble: 0..preamble_end,
        sections,
    }
}

/// Lines with their start offsets; each line keeps its terminator (`\n`, `\r\n` or `\r`).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    // The next `\n` and `\r` at or after `pos`, each found with a fast single-byte search
    // and searched again only once passed (most texts have no `\r` at all).
    let next = |b: char, from: usize| text[from..].find(b).map_or(bytes.len(), |i| from + i);
    let (mut lf, mut cr) = (next('\n', 0), next('\r', 0));
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        if lf < start {
            lf = next('\n', start);
        }
        if cr < start {
            cr = next('\r', start);
        }
        let mut end = lf.min(cr);
        if end < bytes.len() {
            end += if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
        }
        pos = end;
        Some((start, &text[start..end]))
    })
}

/// The name range (relative to the line) of a `## Name` heading at column 0.
fn section_heading_name(line: &str) -> Option<Range<usize>> {
    let rest = line.strip_prefix("##")?;
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some(atx_text(line, 2))
}

/// The trimmed text of an ATX heading line whose `#` marks end at `marks_end`, without a
/// closing `#` sequence.
fn atx_text(line: &str, marks_end: usize) -> Range<usize> {
    let body = &line[marks_end..];
    let lead = body.len() - body.trim_start().len();
    let mut inner = body.trim();
    let closing = inner.trim_end_matches('#');
    if closing.is_empty() || closing.ends_with([' ', '\t']) {
        inner = closing.trim_end();
    }
    let start = marks_end + lead;
    start..start + inner.len()
}

fn opens_fence(rest: &str) -> Option<(u8, usize)> {
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == ch).count();
    if len < 3 || (ch == b'`' && rest[len..].contains('`')) {
        return None;
    }
    Some((ch, len))
}

fn closes_fence(content: &str, ch: u8, len: usize) -> bool {
    let indent = content.len() - content.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &content[indent..];
    let run = rest.bytes().take_while(|&b| b == ch).count();
    run >= len && rest[run..].trim().is_empty()
}

/// Parses one piece of the document with pulldown-cmark. Ranges are absolute.
pub fn parse_block(text: &str, range: Range<usize>) -> Block {
    let base = range.start;
    let src = &text[range.clone()];
    let mut block = Block {
        range,
        ..Block::default()
    };
    let mut quote_depth = 0usize;
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut code: Option<CodeBlock> = None;
    let at = |r: Range<usize>| (base + r.start)..(base + r.end);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, r) in Parser::new_ext(src, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if !matches!(tag, Tag::HtmlBlock) {
                    block.has_content = true;
                }
                match tag {
                    Tag::BlockQuote(_) => quote_depth += 1,
                    Tag::Heading { level, .. } => {
                        let line = &src[r.clone()];
                        let text_range = if line.trim_start().starts_with('#') {
                            let indent = line.len() - line.trim_start().len();
                            let marks = line[indent..].bytes().take_while(|&b| b == b'#').count();
                            let first_line = line.lines().next().unwrap_or("");
                            atx_text(first_line, indent + marks)
                        } else {
                            let first = line.lines().next().unwrap_or("");
                            let lead = first.len() - first.trim_start().len();
                            lead..lead + first.trim().len()
                        };
                        block.headings.push(Heading {
                            level: level as u8,
                            text: (base + r.start + text_range.start)
                                ..(base + r.start + text_range.end),
                        });
                    }
                    Tag::Table(_) => {
                        table = Some(Table {
                            range: at(r.clone()),
                            head: Row {
                                range: 0..0,
                                cells: Vec::new(),
                            },
                            rows: Vec::new(),
                        })
                    }
                    Tag::TableHead | Tag::TableRow => {
                        row = Some(Row {
                            range: at(trim_line_end(src, r.clone())),
                            cells: Vec::new(),
                        })
                    }
                    Tag::TableCell => {
                        if let Some(row) = row.as_mut() {
                            row.cells.push(cell_range(src, r.clone(), base, &row.range));
                        }
                    }
                    Tag::CodeBlock(kind) => {
                        let whole = at(r.clone());
                        let fenced = matches!(kind, pulldown_cmark::CodeBlockKind::Fenced(_));
                        let content_start = if fenced {
                            src[r.clone()]
                                .find('\n')
                                .map_or(whole.end, |i| base + r.start + i + 1)
                        } else {
                            whole.start
                        };
                        code = Some(CodeBlock {
                            range: whole,
                            content: content_start..content_start,
                            fenced,
                        });
                    }
                    _ => {}
                }
            }
            Event::End(end) => match end {
                TagEnd::BlockQuote(_) => quote_depth = quote_depth.saturating_sub(1),
                TagEnd::TableHead => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.head = r;
                    }
                }
                TagEnd::TableRow => {
                    if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                        t.rows.push(r);
                    }
                }
                TagEnd::Table => block.tables.extend(table.take()),
                TagEnd::CodeBlock => block.code_blocks.extend(code.take()),
                _ => {}
            },
            Event::Text(_) if code.is_some() => {
                if let Some(c) = code.as_mut() {
                    let t = at(r);
                    if c.content.is_empty() {
                        c.content = t;
                    } else {
                        c.content.end = t.end;
                    }
                }
            }
            Event::Text(_) | Event::Code(_) | Event::InlineHtml(_) => {
                block.has_content = true;
                let kind = match event {
                    Event::Code(_) => RunKind::Code,
                    Event::InlineHtml(_) => RunKind::Html,
                    _ => RunKind::Text,
                };
                block.runs.push(Run {
                    range: at(r),
                    kind,
                    quoted: quote_depth > 0,
                    in_table: row.is_some(),
                });
            }
            Event::Html(html) if !html.trim().is_empty() && !is_comment(&html) => {
                block.has_content = true;
            }
            Event::Rule | Event::TaskListMarker(_) | Event::FootnoteReference(_) => {
                block.has_content = true
            }
            _ => {}
        }
    }
    block
}

fn is_comment(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// A range without its trailing line break.
fn trim_line_end(src: &str, r: Range<usize>) -> Range<usize> {
    let s = &src[r.clone()];
    r.start..r.start + s.trim_end_matches(['\n', '\r']).len()
}

/// A cell's content range with the padding trimmed. pulldown-cmark places a missing cell at
/// the start of the next line; such a cell becomes an empty range at the end of its row.
fn cell_range(src: &str, r: Range<usize>, base: usize, row: &Range<usize>) -> Range<usize> {
    let abs = (base + r.start)..(base + r.end);
    if abs.start >= row.end || abs.is_empty() {
        return row.end..row.end;
    }
    let s = &src[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let start = abs.start + lead;
    start..start + s.trim().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        parse(text)
            .sections
            .iter()
            .map(|s| &text[s.name.clone()])
            .collect()
    }

    #[test]
    fn splits_only_at_column_zero_h2_outside_code_and_comments() {
        let text = "# Title\n\n## One\ntext\n```\n## not a heading\n```\n<!--\n## hidden\n-->\n  ## indented\n### three\n## Two ##\n";
        assert_eq!(names(text), vec!["One", "Two"]);
    }

    /// The lines that can open or close a fence or comment, however they start.
    #[test]
    fn fences_and_comments_are_followed_through_indents_tildes_and_crlf() {
        let text = "## A\r\n   ~~~~\r\n## no\r\n  ~~~\r\n## still no\r\n   ~~~~~\r\n## B\r\n\
                    \t## tab\n   <!-- c\n## no\n-->\n## C\n  ````\n## no\n ```\n## no\n   ````\n## D\n";
        assert_eq!(names(text), vec!["A", "B", "C", "D"]);
    }

    #[test]
    fn title_is_first_h1_in_preamble() {
        let text = "intro\n# Post-mortem: outage 🚒\n## Header\n# Not a title\n";
        let doc = parse(text);
        assert_eq!(&text[doc.title.unwrap()], "Post-mortem: outage 🚒");
    }

    #[test]
    fn table_cells_are_trimmed_and_missing_cells_sit_at_row_end() {
        let text = "## Header\n\n| Field | Value |\n|---|---|\n| Severity |  High  |\n| Duration |\nafter\n";
        let doc = parse(text);
        let table = &doc.sections[0].body.tables[0];
        assert_eq!(&text[table.head.cells[1].clone()], "Value");
        assert_eq!(&text[table.rows[0].cells[0].clone()], "Severity");
        assert_eq!(&text[table.rows[0].cells[1].clone()], "High");
        let row1 = &table.rows[1];
        assert_eq!(&text[row1.range.clone()], "| Duration |");
        assert!(row1.cells[1].is_empty());
        assert_eq!(row1.cells[1].start, row1.range.end);
    }

    #[test]
    fn fenced_code_content_excludes_fences() {
        let text = "## Timeline (UTC)\n\n```\n10:00  (source: alert) fired\n10:05  x\n```\n";
        let doc = parse(text);
        let code = &doc.sections[0].body.code_blocks[0];
        assert_eq!(
            &text[code.content.clone()],
            "10:00  (source: alert) fired\n10:05  x\n"
        );
    }

    #[test]
    fn comments_and_blank_lines_are_not_content() {
        let doc = parse("## Impact\n\n<!-- todo -->\n\n## Repair\n- done\n");
        assert!(!doc.sections[0].body.has_content);
        assert!(doc.sections[1].body.has_content);
    }

    #[test]
    fn lines_keep_every_kind_of_line_break() {
        let got: Vec<(usize, &str)> = lines("a\r\nb\rc\n\n🚒\r\r\nd").collect();
        let want = [
            (0, "a\r\n"),
            (3, "b\r"),
            (5, "c\n"),
            (7, "\n"),
            (8, "🚒\r"),
            (13, "\r\n"),
            (15, "d"),
        ];
        assert_eq!(got, want);
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("x\n").collect::<Vec<_>>(), [(0, "x\n")]);
    }

    #[test]
    fn crlf_and_cr_line_breaks_split_alike() {
        assert_eq!(names("## A\r\nx\r\n## B\rY\r"), vec!["A", "B"]);
    }

    #[test]
    fn runs_mark_quotes_and_tables() {
        let text = "## Root cause\n> quoted `code`\n\nplain <link>\n";
        let doc = parse(text);
        let runs = &doc.sections[0].body.runs;
        assert!(runs.iter().any(|r| r.quoted && r.kind == RunKind::Code));
        assert!(
            runs.iter().any(|r| !r.quoted
                && r.kind == RunKind::Html
                && &text[r.range.clone()] == "<link>")
        );
    }
}
