//! Section checks: every template section present, once, in order, and not empty.

use crate::analysis::facts::Ctx;
use crate::analysis::{Code, Diagnostic, Fix};

/// `missing-section`: one diagnostic per template section the document lacks.
pub fn missing_section(ctx: &Ctx) -> Vec<Diagnostic> {
    let present: Vec<usize> = ctx.section_specs.iter().flatten().copied().collect();
    let specs = &ctx.schema.sections;
    (0..specs.len())
        .filter(|i| !present.contains(i))
        .map(|i| {
            let place = match i.checked_sub(1) {
                Some(prev) => format!("after `## {}`", specs[prev].name),
                None => "right after the title".to_string(),
            };
            Diagnostic::new(
                Code::MissingSection,
                ctx.anchor(),
                format!("missing section `## {}`: add it {place}", specs[i].name),
            )
            .with_fix(Fix::InsertSection {
                name: specs[i].name.clone(),
            })
        })
        .collect()
}

/// `duplicate-section`: a template section that appears again further down.
pub fn duplicate_section(ctx: &Ctx) -> Vec<Diagnostic> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (section, spec) in ctx.doc.sections.iter().zip(&ctx.section_specs) {
        let Some(spec) = *spec else { continue };
        if seen.contains(&spec) {
            out.push(Diagnostic::new(
                Code::DuplicateSection,
                section.name.clone(),
                format!(
                    "`## {}` appears more than once: merge this one into the first",
                    ctx.schema.sections[spec].name
                ),
            ));
        } else {
            seen.push(spec);
        }
    }
    out
}

/// `section-order`: sections that stand out of template order. The sections kept in place
/// are the longest run already in order, so moving one section reports only that one.
pub fn section_order(ctx: &Ctx) -> Vec<Diagnostic> {
    // First occurrences only; duplicates are reported by `duplicate_section`.
    let mut firsts: Vec<(usize, usize)> = Vec::new(); // (section index, spec index)
    for (i, spec) in ctx.section_specs.iter().enumerate() {
        if let Some(spec) = *spec
            && !firsts.iter().any(|&(_, s)| s == spec)
        {
            firsts.push((i, spec));
        }
    }
    let specs: Vec<usize> = firsts.iter().map(|&(_, s)| s).collect();
    let keep = longest_increasing(&specs);
    let in_order: Vec<usize> = keep.iter().map(|&k| specs[k]).collect();
    let names = &ctx.schema.sections;
    firsts
        .iter()
        .enumerate()
        .filter(|(k, _)| !keep.contains(k))
        .map(|(_, &(section, spec))| {
            let before = in_order.iter().filter(|&&s| s < spec).max();
            let after = in_order.iter().filter(|&&s| s > spec).min();
            let place = match (before, after) {
                (Some(&b), _) => format!("move it after `## {}`", names[b].name),
                (None, Some(&a)) => format!("move it before `## {}`", names[a].name),
                (None, None) => "move it into template order".to_string(),
            };
            Diagnostic::new(
                Code::SectionOrder,
                ctx.doc.sections[section].name.clone(),
                format!(
                    "`## {}` is out of the template's order: {place}",
                    names[spec].name
                ),
            )
            .with_fix(Fix::ReorderSections)
        })
        .collect()
}

/// Positions (into `xs`) of one longest strictly increasing subsequence.
fn longest_increasing(xs: &[usize]) -> Vec<usize> {
    // O(n²) is plenty: a post-mortem has about a dozen sections.
    let n = xs.len();
    let mut len = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if xs[j] < xs[i] && len[j] + 1 > len[i] {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let Some(mut i) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) else {
        return Vec::new();
    };
    let mut out = vec![i];
    while prev[i] != usize::MAX {
        i = prev[i];
        out.push(i);
    }
    out.reverse();
    out
}

/// `empty-section`: a template section with nothing in it.
pub fn empty_section(ctx: &Ctx) -> Vec<Diagnostic> {
    ctx.doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .filter(|(s, spec)| spec.is_some() && !s.body.has_content)
        .map(|(s, _)| {
            Diagnostic::new(
                Code::EmptySection,
                s.name.clone(),
                format!(
                    "`## {}` is empty: write what you know, or \"None\" if there is nothing to say",
                    ctx.slice(&s.name)
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Env;
    use crate::analysis::checks::fixture::{VALID, check_marked, run, valid_with};

    #[test]
    fn valid_document_has_no_section_problems() {
        for check in [
            missing_section,
            duplicate_section,
            section_order,
            empty_section,
        ] {
            assert_eq!(run(check, VALID, &Env::fixed()), vec![]);
        }
    }

    #[test]
    fn each_missing_section_is_reported_on_the_title() {
        let text = valid_with("## Impact\n", "## Effects\n");
        let text = text.replacen(
            "# Post-mortem: checkout timeouts after the payments client upgrade",
            "# «Post-mortem: checkout timeouts after the payments client upgrade»",
            1,
        );
        let diags = check_marked(missing_section, &text);
        assert_eq!(
            diags[0].message,
            "missing section `## Impact`: add it after `## Detection`"
        );
    }

    #[test]
    fn without_a_title_all_sections_anchor_on_line_one() {
        let text = "«intro 🙂»\n## Header\n";
        let (plain, _) = crate::analysis::checks::fixture::unmark(text);
        let diags = run(missing_section, &plain, &Env::fixed());
        assert_eq!(diags.len(), 10);
        assert!(diags.iter().all(|d| &plain[d.range.clone()] == "intro 🙂"));
    }

    #[test]
    fn duplicate_is_reported_on_the_second_heading() {
        let text = valid_with(
            "## What was lucky\n",
            "## What was lucky\n- x\n\n## «what  was LUCKY:»\n",
        );
        check_marked(duplicate_section, &text);
    }

    #[test]
    fn moving_one_section_reports_only_that_section() {
        let moved = VALID.replacen("## Detection gaps\n", "## Detection gapz\n", 1);
        let text = format!("{moved}\n## «Detection gaps»\n\n- more alerts\n");
        let diags = check_marked(section_order, &text);
        assert_eq!(
            diags[0].message,
            "`## Detection gaps` is out of the template's order: move it after `## Repair`"
        );
    }

    #[test]
    fn first_section_moved_last_is_the_one_reported() {
        let text = "# T\n## Timeline\nx\n## Detection\nx\n## «Header»\nx\n";
        let diags = check_marked(section_order, text);
        assert!(
            diags[0]
                .message
                .ends_with("move it before `## Timeline (UTC)`")
        );
    }

    #[test]
    fn empty_sections_ignore_comments_but_not_subheadings() {
        let text = valid_with(
            "## What went well\n",
            "## «What went well»\n<!-- fill in -->\n\n## Extra notes\n\n## Spare\n### sub\n",
        );
        // The unknown sections in between are not template sections, so only one report.
        check_marked(empty_section, &text);
    }
}
