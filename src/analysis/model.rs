//! The parsed shape of a markdown document: title, top-level `##` sections and their blocks.
//!
//! All ranges are byte ranges into the document text. Nothing here knows about the template;
//! `facts` reads the template's meaning out of this structure.

use std::ops::Range;

/// A markdown document cut into its top-level sections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The text of the first `#` heading (trimmed), if any.
    pub title: Option<Range<usize>>,
    /// Everything before the first `##` heading.
    pub preamble: Block,
    /// The `##` sections in document order.
    pub sections: Vec<Section>,
}

/// One `## Name` heading and the content up to the next `##` heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The heading text, trimmed, without `##` or a closing `#` sequence.
    pub name: Range<usize>,
    /// The whole heading line, including its line break.
    pub heading_line: Range<usize>,
    pub body: Block,
}

impl Section {
    /// The section from its heading to the start of the next section.
    pub fn range(&self) -> Range<usize> {
        self.heading_line.start..self.body.range.end
    }
}

/// The parsed content of a section body (or of the preamble).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    pub range: Range<usize>,
    /// Whether the block holds anything but white space and HTML comments.
    pub has_content: bool,
    pub tables: Vec<Table>,
    pub code_blocks: Vec<CodeBlock>,
    /// Inline text in document order: prose, inline code and inline HTML.
    pub runs: Vec<Run>,
    /// Headings inside the block (the H1 in the preamble, `###` and deeper in sections).
    pub headings: Vec<Heading>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    /// The heading text, trimmed, without `#` marks.
    pub text: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub range: Range<usize>,
    pub head: Row,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub range: Range<usize>,
    /// Cell contents with the padding trimmed. A missing cell is an empty range at the row's end.
    pub cells: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    /// The whole block, fences included.
    pub range: Range<usize>,
    /// The lines between the fences.
    pub content: Range<usize>,
    pub fenced: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Text,
    /// Inline code; the range includes the backticks.
    Code,
    /// Inline HTML such as `<link>`.
    Html,
}

/// A piece of inline text with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub range: Range<usize>,
    pub kind: RunKind,
    /// Inside a block quote.
    pub quoted: bool,
    /// Inside a table cell.
    pub in_table: bool,
}

pub(crate) fn shift(r: &Range<usize>, delta: isize) -> Range<usize> {
    let s = (r.start as isize + delta) as usize;
    let e = (r.end as isize + delta) as usize;
    s..e
}

impl Block {
    /// A copy of this block with every range moved by `delta` bytes.
    pub fn shifted(&self, delta: isize) -> Block {
        if delta == 0 {
            return self.clone();
        }
        let row = |r: &Row| Row {
            range: shift(&r.range, delta),
            cells: r.cells.iter().map(|c| shift(c, delta)).collect(),
        };
        Block {
            range: shift(&self.range, delta),
            has_content: self.has_content,
            tables: self
                .tables
                .iter()
                .map(|t| Table {
                    range: shift(&t.range, delta),
                    head: row(&t.head),
                    rows: t.rows.iter().map(row).collect(),
                })
                .collect(),
            code_blocks: self
                .code_blocks
                .iter()
                .map(|c| CodeBlock {
                    range: shift(&c.range, delta),
                    content: shift(&c.content, delta),
                    fenced: c.fenced,
                })
                .collect(),
            runs: self
                .runs
                .iter()
                .map(|r| Run {
                    range: shift(&r.range, delta),
                    ..r.clone()
                })
                .collect(),
            headings: self
                .headings
                .iter()
                .map(|h| Heading {
                    level: h.level,
                    text: shift(&h.text, delta),
                })
                .collect(),
        }
    }
}
