//! Reads the template's meaning out of a parsed document: which section is which, the
//! Header rows and their values, the Timeline lines and the Prevention rows.
//!
//! Checks take a `Ctx` and never re-parse anything themselves. The Timeline and Prevention
//! facts are read on first use, so a run that does not look at them (a cached re-check of a
//! large document) does not pay for reading thousands of lines.

use super::Env;
use super::model::{Block, Document, Run, Section, Table};
use super::schema::{FieldRole, Schema, SectionRole};
use super::values;
use chrono::{DateTime, NaiveDate, Utc};
use rows::{read_prevention, read_timeline};
use std::cell::OnceCell;
use std::ops::{Deref, Range};

pub mod evidence;
mod rows;

pub use rows::{Entry, PreventionRow, Timeline, TimelineLine};

/// Everything a check needs: the text, its parsed form, the schema, the environment, and
/// the facts read from them once.
pub struct Ctx<'a> {
    pub text: &'a str,
    pub doc: &'a Document,
    pub env: &'a Env<'a>,
    pub schema: &'a Schema,
    /// For each section of `doc`, the index of the template section it matches.
    pub section_specs: Vec<Option<usize>>,
    pub header: Option<HeaderTable>,
    pub timeline: Lazy<'a, Timeline>,
    pub prevention: Lazy<'a, Vec<PreventionRow>>,
    /// When set, the one block (0 the preamble, `i + 1` section `i`) that [`Ctx::blocks`]
    /// yields and the Timeline and Prevention facts come from: the section-local checks run
    /// this way once per changed block (see [`super::incremental`]).
    pub scope: Option<usize>,
}

/// A fact read from one section the first time it is used. (A plain function and its
/// inputs rather than a closure, so that a `Ctx` holds no borrow in its drop.)
pub struct Lazy<'a, T> {
    cell: OnceCell<T>,
    text: &'a str,
    section: Option<&'a Section>,
    schema: &'a Schema,
    read: fn(&str, Option<&Section>, &Schema) -> T,
}

impl<'a, T> Lazy<'a, T> {
    fn new(
        text: &'a str,
        section: Option<&'a Section>,
        schema: &'a Schema,
        read: fn(&str, Option<&Section>, &Schema) -> T,
    ) -> Lazy<'a, T> {
        Lazy {
            cell: OnceCell::new(),
            text,
            section,
            schema,
            read,
        }
    }
}

impl<T> Deref for Lazy<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.cell
            .get_or_init(|| (self.read)(self.text, self.section, self.schema))
    }
}

/// The Header table's rows.
#[derive(Debug, Clone)]
pub struct HeaderTable {
    pub range: Range<usize>,
    pub rows: Vec<FieldRow>,
}

#[derive(Debug, Clone)]
pub struct FieldRow {
    /// Index into `schema.fields`, when the row names a template field.
    pub spec: Option<usize>,
    pub name: Range<usize>,
    /// The value cell, trimmed.
    pub cell: Range<usize>,
    /// The value without one pair of surrounding backticks.
    pub value: Range<usize>,
}

