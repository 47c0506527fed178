//! Document structure for the editor: symbols (sections with header fields, timeline
//! entries and Prevention rows as children) and folding ranges.

use super::facts::{Ctx, TimelineLine};
use super::schema::SectionRole;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Section,
    Field,
    Entry,
    Row,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// Everything the symbol covers.
    pub range: Range<usize>,
    /// The part to select and reveal (a heading's text, a field's name).
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

/// One symbol per `##` section, with the template's structured parts as children.
pub fn symbols(ctx: &Ctx) -> Vec<Symbol> {
    ctx.doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .map(|(section, spec)| {
            let role = spec.and_then(|i| ctx.schema.sections[i].role);
            let is_first =
                |r: SectionRole| ctx.section(r).is_some_and(|s| std::ptr::eq(s, section));
            let children = match role {
                Some(SectionRole::Header) if is_first(SectionRole::Header) => fields(ctx),
                Some(SectionRole::Timeline) if is_first(SectionRole::Timeline) => entries(ctx),
                Some(SectionRole::Prevention) if is_first(SectionRole::Prevention) => rows(ctx),
                _ => Vec::new(),
            };
            Symbol {
                name: non_empty(ctx.slice(&section.name), "(untitled section)"),
                detail: None,
                kind: SymbolKind::Section,
                range: trim_end(ctx.text, section.range()),
                selection: section.name.clone(),
                children,
            }
        })
        .collect()
}

fn fields(ctx: &Ctx) -> Vec<Symbol> {
    let Some(header) = &ctx.header else {
        return Vec::new();
    };
    header
        .rows
        .iter()
        .map(|row| Symbol {
            name: non_empty(ctx.slice(&row.name), "(unnamed field)"),
            detail: Some(ctx.slice(&row.value).to_string()).filter(|v| !v.is_empty()),
            kind: SymbolKind::Field,
            range: row.name.start..row.cell.end.max(row.name.end),
            selection: row.name.clone(),
            children: Vec::new(),
        })
        .collect()
}

fn entries(ctx: &Ctx) -> Vec<Symbol> {
    ctx.timeline
        .lines
        .iter()
        .filter_map(|line| match line {
            TimelineLine::Entry(e) => Some(Symbol {
                name: ctx.slice(&e.time).to_string(),
                detail: Some(ctx.slice(&e.text).to_string()),
                kind: SymbolKind::Entry,
                range: e.range.clone(),
                selection: e.time.clone(),
                children: Vec::new(),
            }),
            _ => None,
        })
        .collect()
}

fn rows(ctx: &Ctx) -> Vec<Symbol> {
    ctx.prevention
        .iter()
        .map(|row| {
            let owner = row
                .owner
                .clone()
                .unwrap_or(row.range.start..row.range.start);
            Symbol {
                name: non_empty(ctx.slice(&owner), "(no owner)"),
                detail: row.action.as_ref().map(|a| ctx.slice(a).to_string()),
                kind: SymbolKind::Row,
                range: row.range.clone(),
                selection: owner,
                children: Vec::new(),
            }
        })
        .collect()
}

/// Foldable regions: each section, each fenced code block, each table. Ranges end at the
/// last non-blank character, so a fold never swallows the blank line before the next one.
pub fn folding(ctx: &Ctx) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for section in &ctx.doc.sections {
        out.push(trim_end(ctx.text, section.range()));
        out.extend(
            section
                .body
                .code_blocks
                .iter()
                .map(|c| trim_end(ctx.text, c.range.clone())),
        );
        out.extend(
            section
                .body
                .tables
                .iter()
                .map(|t| trim_end(ctx.text, t.range.clone())),
        );
    }
    out
}

fn trim_end(text: &str, r: Range<usize>) -> Range<usize> {
    let s = text.get(r.clone()).unwrap_or("");
    r.start..r.start + s.trim_end().len()
}

fn non_empty(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() {
        fallback.to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::VALID;
    use crate::analysis::{Env, parse};

    fn with<T>(text: &str, f: impl FnOnce(&Ctx) -> T) -> T {
        let doc = parse(text);
        let env = Env::fixed();
        f(&Ctx::new(text, &doc, &env))
    }

    #[test]
    fn sections_with_fields_entries_and_rows() {
        let syms = with(VALID, symbols);
        let names: Vec<&str> = syms.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names[..3], ["Header", "Timeline (UTC)", "Detection"]);
        assert_eq!(syms.len(), 11);
        let header = &syms[0];
        assert_eq!(header.children.len(), 9);
        assert_eq!(header.children[3].name, "Duration (user-impacting)");
        assert_eq!(header.children[3].detail.as_deref(), Some("41:10"));
        assert_eq!(syms[1].children.len(), 7);
        assert_eq!(syms[1].children[0].name, "09:22");
        let prevention = syms.iter().find(|s| s.name == "Prevention").unwrap();
        assert_eq!(prevention.children[0].name, "@maria.k");
        // A section's range never ends in the blank line before the next heading.
        assert!(VALID[header.range.clone()].ends_with("`4be07d13a9c2` |"));
        assert_eq!(&VALID[header.selection.clone()], "Header");
    }

    #[test]
    fn folds_sections_code_and_tables() {
        let folds = with(VALID, folding);
        // 11 sections, the timeline block, the Header and Prevention tables.
        assert_eq!(folds.len(), 14);
        assert!(
            folds
                .iter()
                .any(|f| VALID[f.clone()].starts_with("```") && VALID[f.clone()].ends_with("```"))
        );
    }

    #[test]
    fn untitled_and_emoji_sections() {
        let text = "##\nx\n## Notes 🚒\n";
        let syms = with(text, symbols);
        assert_eq!(syms[0].name, "(untitled section)");
        assert_eq!(&text[syms[1].selection.clone()], "Notes 🚒");
    }
}
