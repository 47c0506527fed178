//! The unfilled-section check: a section that still holds only its template's guidance.

use crate::analysis::facts::Ctx;
use crate::analysis::model::Section;
use crate::analysis::schema::SectionRole;
use crate::analysis::skeleton;
use crate::analysis::{Code, Diagnostic};
use std::ops::Range;

/// A body's lines with white space folded, list and quote marks dropped, table cells
/// trimmed, delimiter rules shortened and a leading clock time written `HH:MM`, so the
/// same text typed, formatted or stamped at another minute reads the same. Empty lines are
/// left out.
fn lines_of(body: &str) -> impl Iterator<Item = String> + '_ {
    body.lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '>']).trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            if l.starts_with('|') {
                let cells: Vec<String> = l
                    .trim_matches('|')
                    .split('|')
                    .map(|c| {
                        let c = c.trim();
                        if !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':') {
                            "-".to_string()
                        } else {
                            c.split_whitespace().collect::<Vec<_>>().join(" ")
                        }
                    })
                    .collect();
                return format!("|{}|", cells.join("|"));
            }
            let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
            let b = l.as_bytes();
            let clock = b.len() >= 5
                && b[..5].iter().enumerate().all(|(i, c)| match i {
                    2 => *c == b':',
                    _ => c.is_ascii_digit(),
                });
            if clock {
                format!("HH:MM{}", &l[5..])
            } else {
                l
            }
        })
}

/// Whether a section is still as the template or the skeleton left it: it has a line, and
/// every line is one of the template's guidance for it or of its skeleton. The Header is
/// left to the field checks.
fn untouched(ctx: &Ctx, section: &Section, spec: Option<usize>) -> bool {
    let Some(index) = spec else {
        return false;
    };
    let Some(spec) = ctx.schema.sections.get(index) else {
        return false;
    };
    if spec.role == Some(SectionRole::Header) {
        return false;
    }
    let mut known: Vec<String> = lines_of(&spec.guidance).collect();
    let skeleton = skeleton::section(ctx.schema, index, ctx.env.now).to_plain();
    let body = skeleton.split_once('\n').map_or("", |(_, b)| b);
    known.extend(lines_of(body));
    let mut written = lines_of(ctx.slice(&section.body.range)).peekable();
    written.peek().is_some() && written.all(|l| known.contains(&l))
}

/// The bodies of the sections still as the template or skeleton left them: the placeholder
/// check leaves them to this one, so a fresh file shows one warning per section instead
/// of one error per `…`.
pub fn untouched_bodies(ctx: &Ctx) -> Vec<Range<usize>> {
    ctx.doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .filter(|(s, spec)| untouched(ctx, s, **spec))
        .map(|(s, _)| s.body.range.clone())
        .collect()
}

/// `unfilled-section`: a section still holds only its template's guidance or the skeleton
/// `new` and completion write, so nothing of the incident has been written there yet.
pub fn unfilled_section(ctx: &Ctx) -> Vec<Diagnostic> {
    ctx.doc
        .sections
        .iter()
        .zip(&ctx.section_specs)
        .filter(|(s, _)| ctx.in_scope(s))
        .filter(|(s, spec)| untouched(ctx, s, **spec))
        .map(|(s, _)| {
            Diagnostic::new(
                Code::UnfilledSection,
                s.name.clone(),
                format!(
                    "`## {}` still holds only the template's guidance: replace it with what happened in this incident",
                    ctx.slice(&s.name)
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::checks::fixture::{VALID, check_marked};
    use crate::analysis::schema::BUILTIN_TEMPLATE;

    #[test]
    fn the_valid_document_is_filled() {
        check_marked(unfilled_section, VALID);
    }

    #[test]
    fn guidance_left_in_place_is_reported_on_the_heading() {
        let text = "## «Detection»\n\nSay what first showed the problem and how quickly.\n\n\
                    - Which alert, and was its threshold right?\n\n## «Root cause»\n\n\
                    Name the change or event that caused the incident, with the commit and the evidence that proves it.\n";
        let d = check_marked(unfilled_section, text);
        assert!(d[0].message.contains("replace it with what happened"));
    }

    #[test]
    fn guidance_with_anything_of_the_incident_added_is_filled() {
        check_marked(
            unfilled_section,
            "## Detection\n\nSay what first showed the problem and how quickly.\n\nThe p99 alert fired at 09:41.\n\n## Repair\n\n\n",
        );
    }

    #[test]
    fn every_section_of_the_builtin_template_but_the_header_is_unfilled() {
        let env = crate::analysis::Env::fixed();
        let doc = crate::analysis::parse(BUILTIN_TEMPLATE);
        let ctx = Ctx::new(BUILTIN_TEMPLATE, &doc, &env);
        let named: Vec<_> = unfilled_section(&ctx)
            .iter()
            .map(|d| ctx.slice(&d.range))
            .collect();
        assert_eq!(
            named,
            [
                "Timeline (UTC)",
                "Detection",
                "Impact",
                "Root cause",
                "Repair",
                "Detection gaps",
                "Prevention",
                "What went well",
                "What was lucky",
                "Appendix: evidence links"
            ]
        );
    }

    const SKELETON_DETECTION: &str = "Say what first showed the problem and how quickly.\n\n\
        - Which alert, and was its threshold right?\n\
        - Which user, through which channel, and how late?\n\
        - Which smoke-test step failed?\n\n- Signal: …\n- Noticed after: …\n\n";

    #[test]
    fn a_skeleton_left_as_inserted_is_one_warning_and_no_placeholder() {
        let text = format!(
            "## «Detection»\n\n{SKELETON_DETECTION}## «Timeline (UTC)»\n\n\
             Write one line per page, message and action, so that a reader can replay the incident.\n\n\
             ```\n07:03  (source: alert) …\n```\n\n## «What went well»\n\n-   …\n"
        );
        check_marked(unfilled_section, &text);
        check_marked(
            crate::analysis::checks::prose::placeholder,
            &text.replace(['«', '»'], ""),
        );
    }

    #[test]
    fn placeholders_in_a_section_someone_wrote_in_stay_errors() {
        let written = SKELETON_DETECTION.replacen("- Signal: …", "- Signal: the p99 alert", 1);
        let text = format!("## Detection\n\n{written}");
        check_marked(unfilled_section, &text);
        let marked = format!(
            "## Detection\n\n{}",
            written.replacen("after: …", "after: «…»", 1)
        );
        check_marked(crate::analysis::checks::prose::placeholder, &marked);
    }

    #[test]
    fn a_formatted_prevention_skeleton_is_still_unfilled() {
        let text = "## «Prevention»\n\n| Owner  | Action      | Target date |\n\
                    |--------|-------------|-------------|\n\
                    | @owner | …, OPS-000  | YYYY-MM-DD  |\n";
        check_marked(unfilled_section, text);
    }
}