impl<'a> Ctx<'a> {
    pub fn new(text: &'a str, doc: &'a Document, env: &'a Env<'a>) -> Ctx<'a> {
        let section_specs: Vec<Option<usize>> = doc
            .sections
            .iter()
            .map(|s| env.schema.section_index(&text[s.name.clone()]))
            .collect();
        let mut ctx = Ctx::with_specs(text, doc, env, section_specs, None);
        ctx.header = ctx.find_header();
        ctx
    }

    /// This context limited to block `scope`, keeping the sections and Header already read.
    pub fn narrowed(&self, scope: usize) -> Ctx<'a> {
        let mut ctx = Ctx::with_specs(
            self.text,
            self.doc,
            self.env,
            self.section_specs.clone(),
            Some(scope),
        );
        ctx.header = self.header.clone();
        ctx
    }

    fn with_specs(
        text: &'a str,
        doc: &'a Document,
        env: &'a Env<'a>,
        section_specs: Vec<Option<usize>>,
        scope: Option<usize>,
    ) -> Ctx<'a> {
        let schema = env.schema;
        let in_scope = |s: &Section| {
            scope.is_none_or(|b| {
                b > 0 && doc.sections.get(b - 1).is_some_and(|x| std::ptr::eq(x, s))
            })
        };
        let timeline = first_section(doc, &section_specs, schema, SectionRole::Timeline)
            .filter(|s| in_scope(s));
        let prevention = first_section(doc, &section_specs, schema, SectionRole::Prevention)
            .filter(|s| in_scope(s));
        Ctx {
            text,
            doc,
            env,
            schema,
            section_specs,
            header: None,
            timeline: Lazy::new(text, timeline, schema, read_timeline),
            prevention: Lazy::new(text, prevention, schema, read_prevention),
            scope,
        }
    }

    /// The text the checks look at: the whole text, or the body of the block in scope.
    pub fn scope_range(&self) -> Range<usize> {
        match self.scope {
            None => 0..self.text.len(),
            Some(_) => self
                .blocks()
                .next()
                .map_or(0..0, |block| block.range.clone()),
        }
    }

    /// Whether `section` is one the checks look at: any, or the one in scope.
    pub fn in_scope(&self, section: &Section) -> bool {
        self.scope.is_none_or(|b| {
            b > 0
                && self
                    .doc
                    .sections
                    .get(b - 1)
                    .is_some_and(|s| std::ptr::eq(s, section))
        })
    }

    pub fn slice(&self, r: &Range<usize>) -> &'a str {
        self.text.get(r.clone()).unwrap_or("")
    }

    /// Where document-level problems are reported: the H1 text, or else the first line.
    pub fn anchor(&self) -> Range<usize> {
        if let Some(t) = self.doc.title.clone().filter(|t| !t.is_empty()) {
            return t;
        }
        let first = self.text.lines().next().unwrap_or("");
        let lead = first.len() - first.trim_start().len();
        lead..lead + first.trim().len()
    }

    /// A block's inline text as stretches of source: runs that `keep` accepts, joined when
    /// only white space separates them (pulldown-cmark splits text at line breaks and at
    /// characters such as `<`).
    pub fn spans(&self, block: &Block, keep: impl Fn(&Run) -> bool) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for run in block.runs.iter().filter(|r| keep(r)) {
            if let Some(last) = out.last_mut()
                && last.end <= run.range.start
                && self
                    .text
                    .get(last.end..run.range.start)
                    .is_some_and(|gap| gap.trim().is_empty())
            {
                last.end = run.range.end;
                continue;
            }
            out.push(run.range.clone());
        }
        out
    }

    /// The preamble and every section body, in document order (only the one in scope, when
    /// there is a scope).
    pub fn blocks(&self) -> impl Iterator<Item = &'a Block> + use<'a> {
        let scope = self.scope;
        std::iter::once(&self.doc.preamble)
            .chain(self.doc.sections.iter().map(|s| &s.body))
            .enumerate()
            .filter(move |(i, _)| scope.is_none_or(|b| b == *i))
            .map(|(_, b)| b)
    }

    /// The first section playing `role`.
    pub fn section(&self, role: SectionRole) -> Option<&'a Section> {
        first_section(self.doc, &self.section_specs, self.schema, role)
    }

    /// The Header row playing `role`.
    pub fn field(&self, role: FieldRole) -> Option<&FieldRow> {
        let idx = self.schema.field_by_role(role)?;
        self.header
            .as_ref()?
            .rows
            .iter()
            .find(|r| r.spec == Some(idx))
    }

    /// The text of the Header value playing `role`, trimmed and without backticks.
    pub fn value(&self, role: FieldRole) -> Option<&'a str> {
        self.field(role).map(|r| self.slice(&r.value))
    }

    pub fn date(&self, role: FieldRole) -> Option<NaiveDate> {
        values::parse_date(self.value(role)?)
    }

    pub fn timestamp(&self, role: FieldRole) -> Option<DateTime<Utc>> {
        values::parse_timestamp(self.value(role)?)
    }

    fn find_header(&self) -> Option<HeaderTable> {
        let tables: Vec<&Table> = match self.section(SectionRole::Header) {
            Some(s) => s.body.tables.iter().take(1).collect(),
            None => self.doc.preamble.tables.iter().collect(),
        };
        tables.into_iter().map(|t| self.header_table(t)).find(|h| {
            self.section(SectionRole::Header).is_some() || h.rows.iter().any(|r| r.spec.is_some())
        })
    }

    fn header_table(&self, table: &Table) -> HeaderTable {
        // A table written without a `Field | Value` title row has its first field as head.
        let head_is_field = table
            .head
            .cells
            .first()
            .is_some_and(|c| self.schema.field_index(self.slice(c)).is_some());
        let rows = head_is_field
            .then_some(&table.head)
            .into_iter()
            .chain(&table.rows)
            .filter_map(|row| {
                let name = row.cells.first()?.clone();
                let cell = row
                    .cells
                    .get(1)
                    .cloned()
                    .unwrap_or(row.range.end..row.range.end);
                Some(FieldRow {
                    spec: self.schema.field_index(self.slice(&name)),
                    value: strip_backticks(self.text, &cell),
                    name,
                    cell,
                })
            })
            .collect();
        HeaderTable {
            range: table.range.clone(),
            rows,
        }
    }
}

/// The first section of `doc` playing `role`.
fn first_section<'a>(
    doc: &'a Document,
    specs: &[Option<usize>],
    schema: &Schema,
    role: SectionRole,
) -> Option<&'a Section> {
    let idx = schema.section_by_role(role)?;
    doc.sections
        .iter()
        .zip(specs)
        .find(|(_, spec)| **spec == Some(idx))
        .map(|(s, _)| s)
}

/// The range inside one pair of surrounding backticks, if there is one.
pub fn strip_backticks(text: &str, r: &Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') && !s[1..s.len() - 1].contains('`') {
        let inner = &s[1..s.len() - 1];
        let lead = inner.len() - inner.trim_start().len();
        let start = r.start + 1 + lead;
        start..start + inner.trim().len()
    } else {
        r.clone()
    }
}

/// Whether `s` has a `…` that stands alone (not glued to a word, as in "and so on…").
pub fn contains_lone_ellipsis(s: &str) -> bool {
    lone_ellipses(s).next().is_some()
}

/// Byte offsets of every `…` in `s` not preceded by a letter or digit.
pub fn lone_ellipses(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.match_indices('…').filter_map(move |(i, _)| {
        let before = s[..i].chars().next_back();
        (!before.is_some_and(|c| c.is_alphanumeric())).then_some(i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Env, parse::parse};

    fn with_ctx(text: &str, f: impl FnOnce(&Ctx)) {
        let doc = parse(text);
        let env = Env::fixed();
        f(&Ctx::new(text, &doc, &env));
    }

    #[test]
    fn header_rows_resolve_to_fields_and_values_lose_backticks() {
        let text = "## Header\n\n| Field | Value |\n|---|---|\n| Severity | High |\n| Deploy SHA | `abc1234` |\n| Custom | x |\n";
        with_ctx(text, |ctx| {
            assert_eq!(ctx.value(FieldRole::Severity), Some("High"));
            assert_eq!(ctx.value(FieldRole::DeploySha), Some("abc1234"));
            assert_eq!(ctx.header.as_ref().unwrap().rows.len(), 3);
            assert!(ctx.field(FieldRole::Duration).is_none());
        });
    }

    #[test]
    fn header_table_without_section_is_found_in_preamble() {
        let text =
            "# Post-mortem\n\n| Incident date | 2026-01-02 |\n|---|---|\n| Severity | High |\n";
        with_ctx(text, |ctx| {
            assert_eq!(ctx.value(FieldRole::IncidentDate), Some("2026-01-02"));
            assert_eq!(ctx.value(FieldRole::Severity), Some("High"));
        });
    }

    #[test]
    fn timeline_lines_are_classified() {
        let text = "## Timeline (UTC)\n\n```\n09:01  (source: alert) fired\n  continued\n9:05 x\n09:06 (source: pager) y\n09:07  (source: Slack #ops) z\nHH:MM  …\n```\n";
        with_ctx(text, |ctx| {
            let kinds: Vec<&str> = ctx
                .timeline
                .lines
                .iter()
                .map(|l| match l {
                    TimelineLine::Entry(_) => "entry",
                    TimelineLine::Malformed { .. } => "bad",
                    TimelineLine::Placeholder { .. } => "placeholder",
                })
                .collect();
            assert_eq!(kinds, ["entry", "bad", "bad", "entry", "placeholder"]);
            let TimelineLine::Entry(e) = &ctx.timeline.lines[3] else {
                panic!()
            };
            assert_eq!(&text[e.source.clone()], "Slack #ops");
            assert_eq!(&text[e.text.clone()], "z");
            assert_eq!(e.minutes, 9 * 60 + 7);
        });
    }

    #[test]
    fn prevention_columns_follow_the_head() {
        let text = "## Prevention\n\n| Action | Owner | Target date |\n|---|---|---|\n| Add alert OPS-1 | @ana | 2026-02-01 |\n";
        with_ctx(text, |ctx| {
            let row = &ctx.prevention[0];
            assert_eq!(&text[row.owner.clone().unwrap()], "@ana");
            assert_eq!(&text[row.target.clone().unwrap()], "2026-02-01");
        });
    }
}
